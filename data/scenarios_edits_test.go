package data

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/carecircle/carecircle/planner"
)

// TestScenarioEditRows makes random edits through Save with the edits
// (one row written each) and checks every stored state against
// planner.Scenario.With, the planner's own account of what edits add up
// to, and against a second store that rewrites the whole scenario.
func TestScenarioEditRows(t *testing.T) { forEachStore(t, testScenarioEditRows) }

func testScenarioEditRows(t *testing.T, newDB func(*testing.T) string) {
	ctx := context.Background()
	s := openTestStore(t, newDB(t), testCity)
	base := make([]planner.Facility, 6)
	for i := range base {
		base[i] = testFacility(fmt.Sprintf("F-%d", i), 100+i)
	}
	sc, err := s.Create(ctx, "逐条保存", nil)
	if err != nil {
		t.Fatal(err)
	}
	whole, err := s.Create(ctx, "整体保存", nil)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	next := 0
	for step := range 120 {
		// Pick an edit that With accepts.
		var ed planner.Edit
		var after *planner.Scenario
		for {
			ids := []string{}
			for _, f := range base {
				ids = append(ids, f.ID)
			}
			for _, f := range sc.Added {
				ids = append(ids, f.ID)
			}
			switch rng.IntN(3) {
			case 0:
				next++
				ed = planner.Edit{Op: planner.OpAdd, Facility: testFacility(fmt.Sprintf("P-%d", next), next)}
			case 1:
				f := testFacility(ids[rng.IntN(len(ids))], rng.IntN(1000))
				ed = planner.Edit{Op: planner.OpChange, Facility: f}
			default:
				id := ids[rng.IntN(len(ids))]
				old, _ := sc.Facility(base, id)
				ed = planner.Edit{Op: planner.OpClose, Facility: old} // as the web app passes it: its last state
			}
			if after, err = sc.With(base, ed); err == nil {
				break
			}
		}
		if err := s.Save(ctx, after, sc.Version, ed); err != nil {
			t.Fatalf("step %d, %s %s: %v", step, ed.Op, ed.Facility.ID, err)
		}
		got, err := s.Get(ctx, sc.ID)
		if err != nil {
			t.Fatal(err)
		}
		normaliseScenario(after)
		if !reflect.DeepEqual(got, after) {
			t.Fatalf("step %d, %s %s: stored %+v\nwant %+v", step, ed.Op, ed.Facility.ID, got, after)
		}
		sc = after

		w := after.Clone()
		w.ID, w.Name, w.Version = whole.ID, whole.Name, whole.Version+1
		if err := s.Save(ctx, w, whole.Version); err != nil {
			t.Fatal(err)
		}
		whole = w
	}
	got, err := s.Get(ctx, whole.ID)
	if err != nil {
		t.Fatal(err)
	}
	got.ID, got.Name = sc.ID, sc.Name
	if !reflect.DeepEqual(got, sc) {
		t.Errorf("the scenario saved whole differs from the one saved edit by edit:\n%+v\n%+v", got, sc)
	}
	if v, err := s.Version(ctx, sc.ID); err != nil || v != sc.Version {
		t.Errorf("Version = %d, %v; want %d", v, err, sc.Version)
	}
	if _, err := s.Version(ctx, "s-nothere"); err == nil {
		t.Errorf("Version of a missing scenario: no error")
	}

	// An edit on a stale version changes nothing.
	stale, err := sc.With(base, planner.Edit{Op: planner.OpAdd, Facility: testFacility("P-late", 1)})
	if err != nil {
		t.Fatal(err)
	}
	stale.Version = sc.Version // made on version sc.Version-1
	if err := s.Save(ctx, stale, sc.Version-1, planner.Edit{Op: planner.OpAdd, Facility: testFacility("P-late", 1)}); err == nil {
		t.Errorf("an edit on a stale version was saved")
	}
	if got, _ := s.Get(ctx, sc.ID); !reflect.DeepEqual(got, sc) {
		t.Errorf("a refused edit changed the scenario")
	}
}

// TestScenarioListSkipsUnreadable: one scenario with a row that does not
// decode is reported and skipped; the others are listed.
func TestScenarioListSkipsUnreadable(t *testing.T) { forEachStore(t, testScenarioListSkipsUnreadable) }

