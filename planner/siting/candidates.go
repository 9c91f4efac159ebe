package siting

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/paulmach/orb"
	"github.com/uber/h3-go/v4"

	"github.com/carecircle/carecircle/geo"
	"github.com/carecircle/carecircle/planner"
)

// DefaultCandidateRes is the H3 resolution of generated candidates: res-10
// cells are ≈0.015 km² (an edge of 66 m), a block or two, so a site is
// placed to within a minute's walk.
const DefaultCandidateRes = 10

// GenerateCandidates proposes candidate sites where elders live: for every
// H3 cell at resolution res holding a snapped demand point with elders
// 60+, the walking-network node nearest the cell's centre among the ends
// of the walkways its homes snap to. Sites are network nodes, so never in
// water or off the network; one per node; each in the community with most
// of its cell's elders. The list is ordered by cell, so the same model
// always gives the same candidates.
func GenerateCandidates(m *planner.Model, res int) ([]Candidate, error) {
	if res < 0 || res > 15 {
		return nil, fmt.Errorf("H3 resolution %d: want 0 to 15", res)
	}
	type cellComm struct {
		cell h3.Cell
		comm int32
	}
	g := m.City.Network
	elders := map[cellComm]float64{}
	cellOf := make([]h3.Cell, m.Demand.Len())
	for k := int32(0); k < int32(m.Demand.Len()); k++ {
		d := m.DemandPoint(k)
		if !(d.Elders60 > 0) {
			continue
		}
		cell, err := h3.LatLngToCell(h3.NewLatLng(d.Location[1], d.Location[0]), res)
		if err != nil {
			return nil, fmt.Errorf("H3 cell of demand point %d: %w", m.DemandRow(k), err)
		}
		cellOf[k] = cell
		elders[cellComm{cell, d.Community}] += d.Elders60
	}
	type pick struct {
		cc   cellComm
		at   orb.Point // the cell's centre
		node int32
		dist float64
	}
	best := map[h3.Cell]*pick{}
	for cc, n := range elders {
		b, ok := best[cc.cell]
		if !ok {
			ll, err := h3.CellToLatLng(cc.cell)
			if err != nil {
				return nil, fmt.Errorf("centre of H3 cell %s: %w", cc.cell, err)
			}
			best[cc.cell] = &pick{cc: cc, at: orb.Point{ll.Lng, ll.Lat}, node: -1}
			continue
		}
		if n > elders[b.cc] || (n == elders[b.cc] && cc.comm < b.cc.comm) {
			b.cc = cc
		}
	}
	for k, cell := range cellOf {
		if cell == 0 {
			continue
		}
		b := best[cell]
		e := m.Demand.Snap(int32(k)).Edge
		for _, node := range []int32{g.EdgeU[e], g.EdgeV[e]} {
			d := geo.Haversine(g.Points[node], b.at)
			if b.node < 0 || d < b.dist || (d == b.dist && node < b.node) {
				b.node, b.dist = node, d
			}
		}
	}
	cells := make([]h3.Cell, 0, len(best))
	for c := range best {
		cells = append(cells, c)
	}
	slices.Sort(cells)
	seen := map[int32]bool{}
	var out []Candidate
	for _, c := range cells {
		b := best[c]
		if b.node < 0 || seen[b.node] {
			continue
		}
		seen[b.node] = true
		reg := &m.City.Regions[b.cc.comm]
		out = append(out, Candidate{
			ID:        fmt.Sprintf("node-%d", g.OSMIDs[b.node]),
			Name:      reg.Name + "候选点",
			Location:  g.Points[b.node],
			Community: reg.Code,
		})
	}
	return out, nil
}

// snapMany snaps points to the network on all cores.
func snapMany(m *planner.Model, pts []orb.Point) ([]geo.Snap, []error) {
	snaps := make([]geo.Snap, len(pts))
	errs := make([]error, len(pts))
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < len(pts); i = int(next.Add(1) - 1) {
				snaps[i], errs[i] = m.Edges.Snap(pts[i], m.SnapLimit())
			}
		}()
	}
	wg.Wait()
	return snaps, errs
}

