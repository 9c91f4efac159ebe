package synthetic

import (
	"math"
	"math/rand/v2"
)

// span is a run of consecutive plan points: the intermediate nodes of one
// street segment between two junctions.
type span struct{ first, n int32 }

// grid lays out a planned neighbourhood: local streets along (s, t) lines a
// block apart, meeting the main roads in T-junctions, and in every block a
// compound whose service lanes and footpaths join the surrounding streets,
// as in the gated 小区 that fill Chinese blocks.
func (pn *planner) grid() {
	c, r := pn.c, pn.r
	sp := between(r, pn.prof.gridSpacing)
	ns := max(0, int(math.Round(c.w/sp))-1)
	nt := max(0, int(math.Round(c.h/sp))-1)
	S, T := gridLines(r, ns), gridLines(r, nt)

	// Junctions, indexed by line: k over S (0 and ns+1 are the west and east
	// sides), l over T.
	at := func(k, l int) int { return k*(nt+2) + l }
	junction := make([]int32, (ns+2)*(nt+2))
	for k := 1; k <= ns; k++ {
		for l := 1; l <= nt; l++ {
			junction[at(k, l)] = pn.interior(S[k], T[l])
		}
	}
	for k := 1; k <= ns; k++ {
		junction[at(k, 0)] = pn.joinOrStub(sideBottom, S[k], 0)
		junction[at(k, nt+1)] = pn.joinOrStub(sideTop, S[k], 1)
	}
	for l := 1; l <= nt; l++ {
		junction[at(0, l)] = pn.joinOrStub(sideLeft, 0, T[l])
		junction[at(ns+1, l)] = pn.joinOrStub(sideRight, 1, T[l])
	}

	// Street segments: vseg[k][l] runs up line S[k] from T[l] to T[l+1],
	// hseg[l][k] along line T[l] from S[k] to S[k+1].
	pc := pn.prof.pCross
	vseg := make([]span, (ns+2)*(nt+1))
	for k := 1; k <= ns; k++ {
		for l := 0; l <= nt; l++ {
			f, n := pn.way(junction[at(k, l)], junction[at(k, l+1)], 0, wayStreet, l == 0 && r.Float64() < pc, l == nt && r.Float64() < pc)
			vseg[k*(nt+1)+l] = span{f, n}
		}
	}
	hseg := make([]span, (nt+2)*(ns+1))
	for l := 1; l <= nt; l++ {
		for k := 0; k <= ns; k++ {
			f, n := pn.way(junction[at(k, l)], junction[at(k+1, l)], 0, wayStreet, k == 0 && r.Float64() < pc, k == ns && r.Float64() < pc)
			hseg[l*(ns+1)+k] = span{f, n}
		}
	}

	for k := 0; k <= ns; k++ {
		for l := 0; l <= nt; l++ {
			// The block's four sides: a street segment inside the cell, or
			// the main road (the cell's own side) on its border.
			edges := [4]func() int32{
				sideBottom: func() int32 {
					if l == 0 {
						return pn.join(sideBottom, lerp(S[k], S[k+1], uniform(r, 0.3, 0.7)))
					}
					return pn.middle(hseg[l*(ns+1)+k])
				},
				sideRight: func() int32 {
					if k == ns {
						return pn.join(sideRight, lerp(T[l], T[l+1], uniform(r, 0.3, 0.7)))
					}
					return pn.middle(vseg[(k+1)*(nt+1)+l])
				},
				sideTop: func() int32 {
					if l == nt {
						return pn.join(sideTop, lerp(S[k], S[k+1], uniform(r, 0.3, 0.7)))
					}
					return pn.middle(hseg[(l+1)*(ns+1)+k])
				},
				sideLeft: func() int32 {
					if k == 0 {
						return pn.join(sideLeft, lerp(T[l], T[l+1], uniform(r, 0.3, 0.7)))
					}
					return pn.middle(vseg[k*(nt+1)+l])
				},
			}
			pn.block(S[k], S[k+1], T[l], T[l+1], edges)
		}
	}
}

// gridLines returns n interior line positions in (0, 1) about evenly
// spaced, with 0 and 1 at the ends.
func gridLines(r *rand.Rand, n int) []float64 {
	v := make([]float64, n+2)
	for k := 1; k <= n; k++ {
		v[k] = (float64(k) + uniform(r, -0.15, 0.15)) / float64(n+1)
	}
	v[n+1] = 1
	return v
}

// middle picks a node near the middle of a street segment for a lane to
// join, or -1 when the segment has no intermediate node.
func (pn *planner) middle(sp span) int32 {
	if sp.n == 0 {
		return -1
	}
	i := sp.n/2 + int32(pn.r.IntN(3)) - 1
	return sp.first + min(max(i, 0), sp.n-1)
}

