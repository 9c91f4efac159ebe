package planner

import (
	"context"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/carecircle/carecircle/geo"
	"github.com/paulmach/orb"
)

// Hand-checkable town: one straight east-west street of 100 m edges from
// x = 0 to x = 1200 m, the stretch 600–700 m being steps. Elders walk at
// 0.9 m/s and take steps at half speed, so the 15-minute circle (900 s)
// is 810 m on the flat.
//
//	community A (x 0–500, new):  homes at 100 m (10 elders) and 400 m (20)
//	community B (x 500–1200, old): homes at 750 m (30) and 950 m (40)
//
// From the station at x = 0: 100 m = 111 s (within 5 min), 400 m = 444 s
// (within 10), 750 m = (750 + 100 extra for the steps) / 0.9 = 944 s (out:
// on the flat it would be 833 s, in), 950 m = 1167 s (out).

func townX(x float64) orb.Point {
	kx := geo.EarthRadius * math.Pi / 180 * math.Cos(29.56*math.Pi/180)
	return orb.Point{106.55 + x/kx, 29.56}
}

func townStrip(x0, x1 float64) orb.Polygon {
	a, b := townX(x0), townX(x1)
	return orb.Polygon{{{a[0], 29.559}, {b[0], 29.559}, {b[0], 29.561}, {a[0], 29.561}, {a[0], 29.559}}}
}

func handTown(t testing.TB) *City {
	t.Helper()
	var b geo.GraphBuilder
	for i := 0; i <= 12; i++ {
		b.Node(int64(i+1), townX(float64(i)*100))
	}
	for i := 0; i < 12; i++ {
		k := geo.EdgeOther
		if i == 6 {
			k = geo.EdgeSteps
		}
		b.Edge(int32(i), int32(i+1), k)
	}
	g, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return &City{
		Name:    "hand town",
		Network: g,
		Regions: []Region{
			{Code: "500100", Name: "测试区", Level: LevelDistrict},
			{Code: "500100001", Name: "测试街道", Level: LevelStreet, Parent: "500100"},
			{Code: "500100001001", Name: "甲社区", Level: LevelCommunity, Parent: "500100001", Boundary: townStrip(0, 500), AreaType: Urban, Age: NewResidential,
				Population: Population{Residents: 150, Households: 60, Elders60: 30, Elders80: 5}},
			{Code: "500100001002", Name: "乙社区", Level: LevelCommunity, Parent: "500100001", Boundary: townStrip(500, 1200), AreaType: Urban, Age: OldResidential,
				Population: Population{Residents: 300, Households: 120, Elders60: 70, Elders80: 10}},
		},
		Demand: []DemandPoint{
			{Location: townX(100), Community: 2, Population: Population{Residents: 50, Households: 20, Elders60: 10, Elders80: 2}},
			{Location: townX(400), Community: 2, Population: Population{Residents: 100, Households: 40, Elders60: 20, Elders80: 3}},
			{Location: townX(750), Community: 3, Population: Population{Residents: 100, Households: 40, Elders60: 30, Elders80: 4}},
			{Location: townX(950), Community: 3, Population: Population{Residents: 200, Households: 80, Elders60: 40, Elders80: 6}},
		},
		Facilities: []Facility{
			{ID: "S1", Name: "甲社区养老服务站", Type: CommunityStation, Status: Operating, Location: townX(0), FloorArea: 250, Beds: 12, Community: "500100001001"},
			{ID: "S2", Name: "乙社区养老服务站", Type: CommunityStation, Status: Idle, Location: townX(900), FloorArea: 150, Beds: 8, Community: "500100001002"},
			{ID: "H1", Name: "测试敬老院", Type: Institution, Status: Operating, Location: townX(50), FloorArea: 3000, LandArea: 2000, Beds: 100, NursingBeds: 40},
		},
	}
}

