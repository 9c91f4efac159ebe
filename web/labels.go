package web

import (
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// labelPoint is where the map writes a region's name: once per region (a
// polygon label drawn from vector tiles repeats in every tile it spans),
// at the centroid of its largest polygon when that lies inside, else at a
// point inside found along the centroid's latitude.
func labelPoint(g orb.Geometry) (orb.Point, bool) {
	var poly orb.Polygon
	switch g := g.(type) {
	case orb.Polygon:
		poly = g
	case orb.MultiPolygon:
		best := -1.0
		for _, p := range g {
			if a := planar.Area(p); a > best {
				best, poly = a, p
			}
		}
	default:
		return orb.Point{}, false
	}
	if len(poly) == 0 || len(poly[0]) < 4 {
		return orb.Point{}, false
	}
	c, _ := planar.CentroidArea(poly)
	if planar.PolygonContains(poly, c) {
		return c, true
	}
	// A concave polygon: the middle of the widest inside run of the
	// centroid's latitude.
	b := poly.Bound()
	const steps = 64
	bestLen, bestMid := 0.0, orb.Point{}
	run := -1.0
	for i := 0; i <= steps; i++ {
		x := b.Min[0] + (b.Max[0]-b.Min[0])*float64(i)/steps
		in := planar.PolygonContains(poly, orb.Point{x, c[1]})
		switch {
		case in && run < 0:
			run = x
		case !in && run >= 0 || in && i == steps:
			if l := x - run; l > bestLen {
				bestLen, bestMid = l, orb.Point{(run + x) / 2, c[1]}
			}
			run = -1
		}
	}
	if bestLen > 0 {
		return bestMid, true
	}
	return b.Center(), true
}