func testScenarioListSkipsUnreadable(t *testing.T, newDB func(*testing.T) string) {
	ctx := context.Background()
	loc := newDB(t)
	s := openTestStore(t, loc, testCity)
	var ids []string
	for i := range 3 {
		sc, err := s.Create(ctx, fmt.Sprintf("方案 %d", i), nil)
		if err != nil {
			t.Fatal(err)
		}
		next := edit(t, sc, testFacility(fmt.Sprintf("P-%d", i), i))
		if err := s.Save(ctx, next, 1, planner.Edit{Op: planner.OpAdd, Facility: next.Added[0]}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, sc.ID)
	}
	corruptRow(t, s, ids[1], "P-1")

	list, bad, err := s.List(ctx)
	if err != nil {
		t.Fatalf("List with one bad row: %v; want the others listed", err)
	}
	if len(list) != 2 || list[0].ID != ids[0] || list[1].ID != ids[2] {
		t.Errorf("List = %v; want %s and %s", list, ids[0], ids[2])
	}
	if len(bad) != 1 || bad[0].ID != ids[1] || bad[0].Name != "方案 1" || bad[0].Version != 2 || !strings.Contains(bad[0].Problem, "P-1") {
		t.Errorf("unreadable = %+v; want %s at version 2 with a problem naming facility P-1", bad, ids[1])
	}
	if _, err := s.Get(ctx, ids[1]); err == nil || !strings.Contains(err.Error(), ids[1]) || !strings.Contains(err.Error(), "P-1") {
		t.Errorf("Get of the bad scenario: %v; want an error naming it and the facility", err)
	}
	if _, err := s.Get(ctx, ids[0]); err != nil {
		t.Errorf("Get of a good scenario: %v", err)
	}
}

// corruptRow damages the stored row of facility fid, as a disk error or
// a hand edit of the database might.
func corruptRow(t *testing.T, s ScenarioStore, id, fid string) {
	t.Helper()
	ctx := context.Background()
	switch s := s.(type) {
	case *SQLiteStore:
		conn, err := s.db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		for _, q := range []string{"PRAGMA ignore_check_constraints = 1",
			"UPDATE scenario_facilities SET facility = '{\"id\": \"P-1\", \"beds\": \"many\"' WHERE scenario = '" + id + "' AND id = '" + fid + "'",
			"PRAGMA ignore_check_constraints = 0"} {
			if _, err := conn.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
	case *PostgresStore:
		if _, err := s.pool.Exec(ctx, `UPDATE carecircle.scenario_facilities SET geom = NULL WHERE scenario = $1 AND id = $2`, id, fid); err != nil {
			t.Fatal(err)
		}
	default:
		t.Fatalf("corruptRow: unknown store %T", s)
	}
}

// TestScenarioMigrationFromOneRowPerScenario opens a file of schema
// version 1 (a scenario's edits as JSON columns of its row) and finds the
// same scenarios, in the same order, after the migration to rows per
// facility.
func TestScenarioMigrationFromOneRowPerScenario(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v1.db")
	db := rawDB(t, path)
	if _, err := db.Exec(scenarioMigrations[0] + "; PRAGMA user_version = 1; PRAGMA journal_mode = WAL"); err != nil {
		t.Fatal(err)
	}
	a, b := testFacility("P-1", 1), testFacility("P-2", 2)
	moved := testFacility("F-9", 9)
	want := []*planner.Scenario{
		{ID: "s-aaaaaaaa", Name: "空方案", Version: 1, Added: []planner.Facility{}, Changed: []planner.Facility{}, Closed: []string{}},
		{ID: "s-bbbbbbbb", Name: "方案二", Version: 7, Added: []planner.Facility{b, a}, Changed: []planner.Facility{moved}, Closed: []string{"F-3", "F-1"}},
	}
	for _, sc := range want {
		added, err := encodeFacilitiesV1(sc.Added)
		if err != nil {
			t.Fatal(err)
		}
		changed, err := encodeFacilitiesV1(sc.Changed)
		if err != nil {
			t.Fatal(err)
		}
		closed := `[]`
		if len(sc.Closed) > 0 {
			closed = `["` + strings.Join(sc.Closed, `","`) + `"]`
		}
		if _, err := db.Exec(`INSERT INTO scenarios (id, city, name, version, created, updated, added, changed, closed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			sc.ID, testCity, sc.Name, sc.Version, timestamp(), timestamp(), added, changed, closed); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	s := openTestStore(t, path, testCity)
	got, bad, err := s.List(ctx)
	if err != nil || len(bad) > 0 {
		t.Fatalf("List after the migration: %v, unreadable %v", err, bad)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("after the migration List = %+v\nwant %+v", got, want)
	}
	next, err := got[1].With(nil, planner.Edit{Op: planner.OpAdd, Facility: testFacility("P-3", 3)})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Save(ctx, next, 7, planner.Edit{Op: planner.OpAdd, Facility: testFacility("P-3", 3)}); err != nil {
		t.Fatal(err)
	}
	if g, _ := s.Get(ctx, next.ID); !reflect.DeepEqual(g, next) {
		t.Errorf("an edit after the migration: %+v\nwant %+v", g, next)
	}
}

// encodeFacilitiesV1 writes a facility list as schema version 1 did.
func encodeFacilitiesV1(fs []planner.Facility) (string, error) {
	parts := make([]string, len(fs))
	for i, f := range fs {
		js, err := encodeFacility(f)
		if err != nil {
			return "", err
		}
		parts[i] = js
	}
	return "[" + strings.Join(parts, ",") + "]", nil
}
