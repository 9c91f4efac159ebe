package data

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/carecircle/carecircle/planner"
)

// TestGroupCommitBatch commits one batch of Saves by hand and checks that
// each is judged alone: a conflict, a bad row and a caller that gave up
// fail without undoing the others, which are all stored.
func TestGroupCommitBatch(t *testing.T) {
	ctx := context.Background()
	st, err := OpenSQLiteStore(ctx, filepath.Join(t.TempDir(), "s.db"), testCity)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a, err := st.Create(ctx, "甲", nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := st.Create(ctx, "乙", nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := st.Create(ctx, "丙", nil)
	if err != nil {
		t.Fatal(err)
	}
	add := func(sc *planner.Scenario, id string, i int) (*planner.Scenario, planner.Edit) {
		ed := planner.Edit{Op: planner.OpAdd, Facility: testFacility(id, i)}
		n, err := sc.With(nil, ed)
		if err != nil {
			t.Fatal(err)
		}
		return n, ed
	}
	a2, aEd := add(a, "A-1", 1)
	aLate, aLateEd := add(a, "A-2", 2) // made on version 1 too: loses to a2
	b2, bEd := add(b, "B-1", 3)
	b3, _ := add(b2, "B-2", 4)
	bDup := planner.Edit{Op: planner.OpAdd, Facility: testFacility("B-1", 5)} // B-1 is there already
	gone, cancel := context.WithCancel(ctx)
	cancel()
	c2, cEd := add(c, "C-1", 6)

	reqs := []*saveRequest{
		{ctx: ctx, sc: a2, name: a2.Name, expect: 1, edits: []planner.Edit{aEd}},
		{ctx: ctx, sc: aLate, name: aLate.Name, expect: 1, edits: []planner.Edit{aLateEd}},
		{ctx: ctx, sc: b2, name: b2.Name, expect: 1, edits: []planner.Edit{bEd}},
		{ctx: ctx, sc: b3, name: b3.Name, expect: 2, edits: []planner.Edit{bDup}},
		{ctx: gone, sc: c2, name: c2.Name, expect: 1, edits: []planner.Edit{cEd}},
	}
	for _, r := range reqs {
		r.done = make(chan error, 1)
	}
	st.commits.commit(reqs)
	errs := make([]error, len(reqs))
	for i, r := range reqs {
		errs[i] = <-r.done
	}

	var conflict *VersionConflictError
	if errs[0] != nil {
		t.Errorf("first edit of 甲: %v; want stored", errs[0])
	}
	if !errors.As(errs[1], &conflict) || conflict.Current != 2 || conflict.Expected != 1 {
		t.Errorf("second edit of 甲 on version 1: %v; want a conflict at version 2", errs[1])
	}
	if errs[2] != nil {
		t.Errorf("first edit of 乙: %v; want stored", errs[2])
	}
	if errs[3] == nil || !strings.Contains(errs[3].Error(), "B-1") {
		t.Errorf("adding B-1 twice to 乙: %v; want an error naming B-1", errs[3])
	}
	if !errors.Is(errs[4], context.Canceled) {
		t.Errorf("edit of 丙 whose caller gave up: %v; want context.Canceled", errs[4])
	}

	for _, w := range []struct {
		sc      *planner.Scenario
		version int64
		added   []string
	}{
		{a, 2, []string{"A-1"}},
		{b, 2, []string{"B-1"}},
		{c, 1, nil},
	} {
		got, err := st.Get(ctx, w.sc.ID)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, f := range got.Added {
			ids = append(ids, f.ID)
		}
		if got.Version != w.version || strings.Join(ids, ",") != strings.Join(w.added, ",") {
			t.Errorf("%s: version %d, added %v; want version %d, added %v", w.sc.Name, got.Version, ids, w.version, w.added)
		}
	}
}

// TestGroupCommitAfterClose checks that a Save after Close fails cleanly.
func TestGroupCommitAfterClose(t *testing.T) {
	ctx := context.Background()
	st, err := OpenSQLiteStore(ctx, filepath.Join(t.TempDir(), "s.db"), testCity)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := st.Create(ctx, "甲", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	n := edit(t, sc, testFacility("A-1", 1))
	if err := st.Save(ctx, n, 1); !errors.Is(err, errStoreClosed) {
		t.Errorf("Save after Close: %v; want %v", err, errStoreClosed)
	}
}