// optCand is a candidate made ready: snapped, placed, and what a site
// there would be.
type optCand struct {
	Candidate
	snap    geo.Snap
	snapped bool  // snap is set (generated candidates are snapped when walked)
	comm    int32 // community region index, -1 when in none
	street  int32 // street region index, -1
	ok      bool  // eligible for the problem asked
	typ     planner.FacilityType
	floor   float64
}

// optInstance is one siting problem: the elders not yet covered, the
// candidates and, for each, the uncovered elders within its circle.
type optInstance struct {
	e   *planner.Evaluation
	m   *planner.Model
	req OptimizeRequest

	elders60, covered60 float64 // the city's elders 60+, and those covered now

	// Uncovered demand points with elders, by compact id: the model's
	// point, its elders 60+ (heads), its objective weight, its circle in
	// seconds and its community.
	pt     []int32
	heads  []float64
	weight []float64
	circle []float64
	pcomm  []int32

	cands []optCand
	// The catchment of candidate i is idx[off[i]:off[i+1]]: the compact
	// points within their circle of it, ascending (capacitated: by
	// priority, then walking time, with the times in sec).
	off []int
	idx []int32
	sec []float32

	rules []siteRule // rule_aware: the units lacking a facility

	single    []float64 // objective weight each candidate covers alone
	reachable []bool    // compact points some candidate reaches
	rank      []int32   // seeded tie-break order of candidates

	stats                       OptimizeStats
	progress                    func(done, total int)
	progressDone, progressTotal int
}

// newOptInstance gathers the uncovered demand, prepares the candidates
// and walks their catchments.
func newOptInstance(ctx context.Context, e *planner.Evaluation, req OptimizeRequest, progress func(int, int)) (*optInstance, error) {
	m, p := e.Model(), e.Model().Profile
	in := &optInstance{e: e, m: m, req: req, progress: progress}
	for c := range m.City.Regions {
		reg := &m.City.Regions[c]
		if reg.Level != planner.LevelCommunity {
			continue
		}
		in.elders60 += reg.Elders60
		circle := m.CircleSeconds(reg.AreaType)
		for _, k := range m.CommunityPoints(int32(c)) {
			d := m.DemandPoint(k)
			if e.ServedSeconds(k) <= circle {
				in.covered60 += d.Elders60
				continue
			}
			if !(d.Elders60 > 0) {
				continue
			}
			w := p.DemandWeight(d.Elders60, d.Elders80)
			if req.Problem == ProblemTargetCoverage {
				w = d.Elders60
			}
			in.pt = append(in.pt, k)
			in.heads = append(in.heads, d.Elders60)
			in.weight = append(in.weight, w)
			in.circle = append(in.circle, circle)
			in.pcomm = append(in.pcomm, int32(c))
		}
	}
	if !(in.elders60 > 0) {
		return nil, errNoElders
	}
	in.stats.UncoveredPoints = len(in.pt)

	cands := req.Candidates
	if cands == nil {
		var err error
		if cands, err = GenerateCandidates(m, req.CandidateRes); err != nil {
			return nil, fmt.Errorf("optimize: generating candidates: %w", err)
		}
		in.stats.Generated = true
	}
	in.stats.Candidates = len(cands)
	if req.Problem == ProblemRuleAware {
		in.rules = in.lackingUnits()
	}
	if err := in.prepareCandidates(cands); err != nil {
		return nil, err
	}
	in.rank = seededRank(len(in.cands), req.Seed)
	if err := in.walkCatchments(ctx); err != nil {
		return nil, err
	}
	return in, nil
}

// seededRank is a permutation of 0..n-1 drawn from seed: the order in
// which equally good candidates are preferred.
func seededRank(n int, seed uint64) []int32 {
	rank := make([]int32, n)
	for i := range rank {
		rank[i] = int32(i)
	}
	// SplitMix64 drives a Fisher–Yates shuffle: cheap, and the same on
	// every platform.
	s := seed ^ 0x9e3779b97f4a7c15
	next := func() uint64 {
		s += 0x9e3779b97f4a7c15
		z := s
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
		z = (z ^ (z >> 27)) * 0x94d049bb133111eb
		return z ^ (z >> 31)
	}
	for i := n - 1; i > 0; i-- {
		j := int(next() % uint64(i+1))
		rank[i], rank[j] = rank[j], rank[i]
	}
	return rank
}

