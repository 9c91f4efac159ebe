package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/carecircle/carecircle/data"
	"github.com/carecircle/carecircle/data/sharedtest"
)

// exampleImport is one city examples/import.sh writes: the shared OSM
// extract (and grid) with the bureau-style tables kept in examples/.
type exampleImport struct {
	dir, name, osm, population string
}

// exampleImports are the imports of examples/import.sh, in its order.
var exampleImports = []exampleImport{
	{dir: "porto-alegre", name: "Porto Alegre", osm: "poa/porto_alegre.osm.pbf", population: "poa/porto_alegre_hexgrid.csv"},
	{dir: "monaco", name: "Monaco", osm: "osm/monaco.osm.pbf"},
	{dir: "nantong", name: "海门区", osm: "osm/nantong.osm"},
}

// readCSVRows reads a UTF-8 CSV (with or without BOM) without its header.
func readCSVRows(t *testing.T, path string) [][]string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(raw), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rows[1:]
}

// TestExampleCities runs the imports of examples/import.sh with the
// tables in examples/, then `report --city` on each bundle: it loads, and
// every facility of the table is listed, in the report or (not placed)
// in the import report. Porto Alegre keeps all 117 healthcare cells and
// its grid's people; Nantong keeps its Chinese names.
func TestExampleCities(t *testing.T) {
	for _, ex := range exampleImports {
		t.Run(ex.dir, func(t *testing.T) {
			tables := filepath.Join("..", "..", "examples", ex.dir)
			out := filepath.Join(t.TempDir(), ex.dir)
			args := []string{"import", "--crs", "wgs84", "--name", ex.name, "--out", out,
				"--osm", sharedtest.Path(t, strings.Split(ex.osm, "/")...),
				"--communities", filepath.Join(tables, "社区.csv"), "--facilities", filepath.Join(tables, "设施.csv")}
			if ex.population != "" {
				args = append(args, "--population", sharedtest.Path(t, strings.Split(ex.population, "/")...))
			}
			msg, err := run(t, args...)
			if err != nil {
				t.Fatal(err)
			}
			t.Log(strings.TrimSpace(msg))

			jsonOut := filepath.Join(t.TempDir(), "report.json")
			if _, err := run(t, "report", "--city", out, "--out", jsonOut); err != nil {
				t.Fatal(err)
			}
			var rep struct {
				City struct {
					Name       string             `json:"name"`
					Indicators map[string]float64 `json:"indicators"`
				} `json:"city"`
				Regions []struct {
					Code string `json:"code"`
					Name string `json:"name"`
				} `json:"regions"`
				Facilities []struct {
					ID string `json:"id"`
				} `json:"facilities"`
			}
			raw, err := os.ReadFile(jsonOut)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(raw, &rep); err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: coverage_15min %.4f of %.0f elders, %d facilities in the report", ex.name, rep.City.Indicators["coverage_15min"], rep.City.Indicators["elders_60"], len(rep.Facilities))
			if rep.City.Indicators["elders_60"] <= 0 {
				t.Error("the report counts no elders")
			}

			// Every facility of the table: in the report, or left out with
			// its reason in the import report.
			listed := map[string]string{}
			for _, f := range rep.Facilities {
				listed[f.ID] = "report"
			}
			for _, r := range readCSVRows(t, filepath.Join(out, data.ImportReportCSV)) {
				if r[0] == "facility" && strings.HasPrefix(r[8], "否") {
					if listed[r[3]] != "" {
						t.Errorf("facility %s is in the report and left out in the import report", r[3])
					}
					listed[r[3]] = "import report: " + r[6]
				}
			}
			fac := readCSVRows(t, filepath.Join(tables, "设施.csv"))
			for _, r := range fac {
				if listed[r[0]] == "" {
					t.Errorf("facility %s (%s) of the table is listed neither in the report nor in the import report", r[0], r[1])
				}
			}
			if len(listed) != len(fac) {
				t.Errorf("%d facilities listed, the table has %d", len(listed), len(fac))
			}

			switch ex.dir {
			case "porto-alegre":
				if len(rep.Facilities) != 117 {
					t.Errorf("%d facilities in the report, want all 117 healthcare cells", len(rep.Facilities))
				}
				var people float64
				for _, r := range readCSVRows(t, sharedtest.Path(t, "poa", "porto_alegre_hexgrid.csv")) {
					v, err := strconv.ParseFloat(r[3], 64)
					if err != nil {
						t.Fatalf("grid row %v: %v", r, err)
					}
					people += v
				}
				if got := rep.City.Indicators["elders_60"]; got < people-0.5 || got > people+0.5 {
					t.Errorf("the report counts %.1f elders, the grid %.1f people (all counted as elders)", got, people)
				}
			case "monaco":
				if got := rep.City.Indicators["elders_60"]; got < 9*1200-0.5 || got > 9*1200+0.5 {
					t.Errorf("the report counts %.1f elders, the table 10800", got)
				}
			case "nantong":
				// The extract names no road (its named features are a
				// place, bus stops and bus routes), so the Chinese names
				// the map shows are the table's streets and communities
				// and the extract's place a community was found by.
				names := map[string]bool{}
				for _, r := range rep.Regions {
					names[r.Name] = true
				}
				for _, n := range []string{"叠石桥街道", "三星镇", "家纺城社区", "叠石桥社区", "星海社区"} {
					if !names[n] {
						t.Errorf("the report has no region %s; regions %v", n, rep.Regions)
					}
				}
				b, err := data.LoadBundle(t.Context(), out, nil)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range b.Basemap.Roads {
					if !slices.ContainsFunc([]rune(r.Name), func(c rune) bool { return unicode.Is(unicode.Han, c) }) {
						t.Errorf("road %q on the base map of a Chinese extract", r.Name)
					}
				}
				t.Logf("%d named roads on the base map", len(b.Basemap.Roads))
			}
		})
	}
}
