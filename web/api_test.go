package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/carecircle/carecircle/data"
	"github.com/carecircle/carecircle/planner"
)

var (
	tinyOnce   sync.Once
	tinyBundle *data.Bundle
	tinyModel  *planner.Model
	tinyErr    error
)

// testServer serves the tiny demo city with a fresh scenario store.
func testServer(t *testing.T, token string) (*httptest.Server, data.ScenarioStore) {
	t.Helper()
	_, ts, store := testServerOf(t, token)
	return ts, store
}

// testServerOf is testServer with the Server itself, for tests that look
// inside it.
func testServerOf(t testing.TB, token string) (*Server, *httptest.Server, data.ScenarioStore) {
	t.Helper()
	tinyOnce.Do(func() {
		ctx := context.Background()
		if tinyBundle, tinyErr = data.DemoBundle(ctx, "tiny", 1); tinyErr == nil {
			tinyModel, tinyErr = planner.NewModel(ctx, tinyBundle.City, tinyBundle.Profile, tinyBundle.Index)
		}
	})
	if tinyErr != nil {
		t.Fatal(tinyErr)
	}
	store, err := data.OpenScenarioStore(context.Background(), filepath.Join(t.TempDir(), "s.db"), tinyBundle.City.Name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	srv, err := New(Config{Bundle: tinyBundle, Model: tinyModel, Store: store, Token: token, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	t.Cleanup(func() { srv.Close(context.Background()) })
	return srv, ts, store
}

type reply struct {
	status int
	header http.Header
	body   map[string]any
	raw    []byte
}

func call(t *testing.T, ts *httptest.Server, method, path string, body any, header ...string) reply {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, ts.URL+path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json") // as the web app sends; header may say otherwise
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
		if header[i] == "Host" {
			req.Host = header[i+1] // Go sends the field, not the header
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := reply{status: resp.StatusCode, header: resp.Header, raw: raw}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatalf("%s %s: body is not JSON: %s", method, path, raw)
		}
		r.body, _ = v.(map[string]any)
	}
	return r
}

// errorCode checks r is an API error body with the status and returns its code.
func errorCode(t *testing.T, r reply, status int) string {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.raw)
	}
	e, ok := r.body["error"].(map[string]any)
	if !ok || e["code"] == "" || e["message"] == "" {
		t.Fatalf("no error body: %s", r.raw)
	}
	return e["code"].(string)
}

func num(v any) float64 { f, _ := v.(float64); return f }

// uncoveredSpot finds the place of a community with uncovered elders, by
// way of the assessment, the way a planner looks for one.
func uncoveredSpot(t *testing.T, ts *httptest.Server) (lon, lat float64) {
	t.Helper()
	var best planner.Region
	worst := 0.0
	sum := tinyModel.Baseline().Clone().Summary()
	for i, r := range tinyBundle.City.Regions {
		if r.Level == planner.LevelCommunity && sum.Region(i).EldersUncovered > worst {
			worst, best = sum.Region(i).EldersUncovered, r
		}
	}
	if worst == 0 {
		// Everyone covered: any community will do for an edit.
		best = tinyBundle.City.Regions[len(tinyBundle.City.Regions)-1]
	}
	for _, d := range tinyBundle.City.Demand {
		if tinyBundle.City.Regions[d.Community].Code == best.Code {
			return d.Location[0], d.Location[1]
		}
	}
	t.Fatal("no demand point")
	return 0, 0
}

func TestCityAndHealth(t *testing.T) {
	ts, _ := testServer(t, "")
	if r := call(t, ts, "GET", "/healthz", nil); r.status != 200 || r.body["status"] != "ok" {
		t.Fatalf("healthz: %d %s", r.status, r.raw)
	}
	r := call(t, ts, "GET", "/api/v1/city", nil)
	// The demo's display name: no "(synthetic tiny, seed 1)"; synthetic
	// says it instead.
	if r.status != 200 || r.body["name"] != data.DisplayName(tinyBundle.City.Name) || r.body["synthetic"] != true {
		t.Fatalf("city: %d %s", r.status, r.raw)
	}
	for _, k := range []string{"bbox", "center", "profile", "layers", "facility_types", "facility_statuses", "regions"} {
		if _, ok := r.body[k]; !ok {
			t.Errorf("city lacks %q", k)
		}
	}
	if c := errorCode(t, call(t, ts, "GET", "/api/v1/nope", nil), 404); c != "not_found" {
		t.Fatalf("unknown endpoint: %s", c)
	}
}