// describeCandidate names candidate i (0-based) in errors.
func describeCandidate(i int, c *Candidate) string {
	s := fmt.Sprintf("candidate %d", i+1)
	switch {
	case c.ID != "" && c.Name != "":
		s += fmt.Sprintf(" (id %q, %s)", c.ID, c.Name)
	case c.ID != "":
		s += fmt.Sprintf(" (id %q)", c.ID)
	case c.Name != "":
		s += " (" + c.Name + ")"
	}
	return s
}

// prepareCandidates checks and snaps the candidates, places them in their
// communities and decides which the problem can use.
func (in *optInstance) prepareCandidates(cs []Candidate) error {
	m, p, req := in.m, in.m.Profile, in.req
	const maxListed = 20
	ce := &candidateError{}
	fail := func(i int, format string, args ...any) {
		if len(ce.problems) >= maxListed {
			ce.more++
			return
		}
		ce.problems = append(ce.problems, describeCandidate(i, &cs[i])+": "+fmt.Sprintf(format, args...))
	}
	b := m.City.Network.Bound()
	area := planner.BoxAround(b.Min, m.SnapLimit()).Union(planner.BoxAround(b.Max, m.SnapLimit()))
	// Given candidates are all snapped, to check them; generated ones are
	// network nodes, snapped only if walked (see walkCatchments).
	var snaps []geo.Snap
	var errs []error
	if in.stats.Generated {
		snaps, errs = make([]geo.Snap, len(cs)), make([]error, len(cs))
	} else {
		locs := make([]orb.Point, len(cs))
		for i := range cs {
			if planner.ValidLonLat(cs[i].Location) && area.Contains(cs[i].Location) {
				locs[i] = cs[i].Location
			} else {
				locs[i] = b.Center() // not used: reported below
			}
		}
		snaps, errs = snapMany(m, locs)
	}
	in.cands = make([]optCand, len(cs))
	for i := range cs {
		c := &cs[i]
		oc := &in.cands[i]
		oc.Candidate, oc.comm, oc.street = *c, -1, -1
		loc := c.Location
		switch {
		case !planner.ValidLonLat(loc) || math.IsNaN(loc[0]) || math.IsNaN(loc[1]):
			fail(i, "lon/lat (%v, %v): not a WGS84 coordinate", loc[0], loc[1])
			continue
		case !area.Contains(loc):
			fail(i, "(%.6f, %.6f) lies outside the city's walking network (lon %.4f–%.4f, lat %.4f–%.4f)",
				loc[0], loc[1], b.Min[0], b.Max[0], b.Min[1], b.Max[1])
			continue
		}
		var far *geo.TooFarError
		if errors.As(errs[i], &far) {
			fail(i, "(%.6f, %.6f) is %.0f m from the nearest walkway, more than the %.0f m limit", loc[0], loc[1], far.Distance, far.Limit)
			continue
		} else if errs[i] != nil {
			fail(i, "%v", errs[i])
			continue
		}
		oc.snap, oc.snapped = snaps[i], !in.stats.Generated
		for _, v := range []struct {
			name string
			x    float64
		}{{"floor_area_m2", c.FloorArea}, {"max_floor_area_m2", c.MaxFloorArea}} {
			if !(v.x >= 0) || math.IsInf(v.x, 0) {
				fail(i, "%s %v: want a floor area ≥ 0", v.name, v.x)
			}
		}
		if c.MaxFloorArea > 0 && c.FloorArea > c.MaxFloorArea {
			fail(i, "floor_area_m2 %g is more than its max_floor_area_m2 %g", c.FloorArea, c.MaxFloorArea)
		}
		if c.Type != "" && !c.Type.Valid() {
			fail(i, "type %q: want one of %s", c.Type, planner.JoinCodes(planner.ElderCareTypes()))
		}
		if c.Community != "" {
			if r, ok := m.RegionIndex(c.Community); !ok || m.City.Regions[r].Level != planner.LevelCommunity {
				fail(i, "community_code %q is not a community of the city", c.Community)
			} else {
				oc.comm = r
			}
		} else {
			oc.comm = m.CommunityOf(&planner.Facility{Location: loc})
		}
		if oc.comm >= 0 {
			oc.Community = m.City.Regions[oc.comm].Code
			oc.street = m.Ancestor(oc.comm, planner.LevelStreet)
		}
		if req.Problem != ProblemRuleAware {
			in.decide(oc, p)
		}
	}
	if len(ce.problems) > 0 {
		return &RequestError{ce}
	}
	if req.Problem == ProblemRuleAware {
		in.markRuleCandidates(in.rules)
	}
	return nil
}

