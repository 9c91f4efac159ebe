package data

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/uber/h3-go/v4"

	"github.com/carecircle/carecircle/data/crs"
	"github.com/carecircle/carecircle/planner"
)

func h3At(t *testing.T, p orb.Point, res int) string {
	t.Helper()
	c, err := h3.LatLngToCell(h3.NewLatLng(p[1], p[0]), res)
	if err != nil {
		t.Fatal(err)
	}
	return c.String()
}

func TestPopulationGrid(t *testing.T) {
	f := newFixture()
	// 北园社区 (C2) gives no numbers: it takes its cells' sums.
	for _, k := range []string{"residents", "households", "elders_60", "elders_80"} {
		delete(f.region("320602001002").props, k)
	}
	gcj := func(p orb.Point) []string {
		q := crs.FromWGS84(crs.GCJ02, p)
		return []string{formatNumber(q[0]), formatNumber(q[1])}
	}
	row := func(h3id string, lonlat []string, residents, elders, community string) []string {
		if lonlat == nil {
			lonlat = []string{"", ""}
		}
		return []string{h3id, lonlat[0], lonlat[1], residents, elders, community}
	}
	f.population = [][]string{
		{"h3", "经度", "纬度", "常住人口", "60岁以上", "所属社区"},
		row(h3At(t, orb.Point{120.857, 32.007}, 10), nil, "100", "20", ""),            // C1
		row(h3At(t, orb.Point{120.859, 32.009}, 10), nil, "300", "60", ""),            // C1
		row("", gcj(orb.Point{120.857, 32.012}), "50", "10", ""),                      // C2
		row("", gcj(orb.Point{120.859, 32.013}), "150", "30", ""),                     // C2
		row("", gcj(orb.Point{120.870, 32.020}), "999", "9", ""),                      // in no community: left out
		row("", gcj(orb.Point{120.857, 32.007}), "10", "1", "东园社区"),                   // coded to C3 wherever it lies
		row(h3At(t, orb.Point{120.8625, 32.0075}, 10), nil, "0", "0", "320602002001"), // C3
	}
	f.config += "population: population.csv\n"
	b := load(t, f.write(t))
	c := b.City

	byCode := map[string]int{}
	for i, r := range c.Regions {
		byCode[r.Code] = i
	}
	method := map[string]planner.DemandMethod{}
	for _, m := range b.DemandMethods {
		method[c.Regions[m.Region].Code] = m.Method
	}
	for code, want := range map[string]planner.DemandMethod{
		"320602001001": planner.DemandFromGrid, "320602001002": planner.DemandFromGrid,
		"320602002001": planner.DemandFromGrid, "320602002002": planner.DemandAtPoint,
	} {
		if method[code] != want {
			t.Errorf("community %s: demand from %s, want %s", code, method[code], want)
		}
	}
	// C2 took the sums of its cells; households and 80+ are not in the
	// grid, so they are 0.
	if got := c.Regions[byCode["320602001002"]].Population; got != (planner.Population{Residents: 200, Elders60: 40}) {
		t.Errorf("C2 population %+v, want the grid's 200 residents and 40 elders", got)
	}
	// C1 kept its own numbers, spread 1:3 as the grid's residents and
	// elders; households, absent from the grid, follow residents.
	var c1 []planner.DemandPoint
	for _, d := range c.Demand {
		if c.Regions[d.Community].Code == "320602001001" {
			c1 = append(c1, d)
		}
	}
	if len(c1) != 2 || math.Abs(c1[0].Residents-750) > 1e-9 || math.Abs(c1[1].Elders60-525) > 1e-9 || math.Abs(c1[0].Households-275) > 1e-9 {
		t.Errorf("C1 demand %+v, want residents 750/2250, elders 175/525, households 275/825", c1)
	}
	// The H3 cells are located at their centres.
	cell := h3.CellFromString(f.population[1][0])
	ll, _ := cell.LatLng()
	if c1[0].Location != (orb.Point{ll.Lng, ll.Lat}) {
		t.Errorf("cell at %v, want its centre %v", c1[0].Location, ll)
	}
	checkConservation(t, c)
	if b.Stats.PopulationCells != 6 {
		t.Errorf("%d population cells used, want 6", b.Stats.PopulationCells)
	}

	all := ""
	for _, w := range b.Warnings {
		all += w.String() + "\n"
	}
	for _, want := range []string{
		"population.csv: row 6: 1 cells (first on row 6; 999 residents, 9 elders 60+ in all) lie in no community and name none; they are left out",
		"population.csv: 1 communities take their numbers from this file, which has no households, elders_80 column; those counts are 0",
		`regions.geojson: feature 5 (code "320602001000"): residents: 5000 differs from the sum of its communities, 3200`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("warnings lack %q:\n%s", want, all)
		}
	}
}

