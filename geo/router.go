package geo

import (
	"fmt"
	"math"
	"sync/atomic"
)

// Router is a graph priced by one walk profile. It is shared by all
// searches (each goroutine uses its own Search) and immutable but for the
// edge cells it may be given.
type Router struct {
	Graph   *Graph
	Profile WalkProfile

	edgeCost []float64 // seconds per undirected edge
	slotCost []float64 // the same, laid out per adjacency slot for the hot loop

	edgeCells atomic.Pointer[EdgeCells] // see UseEdgeCells
}

// NewRouter prices every edge of g with profile p.
func NewRouter(g *Graph, p WalkProfile) (*Router, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	r := &Router{Graph: g, Profile: p, edgeCost: make([]float64, g.NumEdges())}
	for e := range r.edgeCost {
		r.edgeCost[e] = p.EdgeSeconds(g.EdgeLen[e], g.EdgeKind[e])
	}
	r.slotCost = make([]float64, len(g.AdjEdge))
	for i, e := range g.AdjEdge {
		r.slotCost[i] = r.edgeCost[e]
	}
	return r, nil
}

// UseEdgeCells gives the router precomputed edge cells, which service
// areas at their resolution then use: the same cells, found faster; nil
// drops them. Safe while searches run.
func (r *Router) UseEdgeCells(ec *EdgeCells) error {
	if ec != nil && len(ec.off) != r.Graph.NumEdges()+1 {
		return fmt.Errorf("edge cells of %d edges given to a router of %d", len(ec.off)-1, r.Graph.NumEdges())
	}
	r.edgeCells.Store(ec)
	return nil
}

// EdgeCells returns the edge cells given by UseEdgeCells, or nil.
func (r *Router) EdgeCells() *EdgeCells { return r.edgeCells.Load() }

// EdgeSeconds returns the walking time of the whole edge e.
func (r *Router) EdgeSeconds(e int32) float64 { return r.edgeCost[e] }

// Seeds returns the search sources of a walk that starts at snapped point s:
// both ends of its edge, each at the time to walk there from s including the
// straight access leg.
func (r *Router) Seeds(s Snap) [2]Source {
	c := r.edgeCost[s.Edge]
	a := r.Profile.AccessSeconds(s.Access)
	g := r.Graph
	return [2]Source{
		{Node: g.EdgeU[s.Edge], Seconds: a + s.T*c},
		{Node: g.EdgeV[s.Edge], Seconds: a + (1-s.T)*c},
	}
}

// Direct returns the walking time between two points snapped to the same
// edge along that edge, or +Inf when they are on different edges.
func (r *Router) Direct(a, b Snap) float64 {
	if a.Edge != b.Edge {
		return math.Inf(1)
	}
	return math.Abs(a.T-b.T)*r.edgeCost[a.Edge] + r.Profile.AccessSeconds(a.Access) + r.Profile.AccessSeconds(b.Access)
}
