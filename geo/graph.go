package geo

import (
	"fmt"
	"sync"

	"github.com/paulmach/orb"
)

// EdgeKind tells walking costs apart: elders climb steps far more slowly
// than they walk on the flat.
type EdgeKind uint8

// Edge kinds.
const (
	EdgeOther    EdgeKind = iota // any ordinary walkway or street
	EdgeSteps                    // highway=steps
	EdgeCrossing                 // footway=crossing and the like
	// EdgeAcross is a straight walk across a pedestrian area (a square),
	// priced like EdgeOther; maps draw the area's outline, not these.
	EdgeAcross
)

// String returns the OSM-ish name of the kind.
func (k EdgeKind) String() string {
	switch k {
	case EdgeSteps:
		return "steps"
	case EdgeCrossing:
		return "crossing"
	case EdgeAcross:
		return "across"
	default:
		return "other"
	}
}

// Graph is an undirected walking graph in compressed sparse rows. Node and
// edge ids are dense int32 indexes. A Graph is immutable once built and safe
// for concurrent readers.
type Graph struct {
	// Per node.
	Points []orb.Point // lon/lat
	OSMIDs []int64     // source node id (OSM id, or a synthetic id)

	// Per undirected edge.
	EdgeU, EdgeV []int32
	EdgeLen      []float64 // metres
	EdgeKind     []EdgeKind

	// Adjacency: the slots of node u are Offsets[u] .. Offsets[u+1].
	Offsets []int32
	Adj     []int32 // neighbour node of each slot
	AdjEdge []int32 // undirected edge of each slot

	// piece labels the connected pieces; see Piece.
	piece     []int32
	pieceSize []int32

	osmIndex  map[int64]int32
	boundOnce sync.Once
	bound     orb.Bound
}

// NumNodes returns the number of nodes.
func (g *Graph) NumNodes() int { return len(g.Points) }

// NumEdges returns the number of undirected edges.
func (g *Graph) NumEdges() int { return len(g.EdgeU) }

// TotalLength returns the summed length of all edges in metres.
func (g *Graph) TotalLength() float64 {
	var s float64
	for _, l := range g.EdgeLen {
		s += l
	}
	return s
}

// Bound returns the lon/lat bounding box of the graph's nodes. It is
// computed once: servers ask it on every request.
func (g *Graph) Bound() orb.Bound {
	g.boundOnce.Do(func() {
		if len(g.Points) == 0 {
			return
		}
		lo, hi := g.Points[0], g.Points[0]
		for _, p := range g.Points[1:] {
			lo = orb.Point{min(lo[0], p[0]), min(lo[1], p[1])}
			hi = orb.Point{max(hi[0], p[0]), max(hi[1], p[1])}
		}
		g.bound = orb.Bound{Min: lo, Max: hi}
	})
	return g.bound
}

// NodeByOSMID returns the graph node with the given source id.
func (g *Graph) NodeByOSMID(id int64) (int32, bool) {
	if g.osmIndex == nil {
		return -1, false
	}
	n, ok := g.osmIndex[id]
	return n, ok
}

// Other returns the end of edge e that is not node u.
func (g *Graph) Other(e, u int32) int32 {
	if g.EdgeU[e] == u {
		return g.EdgeV[e]
	}
	return g.EdgeU[e]
}

// indexOSMIDs builds the source-id lookup; called once a graph is complete.
func (g *Graph) indexOSMIDs() {
	g.osmIndex = make(map[int64]int32, len(g.OSMIDs))
	for i, id := range g.OSMIDs {
		g.osmIndex[id] = int32(i)
	}
}

// validate checks the CSR invariants; used on graphs read from a cache.
func (g *Graph) validate() error {
	n, m := len(g.Points), len(g.EdgeU)
	switch {
	case len(g.OSMIDs) != n:
		return fmt.Errorf("graph: %d points but %d node ids", n, len(g.OSMIDs))
	case len(g.EdgeV) != m || len(g.EdgeLen) != m || len(g.EdgeKind) != m:
		return fmt.Errorf("graph: edge arrays differ in length")
	case len(g.Offsets) != n+1:
		return fmt.Errorf("graph: %d offsets for %d nodes", len(g.Offsets), n)
	case len(g.Adj) != 2*m || len(g.AdjEdge) != 2*m:
		return fmt.Errorf("graph: %d adjacency slots for %d edges", len(g.Adj), m)
	case g.Offsets[0] != 0 || int(g.Offsets[n]) != 2*m:
		return fmt.Errorf("graph: offsets do not span the adjacency")
	}
	for u := 0; u < n; u++ {
		if g.Offsets[u] > g.Offsets[u+1] {
			return fmt.Errorf("graph: offsets decrease at node %d", u)
		}
	}
	for i := range g.Adj {
		if g.Adj[i] < 0 || int(g.Adj[i]) >= n || g.AdjEdge[i] < 0 || int(g.AdjEdge[i]) >= m {
			return fmt.Errorf("graph: adjacency slot %d out of range", i)
		}
	}
	for e := 0; e < m; e++ {
		if g.EdgeU[e] < 0 || int(g.EdgeU[e]) >= n || g.EdgeV[e] < 0 || int(g.EdgeV[e]) >= n {
			return fmt.Errorf("graph: edge %d has an endpoint out of range", e)
		}
	}
	return nil
}
