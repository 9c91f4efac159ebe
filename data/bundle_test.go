package data

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
	"github.com/paulmach/orb/planar"

	"github.com/carecircle/carecircle/data/crs"
	"github.com/carecircle/carecircle/geo"
	"github.com/carecircle/carecircle/planner"
)

func load(t *testing.T, dir string) *Bundle {
	t.Helper()
	b, err := LoadBundle(context.Background(), dir, nil)
	if err != nil {
		t.Fatalf("LoadBundle: %v", err)
	}
	return b
}

func TestLoadBundleFixture(t *testing.T) {
	b := load(t, newFixture().write(t))
	c := b.City

	if c.Name != "南通测试城" || b.Config.CRS != crs.GCJ02 || b.Profile.Name != "cn-default" {
		t.Errorf("name %q, crs %q, profile %q", c.Name, b.Config.CRS, b.Profile.Name)
	}

	// Network: the 5 × 5 grid and the island's one walkway, kept as a
	// second piece.
	g := c.Network
	if g.NumNodes() != 27 || g.NumEdges() != 41 || b.Stats.OSM.Pieces != 2 || b.Stats.OSM.OffMainNodes != 2 {
		t.Errorf("network: %d nodes, %d edges, %d pieces, %d nodes off the main one; want 27, 41, 2, 2",
			g.NumNodes(), g.NumEdges(), b.Stats.OSM.Pieces, b.Stats.OSM.OffMainNodes)
	}
	kinds := map[geo.EdgeKind]int{}
	for _, k := range g.EdgeKind {
		kinds[k]++
	}
	if kinds[geo.EdgeSteps] != 1 || kinds[geo.EdgeCrossing] != 1 {
		t.Errorf("edge kinds %v, want one steps and one crossing", kinds)
	}
	if len(b.Basemap.Buildings) != 4 {
		t.Errorf("basemap has %d buildings, want 4", len(b.Basemap.Buildings))
	}

	// Regions: parents first, numbers summed, properties inherited.
	type reg struct {
		code, parent string
		level        planner.Level
		area         planner.AreaType
		age          planner.ResidentialAge
		pop          planner.Population
	}
	pop := func(r, h, e60, e80 float64) planner.Population {
		return planner.Population{Residents: r, Households: h, Elders60: e60, Elders80: e80}
	}
	want := []reg{
		{"320602000000", "", planner.LevelDistrict, planner.Urban, "", pop(7000, 2500, 1750, 200)},
		{"320602001000", "320602000000", planner.LevelStreet, planner.Urban, "", pop(5000, 1900, 1200, 150)},
		{"320602002000", "320602000000", planner.LevelStreet, planner.Urban, "", pop(2000, 600, 550, 50)},
		{"320602001001", "320602001000", planner.LevelCommunity, planner.Urban, planner.OldResidential, pop(3000, 1100, 700, 90)},
		{"320602001002", "320602001000", planner.LevelCommunity, planner.Urban, "", pop(2000, 800, 500, 60)},
		{"320602002001", "320602002000", planner.LevelCommunity, planner.Rural, "", pop(1500, 600, 400, 50)},
		{"320602002002", "320602002000", planner.LevelCommunity, planner.Urban, "", pop(500, 0, 150, 0)},
	}
	if len(c.Regions) != len(want) {
		t.Fatalf("%d regions, want %d", len(c.Regions), len(want))
	}
	for i, w := range want {
		r := c.Regions[i]
		got := reg{r.Code, r.Parent, r.Level, r.AreaType, r.Age, r.Population}
		if got != w {
			t.Errorf("region %d = %+v, want %+v", i, got, w)
		}
	}
	if p, ok := c.Regions[6].Boundary.(orb.Point); !ok || !near(p, orb.Point{120.862, 32.012}, 1e-8) {
		t.Errorf("point community at %v, want (120.862, 32.012) after GCJ-02 conversion", c.Regions[6].Boundary)
	}
	if poly, ok := c.Regions[3].Boundary.(orb.Polygon); !ok || !near(poly[0][2], orb.Point{120.860, 32.010}, 1e-8) {
		t.Errorf("community boundary %v, want the WGS84 box", c.Regions[3].Boundary)
	}

	// Facilities: Chinese headers and values, GCJ-02 converted.
	wantFac := []planner.Facility{
		{ID: "F1", Name: "南园街道养老服务中心", Type: planner.StreetCenter, Status: planner.Operating, Operator: planner.PublicBuiltPrivateRun,
			FloorArea: 1600, LandArea: 800, Beds: 50, NursingBeds: 30, Community: "320602001001"},
		{ID: "F2", Name: "北园社区养老服务站", Type: planner.CommunityStation, Status: planner.Idle, Operator: planner.Private,
			FloorArea: 220, Beds: 10, Community: "320602001002"}, // by point in polygon
		{ID: "F3", Name: "东园日间照料中心", Type: planner.DayCare, Status: planner.UnderConstruction,
			FloorArea: 350.5, Community: "320602002001"}, // by community name
	}
	wantHealth := []planner.Facility{
		{ID: "F4", Name: "点社区卫生服务站", Type: planner.Health, Status: planner.Operating, FloorArea: 120, Community: "320602002002"},
		{ID: "H1", Name: "崇川社区卫生服务中心", Type: planner.Health, Status: planner.Operating, FloorArea: 2000},
	}
	checkFacilities := func(what string, got, want []planner.Facility) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: %d, want %d", what, len(got), len(want))
		}
		for i := range want {
			g := got[i]
			if !near(g.Location, facilityAt[g.ID], 1e-8) {
				t.Errorf("%s %s at %.9f, want %.9f", what, g.ID, g.Location, facilityAt[g.ID])
			}
			// The location is exactly what data/crs makes of the input.
			if in := crs.FromWGS84(crs.GCJ02, facilityAt[g.ID]); g.Location != crs.ToWGS84(crs.GCJ02, in) {
				t.Errorf("%s %s at %v, want crs.ToWGS84 of the input", what, g.ID, g.Location)
			}
			g.Location = orb.Point{}
			if g != want[i] {
				t.Errorf("%s %d =\n %+v, want\n %+v", what, i, g, want[i])
			}
		}
	}
	checkFacilities("facility", c.Facilities, wantFac)
	checkFacilities("health facility", c.Health, wantHealth)
	if len(b.FacilitySnaps) != 3 || len(b.HealthSnaps) != 2 {
		t.Errorf("%d facility and %d health snaps", len(b.FacilitySnaps), len(b.HealthSnaps))
	}

	// Demand: buildings in C1 and C3, H3 cells in C2, a point for C4.
	wantMethods := []planner.DemandMethod{planner.DemandFromBuildings, planner.DemandFromH3, planner.DemandFromBuildings, planner.DemandAtPoint}
	for i, m := range b.DemandMethods {
		if m.Method != wantMethods[i] {
			t.Errorf("community %s: demand from %s, want %s", c.Regions[m.Region].Code, m.Method, wantMethods[i])
		}
	}
	c1 := c.Demand[b.DemandMethods[0].First : b.DemandMethods[0].First+b.DemandMethods[0].Points]
	if len(c1) != 2 {
		t.Fatalf("C1 has %d demand points, want 2 (the commercial building holds none)", len(c1))
	}
	w0, w1 := orbgeo.Area(fixtureBuildings[0].poly)*6, orbgeo.Area(fixtureBuildings[1].poly)
	if got, want := c1[0].Elders60, 700*w0/(w0+w1); math.Abs(got-want) > 1e-9 {
		t.Errorf("C1 first building elders %v, want %v", got, want)
	}
	if cen, _ := planar.CentroidArea(fixtureBuildings[0].poly); !near(c1[0].Location, cen, 1e-12) {
		t.Errorf("C1 first point %v, want the centroid %v", c1[0].Location, cen)
	}
	checkConservation(t, c)
	if len(b.DemandSnaps) != len(c.Demand) || len(b.Unsnapped) != 0 {
		t.Errorf("%d snaps for %d points, %d unsnapped", len(b.DemandSnaps), len(c.Demand), len(b.Unsnapped))
	}

	// The district's own residents (8000) disagree with its communities'.
	if len(b.Warnings) != 1 || !strings.Contains(b.Warnings[0].String(), `regions.geojson: feature 7 (code "320602000000"): residents: 8000 differs from the sum of its streets, 7000`) {
		t.Errorf("warnings %v", b.Warnings)
	}
}