// block fills one block of a grid with a compound (小区): lanes from the
// surrounding streets to an inner ring road or, in small blocks, to a single
// hub, and dead-end spurs towards the block's corners. Lanes run to the
// middles of different sides and spurs towards different corners, so they
// never cross.
func (pn *planner) block(s0, s1, t0, t1 float64, edges [4]func() int32) {
	r, prof := pn.r, pn.prof
	arms := pick(r, prof.arms[:])
	var joins [4]int32
	var dirs [4]int
	n := 0
	for _, e := range r.Perm(4)[:arms] {
		if j := edges[e](); j >= 0 {
			joins[n], dirs[n] = j, e
			n++
		}
	}
	if n == 0 {
		return // an unbroken compound (a school, a factory): no lanes
	}
	lane := func() wayClass {
		if r.Float64() < prof.pService {
			return wayService
		}
		return wayFootway
	}
	if min((s1-s0)*pn.c.w, (t1-t0)*pn.c.h) >= ringMinM && r.Float64() < prof.pRing {
		pn.ring(s0, s1, t0, t1, joins[:n], dirs[:n], lane)
		return
	}
	hs, ht := lerp(s0, s1, uniform(r, 0.35, 0.65)), lerp(t0, t1, uniform(r, 0.35, 0.65))
	hub := pn.interior(hs, ht)
	for _, j := range joins[:n] {
		f, m := pn.way(hub, j, 0, lane(), false, r.Float64() < prof.pCross/2)
		pn.entrances(hub, j, f, m, 15)
	}
	corners := [4][2]float64{{s0, t0}, {s1, t0}, {s1, t1}, {s0, t1}}
	for _, q := range r.Perm(4)[:spurCount(r, prof.spurs)] {
		f := uniform(r, 0.45, 0.7)
		pn.spur(hub, lerp(hs, corners[q][0], f), lerp(ht, corners[q][1], f), lane(), 14)
	}
}

// ringMinM is the smallest block side that holds a compound ring road.
const ringMinM = 70

// ring lays out a compound with an inner ring road: lanes from the middle
// of each ring side out to the block side it faces, spurs from the ring's
// corners towards the block's corners, and sometimes a footpath across the
// courtyard.
func (pn *planner) ring(s0, s1, t0, t1 float64, joins []int32, dirs []int, lane func() wayClass) {
	r := pn.r
	// Insets differ on every side, so rings sit off-centre like real
	// compound roads, and some rings are left open on one side (a U).
	var in [4]float64 // bottom, right, top, left, as shares of the block
	for q := range in {
		in[q] = uniform(r, 0.18, 0.34)
	}
	ls, hs := lerp(s0, s1, in[sideLeft]), lerp(s1, s0, in[sideRight])
	lt, ht := lerp(t0, t1, in[sideBottom]), lerp(t1, t0, in[sideTop])
	rc := [4][2]float64{{ls, lt}, {hs, lt}, {hs, ht}, {ls, ht}}
	var corner [4]int32
	for q := range rc {
		corner[q] = pn.interior(rc[q][0], rc[q][1])
	}
	open := -1
	if r.Float64() < 0.3 {
		open = r.IntN(4)
	}
	// Ring side q runs from corner q to corner q+1 and faces block side q
	// (bottom, right, top, left). Door paths off the ring stay short of
	// the courtyard's middle and of the ring's corners, so they cross
	// nothing.
	doorM := min(16, 0.35*min((hs-ls)*pn.c.w, (ht-lt)*pn.c.h))
	var sides [4]span
	for q := range 4 {
		if q == open {
			continue
		}
		f, n := pn.way(corner[q], corner[(q+1)%4], 0, wayService, false, false)
		sides[q] = span{f, n}
		pn.entrances(corner[q], corner[(q+1)%4], f, n, doorM)
	}
	for k, j := range joins {
		from := pn.middle(sides[dirs[k]])
		if from < 0 {
			from = corner[dirs[k]]
		}
		f, n := pn.way(from, j, 0, lane(), false, r.Float64() < pn.prof.pCross/2)
		pn.entrances(from, j, f, n, 14)
	}
	outer := [4][2]float64{{s0, t0}, {s1, t0}, {s1, t1}, {s0, t1}}
	for _, q := range r.Perm(4)[:spurCount(r, pn.prof.spurs)] {
		f := uniform(r, 0.4, 0.6)
		pn.spur(corner[q], lerp(rc[q][0], outer[q][0], f), lerp(rc[q][1], outer[q][1], f), lane(), 0)
	}
	if r.Float64() < 0.4 {
		q := r.IntN(2) // bottom to top, or right to left
		a, b := pn.middle(sides[q]), pn.middle(sides[q+2])
		if a >= 0 && b >= 0 {
			pn.way(a, b, 0, wayFootway, false, false)
		}
	}
}

// spurCount draws 0..3 spurs with the given mean.
func spurCount(r *rand.Rand, mean float64) int {
	n := 0
	for range 3 {
		if r.Float64() < mean/3 {
			n++
		}
	}
	return n
}
