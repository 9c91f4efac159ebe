package web

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/carecircle/carecircle/planner"
	"github.com/carecircle/carecircle/planner/siting"
)

// gappedScenario makes a scenario with the first n facilities of the
// tiny city that count towards the service circle closed, so there are
// elders for new sites to cover.
func gappedScenario(t *testing.T, ts *httptest.Server, n int) string {
	t.Helper()
	r := call(t, ts, "POST", "/api/v1/scenarios", map[string]any{"name": "关站后选址"})
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.raw)
	}
	id := r.body["id"].(string)
	for _, f := range tinyBundle.City.Facilities {
		if n == 0 {
			break
		}
		if planner.HasType(tinyBundle.Profile.ServiceCircle.FacilityTypes, f.Type) {
			if c := call(t, ts, "DELETE", "/api/v1/scenarios/"+id+"/facilities/"+f.ID, nil); c.status != 200 {
				t.Fatalf("close %s: %d %s", f.ID, c.status, c.raw)
			}
			n--
		}
	}
	return id
}

// runResult decodes a run body's result.
func runResult(t *testing.T, r reply) siting.OptimizeResult {
	t.Helper()
	var body struct {
		Status string                 `json:"status"`
		Result *siting.OptimizeResult `json:"result"`
	}
	if err := json.Unmarshal(r.raw, &body); err != nil || body.Status != runDone || body.Result == nil {
		t.Fatalf("run not done with a result: %s", r.raw)
	}
	return *body.Result
}

func coveredElders(t *testing.T, ts *httptest.Server, id string) float64 {
	t.Helper()
	s := call(t, ts, "GET", "/api/v1/scenarios/"+id+"/summary", nil)
	return num(s.body["city"].(map[string]any)["elders_covered_15min"])
}

// TestOptimizeAcceptOneByOne runs the optimiser on a scenario and accepts
// its suggestions in order: each accept must raise the elders covered by
// exactly the gain the run reported for that site.
func TestOptimizeAcceptOneByOne(t *testing.T) {
	ts, _ := testServer(t, "")
	id := gappedScenario(t, ts, 4)
	run := call(t, ts, "POST", "/api/v1/scenarios/"+id+"/optimize?wait=30", map[string]any{"sites": 3})
	if run.status != 201 || !strings.HasPrefix(run.header.Get("Location"), "/api/v1/scenarios/"+id+"/optimize/opt-") {
		t.Fatalf("start: %d %s %s", run.status, run.header.Get("Location"), run.raw)
	}
	res := runResult(t, run)
	if len(res.Sites) < 2 {
		t.Fatalf("want at least 2 suggestions on a city with 4 stations closed: %s", run.raw)
	}
	if num(run.body["scenario_version"]) != 5 {
		t.Fatalf("scenario_version %v, want 5 (created, 4 closed)", run.body["scenario_version"])
	}
	runURL := run.header.Get("Location")
	// GET shows the same run.
	if got := runResult(t, call(t, ts, "GET", runURL, nil)); !equalJSON(got, res) {
		t.Fatal("GET of the run differs from the POST's answer")
	}
	covered := coveredElders(t, ts, id)
	if math.Abs(covered-res.CoveredBefore) > 1e-6 {
		t.Fatalf("run's elders covered before %.6f, scenario's %.6f", res.CoveredBefore, covered)
	}
	version := 5
	for i, site := range res.Sites {
		acc := call(t, ts, "POST", runURL+"/accept", map[string]any{"sites": []string{site.ID}})
		version++
		if acc.status != 200 || int(num(acc.body["version"])) != version {
			t.Fatalf("accept site %d: %d %s", i+1, acc.status, acc.raw)
		}
		ch := acc.body["delta"].(map[string]any)["elders_covered_15min"].(map[string]any)
		if math.Abs(num(ch["change"])-site.GainElders) > 1e-6 {
			t.Errorf("site %d (%s): delta elders_covered_15min %+.6f, reported gain_elders %.6f", i+1, site.ID, num(ch["change"]), site.GainElders)
		}
		now := coveredElders(t, ts, id)
		if math.Abs(now-covered-site.GainElders) > 1e-6 {
			t.Errorf("site %d: summary rose by %.6f, reported %.6f", i+1, now-covered, site.GainElders)
		}
		covered = now
		f := acc.body["facilities"].([]any)[0].(map[string]any)
		if f["id"] != site.ID || f["status"] != "proposed" || f["type"] != string(site.Type) || num(f["floor_area_m2"]) != site.FloorArea {
			t.Errorf("accepted facility %v, suggestion %+v", f, site)
		}
		dec := acc.body["run"].(map[string]any)["decisions"].(map[string]any)[site.ID].(map[string]any)
		if dec["decision"] != siteAccepted || dec["facility_id"] != site.ID {
			t.Errorf("decision %v", dec)
		}
	}
	if math.Abs(covered-(res.CoveredBefore+res.TotalGain)) > 1e-6 {
		t.Errorf("covered %.6f after all, want before + total gain %.6f", covered, res.CoveredBefore+res.TotalGain)
	}
	sc := call(t, ts, "GET", "/api/v1/scenarios/"+id, nil)
	if len(sc.body["added"].([]any)) != len(res.Sites) {
		t.Errorf("scenario has %d added facilities, want %d", len(sc.body["added"].([]any)), len(res.Sites))
	}
	// Accepting twice or rejecting an accepted site is refused.
	if c := errorCode(t, call(t, ts, "POST", runURL+"/accept", map[string]any{"sites": []string{res.Sites[0].ID}}), 422); c != "unprocessable" {
		t.Errorf("second accept: %s", c)
	}
	errorCode(t, call(t, ts, "POST", runURL+"/reject", map[string]any{"sites": []string{res.Sites[0].ID}}), 422)
}

