package geo

import (
	"math"
)

// Source is a start of a search: a node and the time already spent
// reaching it, which is not negative (Run skips sources whose time is
// negative or NaN: its queue orders only non-negative times).
type Source struct {
	Node    int32
	Seconds float64
}

// Search is the reusable state of one bounded Dijkstra worker. Its buffers
// are sized to the graph once and reset in O(nodes touched), so a search
// allocates nothing after the first few runs. A Search is not safe for
// concurrent use; give each goroutine its own.
type Search struct {
	r       *Router
	dist    []float64
	origin  []int32  // index of the source a node was reached from
	stamp   []uint32 // dist and origin are valid where stamp == run
	run     uint32
	heap    radixHeap
	settled []int32

	// Per-point scratch for catchments, sized on first use.
	ptStamp []uint32
	ptBest  []float32
}

// NewSearch returns a search worker for r.
func (r *Router) NewSearch() *Search {
	n := r.Graph.NumNodes()
	return &Search{
		r:      r,
		dist:   make([]float64, n),
		origin: make([]int32, n),
		stamp:  make([]uint32, n),
	}
}

// Router returns the router the search runs on.
func (s *Search) Router() *Router { return s.r }

func (s *Search) next() {
	s.run++
	if s.run == 0 { // wrapped: clear stamps once every 4 billion runs
		clear(s.stamp)
		clear(s.ptStamp)
		s.run = 1
	}
	s.heap.reset()
	s.settled = s.settled[:0]
}

// Run settles every node whose walking time from the nearest source is at
// most budget seconds (budget +Inf: the whole graph). Sources may repeat a
// node; the cheapest wins. Afterwards Seconds, Origin and Settled describe
// the result until the next Run.
func (s *Search) Run(sources []Source, budget float64) {
	s.next()
	for i, src := range sources {
		if !(src.Seconds >= 0) || src.Seconds > budget {
			continue
		}
		if s.stamp[src.Node] == s.run && s.dist[src.Node] <= src.Seconds {
			continue
		}
		s.stamp[src.Node] = s.run
		s.dist[src.Node] = src.Seconds
		s.origin[src.Node] = int32(i)
		s.heap.push(src.Seconds, src.Node)
	}
	g := s.r.Graph
	off, adj, cost := g.Offsets, g.Adj, s.r.slotCost
	for s.heap.len() > 0 {
		it := s.heap.pop()
		u := it.node
		if it.cost > s.dist[u] { // stale entry
			continue
		}
		s.settled = append(s.settled, u)
		du, ou := it.cost, s.origin[u]
		for i := off[u]; i < off[u+1]; i++ {
			v := adj[i]
			dv := du + cost[i]
			if dv > budget {
				continue
			}
			if s.stamp[v] != s.run {
				s.stamp[v] = s.run
			} else if dv >= s.dist[v] {
				continue
			}
			s.dist[v] = dv
			s.origin[v] = ou
			s.heap.push(dv, v)
		}
	}
}

// Seconds returns the walking time to node u found by the last Run, or +Inf
// when u was not reached within the budget.
func (s *Search) Seconds(u int32) float64 {
	if s.stamp[u] != s.run {
		return math.Inf(1)
	}
	return s.dist[u]
}

// Origin returns the index (into the sources of the last Run) of the source
// nearest to u, or -1 when u was not reached.
func (s *Search) Origin(u int32) int32 {
	if s.stamp[u] != s.run {
		return -1
	}
	return s.origin[u]
}

// Settled returns the nodes reached by the last Run, in order of time. The
// slice is reused by the next Run.
func (s *Search) Settled() []int32 { return s.settled }

// SecondsTo returns the walking time from the last Run's sources to the
// snapped point p: through either end of its edge, plus its access leg.
// It does not know of sources on p's own edge; see Router.Direct.
func (s *Search) SecondsTo(p Snap) float64 {
	t, _ := s.NearestTo(p)
	return t
}

// NearestTo is SecondsTo that also returns the index of the source the
// time comes from (-1 and +Inf when p is out of reach).
func (s *Search) NearestTo(p Snap) (float64, int32) {
	g := s.r.Graph
	c := s.r.edgeCost[p.Edge]
	u, v := g.EdgeU[p.Edge], g.EdgeV[p.Edge]
	tu, tv := s.Seconds(u)+p.T*c, s.Seconds(v)+(1-p.T)*c
	if math.IsInf(tu, 1) && math.IsInf(tv, 1) {
		return tu, -1
	}
	a := s.r.Profile.AccessSeconds(p.Access)
	if tu <= tv {
		return tu + a, s.origin[u]
	}
	return tv + a, s.origin[v]
}
