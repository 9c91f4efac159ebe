package osm

import (
	"testing"

	"github.com/carecircle/carecircle/geo"
	"github.com/paulmach/osm"
)

// tags builds osm.Tags from alternating keys and values.
func tags(kv ...string) osm.Tags {
	var t osm.Tags
	for i := 0; i+1 < len(kv); i += 2 {
		t = append(t, osm.Tag{Key: kv[i], Value: kv[i+1]})
	}
	return t
}

func TestWalkable(t *testing.T) {
	type want struct {
		ok   bool
		kind geo.EdgeKind
	}
	yes, no := want{true, geo.EdgeOther}, want{false, geo.EdgeOther}
	cases := []struct {
		name string
		tags osm.Tags
		want want
	}{
		// Every highway value walkable as such.
		{"footway", tags("highway", "footway"), yes},
		{"pedestrian", tags("highway", "pedestrian"), yes},
		{"path", tags("highway", "path"), yes},
		{"steps", tags("highway", "steps"), want{true, geo.EdgeSteps}},
		{"living_street", tags("highway", "living_street"), yes},
		{"residential", tags("highway", "residential"), yes},
		{"service", tags("highway", "service"), yes},
		{"unclassified", tags("highway", "unclassified"), yes},
		{"tertiary", tags("highway", "tertiary"), yes},
		{"tertiary_link", tags("highway", "tertiary_link"), yes},
		{"secondary", tags("highway", "secondary"), yes},
		{"secondary_link", tags("highway", "secondary_link"), yes},
		{"primary", tags("highway", "primary"), yes},
		{"primary_link", tags("highway", "primary_link"), yes},
		{"track", tags("highway", "track"), yes},
		{"corridor", tags("highway", "corridor"), yes},
		{"road", tags("highway", "road"), yes},

		// Walkable only with foot=yes|designated|permissive.
		{"cycleway", tags("highway", "cycleway"), no},
		{"cycleway foot=yes", tags("highway", "cycleway", "foot", "yes"), yes},
		{"cycleway foot=designated", tags("highway", "cycleway", "foot", "designated"), yes},
		{"cycleway foot=permissive", tags("highway", "cycleway", "foot", "permissive"), yes},
		{"cycleway foot=use_sidepath", tags("highway", "cycleway", "foot", "use_sidepath"), no},
		{"bridleway", tags("highway", "bridleway"), no},
		{"bridleway foot=designated", tags("highway", "bridleway", "foot", "designated"), yes},
		{"trunk", tags("highway", "trunk"), no},
		{"trunk foot=yes", tags("highway", "trunk", "foot", "yes"), yes},
		{"trunk_link", tags("highway", "trunk_link"), no},
		{"trunk_link foot=permissive", tags("highway", "trunk_link", "foot", "permissive"), yes},

		// Never walkable whatever foot says.
		{"motorway", tags("highway", "motorway"), no},
		{"motorway foot=yes", tags("highway", "motorway", "foot", "yes"), no},
		{"construction", tags("highway", "construction"), no},
		{"bus_stop", tags("highway", "bus_stop"), no},
		{"no highway", tags("building", "yes"), no},
		{"no tags", nil, no},
		{"highway key differs in case", tags("Highway", "footway"), no},

		// area=yes and foot=no.
		{"area=yes", tags("highway", "pedestrian", "area", "yes"), no},
		{"area=yes foot=yes", tags("highway", "pedestrian", "area", "yes", "foot", "yes"), no},
		{"area=no", tags("highway", "pedestrian", "area", "no"), yes},
		{"foot=no", tags("highway", "residential", "foot", "no"), no},
		{"foot=no access=yes", tags("highway", "footway", "access", "yes", "foot", "no"), no},

		// access and service=private, lifted by foot.
		{"access=private", tags("highway", "service", "access", "private"), no},
		{"access=no", tags("highway", "track", "access", "no"), no},
		{"service=private", tags("highway", "service", "service", "private"), no},
		{"access=private foot=yes", tags("highway", "service", "access", "private", "foot", "yes"), yes},
		{"access=no foot=designated", tags("highway", "track", "access", "no", "foot", "designated"), yes},
		{"service=private foot=permissive", tags("highway", "service", "service", "private", "foot", "permissive"), yes},
		{"access=private foot=private", tags("highway", "service", "access", "private", "foot", "private"), no},
		{"access=destination", tags("highway", "residential", "access", "destination"), yes},
		{"access=customers", tags("highway", "service", "access", "customers"), yes},
		{"service=driveway", tags("highway", "service", "service", "driveway"), yes},

		// oneway does not matter on foot.
		{"oneway", tags("highway", "residential", "oneway", "yes"), yes},
		{"oneway=-1", tags("highway", "primary", "oneway", "-1"), yes},

		// Kinds.
		{"steps foot=yes", tags("highway", "steps", "foot", "yes"), want{true, geo.EdgeSteps}},
		{"steps access=private", tags("highway", "steps", "access", "private"), no},
		{"footway=crossing", tags("highway", "footway", "footway", "crossing"), want{true, geo.EdgeCrossing}},
		{"footway=sidewalk", tags("highway", "footway", "footway", "sidewalk"), yes},
		{"path=crossing", tags("highway", "path", "path", "crossing"), want{true, geo.EdgeCrossing}},
		{"cycleway=crossing foot=yes", tags("highway", "cycleway", "cycleway", "crossing", "foot", "yes"), want{true, geo.EdgeCrossing}},
		{"cycleway=crossing without foot", tags("highway", "cycleway", "cycleway", "crossing"), no},
		{"bridleway=crossing foot=yes", tags("highway", "bridleway", "bridleway", "crossing", "foot", "yes"), want{true, geo.EdgeCrossing}},
		{"cycleway=crossing on a road (bike lane tag)", tags("highway", "residential", "cycleway", "crossing"), yes},
		{"highway=crossing on a way is not a walkway", tags("highway", "crossing"), no},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ok, kind := Walkable(c.tags)
			if ok != c.want.ok || (ok && kind != c.want.kind) {
				t.Errorf("Walkable(%v) = %v, %v; want %v, %v", c.tags, ok, kind, c.want.ok, c.want.kind)
			}
		})
	}
}