// TestOptimizeAcceptAllAndConflicts accepts several suggestions in one
// edit, rejects one, and checks a run on a version since edited cannot be
// accepted.
func TestOptimizeAcceptAllAndConflicts(t *testing.T) {
	ts, _ := testServer(t, "")
	id := gappedScenario(t, ts, 8)
	run := call(t, ts, "POST", "/api/v1/scenarios/"+id+"/optimize?wait=30", map[string]any{"sites": 10})
	res := runResult(t, run)
	if len(res.Sites) < 4 {
		t.Fatalf("want at least 4 suggestions with every station and centre closed: %s", run.raw)
	}
	runURL := run.header.Get("Location")

	// Reject the last, then accept the first two together: one saved edit.
	rej := call(t, ts, "POST", runURL+"/reject", map[string]any{"sites": []string{res.Sites[2].ID}})
	if rej.status != 200 || rej.body["decisions"].(map[string]any)[res.Sites[2].ID].(map[string]any)["decision"] != siteRejected {
		t.Fatalf("reject: %d %s", rej.status, rej.raw)
	}
	before := coveredElders(t, ts, id)
	acc := call(t, ts, "POST", runURL+"/accept", map[string]any{"sites": []string{res.Sites[1].ID, res.Sites[0].ID}})
	if acc.status != 200 || num(acc.body["version"]) != 10 || len(acc.body["facilities"].([]any)) != 2 {
		t.Fatalf("accept two: %d %s", acc.status, acc.raw)
	}
	if got, want := coveredElders(t, ts, id)-before, res.Sites[0].GainElders+res.Sites[1].GainElders; math.Abs(got-want) > 1e-6 {
		t.Errorf("two sites raised coverage by %.6f, reported %.6f", got, want)
	}
	// A rejected site can still be accepted.
	if acc := call(t, ts, "POST", runURL+"/accept", map[string]any{"sites": []string{res.Sites[2].ID}}); acc.status != 200 {
		t.Fatalf("accept after reject: %d %s", acc.status, acc.raw)
	}

	// A second run, then an edit by hand: the run's gains no longer hold.
	run2 := call(t, ts, "POST", "/api/v1/scenarios/"+id+"/optimize?wait=30", map[string]any{"sites": 1})
	res2 := runResult(t, run2)
	lon, lat := res2.Sites[0].Lon, res2.Sites[0].Lat
	if add := call(t, ts, "POST", "/api/v1/scenarios/"+id+"/facilities", map[string]any{"type": "community_station", "lon": lon, "lat": lat}); add.status != 201 {
		t.Fatalf("add: %d %s", add.status, add.raw)
	}
	stale := call(t, ts, "POST", run2.header.Get("Location")+"/accept", map[string]any{"sites": []string{res2.Sites[0].ID}})
	if errorCode(t, stale, 409) != "version_conflict" || !strings.Contains(stale.body["error"].(map[string]any)["message"].(string), "run the optimiser again") {
		t.Fatalf("stale accept: %s", stale.raw)
	}
	// The first run's accepts no longer follow on either.
	errorCode(t, call(t, ts, "POST", runURL+"/accept", map[string]any{"sites": []string{res.Sites[3].ID}}), 409)

	// Bad selections.
	errorCode(t, call(t, ts, "POST", runURL+"/accept", map[string]any{"sites": []string{}}), 400)
	errorCode(t, call(t, ts, "POST", runURL+"/accept", map[string]any{"sites": []string{"nope"}}), 422)
	errorCode(t, call(t, ts, "POST", runURL+"/accept", `{"site": ["x"]}`), 400)
}

