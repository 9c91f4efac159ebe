package data

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/carecircle/carecircle/data/crs"
)

// This file builds a small city bundle for the tests: a 5 × 5 grid of
// streets near Nantong (120.856–120.864°E, 32.006–32.014°N, blocks of about
// 190 m × 220 m), one district, two streets and four communities, a few
// facilities with Chinese headers and values, and a health list. The truth
// is WGS84; the regions and facility files are written in the fixture's
// crs (GCJ-02 unless a test changes it), the OSM extract in WGS84.

// Grid geometry.
const (
	gridLon0, gridLat0 = 120.856, 32.006
	gridStep           = 0.002
	gridN              = 5
)

// gridPoint is the WGS84 position of grid node (i, j).
func gridPoint(i, j int) orb.Point {
	return orb.Point{gridLon0 + float64(i)*gridStep, gridLat0 + float64(j)*gridStep}
}

func box(lon0, lat0, lon1, lat1 float64) orb.Polygon {
	return orb.Polygon{{{lon0, lat0}, {lon1, lat0}, {lon1, lat1}, {lon0, lat1}, {lon0, lat0}}}
}

// regionFeature is one feature of the fixture's regions.geojson.
type regionFeature struct {
	geom  orb.Geometry // WGS84; converted to the fixture's crs on writing
	props map[string]any
}

// fixture is a city bundle in memory.
type fixture struct {
	crs        crs.System
	config     string // city.yaml; "{crs}" is replaced by crs
	osm        string
	regions    []regionFeature
	facilities [][]string // header first; {lon}/{lat} cells hold WGS84 and are converted
	health     [][]string
	population [][]string // nil: no population file
	extra      map[string][]byte
}

// Truth of the fixture, for expectations.
var (
	// Facility locations in WGS84.
	facilityAt = map[string]orb.Point{
		"F1": {120.8581, 32.0079}, // in C1
		"F2": {120.8579, 32.0121}, // in C2; its row names no community
		"F3": {120.8621, 32.0081}, // in C3
		"F4": {120.8619, 32.0119}, // a health station, in the facility list
		"H1": {120.8601, 32.0101},
	}
	// The buildings of the extract.
	fixtureBuildings = []struct {
		id   int64
		poly orb.Polygon
		tags []string
	}{
		{9001, box(120.8570, 32.0070, 120.8575, 32.0075), []string{"building", "apartments", "building:levels", "6"}}, // C1
		{9002, box(120.8585, 32.0085, 120.8590, 32.0088), []string{"building", "residential"}},                        // C1, levels unknown
		{9003, box(120.8592, 32.0072, 120.8595, 32.0075), []string{"building", "commercial", "building:levels", "3"}}, // C1: no demand
		{9004, box(120.8625, 32.0085, 120.8630, 32.0090), []string{"building", "yes"}},                                // C3, use unknown
	}
)

