package planner

import (
	"math"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
	"github.com/paulmach/orb/planar"
)

// rect is a counter-clockwise rectangle polygon in lon/lat.
func rect(lon0, lat0, lon1, lat1 float64) orb.Polygon {
	return orb.Polygon{{{lon0, lat0}, {lon1, lat0}, {lon1, lat1}, {lon0, lat1}, {lon0, lat0}}}
}

// demandRegions is a street with communities around Nantong (≈ 120.86°E,
// 32.01°N), each about 400 m × 400 m.
func demandRegions() []Region {
	pop := func(r, h, e60, e80 float64) Population { return Population{r, h, e60, e80} }
	return []Region{
		{Code: "S1", Name: "街道", Level: LevelStreet},
		{Code: "C1", Name: "楼房社区", Level: LevelCommunity, Parent: "S1", Boundary: rect(120.860, 32.010, 120.864, 32.014), Population: pop(3000, 1100, 700, 90)},
		{Code: "C2", Name: "无楼社区", Level: LevelCommunity, Parent: "S1", Boundary: rect(120.864, 32.010, 120.868, 32.014), Population: pop(2000, 800, 500, 60)},
		{Code: "C3", Name: "点社区", Level: LevelCommunity, Parent: "S1", Boundary: orb.Point{120.870, 32.012}, Population: pop(900, 300, 250, 40)},
		{Code: "C4", Name: "小社区", Level: LevelCommunity, Parent: "S1", Boundary: rect(120.8700, 32.0100, 120.8701, 32.0101), Population: pop(50, 20, 10, 1)},
		{Code: "C5", Name: "网格社区", Level: LevelCommunity, Parent: "S1", Boundary: rect(120.860, 32.014, 120.864, 32.018), Population: pop(1200, 400, 300, 30)},
		{Code: "C6", Name: "多边形社区", Level: LevelCommunity, Parent: "S1",
			Boundary:   orb.MultiPolygon{rect(120.864, 32.014, 120.866, 32.016), rect(120.866, 32.016, 120.868, 32.018)},
			Population: pop(800, 300, 200, 20)},
	}
}

