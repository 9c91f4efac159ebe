package geo

import (
	"cmp"
	"errors"
	"slices"

	"github.com/paulmach/orb"
)

// GraphBuilder collects nodes and edges and turns them into a Graph. The zero
// value is ready to use.
type GraphBuilder struct {
	points []orb.Point
	ids    []int64
	index  map[int64]int32
	edges  []rawEdge
}

type rawEdge struct {
	u, v int32
	kind EdgeKind
}

// ErrEmptyGraph is returned by Build when no edge was added.
var ErrEmptyGraph = errors.New("graph has no edges")

// Grow reserves room for about nodes more nodes and edges more edges, to
// save re-allocation when the caller knows the size.
func (b *GraphBuilder) Grow(nodes, edges int) {
	if b.index == nil {
		b.index = make(map[int64]int32, nodes)
	}
	b.points = slices.Grow(b.points, nodes)
	b.ids = slices.Grow(b.ids, nodes)
	b.edges = slices.Grow(b.edges, edges)
}

// Node returns the builder index of the node with source id id, adding it at
// p if it is new. A second call with the same id returns the first index and
// ignores p.
func (b *GraphBuilder) Node(id int64, p orb.Point) int32 {
	if b.index == nil {
		b.index = make(map[int64]int32)
	}
	if i, ok := b.index[id]; ok {
		return i
	}
	i := int32(len(b.points))
	b.points = append(b.points, p)
	b.ids = append(b.ids, id)
	b.index[id] = i
	return i
}

// Edge adds an undirected edge between two builder nodes. Self-loops are
// ignored; repeated edges between the same pair are kept once.
func (b *GraphBuilder) Edge(u, v int32, kind EdgeKind) {
	if u == v {
		return
	}
	if u > v {
		u, v = v, u
	}
	b.edges = append(b.edges, rawEdge{u, v, kind})
}

// Lookup returns the builder index of the node with source id id, if it
// was added.
func (b *GraphBuilder) Lookup(id int64) (int32, bool) {
	i, ok := b.index[id]
	return i, ok
}

// NumNodes returns the number of nodes added so far.
func (b *GraphBuilder) NumNodes() int { return len(b.points) }

// Build measures every edge with Haversine and returns the graph. Every
// connected piece is kept, however small: a courtyard's walkways or an
// island's paths are where someone may live or a facility may stand, and
// snapping decides which piece a point belongs to (see Graph.Piece). Nodes
// no edge touches are left out. Nodes are numbered along a Hilbert curve
// through their points and edges by their ends, for memory locality, so
// graph indexes follow neither the order of Node calls nor source ids;
// each edge still runs from the end added first. The builder can be
// dropped afterwards.
func (b *GraphBuilder) Build() (*Graph, error) {
	if len(b.edges) == 0 {
		return nil, ErrEmptyGraph
	}
	// Where two ways share a segment, keep the slowest kind for elders
	// (steps, then crossing, then other), so the result is deterministic
	// and never optimistic; a way's kind wins over a walk across an area.
	slowest := func(k EdgeKind) int {
		switch k {
		case EdgeSteps:
			return 0
		case EdgeCrossing:
			return 1
		case EdgeAcross:
			return 3
		}
		return 2
	}
	slices.SortFunc(b.edges, func(x, y rawEdge) int {
		if x.u != y.u {
			return int(x.u - y.u)
		}
		if x.v != y.v {
			return int(x.v - y.v)
		}
		return slowest(x.kind) - slowest(y.kind)
	})
	b.edges = slices.CompactFunc(b.edges, func(x, y rawEdge) bool { return x.u == y.u && x.v == y.v })

	// Number the nodes an edge touches along a Hilbert curve, and the
	// edges by their ends, so that what a bounded search reads (a node's
	// slots, its neighbours' times, their edges) lies close in memory.
	// Source ids and every result stay as they were; only indexes move.
	n := len(b.points)
	used := make([]bool, n)
	for _, e := range b.edges {
		used[e.u], used[e.v] = true, true
	}
	order := hilbertOrder(b.points, used)
	newID := make([]int32, n)
	for i := range newID {
		newID[i] = -1
	}
	g := &Graph{Points: make([]orb.Point, len(order)), OSMIDs: make([]int64, len(order))}
	for k, i := range order {
		newID[i] = int32(k)
		g.Points[k] = b.points[i]
		g.OSMIDs[k] = b.ids[i]
	}
	// Each edge keeps its direction (EdgeU is the end added first), so
	// positions along it read the same as before the renumbering. Edges
	// are ordered by their lower end, then their higher one.
	m := len(b.edges)
	g.EdgeU, g.EdgeV = make([]int32, m), make([]int32, m)
	g.EdgeKind, g.EdgeLen = make([]EdgeKind, m), make([]float64, m)
	for k, i := range edgesByEnds(b.edges, newID, len(order)) {
		e := b.edges[i]
		u, v := newID[e.u], newID[e.v]
		g.EdgeU[k], g.EdgeV[k] = u, v
		g.EdgeKind[k] = e.kind
		g.EdgeLen[k] = Haversine(g.Points[u], g.Points[v])
	}
	g.buildAdjacency()
	g.labelPieces()
	g.indexOSMIDs()
	return g, nil
}

// edgesByEnds returns the indexes of edges ordered by the lower of their
// ends' new numbers, then the higher: a counting sort on the lower end (n
// nodes), then a sort within each node's few edges.
func edgesByEnds(edges []rawEdge, newID []int32, n int) []int32 {
	ends := func(e rawEdge) (int32, int32) {
		u, v := newID[e.u], newID[e.v]
		return min(u, v), max(u, v)
	}
	start := make([]int32, n+1)
	for _, e := range edges {
		lo, _ := ends(e)
		start[lo+1]++
	}
	for i := 0; i < n; i++ {
		start[i+1] += start[i]
	}
	out := make([]int32, len(edges))
	next := slices.Clone(start[:n])
	for i, e := range edges {
		lo, _ := ends(e)
		out[next[lo]] = int32(i)
		next[lo]++
	}
	hi := func(i int32) int32 { _, h := ends(edges[i]); return h }
	for u := 0; u < n; u++ {
		if group := out[start[u]:start[u+1]]; len(group) > 1 {
			slices.SortFunc(group, func(a, b int32) int { return cmp.Compare(hi(a), hi(b)) })
		}
	}
	return out
}

// buildAdjacency fills Offsets, Adj and AdjEdge from the edge arrays.
func (g *Graph) buildAdjacency() {
	n, m := len(g.Points), len(g.EdgeU)
	g.Offsets = make([]int32, n+1)
	for e := 0; e < m; e++ {
		g.Offsets[g.EdgeU[e]+1]++
		g.Offsets[g.EdgeV[e]+1]++
	}
	for u := 0; u < n; u++ {
		g.Offsets[u+1] += g.Offsets[u]
	}
	g.Adj = make([]int32, 2*m)
	g.AdjEdge = make([]int32, 2*m)
	next := slices.Clone(g.Offsets[:n])
	for e := int32(0); e < int32(m); e++ {
		u, v := g.EdgeU[e], g.EdgeV[e]
		g.Adj[next[u]], g.AdjEdge[next[u]] = v, e
		next[u]++
		g.Adj[next[v]], g.AdjEdge[next[v]] = u, e
		next[v]++
	}
}
