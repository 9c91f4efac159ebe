package data

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/carecircle/carecircle/data/crs"
)

// Fuzz targets for every file the data readers take. Each must end in a
// result or in problems naming the file, never a panic or a hang; the seed
// corpus is in testdata/fuzz. Run one with
//
//	go test -run='^$' -fuzz='^FuzzFacilityTable$' -fuzztime=30s ./data

// fuzzFile writes data to a file called name in a directory of the fuzz
// worker's own, overwriting the last input.
func fuzzFile(t *testing.T, dir, name string, data []byte) string {
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// checkProblems fails when problems do not name file.
func checkProblems(t *testing.T, file string, ps []Problem) {
	for _, p := range ps {
		if p.File != file || p.Message == "" {
			t.Fatalf("problem %+v does not name %s or say what is wrong", p, file)
		}
	}
}

// fuzzLimits keep a fuzz input from growing into a slow one.
var fuzzLimits = Limits{FileBytes: 1 << 20, Rows: 2000}

func FuzzFacilityTable(f *testing.F) {
	fx := newFixture()
	f.Add(csvBytes(f, fx.table(fx.facilities)), false)
	f.Add(csvBytes(f, fx.table(fx.health)), true)
	f.Add([]byte("id,name,type,status,wkt\nA,a,canteen,运营中,POINT (120.86 32.01)\n"), false)
	f.Add([]byte("\xb1\xe0\xba\xc5,name\n1,2\n"), false) // GBK
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte, health bool) {
		p := fuzzFile(t, dir, "facilities.csv", data)
		fr := &facilityReader{sys: crs.GCJ02, ids: map[string]string{}, lim: fuzzLimits}
		list, probs, warns := fr.read(p, "facilities.csv", health)
		checkProblems(t, "facilities.csv", probs)
		checkProblems(t, "facilities.csv", warns)
		if list == nil && len(probs) == 0 {
			t.Fatal("no facilities and no problem")
		}
	})
}

func FuzzFacilityXLSX(f *testing.F) {
	fx := newFixture()
	f.Add(xlsxBytes(f, fx.table(fx.facilities)))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		p := fuzzFile(t, dir, "facilities.xlsx", data)
		tb, probs, _ := readTable(p, "facilities.xlsx", fuzzLimits)
		checkProblems(t, "facilities.xlsx", probs)
		if tb == nil && len(probs) == 0 {
			t.Fatal("no table and no problem")
		}
	})
}

func FuzzCandidates(f *testing.F) {
	f.Add([]byte("编号,名称,经度,纬度,建筑面积,最大建筑面积\nA,a,106.55,29.56,300,500\n"))
	f.Add([]byte("id,geometry\nA,POINT (106.55 29.56)\n"))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"A"},"geometry":{"type":"Point","coordinates":[106.55,29.56]}}]}`))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		b := tinyDemo(t)
		name := "sites.csv"
		if strings.HasPrefix(strings.TrimSpace(string(data)), "{") {
			name = "sites.geojson"
		}
		_, err := LoadCandidates(fuzzFile(t, dir, name, data), b, nil)
		if err != nil && !strings.Contains(err.Error(), name) {
			t.Fatalf("error %q does not name %s", err, name)
		}
	})
}

func FuzzRegions(f *testing.F) {
	f.Add(newFixture().regionsJSON(f))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"1","level":"community","residents":1e308},"geometry":null}]}`))
	f.Add([]byte(`{"type":"FeatureCollection","features":[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]}`))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, probs := readRegions(fuzzFile(t, dir, "regions.geojson", data), "regions.geojson", crs.GCJ02, nil, false, fuzzLimits)
		checkProblems(t, "regions.geojson", probs)
		if rs == nil && len(probs) == 0 {
			t.Fatal("no regions and no problem")
		}
	})
}

func FuzzPopulation(f *testing.F) {
	f.Add([]byte("h3,residents,elders_60\n8a309a62a4b7fff,10,2\n"))
	f.Add([]byte("lon,lat,residents,elders_60,elders_80,community_code\n120.86,32.01,5,2,1,x\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		g, probs, warns := readPopulation(fuzzFile(t, dir, "population.csv", data), "population.csv", crs.WGS84, nil, fuzzLimits)
		checkProblems(t, "population.csv", probs)
		checkProblems(t, "population.csv", warns)
		if g == nil && len(probs) == 0 {
			t.Fatal("no grid and no problem")
		}
	})
}

func FuzzCityConfig(f *testing.F) {
	f.Add([]byte(strings.ReplaceAll(newFixture().config, "{crs}", "gcj02")))
	f.Add([]byte("name: x\nwalk:\n  speed_mps: 1e308\n"))
	f.Add([]byte("a: &a [*a, *a]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, probs := parseConfig(data)
		if c == nil && len(probs) == 0 {
			t.Fatal("no config and no problem")
		}
	})
}

func FuzzProfile(f *testing.F) {
	for _, name := range BuiltinProfiles() {
		src, err := builtinProfiles.ReadFile("profiles/" + name + ".yaml")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	f.Add([]byte("name: x\nbase: cn-default\nwalking:\n  speed_mps: 1e308\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		// No directory: a "base:" path is refused rather than read.
		p, err := ParseProfile(data, "fuzz.yaml", "")
		if p == nil && err == nil {
			t.Fatal("no profile and no error")
		}
		if p != nil {
			if err := p.Validate(); err != nil {
				t.Fatalf("a profile that loads must validate: %v", err)
			}
		}
	})
}