func TestOptimizeOnTheBaseline(t *testing.T) {
	ts, _ := testServer(t, "")
	run := call(t, ts, "POST", "/api/v1/scenarios/baseline/optimize?wait=30", map[string]any{"problem": "rule_aware"})
	res := runResult(t, run)
	if res.Problem != siting.ProblemRuleAware {
		t.Fatalf("problem %s", res.Problem)
	}
	if len(res.Sites) > 0 {
		acc := call(t, ts, "POST", run.header.Get("Location")+"/accept", map[string]any{"sites": []string{res.Sites[0].ID}})
		if errorCode(t, acc, 403) != "read_only" {
			t.Fatal("accept into the baseline")
		}
	}
	// Suggestions download as GeoJSON, one feature a site, in order.
	g := call(t, ts, "GET", run.header.Get("Location")+"/sites.geojson", nil)
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Properties map[string]any `json:"properties"`
		} `json:"features"`
		Bound *float64 `json:"bound"`
	}
	if err := json.Unmarshal(g.raw, &fc); err != nil || g.status != 200 || fc.Type != "FeatureCollection" || len(fc.Features) != len(res.Sites) || fc.Bound == nil {
		t.Fatalf("geojson: %d %v %s", g.status, err, g.raw[:min(200, len(g.raw))])
	}
	if !strings.HasPrefix(g.header.Get("Content-Type"), "application/geo+json") || !strings.Contains(g.header.Get("Content-Disposition"), ".geojson") {
		t.Errorf("headers %v", g.header)
	}
	for i, f := range fc.Features {
		if num(f.Properties["order"]) != float64(i+1) || f.Properties["id"] != res.Sites[i].ID {
			t.Errorf("feature %d: %v", i, f.Properties)
		}
	}
	k := call(t, ts, "GET", run.header.Get("Location")+"/sites.kml", nil)
	if k.status != 200 || !strings.HasPrefix(k.header.Get("Content-Type"), "application/vnd.google-earth.kml+xml") ||
		strings.Count(string(k.raw), "<Placemark>") != len(res.Sites) {
		t.Errorf("kml: %d %s", k.status, k.header.Get("Content-Type"))
	}
	errorCode(t, call(t, ts, "GET", run.header.Get("Location")+"/sites.shp", nil), 404)
}

