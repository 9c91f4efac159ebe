package web

import (
	"github.com/carecircle/carecircle/planner"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// labelPoint is where the map writes a region's name: once per region (a
// polygon label drawn from vector tiles repeats in every tile it spans),
// at a point inside its largest polygon (planner.InteriorPoint: the
// centroid when inside, else the middle of the widest inside run).
// Regions known only by a point get no label point.
func labelPoint(g orb.Geometry) (orb.Point, bool) {
	switch g := g.(type) {
	case orb.Polygon:
		if len(g) == 0 || len(g[0]) < 4 {
			return orb.Point{}, false
		}
		return planner.InteriorPoint(g), true
	case orb.MultiPolygon:
		var largest orb.Polygon
		best := -1.0
		for _, p := range g {
			if a := planar.Area(p); a > best {
				best, largest = a, p
			}
		}
		return labelPoint(largest)
	}
	return orb.Point{}, false
}