func newFixture() *fixture {
	f := &fixture{crs: crs.GCJ02}
	f.config = `# test bundle
name: 南通测试城
crs: {crs}
profile: cn-default
osm: map.osm
regions: regions.geojson
facilities: facilities.csv
health: health.csv
`
	f.osm = fixtureOSM()
	num := func(v float64) any { return v }
	f.regions = []regionFeature{
		// Communities first: the loader must order parents first.
		{box(120.856, 32.006, 120.860, 32.010), map[string]any{"code": "320602001001", "name": "南园社区", "level": "community", "parent": "320602001000",
			"residents": num(3000), "households": num(1100), "elders_60": num(700), "elders_80": num(90), "residential_age": "old"}},
		{box(120.856, 32.010, 120.860, 32.014), map[string]any{"code": "320602001002", "name": "北园社区", "level": "社区", "parent": "320602001000",
			"residents": num(2000), "households": num(800), "elders_60": num(500), "elders_80": num(60)}},
		{box(120.860, 32.006, 120.864, 32.010), map[string]any{"code": "320602002001", "name": "东园社区", "level": "community", "parent": "320602002000",
			"residents": "1,500", "households": num(600), "elders_60": num(400), "elders_80": num(50), "area_type": "农村"}},
		{orb.Point{120.862, 32.012}, map[string]any{"code": "320602002002", "name": "点社区", "level": "村", "parent": "320602002000",
			"residents": num(500), "elders_60": num(150), "elders_80": nil}},
		{box(120.856, 32.006, 120.860, 32.014), map[string]any{"code": "320602001000", "name": "西街道", "level": "street", "parent": "320602000000",
			"residents": num(5000), "elders_60": num(1200)}},
		{nil, map[string]any{"code": "320602002000", "name": "东街道", "level": "街道", "parent": "320602000000", "area_type": "urban"}},
		{nil, map[string]any{"code": "320602000000", "name": "崇川区", "level": "district", "parent": "320600000000",
			"residents": num(8000)}}, // the communities sum to 7000: a warning
	}
	f.facilities = [][]string{
		{"编号", "名称", "类型", "状态", "经度", "纬度", "建筑面积", "用地面积", "床位数", "护理型床位数", "运营方式", "所属社区", "联系电话"},
		{"F1", "南园街道养老服务中心", "街道养老服务中心", "运营中", "{lon}", "{lat}", "1,600㎡", "800", "50张", "30", "公建民营", "320602001001", "0513-1234"},
		{"F2", "北园社区养老服务站", "社区养老服务站", "闲置", "{lon}", "{lat}", "220", "", "10", "", "民办", "", ""},
		{"F3", "东园日间照料中心", "日间照料中心", "在建", "{lon}", "{lat}", "350.5", "-", "", "", "", "东园社区", ""},
		{"F4", "点社区卫生服务站", "社区卫生服务站", "运营中", "{lon}", "{lat}", "120", "", "", "", "", "320602002002", ""},
	}
	f.health = [][]string{
		{"id", "name", "status", "lon", "lat", "floor_area_m2"},
		{"H1", "崇川社区卫生服务中心", "operating", "{lon}", "{lat}", "2000"},
	}
	return f
}

// fixtureOSM is the extract: the street grid (one link as steps, one as a
// crossing), a way off on its own (kept as a second piece of the network), and the
// buildings of fixtureBuildings.
func fixtureOSM() string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<osm version=\"0.6\">\n")
	id := func(i, j int) int64 { return 1000 + int64(j*gridN+i) }
	for j := 0; j < gridN; j++ {
		for i := 0; i < gridN; i++ {
			p := gridPoint(i, j)
			fmt.Fprintf(&b, " <node id=\"%d\" lat=\"%.7f\" lon=\"%.7f\"/>\n", id(i, j), p[1], p[0])
		}
	}
	// The island, 2 km east.
	fmt.Fprintf(&b, " <node id=\"2001\" lat=\"32.010\" lon=\"120.885\"/>\n <node id=\"2002\" lat=\"32.011\" lon=\"120.885\"/>\n")
	nodeID := int64(3000)
	for _, fb := range fixtureBuildings {
		for _, p := range fb.poly[0][:4] {
			nodeID++
			fmt.Fprintf(&b, " <node id=\"%d\" lat=\"%.7f\" lon=\"%.7f\"/>\n", nodeID, p[1], p[0])
		}
	}
	way := 1
	writeWay := func(refs []int64, tags ...string) {
		fmt.Fprintf(&b, " <way id=\"%d\">\n", way)
		way++
		for _, r := range refs {
			fmt.Fprintf(&b, "  <nd ref=\"%d\"/>\n", r)
		}
		for k := 0; k+1 < len(tags); k += 2 {
			fmt.Fprintf(&b, "  <tag k=\"%s\" v=\"%s\"/>\n", tags[k], tags[k+1])
		}
		b.WriteString(" </way>\n")
	}
	for j := 0; j < gridN; j++ {
		var refs []int64
		for i := 0; i < gridN; i++ {
			refs = append(refs, id(i, j))
		}
		writeWay(refs, "highway", "residential", "name", fmt.Sprintf("横%d路", j+1))
	}
	for i := 0; i < gridN; i++ {
		if i == 4 {
			// The east column: steps at the top, a crossing at the bottom.
			writeWay([]int64{id(4, 0), id(4, 1)}, "highway", "footway", "footway", "crossing")
			writeWay([]int64{id(4, 1), id(4, 2), id(4, 3)}, "highway", "residential")
			writeWay([]int64{id(4, 3), id(4, 4)}, "highway", "steps")
			continue
		}
		var refs []int64
		for j := 0; j < gridN; j++ {
			refs = append(refs, id(i, j))
		}
		writeWay(refs, "highway", "residential", "name", fmt.Sprintf("纵%d路", i+1))
	}
	writeWay([]int64{2001, 2002}, "highway", "footway")
	// Buildings, in the order of their nodes above.
	nodeID = 3000
	for _, fb := range fixtureBuildings {
		refs := []int64{nodeID + 1, nodeID + 2, nodeID + 3, nodeID + 4, nodeID + 1}
		nodeID += 4
		fmt.Fprintf(&b, " <way id=\"%d\">\n", fb.id)
		for _, r := range refs {
			fmt.Fprintf(&b, "  <nd ref=\"%d\"/>\n", r)
		}
		for k := 0; k+1 < len(fb.tags); k += 2 {
			fmt.Fprintf(&b, "  <tag k=\"%s\" v=\"%s\"/>\n", fb.tags[k], fb.tags[k+1])
		}
		b.WriteString(" </way>\n")
	}
	b.WriteString("</osm>\n")
	return b.String()
}