// decide says whether a candidate can take a site of the requested type,
// and at what floor area.
func (in *optInstance) decide(oc *optCand, p *planner.StandardsProfile) {
	req := in.req
	oc.typ = req.Type
	if oc.Type != "" && oc.Type != req.Type {
		in.stats.Excluded++
		return
	}
	minF := minFloor(p, req.Type)
	if oc.MaxFloorArea > 0 && oc.MaxFloorArea < minF {
		in.stats.Excluded++
		return
	}
	switch {
	case oc.FloorArea > 0:
		oc.floor = oc.FloorArea
	case req.FloorArea > 0:
		oc.floor = req.FloorArea
	case minF > 0:
		oc.floor = minF
	default:
		oc.floor = 200
	}
	if oc.MaxFloorArea > 0 {
		oc.floor = min(oc.floor, oc.MaxFloorArea)
	}
	if req.Problem == ProblemCapacitated && !slices.ContainsFunc(req.Menu, func(o SizeOption) bool {
		return oc.MaxFloorArea == 0 || o.FloorArea <= oc.MaxFloorArea
	}) {
		in.stats.Excluded++
		return
	}
	oc.ok = true
}

// cat returns candidate i's catchment: compact points within their circle.
func (in *optInstance) cat(i int) []int32 { return in.idx[in.off[i]:in.off[i+1]] }

