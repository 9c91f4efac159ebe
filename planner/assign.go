package planner

import (
	"cmp"
	"math"
	"slices"

	"github.com/carecircle/carecircle/planner/internal/binheap"
)

// This file solves 中心带站 as an assignment problem: stations to street
// centres, each centre running at most a fixed number of stations, each
// station run by at most one centre within reach. The answer assigns as
// many stations as any assignment can, and among those assignments the
// one with the least total walking time. It is a min-cost max-flow on the
// bipartite graph source → station (capacity 1) → centre (capacity 1,
// cost = walking seconds) → sink (capacity = stations per centre), solved
// by successive shortest paths: each augmentation follows a cheapest path
// in the residual graph (Dijkstra on reduced costs with node potentials),
// so the flow after k augmentations is a cheapest flow of value k, and the
// last one is a cheapest maximum flow.

// assignArc is a station–centre pair within reach and the walk between
// them.
type assignArc struct {
	station, centre int
	seconds         float64
}

// assignStations returns, for each of nStations stations, the index of
// the centre (0 ≤ c < nCentres) it is assigned to, or -1: the most
// stations that can be assigned with each centre taking at most capacity,
// and among such assignments one with the least total seconds. Arcs list
// the allowed pairs. The graph is split into connected parts first, which
// are solved independently.
func assignStations(nStations, nCentres, capacity int, arcs []assignArc) []int {
	out := make([]int, nStations)
	for i := range out {
		out[i] = -1
	}
	if capacity <= 0 || len(arcs) == 0 {
		return out
	}
	// Union–find over stations (0..ns-1) and centres (ns..ns+nc-1).
	parent := make([]int, nStations+nCentres)
	for i := range parent {
		parent[i] = i
	}
	find := func(x int) int {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	for _, a := range arcs {
		ra, rb := find(a.station), find(nStations+a.centre)
		if ra != rb {
			parent[max(ra, rb)] = min(ra, rb)
		}
	}
	parts := map[int][]assignArc{}
	var roots []int
	for _, a := range arcs {
		r := find(a.station)
		if _, ok := parts[r]; !ok {
			roots = append(roots, r)
		}
		parts[r] = append(parts[r], a)
	}
	slices.Sort(roots)
	for _, r := range roots {
		solveAssignment(parts[r], capacity, out)
	}
	return out
}

// mcfEdge is one direction of a residual edge.
type mcfEdge struct {
	to   int32
	rev  int32 // index of the reverse edge in adj[to]
	cap  int32
	cost float64
}

// solveAssignment solves one connected part and writes its stations'
// centres into out.
func solveAssignment(arcs []assignArc, capacity int, out []int) {
	// Local node ids: 0 source, 1 sink, then stations, then centres, each
	// in ascending order, so the result does not depend on the order the
	// arcs were found in.
	slices.SortFunc(arcs, func(a, b assignArc) int {
		if c := cmp.Compare(a.station, b.station); c != 0 {
			return c
		}
		return cmp.Compare(a.centre, b.centre)
	})
	stationID, centreID := map[int]int32{}, map[int]int32{}
	var stations, centres []int
	for _, a := range arcs {
		if _, ok := stationID[a.station]; !ok {
			stationID[a.station] = int32(len(stations))
			stations = append(stations, a.station)
		}
		centres = append(centres, a.centre)
	}
	slices.Sort(centres)
	centres = slices.Compact(centres)
	for i, c := range centres {
		centreID[c] = int32(i)
	}
	const src, sink = 0, 1
	st := func(i int32) int32 { return 2 + i }
	ce := func(i int32) int32 { return 2 + int32(len(stations)) + i }
	n := 2 + len(stations) + len(centres)
	adj := make([][]mcfEdge, n)
	add := func(u, v int32, c int32, cost float64) {
		adj[u] = append(adj[u], mcfEdge{to: v, rev: int32(len(adj[v])), cap: c, cost: cost})
		adj[v] = append(adj[v], mcfEdge{to: u, rev: int32(len(adj[u]) - 1), cap: 0, cost: -cost})
	}
	for i := range stations {
		add(src, st(int32(i)), 1, 0)
	}
	for _, a := range arcs {
		add(st(stationID[a.station]), ce(centreID[a.centre]), 1, a.seconds)
	}
	for i := range centres {
		add(ce(int32(i)), sink, int32(capacity), 0)
	}

	pot := make([]float64, n) // all costs are ≥ 0, so zero potentials are feasible
	dist := make([]float64, n)
	done := make([]bool, n)
	prevNode := make([]int32, n)
	prevEdge := make([]int32, n)
	var h binheap.Heap[distItem]
	for flow := 0; flow < len(stations); flow++ {
		for i := range dist {
			dist[i] = math.Inf(1)
			done[i] = false
			prevNode[i] = -1
		}
		// The source is settled at once: its only edges lead to the
		// stations not yet assigned, which start the heap (heapified in
		// linear time rather than pushed one by one).
		dist[src], done[src] = 0, true
		h = h[:0]
		for k, e := range adj[src] {
			if e.cap > 0 {
				d := max(0, e.cost+pot[src]-pot[e.to])
				dist[e.to], prevNode[e.to], prevEdge[e.to] = d, src, int32(k)
				h = append(h, distItem{d, e.to})
			}
		}
		h.Heapify()
		for len(h) > 0 {
			it := h.Pop()
			u := it.node
			if done[u] || it.d > dist[u] {
				continue
			}
			done[u] = true
			if u == sink {
				break // the cheapest path to the sink is known
			}
			for k, e := range adj[u] {
				if e.cap <= 0 || done[e.to] {
					continue
				}
				// Reduced costs are ≥ 0 in exact arithmetic; clamp the
				// rounding noise so Dijkstra stays correct.
				rc := max(0, e.cost+pot[u]-pot[e.to])
				if d := dist[u] + rc; d < dist[e.to] {
					dist[e.to] = d
					prevNode[e.to] = u
					prevEdge[e.to] = int32(k)
					h.Push(distItem{d, e.to})
				}
			}
		}
		if !done[sink] {
			break // no augmenting path: the flow is maximum
		}
		// Settled nodes move by their distance, the rest by the sink's,
		// which keeps every residual reduced cost ≥ 0.
		for v := range pot {
			if done[v] {
				pot[v] += dist[v]
			} else {
				pot[v] += dist[sink]
			}
		}
		for v := int32(sink); v != src; v = prevNode[v] {
			u := prevNode[v]
			e := &adj[u][prevEdge[v]]
			e.cap--
			adj[v][e.rev].cap++
		}
	}
	for i, s := range stations {
		for _, e := range adj[st(int32(i))] {
			if e.to >= ce(0) && e.cap == 0 {
				out[s] = centres[e.to-ce(0)]
			}
		}
	}
}

type distItem struct {
	d    float64
	node int32
}

// before orders distItems by distance, then node id, so ties break the
// same way every run.
func (a distItem) Before(b distItem) bool {
	if a.d != b.d {
		return a.d < b.d
	}
	return a.node < b.node
}
