package web

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/carecircle/carecircle/data"
	"github.com/carecircle/carecircle/data/pgtest"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// replica serves the tiny demo city on the scenario database db, as one
// of several serve processes on one database would.
func replica(t *testing.T, db string) *httptest.Server {
	_, ts := replicaOf(t, db)
	return ts
}

// replicaOf is replica with the Server itself, for tests that look inside.
func replicaOf(t *testing.T, db string) (*Server, *httptest.Server) {
	t.Helper()
	testServerOf(t, "") // loads the tiny city once
	store, err := data.OpenScenarioStore(context.Background(), db, tinyBundle.City.Name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	srv, err := New(Config{Bundle: tinyBundle, Model: tinyModel, Store: store, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	t.Cleanup(func() { srv.Close(context.Background()) })
	return srv, ts
}

// cachedVersion is the version of scenario id srv holds in memory, 0 when
// it holds none.
func cachedVersion(srv *Server, id string) int64 {
	srv.mu.Lock()
	st := srv.scenarios[id]
	srv.mu.Unlock()
	if st == nil {
		return 0
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.sc.Version
}

// waitUntil polls cond for up to 10 s.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("after 10 s: %s", what)
		}
	}
}

// TestReplicasAgree runs two servers on one database (two processes'
// worth of caches): each sees the other's edits and deletes on its next
// request, with evaluations and tiles rebuilt, and says when an
// optimiser run belongs to the other.
func TestReplicasAgree(t *testing.T) {
	for _, kind := range []struct {
		name string
		db   func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "scenarios.db") }},
		{"postgres", func(t *testing.T) string { return pgtest.URL(t) }},
	} {
		t.Run(kind.name, func(t *testing.T) {
			db := kind.db(t)
			a := replica(t, db)
			bSrv, b := replicaOf(t, db)
			r := call(t, a, "POST", "/api/v1/scenarios", map[string]any{"name": "两地协同"})
			if r.status != 201 {
				t.Fatalf("create on A: %d %s", r.status, r.raw)
			}
			id := r.body["id"].(string)
			base := "/api/v1/scenarios/" + id
			lon, lat := uncoveredSpot(t, a)
			tile := maptile.At(orb.Point{lon, lat}, 14)
			tilePath := func(layer string) string {
				return fmt.Sprintf("/tiles/%s/%d/%d/%d.mvt?scenario=%s", layer, tile.Z, tile.X, tile.Y, id)
			}
			layers := []string{"facilities", "communities", "demand"}
			for _, l := range layers { // B caches the tiles of version 1
				if r := call(t, b, "GET", tilePath(l), nil); r.status != 200 {
					t.Fatalf("tile on B: %d %s", r.status, r.raw)
				}
			}
			summary := func(ts *httptest.Server) string {
				r := call(t, ts, "GET", base+"/summary", nil)
				if r.status != 200 {
					t.Fatalf("summary: %d %s", r.status, r.raw)
				}
				out, _ := json.Marshal(r.body)
				return string(out)
			}
			before := summary(b)

			add := call(t, a, "POST", base+"/facilities",
				map[string]any{"name": "拟建站", "type": "社区养老服务站", "lon": lon, "lat": lat, "floor_area_m2": 300, "beds": 12}, "If-Match", `"1"`)
			if add.status != 201 {
				t.Fatalf("add on A: %d %s", add.status, add.raw)
			}
			// Told of the edit, B drops its version 1 before anyone asks.
			waitUntil(t, "B still holds version 1 after A's edit", func() bool { return cachedVersion(bSrv, id) != 1 })
			if g := call(t, b, "GET", base, nil); num(g.body["version"]) != 2 || len(g.body["added"].([]any)) != 1 {
				t.Fatalf("B after A's edit: %s; want version 2 with the added facility", g.raw)
			}
			afterA := summary(a)
			if got := summary(b); got != afterA || got == before {
				t.Errorf("B's summary after A's edit:\n%s\nwant A's:\n%s", got, afterA)
			}

			// B edits with the version it read; A sees it.
			fid := add.body["facility"].(map[string]any)["id"].(string)
			ch := call(t, b, "PATCH", base+"/facilities/"+fid, map[string]any{"beds": 30}, "If-Match", `"2"`)
			if ch.status != 200 || num(ch.body["version"]) != 3 {
				t.Fatalf("B's edit on version 2: %d %s", ch.status, ch.raw)
			}
			if g := call(t, a, "GET", base+"/facilities/"+fid, nil); g.status != 200 || num(g.body["facility"].(map[string]any)["beds"]) != 30 {
				t.Fatalf("A after B's edit: %d %v; want beds 30", g.status, g.body["facility"])
			}
			if g := call(t, a, "GET", base, nil); num(g.body["version"]) != 3 {
				t.Fatalf("A's version after B's edit: %s", g.raw)
			}
			stale := call(t, a, "PATCH", base+"/facilities/"+fid, map[string]any{"beds": 40}, "If-Match", `"2"`)
			errorCode(t, stale, 409)

			// Tiles: each replica's equal a fresh third replica's.
			c := replica(t, db)
			for _, l := range layers {
				want := call(t, c, "GET", tilePath(l), nil)
				for name, ts := range map[string]*httptest.Server{"A": a, "B": b} {
					if got := call(t, ts, "GET", tilePath(l), nil); got.status != 200 || !bytes.Equal(got.raw, want.raw) {
						t.Errorf("%s tile on %s (%d, %d bytes) differs from a fresh replica's (%d bytes)", l, name, got.status, len(got.raw), len(want.raw))
					}
				}
			}

			// A run lives on the replica that started it.
			run := call(t, a, "POST", base+"/optimize?wait=30", map[string]any{"sites": 1})
			if run.status != 201 {
				t.Fatalf("optimise on A: %d %s", run.status, run.raw)
			}
			other := call(t, b, "GET", run.header.Get("Location"), nil)
			errorCode(t, other, 404)
			if msg := other.body["error"].(map[string]any)["message"].(string); !strings.Contains(msg, "replica") {
				t.Errorf("B on A's run: %q; want it to say the run belongs to another replica", msg)
			}

			// A deletes; B forgets it at once.
			if d := call(t, a, "DELETE", base, nil); d.status != 204 {
				t.Fatalf("delete on A: %d %s", d.status, d.raw)
			}
			waitUntil(t, "B still holds the deleted scenario", func() bool { return cachedVersion(bSrv, id) == 0 })
			errorCode(t, call(t, b, "GET", base+"/summary", nil), 404)
			errorCode(t, call(t, b, "GET", tilePath("facilities"), nil), 404)
			list := call(t, b, "GET", "/api/v1/scenarios", nil)
			if strings.Contains(string(list.raw), id) {
				t.Errorf("B lists the deleted scenario: %s", list.raw)
			}
		})
	}
}