func TestScenarioLifecycle(t *testing.T) {
	ts, _ := testServer(t, "")
	r := call(t, ts, "POST", "/api/v1/scenarios", map[string]any{"name": "新增站点方案"})
	if r.status != 201 || r.body["id"] == nil || num(r.body["version"]) != 1 {
		t.Fatalf("create: %d %s", r.status, r.raw)
	}
	id := r.body["id"].(string)
	list := call(t, ts, "GET", "/api/v1/scenarios", nil)
	var briefs []map[string]any
	json.Unmarshal(list.raw, &briefs)
	if len(briefs) != 2 || briefs[0]["id"] != BaselineID || briefs[1]["id"] != id {
		t.Fatalf("list: %s", list.raw)
	}
	lon, lat := uncoveredSpot(t, ts)
	before := call(t, ts, "GET", "/api/v1/scenarios/"+id+"/summary", nil)
	covBefore := num(before.body["city"].(map[string]any)["elders_covered_15min"])

	add := call(t, ts, "POST", "/api/v1/scenarios/"+id+"/facilities",
		map[string]any{"name": "拟建站", "type": "社区养老服务站", "lon": lon, "lat": lat, "floor_area_m2": 300, "beds": 12},
		"If-Match", `"1"`)
	if add.status != 201 || num(add.body["version"]) != 2 {
		t.Fatalf("add: %d %s", add.status, add.raw)
	}
	f := add.body["facility"].(map[string]any)
	fid := f["id"].(string)
	if f["type"] != "community_station" || f["status"] != "proposed" {
		t.Fatalf("added facility: %v", f)
	}
	if code, _ := f["community_code"].(string); !slices.ContainsFunc(tinyBundle.City.Regions, func(r planner.Region) bool {
		return r.Code == code && r.Level == planner.LevelCommunity
	}) {
		t.Fatalf("added facility's community_code %q is not a community of the city", code)
	}
	delta := add.body["delta"].(map[string]any)
	cov := delta["elders_covered_15min"].(map[string]any)
	if num(cov["before"]) != covBefore || num(cov["after"]) < num(cov["before"]) {
		t.Fatalf("delta: %v (summary before: %v)", cov, covBefore)
	}
	if _, ok := delta["coverage_15min"]; !ok || delta["regions"] == nil || delta["bbox"] == nil {
		t.Fatalf("delta lacks fields: %v", delta)
	}
	if add.header.Get("ETag") != `"2"` {
		t.Fatalf("ETag %q", add.header.Get("ETag"))
	}

	// Stale version: 409 and nothing changes.
	stale := call(t, ts, "PATCH", "/api/v1/scenarios/"+id+"/facilities/"+fid, map[string]any{"beds": 20}, "If-Match", `"1"`)
	if errorCode(t, stale, 409) != "version_conflict" {
		t.Fatal("stale edit not refused")
	}
	// Move it and resize it.
	moved := call(t, ts, "PATCH", "/api/v1/scenarios/"+id+"/facilities/"+fid, map[string]any{"lon": lon + 0.0005, "floor_area_m2": 500}, "If-Match", "2")
	if moved.status != 200 || num(moved.body["version"]) != 3 || num(moved.body["facility"].(map[string]any)["floor_area_m2"]) != 500 {
		t.Fatalf("move: %d %s", moved.status, moved.raw)
	}
	// Close a baseline facility inside the scenario.
	baseID := tinyBundle.City.Facilities[0].ID
	closed := call(t, ts, "DELETE", "/api/v1/scenarios/"+id+"/facilities/"+baseID, nil)
	if closed.status != 200 || num(closed.body["version"]) != 4 {
		t.Fatalf("close: %d %s", closed.status, closed.raw)
	}
	got := call(t, ts, "GET", "/api/v1/scenarios/"+id, nil)
	if num(got.body["version"]) != 4 || len(got.body["added"].([]any)) != 1 || len(got.body["closed"].([]any)) != 1 {
		t.Fatalf("scenario: %s", got.raw)
	}
	// The baseline did not change.
	base := call(t, ts, "GET", "/api/v1/scenarios/baseline/summary", nil)
	if num(base.body["city"].(map[string]any)["elders_covered_15min"]) != covBefore {
		t.Fatal("an edit leaked into the baseline")
	}
	// Facility inspector, assessment, compare.
	insp := call(t, ts, "GET", "/api/v1/scenarios/"+id+"/facilities/"+fid, nil)
	if insp.status != 200 || insp.body["service_area"].(map[string]any)["type"] != "Feature" {
		t.Fatalf("inspector: %d %s", insp.status, insp.raw[:min(300, len(insp.raw))])
	}
	a := call(t, ts, "GET", "/api/v1/scenarios/"+id+"/assessment", nil)
	if a.status != 200 || a.body["gaps"] == nil || a.body["regions"] == nil || a.body["profile"] == nil {
		t.Fatalf("assessment: %d", a.status)
	}
	cmp := call(t, ts, "GET", "/api/v1/scenarios/"+id+"/compare?with=baseline", nil)
	if cmp.status != 200 || cmp.body["coverage_15min"] == nil {
		t.Fatalf("compare: %d %s", cmp.status, cmp.raw)
	}
	// Rename, duplicate, delete.
	ren := call(t, ts, "PATCH", "/api/v1/scenarios/"+id, map[string]any{"name": "方案二"})
	if ren.status != 200 || ren.body["name"] != "方案二" || num(ren.body["version"]) != 5 {
		t.Fatalf("rename: %d %s", ren.status, ren.raw)
	}
	dup := call(t, ts, "POST", "/api/v1/scenarios", map[string]any{"name": "副本", "from": id})
	if dup.status != 201 {
		t.Fatalf("duplicate: %d %s", dup.status, dup.raw)
	}
	dupGot := call(t, ts, "GET", "/api/v1/scenarios/"+dup.body["id"].(string), nil)
	if len(dupGot.body["added"].([]any)) != 1 || len(dupGot.body["closed"].([]any)) != 1 {
		t.Fatalf("duplicate lacks the edits: %s", dupGot.raw)
	}
	if del := call(t, ts, "DELETE", "/api/v1/scenarios/"+id, nil); del.status != 204 {
		t.Fatalf("delete: %d %s", del.status, del.raw)
	}
	errorCode(t, call(t, ts, "GET", "/api/v1/scenarios/"+id, nil), 404)
}

