package synthetic

import (
	"math"
	"math/rand/v2"
)

// Grades above which a local link is built as stairs. Footpaths turn to
// steps early, as they do all over Chongqing; a lane that would climb more
// than a steep street can is stairs whatever it was meant to be.
const (
	footwayStepsGrade = 0.12
	streetStepsGrade  = 0.25
)

// hillSet holds the hills on the plane.
type hillSet struct {
	c    []pt
	r, h []float64
}

// placeHills scatters p.Hills hills over the land, keeping their tops off
// the river and apart from each other so that each reads as its own hill.
func placeHills(p Params, w, h float64, rv *river, r *rand.Rand) hillSet {
	var hs hillSet
	for range p.Hills {
		var best pt
		var bestR float64
		found := false
		for try := 0; try < 60; try++ {
			rad := p.HillRadiusM * uniform(r, 0.7, 1.3)
			c := pt{uniform(r, 0.05, 0.95) * w, uniform(r, 0.05, 0.95) * h}
			if rv != nil && c.y > rv.at(rv.south, c.x)-0.3*rad-150 && c.y < rv.at(rv.north, c.x)+0.3*rad+150 {
				continue // top in or next to the water
			}
			apart := true
			for k := range hs.c {
				if c.dist(hs.c[k]) < 0.7*(rad+hs.r[k]) {
					apart = false
					break
				}
			}
			best, bestR, found = c, rad, true
			if apart {
				break
			}
		}
		if !found {
			continue
		}
		hs.c = append(hs.c, best)
		hs.r = append(hs.r, bestR)
		// Cap the height at a fifth of the radius: the steepest slope, 1.54
		// times height over radius, then stays near 30 %, as on Chongqing's
		// ridges; steeper hills would turn every street into stairs.
		hs.h = append(hs.h, min(p.HillHeightM*uniform(r, 0.7, 1.3), 0.2*bestR))
	}
	return hs
}

// elevation sums the hills at q; only the hills in idx when it is not nil,
// so that a neighbourhood looks only at the hills that reach it.
func (hs *hillSet) elevation(q pt, idx []int32) float64 {
	var e float64
	one := func(k int) {
		dx, dy := q.x-hs.c[k].x, q.y-hs.c[k].y
		if d2 := (dx*dx + dy*dy) / (hs.r[k] * hs.r[k]); d2 < 1 {
			u := 1 - d2
			e += hs.h[k] * u * u
		}
	}
	if idx == nil {
		for k := range hs.c {
			one(k)
		}
		return e
	}
	for _, k := range idx {
		one(int(k))
	}
	return e
}

// overlapping returns the hills whose disc reaches the box [lo, hi].
func (hs *hillSet) overlapping(lo, hi pt) []int32 {
	var idx []int32
	for k, c := range hs.c {
		dx := max(lo.x-c.x, 0, c.x-hi.x)
		dy := max(lo.y-c.y, 0, c.y-hi.y)
		if math.Hypot(dx, dy) < hs.r[k] {
			idx = append(idx, int32(k))
		}
	}
	return idx
}

// on returns the hill whose slopes hold q (within 0.8 of its radius), the
// nearest relative to its size when several do, or -1.
func (hs *hillSet) on(q pt) (hill int, rel float64) {
	hill, rel = -1, 0.8
	for k, c := range hs.c {
		if d := q.dist(c) / hs.r[k]; d < rel {
			hill, rel = k, d
		}
	}
	return hill, rel
}
