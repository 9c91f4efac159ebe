package osm

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"

	"github.com/paulmach/osm"
	"github.com/paulmach/osm/osmpbf"
)

// TestPBFMatchesOsmpbf reads every node, way and relation of the real
// extracts with our PBF scanner and with github.com/paulmach/osm/osmpbf,
// which it replaced, side by side, and wants the same objects in the same
// order: ids, metadata, locations, tags, way node references and relation
// members (type, ref, role).
func TestPBFMatchesOsmpbf(t *testing.T) {
	for _, name := range []string{"heidelberg.osm.pbf", "monaco.osm.pbf", "helsinki.osm.pbf", "../poa/porto_alegre.osm.pbf"} {
		t.Run(filepath.Base(name), func(t *testing.T) {
			path := dataFile(t, name)
			ours := openScanner(t, path)
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			ref := osmpbf.New(context.Background(), f, runtime.GOMAXPROCS(0))
			defer ref.Close()
			counts := map[osm.Type]int{}
			tagged, versioned := 0, 0
			for ref.Scan() {
				want := ref.Object()
				if !ours.Scan() {
					t.Fatalf("ours ends (err %v) where osmpbf has %v", ours.Err(), want.ObjectID())
				}
				got := ours.Object()
				if msg := sameObject(got, want); msg != "" {
					t.Fatalf("object %d: %s", counts[want.ObjectID().Type()], msg)
				}
				counts[want.ObjectID().Type()]++
				if n, ok := want.(*osm.Node); ok && len(n.Tags) > 0 {
					tagged++
				}
				if want.ObjectID().Version() > 0 {
					versioned++
				}
			}
			if err := ref.Err(); err != nil {
				t.Fatal(err)
			}
			if ours.Scan() {
				t.Fatalf("ours has %v after osmpbf's last object", ours.Object().ObjectID())
			}
			if err := ours.Err(); err != nil {
				t.Fatal(err)
			}
			if counts[osm.TypeNode] == 0 || counts[osm.TypeWay] == 0 || counts[osm.TypeRelation] == 0 || tagged == 0 {
				t.Fatalf("compared %v (%d tagged nodes): the file should have all three kinds and tagged nodes", counts, tagged)
			}
			t.Logf("equal: %d nodes (%d tagged), %d ways, %d relations; %d with metadata", counts[osm.TypeNode], tagged, counts[osm.TypeWay], counts[osm.TypeRelation], versioned)
		})
	}
}

// sameObject returns what differs between our object and osmpbf's, or "".
func sameObject(got, want osm.Object) string {
	if got.ObjectID() != want.ObjectID() { // type, id and version
		return "ours " + got.ObjectID().String() + ", osmpbf " + want.ObjectID().String()
	}
	id := want.ObjectID().String()
	if g, w := metadata(got), metadata(want); g != w {
		return fmt.Sprintf("%s: ours metadata %s, osmpbf %s", id, g, w)
	}
	switch w := want.(type) {
	case *osm.Node:
		g := got.(*osm.Node)
		if g.Lat != w.Lat || g.Lon != w.Lon {
			return id + ": location differs"
		}
		if !sameTags(g.Tags, w.Tags) {
			return fmt.Sprintf("%s: ours tags %v, osmpbf %v", id, g.Tags, w.Tags)
		}
	case *osm.Way:
		g := got.(*osm.Way)
		if !sameTags(g.Tags, w.Tags) || len(g.Nodes) != len(w.Nodes) {
			return id + ": tags or node count differ"
		}
		for i, n := range g.Nodes {
			if m := w.Nodes[i]; n.ID != m.ID || n.Lat != m.Lat || n.Lon != m.Lon {
				return id + ": node references differ"
			}
		}
	case *osm.Relation:
		g := got.(*osm.Relation)
		if !sameTags(g.Tags, w.Tags) || len(g.Members) != len(w.Members) {
			return id + ": tags or member count differ"
		}
		for i, m := range g.Members {
			if n := w.Members[i]; m.Type != n.Type || m.Ref != n.Ref || m.Role != n.Role {
				return id + ": members differ"
			}
		}
	}
	return ""
}

// metadata returns the metadata of o as text.
func metadata(o osm.Object) string {
	switch o := o.(type) {
	case *osm.Node:
		return fmt.Sprint(o.Timestamp, o.ChangesetID, o.UserID, o.User, o.Visible)
	case *osm.Way:
		return fmt.Sprint(o.Timestamp, o.ChangesetID, o.UserID, o.User, o.Visible)
	case *osm.Relation:
		return fmt.Sprint(o.Timestamp, o.ChangesetID, o.UserID, o.User, o.Visible)
	}
	return ""
}

// sameTags compares tags, nil and empty being the same.
func sameTags(a, b osm.Tags) bool { return slices.Equal(a, b) }

// openScanner returns our scanner of the file at path, closed at the end of
// the test.
func openScanner(t *testing.T, path string) *pbfScanner {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	sc := newPBFScanner(context.Background(), bufio.NewReader(f), path)
	t.Cleanup(func() { sc.Close() })
	return sc
}
