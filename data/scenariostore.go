package data

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/carecircle/carecircle/planner"
)

// ScenarioStore keeps the scenarios of one city. Two implementations
// share one contract: SQLiteStore (a file, the embedded default) and
// PostgresStore (PostgreSQL with PostGIS, for several replicas and
// several cities in one database). OpenScenarioStore picks one by the
// location it is given.
//
// The contract: every method that returned without error has made its
// change durable; Save and Rename write only on the version they were
// made on (optimistic concurrency, *VersionConflictError otherwise);
// a scenario of another city is ErrScenarioNotFound; several processes
// may share one database, and each sees the others' writes on its next
// read. Methods are safe for concurrent use.
type ScenarioStore interface {
	// List returns the city's scenarios, oldest first, and the rows it
	// could not read (skipped, so one bad row does not hide the rest).
	List(ctx context.Context) ([]*planner.Scenario, []UnreadableScenario, error)
	// Get returns one scenario, or an error wrapping ErrScenarioNotFound.
	Get(ctx context.Context, id string) (*planner.Scenario, error)
	// Version returns the stored version of a scenario, a cheap check
	// that a cached copy is current; ErrScenarioNotFound when it is gone.
	Version(ctx context.Context, id string) (int64, error)
	// Create stores a new scenario at version 1, copying from's edits
	// when from is not nil.
	Create(ctx context.Context, name string, from *planner.Scenario) (*planner.Scenario, error)
	// Save stores next, made by edits on stored version expect
	// (next.Version == expect+1). With edits it writes only the rows
	// those edits touch; without, it rewrites the scenario from next.
	// A close edit may carry the closed facility's last state, which the
	// store keeps for maps of what a scenario closes.
	Save(ctx context.Context, next *planner.Scenario, expect int64, edits ...planner.Edit) error
	// Rename renames a scenario stored at version expect (AnyVersion:
	// whatever it is) and returns it one version up.
	Rename(ctx context.Context, id, name string, expect int64) (*planner.Scenario, error)
	// Delete removes a scenario, or returns ErrScenarioNotFound.
	Delete(ctx context.Context, id string) error
	// City is the key of the city whose scenarios the store sees.
	City() string
	// String names the database for messages and logs (a file path, or a
	// URL without its password).
	String() string
	// Close releases the database; every write already returned is kept.
	Close() error
}

// UnreadableScenario is a stored scenario that could not be read; List
// skips it and reports it, so the others are still served.
type UnreadableScenario struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Version int64  `json:"version"`
	Problem string `json:"problem"`
}

// OpenScenarioStore opens the scenario store at db for city: a PostgreSQL
// database when db is a postgres:// or postgresql:// URL (see
// OpenPostgresStore), else a SQLite file (see OpenSQLiteStore).
func OpenScenarioStore(ctx context.Context, db, city string) (ScenarioStore, error) {
	if IsPostgresURL(db) {
		return OpenPostgresStore(ctx, db, city)
	}
	return OpenSQLiteStore(ctx, db, city)
}

// IsPostgresURL reports whether db names a PostgreSQL database rather
// than a SQLite file.
func IsPostgresURL(db string) bool {
	l := strings.ToLower(db)
	return strings.HasPrefix(l, "postgres://") || strings.HasPrefix(l, "postgresql://")
}

// Row kinds of a scenario's facilities: each facility a scenario touches
// is one row, so an edit writes one row, not the whole scenario.
const (
	kindAdded   = "added"
	kindChanged = "changed"
	kindClosed  = "closed"
)

// facilityRow is one stored row of a scenario's facilities. pos orders
// the rows as planner.Scenario.With orders its lists: a row takes a new
// position when it enters a list and keeps it when it is replaced.
type facilityRow struct {
	kind string
	pos  int64
	f    planner.Facility
}

// rowChange is what one edit does to the rows: put (insert or replace;
// newPos when the row enters a list) or delete.
type rowChange struct {
	id     string
	delete bool
	kind   string
	newPos bool
	f      planner.Facility
}

// rowChangeOf works out what edit ed does to the row of its facility,
// whose kind is now current ("" when the scenario has no row for it).
// Edits reach the store checked (planner.Scenario.With), so a change or
// a close of a facility without an "added" row is one of the baseline.
func rowChangeOf(ed planner.Edit, current string) (rowChange, error) {
	id := ed.Facility.ID
	switch ed.Op {
	case planner.OpAdd:
		if current != "" {
			return rowChange{}, fmt.Errorf("adding facility %q, which the scenario has already (%s)", id, current)
		}
		return rowChange{id: id, kind: kindAdded, newPos: true, f: ed.Facility}, nil
	case planner.OpChange:
		switch current {
		case kindAdded, kindChanged:
			return rowChange{id: id, kind: current, f: ed.Facility}, nil
		case kindClosed:
			return rowChange{}, fmt.Errorf("changing facility %q, which the scenario closes", id)
		}
		return rowChange{id: id, kind: kindChanged, newPos: true, f: ed.Facility}, nil
	case planner.OpClose:
		switch current {
		case kindAdded:
			return rowChange{id: id, delete: true}, nil
		case kindClosed:
			return rowChange{}, fmt.Errorf("closing facility %q, which the scenario closes already", id)
		}
		return rowChange{id: id, kind: kindClosed, newPos: true, f: ed.Facility}, nil
	}
	return rowChange{}, fmt.Errorf("edit %q of facility %q: want add, change or close", ed.Op, id)
}