// TestOptimizeBadRequests: each is refused with a message naming what is
// wrong, and leaves no run behind.
func TestOptimizeBadRequests(t *testing.T) {
	ts, _ := testServer(t, "")
	id := gappedScenario(t, ts, 1)
	b := tinyBundle.City.Network.Bound()
	inside := b.Center()
	for _, tc := range []struct {
		name   string
		body   any
		status int
		want   string
	}{
		{"no sites", map[string]any{"sites": 0}, 422, "sites 0"},
		{"negative sites", map[string]any{"problem": "max_coverage", "sites": -1}, 422, "sites -1"},
		{"target above 1", map[string]any{"target": 1.5}, 422, "target 1.5"},
		{"unknown problem", map[string]any{"problem": "p-median", "sites": 2}, 422, `problem "p-median"`},
		{"empty candidates", map[string]any{"sites": 2, "candidates": []any{}}, 422, "candidates: the list is empty"},
		{"candidate outside the city", map[string]any{"sites": 1, "candidates": []any{
			map[string]any{"id": "B1", "lon": inside[0], "lat": inside[1]},
			map[string]any{"id": "B2", "name": "北京某楼", "lon": 116.4, "lat": 39.9}}}, 422, `candidate 2 (id "B2", 北京某楼): (116.400000, 39.900000) lies outside`},
		{"budget below the cheapest site", map[string]any{"problem": "capacitated", "budget": 50}, 422, "budget 50 is less than the cheapest site"},
		{"type outside the circle", map[string]any{"sites": 1, "type": "institution"}, 422, "service_circle.facility_types"},
		{"misspelt field", map[string]any{"site": 2}, 400, `unknown field "site"`},
		{"not JSON", "{sites: 2", 400, "not valid JSON"},
		{"wrong type", map[string]any{"sites": "two"}, 400, `field "sites"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, ts, "POST", "/api/v1/scenarios/"+id+"/optimize?wait=30", tc.body)
			errorCode(t, r, tc.status)
			if msg := r.body["error"].(map[string]any)["message"].(string); !strings.Contains(msg, tc.want) {
				t.Errorf("message %q does not say %q", msg, tc.want)
			}
		})
	}
	list := call(t, ts, "GET", "/api/v1/scenarios/"+id+"/optimize", nil)
	if string(list.raw) != "[]\n" {
		t.Errorf("refused requests left runs: %s", list.raw)
	}
	errorCode(t, call(t, ts, "POST", "/api/v1/scenarios/nope/optimize", map[string]any{"sites": 1}), 404)
	errorCode(t, call(t, ts, "POST", "/api/v1/scenarios/"+id+"/optimize?wait=soon", map[string]any{"sites": 1}), 400)
	errorCode(t, call(t, ts, "GET", "/api/v1/scenarios/"+id+"/optimize/opt-nope", nil), 404)
}

// TestOptimizeQueueCancelAndLongPoll holds the run slot, as a long run
// would, to see runs queue, cancel, refuse a crowd and end on Close.
func TestOptimizeQueueCancelAndLongPoll(t *testing.T) {
	srv, ts, _ := testServerOf(t, "")
	id := gappedScenario(t, ts, 2)
	srv.runs.slot <- struct{}{} // a long run holds the slot

	start := func() reply {
		t.Helper()
		r := call(t, ts, "POST", "/api/v1/scenarios/"+id+"/optimize?wait=0", map[string]any{"sites": 2})
		if r.status != 201 || r.body["status"] != runQueued {
			t.Fatalf("start: %d %s", r.status, r.raw)
		}
		return r
	}
	cancelled := start()
	if d := call(t, ts, "DELETE", cancelled.header.Get("Location"), nil); d.status != 204 {
		t.Fatalf("cancel: %d %s", d.status, d.raw)
	}
	errorCode(t, call(t, ts, "GET", cancelled.header.Get("Location"), nil), 404)

	var queued []reply
	for range maxQueuedRuns {
		queued = append(queued, start())
	}
	crowd := call(t, ts, "POST", "/api/v1/scenarios/"+id+"/optimize?wait=0", map[string]any{"sites": 2})
	if errorCode(t, crowd, 429) != "too_many_runs" {
		t.Fatal("a crowd of runs was not refused")
	}
	list := call(t, ts, "GET", "/api/v1/scenarios/"+id+"/optimize", nil)
	var runs []map[string]any
	json.Unmarshal(list.raw, &runs)
	if len(runs) != maxQueuedRuns || runs[0]["id"] != queued[len(queued)-1].body["id"] || runs[0]["result"] != nil {
		t.Fatalf("list (newest first, no results): %s", list.raw)
	}

	// The slot frees: a long poll sees the first queued run through.
	go func() { <-srv.runs.slot }()
	done := call(t, ts, "GET", queued[0].header.Get("Location")+"?wait=30", nil)
	if done.body["status"] != runDone || num(done.body["progress"].(map[string]any)["done"]) != num(done.body["progress"].(map[string]any)["total"]) {
		t.Fatalf("long poll: %s", done.raw[:min(300, len(done.raw))])
	}
	for _, q := range queued[1:] {
		runResult(t, call(t, ts, "GET", q.header.Get("Location")+"?wait=30", nil))
	}

	// Close cancels what is queued.
	srv.runs.slot <- struct{}{}
	last := start()
	srv.Close(context.Background())
	got := call(t, ts, "GET", last.header.Get("Location"), nil)
	if got.body["status"] != runCancelled {
		t.Fatalf("after Close: %s", got.raw)
	}
	<-srv.runs.slot
	// A closing server takes no new runs.
	late := call(t, ts, "POST", "/api/v1/scenarios/"+id+"/optimize?wait=0", map[string]any{"sites": 2})
	if errorCode(t, late, 503) != "shutting_down" {
		t.Fatal("a run was started after Close")
	}
}

// TestOptimizeRunsGoWithTheirScenario: deleting a scenario drops its runs.
func TestOptimizeRunsGoWithTheirScenario(t *testing.T) {
	ts, _ := testServer(t, "")
	id := gappedScenario(t, ts, 2)
	run := call(t, ts, "POST", "/api/v1/scenarios/"+id+"/optimize?wait=30", map[string]any{"sites": 1})
	runResult(t, run)
	if d := call(t, ts, "DELETE", "/api/v1/scenarios/"+id, nil); d.status != 204 {
		t.Fatalf("delete: %d", d.status)
	}
	errorCode(t, call(t, ts, "GET", run.header.Get("Location"), nil), 404)
}

func TestOptimizeNeedsTheToken(t *testing.T) {
	ts, _ := testServer(t, "s3cret")
	r := call(t, ts, "POST", "/api/v1/scenarios/baseline/optimize", map[string]any{"sites": 1})
	if errorCode(t, r, 401) != "unauthorized" {
		t.Fatal("optimize without the token")
	}
	ok := call(t, ts, "POST", "/api/v1/scenarios/baseline/optimize?wait=30", map[string]any{"sites": 1}, "Authorization", "Bearer s3cret")
	if ok.status != 201 {
		t.Fatalf("with the token: %d %s", ok.status, ok.raw)
	}
}

func equalJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// TestCandidateFileUpload reads a bureau's list of available buildings
// (Chinese headers, as they keep it) and optimises among them.
func TestCandidateFileUpload(t *testing.T) {
	ts, _ := testServer(t, "")
	id := gappedScenario(t, ts, 8)
	d := tinyBundle.City.Demand
	a, b := d[0].Location, d[len(d)/2].Location
	csv := "编号,名称,用房类型,经度,纬度,最大建筑面积\n" +
		fmt.Sprintf("B-1,原粮站,闲置厂房,%.6f,%.6f,900\n", a[0], a[1]) +
		fmt.Sprintf("B-2,社区用房,公共用房,%.6f,%.6f,400\n", b[0], b[1])
	up := call(t, ts, "POST", "/api/v1/candidates?filename=可用房屋.csv", csv)
	if up.status != 200 || num(up.body["count"]) != 2 || up.body["filename"] != "可用房屋.csv" {
		t.Fatalf("upload: %d %s", up.status, up.raw)
	}
	cands := up.body["candidates"].([]any)
	first := cands[0].(map[string]any)
	if first["id"] != "B-1" || first["kind"] != "闲置厂房" || num(first["max_floor_area_m2"]) != 900 || first["community_code"] == "" {
		t.Fatalf("candidate read: %v", first)
	}
	run := call(t, ts, "POST", "/api/v1/scenarios/"+id+"/optimize?wait=30", map[string]any{"sites": 2, "candidates": cands})
	res := runResult(t, run)
	if num(run.body["candidates_given"]) != 2 || res.Stats.Generated || len(res.Sites) == 0 {
		t.Fatalf("run on the uploaded candidates: %s", run.raw)
	}
	for _, s := range res.Sites {
		if s.ID != "B-1" && s.ID != "B-2" {
			t.Errorf("suggested %q, not an uploaded building", s.ID)
		}
	}

	for _, tc := range []struct {
		name, filename, body string
		status               int
		want                 string
	}{
		{"site outside the city", "房屋.csv", "名称,经度,纬度\n北京某楼,116.4,39.9\n", 422, "房屋.csv: row 2"},
		{"bad number", "房屋.csv", fmt.Sprintf("名称,经度,纬度,最大建筑面积\n甲,%.6f,%.6f,很大\n", a[0], a[1]), 422, "最大建筑面积"},
		{"no rows", "房屋.csv", "名称,经度,纬度\n", 422, "no candidate sites listed"},
		{"no location column", "房屋.csv", "名称\n甲\n", 422, "经度"},
		{"no filename", "", "名称,经度,纬度\n", 400, "filename"},
		{"unknown format", "房屋.txt", "x", 400, ".csv, .xlsx or .geojson"},
		{"not an xlsx", "房屋.xlsx", "not a zip", 422, "房屋.xlsx"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, ts, "POST", "/api/v1/candidates?filename="+tc.filename, tc.body)
			errorCode(t, r, tc.status)
			msg := r.body["error"].(map[string]any)["message"].(string)
			if !strings.Contains(msg, tc.want) {
				t.Errorf("message %q does not say %q", msg, tc.want)
			}
			if strings.Contains(msg, os.TempDir()) {
				t.Errorf("message %q shows the server's temporary path", msg)
			}
		})
	}
}
