package data

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/carecircle/carecircle/data/pgtest"
	"github.com/carecircle/carecircle/planner"
	"github.com/jackc/pgx/v5"
)

// pgExec runs statements on the database at u with no store in between.
func pgExec(t *testing.T, u string, stmts ...string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, q := range stmts {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

func TestPostgresStoreRefusesSchemas(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		prepare func(t *testing.T, u string)
		want    string
	}{
		{"newer schema", func(t *testing.T, u string) {
			s := openTestStore(t, u, testCity)
			s.Close()
			pgExec(t, u, "UPDATE carecircle.meta SET schema_version = 7")
		}, fmt.Sprintf("has schema version 7; this CareCircle understands up to %d", len(pgMigrations))},
		{"another program's carecircle schema", func(t *testing.T, u string) {
			pgExec(t, u, "CREATE SCHEMA carecircle", "CREATE TABLE carecircle.accounts (id int)")
		}, "belongs to another program"},
		{"another application in meta", func(t *testing.T, u string) {
			pgExec(t, u, "CREATE SCHEMA carecircle", "CREATE TABLE carecircle.meta (application text, schema_version int)",
				"INSERT INTO carecircle.meta VALUES ('billing', 3)")
		}, `belongs to "billing"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := pgtest.URL(t)
			tc.prepare(t, u)
			s, err := OpenScenarioStore(ctx, u, testCity)
			if err == nil {
				s.Close()
				t.Fatal("the database was accepted")
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), redactURL(u)) {
				t.Errorf("error %q; want it to name the database and say %q", err, tc.want)
			}
		})
	}
	if _, err := OpenScenarioStore(ctx, "postgres://nobody:secret@127.0.0.1:1/x?sslmode=disable&connect_timeout=2", testCity); err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("open of an unreachable server: %v; want an error without the password", err)
	}
}

// TestPostgresStoreMigratesOnce opens one new database from several
// stores at once; each migration step runs once.
func TestPostgresStoreMigratesOnce(t *testing.T) {
	u := pgtest.URL(t)
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			s, err := OpenScenarioStore(context.Background(), u, testCity)
			if err == nil {
				s.Close()
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// pgEditOf is the add edit of the last facility next adds.
func pgEditOf(next *planner.Scenario) planner.Edit {
	return planner.Edit{Op: planner.OpAdd, Facility: next.Added[len(next.Added)-1]}
}

// TestPostgresStoreGeometry: the facilities a scenario touches are
// PostGIS points in SRID 4326 at their exact places, in the view a GIS
// tool opens, a closed one at the place it was closed at.
func TestPostgresStoreGeometry(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, pgtest.URL(t), testCity).(*PostgresStore)
	sc, err := s.Create(ctx, "地图方案", nil)
	if err != nil {
		t.Fatal(err)
	}
	added := testFacility("P-1", 1)
	closed := testFacility("F-9", 9)
	base := []planner.Facility{closed}
	for _, ed := range []planner.Edit{{Op: planner.OpAdd, Facility: added}, {Op: planner.OpClose, Facility: closed}} {
		next, err := sc.With(base, ed)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Save(ctx, next, sc.Version, ed); err != nil {
			t.Fatal(err)
		}
		sc = next
	}
	rows, err := s.pool.Query(ctx, `SELECT facility_id, kind, scenario_name, ST_SRID(geom), ST_X(geom), ST_Y(geom)
		FROM carecircle.scenario_changes WHERE scenario = $1 ORDER BY facility_id DESC`, sc.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var id, kind, name string
		var srid int
		var x, y float64
		if err := rows.Scan(&id, &kind, &name, &srid, &x, &y); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s %s %s %d %v %v", id, kind, name, srid, x, y))
	}
	want := []string{
		fmt.Sprintf("P-1 added 地图方案 4326 %v %v", added.Location[0], added.Location[1]),
		fmt.Sprintf("F-9 closed 地图方案 4326 %v %v", closed.Location[0], closed.Location[1]),
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("view rows %q; want %q", got, want)
	}
}

// TestPostgresStoreMigrations plays a later build with a second schema
// step, as TestScenarioMigrations does for SQLite.
func TestPostgresStoreMigrations(t *testing.T) {
	ctx := context.Background()
	u := pgtest.URL(t)
	s := openTestStore(t, u, testCity)
	if _, err := s.Create(ctx, "迁移前", nil); err != nil {
		t.Fatal(err)
	}
	s.Close()
	orig := pgMigrations
	t.Cleanup(func() { pgMigrations = orig })
	schema := func() (version int, note bool) {
		conn, err := pgx.Connect(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		if err := conn.QueryRow(ctx, `SELECT schema_version, EXISTS (SELECT 1 FROM information_schema.columns
			WHERE table_schema = 'carecircle' AND table_name = 'scenarios' AND column_name = 'note') FROM carecircle.meta`).Scan(&version, &note); err != nil {
			t.Fatal(err)
		}
		return version, note
	}

	pgMigrations = append(slices.Clone(orig), `ALTER TABLE carecircle.scenarios ADD COLUMN note text; SELECT no_such_function();`)
	if _, err := OpenScenarioStore(ctx, u, testCity); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("migration to schema version %d", len(orig)+1)) {
		t.Fatalf("a failing migration: %v; want an error naming the step", err)
	}
	if v, note := schema(); v != len(orig) || note {
		t.Fatalf("after a failed migration: version %d, note column %v; want %d without it", v, note, len(orig))
	}

	pgMigrations = append(slices.Clone(orig), `ALTER TABLE carecircle.scenarios ADD COLUMN note text NOT NULL DEFAULT ''`)
	s, err := OpenScenarioStore(ctx, u, testCity)
	if err != nil {
		t.Fatal(err)
	}
	if list, _, err := s.List(ctx); err != nil || len(list) != 1 {
		t.Errorf("after the migration, List = %d scenarios, %v; want 1", len(list), err)
	}
	s.Close()
	if v, note := schema(); v != len(orig)+1 || !note {
		t.Fatalf("after the migration: version %d, note column %v; want %d with it", v, note, len(orig)+1)
	}

	pgMigrations = orig
	if _, err := OpenScenarioStore(ctx, u, testCity); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("has schema version %d; this CareCircle understands up to %d", len(orig)+1, len(orig))) {
		t.Errorf("older build on a newer schema: %v; want it refused", err)
	}
}
