package synthetic

import (
	"cmp"
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// This file holds the polygon operations the demo city needs to turn
// neighbourhood outlines into community, street and district boundaries:
// cutting an outline in two along a line, and dissolving outlines that tile
// an area into one. Neither is general polygon clipping. They rely on what
// the network generator guarantees: outlines are simple, counter-clockwise,
// gently curved quadrilaterals, and neighbours share their common side
// vertex for vertex (up to rounding).

// cutRing cuts a closed, simple ring with the line where side is zero and
// returns the parts where side < 0 and side ≥ 0, both closed and with the
// ring's orientation. side must be an affine function of the position (a
// signed distance on the local plane), so that a crossing can be placed by
// linear interpolation in lon/lat. ok is false unless the line crosses the
// ring exactly twice: a line that meets a bent outline more often would
// make one of the parts a multipolygon, and the caller then cuts elsewhere.
// Vertices away from the line are kept bit for bit, so that the parts still
// match the neighbours' outlines.
func cutRing(ring orb.Ring, side func(orb.Point) float64) (neg, pos orb.Ring, ok bool) {
	n := len(ring) - 1 // the closing vertex repeats the first
	if n < 3 {
		return nil, nil, false
	}
	s := make([]float64, n)
	for i := range n {
		s[i] = side(ring[i])
	}
	crossings := 0
	for i := range n {
		j := (i + 1) % n
		a, b := ring[i], ring[j]
		if s[i] < 0 {
			neg = appendDistinct(neg, a)
		} else {
			pos = appendDistinct(pos, a)
		}
		if (s[i] < 0) != (s[j] < 0) {
			crossings++
			t := s[i] / (s[i] - s[j])
			x := orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}
			if s[j] == 0 {
				x = b // the line passes through b: do not add a twin of it
			}
			neg = appendDistinct(neg, x)
			pos = appendDistinct(pos, x)
		}
	}
	if crossings != 2 {
		return nil, nil, false
	}
	neg, pos = closeRing(neg), closeRing(pos)
	// A line through a vertex or along a side leaves a part of no area.
	whole := math.Abs(planar.Area(ring))
	if len(neg) < 4 || len(pos) < 4 || math.Abs(planar.Area(neg)) < 1e-9*whole || math.Abs(planar.Area(pos)) < 1e-9*whole {
		return nil, nil, false
	}
	return neg, pos, true
}

// appendDistinct appends p unless it repeats the last point.
func appendDistinct(r orb.Ring, p orb.Point) orb.Ring {
	if len(r) > 0 && r[len(r)-1] == p {
		return r
	}
	return append(r, p)
}

// closeRing repeats the first vertex at the end, as GeoJSON wants, after
// dropping a last vertex that already repeats it.
func closeRing(r orb.Ring) orb.Ring {
	for len(r) > 1 && r[0] == r[len(r)-1] {
		r = r[:len(r)-1]
	}
	if len(r) > 0 {
		r = append(r, r[0])
	}
	return r
}

// vertexTol is how close, in degrees (about 0.1 mm), two vertices must be
// to count as one when outlines are dissolved. Neighbours compute their
// common side separately, so its vertices may differ in the last bits.
const vertexTol = 1e-9

// vertexIndex numbers distinct vertices, merging those within vertexTol.
type vertexIndex struct {
	ids map[[2]int64]int32
	pts []orb.Point
}

func newVertexIndex(n int) *vertexIndex {
	return &vertexIndex{ids: make(map[[2]int64]int32, n), pts: make([]orb.Point, 0, n)}
}

// id returns the number of p, adding it if it is new. A point within
// vertexTol of a known vertex may fall in a neighbouring grid square, so
// the eight around are searched too.
func (vi *vertexIndex) id(p orb.Point) int32 {
	k := [2]int64{int64(math.Round(p[0] / vertexTol)), int64(math.Round(p[1] / vertexTol))}
	if id, ok := vi.ids[k]; ok {
		return id
	}
	for dx := int64(-1); dx <= 1; dx++ {
		for dy := int64(-1); dy <= 1; dy++ {
			if id, ok := vi.ids[[2]int64{k[0] + dx, k[1] + dy}]; ok {
				q := vi.pts[id]
				if math.Abs(q[0]-p[0]) <= vertexTol && math.Abs(q[1]-p[1]) <= vertexTol {
					return id
				}
			}
		}
	}
	id := int32(len(vi.pts))
	vi.ids[k] = id
	vi.pts = append(vi.pts, p)
	return id
}

