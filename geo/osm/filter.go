package osm

import (
	"math"
	"strconv"

	"github.com/carecircle/carecircle/geo"
	"github.com/paulmach/osm"
)

// walkTags holds the few tags the walk filter looks at, gathered in one pass
// over a way's tags because Walkable runs on every way of the file.
type walkTags struct {
	highway, foot, access, area, service string
	footway, path, cycleway, bridleway   string
}

func gatherWalkTags(tags osm.Tags) walkTags {
	var t walkTags
	for _, tag := range tags {
		switch tag.Key {
		case "highway":
			t.highway = tag.Value
		case "foot":
			t.foot = tag.Value
		case "access":
			t.access = tag.Value
		case "area":
			t.area = tag.Value
		case "service":
			t.service = tag.Value
		case "footway":
			t.footway = tag.Value
		case "path":
			t.path = tag.Value
		case "cycleway":
			t.cycleway = tag.Value
		case "bridleway":
			t.bridleway = tag.Value
		}
	}
	return t
}

// FilterVersion changes whenever Walkable or the graph it feeds changes
// meaning, so graph caches built by an older filter are rebuilt.
//
// 2: pedestrian areas are walkable (areas.go), and every connected piece is
// kept, not only the largest.
const FilterVersion = 2

// Walkable reports whether a way with these tags belongs in the walking graph
// and, if so, the kind of its edges.
//
// A way is walkable when its highway value is one of footway, pedestrian,
// path, steps, living_street, residential, service, unclassified, tertiary,
// tertiary_link, secondary, secondary_link, primary, primary_link, track,
// corridor or road; cycleway, bridleway, trunk and trunk_link count only with
// foot=yes, designated or permissive. It is never walkable with area=yes
// (a square's outline, not a path along it) or foot=no, nor with
// access=private, access=no or service=private unless foot is yes,
// designated or permissive. oneway is ignored: pedestrians may walk both
// ways.
//
// The kind is geo.EdgeSteps for highway=steps; geo.EdgeCrossing for
// footway=crossing, or a path, cycleway or bridleway tagged with its own key
// as a crossing (path=crossing on highway=path, and so on); otherwise
// geo.EdgeOther.
func Walkable(tags osm.Tags) (ok bool, kind geo.EdgeKind) {
	t := gatherWalkTags(tags)
	footAllowed := t.foot == "yes" || t.foot == "designated" || t.foot == "permissive"

	switch t.highway {
	case "footway", "pedestrian", "path", "steps", "living_street",
		"residential", "service", "unclassified",
		"tertiary", "tertiary_link", "secondary", "secondary_link",
		"primary", "primary_link", "track", "corridor", "road":
	case "cycleway", "bridleway", "trunk", "trunk_link":
		if !footAllowed {
			return false, geo.EdgeOther
		}
	default:
		return false, geo.EdgeOther
	}
	if t.area == "yes" || t.foot == "no" {
		return false, geo.EdgeOther
	}
	if !footAllowed && (t.access == "private" || t.access == "no" || t.service == "private") {
		return false, geo.EdgeOther
	}

	switch {
	case t.highway == "steps":
		return true, geo.EdgeSteps
	case t.footway == "crossing",
		t.highway == "path" && t.path == "crossing",
		t.highway == "cycleway" && t.cycleway == "crossing",
		t.highway == "bridleway" && t.bridleway == "crossing":
		return true, geo.EdgeCrossing
	}
	return true, geo.EdgeOther
}

// buildingTags returns the building tag value and parsed building:levels of
// a way. building=no explicitly marks a non-building and is not one.
func buildingTags(tags osm.Tags) (kind string, levels float64, ok bool) {
	for _, tag := range tags {
		switch tag.Key {
		case "building":
			kind = tag.Value
		case "building:levels":
			levels = parseLevels(tag.Value)
		}
	}
	return kind, levels, kind != "" && kind != "no"
}

// parseLevels reads building:levels; anything but a finite non-negative
// number ("3;4", "two", "NaN") counts as absent.
func parseLevels(s string) float64 {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return 0
	}
	return v
}

// waterClass says how a way is drawn on the base map.
type waterClass uint8

const (
	notWater  waterClass = iota
	waterArea            // natural=water or waterway=riverbank, if closed
	waterLine            // waterway=river or waterway=canal
)

func classifyWater(tags osm.Tags) waterClass {
	var natural, waterway string
	for _, tag := range tags {
		switch tag.Key {
		case "natural":
			natural = tag.Value
		case "waterway":
			waterway = tag.Value
		}
	}
	switch {
	case natural == "water" || waterway == "riverbank":
		return waterArea
	case waterway == "river" || waterway == "canal":
		return waterLine
	}
	return notWater
}

// wanted reports whether a way is kept at all. It is pure, so the PBF
// decoder can call it from its worker goroutines to drop other ways early.
// Untagged and closed ways are kept as possible members of pedestrian
// multipolygons (relations come after ways): most outer members are
// untagged, and holes are often buildings, fountains or lawns.
func wanted(w *osm.Way, opt Options) bool {
	tags := w.Tags
	if ok, _ := Walkable(tags); ok {
		return true
	}
	if len(tags) == 0 || closed(w.Nodes) {
		return true
	}
	if opt.Buildings {
		if _, _, ok := buildingTags(tags); ok {
			return true
		}
	}
	return opt.Water && classifyWater(tags) != notWater
}