func TestBadInputChangesNothing(t *testing.T) {
	ts, _ := testServer(t, "")
	id := call(t, ts, "POST", "/api/v1/scenarios", map[string]any{"name": "s"}).body["id"].(string)
	lon, lat := uncoveredSpot(t, ts)
	path := "/api/v1/scenarios/" + id + "/facilities"
	for _, tc := range []struct {
		name   string
		method string
		path   string
		body   any
		status int
	}{
		{"bad JSON", "POST", path, `{"type": "community_station", "lon": `, 400},
		{"not an object", "POST", path, `[1,2]`, 400},
		{"empty body", "POST", path, ``, 400},
		{"unknown field", "POST", path, map[string]any{"type": "community_station", "lon": lon, "lat": lat, "colour": "red"}, 400},
		{"missing type", "POST", path, map[string]any{"lon": lon, "lat": lat}, 400},
		{"missing lat", "POST", path, map[string]any{"type": "community_station", "lon": lon}, 400},
		{"lon as text", "POST", path, map[string]any{"type": "community_station", "lon": "106.5", "lat": lat}, 400},
		{"unknown type", "POST", path, map[string]any{"type": "spa", "lon": lon, "lat": lat}, 422},
		{"negative area", "POST", path, map[string]any{"type": "community_station", "lon": lon, "lat": lat, "floor_area_m2": -5}, 422},
		{"beds 1e308", "POST", path, map[string]any{"type": "community_station", "lon": lon, "lat": lat, "beds": 1e308}, 422},
		{"floor area 1.797e308", "POST", path, map[string]any{"type": "community_station", "lon": lon, "lat": lat, "floor_area_m2": 1.797e308}, 422},
		{"outside the city", "POST", path, map[string]any{"type": "community_station", "lon": 116.4, "lat": 39.9}, 422},
		{"lon/lat swapped", "POST", path, map[string]any{"type": "community_station", "lon": lat, "lat": lon}, 422},
		{"oversized body", "POST", path, `{"name":"` + strings.Repeat("x", maxBody+10) + `"}`, 413},
		{"unknown scenario", "POST", "/api/v1/scenarios/s-nope/facilities", map[string]any{"type": "community_station", "lon": lon, "lat": lat}, 404},
		{"edit the baseline", "POST", "/api/v1/scenarios/baseline/facilities", map[string]any{"type": "community_station", "lon": lon, "lat": lat}, 403},
		{"bad If-Match", "POST", path, map[string]any{"type": "community_station", "lon": lon, "lat": lat}, 400},
		{"unknown facility", "PATCH", path + "/nope", map[string]any{"beds": 3}, 404},
		{"close unknown facility", "DELETE", path + "/nope", nil, 404},
		{"scenario without name", "POST", "/api/v1/scenarios", map[string]any{"name": "  "}, 400},
		{"isochrone minutes", "POST", "/api/v1/isochrone", map[string]any{"lon": lon, "lat": lat, "minutes": 0}, 422},
		{"isochrone outside", "POST", "/api/v1/isochrone", map[string]any{"lon": 0, "lat": 0}, 422},
		{"nearest without lat", "GET", fmt.Sprintf("/api/v1/nearest?lon=%f", lon), nil, 400},
		{"nearest bad limit", "GET", fmt.Sprintf("/api/v1/nearest?lon=%f&lat=%f&limit=0", lon, lat), nil, 400},
		{"nearest bad type", "GET", fmt.Sprintf("/api/v1/nearest?lon=%f&lat=%f&type=spa", lon, lat), nil, 422},
		{"bad tile", "GET", "/tiles/communities/3/99/1.mvt", nil, 400},
		{"unknown tile layer", "GET", "/tiles/nope/1/0/0.mvt", nil, 404},
		{"wrong method", "PUT", "/api/v1/scenarios", nil, 405},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hdr []string
			if tc.name == "bad If-Match" {
				hdr = []string{"If-Match", "yesterday"}
			}
			errorCode(t, call(t, ts, tc.method, tc.path, tc.body, hdr...), tc.status)
		})
	}
	got := call(t, ts, "GET", "/api/v1/scenarios/"+id, nil)
	if num(got.body["version"]) != 1 || len(got.body["added"].([]any)) != 0 {
		t.Fatalf("bad requests changed the scenario: %s", got.raw)
	}
}

