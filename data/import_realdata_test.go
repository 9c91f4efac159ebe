package data

import (
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/paulmach/orb"

	"github.com/carecircle/carecircle/data/sharedtest"
	"github.com/carecircle/carecircle/geo"
	"github.com/carecircle/carecircle/geo/osm"
	"github.com/carecircle/carecircle/planner"
)

// writeTestCSV writes rows as a UTF-8 CSV with a byte-order mark, as Excel
// saves "CSV UTF-8".
func writeTestCSV(t testing.TB, path string, rows [][]string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("\ufeff")
	w := csv.NewWriter(f)
	w.WriteAll(rows)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func ftoa(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// poaImportTables writes the tables of a Porto Alegre import into dir: a
// community table of points only with Chinese headers and 12-digit codes
// (one community every 40th populated cell, three streets), the grid with
// a 60+ column equal to its population (it has no ages, so everyone counts
// as an elder, as in TestPortoAlegreCoverageMatchesBruteForce), and every
// healthcare cell as a community station.
func poaImportTables(t testing.TB, dir string, cells []poaCell) (comm, fac, grid string) {
	comm, fac, grid = filepath.Join(dir, "社区.csv"), filepath.Join(dir, "设施.csv"), filepath.Join(dir, "grid.csv")
	rows := [][]string{{"社区代码", "社区名称", "所属街道", "所属区县", "经度", "纬度"}}
	n := 0
	for i, c := range cells {
		if c.population == 0 || i%40 != 0 {
			continue
		}
		n++
		street := 1 + n%3
		rows = append(rows, []string{fmt.Sprintf("431490%03d%03d", street, n), fmt.Sprintf("社区%d", n), fmt.Sprintf("街道%d", street), "阿雷格里港中心区", ftoa(c.lon), ftoa(c.lat)})
	}
	writeTestCSV(t, comm, rows)
	rows = [][]string{{"编号", "名称", "类型", "状态", "经度", "纬度", "建筑面积"}}
	for _, c := range cells {
		if c.healthcare > 0 {
			rows = append(rows, []string{"poa-" + c.id, fmt.Sprintf("healthcare ×%d in %s", c.healthcare, c.id), "社区养老服务站", "运营中", ftoa(c.lon), ftoa(c.lat), ftoa(100 * float64(c.healthcare))})
		}
	}
	writeTestCSV(t, fac, rows)
	rows = [][]string{{"id", "lon", "lat", "population", "60岁以上人口"}}
	for _, c := range cells {
		rows = append(rows, []string{c.id, ftoa(c.lon), ftoa(c.lat), ftoa(c.population), ftoa(c.population)})
	}
	writeTestCSV(t, grid, rows)
	return comm, fac, grid
}

// TestImportPortoAlegre imports central Porto Alegre from a table of
// community points, the real population grid and the healthcare cells as
// stations, then checks the bundle against an independent computation
// that shares nothing with the import but the OSM file: its own grid
// reader, its own snapping and its own Dijkstra over the whole graph.
func TestImportPortoAlegre(t *testing.T) {
	pbf := sharedtest.Path(t, "poa", "porto_alegre.osm.pbf")
	cells := poaReadGrid(t, sharedtest.Path(t, "poa", "porto_alegre_hexgrid.csv"))
	dir := t.TempDir()
	comm, fac, grid := poaImportTables(t, dir, cells)
	out := filepath.Join(dir, "poa")
	if d := os.Getenv("IMPORT_KEEP"); d != "" {
		out = d
	}
	res, err := Import(t.Context(), ImportOptions{OSM: pbf, Communities: comm, Facilities: fac, Population: grid, CRS: "wgs84", Out: out, Name: "Porto Alegre"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	b := res.Bundle
	t.Logf("imported in %v: %d regions, %d facilities, %d demand points, %d report rows, boundaries %v",
		res.Duration, len(b.City.Regions), len(b.City.Facilities), len(b.City.Demand), len(res.Issues), res.Boundaries)

	// Every facility is in the bundle, or in the report as far from any
	// walkway.
	healthcare := 0
	for _, c := range cells {
		if c.healthcare > 0 {
			healthcare++
		}
	}
	far := 0
	for _, is := range res.Issues {
		if is.Status == StatusFarFromWalkway {
			far++
		}
	}
	if len(b.City.Facilities)+far != healthcare || healthcare != 117 {
		t.Errorf("%d facilities in the bundle + %d far from walkways, want all %d healthcare cells (117)", len(b.City.Facilities), far, healthcare)
	}
	for _, r := range b.City.Regions {
		if r.Level == planner.LevelCommunity && r.BoundarySource != BoundaryDerived {
			t.Errorf("community %s: boundary source %q, want derived", r.Code, r.BoundarySource)
		}
	}

	// The independent side: every populated cell at its CSV lon/lat,
	// every facility of the bundle, brute-force snaps and Dijkstras.
	p := b.Profile
	bf := newPoaBrute(b.City.Network, p.Walking.SpeedMPS.Value, p.Walking.StepsFactor.Value)
	var fsnaps []poaSnap
	for _, f := range b.City.Facilities {
		s := bf.snap(f.Location)
		if !s.ok {
			t.Fatalf("facility %s is in the bundle but %.0f m from the network", f.ID, s.access)
		}
		fsnaps = append(fsnaps, s)
	}
	type pt struct {
		s      poaSnap
		people float64
		best   float64
	}
	var pts []pt
	var total float64
	for _, c := range cells {
		if c.population > 0 {
			pts = append(pts, pt{s: bf.snap(orb.Point{c.lon, c.lat}), people: c.population, best: math.Inf(1)})
			total += c.population
		}
	}
	for _, fs := range fsnaps {
		dist := bf.dijkstra(fs)
		for i := range pts {
			if pts[i].s.ok {
				pts[i].best = min(pts[i].best, bf.pointSeconds(dist, fs, pts[i].s))
			}
		}
	}
	circle := p.ServiceCircle.UrbanMinutes.Value * 60
	var covered float64
	for _, q := range pts {
		if q.best <= circle {
			covered += q.people
		}
	}

	m, err := planner.NewModel(t.Context(), b.City, p, b.Index)
	if err != nil {
		t.Fatal(err)
	}
	ind := m.Baseline().Summary().City
	if !poaClose(ind.Elders60, total, 1e-9) {
		t.Errorf("bundle counts %.0f elders, the grid %.0f people", ind.Elders60, total)
	}
	if !poaClose(ind.EldersCovered15, covered, 1e-6) || !poaClose(ind.Coverage15, covered/total, 1e-6) {
		t.Errorf("covered within %.0f s: bundle %.0f (%.6f), independent %.0f (%.6f)", circle, ind.EldersCovered15, ind.Coverage15, covered, covered/total)
	}
	t.Logf("15-minute coverage: bundle %.0f of %.0f (%.4f), independent %.0f (%.4f)", ind.EldersCovered15, ind.Elders60, ind.Coverage15, covered, covered/total)
	checkDerivedCover(t, b, demandLocations(b.City))
}

func demandLocations(c *planner.City) []orb.Point {
	pts := make([]orb.Point, len(c.Demand))
	for i, d := range c.Demand {
		pts[i] = d.Location
	}
	return pts
}

// checkDerivedCover checks that the derived community areas do not
// overlap and that each of pts (where people live) lies in exactly one
// community and in that community's area.
func checkDerivedCover(t *testing.T, b *Bundle, pts []orb.Point) {
	t.Helper()
	var areas []int
	for i, r := range b.City.Regions {
		if r.Level == planner.LevelCommunity && r.BoundarySource == BoundaryDerived {
			if _, ok := r.Boundary.(orb.Point); !ok {
				areas = append(areas, i)
			}
		}
	}
	if len(areas) == 0 {
		t.Fatal("no derived community areas")
	}
	bad := 0
	for _, p := range pts {
		n := 0
		for _, i := range areas {
			if geometryContains(b.City.Regions[i].Boundary, p) {
				n++
			}
		}
		if n != 1 {
			bad++
			if bad <= 5 {
				t.Errorf("point (%.6f, %.6f) lies in %d derived community areas, want 1", p[0], p[1], n)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d points not in exactly one derived area", bad, len(pts))
	}
	// Areas of one community never overlap another's: centres of a fine
	// sample of each area's bound are in at most one area.
	for _, d := range b.City.Demand {
		if r := b.City.Regions[d.Community]; r.BoundarySource == BoundaryDerived && !geometryContains(r.Boundary, d.Location) {
			if _, isPoint := r.Boundary.(orb.Point); !isPoint {
				t.Errorf("demand point (%.6f, %.6f) of %s lies outside its community's area", d.Location[0], d.Location[1], r.Code)
				break
			}
		}
	}
	_ = geo.Haversine
}

// TestImportMonaco imports Monaco from nine community points with their
// head counts and no population grid: the people go on the real
// residential buildings, and the derived areas cover every building.
func TestImportMonaco(t *testing.T) {
	pbf := sharedtest.Path(t, "osm", "monaco.osm.pbf")
	dir := t.TempDir()
	comm := filepath.Join(dir, "communities.csv")
	writeTestCSV(t, comm, monacoCommunities(t, pbf))
	res, err := Import(t.Context(), ImportOptions{OSM: pbf, Communities: comm, CRS: "wgs84", Out: filepath.Join(dir, "monaco"), Name: "Monaco"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	b := res.Bundle
	t.Logf("imported in %v: %d regions, %d demand points, %d buildings, boundaries %v",
		res.Duration, len(b.City.Regions), len(b.City.Demand), len(b.Basemap.Buildings), res.Boundaries)
	var elders float64
	for _, d := range b.City.Demand {
		elders += d.Elders60
	}
	if math.Abs(elders-9*1200) > 1e-6 {
		t.Errorf("%.3f elders placed, want the table's 10800", elders)
	}
	for _, m := range b.DemandMethods {
		if m.Method != planner.DemandFromBuildings {
			t.Errorf("community %s: demand placed by %s, want buildings", b.City.Regions[m.Region].Code, m.Method)
		}
	}
	if len(b.City.Demand) < 1000 {
		t.Errorf("%d demand points: the population is not spread over the buildings", len(b.City.Demand))
	}
	var centres []orb.Point
	for _, bl := range b.Basemap.Buildings {
		centres = append(centres, bl.Footprint.Bound().Center())
	}
	checkDerivedCover(t, b, centres)
}

// monacoCommunities places nine communities on a 3 × 3 grid over the
// extract's buildings, each at the building nearest to its grid point.
func monacoCommunities(t testing.TB, pbf string) [][]string {
	t.Helper()
	ex, err := osmLoadBuildings(t, pbf)
	if err != nil {
		t.Fatal(err)
	}
	var bound orb.Bound
	for i, bl := range ex {
		if i == 0 {
			bound = bl.Bound()
		}
		bound = bound.Union(bl.Bound())
	}
	rows := [][]string{{"社区代码", "社区名称", "所属街道", "所属区县", "常住人口", "60岁以上人口", "80岁以上人口", "经度", "纬度"}}
	n := 0
	for i := range 3 {
		for j := range 3 {
			want := orb.Point{bound.Min[0] + (float64(j)+0.5)/3*(bound.Max[0]-bound.Min[0]), bound.Min[1] + (float64(i)+0.5)/3*(bound.Max[1]-bound.Min[1])}
			best, bestD := orb.Point{}, math.Inf(1)
			for _, bl := range ex {
				c := bl.Bound().Center()
				if d := geo.Haversine(c, want); d < bestD {
					best, bestD = c, d
				}
			}
			n++
			rows = append(rows, []string{fmt.Sprintf("492000%03d%03d", 1+i, n), fmt.Sprintf("Quartier %d", n), fmt.Sprintf("Secteur %d", 1+i), "Monaco",
				"4000", "1200", "200", ftoa(best[0]), ftoa(best[1])})
		}
	}
	return rows
}

// TestImportNantong imports the Chinese-named Nantong extract from a GBK
// community table: the streets and communities keep their Chinese names,
// a community without a point is found by its place name, and a facility
// is placed by the name of a bus stop while one whose name is on two
// stops 75 m apart is not placed.
func TestImportNantong(t *testing.T) {
	extract := sharedtest.Path(t, "osm", "nantong.osm")
	dir := t.TempDir()
	comm := filepath.Join(dir, "社区.csv")
	writeGBK(t, comm, [][]string{
		{"社区代码", "社区名称", "所属街道", "所属区县", "常住人口", "60岁以上人口", "经度", "纬度"},
		{"320684101001", "家纺城社区", "叠石桥街道", "海门区", "5200", "1100", "121.0757", "31.9630"},
		{"320684101002", "叠石桥社区", "叠石桥街道", "海门区", "4100", "980", "", ""},
		{"320684102001", "星海社区", "三星镇", "海门区", "3600", "820", "121.0820", "31.9600"},
	})
	fac := filepath.Join(dir, "设施.csv")
	writeTestCSV(t, fac, [][]string{
		{"编号", "名称", "类型", "状态", "地址"},
		{"N1", "家纺城社区养老服务站", "社区养老服务站", "运营中", "家纺城16号门"},
		{"N2", "人才市场助餐点", "老年食堂", "运营中", "江苏省南通市海门区人才市场"},
	})
	res, err := Import(t.Context(), ImportOptions{OSM: extract, Communities: comm, Facilities: fac, CRS: "wgs84", Out: filepath.Join(dir, "nantong"), Name: "海门区"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Loaded back from the written files: the names are the table's.
	names := map[string]string{}
	for _, r := range res.Bundle.City.Regions {
		names[r.Code] = r.Name
		t.Logf("%s %s %s %s", r.Level, r.Code, r.Name, r.BoundarySource)
	}
	for code, name := range map[string]string{"320684101000": "叠石桥街道", "320684102000": "三星镇", "320684000000": "海门区", "320684101002": "叠石桥社区"} {
		if names[code] != name {
			t.Errorf("region %s is called %q, want %q", code, names[code], name)
		}
	}
	status := map[string]string{}
	for _, is := range res.Issues {
		status[is.ID] = is.Status
		t.Logf("%s %s: %s %s", is.Kind, is.ID, is.Status, is.Message)
	}
	if status["N1"] != "fuzzy" || status["N2"] != "ambiguous" || status["320684101002"] != "fuzzy" {
		t.Errorf("statuses %v, want N1 fuzzy, N2 ambiguous, 320684101002 fuzzy", status)
	}
	if n := len(res.Bundle.City.Facilities); n != 1 {
		t.Errorf("%d facilities placed, want 1", n)
	}
}

func osmLoadBuildings(t testing.TB, path string) ([]orb.Ring, error) {
	ex, err := osm.Load(t.Context(), path, osm.Options{Buildings: true})
	if err != nil {
		return nil, err
	}
	var out []orb.Ring
	for _, b := range ex.Buildings {
		if b.Kind != "yes" {
			out = append(out, b.Footprint[0])
		}
	}
	if len(out) == 0 {
		for _, b := range ex.Buildings {
			out = append(out, b.Footprint[0])
		}
	}
	return out, nil
}
