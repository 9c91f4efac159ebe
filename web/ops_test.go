package web

import (
	"encoding/json"
	"net/http"
	"os"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestMetrics makes a few requests and reads /metrics: latency by route
// pattern (not by path), what-if edits, store calls, the tile cache and
// the scenarios cached all show up.
func TestMetrics(t *testing.T) {
	srv, ts := configuredServer(t, "", "", func(c *Config) { c.Version = "v9.9.9+test" })
	sc := call(t, ts, "POST", "/api/v1/scenarios", map[string]any{"name": "metrics"})
	id := sc.body["id"].(string)
	c := tinyBundle.City.Network.Bound().Center()
	if r := call(t, ts, "POST", "/api/v1/scenarios/"+id+"/facilities", map[string]any{"type": "day_care", "lon": c[0], "lat": c[1]}, "If-Match", `"1"`); r.status != http.StatusCreated {
		t.Fatalf("add facility: %d %s", r.status, r.raw)
	}
	call(t, ts, "GET", "/api/v1/scenarios/"+id+"/summary", nil)
	for range 2 {
		get(t, ts.URL+"/tiles/communities/0/0/0.mvt")
	}
	resp, body := get(t, ts.URL+"/metrics", "Accept-Encoding", "identity")
	if resp.StatusCode != 200 {
		t.Fatalf("/metrics: %d", resp.StatusCode)
	}
	text := string(body)
	for _, want := range []string{
		`carecircle_http_request_duration_seconds_count{method="GET",route="/api/v1/scenarios/{id}/summary",status="2xx"} 1`,
		`carecircle_http_request_duration_seconds_count{method="POST",route="/api/v1/scenarios",status="2xx"} 1`,
		`carecircle_whatif_duration_seconds_count{op="add"} 1`,
		`carecircle_store_duration_seconds_count{op="create",outcome="ok"} 1`,
		`carecircle_store_duration_seconds_count{op="save",outcome="ok"} 1`,
		`carecircle_tile_cache_hits_total 1`,
		`carecircle_tile_cache_misses_total 1`,
		`carecircle_scenarios_cached 2`,
		`carecircle_optimiser_runs_started_total 0`,
		`carecircle_build_info{city="` + srv.bundle.City.Name + `",version="v9.9.9+test"} 1`,
		`go_goroutines `,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(text, id) {
		t.Errorf("/metrics names scenario %s: routes must be patterns, not paths", id)
	}
}

// TestReadyz is 200 while the store answers and 503 once it does not;
// /healthz stays 200 either way (the process is alive).
func TestReadyz(t *testing.T) {
	srv, ts := configuredServer(t, "", "", nil)
	if r := call(t, ts, "GET", "/readyz", nil); r.status != 200 || r.body["status"] != "ready" {
		t.Fatalf("/readyz: %d %s", r.status, r.raw)
	}
	srv.store.ScenarioStore.Close()
	if r := call(t, ts, "GET", "/readyz", nil); r.status != http.StatusServiceUnavailable || r.body["store"] != "unreachable" {
		t.Errorf("/readyz with the store closed: %d %s, want 503", r.status, r.raw)
	}
	if r := call(t, ts, "GET", "/healthz", nil); r.status != 200 {
		t.Errorf("/healthz with the store closed: %d, want 200", r.status)
	}
}

// TestOpenAPIServed checks that /openapi.json is docs/openapi.yaml, that
// every operation has an operationId and says its security where it
// writes, and that /api/docs lists every operation.
func TestOpenAPIServed(t *testing.T) {
	_, ts := configuredServer(t, "", "", nil)
	raw, err := os.ReadFile("../docs/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var file any
	if err := yaml.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	fileJSON, _ := json.Marshal(file)
	var want, got any
	json.Unmarshal(fileJSON, &want)
	resp, body := get(t, ts.URL+"/openapi.json")
	if resp.StatusCode != 200 || json.Unmarshal(body, &got) != nil {
		t.Fatalf("/openapi.json: %d", resp.StatusCode)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("/openapi.json differs from docs/openapi.yaml")
	}

	doc := want.(map[string]any)
	schemes, _ := doc["components"].(map[string]any)["securitySchemes"].(map[string]any)
	if schemes["bearerAuth"] == nil {
		t.Errorf("docs/openapi.yaml has no bearerAuth security scheme")
	}
	_, page := get(t, ts.URL+"/api/docs")
	ids := map[string]bool{}
	for p, item := range doc["paths"].(map[string]any) {
		for method, o := range item.(map[string]any) {
			if method == "parameters" {
				continue
			}
			op := o.(map[string]any)
			id, _ := op["operationId"].(string)
			switch {
			case id == "":
				t.Errorf("%s %s has no operationId", method, p)
			case ids[id]:
				t.Errorf("operationId %s is used twice", id)
			case !strings.Contains(string(page), "<code>"+id+"</code>"):
				t.Errorf("/api/docs does not list %s", id)
			}
			ids[id] = true
			if method != "get" && op["security"] == nil {
				t.Errorf("%s %s writes but says no security", method, p)
			}
		}
	}
	if strings.Contains(string(page), "http://") || strings.Contains(string(page), "https://") || strings.Contains(string(page), "<script") {
		t.Errorf("/api/docs loads something from elsewhere or runs script")
	}
}
