package main

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/carecircle/carecircle/data"
)

func TestOptimizeJSONAndGeoJSON(t *testing.T) {
	dir := t.TempDir()
	js, gj := filepath.Join(dir, "sites.json"), filepath.Join(dir, "sites.geojson")
	if _, err := run(t, "optimize", "--demo", "district", "--sites", "3", "--out", js); err != nil {
		t.Fatal(err)
	}
	var res struct {
		Sites []struct {
			Lon, Lat   float64
			Type       string  `json:"type"`
			Floor      float64 `json:"floor_area_m2"`
			Community  string  `json:"community_code"`
			GainElders float64 `json:"gain_elders"`
		} `json:"sites"`
		Total  float64 `json:"total_gain_elders"`
		Before float64 `json:"coverage_before"`
		After  float64 `json:"coverage_after"`
		Bound  float64 `json:"bound"`
	}
	b, err := os.ReadFile(js)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Sites) != 3 || res.After <= res.Before || res.Bound < res.Total || res.Sites[0].Type != "community_station" ||
		res.Sites[0].Community == "" || res.Sites[0].Floor != 200 || res.Sites[0].GainElders <= 0 {
		t.Fatalf("result %s", b)
	}
	if _, err := run(t, "optimize", "--demo", "district", "--sites", "3", "--out", gj); err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Geometry   struct{ Coordinates []float64 }
			Properties map[string]any
		}
		Bound float64 `json:"bound"`
	}
	if b, err = os.ReadFile(gj); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		t.Fatal(err)
	}
	if fc.Type != "FeatureCollection" || len(fc.Features) != 3 || fc.Bound != res.Bound || fc.Features[0].Properties["gain_elders"] == nil ||
		fc.Features[2].Properties["order"] != 3.0 || fc.Features[0].Geometry.Coordinates[0] != res.Sites[0].Lon {
		t.Fatalf("geojson %s", b)
	}
}

func TestOptimizeBadInput(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.csv")
	if err := os.WriteFile(empty, []byte("名称,经度,纬度\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--sites", "0"}, "sites 0"},
		{[]string{"--target", "1.5"}, "target 1.5"},
		{[]string{}, "say what to optimise"},
		{[]string{"--sites", "2", "--out", filepath.Join(dir, "x.txt")}, "want a .json, .geojson or .kml file"},
		{[]string{"--sites", "2", "--budget", "500"}, "--budget is for --capacitated"},
		{[]string{"--capacitated", "--budget", "100"}, "budget 100 is less than the cheapest site"},
		{[]string{"--capacitated", "--budget", "1000", "--menu", "200"}, "--menu item 1"},
		{[]string{"--sites", "2", "--candidates", empty}, "no candidate sites listed"},
		{[]string{"--rules", "--target", "0.9"}, "--rules"},
	} {
		_, err := run(t, append([]string{"optimize", "--demo", "tiny"}, tc.args...)...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want %q", tc.args, err, tc.want)
		}
	}
}

// TestOptimizeSaveScenario saves the suggestions as a scenario, which the
// report then judges: its coverage is the optimiser's coverage_after. A
// second run on that scenario starts from it.
func TestOptimizeSaveScenario(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "scenarios.db")
	out, err := run(t, "optimize", "--demo", "district", "--sites", "4", "--save-scenario", "选址建议", "--db", db, "--no-progress")
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Sites []struct {
			ID string `json:"id"`
		} `json:"sites"`
		After float64 `json:"coverage_after"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || len(res.Sites) != 4 {
		t.Fatalf("result: %v %s", err, out)
	}
	store, err := data.OpenScenarioStore(context.Background(), db, demoCityName(t))
	if err != nil {
		t.Fatal(err)
	}
	list, _, err := store.List(context.Background())
	store.Close()
	if err != nil || len(list) != 1 || list[0].Name != "选址建议" || len(list[0].Added) != 4 || list[0].Added[0].ID != res.Sites[0].ID {
		t.Fatalf("saved scenarios: %+v, %v", list, err)
	}
	rep, err := run(t, "report", "--demo", "district", "--scenario", list[0].ID, "--db", db)
	if err != nil {
		t.Fatal(err)
	}
	var a struct {
		City struct {
			Indicators map[string]float64 `json:"indicators"`
		} `json:"city"`
	}
	if err := json.Unmarshal([]byte(rep), &a); err != nil {
		t.Fatal(err)
	}
	if got := a.City.Indicators["coverage_15min"]; math.Abs(got-res.After) > 1e-9 {
		t.Errorf("report on the saved scenario: coverage %.12f, optimiser said %.12f", got, res.After)
	}
	again, err := run(t, "optimize", "--demo", "district", "--sites", "1", "--scenario", list[0].ID, "--db", db, "--no-progress")
	if err != nil {
		t.Fatal(err)
	}
	var next struct {
		Before float64 `json:"coverage_before"`
	}
	if err := json.Unmarshal([]byte(again), &next); err != nil || math.Abs(next.Before-res.After) > 1e-9 {
		t.Errorf("second run starts at %.12f, want %.12f (%v)", next.Before, res.After, err)
	}
	if _, err := run(t, "optimize", "--demo", "district", "--sites", "1", "--scenario", "s-nope", "--db", db); err == nil || !strings.Contains(err.Error(), `no scenario "s-nope"`) {
		t.Errorf("unknown scenario: %v", err)
	}
}

// demoCityName is the district demo's city name, which its scenarios are
// stored under.
func demoCityName(t *testing.T) string {
	t.Helper()
	b, err := data.DemoBundle(context.Background(), "district", 1)
	if err != nil {
		t.Fatal(err)
	}
	return b.City.Name
}