// walkCatchments finds, for every eligible candidate, the uncovered
// demand points within their circle of it, on all cores. Each walk is one
// bounded search from the candidate's snap, the same search the model
// makes for a facility there, so the times agree with the assessment to
// the bit. A candidate with no uncovered point within a straight-line
// circle is not walked: walking is never shorter than the straight line.
func (in *optInstance) walkCatchments(ctx context.Context) error {
	start := time.Now()
	m := in.m
	speed := m.Profile.Walking.SpeedMPS.Value
	// A margin for the plane projection and partial edges: walking
	// distance is at least the straight-line distance, and 3 % + 20 m
	// covers the plane's scale error over a city many times over.
	reachOf := func(circle float64) float64 { return circle*speed*1.03 + 20 }
	var todo []int32
	for i := range in.cands {
		if in.cands[i].ok {
			todo = append(todo, int32(i))
		}
	}
	in.progressTotal = len(todo)
	in.progress(0, in.progressTotal)

	// Uncovered points as a point set, and in a grid for the straight-
	// line test.
	snaps := make([]geo.Snap, len(in.pt))
	maxCircle := 0.0
	for u, k := range in.pt {
		snaps[u] = m.Demand.Snap(k)
		maxCircle = max(maxCircle, in.circle[u])
	}
	ups := geo.NewPointSet(m.City.Network, snaps)
	plane := geo.NewLocalPlane(m.City.Network.Bound().Center()[1])
	cell := max(reachOf(maxCircle), 1)
	type key [2]int32
	grid := map[key][]int32{}
	xy := make([][2]float64, len(in.pt))
	keyOf := func(q [2]float64) key { return key{int32(math.Floor(q[0] / cell)), int32(math.Floor(q[1] / cell))} }
	for u, k := range in.pt {
		xy[u] = plane.Project(m.DemandPoint(k).Location)
		kk := keyOf(xy[u])
		grid[kk] = append(grid[kk], int32(u))
	}
	// budgetFor is the longest circle of the uncovered points within a
	// straight-line circle of loc: how far a walk from loc must go.
	budgetFor := func(loc orb.Point) float64 {
		q := plane.Project(loc)
		kk := keyOf(q)
		b := 0.0
		for dx := int32(-1); dx <= 1; dx++ {
			for dy := int32(-1); dy <= 1; dy++ {
				for _, u := range grid[key{kk[0] + dx, kk[1] + dy}] {
					if in.circle[u] <= b {
						continue
					}
					if math.Hypot(xy[u][0]-q[0], xy[u][1]-q[1]) <= reachOf(in.circle[u]) {
						b = in.circle[u]
					}
				}
			}
		}
		return b
	}

	capacitated := in.req.Problem == ProblemCapacitated
	pts := make([][]int32, len(in.cands))
	var secs [][]float32
	if capacitated {
		secs = make([][]float32, len(in.cands))
	}
	var next, done atomic.Int64
	var wg sync.WaitGroup
	workers := min(runtime.GOMAXPROCS(0), max(1, len(todo)))
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var s *geo.Search
			defer func() {
				if s != nil {
					m.ReleaseSearch(s)
				}
			}()
			for t := int(next.Add(1) - 1); t < len(todo); t = int(next.Add(1) - 1) {
				if t%64 == 0 && ctx.Err() != nil {
					return
				}
				i := todo[t]
				oc := &in.cands[i]
				if budget := budgetFor(oc.Location); budget > 0 {
					if !oc.snapped {
						snap, err := m.Edges.Snap(oc.Location, m.SnapLimit())
						if err != nil {
							done.Add(1)
							continue // cannot happen for a network node
						}
						oc.snap, oc.snapped = snap, true
					}
					if s == nil {
						s = m.AcquireSearch()
					}
					c := s.Catchment(oc.snap, ups, budget)
					var keep []int32
					var ks []float32
					for k, u := range c.Points {
						if float64(c.Seconds[k]) <= in.circle[u] {
							keep = append(keep, u)
							if capacitated {
								ks = append(ks, c.Seconds[k])
							}
						}
					}
					pts[i] = keep
					if capacitated {
						secs[i] = ks
					}
				}
				done.Add(1)
			}
		}()
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
wait:
	for {
		select {
		case <-finished:
			break wait
		case <-tick.C:
			in.progress(int(done.Load()), in.progressTotal)
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	in.progressDone = len(todo)
	in.progress(in.progressDone, in.progressTotal)

	// Pack into one array.
	in.off = make([]int, len(in.cands)+1)
	for i := range in.cands {
		in.off[i+1] = in.off[i] + len(pts[i])
	}
	in.idx = make([]int32, 0, in.off[len(in.cands)])
	if capacitated {
		in.sec = make([]float32, 0, in.off[len(in.cands)])
	}
	rho := func(u int32) float64 { return in.weight[u] / in.heads[u] }
	for i := range in.cands {
		if capacitated {
			// Serve the elders who count most first, then the nearest.
			order := make([]int, len(pts[i]))
			for k := range order {
				order[k] = k
			}
			slices.SortStableFunc(order, func(a, b int) int {
				ua, ub := pts[i][a], pts[i][b]
				if c := cmp.Compare(rho(ub), rho(ua)); c != 0 {
					return c
				}
				if c := cmp.Compare(secs[i][a], secs[i][b]); c != 0 {
					return c
				}
				return cmp.Compare(ua, ub)
			})
			for _, k := range order {
				in.idx = append(in.idx, pts[i][k])
				in.sec = append(in.sec, secs[i][k])
			}
		} else {
			in.idx = append(in.idx, pts[i]...)
		}
		pts[i] = nil
	}
	in.single = make([]float64, len(in.cands))
	in.reachable = make([]bool, len(in.pt))
	for i := range in.cands {
		for _, u := range in.cat(i) {
			in.single[i] += in.weight[u]
			in.reachable[u] = true
		}
		if in.off[i+1] > in.off[i] {
			in.stats.Reaching++
		}
	}
	in.stats.CatchmentSeconds = time.Since(start).Seconds()
	return nil
}

// reachableTotals sums the heads and objective weight of the uncovered
// points some candidate reaches: no answer can cover more.
func (in *optInstance) reachableTotals() (heads, weight float64) {
	for u, ok := range in.reachable {
		if ok {
			heads += in.heads[u]
			weight += in.weight[u]
		}
	}
	return heads, weight
}

// step reports one more unit of work done.
func (in *optInstance) step() {
	in.progressDone++
	if in.progressDone > in.progressTotal {
		in.progressTotal = in.progressDone
	}
	in.progress(in.progressDone, in.progressTotal)
}
