package data

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/carecircle/carecircle/planner"
)

// maxCommitBatch is the most Saves one transaction holds, so that a long
// queue does not make one transaction, and its callers' wait, unbounded.
const maxCommitBatch = 128

// saveRequest is one Save waiting for the committer.
type saveRequest struct {
	ctx    context.Context
	sc     *planner.Scenario
	name   string // checked and trimmed
	expect int64
	edits  []planner.Edit
	done   chan error // buffered: the committer never blocks on a caller
}

// groupCommit is a SQLiteStore's group commit. With synchronous=FULL every
// commit is an fsync, which costs more than writing an edit's rows; one
// committer takes all the Saves queued while the previous transaction was
// being committed, writes each (checked against its own expected version,
// in a savepoint of its own, so one failed Save leaves the others) and
// commits them in one transaction, with one fsync, before it answers them.
type groupCommit struct {
	s *SQLiteStore

	mu     sync.Mutex
	queue  []*saveRequest
	closed bool

	wake    chan struct{} // capacity 1: a pending wake-up is never lost
	stopped chan struct{} // closed when the committer has returned
}

// errStoreClosed is returned by a Save made after Close.
var errStoreClosed = errors.New("the store is closed")

// startGroupCommit starts s's committer; stop ends it.
func startGroupCommit(s *SQLiteStore) *groupCommit {
	g := &groupCommit{s: s, wake: make(chan struct{}, 1), stopped: make(chan struct{})}
	go g.run()
	return g
}

// save queues r and waits for its outcome.
func (g *groupCommit) save(ctx context.Context, r *saveRequest) error {
	r.done = make(chan error, 1)
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return fmt.Errorf("scenario database %s: saving scenario %s: %w", g.s.path, r.sc.ID, errStoreClosed)
	}
	g.queue = append(g.queue, r)
	g.mu.Unlock()
	select {
	case g.wake <- struct{}{}:
	default: // a wake-up is pending already
	}
	// Not also on ctx.Done: the committer skips a request whose ctx has
	// ended before it is written, and a written one must learn whether
	// its transaction committed.
	return <-r.done
}

// stop commits what is queued, then ends the committer. Saves after stop
// fail.
func (g *groupCommit) stop() {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
	select {
	case g.wake <- struct{}{}:
	default:
	}
	<-g.stopped
}

// run is the committer: it commits batches until stopped and the queue is
// empty.
func (g *groupCommit) run() {
	defer close(g.stopped)
	for {
		g.mu.Lock()
		for len(g.queue) == 0 && !g.closed {
			g.mu.Unlock()
			<-g.wake
			g.mu.Lock()
		}
		n := min(len(g.queue), maxCommitBatch)
		batch := g.queue[:n:n]
		g.queue = g.queue[n:]
		if len(g.queue) == 0 {
			g.queue = nil // let the array go
		}
		g.mu.Unlock()
		if len(batch) == 0 {
			return // closed, nothing left
		}
		g.commit(batch)
	}
}

// commit writes batch in one transaction and answers each request: its
// own error (a version conflict, a missing scenario, a bad row) when its
// write failed and was rolled back alone, the commit's error when the
// transaction failed, nil once the transaction is on disk.
func (g *groupCommit) commit(batch []*saveRequest) {
	s := g.s
	// The transaction belongs to no single caller: a caller that gives up
	// must not abort the others' commit.
	ctx := context.Background()
	failAll := func(rs []*saveRequest, err error) {
		for _, r := range rs {
			r.done <- fmt.Errorf("scenario database %s: saving scenario %s: %w", s.path, r.sc.ID, err)
		}
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		failAll(batch, err)
		return
	}
	defer tx.Rollback()
	// Savepoints only when there is another write to keep: alone, a
	// failed write is undone by rolling the transaction back.
	alone := len(batch) == 1
	applied := make([]*saveRequest, 0, len(batch))
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.done <- fmt.Errorf("scenario database %s: saving scenario %s: not written: %w", s.path, r.sc.ID, err)
			continue
		}
		if !alone {
			if _, err := tx.ExecContext(ctx, `SAVEPOINT save`); err != nil {
				failAll(append(applied, batch[i:]...), err)
				return
			}
		}
		err := s.applySave(ctx, tx, r)
		if err != nil {
			if !alone {
				if _, rerr := tx.ExecContext(ctx, `ROLLBACK TO save`); rerr != nil {
					failAll(append(applied, batch[i:]...), rerr)
					return
				}
			}
			r.done <- err
		} else {
			applied = append(applied, r)
		}
		if !alone {
			if _, err := tx.ExecContext(ctx, `RELEASE save`); err != nil {
				failAll(append(applied, batch[i+1:]...), err)
				return
			}
		}
	}
	if len(applied) == 0 {
		return // nothing to commit: the deferred rollback ends the transaction
	}
	if err := tx.Commit(); err != nil {
		failAll(applied, err)
		return
	}
	for _, r := range applied {
		r.done <- nil
	}
}
