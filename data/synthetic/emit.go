package synthetic

import (
	"context"
	"math"

	"github.com/carecircle/carecircle/geo"
)

// emitter turns the planned city into GraphBuilder nodes and edges, in a
// fixed order: neighbourhood by neighbourhood, south bank, bridges, north
// bank. A neighbourhood's main-road sides are emitted just before its local
// streets, so that nearby nodes get nearby ids, as in OSM extracts.
type emitter struct {
	g     *gen
	b     geo.GraphBuilder
	pos   []pt    // per builder node, on the plane
	cell  []int32 // per builder node, its neighbourhood or -1
	decks [][]int32
	// guarded counts non-bridge edges the river guard refused. Layout keeps
	// every local way off the water by construction; the guard makes that a
	// guarantee, and tests check that it never had to act.
	guarded int
	scratch []int32
}

// newEmitter sizes the builder and the per-node buffers for the planned
// local nodes and the main roads' nodes, estimated from their length:
// growing them node by node was a third of the city preset's time.
func newEmitter(g *gen) *emitter {
	n := 0
	for ci := range g.cells {
		n += len(g.cells[ci].plan.pts)
	}
	for si := range g.sides {
		if s := &g.sides[si]; s.road {
			n += int(s.length / densityProfile(s.dens).mainPiece[0])
		}
	}
	e := &emitter{g: g, pos: make([]pt, 0, n), cell: make([]int32, 0, n)}
	e.b.Grow(n, n+n/6) // walking networks have about 1.15 edges per node
	return e
}

// run emits the whole city, checking ctx between neighbourhoods.
func (e *emitter) run(ctx context.Context) error {
	g := e.g
	for ri := range g.regions {
		rg := &g.regions[ri]
		for ci := rg.cell0; ci < rg.cell0+rg.rows*rg.cols; ci++ {
			if ci%64 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			e.emitCell(ci)
		}
		if rg.kind == regionSouth {
			for _, br := range g.bridges {
				e.bridge(br)
			}
		}
	}
	return ctx.Err()
}

// node adds a node; its id follows from its creation number (IDBase + k).
func (e *emitter) node(p pt, cell int32) int32 {
	i := e.b.Node(IDBase+int64(len(e.pos))+1, e.g.frame.lonLat(p))
	e.pos = append(e.pos, p)
	e.cell = append(e.cell, cell)
	return i
}

// edge adds a non-bridge edge unless it would touch the river.
func (e *emitter) edge(u, v int32, kind geo.EdgeKind) {
	if e.g.riv != nil && !e.g.riv.clear(e.pos[u], e.pos[v], 1) {
		e.guarded++
		return
	}
	e.b.Edge(u, v, kind)
}

// junction returns the node of a main-road junction, adding it on first use
// so that junctions on the city's edge with no road are never created.
func (e *emitter) junction(n int32) int32 {
	ln := &e.g.lnodes[n]
	if ln.node < 0 {
		ln.node = e.node(ln.pos, -1)
	}
	return ln.node
}

// emitCell emits a neighbourhood's sides, then its local streets.
func (e *emitter) emitCell(ci int) {
	c := &e.g.cells[ci]
	for _, s := range c.sides {
		e.emitSide(s)
	}
	idx := e.scratch[:0]
	for _, q := range c.plan.pts {
		if q.side >= 0 {
			idx = append(idx, e.g.sides[c.sides[q.side]].nodeAt(q.param()))
		} else {
			idx = append(idx, e.node(q.p, int32(ci)))
		}
	}
	for _, pe := range c.plan.edges {
		e.edge(idx[pe.a], idx[pe.b], pe.kind)
	}
	e.scratch = idx
	c.plan = plan{} // the plan is spent; let it go before the big Build
}

// emitSide emits a main-road side once, with its promenade if it runs
// along a built-up riverbank.
func (e *emitter) emitSide(sid int32) {
	s := &e.g.sides[sid]
	if s.done {
		return
	}
	s.done = true
	if !s.road {
		return
	}
	r := newStream(e.g.seed, streamSide, uint64(sid))
	params, crossA, crossB := e.g.sideParams(s, r)
	s.params, s.req = params, nil
	s.nodes = make([]int32, len(params))
	last := len(params) - 1
	s.nodes[0] = e.junction(s.a)
	for k := 1; k < last; k++ {
		s.nodes[k] = e.node(e.g.sidePoint(s, params[k]), -1)
	}
	s.nodes[last] = e.junction(s.b)
	for k := 0; k < last; k++ {
		kind := geo.EdgeOther
		if (k == 0 && crossA) || (k == last-1 && crossB) {
			kind = geo.EdgeCrossing
		}
		e.edge(s.nodes[k], s.nodes[k+1], kind)
	}
	if s.riverside && s.dens >= Medium {
		e.promenade(sid, s)
	}
}

// promenade adds a riverside walk (滨江步道) between a riverside road side
// and the water, stopping short of the junctions so that it passes under
// the bridges, with steps up to the road at its ends and every few hundred
// metres.
func (e *emitter) promenade(sid int32, s *side) {
	g := e.g
	r := newStream(g.seed, streamRiverside, uint64(sid))
	x0, x1 := g.lnodes[s.a].x+40, g.lnodes[s.b].x-40
	if x1-x0 < 120 {
		return
	}
	y := func(x float64) float64 {
		if s.kind == regionSouth {
			return g.riv.at(g.riv.south, x) - promenadeM
		}
		return g.riv.at(g.riv.north, x) + promenadeM
	}
	n := pieces(x1-x0, uniform(r, 30, 45))
	every := max(1, int(math.Round(250/((x1-x0)/float64(n)))))
	var prev int32 = -1
	for k := 0; k <= n; k++ {
		x := lerp(x0, x1, float64(k)/float64(n))
		q := e.node(pt{x, y(x)}, -1)
		if prev >= 0 {
			e.edge(prev, q, geo.EdgeOther)
		}
		if k == 0 || k == n || k%every == 0 {
			e.edge(q, e.nearestOnSide(s, x), geo.EdgeSteps)
		}
		prev = q
	}
}

// nearestOnSide returns the node of an emitted side nearest to x.
func (e *emitter) nearestOnSide(s *side, x float64) int32 {
	best, bd := s.nodes[0], math.Inf(1)
	for _, n := range s.nodes {
		if d := math.Abs(e.pos[n].x - x); d < bd {
			best, bd = n, d
		}
	}
	return best
}

// bridge adds a deck between two riverside junctions, split into spans of
// at most bridgeSpanM. Its edges are the only ones allowed over water.
func (e *emitter) bridge(ends [2]int32) {
	const bridgeSpanM = 70
	a, b := e.junction(ends[0]), e.junction(ends[1])
	pa, pb := e.pos[a], e.pos[b]
	n := max(1, int(math.Ceil(pa.dist(pb)/bridgeSpanM)))
	deck := []int32{a}
	for k := 1; k < n; k++ {
		deck = append(deck, e.node(lerpPt(pa, pb, float64(k)/float64(n)), -1))
	}
	deck = append(deck, b)
	for k := 0; k+1 < len(deck); k++ {
		e.b.Edge(deck[k], deck[k+1], geo.EdgeOther)
	}
	e.decks = append(e.decks, deck)
}
