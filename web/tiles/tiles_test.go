package tiles

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/planar"

	"github.com/carecircle/carecircle/data"
	"github.com/carecircle/carecircle/geo"
	"github.com/carecircle/carecircle/geo/osm"
	"github.com/carecircle/carecircle/planner"
)

var (
	districtOnce   sync.Once
	districtBundle *data.Bundle
	districtModel  *planner.Model
	districtErr    error
)

// district returns the district demo (≈600 k residents, 80 communities),
// built once for all tests, with one made-up building for the basemap.
func district(t testing.TB) (*data.Bundle, *planner.Model) {
	t.Helper()
	districtOnce.Do(func() {
		ctx := context.Background()
		districtBundle, districtErr = data.DemoBundle(ctx, "district", 1)
		if districtErr != nil {
			return
		}
		districtModel, districtErr = planner.NewModel(ctx, districtBundle.City, districtBundle.Profile, nil)
		c := districtBundle.City.Network.Bound().Center()
		d := 0.0002
		districtBundle.Basemap.Buildings = append(districtBundle.Basemap.Buildings, osm.Building{ID: 1, Kind: "apartments", Levels: 18,
			Footprint: orb.Polygon{{{c[0] - d, c[1] - d}, {c[0] + d, c[1] - d}, {c[0] + d, c[1] + d}, {c[0] - d, c[1] + d}, {c[0] - d, c[1] - d}}}})
	})
	if districtErr != nil {
		t.Fatal(districtErr)
	}
	return districtBundle, districtModel
}