// scenarioRows are the rows that hold sc's edits, in order.
func scenarioRows(sc *planner.Scenario) []facilityRow {
	rows := make([]facilityRow, 0, len(sc.Added)+len(sc.Changed)+len(sc.Closed))
	for _, f := range sc.Added {
		rows = append(rows, facilityRow{kind: kindAdded, pos: int64(len(rows) + 1), f: f})
	}
	for _, f := range sc.Changed {
		rows = append(rows, facilityRow{kind: kindChanged, pos: int64(len(rows) + 1), f: f})
	}
	for _, id := range sc.Closed {
		rows = append(rows, facilityRow{kind: kindClosed, pos: int64(len(rows) + 1), f: planner.Facility{ID: id}})
	}
	return rows
}

// fillScenario sets sc's edit lists from its rows.
func fillScenario(sc *planner.Scenario, rows []facilityRow) {
	slices.SortStableFunc(rows, func(a, b facilityRow) int { return int(min(max(a.pos-b.pos, -1), 1)) })
	sc.Added, sc.Changed, sc.Closed = []planner.Facility{}, []planner.Facility{}, []string{}
	for _, r := range rows {
		switch r.kind {
		case kindAdded:
			sc.Added = append(sc.Added, r.f)
		case kindChanged:
			sc.Changed = append(sc.Changed, r.f)
		case kindClosed:
			sc.Closed = append(sc.Closed, r.f.ID)
		}
	}
}

// checkFacilityNumbers refuses a facility with a number JSON cannot hold
// (NaN or infinite), which neither store could give back.
func checkFacilityNumbers(f planner.Facility) error {
	for _, v := range []float64{f.Location[0], f.Location[1], f.FloorArea, f.LandArea, f.Beds, f.NursingBeds} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("facility %q has a number JSON cannot hold (NaN or infinite): %v", f.ID, v)
		}
	}
	return nil
}

// encodeFacility is one facility as stored in SQLite, with the API's
// field names.
func encodeFacility(f planner.Facility) (string, error) {
	b, err := json.Marshal(toFacilityJSON(f))
	if err != nil {
		return "", fmt.Errorf("facility %q has a number JSON cannot hold (NaN or infinite): %w", f.ID, err)
	}
	return string(b), nil
}

func decodeFacility(s string) (planner.Facility, error) {
	var w facilityJSON
	if err := json.Unmarshal([]byte(s), &w); err != nil {
		return planner.Facility{}, fmt.Errorf("want a JSON object with a facility's fields: %w", err)
	}
	return w.facility(), nil
}

// scenarioReader groups rows of scenarios joined with their facility
// rows, ordered by scenario, into scenarios; a scenario with a row it
// cannot read goes to the unreadable ones.
type scenarioReader struct {
	out     []*planner.Scenario
	bad     []UnreadableScenario
	cur     *planner.Scenario
	rows    []facilityRow
	problem string
}

// scenario starts sc unless it is the one being read.
func (r *scenarioReader) scenario(sc *planner.Scenario) {
	if r.cur != nil && r.cur.ID == sc.ID {
		return
	}
	r.flush()
	r.cur = sc
}

// row adds a facility row to the current scenario.
func (r *scenarioReader) row(fr facilityRow) {
	switch fr.kind {
	case kindAdded, kindChanged, kindClosed:
		r.rows = append(r.rows, fr)
	default:
		r.fail(fmt.Sprintf("facility %q has kind %q; want added, changed or closed", fr.f.ID, fr.kind))
	}
}

// fail marks the current scenario unreadable; the first problem is kept.
func (r *scenarioReader) fail(problem string) {
	if r.problem == "" {
		r.problem = problem
	}
}

func (r *scenarioReader) flush() {
	if r.cur == nil {
		return
	}
	if r.problem != "" {
		r.bad = append(r.bad, UnreadableScenario{ID: r.cur.ID, Name: r.cur.Name, Version: r.cur.Version, Problem: r.problem})
	} else {
		fillScenario(r.cur, r.rows)
		r.out = append(r.out, r.cur)
	}
	r.cur, r.rows, r.problem = nil, nil, ""
}

// done returns the scenarios read (never nil) and the unreadable ones.
func (r *scenarioReader) done() ([]*planner.Scenario, []UnreadableScenario) {
	r.flush()
	if r.out == nil {
		r.out = []*planner.Scenario{}
	}
	return r.out, r.bad
}
