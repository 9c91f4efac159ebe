package synthetic

import (
	"math"
	"math/rand/v2"

	"github.com/carecircle/carecircle/geo"
)

// wayClass is what a local way is for. The graph has no class field, so it
// only decides when a climb turns into steps; it also keeps the generators
// readable.
type wayClass uint8

const (
	wayStreet  wayClass = iota // a local street or lane
	wayService                 // a service lane into a compound
	wayFootway                 // a footpath
)

// planPt is a node of a neighbourhood's local streets: an interior point,
// or a join on one of its main-road sides, resolved to that side's nearest
// node when the side is emitted. s and t place it in the cell's unit square
// (see gen.coons); for joins one of them is the parameter along the side.
type planPt struct {
	p    pt
	s, t float64
	side int8 // cell side slot of a join, -1 for interior points
}

// param is a join's parameter along its side.
func (q *planPt) param() float64 {
	if q.side == sideLeft || q.side == sideRight {
		return q.t
	}
	return q.s
}

// planEdge is a local edge between two plan points, with its final kind.
type planEdge struct {
	a, b int32
	kind geo.EdgeKind
}

// plan is a neighbourhood's local streets, drawn before any node exists so
// that neighbourhoods can be planned in parallel and tell the main roads
// where to put their joins.
type plan struct {
	pts   []planPt
	edges []planEdge
}

// planner draws one neighbourhood's plan from the neighbourhood's own
// random stream.
type planner struct {
	g    *gen
	c    *cell
	r    *rand.Rand
	prof profile
	pl   *plan
}

// planCell draws the local streets of cell ci.
func (g *gen) planCell(ci int) {
	c := &g.cells[ci]
	pn := &planner{g: g, c: c, r: newStream(g.seed, streamPlan, uint64(ci)), prof: densityProfile(c.dens), pl: &c.plan}
	// Size the plan for the expected nodes: regrowing millions of small
	// slices costs the city preset more than drawing them.
	n := int(1.2 * c.w * c.h / 1e6 * pn.prof.nodesPerKm2)
	c.plan = plan{pts: make([]planPt, 0, n), edges: make([]planEdge, 0, n+n/6)}
	if c.layout == LayoutGrid {
		pn.grid()
	} else {
		pn.organic()
	}
}

// interior adds an interior plan point at (s, t).
func (pn *planner) interior(s, t float64) int32 {
	return pn.add(planPt{p: pn.g.coons(pn.c, s, t), s: s, t: t, side: -1})
}

func (pn *planner) add(q planPt) int32 {
	pn.pl.pts = append(pn.pl.pts, q)
	return int32(len(pn.pl.pts) - 1)
}

// join adds a join at parameter param of the cell's side slot sl, or returns
// -1 when that side is the city's edge, which has no road to join.
func (pn *planner) join(sl int, param float64) int32 {
	s := &pn.g.sides[pn.c.sides[sl]]
	if !s.road {
		return -1
	}
	param = clamp(param, 0, 1)
	q := planPt{p: pn.g.sidePoint(s, param), side: int8(sl)}
	switch sl {
	case sideBottom:
		q.s, q.t = param, 0
	case sideTop:
		q.s, q.t = param, 1
	case sideLeft:
		q.s, q.t = 0, param
	case sideRight:
		q.s, q.t = 1, param
	}
	return pn.add(q)
}

// joinOrStub adds the end of a local street that reaches side slot sl at
// (s, t): a join, or at the city's edge a dead end a little inside it, as
// streets end where a map is cut.
func (pn *planner) joinOrStub(sl int, s, t float64) int32 {
	param := s
	if sl == sideLeft || sl == sideRight {
		param = t
	}
	if i := pn.join(sl, param); i >= 0 {
		return i
	}
	const stubM = 15
	switch sl {
	case sideBottom:
		t = stubM / pn.c.h
	case sideTop:
		t = 1 - stubM/pn.c.h
	case sideLeft:
		s = stubM / pn.c.w
	case sideRight:
		s = 1 - stubM/pn.c.w
	}
	return pn.interior(s, t)
}