// newServer makes a fresh tile server (own cache) on the district demo.
func newServer(t testing.TB) *Server {
	t.Helper()
	b, m := district(t)
	s, err := New(b, m)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// decode unpacks a tile into its layers by name, in lon/lat.
func decode(t testing.TB, data []byte, tile maptile.Tile) map[string]*mvt.Layer {
	t.Helper()
	ls, err := mvt.UnmarshalGzipped(data)
	if err != nil {
		t.Fatalf("tile %v does not decode: %v", tile, err)
	}
	out := map[string]*mvt.Layer{}
	for _, l := range ls {
		if l.Version != 2 || l.Extent != extent {
			t.Errorf("layer %s: version %d extent %d, want 2 and %d", l.Name, l.Version, l.Extent, extent)
		}
		l.ProjectToWGS84(tile)
		out[l.Name] = l
	}
	return out
}

// find returns the feature of a layer whose property key is value.
func find(l *mvt.Layer, key string, value any) *geojson.Feature {
	if l == nil {
		return nil
	}
	for _, f := range l.Features {
		if f.Properties[key] == value {
			return f
		}
	}
	return nil
}

// num reads a numeric property whatever type it was decoded as.
func num(t testing.TB, f *geojson.Feature, key string) float64 {
	t.Helper()
	switch v := f.Properties[key].(type) {
	case float64:
		return v
	case float32:
		return float64(v)
	case int64:
		return float64(v)
	case uint64:
		return float64(v)
	}
	t.Fatalf("property %s = %#v (%T), not a number", key, f.Properties[key], f.Properties[key])
	return 0
}

func tile(t testing.TB, s *Server, layer, scenario string, version int64, e *planner.Evaluation, sum *planner.Summary, tl maptile.Tile) map[string]*mvt.Layer {
	t.Helper()
	data, err := s.Tile(context.Background(), layer, scenario, version, e, sum, tl)
	if err != nil {
		t.Fatalf("%s %v: %v", layer, tl, err)
	}
	return decode(t, data, tl)
}

// regionIndexOf finds a community with a polygon.
func firstCommunity(m *planner.Model) int {
	for i, r := range m.City.Regions {
		if r.Level == planner.LevelCommunity && r.Boundary != nil {
			return i
		}
	}
	return -1
}

func TestCommunityInItsCentroidTile(t *testing.T) {
	s := newServer(t)
	_, m := district(t)
	e := m.Baseline().Clone()
	sum := e.Summary()
	for i, r := range m.City.Regions {
		if r.Level != planner.LevelCommunity {
			continue
		}
		c, _ := planar.CentroidArea(r.Boundary)
		if !containsDecoded(r.Boundary, c) {
			continue // a crescent: its centroid's tile need not meet it
		}
		for _, z := range []maptile.Zoom{communitiesMinZoom, 12, 14, 16} {
			tl := maptile.At(c, z)
			ls := tile(t, s, LayerCommunities, "baseline", 1, e, sum, tl)
			f := find(ls["communities"], "code", r.Code)
			if f == nil {
				t.Fatalf("community %s (%s) is not in tile %v, which holds its centroid", r.Code, r.Name, tl)
			}
			if f.Properties["name"] != r.Name || f.Properties["level"] != "community" {
				t.Errorf("community %s: properties %v", r.Code, f.Properties)
			}
			if got, want := num(t, f, "coverage_15min"), sum.Region(i).Coverage15; math.Abs(got-want) > 1e-4 {
				t.Errorf("community %s coverage_15min %v, summary %v", r.Code, got, want)
			}
			if got, want := num(t, f, "elders_60"), sum.Region(i).Elders60; math.Abs(got-want) > 0.5 {
				t.Errorf("community %s elders_60 %v, summary %v", r.Code, got, want)
			}
			for _, k := range []string{"residents", "elders_uncovered_15min", "floor_gap_m2", "beds_per_1000_elders", "access_2sfca_m2_per_elder", "community_stations"} {
				if _, ok := f.Properties[k]; !ok {
					t.Errorf("community %s lacks %s", r.Code, k)
				}
			}
			// The centroid (inside a convex-ish community) is inside the
			// decoded polygon.
			if z == 16 {
				if !containsDecoded(f.Geometry, c) {
					t.Errorf("community %s: the decoded polygon in %v does not hold its centroid", r.Code, tl)
				}
			}
			// Streets and districts are outlines at this zoom.
			if st := ls["streets"]; st != nil && len(st.Features) > 0 {
				if _, ok := st.Features[0].Properties["coverage_15min"]; ok {
					t.Errorf("z%d: streets carry indicators where communities are drawn", z)
				}
			}
		}
	}
}

func containsDecoded(g orb.Geometry, p orb.Point) bool {
	switch g := g.(type) {
	case orb.Polygon:
		return planar.PolygonContains(g, p)
	case orb.MultiPolygon:
		return planar.MultiPolygonContains(g, p)
	}
	return false
}

func TestIndicatorsMoveUpWhenZoomedOut(t *testing.T) {
	s := newServer(t)
	_, m := district(t)
	e := m.Baseline().Clone()
	sum := e.Summary()
	c := m.City.Network.Bound().Center()
	for _, tc := range []struct {
		z     maptile.Zoom
		layer string
	}{{7, "districts"}, {8, "streets"}, {10, "streets"}, {11, "communities"}} {
		ls := tile(t, s, LayerCommunities, "baseline", 1, e, sum, maptile.At(c, tc.z))
		l := ls[tc.layer]
		if l == nil || len(l.Features) == 0 {
			t.Fatalf("z%d: no %s", tc.z, tc.layer)
		}
		if _, ok := l.Features[0].Properties["coverage_15min"]; !ok {
			t.Errorf("z%d: %s have no indicators", tc.z, tc.layer)
		}
		if tc.z < communitiesMinZoom && ls["communities"] != nil {
			t.Errorf("z%d: communities drawn below z%d", tc.z, communitiesMinZoom)
		}
	}
}

func TestPolygonWinding(t *testing.T) {
	// MVT wants exterior rings with positive area in tile coordinates (y
	// down); decode without projecting and check.
	s := newServer(t)
	_, m := district(t)
	e := m.Baseline().Clone()
	sum := e.Summary()
	tl := maptile.At(m.City.Network.Bound().Center(), 13)
	data, err := s.Tile(context.Background(), LayerCommunities, "baseline", 1, e, sum, tl)
	if err != nil {
		t.Fatal(err)
	}
	ls, err := mvt.UnmarshalGzipped(data)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, l := range ls {
		for _, f := range l.Features {
			var polys []orb.Polygon
			switch g := f.Geometry.(type) {
			case orb.Polygon:
				polys = []orb.Polygon{g}
			case orb.MultiPolygon:
				polys = g
			default:
				t.Fatalf("%s: geometry %T", l.Name, f.Geometry)
			}
			for _, p := range polys {
				n++
				if ringArea(p[0]) <= 0 {
					t.Errorf("%s %v: exterior ring with area %v in tile coordinates", l.Name, f.Properties["code"], ringArea(p[0]))
				}
				for _, h := range p[1:] {
					if ringArea(h) >= 0 {
						t.Errorf("%s %v: hole with area %v", l.Name, f.Properties["code"], ringArea(h))
					}
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("no polygons")
	}
}

func TestFacilitiesInTheirTiles(t *testing.T) {
	s := newServer(t)
	_, m := district(t)
	e := m.Baseline().Clone()
	for i, fac := range e.Facilities {
		tl := maptile.At(fac.Location, 15)
		ls := tile(t, s, LayerFacilities, "baseline", 1, e, nil, tl)
		f := find(ls["facilities"], "id", fac.ID)
		if f == nil {
			t.Fatalf("facility %s is not in tile %v", fac.ID, tl)
		}
		r := e.FacilityResult(i)
		p := f.Properties
		if p["name"] != fac.Name || p["type"] != string(fac.Type) || p["status"] != string(fac.Status) || p["supply"] != r.Supply || p["proposed"] != false {
			t.Errorf("facility %s: properties %v", fac.ID, p)
		}
		if got := num(t, f, "floor_area_m2"); math.Abs(got-fac.FloorArea) > 0.05 {
			t.Errorf("facility %s floor_area_m2 %v, want %v", fac.ID, got, fac.FloorArea)
		}
		if got := num(t, f, "beds"); math.Abs(got-fac.Beds) > 0.5 {
			t.Errorf("facility %s beds %v, want %v", fac.ID, got, fac.Beds)
		}
		var flags []string
		for _, fl := range r.Flags {
			flags = append(flags, string(fl))
		}
		if p["flags"] != strings.Join(flags, ",") {
			t.Errorf("facility %s flags %q, want %q", fac.ID, p["flags"], strings.Join(flags, ","))
		}
		// A unit of a z15 tile is 0.26 m here.
		if d := geo.Haversine(f.Geometry.(orb.Point), fac.Location); d > 1 {
			t.Errorf("facility %s decoded %.2f m from its place", fac.ID, d)
		}
		if i > 40 {
			break
		}
	}
}

// proposed is a station placed at the centre of a community.
func proposed(t testing.TB, m *planner.Model, id string) planner.Facility {
	t.Helper()
	c := m.City.Regions[firstCommunity(m)]
	at, _ := planar.CentroidArea(c.Boundary)
	return planner.Facility{ID: id, Name: "拟建站 " + id, Type: planner.CommunityStation, Status: planner.Proposed,
		Location: at, FloorArea: 300, Beds: 10}
}

func TestScenarioIsolation(t *testing.T) {
	s := newServer(t)
	_, m := district(t)
	base := m.Baseline().Clone()
	baseSum := base.Summary()
	scen := base.Clone()
	p := proposed(t, m, "P-iso")
	if err := scen.Add(p); err != nil {
		t.Fatal(err)
	}
	scenSum := scen.Summary()
	tl := maptile.At(p.Location, 15)

	got := find(tile(t, s, LayerFacilities, "s1", 2, scen, scenSum, tl)["facilities"], "id", p.ID)
	if got == nil {
		t.Fatal("the proposed facility is not in its scenario's tile")
	}
	if got.Properties["proposed"] != true || got.Properties["status"] != "proposed" || got.Properties["supply"] != true {
		t.Errorf("proposed facility properties %v", got.Properties)
	}
	if find(tile(t, s, LayerFacilities, "baseline", 1, base, baseSum, tl)["facilities"], "id", p.ID) != nil {
		t.Error("the proposed facility leaks into the baseline's tile")
	}
	// Its service area, likewise.
	if find(tile(t, s, LayerServiceAreas, "s1", 2, scen, scenSum, tl)["service_areas"], "id", p.ID) == nil {
		t.Error("the proposed facility's service area is not in its scenario's tile")
	}
	if find(tile(t, s, LayerServiceAreas, "baseline", 1, base, baseSum, tl)["service_areas"], "id", p.ID) != nil {
		t.Error("the proposed facility's service area leaks into the baseline's tile")
	}
	// The basemap is one for all scenarios: the second scenario's request
	// is a hit.
	before := s.Stats()
	tile(t, s, LayerBasemap, "s1", 2, scen, scenSum, tl)
	tile(t, s, LayerBasemap, "baseline", 1, base, baseSum, tl)
	if after := s.Stats(); after.Hits != before.Hits+1 {
		t.Errorf("basemap: %d hits for two scenarios, want 1", after.Hits-before.Hits)
	}
}

// minutesByCell reads the minutes of every demand cell of a tile.
func minutesByCell(t testing.TB, ls map[string]*mvt.Layer) map[any]float64 {
	t.Helper()
	out := map[any]float64{}
	if l := ls["demand"]; l != nil {
		for _, f := range l.Features {
			out[f.Properties["h3"]] = num(t, f, "minutes")
		}
	}
	return out
}

func TestInvalidation(t *testing.T) {
	s := newServer(t)
	_, m := district(t)
	e1 := m.Baseline().Clone()
	sum1 := e1.Summary()
	p := proposed(t, m, "P-inv")
	near := maptile.At(p.Location, 15)
	// A tile far from the edit: the city's opposite corner.
	b := m.City.Network.Bound()
	corner := b.Min
	if geo.Haversine(p.Location, b.Min) < geo.Haversine(p.Location, b.Max) {
		corner = b.Max
	}
	far := maptile.At(orb.Point{(corner[0]*9 + p.Location[0]) / 10, (corner[1]*9 + p.Location[1]) / 10}, 15)
	if geo.Haversine(far.Center(), p.Location) < 3*m.Budget*m.Profile.Walking.SpeedMPS.Value {
		t.Fatalf("the far tile is %.0f m from the edit: not far", geo.Haversine(far.Center(), p.Location))
	}
	layers := []string{LayerFacilities, LayerDemand, LayerCommunities, LayerServiceAreas}
	low := maptile.At(p.Location, 10)
	v1 := map[string][]byte{}
	for _, l := range layers {
		for _, tl := range []maptile.Tile{near, far, low} {
			data, err := s.Tile(context.Background(), l, "s1", 1, e1, sum1, tl)
			if err != nil {
				t.Fatal(err)
			}
			v1[l+fmt.Sprint(tl)] = data
		}
	}
	minutesBefore := minutesByCell(t, decode(t, v1[LayerDemand+fmt.Sprint(near)], near))
	if len(minutesBefore) == 0 {
		t.Fatal("no demand cells at the edit")
	}

	// The edit: add a station, announce it, and ask at version 2.
	e2 := e1.Clone()
	if err := e2.Add(p); err != nil {
		t.Fatal(err)
	}
	sum2 := e2.Summary()
	s.Invalidate("s1", orb.Bound{Min: p.Location, Max: p.Location})
	for _, l := range layers {
		before := s.Stats()
		data, err := s.Tile(context.Background(), l, "s1", 2, e2, sum2, far)
		if err != nil {
			t.Fatal(err)
		}
		if s.Stats().Hits != before.Hits+1 {
			t.Errorf("%s: the far tile %v was rebuilt after an edit elsewhere", l, far)
		}
		if string(data) != string(v1[l+fmt.Sprint(far)]) {
			t.Errorf("%s: the far tile changed", l)
		}
		before = s.Stats()
		if _, err := s.Tile(context.Background(), l, "s1", 2, e2, sum2, near); err != nil {
			t.Fatal(err)
		}
		if s.Stats().Misses != before.Misses+1 {
			t.Errorf("%s: the tile at the edit %v was served from the cache", l, near)
		}
	}
	ls := tile(t, s, LayerFacilities, "s1", 2, e2, sum2, near)
	if find(ls["facilities"], "id", p.ID) == nil {
		t.Error("after the edit, the new facility is not in its tile")
	}
	// Demand near the new station is nearer a service; nowhere farther.
	closer := 0
	for cell, after := range minutesByCell(t, tile(t, s, LayerDemand, "s1", 2, e2, sum2, near)) {
		before, ok := minutesBefore[cell]
		switch {
		case !ok:
			t.Errorf("cell %v appeared", cell)
		case after >= 0 && (before < 0 || after < before):
			closer++
		case after != before:
			t.Errorf("cell %v: %v minutes before the station was added, %v after", cell, before, after)
		}
	}
	if closer == 0 {
		t.Error("no demand cell of the tile at the new station got closer to a service")
	}
	// The community tile shows the community's new figures.
	ci := firstCommunity(m)
	f := find(tile(t, s, LayerCommunities, "s1", 2, e2, sum2, near)["communities"], "code", m.City.Regions[ci].Code)
	if f == nil || num(t, f, "community_stations") != sum2.Region(ci).Stations {
		t.Errorf("community tile after the edit: %v, want stations %v", f, sum2.Region(ci).Stations)
	}
	// The tiles of every zoom at the edit were dropped: a low zoom one too
	// (service areas are not drawn at z10: an empty tile, kept).
	for _, l := range layers[:3] {
		before := s.Stats()
		if _, err := s.Tile(context.Background(), l, "s1", 2, e2, sum2, low); err != nil {
			t.Fatal(err)
		}
		if s.Stats().Misses != before.Misses+1 {
			t.Errorf("%s: the z10 tile at the edit was served from the cache", l)
		}
	}
}

func TestUnannouncedVersionDropsTheScenario(t *testing.T) {
	s := newServer(t)
	_, m := district(t)
	e1 := m.Baseline().Clone()
	p := proposed(t, m, "P-un")
	tl := maptile.At(p.Location, 15)
	tile(t, s, LayerFacilities, "s1", 1, e1, nil, tl)
	e2 := e1.Clone()
	if err := e2.Add(p); err != nil {
		t.Fatal(err)
	}
	// No Invalidate: version 2 must not be served version 1's tile.
	if find(tile(t, s, LayerFacilities, "s1", 2, e2, nil, tl)["facilities"], "id", p.ID) == nil {
		t.Fatal("a tile of version 1 was served for version 2")
	}
	// Two edits announced as one: dropped too.
	e3 := e2.Clone()
	e3.Remove(e3.Index(p.ID))
	s.Invalidate("s1", orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{0, 0}}) // elsewhere
	if find(tile(t, s, LayerFacilities, "s1", 4, e3, nil, tl)["facilities"], "id", p.ID) != nil {
		t.Fatal("a tile of version 2 was served for version 4 after one announced edit")
	}
	// A request at an older version is built but never cached or served
	// from the cache.
	before := s.Stats()
	if find(tile(t, s, LayerFacilities, "s1", 2, e2, nil, tl)["facilities"], "id", p.ID) == nil {
		t.Fatal("an older version got the newer tile")
	}
	if find(tile(t, s, LayerFacilities, "s1", 4, e3, nil, tl)["facilities"], "id", p.ID) != nil {
		t.Fatal("an older version's tile was cached")
	}
	if st := s.Stats(); st.Hits != before.Hits+1 {
		t.Errorf("hits %d, want 1 (version 4 is cached)", st.Hits-before.Hits)
	}
}

func TestBuildOvertakenByInvalidateIsNotStored(t *testing.T) {
	c := newCache(1 << 20)
	k := cacheKey{layer: facilitiesID, scenario: "s:x", z: 10, x: 1, y: 1}
	_, tk := c.get(k, 1)
	c.invalidate("s:x", func(layerID, maptile.Zoom, orb.Bound) bool { return true })
	c.put(k, []byte("old"), tk) // built from version 1 after the edit was announced
	if data, _ := c.get(k, 2); data != nil {
		t.Fatal("a tile built before an Invalidate was served after it")
	}
	// While an edit is announced but its version not yet asked for,
	// nothing is stored.
	_, tk = c.get(k, 2)
	c.invalidate("s:x", func(layerID, maptile.Zoom, orb.Bound) bool { return false })
	_, tk2 := c.get(k, 2)
	c.put(k, []byte("v2"), tk2)
	if data, _ := c.get(k, 3); data != nil {
		t.Fatal("a tile of version 2 built while version 3 was announced was served at version 3")
	}
	_ = tk
}

func TestCacheIsBounded(t *testing.T) {
	c := newCache(10 * (100 + entryOverhead))
	for i := 0; i < 100; i++ {
		k := cacheKey{layer: basemapID, z: 15, x: uint32(i), y: 1}
		_, tk := c.get(k, 0)
		c.put(k, make([]byte, 100), tk)
	}
	st := c.stats()
	if st.Entries != 10 || st.Bytes > c.max {
		t.Fatalf("%d entries, %d bytes, bound %d", st.Entries, st.Bytes, c.max)
	}
	// The most recent are kept.
	if data, _ := c.get(cacheKey{layer: basemapID, z: 15, x: 99, y: 1}, 0); data == nil {
		t.Error("the newest tile was evicted")
	}
	if data, _ := c.get(cacheKey{layer: basemapID, z: 15, x: 0, y: 1}, 0); data != nil {
		t.Error("the oldest tile was kept")
	}
}

func TestDrop(t *testing.T) {
	s := newServer(t)
	_, m := district(t)
	e := m.Baseline().Clone()
	tl := maptile.At(m.City.Network.Bound().Center(), 14)
	tile(t, s, LayerFacilities, "gone", 1, e, nil, tl)
	tile(t, s, LayerBasemap, "gone", 1, nil, nil, tl)
	if s.Stats().Entries != 2 {
		t.Fatalf("%d entries", s.Stats().Entries)
	}
	s.Drop("gone")
	if st := s.Stats(); st.Entries != 1 {
		t.Fatalf("after Drop, %d entries; want the basemap's only", st.Entries)
	}
}

func TestEmptyTiles(t *testing.T) {
	s := newServer(t)
	_, m := district(t)
	e := m.Baseline().Clone()
	sum := e.Summary()
	for _, l := range s.Layers() {
		for _, tl := range []maptile.Tile{
			maptile.At(orb.Point{-30, 0}, 14),              // the Atlantic
			maptile.At(m.City.Network.Bound().Center(), 2), // below every min zoom but the districts'
			maptile.New(0, 0, 0),                           // the world
			maptile.At(orb.Point{m.City.Network.Bound().Max[0] + 0.2, // east of the city
				m.City.Network.Bound().Max[1]}, 16),
		} {
			data, err := s.Tile(context.Background(), l, "baseline", 1, e, sum, tl)
			if err != nil {
				t.Fatalf("%s %v: %v", l, tl, err)
			}
			ls, err := mvt.UnmarshalGzipped(data)
			if err != nil {
				t.Fatalf("%s %v: empty tile does not decode: %v", l, tl, err)
			}
			for _, ly := range ls {
				if l == LayerCommunities && ly.Name == "districts" && tl.Z < streetsMinZoom {
					continue // the district is drawn at every zoom
				}
				t.Errorf("%s %v: layer %s with %d features", l, tl, ly.Name, len(ly.Features))
			}
		}
	}
}

func TestBadRequests(t *testing.T) {
	s := newServer(t)
	_, m := district(t)
	e := m.Baseline().Clone()
	sum := e.Summary()
	ctx := context.Background()
	if _, err := s.Tile(ctx, "nope", "baseline", 1, e, sum, maptile.New(0, 0, 0)); !errors.Is(err, ErrUnknownLayer) {
		t.Errorf("unknown layer: %v", err)
	}
	for _, tl := range []maptile.Tile{maptile.New(0, 0, 23), maptile.New(8, 0, 3), maptile.New(0, 8, 3), maptile.New(1, 0, 0)} {
		if _, err := s.Tile(ctx, LayerFacilities, "baseline", 1, e, sum, tl); !errors.Is(err, ErrOutOfRange) {
			t.Errorf("tile %d/%d/%d: %v", tl.Z, tl.X, tl.Y, err)
		}
	}
	if _, err := s.Tile(ctx, LayerDemand, "baseline", 1, nil, nil, maptile.New(0, 0, 0)); err == nil {
		t.Error("a scenario layer without an evaluation: no error")
	}
	if _, err := s.Tile(ctx, LayerCommunities, "baseline", 1, e, nil, maptile.New(0, 0, 0)); err == nil {
		t.Error("communities without a summary: no error")
	}
	if _, err := s.Tile(ctx, LayerBasemap, "baseline", 1, nil, nil, maptile.New(0, 0, 0)); err != nil {
		t.Errorf("the basemap needs no evaluation: %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.Tile(cancelled, LayerDemand, "baseline", 1, e, sum, maptile.New(0, 0, 0)); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	if s.TileJSON("nope", "baseline", "/tiles") != nil {
		t.Error("TileJSON of an unknown layer")
	}
}

func TestDemandCells(t *testing.T) {
	s := newServer(t)
	_, m := district(t)
	e := m.Baseline().Clone()
	c := m.City.Network.Bound().Center()
	var total float64
	for _, z := range []maptile.Zoom{8, 10, 12, 13} {
		tl := maptile.At(c, z)
		l := tile(t, s, LayerDemand, "baseline", 1, e, nil, tl)["demand"]
		if l == nil || len(l.Features) == 0 {
			t.Fatalf("z%d: no demand", z)
		}
		var elders float64
		for _, f := range l.Features {
			if got := num(t, f, "res"); int(got) != demandRes(int(z)) {
				t.Fatalf("z%d: res %v, want %d", z, got, demandRes(int(z)))
			}
			el, unc, mins := num(t, f, "elders_60"), num(t, f, "elders_uncovered"), num(t, f, "minutes")
			if unc > el+0.1 || (mins < 0 && mins != -1) || mins > m.Budget/60+0.05 {
				t.Errorf("z%d cell %v: elders %v uncovered %v minutes %v", z, f.Properties["h3"], el, unc, mins)
			}
			if cov := f.Properties["covered"].(bool); cov != (unc == 0) {
				t.Errorf("z%d cell %v: covered %v with %v uncovered", z, f.Properties["h3"], cov, unc)
			}
			elders += el
		}
		if z == 8 {
			total = elders // the whole district fits in a z8 tile
		}
	}
	var want float64
	for _, d := range m.City.Demand {
		want += d.Elders60
	}
	if math.Abs(total-want) > 1+want*1e-6 {
		t.Errorf("z8 tile holds %.1f elders, the city %.1f", total, want)
	}
}

func TestBasemap(t *testing.T) {
	s := newServer(t)
	b, m := district(t)
	c := m.City.Network.Bound().Center()
	ls := tile(t, s, LayerBasemap, "", 0, nil, nil, maptile.At(c, 15))
	w := ls["walkways"]
	if w == nil || len(w.Features) == 0 {
		t.Fatal("no walkways at z15")
	}
	kinds := map[any]bool{}
	for _, f := range w.Features {
		kinds[f.Properties["kind"]] = true
	}
	if !kinds["other"] {
		t.Errorf("walkway kinds %v", kinds)
	}
	if bl := ls["buildings"]; bl == nil || len(bl.Features) != 1 || bl.Features[0].Properties["kind"] != "apartments" {
		t.Errorf("buildings at z15: %v", bl)
	}
	if ls := tile(t, s, LayerBasemap, "", 0, nil, nil, maptile.At(c, 13)); ls["walkways"] != nil || ls["buildings"] != nil {
		t.Error("walkways or buildings below their zoom")
	}
	river := b.Basemap.Water[0]
	rc, _ := planar.CentroidArea(river)
	if ls := tile(t, s, LayerBasemap, "", 0, nil, nil, maptile.At(rc, 11)); ls["water"] == nil || ls["waterways"] == nil {
		t.Errorf("no water or river line at z11 over the river: %v", ls)
	}
	// Every edge of a z16 tile's middle is drawn: compare lengths with the
	// graph's edges inside the tile.
	tl := maptile.At(c, 16)
	ls = tile(t, s, LayerBasemap, "", 0, nil, nil, tl)
	var drawn float64
	for _, f := range ls["walkways"].Features {
		drawn += geoLength(f.Geometry)
	}
	bound := tl.Bound()
	var inside float64
	g := m.City.Network
	for e := range g.EdgeU {
		a, bb := g.Points[g.EdgeU[e]], g.Points[g.EdgeV[e]]
		if bound.Contains(a) && bound.Contains(bb) {
			inside += g.EdgeLen[e]
		}
	}
	if drawn < inside*0.98 {
		t.Errorf("z16 tile draws %.0f m of walkway, the graph has %.0f m wholly inside it", drawn, inside)
	}
}

func geoLength(g orb.Geometry) float64 {
	var l float64
	switch g := g.(type) {
	case orb.LineString:
		for i := 1; i < len(g); i++ {
			l += geo.Haversine(g[i-1], g[i])
		}
	case orb.MultiLineString:
		for _, ls := range g {
			l += geoLength(ls)
		}
	}
	return l
}

func TestTileJSON(t *testing.T) {
	s := newServer(t)
	for _, l := range s.Layers() {
		doc := s.TileJSON(l, "s 1", "http://127.0.0.1:8080/tiles/")
		if doc["tilejson"] != "3.0.0" {
			t.Errorf("%s: tilejson %v", l, doc["tilejson"])
		}
		u := doc["tiles"].([]string)[0]
		want := "http://127.0.0.1:8080/tiles/" + l + "/{z}/{x}/{y}.mvt"
		if l != LayerBasemap {
			want += "?scenario=s+1"
		}
		if u != want {
			t.Errorf("%s: tiles %q, want %q", l, u, want)
		}
		if bs := doc["bounds"].([]float64); len(bs) != 4 || bs[0] >= bs[2] || bs[1] >= bs[3] {
			t.Errorf("%s: bounds %v", l, bs)
		}
		vls := doc["vector_layers"].([]map[string]any)
		if len(vls) == 0 {
			t.Errorf("%s: no vector_layers", l)
		}
		for _, vl := range vls {
			if vl["id"] == "" || len(vl["fields"].(map[string]any)) == 0 && vl["id"] != "water" && vl["id"] != "waterways" {
				t.Errorf("%s: vector layer %v", l, vl)
			}
		}
		if doc["attribution"] == "" {
			t.Errorf("%s: no attribution", l)
		}
	}
}

// TestTileJSONNamesWhatTilesHold checks that every MVT layer and property
// a tile holds is described in its TileJSON.
func TestTileJSONNamesWhatTilesHold(t *testing.T) {
	s := newServer(t)
	_, m := district(t)
	scen := m.Baseline().Clone()
	p := proposed(t, m, "P-doc")
	if err := scen.Add(p); err != nil {
		t.Fatal(err)
	}
	sum := scen.Summary()
	for _, l := range s.Layers() {
		fields := map[string]map[string]any{}
		for _, vl := range s.TileJSON(l, "x", "/tiles")["vector_layers"].([]map[string]any) {
			fields[vl["id"].(string)] = vl["fields"].(map[string]any)
		}
		for _, z := range []maptile.Zoom{8, 13, 15} {
			for name, ly := range tile(t, s, l, "x", 1, scen, sum, maptile.At(p.Location, z)) {
				fs, ok := fields[name]
				if !ok {
					t.Errorf("%s z%d: MVT layer %s not in the TileJSON", l, z, name)
					continue
				}
				for _, f := range ly.Features {
					for k := range f.Properties {
						if _, ok := fs[k]; !ok {
							t.Errorf("%s z%d: property %s of %s not in the TileJSON", l, z, k, name)
						}
					}
				}
			}
		}
	}
}

func TestConcurrentTiles(t *testing.T) {
	s := newServer(t)
	_, m := district(t)
	e := m.Baseline().Clone()
	sum := e.Summary()
	b := m.City.Network.Bound()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := 0; g < 8; g++ {
		wg.Go(func() {
			for i := 0; i < 20; i++ {
				p := orb.Point{b.Min[0] + (b.Max[0]-b.Min[0])*float64((i*7+g)%20)/20, b.Min[1] + (b.Max[1]-b.Min[1])*float64((i*3+g)%20)/20}
				for _, l := range s.Layers() {
					if _, err := s.Tile(context.Background(), l, fmt.Sprint("s", g%2), 1, e, sum, maptile.At(p, 14)); err != nil {
						errs <- err
						return
					}
				}
				if i%5 == 0 {
					s.Invalidate(fmt.Sprint("s", g%2), orb.Bound{Min: p, Max: p})
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestChangedFacilityInScenario(t *testing.T) {
	s := newServer(t)
	_, m := district(t)
	base := m.Baseline().Clone()
	i := -1
	for j, f := range base.Facilities {
		if f.Status == planner.Operating {
			i = j
			break
		}
	}
	if i < 0 {
		t.Skip("no operating facility")
	}
	f := base.Facilities[i]
	changed := f
	changed.Status = planner.Idle
	scen := base.Clone()
	if err := scen.Replace(scen.Index(f.ID), changed); err != nil {
		t.Fatal(err)
	}
	tl := maptile.At(f.Location, 15)
	b := find(tile(t, s, LayerFacilities, "baseline", 1, base, nil, tl)["facilities"], "id", f.ID)
	c := find(tile(t, s, LayerFacilities, "idle", 2, scen, nil, tl)["facilities"], "id", f.ID)
	if b == nil || c == nil {
		t.Fatal("facility missing")
	}
	if b.Properties["supply"] != true || strings.Contains(b.Properties["flags"].(string), "idle") {
		t.Errorf("baseline: %v", b.Properties)
	}
	if c.Properties["supply"] != false || c.Properties["status"] != "idle" || !strings.Contains(c.Properties["flags"].(string), "idle") {
		t.Errorf("scenario with the facility idle: %v", c.Properties)
	}
	// An idle facility has no service area in the scenario.
	if find(tile(t, s, LayerServiceAreas, "idle", 2, scen, nil, tl)["service_areas"], "id", f.ID) != nil {
		t.Error("an idle facility's service area is drawn")
	}
	if find(tile(t, s, LayerServiceAreas, "baseline", 1, base, nil, tl)["service_areas"], "id", f.ID) == nil {
		t.Error("an operating facility's service area is not drawn")
	}
}

// The demo's named main roads reach the basemap tiles with their names
// from z12, and every name drawn is one of the city's roads.
func TestBasemapRoadNames(t *testing.T) {
	s := newServer(t)
	b, m := district(t)
	if len(b.Basemap.Roads) == 0 {
		t.Fatal("the demo has no named roads")
	}
	names := map[string]bool{}
	for _, r := range b.Basemap.Roads {
		names[r.Name] = true
	}
	c := m.City.Network.Bound().Center()
	for _, z := range []uint32{12, 14, 16} {
		ls := tile(t, s, LayerBasemap, "", 0, nil, nil, maptile.At(c, maptile.Zoom(z)))
		rl := ls["roads"]
		if rl == nil || len(rl.Features) == 0 {
			t.Errorf("z%d: no roads layer", z)
			continue
		}
		for _, f := range rl.Features {
			if n, _ := f.Properties["name"].(string); !names[n] {
				t.Errorf("z%d: road named %q, not one of the city's", z, n)
			}
		}
	}
	if ls := tile(t, s, LayerBasemap, "", 0, nil, nil, maptile.At(c, 11)); ls["roads"] != nil {
		t.Error("roads below z12")
	}
}
