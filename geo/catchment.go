package geo

import (
	"context"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// PointSet is a fixed set of snapped points (homes, demand cells) grouped by
// the edge they sit on, so a search can collect the points it reaches by
// walking the edges of the nodes it settled.
type PointSet struct {
	snaps  []Snap
	offset []int32 // points on edge e: order[offset[e]:offset[e+1]]
	order  []int32
	// near has bit u set when a point lies on an edge of node u, so that
	// collecting skips the many nodes with none without reading offset.
	near []uint64
}

// NewPointSet groups snaps by edge. Index i of snaps is point i.
func NewPointSet(g *Graph, snaps []Snap) *PointSet {
	m := g.NumEdges()
	ps := &PointSet{snaps: snaps, offset: make([]int32, m+1), order: make([]int32, len(snaps)),
		near: make([]uint64, (g.NumNodes()+63)/64)}
	for _, s := range snaps {
		ps.offset[s.Edge+1]++
		for _, u := range [2]int32{g.EdgeU[s.Edge], g.EdgeV[s.Edge]} {
			ps.near[u/64] |= 1 << (u % 64)
		}
	}
	for e := 0; e < m; e++ {
		ps.offset[e+1] += ps.offset[e]
	}
	next := make([]int32, m)
	copy(next, ps.offset[:m])
	for i, s := range snaps {
		ps.order[next[s.Edge]] = int32(i)
		next[s.Edge]++
	}
	return ps
}

// Len returns the number of points.
func (ps *PointSet) Len() int { return len(ps.snaps) }

// Snap returns point i's snap.
func (ps *PointSet) Snap(i int32) Snap { return ps.snaps[i] }

// OnEdge returns the points on edge e.
func (ps *PointSet) OnEdge(e int32) []int32 { return ps.order[ps.offset[e]:ps.offset[e+1]] }

// Catchment is what one site reaches within a budget: the points and their
// walking times, sorted by point index. float32 seconds keep it compact; a
// city holds thousands of these.
type Catchment struct {
	Points  []int32
	Seconds []float32
}

// Len returns the number of points reached.
func (c Catchment) Len() int { return len(c.Points) }

// Catchment walks from site for at most budget seconds and returns the
// points of ps it reaches.
func (s *Search) Catchment(site Snap, ps *PointSet, budget float64) Catchment {
	seeds := s.r.Seeds(site)
	s.Run(seeds[:], budget)
	if len(s.ptStamp) != ps.Len() {
		s.ptStamp = make([]uint32, ps.Len())
		s.ptBest = make([]float32, ps.Len())
	}
	var c Catchment
	offer := func(p int32, t float64) {
		if t > budget {
			return
		}
		if s.ptStamp[p] != s.run {
			s.ptStamp[p] = s.run
			s.ptBest[p] = float32(t)
			c.Points = append(c.Points, p)
		} else if float32(t) < s.ptBest[p] {
			s.ptBest[p] = float32(t)
		}
	}
	g, prof := s.r.Graph, s.r.Profile
	for _, u := range s.settled {
		if ps.near[u/64]&(1<<(u%64)) == 0 {
			continue
		}
		du := s.dist[u]
		for i := g.Offsets[u]; i < g.Offsets[u+1]; i++ {
			e := g.AdjEdge[i]
			pts := ps.OnEdge(e)
			if len(pts) == 0 {
				continue
			}
			ec := s.r.edgeCost[e]
			fromU := g.EdgeU[e] == u
			for _, p := range pts {
				sp := ps.snaps[p]
				along := sp.T
				if !fromU {
					along = 1 - sp.T
				}
				offer(p, du+along*ec+prof.AccessSeconds(sp.Access))
			}
		}
	}
	// Points on the site's own edge are reachable without passing a node.
	for _, p := range ps.OnEdge(site.Edge) {
		offer(p, s.r.Direct(site, ps.snaps[p]))
	}
	slices.Sort(c.Points)
	c.Seconds = make([]float32, len(c.Points))
	for i, p := range c.Points {
		c.Seconds[i] = s.ptBest[p]
	}
	return c
}

// Catchments computes the catchment of every site on all cores. It stops
// early, returning ctx.Err(), when ctx is cancelled.
func (r *Router) Catchments(ctx context.Context, sites []Snap, ps *PointSet, budget float64) ([]Catchment, error) {
	out := make([]Catchment, len(sites))
	workers := min(runtime.GOMAXPROCS(0), max(1, len(sites)))
	var next atomic.Int64
	var wg sync.WaitGroup
	take := func() int { return int(next.Add(1) - 1) }
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := r.NewSearch()
			for i := take(); i < len(sites); i = take() {
				if i%64 == 0 && ctx.Err() != nil {
					return
				}
				out[i] = s.Catchment(sites[i], ps, budget)
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// NearestSites returns, for every point of ps, the walking time to the
// nearest of sites and that site's index; +Inf and -1 beyond budget.
func (s *Search) NearestSites(sites []Snap, ps *PointSet, budget float64) ([]float64, []int32) {
	sources := make([]Source, 0, 2*len(sites))
	for _, site := range sites {
		seeds := s.r.Seeds(site)
		sources = append(sources, seeds[0], seeds[1])
	}
	s.Run(sources, budget)
	secs := make([]float64, ps.Len())
	from := make([]int32, ps.Len())
	for i := range secs {
		t, o := s.NearestTo(ps.snaps[i])
		if o >= 0 {
			o /= 2 // two sources per site
		}
		secs[i], from[i] = t, o
	}
	// A site on a point's own edge may be nearer than any path via a node.
	for si, site := range sites {
		for _, p := range ps.OnEdge(site.Edge) {
			if t := s.r.Direct(site, ps.snaps[p]); t < secs[p] {
				secs[p], from[p] = t, int32(si)
			}
		}
	}
	for i, t := range secs {
		if t > budget {
			secs[i], from[i] = math.Inf(1), -1
		}
	}
	return secs, from
}
