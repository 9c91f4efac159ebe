package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/carecircle/carecircle/data/sharedtest"
)

// run executes the command line in-process and returns its output.
func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newRootCmd()
	var out, errb bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errb)
	root.SetArgs(append([]string{"--log-level", "error"}, args...))
	err := root.Execute()
	return out.String(), err
}

func TestNetworkStatsSynthetic(t *testing.T) {
	out, err := run(t, "network", "stats", "--synthetic", "tiny", "--seed", "3")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"nodes", "edges", "walkway km", "pieces", "nodes off the main piece", "build time"} {
		if !strings.Contains(out, want) {
			t.Errorf("stats output lacks %q:\n%s", want, out)
		}
	}
}

func TestNetworkReachCSV(t *testing.T) {
	osm := sharedtest.Path(t, "osm", "helsinki.osm.pbf")
	cache := t.TempDir()
	out, err := run(t, "network", "isochrone", "--osm", osm, "--cache-dir", cache, "--lon", "24.94", "--lat", "60.17", "--minutes", "5")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Type       string         `json:"type"`
		Properties map[string]any `json:"properties"`
		Geometry   struct {
			Type string `json:"type"`
		} `json:"geometry"`
	}
	if err := json.Unmarshal([]byte(out), &f); err != nil {
		t.Fatalf("isochrone is not JSON: %v\n%s", err, out)
	}
	if f.Type != "Feature" || f.Geometry.Type != "MultiPolygon" {
		t.Fatalf("isochrone: %s with %s geometry", f.Type, f.Geometry.Type)
	}
	for _, k := range []string{"minutes", "speed_mps", "reachable_nodes", "walkway_m"} {
		if _, ok := f.Properties[k]; !ok {
			t.Errorf("isochrone lacks property %q", k)
		}
	}

	if _, err := run(t, "network", "reach", "--osm", osm, "--cache-dir", cache, "--node", "1", "--meters", "100"); err == nil ||
		!strings.Contains(err.Error(), "node 1 is not in the walking graph") {
		t.Fatalf("unknown node: %v", err)
	}
	node, err := loadGraphForTest(osm)
	if err != nil {
		t.Fatal(err)
	}
	out, err = run(t, "network", "reach", "--osm", osm, "--cache-dir", cache, "--node", node, "--meters", "250")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], ",") != "osm_node_id,meters" || len(rows) < 3 {
		t.Fatalf("reach: header %v, %d rows", rows[0], len(rows))
	}
	if rows[1][0] != node || rows[1][1] != "0.000" {
		t.Fatalf("first row %v, want the start node at 0.000", rows[1])
	}
	prev := 0.0
	for _, r := range rows[1:] {
		m, err := strconv.ParseFloat(r[1], 64)
		if err != nil || m < prev || m > 250 || !strings.Contains(r[1], ".") || len(strings.Split(r[1], ".")[1]) < 2 {
			t.Fatalf("row %v: want metres with two or more decimals, ascending, ≤ 250", r)
		}
		prev = m
	}
}