// to converts a WGS84 point to the fixture's crs.
func (f *fixture) to(p orb.Point) orb.Point { return crs.FromWGS84(f.crs, p) }

func (f *fixture) convert(g orb.Geometry) orb.Geometry {
	switch g := g.(type) {
	case orb.Point:
		return f.to(g)
	case orb.Polygon:
		out := make(orb.Polygon, len(g))
		for i, r := range g {
			out[i] = make(orb.Ring, len(r))
			for j, p := range r {
				out[i][j] = f.to(p)
			}
		}
		return out
	}
	return g
}

// table renders rows with {lon}/{lat} replaced by the row id's location in
// the fixture's crs.
func (f *fixture) table(rows [][]string) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = append([]string(nil), r...)
		if i == 0 {
			continue
		}
		p, ok := facilityAt[r[0]]
		if !ok {
			continue
		}
		q := f.to(p)
		for k, c := range out[i] {
			switch c {
			case "{lon}":
				out[i][k] = formatNumber(q[0])
			case "{lat}":
				out[i][k] = formatNumber(q[1])
			}
		}
	}
	return out
}

func csvBytes(t testing.TB, rows [][]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func (f *fixture) regionsJSON(t testing.TB) []byte {
	t.Helper()
	fc := geojson.NewFeatureCollection()
	for _, r := range f.regions {
		feat := geojson.NewFeature(f.convert(r.geom))
		for k, v := range r.props {
			feat.Properties[k] = v
		}
		fc.Append(feat)
	}
	b, err := json.MarshalIndent(fc, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// write writes the bundle into a new temporary folder and returns it.
func (f *fixture) write(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string][]byte{
		"city.yaml":       []byte(strings.ReplaceAll(f.config, "{crs}", string(f.crs))),
		"map.osm":         []byte(f.osm),
		"regions.geojson": f.regionsJSON(t),
		"facilities.csv":  append([]byte("\ufeff"), csvBytes(t, f.table(f.facilities))...), // with a BOM, as Excel writes
	}
	if f.health != nil {
		files["health.csv"] = csvBytes(t, f.table(f.health))
	}
	if f.population != nil {
		files["population.csv"] = csvBytes(t, f.population)
	}
	for name, b := range f.extra {
		files[name] = b
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// region returns the fixture's region feature with the given code.
func (f *fixture) region(code string) *regionFeature {
	for i := range f.regions {
		if f.regions[i].props["code"] == code {
			return &f.regions[i]
		}
	}
	panic("no region " + code)
}

// sharedData returns ../shared/data relative to the module root, or skips
// the test when it is absent.
func sharedData(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("go.mod not found above the test directory")
		}
		dir = parent
	}
	shared := filepath.Join(dir, "..", "shared", "data")
	if _, err := os.Stat(shared); err != nil {
		t.Skipf("real data not available (%s absent); skipping", shared)
	}
	return shared
}