// checkConservation checks that every community's demand points add up to
// its numbers.
func checkConservation(t *testing.T, c *planner.City) {
	t.Helper()
	sums := make([]planner.Population, len(c.Regions))
	for _, d := range c.Demand {
		sums[d.Community] = sums[d.Community].Add(d.Population)
	}
	for i, r := range c.Regions {
		if r.Level != planner.LevelCommunity {
			continue
		}
		s := sums[i]
		for _, x := range [][2]float64{{s.Residents, r.Residents}, {s.Households, r.Households}, {s.Elders60, r.Elders60}, {s.Elders80, r.Elders80}} {
			if math.Abs(x[0]-x[1]) > 1e-6*math.Max(1, x[1]) {
				t.Errorf("community %s: demand sums to %+v, want %+v", r.Code, s, r.Population)
				break
			}
		}
	}
}

func near(a, b orb.Point, tol float64) bool {
	return math.Abs(a[0]-b[0]) <= tol && math.Abs(a[1]-b[1]) <= tol
}

func TestBundleRoundTrip(t *testing.T) {
	f := newFixture()
	f.config += "walk:\n  steps_factor: 3.5\n"
	orig := load(t, f.write(t))
	if fig := orig.Profile.Walking.StepsFactor; fig.Value != 3.5 || fig.Source != WalkOverrideSource {
		t.Fatalf("steps factor %+v, want the city.yaml override", fig)
	}

	out := filepath.Join(t.TempDir(), "out")
	if err := WriteBundle(out, orig); err != nil {
		t.Fatal(err)
	}
	cfg, err := os.ReadFile(filepath.Join(out, ConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"# generated by carecircle gen", "profile: cn-default", "steps_factor: 3.5", "crs: wgs84", "osm: network.osm.gz"} {
		if !strings.Contains(string(cfg), s) {
			t.Errorf("city.yaml lacks %q:\n%s", s, cfg)
		}
	}
	back := load(t, out)

	g0, g1 := orig.City.Network, back.City.Network
	if g0.NumNodes() != g1.NumNodes() || g0.NumEdges() != g1.NumEdges() {
		t.Fatalf("graph %d/%d nodes/edges, back %d/%d", g0.NumNodes(), g0.NumEdges(), g1.NumNodes(), g1.NumEdges())
	}
	if !reflect.DeepEqual(edgeSet(g0), edgeSet(g1)) {
		t.Errorf("edges differ after the round trip")
	}
	for i, id := range g0.OSMIDs {
		n, ok := g1.NodeByOSMID(id)
		if !ok || g1.Points[n] != g0.Points[i] {
			t.Errorf("node %d: at %v, back at %v (found %v)", id, g0.Points[i], g1.Points[n], ok)
		}
	}
	if !reflect.DeepEqual(orig.City.Regions, back.City.Regions) {
		t.Errorf("regions differ:\n%+v\n%+v", orig.City.Regions, back.City.Regions)
	}
	if !reflect.DeepEqual(orig.City.Facilities, back.City.Facilities) || !reflect.DeepEqual(orig.City.Health, back.City.Health) {
		t.Errorf("facilities differ:\n%+v\n%+v", orig.City.Facilities, back.City.Facilities)
	}
	if !reflect.DeepEqual(orig.Profile, back.Profile) {
		t.Errorf("profiles differ")
	}
	// The demo's road names label the map of the in-memory demo only: the
	// bundle's OSM file holds the walking network's edges, not the named
	// main roads drawn over them.
	origMap := orig.Basemap
	origMap.Roads = nil
	if !reflect.DeepEqual(origMap, back.Basemap) {
		t.Errorf("base maps differ")
	}
	if len(orig.City.Demand) != len(back.City.Demand) {
		t.Fatalf("%d demand points, back %d", len(orig.City.Demand), len(back.City.Demand))
	}
	for i, d := range orig.City.Demand {
		e := back.City.Demand[i]
		if d.Location != e.Location || d.Community != e.Community || !samePopulation(d.Population, e.Population, 1e-12) {
			t.Errorf("demand point %d = %+v, back %+v", i, d, e)
		}
	}
	if len(back.Warnings) != 0 {
		t.Errorf("the written bundle loads with warnings: %v", back.Warnings)
	}

	// Writing what was read back gives the same files.
	again := filepath.Join(t.TempDir(), "again")
	if err := WriteBundle(again, back); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{ConfigFile, RegionsFile, FacilitiesFile, HealthFile} {
		a, _ := os.ReadFile(filepath.Join(out, name))
		b, _ := os.ReadFile(filepath.Join(again, name))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between two writes", name)
		}
	}
}