func TestSpreadDemandMethodsAndConservation(t *testing.T) {
	regions := demandRegions()
	buildings := []Building{
		// C1: two residential buildings and one of unknown use, which is
		// ignored because residential ones exist.
		{Footprint: rect(120.8605, 32.0105, 120.8610, 32.0110), Levels: 6, Residential: true},
		{Footprint: rect(120.8620, 32.0120, 120.8625, 32.0125), Levels: 0, Residential: true},
		{Footprint: rect(120.8630, 32.0130, 120.8632, 32.0132), Levels: 30},
		// Outside every community: ignored.
		{Footprint: rect(120.900, 32.100, 120.901, 32.101), Levels: 3, Residential: true},
		// C6: only buildings of unknown use, so they are used.
		{Footprint: rect(120.8645, 32.0145, 120.8650, 32.0150)},
	}
	grid := []PopulationCell{
		// C5: residents only, no cohorts.
		{Location: orb.Point{120.861, 32.015}, Community: 5, Population: Population{Residents: 100}},
		{Location: orb.Point{120.863, 32.017}, Community: 5, Population: Population{Residents: 300}},
	}
	points, report, err := SpreadDemand(regions, buildings, grid, SpreadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wantMethod := map[string]DemandMethod{
		"C1": DemandFromBuildings, "C2": DemandFromH3, "C3": DemandAtPoint,
		"C4": DemandAtPoint, "C5": DemandFromGrid, "C6": DemandFromBuildings,
	}
	if len(report) != len(wantMethod) {
		t.Fatalf("report has %d communities, want %d", len(report), len(wantMethod))
	}
	for _, cd := range report {
		r := regions[cd.Region]
		if got := cd.Method; got != wantMethod[r.Code] {
			t.Errorf("%s: method %s, want %s", r.Code, got, wantMethod[r.Code])
		}
		if cd.Points < 1 {
			t.Errorf("%s: no demand points", r.Code)
		}
		var sum Population
		for _, p := range points[cd.First : cd.First+cd.Points] {
			if p.Community != cd.Region {
				t.Errorf("%s: point assigned to region %d", r.Code, p.Community)
			}
			if poly, ok := r.Boundary.(orb.Polygon); ok && !planar.PolygonContains(poly, p.Location) {
				t.Errorf("%s: point %v outside the community", r.Code, p.Location)
			}
			sum = sum.Add(p.Population)
		}
		for _, c := range []struct {
			name      string
			got, want float64
		}{
			{"residents", sum.Residents, r.Residents}, {"households", sum.Households, r.Households},
			{"elders_60", sum.Elders60, r.Elders60}, {"elders_80", sum.Elders80, r.Elders80},
		} {
			if math.Abs(c.got-c.want) > 1e-6*c.want {
				t.Errorf("%s: %s sum %v, want %v", r.Code, c.name, c.got, c.want)
			}
		}
	}
	if n := len(points); n != report[len(report)-1].First+report[len(report)-1].Points {
		t.Errorf("report does not cover the %d points", n)
	}

	// C1: weights are footprint m² × levels, levels 0 counting as 1.
	c1 := points[report[0].First : report[0].First+report[0].Points]
	if len(c1) != 2 {
		t.Fatalf("C1 has %d points, want 2 (residential buildings only)", len(c1))
	}
	a0, a1 := orbgeo.Area(buildings[0].Footprint)*6, orbgeo.Area(buildings[1].Footprint)*1
	if got, want := c1[0].Residents, 3000*a0/(a0+a1); math.Abs(got-want) > 1e-9 {
		t.Errorf("C1 first building residents %v, want %v", got, want)
	}
	if c, _ := planar.CentroidArea(buildings[0].Footprint); c1[0].Location != c {
		t.Errorf("C1 first point at %v, want the centroid %v", c1[0].Location, c)
	}
	// C2: about (400 m)² / 15,000 m² ≈ 10 res-10 cells, evenly.
	c2 := points[report[1].First : report[1].First+report[1].Points]
	if len(c2) < 5 || len(c2) > 20 {
		t.Errorf("C2 has %d H3 points, want about 10", len(c2))
	}
	for _, p := range c2 {
		if math.Abs(p.Residents-2000/float64(len(c2))) > 1e-9 {
			t.Errorf("C2 point residents %v, want an even share", p.Residents)
		}
	}
	// C3: the community's own point.
	if p := points[report[2].First]; p.Location != (orb.Point{120.870, 32.012}) {
		t.Errorf("C3 point at %v, want the community's point", p.Location)
	}
	// C5: residents 1:3 as in the grid; elders, absent from the grid,
	// follow residents.
	c5 := points[report[4].First : report[4].First+report[4].Points]
	if math.Abs(c5[0].Residents-300) > 1e-9 || math.Abs(c5[1].Elders60-225) > 1e-9 {
		t.Errorf("C5 points %+v, want residents 300/900 and elders 75/225", c5)
	}
}

func TestSpreadDemandGridKeepsOwnCounts(t *testing.T) {
	// A community whose numbers are the sums of its cells keeps the cells'
	// counts exactly: the grid is used as is.
	cells := []PopulationCell{
		{Location: orb.Point{120.861, 32.011}, Population: Population{100, 40, 30, 3}},
		{Location: orb.Point{120.862, 32.012}, Population: Population{250, 90, 10, 7}},
		{Location: orb.Point{120.863, 32.013}, Population: Population{0, 0, 0, 0}},
	}
	var total Population
	for i := range cells {
		cells[i].Community = 0
		total = total.Add(cells[i].Population)
	}
	regions := []Region{{Code: "C", Level: LevelCommunity, Boundary: rect(120.86, 32.01, 120.864, 32.014), Population: total}}
	points, _, err := SpreadDemand(regions, nil, cells, SpreadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range points {
		if p.Population != cells[i].Population || p.Location != cells[i].Location {
			t.Errorf("point %d = %+v, want the cell %+v", i, p, cells[i])
		}
	}
}

func TestSpreadDemandErrors(t *testing.T) {
	good := []Region{{Code: "C1", Name: "社区", Level: LevelCommunity, Boundary: rect(120.86, 32.01, 120.864, 32.014)}}
	tests := []struct {
		name    string
		regions []Region
		grid    []PopulationCell
		opt     SpreadOptions
		want    string
	}{
		{"cell without community", good, []PopulationCell{{Community: -1}}, SpreadOptions{}, "not a community"},
		{"cell naming a street", []Region{{Code: "S", Level: LevelStreet}, good[0]}, []PopulationCell{{Community: 0}}, SpreadOptions{}, "not a community"},
		{"community without boundary", []Region{{Code: "C9", Name: "无界", Level: LevelCommunity}}, nil, SpreadOptions{}, "C9 (无界) has boundary none"},
		{"community with a line", []Region{{Code: "C9", Level: LevelCommunity, Boundary: orb.LineString{{1, 1}, {2, 2}}}}, nil, SpreadOptions{}, "LineString"},
		{"bad resolution", good, nil, SpreadOptions{Res: 16}, "resolution 16"},
		{"bad levels", good, nil, SpreadOptions{DefaultLevels: -1}, "levels -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := SpreadDemand(tt.regions, nil, tt.grid, tt.opt)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestAssignCommunities(t *testing.T) {
	regions := []Region{
		{Code: "S", Level: LevelStreet, Boundary: rect(0, 0, 10, 10)}, // not a community: never assigned
		{Code: "A", Level: LevelCommunity, Boundary: rect(0, 0, 2, 2)},
		{Code: "B", Level: LevelCommunity, Boundary: rect(1, 1, 3, 3)}, // overlaps A
		{Code: "M", Level: LevelCommunity, Boundary: orb.MultiPolygon{rect(5, 5, 6, 6), rect(7, 7, 8, 8)}},
		{Code: "P", Level: LevelCommunity, Boundary: orb.Point{9, 9}}, // a point contains nothing
		{Code: "H", Level: LevelCommunity, Boundary: orb.Polygon{rect(20, 20, 24, 24)[0], {{21, 21}, {21, 23}, {23, 23}, {23, 21}, {21, 21}}}},
	}
	tests := []struct {
		p    orb.Point
		want int32
	}{
		{orb.Point{0.5, 0.5}, 1},
		{orb.Point{1.5, 1.5}, 1}, // in A and B: the first wins
		{orb.Point{2.5, 2.5}, 2},
		{orb.Point{7.5, 7.5}, 3},
		{orb.Point{6.5, 6.5}, -1}, // between M's parts
		{orb.Point{9, 9}, -1},
		{orb.Point{20.5, 20.5}, 5},
		{orb.Point{22, 22}, -1}, // in H's hole
		{orb.Point{50, 50}, -1},
	}
	pts := make([]orb.Point, len(tests))
	for i, tt := range tests {
		pts[i] = tt.p
	}
	got := AssignCommunities(regions, pts)
	for i, tt := range tests {
		if got[i] != tt.want {
			t.Errorf("point %v: community %d, want %d", tt.p, got[i], tt.want)
		}
	}
}

func TestInteriorPoint(t *testing.T) {
	// A U shape: its centroid is in the gap between the arms.
	u := orb.Polygon{{{0, 0}, {3, 0}, {3, 3}, {2, 3}, {2, 1}, {1, 1}, {1, 3}, {0, 3}, {0, 0}}}
	if c, _ := planar.CentroidArea(u); planar.PolygonContains(u, c) {
		t.Fatalf("test shape's centroid %v is inside; the test needs one outside", c)
	}
	tests := []struct {
		name string
		g    orb.Geometry
	}{
		{"square", rect(0, 0, 1, 1)},
		{"U shape", u},
		{"multipolygon of U and a square", orb.MultiPolygon{rect(10, 10, 10.1, 10.1), u}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := InteriorPoint(tt.g)
			if !boundaryContains(tt.g, p) {
				t.Errorf("InteriorPoint = %v, not inside", p)
			}
		})
	}
	if p := InteriorPoint(orb.Point{4, 5}); p != (orb.Point{4, 5}) {
		t.Errorf("InteriorPoint(point) = %v", p)
	}
}