func newHandModel(t testing.TB) *Model {
	t.Helper()
	m, err := NewModel(context.Background(), handTown(t), testProfile(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-6*math.Max(1, math.Abs(b)) }

func TestHandTownIndicators(t *testing.T) {
	m := newHandModel(t)
	s := m.Baseline().Summary()
	A, B, street, district := *s.Region(2), *s.Region(3), *s.Region(1), *s.Region(0)
	r := 250.0 / 30 // 2SFCA: S1's floor over the 30 elders it reaches
	for _, tc := range []struct {
		name      string
		got, want float64
	}{
		{"A covered 5 min", A.EldersCovered5, 10},
		{"A covered 10 min", A.EldersCovered10, 30},
		{"A covered 15 min", A.EldersCovered15, 30},
		{"A coverage", A.Coverage15, 1},
		{"A 80+ covered", A.Elders80Covered, 5},
		{"B covered 15 min (steps push 750 m past 15 min)", B.EldersCovered15, 0},
		{"B uncovered", B.EldersUncovered, 70},
		{"street coverage", street.Coverage15, 0.3},
		{"A land required", A.LandRequired, 15},
		{"B land required", B.LandRequired, 30},
		{"A floor required (20 per 100 new households)", A.FloorRequired, 12},
		{"B floor required (15 per 100 old households)", B.FloorRequired, 18},
		{"A floor provided", A.FloorProvided, 250},
		{"B floor provided (idle counts nothing)", B.FloorProvided, 0},
		{"B floor gap", B.FloorGap, 18},
		{"street floor gap (A's surplus does not fill B)", street.FloorGap, 18},
		{"A land provided (land area unknown: floor)", A.LandProvided, 250},
		{"A beds (station + institution)", A.Beds, 112},
		{"street beds per 1000", street.BedsPer1000, 1120},
		{"district nursing share", district.NursingShare, 0.4},
		{"A stations", A.Stations, 1},
		{"B stations", B.Stations, 0},
		{"street communities with station", street.WithStation, 1},
		{"street centres", street.Centres, 0},
		{"district streets with centre", district.WithCentre, 0},
		{"district streets", district.Streets, 1},
		{"A operating", A.Operating, 2},
		{"B idle", B.Idle, 1},
		{"A access", A.Access2SFCA, r},
		{"B access", B.Access2SFCA, 0},
		{"street access", street.Access2SFCA, r * 30 / 100},
		{"city elders", s.City.Elders60, 100},
	} {
		if !near(tc.got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, tc.got, tc.want)
		}
	}
}

func TestHandTownGapsAndFlags(t *testing.T) {
	m := newHandModel(t)
	a, err := m.Baseline().Assess(context.Background(), "baseline")
	if err != nil {
		t.Fatal(err)
	}
	type key struct{ region, indicator, facility string }
	got := map[key]Gap{}
	for _, g := range a.Gaps {
		got[key{g.Region, g.Indicator, g.Facility}] = g
		if g.Clause == "" && g.Source == "" {
			t.Errorf("gap %+v names no clause or source", g)
		}
	}
	for _, w := range []struct {
		k         key
		shortfall float64
		elders    float64
	}{
		{key{"500100001002", "coverage_15min", ""}, 70, 70},
		{key{"500100001002", "community_stations", ""}, 1, 70},
		{key{"500100001002", "floor_provided_m2", ""}, 18, 70},
		{key{"500100001", "street_centers", ""}, 1, 100},
		// idle S2 at 900 m would reach 750 m (167 s), 950 m (56 s) and 400 m
		// ((500 + 100 for the steps) / 0.9 = 667 s); of those, the 30 + 40
		// elders of B are served by no one, the 20 at 400 m by S1.
		{key{"500100001002", "facilities_idle", "S2"}, 1, 70},
		{key{"500100001001", "no_health_nearby", "S1"}, 1, 30},
		{key{"500100", "nursing_bed_share", ""}, 0.55*100 - 40, (0.55*100 - 40) * 1000 / 40},
	} {
		g, ok := got[w.k]
		if !ok {
			t.Errorf("missing gap %+v", w.k)
			continue
		}
		if !near(g.Shortfall, w.shortfall) || !near(g.EldersAffected, w.elders) {
			t.Errorf("gap %+v: shortfall %v elders %v, want %v and %v", w.k, g.Shortfall, g.EldersAffected, w.shortfall, w.elders)
		}
	}
	if len(a.Gaps) == 0 || a.Gaps[0].Rank != 1 {
		t.Fatal("gaps are not ranked")
	}
	for i := 1; i < len(a.Gaps); i++ {
		if a.Gaps[i].EldersAffected > a.Gaps[i-1].EldersAffected {
			t.Fatalf("gap %d affects more elders than gap %d", i+1, i)
		}
	}
	s1 := a.Facilities[0]
	if s1.Elders15 != 30 || !reflect.DeepEqual(s1.Flags, []Flag{FlagNoHealthNearby}) {
		t.Errorf("S1: elders %v flags %v", s1.Elders15, s1.Flags)
	}
	if s2 := a.Facilities[1]; !reflect.DeepEqual(s2.Flags, []Flag{FlagIdle}) || s2.Supply {
		t.Errorf("S2: flags %v supply %v", s2.Flags, s2.Supply)
	}
	if a.Profile.Name != "test" || len(a.Profile.Figures) == 0 {
		t.Error("assessment does not name its profile and figures")
	}
}

func TestWhatIfAddStationCoversCommunityB(t *testing.T) {
	m := newHandModel(t)
	e := m.Baseline().Clone()
	if err := e.Add(Facility{ID: "P1", Name: "拟建站", Type: CommunityStation, Status: Proposed, Location: townX(800), FloorArea: 200, Beds: 10}); err != nil {
		t.Fatal(err)
	}
	s := e.Summary()
	if B := *s.Region(3); B.EldersCovered15 != 70 || B.Stations != 1 || B.Proposed != 1 {
		t.Fatalf("B after adding a station at 800 m: covered %v stations %v proposed %v", B.EldersCovered15, B.Stations, B.Proposed)
	}
	if !near(s.City.Coverage15, 1) {
		t.Fatalf("city coverage %v, want 1", s.City.Coverage15)
	}
	// The baseline is untouched.
	if m.Baseline().Summary().City.EldersCovered15 != 30 {
		t.Fatal("the edit leaked into the baseline")
	}
	// Bad edits change nothing.
	for _, bad := range []Facility{
		{ID: "P1", Type: CommunityStation, Status: Proposed, Location: townX(300)},                // duplicate id
		{ID: "P2", Type: "spa", Status: Proposed, Location: townX(300)},                           // unknown type
		{ID: "P3", Type: CommunityStation, Status: Proposed, Location: townX(300), FloorArea: -1}, // negative area
		{ID: "P4", Type: CommunityStation, Status: Proposed, Location: orb.Point{107, 30}},        // far off the network
	} {
		if err := e.Add(bad); err == nil {
			t.Errorf("bad facility %+v accepted", bad)
		}
	}
	if len(e.Facilities) != 4 {
		t.Fatalf("%d facilities after rejected edits, want 4", len(e.Facilities))
	}
	e.Remove(e.Index("P1"))
	if got := e.Summary().City.EldersCovered15; got != 30 {
		t.Fatalf("after removing it again: covered %v, want 30", got)
	}
}

// TestIncrementalEqualsRebuild applies random edits to a random city and
// checks the incremental state against an evaluation built from scratch.
func TestIncrementalEqualsRebuild(t *testing.T) {
	rng := rand.New(rand.NewPCG(42, 7))
	c := randomCity(t, rng)
	m, err := NewModel(context.Background(), c, testProfile(), nil)
	if err != nil {
		t.Fatal(err)
	}
	e := m.Baseline().Clone()
	e.Summary()
	types := []FacilityType{CommunityStation, StreetCenter, DayCare, Institution}
	for step := 0; step < 60; step++ {
		switch op := rng.IntN(3); {
		case op == 0 || len(e.Facilities) < 3:
			f := randomFacility(rng, c, types, step)
			if err := e.Add(f); err != nil {
				t.Fatal(err)
			}
		case op == 1:
			e.Remove(rng.IntN(len(e.Facilities)))
		default:
			i := rng.IntN(len(e.Facilities))
			f := e.Facilities[i]
			f.Location = randomFacility(rng, c, types, step).Location
			f.FloorArea *= 1.5
			if err := e.Replace(i, f); err != nil {
				t.Fatal(err)
			}
		}
		got := e.Summary()
		fresh, err := NewModel(context.Background(), &City{Name: c.Name, Network: c.Network, Regions: c.Regions, Demand: c.Demand, Facilities: e.Facilities}, testProfile(), nil)
		if err != nil {
			t.Fatal(err)
		}
		want := fresh.Baseline().Summary()
		if !summariesNear(got, want) {
			t.Fatalf("step %d: incremental summary differs from a rebuild:\n got %+v\nwant %+v", step, got.City, want.City)
		}
	}
}

func summariesNear(a, b *Summary) bool {
	eq := func(x, y Indicators) bool {
		vx, vy := reflect.ValueOf(x), reflect.ValueOf(y)
		for i := 0; i < vx.NumField(); i++ {
			if !vx.Type().Field(i).IsExported() {
				continue
			}
			if !near(vx.Field(i).Float(), vy.Field(i).Float()) && math.Abs(vx.Field(i).Float()-vy.Field(i).Float()) > 1e-6 {
				return false
			}
		}
		return true
	}
	if !eq(a.City, b.City) {
		return false
	}
	if a.Len() != b.Len() {
		return false
	}
	for i := range a.Len() {
		if !eq(*a.Region(i), *b.Region(i)) {
			return false
		}
	}
	return true
}

// randomCity is a 1.2 km grid town with two streets of three communities
// and homes scattered along its streets.
func randomCity(t testing.TB, rng *rand.Rand) *City {
	t.Helper()
	var b geo.GraphBuilder
	const n = 13 // 13×13 nodes, 100 m apart
	ky := geo.EarthRadius * math.Pi / 180
	kx := ky * math.Cos(29.56*math.Pi/180)
	at := func(x, y float64) orb.Point { return orb.Point{106.55 + x/kx, 29.56 + y/ky} }
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			b.Node(int64(i*n+j+1), at(float64(i)*100, float64(j)*100))
		}
	}
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			u := int32(i*n + j)
			if i+1 < n {
				b.Edge(u, u+n, geo.EdgeOther)
			}
			if j+1 < n {
				k := geo.EdgeOther
				if rng.IntN(8) == 0 {
					k = geo.EdgeSteps
				}
				b.Edge(u, u+1, k)
			}
		}
	}
	g, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	box := func(x0, y0, x1, y1 float64) orb.Polygon {
		a, c := at(x0, y0), at(x1, y1)
		return orb.Polygon{{a, {c[0], a[1]}, c, {a[0], c[1]}, a}}
	}
	c := &City{Name: "random", Network: g, Regions: []Region{{Code: "D", Name: "D", Level: LevelDistrict}}}
	for s := 0; s < 2; s++ {
		c.Regions = append(c.Regions, Region{Code: string(rune('S' + s)), Name: "street", Level: LevelStreet, Parent: "D"})
	}
	for k := 0; k < 6; k++ {
		x0 := float64(k%3) * 400
		y0 := float64(k/3) * 600
		c.Regions = append(c.Regions, Region{Code: "C" + string(rune('0'+k)), Name: "community", Level: LevelCommunity,
			Parent: string(rune('S' + k/3)), Boundary: box(x0, y0, x0+400, y0+600), AreaType: []AreaType{Urban, Rural}[k%2], Age: NewResidential})
	}
	for i := 0; i < 300; i++ {
		x, y := rng.Float64()*1199, rng.Float64()*1199
		comm := int32(3 + int(x/400) + 3*int(y/600))
		p := Population{Residents: 10 + rng.Float64()*50, Households: 5, Elders60: 3 + rng.Float64()*10, Elders80: 1}
		c.Demand = append(c.Demand, DemandPoint{Location: at(x, y), Community: comm, Population: p})
		r := &c.Regions[comm]
		r.Population = r.Population.Add(p)
	}
	for i := 0; i < 8; i++ {
		c.Facilities = append(c.Facilities, randomFacility(rng, c, []FacilityType{CommunityStation, StreetCenter, DayCare}, 100+i))
	}
	return c
}

func randomFacility(rng *rand.Rand, c *City, types []FacilityType, id int) Facility {
	p := c.Network.Points[rng.IntN(c.Network.NumNodes())]
	statuses := []FacilityStatus{Operating, Operating, Idle, Proposed}
	return Facility{ID: "F" + string(rune('A'+id%26)) + string(rune('a'+id/26)), Name: "f", Type: types[rng.IntN(len(types))],
		Status: statuses[rng.IntN(len(statuses))], Location: orb.Point{p[0] + (rng.Float64()-0.5)*1e-4, p[1]},
		FloorArea: 100 + rng.Float64()*1500, Beds: float64(rng.IntN(60))}
}