type edgeKey struct {
	a, b int64
	kind geo.EdgeKind
}

// edgeSet lists a graph's edges by the OSM ids of their ends.
func edgeSet(g *geo.Graph) map[edgeKey]bool {
	s := map[edgeKey]bool{}
	for e := range g.EdgeU {
		a, b := g.OSMIDs[g.EdgeU[e]], g.OSMIDs[g.EdgeV[e]]
		if a > b {
			a, b = b, a
		}
		s[edgeKey{a, b, g.EdgeKind[e]}] = true
	}
	return s
}

func samePopulation(a, b planner.Population, rel float64) bool {
	for _, x := range [][2]float64{{a.Residents, b.Residents}, {a.Households, b.Households}, {a.Elders60, b.Elders60}, {a.Elders80, b.Elders80}} {
		if math.Abs(x[0]-x[1]) > rel*math.Max(1, math.Abs(x[0])) {
			return false
		}
	}
	return true
}

func TestLoadBundleMissingFolder(t *testing.T) {
	_, err := LoadBundle(context.Background(), filepath.Join(t.TempDir(), "nope"), nil)
	var be *BundleError
	if !errors.As(err, &be) || !strings.Contains(err.Error(), "city.yaml: no such file") {
		t.Errorf("error %v, want a BundleError about city.yaml", err)
	}
}

