package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/carecircle/carecircle/data/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// send makes one request with a JSON body and headers (name, value…)
// and returns the status and the decoded answer.
func send(t *testing.T, method, url string, body any, header ...string) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		j, _ := json.Marshal(body)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, url, rd)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v map[string]any
	raw, _ := io.ReadAll(resp.Body)
	json.Unmarshal(raw, &v)
	return resp.StatusCode, v
}

// TestServeReplicas runs two serve processes on one scenario database, a
// SQLite file and a PostgreSQL database: an edit on A is seen on B at
// once, B's edit with the version it read succeeds and A sees it, and A
// killed with SIGKILL and started again loses nothing.
func TestServeReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server binary")
	}
	bin := buildBinary(t)
	for _, kind := range []struct {
		name string
		db   func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "scenarios.db") }},
		{"postgres", func(t *testing.T) string { return pgtest.URL(t) }},
	} {
		t.Run(kind.name, func(t *testing.T) {
			db := kind.db(t)
			cmdA, a := startServer(t, bin, "--demo", "tiny", "--db", db)
			_, b := startServer(t, bin, "--demo", "tiny", "--db", db)

			_, city := send(t, "GET", a+"/api/v1/city", nil)
			c := city["center"].([]any)
			_, sc := send(t, "POST", a+"/api/v1/scenarios", map[string]any{"name": "两个副本"})
			id := sc["id"].(string)
			base := "/api/v1/scenarios/" + id
			version := func(url string) (int64, map[string]any) {
				t.Helper()
				status, got := send(t, "GET", url+base, nil)
				if status != 200 {
					t.Fatalf("GET %s%s: %d %v", url, base, status, got)
				}
				return int64(got["version"].(float64)), got
			}
			if _, got := send(t, "GET", b+base+"/summary", nil); got["version"] != 1.0 {
				t.Fatalf("B's summary of the new scenario: %v", got) // B now holds version 1 with its evaluation
			}

			status, added := send(t, "POST", a+base+"/facilities",
				map[string]any{"type": "community_station", "lon": c[0], "lat": c[1], "floor_area_m2": 250, "beds": 10}, "If-Match", `"1"`)
			if status != 201 {
				t.Fatalf("A adds: %d %v", status, added)
			}
			fid := added["facility"].(map[string]any)["id"].(string)
			if v, got := version(b); v != 2 || len(got["added"].([]any)) != 1 {
				t.Fatalf("B right after A's edit: version %d, %v; want version 2 with the facility", v, got["added"])
			}
			_, sumA := send(t, "GET", a+base+"/summary", nil)
			_, sumB := send(t, "GET", b+base+"/summary", nil)
			if ja, jb := mustJSON(sumA["city"]), mustJSON(sumB["city"]); ja != jb {
				t.Errorf("city indicators differ: A %s, B %s", ja, jb)
			}

			status, changed := send(t, "PATCH", b+base+"/facilities/"+fid, map[string]any{"beds": 40}, "If-Match", `"2"`)
			if status != 200 || changed["version"] != 3.0 {
				t.Fatalf("B edits on version 2: %d %v", status, changed)
			}
			if v, _ := version(a); v != 3 {
				t.Fatalf("A after B's edit: version %d; want 3", v)
			}
			status, closed := send(t, "DELETE", a+base+"/facilities/"+fid, nil, "If-Match", `"3"`)
			if status != 200 {
				t.Fatalf("A edits on version 3: %d %v", status, closed)
			}

			// A acknowledged version 4; killed, it must find it again, as must B.
			if err := cmdA.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			cmdA.Wait()
			if v, got := version(b); v != 4 || len(got["added"].([]any)) != 0 {
				t.Fatalf("B after A was killed: version %d, added %v; want version 4 with none", v, got["added"])
			}
			_, a = startServer(t, bin, "--demo", "tiny", "--db", db)
			if v, got := version(a); v != 4 || len(got["added"].([]any)) != 0 {
				t.Fatalf("A restarted: version %d, added %v; want version 4 with none", v, got["added"])
			}
			status, more := send(t, "POST", a+base+"/facilities",
				map[string]any{"type": "community_station", "lon": c[0], "lat": c[1], "floor_area_m2": 260}, "If-Match", `"4"`)
			if status != 201 {
				t.Fatalf("restarted A edits: %d %v", status, more)
			}
			if v, _ := version(b); v != 5 {
				t.Fatalf("B after the restarted A's edit: version %d; want 5", v)
			}

			// The command line reads the same database, by --db or CARECIRCLE_DB.
			t.Setenv("CARECIRCLE_DB", db)
			out := filepath.Join(t.TempDir(), "plan.json")
			if _, err := run(t, "report", "--demo", "tiny", "--scenario", id, "--format", "json", "--out", out); err != nil {
				t.Fatalf("report of the scenario from CARECIRCLE_DB: %v", err)
			}
		})
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