// way links plan points a and b along a quadratic Bézier curve bent sideways
// by bend (a share of the chord; 0 is straight), adding intermediate nodes
// so that edges are about the profile's piece long. crossA and crossB ask
// for a crossing edge where the way meets a main road at a or b. It returns
// the first intermediate point and their number; they are consecutive.
func (pn *planner) way(a, b int32, bend float64, cls wayClass, crossA, crossB bool) (first, n int32) {
	qa, qb := pn.pl.pts[a], pn.pl.pts[b]
	pa, pb := qa.p, qb.p
	d := pb.sub(pa)
	first = int32(len(pn.pl.pts))
	chord := math.Hypot(d.x, d.y)
	if chord < 1 {
		return first, 0
	}
	ctl := pa.add(d.scale(0.5)).add(pt{-d.y, d.x}.scale(bend))
	// at is the point at curve parameter t; its (s, t) is interpolated
	// between the ends, close enough for keeping spurs inside the cell.
	at := func(t float64) int32 {
		u := 1 - t
		p := pa.scale(u * u).add(ctl.scale(2 * u * t)).add(pb.scale(t * t))
		return pn.add(planPt{p: p, s: lerp(qa.s, qb.s, t), t: lerp(qa.t, qb.t, t), side: -1})
	}
	length := chord * (1 + 2*bend*bend/3) // arc of a shallow parabola

	crossA = crossA && qa.side >= 0
	crossB = crossB && qb.side >= 0
	if length < 3*crossingM {
		crossA, crossB = false, false
	}
	t0, t1 := 0.0, 1.0
	if crossA {
		t0 = crossingM / length
	}
	if crossB {
		t1 = 1 - crossingM/length
	}
	k := pieces((t1-t0)*length, between(pn.r, pn.prof.piece))

	prev := a
	if crossA {
		q := at(t0)
		pn.edge(prev, q, geo.EdgeCrossing)
		prev = q
	}
	for m := 1; m < k; m++ {
		q := at(t0 + (t1-t0)*float64(m)/float64(k))
		pn.link(prev, q, cls)
		prev = q
	}
	if crossB {
		q := at(t1)
		pn.link(prev, q, cls)
		pn.edge(q, b, geo.EdgeCrossing)
	} else {
		pn.link(prev, b, cls)
	}
	return first, int32(len(pn.pl.pts)) - first
}

// spur adds a dead-end way from plan point from to (s, t), with door paths
// of at most doorM when doorM > 0, unless squeezed to under minSpurM.
func (pn *planner) spur(from int32, s, t float64, cls wayClass, doorM float64) {
	const minSpurM = 10
	if pn.g.coons(pn.c, s, t).dist(pn.pl.pts[from].p) < minSpurM {
		return
	}
	tip := pn.interior(s, t)
	f, n := pn.way(from, tip, 0, cls, false, false)
	if doorM > 0 {
		pn.entrances(from, tip, f, n, doorM)
	}
}

// entrances adds short dead-end footpaths square to a way, from some of its
// intermediate nodes (first, n, between ends a and b) to building doors:
// OSM maps them everywhere in Chinese compounds and they make up much of a
// walking network's nodes. Each is at most maxM long and stays edgeM inside
// the cell, so it never reaches a main road.
func (pn *planner) entrances(a, b, first, n int32, maxM float64) {
	r := pn.r
	for i := first; i < first+n; i++ {
		if r.Float64() >= pn.prof.pEntrance {
			continue
		}
		prev, next := i-1, i+1
		if i == first {
			prev = a
		}
		if i == first+n-1 {
			next = b
		}
		q := pn.pl.pts[i]
		d := pn.pl.pts[next].p.sub(pn.pl.pts[prev].p)
		dl := math.Hypot(d.x, d.y)
		if dl == 0 || maxM < 8 {
			continue
		}
		off := pt{-d.y, d.x}.scale(float64(1-2*r.IntN(2)) * uniform(r, 8, maxM) / dl)
		s, t, ok := pn.offsetST(q.s, q.t, off)
		const edgeM = 10
		if !ok || s*pn.c.w < edgeM || (1-s)*pn.c.w < edgeM || t*pn.c.h < edgeM || (1-t)*pn.c.h < edgeM {
			continue
		}
		pn.link(i, pn.add(planPt{p: q.p.add(off), s: s, t: t, side: -1}), wayFootway)
	}
}

// offsetST returns the (s, t) of the point off metres away from the point
// at (s, t), through the inverse of the Coons map's local Jacobian.
func (pn *planner) offsetST(s, t float64, off pt) (float64, float64, bool) {
	const h = 1e-3
	p := pn.g.coons(pn.c, s, t)
	ps := pn.g.coons(pn.c, s+h, t).sub(p).scale(1 / h)
	pT := pn.g.coons(pn.c, s, t+h).sub(p).scale(1 / h)
	det := ps.x*pT.y - pT.x*ps.y
	if math.Abs(det) < 1e-9 {
		return 0, 0, false
	}
	ds := (off.x*pT.y - pT.x*off.y) / det
	dt := (ps.x*off.y - off.x*ps.y) / det
	return s + ds, t + dt, true
}

// link adds an ordinary local edge, as steps when it climbs too steeply
// for its class.
func (pn *planner) link(a, b int32, cls wayClass) {
	kind := geo.EdgeOther
	if len(pn.c.hillIdx) > 0 {
		pa, pb := pn.pl.pts[a].p, pn.pl.pts[b].p
		if l := pa.dist(pb); l > 0 {
			h := &pn.g.hills
			grade := math.Abs(h.elevation(pa, pn.c.hillIdx)-h.elevation(pb, pn.c.hillIdx)) / l
			if grade > streetStepsGrade || (cls == wayFootway && grade > footwayStepsGrade) {
				kind = geo.EdgeSteps
			}
		}
	}
	pn.edge(a, b, kind)
}

func (pn *planner) edge(a, b int32, kind geo.EdgeKind) {
	pn.pl.edges = append(pn.pl.edges, planEdge{a, b, kind})
}

// pick draws an index with the given weights.
func pick(r *rand.Rand, weights []float64) int {
	var sum float64
	for _, w := range weights {
		sum += w
	}
	x := r.Float64() * sum
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}