func TestLoadBundleCancelled(t *testing.T) {
	dir := newFixture().write(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if b, err := LoadBundle(ctx, dir, nil); b != nil || !errors.Is(err, context.Canceled) {
		t.Errorf("LoadBundle with a cancelled context = %v, %v", b, err)
	}
}

func TestLoadBundleEmptyFacilityList(t *testing.T) {
	f := newFixture()
	f.facilities = f.facilities[:1]
	b := load(t, f.write(t))
	if len(b.City.Facilities) != 0 || len(b.City.Health) != 1 {
		t.Errorf("%d facilities, %d health", len(b.City.Facilities), len(b.City.Health))
	}
	found := false
	for _, w := range b.Warnings {
		found = found || strings.Contains(w.String(), "facilities.csv: no facilities listed")
	}
	if !found {
		t.Errorf("no warning about the empty list: %v", b.Warnings)
	}
}

func TestParentByLocation(t *testing.T) {
	// A community that names no parent belongs to the street whose
	// boundary contains it.
	f := newFixture()
	f.region("320602002000").geom = box(120.860, 32.006, 120.864, 32.014)
	delete(f.region("320602002002").props, "parent") // the point community
	delete(f.region("320602001001").props, "parent") // a polygon community
	b := load(t, f.write(t))
	for _, r := range b.City.Regions {
		switch r.Code {
		case "320602002002":
			if r.Parent != "320602002000" {
				t.Errorf("point community's parent %q, want 320602002000", r.Parent)
			}
		case "320602001001":
			if r.Parent != "320602001000" {
				t.Errorf("polygon community's parent %q, want 320602001000", r.Parent)
			}
		}
	}
}

func TestLoadedCityMakesAModel(t *testing.T) {
	// The planner accepts what LoadBundle gives: region order, parents,
	// facilities and demand.
	b := load(t, newFixture().write(t))
	if _, err := planner.NewModel(context.Background(), b.City, b.Profile, b.Index); err != nil {
		t.Fatalf("planner.NewModel: %v", err)
	}
}
