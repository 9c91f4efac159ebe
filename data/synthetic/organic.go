package synthetic

import (
	"cmp"
	"math"
	"slices"
)

// organicStyle tunes the organic generator for one layout.
type organicStyle struct {
	spacing [2]float64 // between lane junctions
	pExtra  float64    // links kept beyond the spanning tree: loops
	pFoot   float64    // a kept extra link is a footpath
	pEntry  float64    // an edge junction joins the main road
	spurs   float64    // expected dead-end spurs per junction (0..1)
	bend    float64    // largest sideways bend, as a share of the chord
	allFoot bool       // every link is a footpath (parks)
}

// style returns the organic style of the planner's layout.
func (pn *planner) style() organicStyle {
	p := pn.prof
	st := organicStyle{spacing: p.orgSpacing, pExtra: p.pExtra, pFoot: 0.35, pEntry: p.pEntry, spurs: p.spurs / 3, bend: 0.15}
	switch pn.c.layout {
	case LayoutHillside:
		// Lanes wind along the slope and stairs (梯坎) cut straight up it.
		st.spacing = [2]float64{p.orgSpacing[0] * 1.1, p.orgSpacing[1] * 1.1}
		st.pExtra, st.pFoot, st.bend = min(0.8, p.pExtra+0.15), 0.75, 0.2
	case LayoutPark:
		st.spacing = [2]float64{p.orgSpacing[0] * 1.5, p.orgSpacing[1] * 1.5}
		st.pExtra, st.pEntry, st.spurs, st.bend, st.allFoot = 0.35, 0.25, 0.1, 0.2, true
	case LayoutVillage:
		st.spacing = densityProfile(Rural).orgSpacing
		st.pExtra, st.pFoot, st.pEntry, st.spurs, st.bend = 0.1, 0.3, 0.35, 0.15, 0.2
	}
	return st
}

// organic lays out irregular lanes: junctions on a jittered lattice in
// (s, t), a random spanning tree of lattice links so every junction is
// reached, some extra links for loops, the rest left out so that dead ends
// remain, every link bent into a curve, with door paths off it; then joins
// to the main roads and short dead-end spurs. Links only join lattice
// neighbours and bends are small, so lanes do not cross without a junction
// (a spur may, rarely, pass over a door path).
func (pn *planner) organic() {
	c, r := pn.c, pn.r
	st := pn.style()
	d := between(r, st.spacing)
	m := max(1, int(math.Round(c.w/d)))
	n := max(1, int(math.Round(c.h/d)))

	type junction struct {
		id   int32
		s, t float64
	}
	// Jitter junctions by up to a quarter of the spacing, but never towards
	// the main roads: lanes along the cell's edge would hug them.
	jitter := func(a, m int) float64 {
		lo, hi := -0.25, 0.25
		if a == 0 {
			lo = 0
		}
		if a == m-1 {
			hi = 0
		}
		return (float64(a) + 0.5 + uniform(r, lo, hi)) / float64(m)
	}
	js := make([]junction, m*n)
	for b := range n {
		for a := range m {
			s, t := jitter(a, m), jitter(b, n)
			js[b*m+a] = junction{pn.interior(s, t), s, t}
		}
	}

	type link struct {
		u, v int
		w    float64
		tree bool
	}
	links := make([]link, 0, 2*m*n)
	for b := range n {
		for a := range m {
			if a+1 < m {
				links = append(links, link{u: b*m + a, v: b*m + a + 1, w: r.Float64()})
			}
			if b+1 < n {
				links = append(links, link{u: b*m + a, v: (b+1)*m + a, w: r.Float64()})
			}
		}
	}
	// Kruskal on random weights: a uniformly random-looking spanning tree.
	order := make([]int, len(links))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(x, y int) int { return cmp.Compare(links[x].w, links[y].w) })
	parent := make([]int, m*n)
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
	for _, i := range order {
		if ru, rv := find(links[i].u), find(links[i].v); ru != rv {
			parent[ru] = rv
			links[i].tree = true
		}
	}

	for _, lk := range links {
		if !lk.tree && r.Float64() >= st.pExtra {
			continue
		}
		cls := wayStreet
		if st.allFoot || (!lk.tree && r.Float64() < st.pFoot) {
			cls = wayFootway
		}
		u, v := js[lk.u].id, js[lk.v].id
		f, k := pn.way(u, v, uniform(r, -st.bend, st.bend), cls, false, false)
		pn.entrances(u, v, f, k, min(0.3*d, 18))
	}

	// Joins to the main roads from the junctions along the cell's edge,
	// roughly square to the road.
	entries := 0
	enter := func(sl int, j junction) bool {
		param := j.s
		if sl == sideLeft || sl == sideRight {
			param = j.t
		}
		e := pn.join(sl, param+uniform(r, -0.02, 0.02))
		if e < 0 {
			return false
		}
		pn.way(e, j.id, 0, wayStreet, r.Float64() < pn.prof.pCross, false)
		entries++
		return true
	}
	ring := func(sl int) []junction {
		var out []junction
		switch sl {
		case sideBottom:
			out = js[:m]
		case sideTop:
			out = js[(n-1)*m:]
		case sideLeft, sideRight:
			a := 0
			if sl == sideRight {
				a = m - 1
			}
			for b := range n {
				out = append(out, js[b*m+a])
			}
		}
		return out
	}
	for sl := range 4 {
		for _, j := range ring(sl) {
			if r.Float64() < st.pEntry {
				enter(sl, j)
			}
		}
	}
	for sl := 0; entries == 0 && sl < 4; sl++ {
		rj := ring(sl)
		enter(sl, rj[len(rj)/2]) // every neighbourhood reaches a main road
	}

	// Dead-end spurs into the lattice faces.
	for _, j := range js {
		if r.Float64() >= st.spurs {
			continue
		}
		ds := float64(1-2*r.IntN(2)) * uniform(r, 0.25, 0.35) / float64(m)
		dt := float64(1-2*r.IntN(2)) * uniform(r, 0.25, 0.35) / float64(n)
		cls := wayFootway
		if !st.allFoot && r.Float64() < 0.5 {
			cls = wayService
		}
		pn.spur(j.id, clamp(j.s+ds, 0.02, 0.98), clamp(j.t+dt, 0.02, 0.98), cls, 0)
	}
}
