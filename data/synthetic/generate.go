package synthetic

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/carecircle/carecircle/geo"
	"github.com/paulmach/orb"
)

// gen is the state of one generation run, all on the local plane.
type gen struct {
	p     Params
	seed  uint64
	w, h  float64
	frame frame

	riv     *river // nil without a river
	hills   hillSet
	centres []pt
	centreW []float64 // peak urbanity of each centre

	regions []region
	lnodes  []lnode
	sides   []side
	cells   []cell
	bridges [][2]int32 // riverside junctions, south then north
}

// Generate builds the city described by p from seed. The same p and seed
// always give the same city; see the package documentation. It returns
// ctx's error if ctx is cancelled while it runs.
func Generate(ctx context.Context, p Params, seed uint64) (*City, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	g := newGen(p, seed)
	g.classify()
	if err := g.planAll(ctx); err != nil {
		return nil, err
	}
	// Tell every main road where local streets want to join it, in cell
	// order, before any of its nodes exist.
	for ci := range g.cells {
		c := &g.cells[ci]
		for _, q := range c.plan.pts {
			if q.side >= 0 {
				s := &g.sides[c.sides[q.side]]
				s.req = append(s.req, q.param())
			}
		}
	}
	e := newEmitter(g)
	if err := e.run(ctx); err != nil {
		return nil, err
	}
	graph, err := e.b.Build()
	if err != nil {
		return nil, fmt.Errorf("synthetic: %w", err)
	}
	return g.city(graph, e), nil
}

// newGen lays out the river, hills, centres and main roads. Each draws from
// its own stream so that, say, adding a hill does not move the river.
func newGen(p Params, seed uint64) *gen {
	g := &gen{p: p, seed: seed, w: p.WidthM, h: p.HeightM, frame: newFrame(p.Center, p.WidthM, p.HeightM)}
	if p.RiverWidthM > 0 {
		g.riv = newRiver(p, g.w, g.h, newStream(seed, streamLayout, 0))
	}
	g.hills = placeHills(p, g.w, g.h, g.riv, newStream(seed, streamLayout, 1))
	g.placeCentres(newStream(seed, streamLayout, 2))
	g.buildLattice(newStream(seed, streamLayout, 3))
	return g
}

// inWater reports whether q is within margin metres of the water.
func (g *gen) inWater(q pt, margin float64) bool {
	return g.riv != nil && q.y > g.riv.at(g.riv.south, q.x)-margin && q.y < g.riv.at(g.riv.north, q.x)+margin
}

// placeCentres puts the central business district in the middle of the
// city, moved onto the nearer bank if that is water (as 解放碑 sits at the
// tip of its peninsula), and the other centres on land, spread apart.
func (g *gen) placeCentres(r *rand.Rand) {
	cbd := pt{g.w / 2, g.h / 2}
	if g.inWater(cbd, 200) {
		south, north := g.riv.southRoad(cbd.x)-200, g.riv.northRoad(cbd.x)+200
		cbd.y = north
		if cbd.y-g.h/2 > g.h/2-south {
			cbd.y = south
		}
	}
	g.centres, g.centreW = []pt{cbd}, []float64{1}
	for len(g.centres) < g.p.Centres {
		var q pt
		for try := 0; try < 50; try++ {
			q = pt{uniform(r, 0.08, 0.92) * g.w, uniform(r, 0.08, 0.92) * g.h}
			if g.inWater(q, 200) {
				continue
			}
			apart := true
			for _, c := range g.centres {
				if q.dist(c) < 1.2*g.p.CentreSpreadM {
					apart = false
					break
				}
			}
			if apart {
				break
			}
		}
		g.centres = append(g.centres, q)
		g.centreW = append(g.centreW, uniform(r, 0.75, 0.95))
	}
}

// planAll plans every neighbourhood on all cores. Each plan depends only on
// the layout and the neighbourhood's own stream, so the result does not
// depend on scheduling.
func (g *gen) planAll(ctx context.Context) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), 8) {
		wg.Go(func() {
			for ctx.Err() == nil {
				ci := int(next.Add(1) - 1)
				if ci >= len(g.cells) {
					return
				}
				g.planCell(ci)
			}
		})
	}
	wg.Wait()
	return ctx.Err()
}

// city assembles the result, translating builder nodes to graph nodes.
func (g *gen) city(graph *geo.Graph, e *emitter) *City {
	c := &City{
		Params: g.p, Seed: g.seed, Graph: graph,
		Bound:   orb.Bound{Min: g.frame.lonLat(pt{0, 0}), Max: g.frame.lonLat(pt{g.w, g.h})},
		frame:   g.frame,
		hills:   g.hills,
		guarded: e.guarded,
	}
	if g.riv != nil {
		c.River = g.riv.polygon(g.frame)
		c.RiverLine = g.riv.centreLine(g.frame)
	}
	for k, q := range g.hills.c {
		c.Hills = append(c.Hills, Hill{Center: g.frame.lonLat(q), RadiusM: g.hills.r[k], HeightM: g.hills.h[k]})
	}
	for _, q := range g.centres {
		c.Centres = append(c.Centres, g.frame.lonLat(q))
	}

	// Ids are IDBase + creation number, so the builder index is implied.
	toGraph := make([]int32, len(e.pos))
	for i := range toGraph {
		toGraph[i] = -1
	}
	c.NodeNeighbourhood = make([]int32, graph.NumNodes())
	for gi, id := range graph.OSMIDs {
		bi := id - IDBase - 1
		toGraph[bi] = int32(gi)
		c.NodeNeighbourhood[gi] = e.cell[bi]
	}
	c.Neighbourhoods = make([]Neighbourhood, len(g.cells))
	for ci := range g.cells {
		c.Neighbourhoods[ci] = g.neighbourhood(ci, &g.cells[ci])
	}
	for _, nb := range c.NodeNeighbourhood {
		if nb >= 0 {
			c.Neighbourhoods[nb].Nodes++
		}
	}

	for _, deck := range e.decks {
		var br Bridge
		for _, bi := range deck {
			if toGraph[bi] < 0 {
				br.Nodes = nil // cut off with a dropped bank: not a crossing
				break
			}
			br.Nodes = append(br.Nodes, toGraph[bi])
			br.Deck = append(br.Deck, graph.Points[toGraph[bi]])
		}
		if br.Nodes == nil {
			continue
		}
		for k := 0; k+1 < len(br.Nodes); k++ {
			ed := edgeBetween(graph, br.Nodes[k], br.Nodes[k+1])
			br.Edges = append(br.Edges, ed)
			br.LengthM += graph.EdgeLen[ed]
		}
		c.Bridges = append(c.Bridges, br)
	}
	c.Roads = g.roads(e)
	return c
}

// edgeBetween returns the edge joining u and v; they must be adjacent.
func edgeBetween(g *geo.Graph, u, v int32) int32 {
	for s := g.Offsets[u]; s < g.Offsets[u+1]; s++ {
		if g.Adj[s] == v {
			return g.AdjEdge[s]
		}
	}
	panic(fmt.Sprintf("synthetic: nodes %d and %d are not adjacent", u, v))
}