func TestNetworkBadInput(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.osm.pbf")
	os.WriteFile(empty, nil, 0o644)
	jsonPBF := filepath.Join(dir, "city.osm.pbf")
	os.WriteFile(jsonPBF, []byte(`{"type":"FeatureCollection"}`), 0o644)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no source", []string{"network", "stats"}, "give exactly one of --osm FILE or --synthetic PRESET"},
		{"empty file", []string{"network", "stats", "--osm", empty, "--no-cache"}, "empty.osm.pbf"},
		{"json named pbf", []string{"network", "stats", "--osm", jsonPBF, "--no-cache"}, "city.osm.pbf: not an OSM PBF file"},
		{"missing file", []string{"network", "stats", "--osm", filepath.Join(dir, "nope.pbf")}, "nope.pbf"},
		{"unknown preset", []string{"network", "stats", "--synthetic", "metropolis"}, "metropolis"},
		{"outside the network", []string{"network", "isochrone", "--synthetic", "tiny", "--lon", "120", "--lat", "30"}, "from the nearest walkway"},
		{"bad minutes", []string{"network", "isochrone", "--synthetic", "tiny", "--lon", "106.55", "--lat", "29.56", "--minutes", "-3"}, "--minutes"},
		{"bad speed", []string{"network", "isochrone", "--synthetic", "tiny", "--lon", "106.55", "--lat", "29.56", "--speed", "0"}, "speed"},
		{"negative meters", []string{"network", "reach", "--synthetic", "tiny", "--node", "1", "--meters", "-1"}, "--meters"},
		{"report format", []string{"report", "--demo", "tiny", "--format", "docx"}, "--format \"docx\""},
		{"report both sources", []string{"report", "--demo", "tiny", "--city", dir}, "not both"},
		{"report bad bundle", []string{"report", "--city", dir}, "city.yaml"},
		{"unknown profile", []string{"report", "--demo", "tiny", "--profile", "mars"}, "mars"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := run(t, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestReportAndGenRoundTrip(t *testing.T) {
	dir := t.TempDir()
	direct := filepath.Join(dir, "direct.json")
	if _, err := run(t, "report", "--demo", "tiny", "--out", direct); err != nil {
		t.Fatal(err)
	}
	bundle := filepath.Join(dir, "bundle")
	if _, err := run(t, "gen", "--preset", "tiny", "--seed", "1", "--out", bundle); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, "gen", "--preset", "tiny", "--out", bundle); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("overwriting a bundle: %v", err)
	}
	loaded := filepath.Join(dir, "loaded.json")
	if _, err := run(t, "report", "--city", bundle, "--out", loaded); err != nil {
		t.Fatal(err)
	}
	a, b := readReport(t, direct), readReport(t, loaded)
	if a.City.Indicators["coverage_15min"] != b.City.Indicators["coverage_15min"] || len(a.Gaps) != len(b.Gaps) || len(a.Regions) != len(b.Regions) {
		t.Fatalf("generated city and its bundle disagree: coverage %v vs %v, gaps %d vs %d",
			a.City.Indicators["coverage_15min"], b.City.Indicators["coverage_15min"], len(a.Gaps), len(b.Gaps))
	}
	for _, k := range []string{"residents", "households", "elders_60", "elders_80", "elders_covered_15min", "coverage_15min",
		"land_required_m2", "land_provided_m2", "floor_required_m2", "floor_provided_m2", "beds", "beds_per_1000_elders",
		"facilities_operating", "facilities_idle", "access_2sfca_m2_per_elder"} {
		if _, ok := a.City.Indicators[k]; !ok {
			t.Errorf("report lacks indicator %q", k)
		}
	}
	// CSV starts with a byte-order mark; GeoJSON parses.
	csvOut := filepath.Join(dir, "r.csv")
	if _, err := run(t, "report", "--demo", "tiny", "--out", csvOut); err != nil {
		t.Fatal(err)
	}
	if raw, _ := os.ReadFile(csvOut); !bytes.HasPrefix(raw, []byte("\xef\xbb\xbfcode,name,level,parent,residents")) {
		t.Fatalf("CSV header: %q", raw[:min(60, len(raw))])
	}
	gj := filepath.Join(dir, "r.geojson")
	if _, err := run(t, "report", "--demo", "tiny", "--out", gj); err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Type     string `json:"type"`
		Features []any  `json:"features"`
	}
	if raw, _ := os.ReadFile(gj); json.Unmarshal(raw, &fc) != nil || fc.Type != "FeatureCollection" || len(fc.Features) == 0 {
		t.Fatal("GeoJSON report does not parse as a feature collection")
	}
}

type reportJSON struct {
	Profile struct {
		Name    string   `json:"name"`
		Sources []string `json:"sources"`
	} `json:"profile"`
	City struct {
		Indicators map[string]float64 `json:"indicators"`
	} `json:"city"`
	Regions []struct {
		Code       string             `json:"code"`
		Indicators map[string]float64 `json:"indicators"`
	} `json:"regions"`
	Gaps []map[string]any `json:"gaps"`
}

func readReport(t *testing.T, path string) reportJSON {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r reportJSON
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatal(err)
	}
	if r.Profile.Name == "" || len(r.Profile.Sources) == 0 {
		t.Fatalf("%s: report names no profile or sources", path)
	}
	return r
}