func TestWalkingQuestions(t *testing.T) {
	ts, _ := testServer(t, "")
	lon, lat := uncoveredSpot(t, ts)
	iso := call(t, ts, "POST", "/api/v1/isochrone", map[string]any{"lon": lon, "lat": lat, "minutes": 10})
	if iso.status != 200 || iso.body["type"] != "Feature" || num(iso.body["properties"].(map[string]any)["reachable_nodes"]) == 0 {
		t.Fatalf("isochrone: %d %s", iso.status, iso.raw[:min(200, len(iso.raw))])
	}
	near := call(t, ts, "GET", fmt.Sprintf("/api/v1/nearest?lon=%f&lat=%f&limit=3&type=community_station", lon, lat), nil)
	res, _ := near.body["results"].([]any)
	if near.status != 200 || len(res) == 0 || len(res) > 3 {
		t.Fatalf("nearest: %d %s", near.status, near.raw)
	}
	prev := -1.0
	for _, x := range res {
		m := num(x.(map[string]any)["minutes"])
		if m < prev || x.(map[string]any)["facility"].(map[string]any)["type"] != "community_station" {
			t.Fatalf("nearest not sorted or wrong type: %s", near.raw)
		}
		prev = m
	}
}

func TestWritesNeedTheToken(t *testing.T) {
	ts, _ := testServer(t, "s3cret")
	errorCode(t, call(t, ts, "POST", "/api/v1/scenarios", map[string]any{"name": "x"}), 401)
	errorCode(t, call(t, ts, "POST", "/api/v1/scenarios", map[string]any{"name": "x"}, "Authorization", "Bearer wrong"), 401)
	if r := call(t, ts, "POST", "/api/v1/scenarios", map[string]any{"name": "x"}, "Authorization", "Bearer s3cret"); r.status != 201 {
		t.Fatalf("with the token: %d %s", r.status, r.raw)
	}
	errorCode(t, call(t, ts, "GET", "/api/v1/scenarios", nil), 401) // reads too: TestReadsNeedTheToken
}