func TestBuildingTags(t *testing.T) {
	cases := []struct {
		tags   osm.Tags
		kind   string
		levels float64
		ok     bool
	}{
		{tags("building", "yes"), "yes", 0, true},
		{tags("building", "apartments", "building:levels", "5"), "apartments", 5, true},
		{tags("building", "house", "building:levels", "1.5"), "house", 1.5, true},
		{tags("building", "house", "building:levels", "3;4"), "house", 0, true},
		{tags("building", "house", "building:levels", "two"), "house", 0, true},
		{tags("building", "house", "building:levels", "NaN"), "house", 0, true},
		{tags("building", "house", "building:levels", "Inf"), "house", 0, true},
		{tags("building", "house", "building:levels", "-1"), "house", 0, true},
		{tags("building", "no"), "no", 0, false},
		{tags("building:part", "yes"), "", 0, false},
		{tags("amenity", "school"), "", 0, false},
	}
	for _, c := range cases {
		kind, levels, ok := buildingTags(c.tags)
		if kind != c.kind || levels != c.levels || ok != c.ok {
			t.Errorf("buildingTags(%v) = %q, %v, %v; want %q, %v, %v", c.tags, kind, levels, ok, c.kind, c.levels, c.ok)
		}
	}
}

func TestClassifyWater(t *testing.T) {
	cases := []struct {
		tags osm.Tags
		want waterClass
	}{
		{tags("natural", "water"), waterArea},
		{tags("natural", "water", "water", "lake"), waterArea},
		{tags("waterway", "riverbank"), waterArea},
		{tags("waterway", "river"), waterLine},
		{tags("waterway", "canal"), waterLine},
		{tags("waterway", "stream"), notWater},
		{tags("natural", "wood"), notWater},
		{nil, notWater},
	}
	for _, c := range cases {
		if got := classifyWater(c.tags); got != c.want {
			t.Errorf("classifyWater(%v) = %v, want %v", c.tags, got, c.want)
		}
	}
}

func TestWanted(t *testing.T) {
	building, water, walk := tags("building", "yes"), tags("natural", "water"), tags("highway", "path")
	open := osm.WayNodes{{ID: 1}, {ID: 2}, {ID: 3}}
	ring := osm.WayNodes{{ID: 1}, {ID: 2}, {ID: 3}, {ID: 1}}
	cases := []struct {
		tags  osm.Tags
		nodes osm.WayNodes
		opt   Options
		want  bool
	}{
		{walk, open, Options{}, true},
		{building, open, Options{}, false},
		{building, open, Options{Buildings: true}, true},
		{water, open, Options{Buildings: true}, false},
		{water, open, Options{Water: true}, true},
		{tags("landuse", "grass"), open, Options{Buildings: true, Water: true}, false},
		// Possible multipolygon members: untagged, or closed (a hole).
		{nil, open, Options{}, true},
		{tags("landuse", "grass"), ring, Options{}, true},
		{building, ring, Options{}, true},
	}
	for _, c := range cases {
		if got := wanted(&osm.Way{Tags: c.tags, Nodes: c.nodes}, c.opt); got != c.want {
			t.Errorf("wanted(%v, %v, %+v) = %v, want %v", c.tags, c.nodes, c.opt, got, c.want)
		}
	}
}