func TestReadPopulationOtherHeaders(t *testing.T) {
	// The header of the Ipea hexgrids (r5r's Porto Alegre example):
	// id is the H3 cell, population the residents; other columns are
	// ignored, and the H3 id wins over lon/lat.
	dir := t.TempDir()
	path := filepath.Join(dir, "grid.csv")
	src := "id,lon,lat,population,schools,jobs,healthcare\n" +
		"89a901291abffff,-51.1582459466033,-30.0538460280879,0,0,1214,0\n" +
		"89a9012a3cfffff,-51.2118666785315,-30.1005760100267,159,0,0,0\n"
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	g, probs, _ := readPopulation(path, "grid.csv", crs.WGS84, nil, Limits{})
	if len(probs) > 0 {
		t.Fatalf("problems: %v", probs)
	}
	if len(g.cells) != 2 || g.cells[1].Residents != 159 || g.cohorts != [4]bool{true, false, false, false} {
		t.Fatalf("cells %+v, cohorts %v", g.cells, g.cohorts)
	}
	if p := g.cells[1].Location; math.Abs(p[0]+51.2118666785315) > 1e-5 || math.Abs(p[1]+30.1005760100267) > 1e-5 {
		t.Errorf("cell centre %v, want about the file's lon/lat", p)
	}

	// An "id" column of row numbers is not taken for H3 ids.
	src = "id,lon,lat,population\n1,-51.2,-30.1,10\n2,-51.3,-30.2,20\n"
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	g, probs, warns := readPopulation(path, "grid.csv", crs.WGS84, nil, Limits{})
	if len(probs) > 0 || len(g.cells) != 2 || g.cells[1].Location != (orb.Point{-51.3, -30.2}) {
		t.Fatalf("cells %+v, problems %v", g.cells, probs)
	}
	if len(warns) != 1 || !strings.Contains(warns[0].String(), `grid.csv: row 1: id: not H3 cell ids (row 2 has "1"); cells are located by lon/lat`) {
		t.Errorf("warnings %v", warns)
	}

	// The real file, when present.
	shared := sharedData(t)
	real := filepath.Join(shared, "poa", "porto_alegre_hexgrid.csv")
	g, probs, _ = readPopulation(real, "porto_alegre_hexgrid.csv", crs.WGS84, nil, Limits{})
	if len(probs) > 0 {
		t.Fatalf("problems: %v", probs[0])
	}
	var total float64
	for _, c := range g.cells {
		total += c.Residents
	}
	if len(g.cells) != 1227 || total <= 0 {
		t.Errorf("%d cells with %v residents, want 1227 cells", len(g.cells), total)
	}
	t.Logf("Porto Alegre grid: %d cells, %.0f residents", len(g.cells), total)
}

func TestUnsnappedDemandKept(t *testing.T) {
	f := newFixture()
	// 点社区 stands 400 m east and 400 m north of the grid's corner: in the
	// network's area, but 566 m from any walkway.
	f.region("320602002002").geom = orb.Point{120.86824, 32.0176}
	b := load(t, f.write(t))
	if len(b.Unsnapped) != 1 {
		t.Fatalf("%d unsnapped points, want 1", len(b.Unsnapped))
	}
	d := b.City.Demand[b.Unsnapped[0].Index]
	if b.City.Regions[d.Community].Code != "320602002002" || d.Residents != 500 {
		t.Errorf("unsnapped point %+v, want the point community's 500 residents", d)
	}
	found := false
	for _, w := range b.Warnings {
		if strings.Contains(w.String(), `regions.geojson: feature 4 (code "320602002002"): 1 demand points of community 点社区 (500 residents, 150 elders 60+) are more than 500 m from any walkway; they stay in the city and count as uncovered`) {
			found = true
		}
	}
	if !found {
		t.Errorf("no warning about the unsnapped point: %v", b.Warnings)
	}
}
