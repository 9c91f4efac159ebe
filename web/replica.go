package web

import (
	"crypto/rand"
	"encoding/base32"
	"strings"
)

// Replicas: any number of serve processes may share one scenario
// database. Each checks a scenario's stored version on every request
// (Server.state), so an edit through one replica is seen by the next
// request to any other, and a deleted scenario is gone everywhere. The
// store also tells each replica of the others' writes (PostgreSQL's
// NOTIFY at once, SQLite's polling within a second), so caches of
// changed and deleted scenarios are dropped before they are asked for.
// Optimiser runs stay in the memory of the replica that started them;
// their ids carry its replica id, so another replica can say whose a run
// is.

// newReplicaID is 4 random lower-case base-32 characters naming this
// process among the replicas (logged at start, in every run id).
func newReplicaID() string {
	var b [3]byte
	rand.Read(b[:])
	return "r" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))[:4]
}

// Replica returns this server's replica id.
func (s *Server) Replica() string { return s.runs.replica }

// runReplica is the replica id in a run id made by newRunID, or "".
func runReplica(rid string) string {
	rest, ok := strings.CutPrefix(rid, "opt-")
	if !ok {
		return ""
	}
	replica, _, ok := strings.Cut(rest, "-")
	if !ok || len(replica) != 5 || replica[0] != 'r' {
		return ""
	}
	return replica
}

// storeWatcher is a store that tells of other processes' writes
// (data.PostgresStore, data.SQLiteStore).
type storeWatcher interface {
	Watch(fn func(id string, version int64))
}

// watchStore asks a store that notifies to tell of other replicas' writes.
func (s *Server) watchStore() {
	if w, ok := s.store.ScenarioStore.(storeWatcher); ok {
		w.Watch(s.changed)
	}
}
