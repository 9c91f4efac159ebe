package synthetic

import (
	"context"
	"errors"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/carecircle/carecircle/geo"
	care "github.com/carecircle/carecircle/planner"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// within is an inclusive range a count must fall in.
type within [2]float64

func (s within) has(x float64) bool { return x >= s[0] && x <= s[1] }

// demoCase is what a preset's demo city must look like.
type demoCase struct {
	preset                 string
	residents, communities within
	streets, districts     within
	facilities, demand     within
	streetGap              bool // a street without a centre (needs ≥ 5 streets)
	long                   bool
}

var demoCases = []demoCase{
	{preset: "tiny", residents: within{38_000, 42_000}, communities: within{8, 12}, streets: within{2, 3}, districts: within{1, 1},
		facilities: within{8, 30}, demand: within{50, 400}},
	{preset: "district", residents: within{570_000, 630_000}, communities: within{75, 85}, streets: within{9, 13}, districts: within{1, 1},
		facilities: within{70, 150}, demand: within{1_000, 5_000}, streetGap: true},
	{preset: "city", residents: within{9_500_000, 10_500_000}, communities: within{4_700, 5_300}, streets: within{270, 340}, districts: within{20, 30},
		facilities: within{4_500, 6_000}, demand: within{50_000, 150_000}, streetGap: true, long: true},
}

// demo is Demo for tests: it fails the test on error.
func demo(t testing.TB, preset string, seed uint64) (*care.City, *City) {
	t.Helper()
	c, net, err := Demo(context.Background(), preset, seed)
	if err != nil {
		t.Fatalf("Demo(%s, %d): %v", preset, seed, err)
	}
	return c, net
}

// TestDemoPresets builds every preset's demo city and checks its counts,
// its people, its hierarchy, its demand points, its facilities and its
// gaps. The full city takes some seconds and is skipped with -short.
func TestDemoPresets(t *testing.T) {
	for _, tc := range demoCases {
		t.Run(tc.preset, func(t *testing.T) {
			if tc.long && testing.Short() {
				t.Skip("the full city takes seconds; run without -short")
			}
			c, net := demo(t, tc.preset, 7)
			t.Run("counts", func(t *testing.T) { checkCounts(t, tc, c) })
			t.Run("people", func(t *testing.T) { checkPeople(t, c) })
			t.Run("hierarchy", func(t *testing.T) { checkHierarchy(t, c) })
			t.Run("demand", func(t *testing.T) { checkDemand(t, c) })
			t.Run("facilities", func(t *testing.T) { checkFacilities(t, c, net) })
			t.Run("gaps", func(t *testing.T) { checkGaps(t, tc, c) })
		})
	}
}

// byLevel returns the regions of a level.
func byLevel(c *care.City, l care.Level) []care.Region {
	var out []care.Region
	for _, r := range c.Regions {
		if r.Level == l {
			out = append(out, r)
		}
	}
	return out
}

func total(rs []care.Region) care.Population {
	var p care.Population
	for _, r := range rs {
		p = p.Add(r.Population)
	}
	return p
}

func checkCounts(t *testing.T, tc demoCase, c *care.City) {
	comms := byLevel(c, care.LevelCommunity)
	pop := total(comms)
	t.Logf("%s: %.0f residents, %.0f aged 60+, %.0f aged 80+, %.0f households; %d communities, %d streets, %d districts; %d facilities, %d health, %d demand points",
		c.Name, pop.Residents, pop.Elders60, pop.Elders80, pop.Households, len(comms), len(byLevel(c, care.LevelStreet)),
		len(byLevel(c, care.LevelDistrict)), len(c.Facilities), len(c.Health), len(c.Demand))
	for _, x := range []struct {
		what string
		n    float64
		want within
	}{
		{"residents", pop.Residents, tc.residents},
		{"communities", float64(len(comms)), tc.communities},
		{"streets", float64(len(byLevel(c, care.LevelStreet))), tc.streets},
		{"districts", float64(len(byLevel(c, care.LevelDistrict))), tc.districts},
		{"facilities", float64(len(c.Facilities)), tc.facilities},
		{"demand points", float64(len(c.Demand)), tc.demand},
	} {
		if !x.want.has(x.n) {
			t.Errorf("%s: %.0f, want %.0f..%.0f", x.what, x.n, x.want[0], x.want[1])
		}
	}
	want := "(synthetic " + tc.preset + ", seed 7)"
	if !strings.HasSuffix(c.Name, want) {
		t.Errorf("name %q does not end in %q", c.Name, want)
	}
}

// checkPeople: the city's shares are the census's, give or take, and
// communities differ.
func checkPeople(t *testing.T, c *care.City) {
	comms := byLevel(c, care.LevelCommunity)
	pop := total(comms)
	for _, x := range []struct {
		what    string
		v, l, h float64
	}{
		{"share aged 60+", pop.Elders60 / pop.Residents, 0.19, 0.25},
		{"share of 60+ aged 80+", pop.Elders80 / pop.Elders60, 0.10, 0.18},
		{"household size", pop.Residents / pop.Households, 2.3, 2.6},
	} {
		if x.v < x.l || x.v > x.h {
			t.Errorf("%s %.3f, want %.2f..%.2f", x.what, x.v, x.l, x.h)
		}
	}
	for _, x := range []struct {
		what         string
		v, census, d float64
	}{
		{"share aged 60+", pop.Elders60 / pop.Residents, float64(censusElders60) / censusResidents, 0.02},
		{"share of 60+ aged 80+", pop.Elders80 / pop.Elders60, float64(censusElders80) / censusElders60, 0.02},
		{"household size", pop.Residents / pop.Households, censusHouseholdSize, 0.1},
	} {
		if math.Abs(x.v-x.census) > x.d {
			t.Errorf("%s %.3f is more than %v off the census's %.3f", x.what, x.v, x.d, x.census)
		}
	}
	var oldShare, newShare []float64
	for _, r := range comms {
		if r.Residents <= 0 {
			continue
		}
		if r.Population != (care.Population{Residents: math.Round(r.Residents), Households: math.Round(r.Households),
			Elders60: math.Round(r.Elders60), Elders80: math.Round(r.Elders80)}) || r.Elders80 > r.Elders60 || r.Elders60 > r.Residents {
			t.Fatalf("community %s: population %+v is not whole, nested counts", r.Code, r.Population)
		}
		if r.AreaType == care.Urban && r.Age == care.OldResidential {
			oldShare = append(oldShare, r.Elders60/r.Residents)
		} else if r.AreaType == care.Urban {
			newShare = append(newShare, r.Elders60/r.Residents)
		}
	}
	if len(oldShare) == 0 || len(newShare) == 0 {
		t.Fatalf("%d old and %d new urban communities; want both", len(oldShare), len(newShare))
	}
	if mean(oldShare) < 0.24 || mean(newShare) > 0.19 {
		t.Errorf("mean share aged 60+: old areas %.3f (want ≥ 0.24), new %.3f (want ≤ 0.19)", mean(oldShare), mean(newShare))
	}
}

func mean(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

var codeDigits = map[care.Level]*regexp.Regexp{
	care.LevelDistrict:  regexp.MustCompile(`^5001\d\d$`),
	care.LevelStreet:    regexp.MustCompile(`^5001\d{5}$`),
	care.LevelCommunity: regexp.MustCompile(`^5001\d{8}$`),
}

var nameSuffix = map[care.Level][]string{
	care.LevelDistrict:  {"区"},
	care.LevelStreet:    {"街道", "镇"},
	care.LevelCommunity: {"社区", "村"},
}

// checkHierarchy: districts, then streets, then communities; unique codes
// of 6, 9 and 12 digits; each parent listed before and one level up, its
// code a prefix of the child's; parents carry their children's sums;
// boundaries are polygons, a street on one bank.
func checkHierarchy(t *testing.T, c *care.City) {
	index := map[string]int{}
	children := map[string]care.Population{}
	rank := map[care.Level]int{care.LevelDistrict: 0, care.LevelStreet: 1, care.LevelCommunity: 2}
	prev := 0
	for i, r := range c.Regions {
		if rank[r.Level] < prev {
			t.Fatalf("region %d (%s %s) is a %s after a lower level", i, r.Code, r.Name, r.Level)
		}
		prev = rank[r.Level]
		if !codeDigits[r.Level].MatchString(r.Code) {
			t.Errorf("%s %s: code %q is not a %s code", r.Level, r.Name, r.Code, r.Level)
		}
		if _, dup := index[r.Code]; dup {
			t.Errorf("code %s used twice", r.Code)
		}
		index[r.Code] = i
		if !slices.ContainsFunc(nameSuffix[r.Level], func(s string) bool { return strings.HasSuffix(r.Name, s) && len(r.Name) > len(s) }) {
			t.Errorf("%s %s: name %q does not end in %v", r.Level, r.Code, r.Name, nameSuffix[r.Level])
		}
		switch r.Boundary.(type) {
		case orb.Polygon, orb.MultiPolygon:
		default:
			t.Errorf("%s %s: boundary is a %T", r.Level, r.Code, r.Boundary)
		}
		if r.AreaType != care.Urban && r.AreaType != care.Rural || r.Age != care.NewResidential && r.Age != care.OldResidential {
			t.Errorf("%s %s: area type %q, age %q", r.Level, r.Code, r.AreaType, r.Age)
		}
		if r.Level == care.LevelStreet {
			if mp, ok := r.Boundary.(orb.MultiPolygon); ok {
				t.Errorf("street %s is in %d pieces", r.Code, len(mp))
			}
		}
		if r.Level == care.LevelDistrict {
			if r.Parent != "" {
				t.Errorf("district %s has parent %q", r.Code, r.Parent)
			}
			continue
		}
		p, ok := index[r.Parent]
		if !ok {
			t.Fatalf("%s %s: parent %q is not listed before it", r.Level, r.Code, r.Parent)
		}
		if rank[c.Regions[p].Level] != rank[r.Level]-1 || !strings.HasPrefix(r.Code, r.Parent) {
			t.Errorf("%s %s: parent %s is a %s", r.Level, r.Code, r.Parent, c.Regions[p].Level)
		}
		children[r.Parent] = children[r.Parent].Add(r.Population)
	}
	for _, r := range c.Regions {
		if r.Level == care.LevelCommunity {
			continue
		}
		if !samePopulation(r.Population, children[r.Code], 1e-6) {
			t.Errorf("%s %s: population %+v, its children sum to %+v", r.Level, r.Code, r.Population, children[r.Code])
		}
	}
}

func samePopulation(p, q care.Population, tol float64) bool {
	return math.Abs(p.Residents-q.Residents) <= tol && math.Abs(p.Households-q.Households) <= tol &&
		math.Abs(p.Elders60-q.Elders60) <= tol && math.Abs(p.Elders80-q.Elders80) <= tol
}

// contains is the planar test the planner uses.
func contains(g orb.Geometry, p orb.Point) bool {
	switch g := g.(type) {
	case orb.Polygon:
		return planar.PolygonContains(g, p)
	case orb.MultiPolygon:
		return planar.MultiPolygonContains(g, p)
	}
	return false
}

// checkDemand: every point lies in its community, and each community's
// points add up to its counts.
func checkDemand(t *testing.T, c *care.City) {
	sums := make([]care.Population, len(c.Regions))
	for i, d := range c.Demand {
		if d.Community < 0 || int(d.Community) >= len(c.Regions) || c.Regions[d.Community].Level != care.LevelCommunity {
			t.Fatalf("demand point %d: community %d is not a community region", i, d.Community)
		}
		r := &c.Regions[d.Community]
		if !contains(r.Boundary, d.Location) {
			t.Fatalf("demand point %d at %v lies outside its community %s", i, d.Location, r.Code)
		}
		if d.Residents < 0 || d.Elders60 < 0 || d.Elders80 < 0 || d.Households < 0 {
			t.Fatalf("demand point %d: negative population %+v", i, d.Population)
		}
		sums[d.Community] = sums[d.Community].Add(d.Population)
	}
	for i, r := range c.Regions {
		if r.Level == care.LevelCommunity && !samePopulation(sums[i], r.Population, 1e-6) {
			t.Errorf("community %s: population %+v, its demand points sum to %+v", r.Code, r.Population, sums[i])
		}
	}
}

// nodeGrid finds graph nodes near a point: a hash of 100 m squares.
type nodeGrid struct {
	plane geo.LocalPlane
	cells map[[2]int][]int32
	pts   []orb.Point
}

const gridM = 100.0

func newNodeGrid(g *geo.Graph) *nodeGrid {
	ng := &nodeGrid{plane: geo.NewLocalPlane(g.Points[0][1]), cells: map[[2]int][]int32{}, pts: g.Points}
	for i, p := range g.Points {
		k := ng.key(p)
		ng.cells[k] = append(ng.cells[k], int32(i))
	}
	return ng
}

func (ng *nodeGrid) key(p orb.Point) [2]int {
	xy := ng.plane.Project(p)
	return [2]int{int(math.Floor(xy[0] / gridM)), int(math.Floor(xy[1] / gridM))}
}

// nearest returns the distance in metres to the nearest node within 100 m,
// or +Inf.
func (ng *nodeGrid) nearest(p orb.Point) float64 {
	k, best := ng.key(p), math.Inf(1)
	for dx := -1; dx <= 1; dx++ {
		for dy := -1; dy <= 1; dy++ {
			for _, n := range ng.cells[[2]int{k[0] + dx, k[1] + dy}] {
				best = min(best, geo.Haversine(p, ng.pts[n]))
			}
		}
	}
	return best
}

// checkFacilities: valid rows with unique ids and names, on land next to
// the network, in the community they name.
func checkFacilities(t *testing.T, c *care.City, net *City) {
	grid := newNodeGrid(c.Network)
	comm := map[string]*care.Region{}
	for i := range c.Regions {
		if c.Regions[i].Level == care.LevelCommunity {
			comm[c.Regions[i].Code] = &c.Regions[i]
		}
	}
	ids, names := map[string]bool{}, map[string]bool{}
	for _, list := range []struct {
		what   string
		fs     []care.Facility
		prefix string
	}{{"facility", c.Facilities, "F"}, {"health facility", c.Health, "H"}} {
		for i := range list.fs {
			f := &list.fs[i]
			if err := f.Validate(); err != nil {
				t.Fatalf("%s %s (%s): %v", list.what, f.ID, f.Name, err)
			}
			if (f.Type == care.Health) != (list.prefix == "H") || !strings.HasPrefix(f.ID, list.prefix) || len(f.ID) != 7 {
				t.Errorf("%s %s: type %s", list.what, f.ID, f.Type)
			}
			if ids[f.ID] || names[f.Name] {
				t.Errorf("%s %s (%s): id or name used twice", list.what, f.ID, f.Name)
			}
			ids[f.ID], names[f.Name] = true, true
			if f.FloorArea <= 0 || f.Operator == "" {
				t.Errorf("%s %s (%s): floor area %v, operator %q", list.what, f.ID, f.Name, f.FloorArea, f.Operator)
			}
			if d := grid.nearest(f.Location); d > 50 {
				t.Errorf("%s %s (%s) at %v is %.0f m from the network", list.what, f.ID, f.Name, f.Location, d)
			}
			if len(net.River) > 0 && planar.PolygonContains(net.River, f.Location) {
				t.Errorf("%s %s (%s) at %v stands in the river", list.what, f.ID, f.Name, f.Location)
			}
			r, ok := comm[f.Community]
			if !ok {
				t.Fatalf("%s %s (%s): community %q is not a community", list.what, f.ID, f.Name, f.Community)
			}
			if !contains(r.Boundary, f.Location) {
				t.Errorf("%s %s (%s) at %v lies outside its community %s", list.what, f.ID, f.Name, f.Location, f.Community)
			}
		}
	}
}

// isBedType is the default profile's list of types whose beds count.
func isBedType(t care.FacilityType) bool {
	return slices.Contains([]care.FacilityType{care.StreetCenter, care.CommunityStation, care.DayCare, care.RuralPoint, care.Institution}, t)
}

// checkGaps: the realistic gaps are there, in realistic shares.
func checkGaps(t *testing.T, tc demoCase, c *care.City) {
	station := map[string]int{}
	centre := map[string]bool{}
	streetOf := map[string]string{}
	for _, r := range c.Regions {
		if r.Level == care.LevelCommunity {
			streetOf[r.Code] = r.Parent
		}
	}
	var idle, stations, idleStations, undersized, beds float64
	types, statuses, operators := map[care.FacilityType]int{}, map[care.FacilityStatus]int{}, map[care.OperatorModel]int{}
	for _, f := range c.Facilities {
		types[f.Type]++
		statuses[f.Status]++
		operators[f.Operator]++
		if f.Status == care.Idle {
			idle++
		}
		if f.Status == care.Operating && isBedType(f.Type) {
			beds += f.Beds
		}
		switch f.Type {
		case care.CommunityStation:
			station[f.Community]++
			stations++
			if f.Status == care.Idle {
				idleStations++
			}
			if f.FloorArea < 200 || f.Beds < 10 {
				undersized++
			}
		case care.StreetCenter:
			centre[streetOf[f.Community]] = true
			if f.FloorArea < 1500 || f.Beds < 50 {
				undersized++
			}
		}
	}
	t.Logf("types %v; statuses %v; operators %v", types, statuses, operators)
	var without, two, urban int
	for _, r := range byLevel(c, care.LevelCommunity) {
		if r.AreaType != care.Urban {
			continue
		}
		urban++
		switch station[r.Code] {
		case 0:
			without++
		case 2:
			two++
		}
	}
	streets := byLevel(c, care.LevelStreet)
	noCentre := 0
	for _, s := range streets {
		if !centre[s.Code] {
			noCentre++
		}
	}
	elders := total(byLevel(c, care.LevelCommunity)).Elders60
	per1000 := beds / elders * 1000
	t.Logf("%d of %d urban communities without a station, %d with two; %.0f of %.0f stations idle; %.0f undersized; %d of %d streets without a centre; %.1f beds per 1000 elders",
		without, urban, two, idleStations, stations, undersized, noCentre, len(streets), per1000)
	if without == 0 || without > urban/3 {
		t.Errorf("%d of %d urban communities without a station; want some, at most a third", without, urban)
	}
	if share := idleStations / stations; idleStations == 0 || share > 0.25 {
		t.Errorf("%.0f of %.0f stations idle; want some, at most a quarter", idleStations, stations)
	}
	if idle == 0 || undersized == 0 {
		t.Errorf("%.0f idle and %.0f undersized facilities; want some of each", idle, undersized)
	}
	if tc.streetGap && (noCentre == 0 || noCentre > len(streets)/3) {
		t.Errorf("%d of %d streets without a centre; want some, at most a third", noCentre, len(streets))
	}
	if per1000 < 15 || per1000 > 38 {
		t.Errorf("%.1f beds per 1000 elders 60+, want 15..38 (below the norm of 40)", per1000)
	}
	if len(operators) < 4 {
		t.Errorf("operator models %v: want them spread", operators)
	}
}

// TestDemoDeterminism: the same preset and seed give the same city; another
// seed another one.
func TestDemoDeterminism(t *testing.T) {
	for _, preset := range []string{"tiny", "district"} {
		t.Run(preset, func(t *testing.T) {
			a, an := demo(t, preset, 3)
			b, bn := demo(t, preset, 3)
			if a.Name != b.Name || !reflect.DeepEqual(a.Regions, b.Regions) || !reflect.DeepEqual(a.Facilities, b.Facilities) ||
				!reflect.DeepEqual(a.Health, b.Health) || !reflect.DeepEqual(a.Demand, b.Demand) ||
				!reflect.DeepEqual(a.Network.Points, b.Network.Points) || !reflect.DeepEqual(an.River, bn.River) {
				t.Fatal("two cities from one seed differ")
			}
			c, _ := demo(t, preset, 4)
			if reflect.DeepEqual(a.Regions, c.Regions) || reflect.DeepEqual(a.Facilities, c.Facilities) || reflect.DeepEqual(a.Demand, c.Demand) {
				t.Error("seeds 3 and 4 give the same regions, facilities or demand")
			}
		})
	}
}

// TestDemoSeeds: the checks hold across seeds, not just for one.
func TestDemoSeeds(t *testing.T) {
	seeds := []uint64{1, 2, 5, 11, 12345}
	if testing.Short() {
		seeds = seeds[:2]
	}
	for _, seed := range seeds {
		c, net := demo(t, "district", seed)
		checkCounts := demoCases[1]
		t.Run("", func(t *testing.T) {
			checkPeople(t, c)
			checkHierarchy(t, c)
			checkDemand(t, c)
			checkFacilities(t, c, net)
			checkGaps(t, checkCounts, c)
		})
	}
}

func TestDemoParams(t *testing.T) {
	if _, _, err := Demo(context.Background(), "metropolis", 1); err == nil || !strings.Contains(err.Error(), "tiny, district, city") {
		t.Errorf("unknown preset: %v, want an error listing the presets", err)
	}
	d, err := DemoPreset("tiny")
	if err != nil {
		t.Fatal(err)
	}
	bad := d
	bad.Residents, bad.Communities, bad.CommunitiesPerStreet, bad.Districts = 0, 0, 0.5, 100
	err = bad.Validate()
	for _, field := range []string{"Residents", "Communities", "CommunitiesPerStreet", "Districts"} {
		if err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("Validate() = %v, want it to name %s", err, field)
		}
	}
	if _, _, err := GenerateDemo(context.Background(), bad, 1); err == nil {
		t.Error("GenerateDemo accepted invalid params")
	}
}

// TestDemoScaled: a demo of other sizes, e.g. a quarter of the city for a
// benchmark, keeps the invariants.
func TestDemoScaled(t *testing.T) {
	d, err := DemoPreset("city")
	if err != nil {
		t.Fatal(err)
	}
	d.Network = d.Network.Scale(1.0 / 40)
	d.Residents, d.Communities, d.Districts = d.Residents/40, d.Communities/40, 2
	c, net, err := GenerateDemo(context.Background(), d, 9)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d communities, %d streets, %d districts", len(byLevel(c, care.LevelCommunity)), len(byLevel(c, care.LevelStreet)), len(byLevel(c, care.LevelDistrict)))
	checkHierarchy(t, c)
	checkDemand(t, c)
	checkFacilities(t, c, net)
}

func TestDemoCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := Demo(ctx, "tiny", 1); !errors.Is(err, context.Canceled) {
		t.Errorf("Demo with a cancelled context: %v", err)
	}
}

// benchmarkDemo builds a preset's demo city and reports its size.
func benchmarkDemo(b *testing.B, preset string) {
	b.ReportAllocs()
	var c *care.City
	for i := 0; b.Loop(); i++ {
		var err error
		if c, _, err = Demo(context.Background(), preset, uint64(i+1)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(total(byLevel(c, care.LevelCommunity)).Residents, "residents")
	b.ReportMetric(float64(len(byLevel(c, care.LevelCommunity))), "communities")
	b.ReportMetric(float64(len(c.Facilities)), "facilities")
	b.ReportMetric(float64(len(c.Demand)), "demand")
}

// BenchmarkDemoCity is the ten-million-resident city; run with
// -benchtime 1x.
func BenchmarkDemoCity(b *testing.B) { benchmarkDemo(b, "city") }

// BenchmarkDemoDistrict is the Yuzhong-sized district.
func BenchmarkDemoDistrict(b *testing.B) { benchmarkDemo(b, "district") }