// dissolve returns the union of polygons that tile an area without
// overlapping and meet along common sides: neighbourhoods of one street,
// or a community's pieces. Sides two polygons share cancel out and the
// rest is chained into rings. The result is a Polygon when the area is in
// one piece, else a MultiPolygon. With splitT, a vertex of one polygon
// that lies on a side of another (where a cut line ends on a shared side)
// is first inserted into that side, so the shared parts cancel too; it
// costs time quadratic in the vertices, so it is for small sets only.
func dissolve(polys []orb.Polygon, splitT bool) orb.Geometry {
	if len(polys) == 1 {
		return polys[0]
	}
	rings := make([]orb.Ring, 0, len(polys))
	nv := 0
	for _, p := range polys {
		r := slices.Clone(p[0])
		if r.Orientation() == orb.CW {
			slices.Reverse(r)
		}
		rings = append(rings, r)
		nv += len(r)
	}
	if splitT {
		rings = insertTJunctions(rings)
	}
	vi := newVertexIndex(nv)
	type edge struct{ a, b int32 }
	count := make(map[edge]int, nv)
	var order []edge // first appearance, for a deterministic result
	for _, r := range rings {
		for i := 0; i+1 < len(r); i++ {
			a, b := vi.id(r[i]), vi.id(r[i+1])
			if a == b {
				continue
			}
			if count[edge{b, a}] > 0 {
				count[edge{b, a}]--
				continue
			}
			if count[edge{a, b}] == 0 {
				order = append(order, edge{a, b})
			}
			count[edge{a, b}]++
		}
	}
	out := map[int32][]int32{}
	var starts []edge
	for _, e := range order {
		for range count[e] {
			out[e.a] = append(out[e.a], e.b)
			starts = append(starts, e)
		}
	}
	var outers, holes []orb.Ring
	for _, e := range starts {
		if !slices.Contains(out[e.a], e.b) {
			continue // used by an earlier ring
		}
		ring := orb.Ring{vi.pts[e.a]}
		prev, cur := e.a, e.b
		removeEdge(out, prev, cur)
		for cur != e.a {
			ring = append(ring, vi.pts[cur])
			next := leftmostTurn(vi.pts, prev, cur, out[cur])
			if next < 0 {
				break // cannot happen for a tiling: every vertex has as many sides out as in
			}
			removeEdge(out, cur, next)
			prev, cur = cur, next
		}
		ring = append(ring, vi.pts[e.a])
		switch a := planar.Area(ring); {
		case len(ring) < 4 || math.Abs(a) < 1e-14: // a sliver from rounding
		case ring.Orientation() == orb.CCW:
			outers = append(outers, ring)
		default:
			holes = append(holes, ring)
		}
	}
	return assembleRings(outers, holes)
}

// removeEdge drops one side from a to b.
func removeEdge(out map[int32][]int32, a, b int32) {
	l := out[a]
	i := slices.Index(l, b)
	out[a] = slices.Delete(l, i, i+1)
}

// leftmostTurn picks, among the sides leaving cur, the one that turns most
// to the left after arriving from prev. Walking a counter-clockwise outline
// with the interior on the left, that choice splits the outline where two
// parts touch at a single vertex into two rings, rather than one ring that
// touches itself.
func leftmostTurn(pts []orb.Point, prev, cur int32, next []int32) int32 {
	best, bestAngle := int32(-1), math.Inf(-1)
	p, c := pts[prev], pts[cur]
	dx, dy := c[0]-p[0], c[1]-p[1]
	for _, n := range next {
		q := pts[n]
		ex, ey := q[0]-c[0], q[1]-c[1]
		a := math.Atan2(dx*ey-dy*ex, dx*ex+dy*ey)
		if a > bestAngle {
			best, bestAngle = n, a
		}
	}
	return best
}

// assembleRings makes a Polygon or MultiPolygon of outer rings and holes,
// giving each hole to the outer ring around it.
func assembleRings(outers, holes []orb.Ring) orb.Geometry {
	if len(outers) == 0 {
		return orb.Polygon{}
	}
	mp := make(orb.MultiPolygon, len(outers))
	for i, r := range outers {
		mp[i] = orb.Polygon{r}
	}
	for _, h := range holes {
		for i, r := range outers {
			if planar.RingContains(r, h[0]) || planar.RingContains(r, h[len(h)/2]) {
				mp[i] = append(mp[i], h)
				break
			}
		}
	}
	if len(mp) == 1 {
		return mp[0]
	}
	return mp
}

// insertTJunctions adds to each ring's sides the vertices of the other
// rings that lie on them, so that sides shared in part become shared
// vertex for vertex.
func insertTJunctions(rings []orb.Ring) []orb.Ring {
	out := make([]orb.Ring, len(rings))
	for i, r := range rings {
		var nr orb.Ring
		for k := 0; k+1 < len(r); k++ {
			a, b := r[k], r[k+1]
			nr = append(nr, a)
			var on []struct {
				t float64
				p orb.Point
			}
			for j, o := range rings {
				if j == i {
					continue
				}
				for _, p := range o[:len(o)-1] {
					if t, ok := onSegment(a, b, p); ok {
						on = append(on, struct {
							t float64
							p orb.Point
						}{t, p})
					}
				}
			}
			slices.SortFunc(on, func(x, y struct {
				t float64
				p orb.Point
			}) int {
				return cmp.Compare(x.t, y.t)
			})
			for _, x := range on {
				nr = appendDistinct(nr, x.p)
			}
		}
		out[i] = closeRing(nr)
	}
	return out
}

// onSegment reports whether p lies strictly inside segment ab (within
// vertexTol of the line and not at an end), with its position t in (0, 1).
func onSegment(a, b, p orb.Point) (float64, bool) {
	dx, dy := b[0]-a[0], b[1]-a[1]
	l2 := dx*dx + dy*dy
	if l2 == 0 {
		return 0, false
	}
	t := ((p[0]-a[0])*dx + (p[1]-a[1])*dy) / l2
	if t <= 0 || t >= 1 {
		return 0, false
	}
	qx, qy := a[0]+t*dx-p[0], a[1]+t*dy-p[1]
	if qx*qx+qy*qy > vertexTol*vertexTol {
		return 0, false
	}
	// An end within tolerance is the same vertex, not a junction.
	if near(p, a) || near(p, b) {
		return 0, false
	}
	return t, true
}

func near(p, q orb.Point) bool {
	return math.Abs(p[0]-q[0]) <= vertexTol && math.Abs(p[1]-q[1]) <= vertexTol
}

// geometryContains reports whether a Polygon or MultiPolygon contains p.
func geometryContains(g orb.Geometry, p orb.Point) bool {
	switch g := g.(type) {
	case orb.Polygon:
		return planar.PolygonContains(g, p)
	case orb.MultiPolygon:
		return planar.MultiPolygonContains(g, p)
	}
	return false
}