// TestListShowsUnreadableScenario: one damaged row does not hide the
// other scenarios; it is listed with what is wrong.
func TestListShowsUnreadableScenario(t *testing.T) {
	db := filepath.Join(t.TempDir(), "scenarios.db")
	ts := replica(t, db)
	var ids []string
	for _, name := range []string{"好方案", "坏方案"} {
		r := call(t, ts, "POST", "/api/v1/scenarios", map[string]any{"name": name})
		ids = append(ids, r.body["id"].(string))
		lon, lat := uncoveredSpot(t, ts)
		if a := call(t, ts, "POST", "/api/v1/scenarios/"+ids[len(ids)-1]+"/facilities",
			map[string]any{"name": "拟建站", "type": "社区养老服务站", "lon": lon, "lat": lat, "floor_area_m2": 300}); a.status != 201 {
			t.Fatalf("add: %d %s", a.status, a.raw)
		}
	}
	raw, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1)
	for _, q := range []string{"PRAGMA busy_timeout = 5000", "PRAGMA ignore_check_constraints = 1",
		"UPDATE scenario_facilities SET facility = '{\"id\": 1' WHERE scenario = '" + ids[1] + "'"} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	list := call(t, ts, "GET", "/api/v1/scenarios", nil)
	if list.status != 200 {
		t.Fatalf("list with a damaged row: %d %s", list.status, list.raw)
	}
	var briefs []scenarioBrief
	if err := json.Unmarshal(list.raw, &briefs); err != nil {
		t.Fatal(err)
	}
	if len(briefs) != 3 || briefs[1].ID != ids[0] || briefs[1].Unreadable != "" || briefs[1].Added != 1 ||
		briefs[2].ID != ids[1] || briefs[2].Name != "坏方案" || briefs[2].Unreadable == "" {
		t.Errorf("list: %s; want the good scenario and the bad one marked unreadable", list.raw)
	}
}
