package siting

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/carecircle/carecircle/planner"
	"github.com/carecircle/carecircle/planner/internal/binheap"
)

// This file solves the coverage problems (max_coverage, target_coverage):
// f(S) = Σ weight of the uncovered points within their circle of some
// site in S is monotone and submodular, so the greedy choice (best
// marginal gain first) is within 1 − 1/e of the optimum; lazy evaluation
// (CELF) re-evaluates a candidate only when its stale gain, an upper bound
// on its current gain, tops the heap. Local search then exchanges one
// chosen site for one not chosen while that raises f. See bound.go for the
// bound reported with the answer.

// coverState is a set of chosen candidates and what they cover.
type coverState struct {
	in     *optInstance
	cnt    []int32 // chosen sites covering each point
	own    []int64 // Σ (candidate + 1) of those sites: the one site when cnt is 1
	chosen []int32
	pos    []int32 // position of each candidate in chosen, -1 when not chosen
	value  float64 // Σ weight of the covered points
}

func newCoverState(in *optInstance) *coverState {
	cs := &coverState{in: in, cnt: make([]int32, len(in.pt)), own: make([]int64, len(in.pt)), pos: make([]int32, len(in.cands))}
	for i := range cs.pos {
		cs.pos[i] = -1
	}
	return cs
}

func (cs *coverState) clone() *coverState {
	return &coverState{in: cs.in, cnt: slices.Clone(cs.cnt), own: slices.Clone(cs.own), chosen: slices.Clone(cs.chosen),
		pos: slices.Clone(cs.pos), value: cs.value}
}

// gain is the weight candidate c would newly cover.
func (cs *coverState) gain(c int32) float64 {
	cs.in.stats.Evaluations++
	var g float64
	for _, u := range cs.in.cat(int(c)) {
		if cs.cnt[u] == 0 {
			g += cs.in.weight[u]
		}
	}
	return g
}

func (cs *coverState) add(c int32) {
	for _, u := range cs.in.cat(int(c)) {
		if cs.cnt[u] == 0 {
			cs.value += cs.in.weight[u]
		}
		cs.cnt[u]++
		cs.own[u] += int64(c) + 1
	}
	cs.pos[c] = int32(len(cs.chosen))
	cs.chosen = append(cs.chosen, c)
}

// replaceAt puts candidate c in place of the chosen one at position j.
func (cs *coverState) replaceAt(j int, c int32) {
	old := cs.chosen[j]
	for _, u := range cs.in.cat(int(old)) {
		cs.cnt[u]--
		cs.own[u] -= int64(old) + 1
		if cs.cnt[u] == 0 {
			cs.value -= cs.in.weight[u]
		}
	}
	cs.pos[old] = -1
	for _, u := range cs.in.cat(int(c)) {
		if cs.cnt[u] == 0 {
			cs.value += cs.in.weight[u]
		}
		cs.cnt[u]++
		cs.own[u] += int64(c) + 1
	}
	cs.chosen[j] = c
	cs.pos[c] = int32(j)
}

// removeAt drops the chosen candidate at position j.
func (cs *coverState) removeAt(j int) {
	old := cs.chosen[j]
	for _, u := range cs.in.cat(int(old)) {
		cs.cnt[u]--
		cs.own[u] -= int64(old) + 1
		if cs.cnt[u] == 0 {
			cs.value -= cs.in.weight[u]
		}
	}
	cs.pos[old] = -1
	cs.chosen = slices.Delete(cs.chosen, j, j+1)
	for k := j; k < len(cs.chosen); k++ {
		cs.pos[cs.chosen[k]] = int32(k)
	}
}

// exactValue recomputes the value from scratch (sums drift under many
// exchanges).
func (cs *coverState) exactValue() float64 {
	var v float64
	for u, n := range cs.cnt {
		if n > 0 {
			v += cs.in.weight[u]
		}
	}
	cs.value = v
	return v
}

// losses returns, for each chosen site, the weight only it covers.
func (cs *coverState) losses() []float64 {
	loss := make([]float64, len(cs.chosen))
	for j, c := range cs.chosen {
		for _, u := range cs.in.cat(int(c)) {
			if cs.cnt[u] == 1 {
				loss[j] += cs.in.weight[u]
			}
		}
	}
	return loss
}

// lazyEntry is a candidate in the lazy-greedy heap: key is its gain when
// last evaluated (at iteration fresh), an upper bound on its gain now.
type lazyEntry struct {
	key   float64
	cand  int32
	rank  int32
	fresh int32
}

// lazyHeap is a max-heap by key, then by seeded rank.
type lazyHeap = binheap.Heap[lazyEntry]

func (a lazyEntry) Before(b lazyEntry) bool {
	if a.key != b.key {
		return a.key > b.key
	}
	return a.rank < b.rank
}

// greedy adds candidates of pool to cs, the best marginal gain first,
// until limit are chosen (0: no limit), stop says enough, or no candidate
// of pool covers anyone new. When bt is not nil it records the bound at
// its checkpoints; pool must then be every candidate that can cover
// anyone.
func (cs *coverState) greedy(ctx context.Context, pool []int32, limit int, stop func() bool, bt *boundTracker) error {
	in := cs.in
	h := make(lazyHeap, 0, len(pool))
	fresh := int32(-1)
	if len(cs.chosen) == 0 {
		fresh = 0 // single gains are exact on the empty set
	}
	for _, c := range pool {
		if cs.pos[c] < 0 && in.single[c] > 0 {
			h = append(h, lazyEntry{key: in.single[c], cand: c, rank: in.rank[c], fresh: fresh})
		}
	}
	h.Heapify()
	for it := int32(0); limit == 0 || len(cs.chosen) < limit; it++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		if stop != nil && stop() {
			break
		}
		if bt != nil && bt.due(int(it)) {
			bt.record(cs.value, h)
		}
		picked := false
		for len(h) > 0 {
			top := &h[0]
			if top.fresh == it {
				cs.add(h.Pop().cand)
				picked = true
				break
			}
			g := cs.gain(top.cand)
			if g <= 0 {
				h.Pop() // gains only fall as sites are added
				continue
			}
			top.key, top.fresh = g, it
			h.Down(0)
		}
		if !picked {
			break
		}
		if bt != nil {
			in.step()
		}
	}
	if bt != nil {
		bt.record(cs.value, h)
	}
	return nil
}

// swaps exchanges one chosen site for one candidate of pool not chosen,
// the best exchange first, while an exchange raises the value; stop, when
// it says enough, ends it early. It returns the number of exchanges made.
//
// One pass costs a scan of the pool's catchments: for a candidate c, the
// value after swapping c for chosen site s is value + gain0(c) + ov(c, s)
// − loss(s), where gain0 is the weight c covers that nothing covers,
// ov(c, s) the weight c covers that only s covers, and loss(s) the weight
// only s covers. A candidate whose single coverage is no more than the
// smallest loss cannot help and is skipped unscanned.
func (cs *coverState) swaps(ctx context.Context, pool []int32, stop func() bool) (int, error) {
	in := cs.in
	order := slices.Clone(pool)
	slices.SortFunc(order, func(a, b int32) int { return int(in.rank[a]) - int(in.rank[b]) })
	var ov []float64
	var touched []int32
	n := 0
	for {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		if (stop != nil && stop()) || len(cs.chosen) == 0 {
			return n, nil
		}
		loss := cs.losses()
		jmin := 0
		for j := range loss {
			if loss[j] < loss[jmin] {
				jmin = j
			}
		}
		if len(ov) < len(loss) {
			ov = make([]float64, len(loss))
		}
		eps := 1e-9 * max(1, cs.value)
		bestImp, bestC, bestJ := eps, int32(-1), -1
		for _, c := range order {
			if cs.pos[c] >= 0 || in.single[c]-loss[jmin] <= bestImp {
				continue
			}
			var gain0 float64
			touched = touched[:0]
			for _, u := range in.cat(int(c)) {
				switch cs.cnt[u] {
				case 0:
					gain0 += in.weight[u]
				case 1:
					j := cs.pos[cs.own[u]-1]
					if ov[j] == 0 {
						touched = append(touched, j)
					}
					ov[j] += in.weight[u]
				}
			}
			imp, jb := gain0+ov[jmin]-loss[jmin], jmin
			for _, j := range touched {
				if v := gain0 + ov[j] - loss[j]; v > imp || (v == imp && int(j) < jb) {
					imp, jb = v, int(j)
				}
				ov[j] = 0
			}
			if imp > bestImp {
				bestImp, bestC, bestJ = imp, c, jb
			}
		}
		if bestC < 0 {
			return n, nil
		}
		cs.replaceAt(bestJ, bestC)
		n++
		in.stats.Swaps++
	}
}

// restarts runs greedy and local search again from other first sites: the
// best single sites not in the answer, as many as the work allows (up to
// maxRestarts). Local optima of the exchange neighbourhood differ with
// the start, and the best of them is kept.
func (in *optInstance) restarts(ctx context.Context, best *coverState, pool []int32, n int) (*coverState, error) {
	entries := 0
	for _, c := range pool {
		entries += in.off[c+1] - in.off[c]
	}
	r := min(maxRestarts, restartWork/max(1, entries*max(1, n)))
	r = max(r, 2)
	starts := slices.Clone(pool)
	slices.SortFunc(starts, func(a, b int32) int {
		if in.single[a] != in.single[b] {
			if in.single[a] > in.single[b] {
				return -1
			}
			return 1
		}
		return int(in.rank[a]) - int(in.rank[b])
	})
	tried := 0
	for _, c := range starts {
		if tried >= r {
			break
		}
		if best.pos[c] >= 0 {
			continue
		}
		tried++
		cs := newCoverState(in)
		cs.add(c)
		if err := cs.greedy(ctx, pool, n, nil, nil); err != nil {
			return nil, err
		}
		if _, err := cs.swaps(ctx, pool, nil); err != nil {
			return nil, err
		}
		if cs.exactValue() > best.exactValue()+1e-9*max(1, best.value) {
			best = cs
		}
	}
	return best, nil
}

// maxRestarts and restartWork bound the restarts: at most maxRestarts,
// fewer when catchment entries × sites exceed restartWork / restarts.
const (
	maxRestarts = 8
	restartWork = 400_000_000
)

// reorder returns the candidates of set in greedy order: each the one
// adding most to those before it. Candidates that add nothing are left out.
func (in *optInstance) reorder(ctx context.Context, set []int32) ([]int32, error) {
	cs := newCoverState(in)
	if err := cs.greedy(ctx, set, 0, nil, nil); err != nil {
		return nil, err
	}
	return cs.chosen, nil
}

// coverPool lists the eligible candidates that reach anyone uncovered.
func (in *optInstance) coverPool() []int32 {
	var pool []int32
	for i := range in.cands {
		if in.cands[i].ok && in.single[i] > 0 {
			pool = append(pool, int32(i))
		}
	}
	return pool
}

// lagrangeIters is how many subgradient steps tighten a bound.
const lagrangeIters = 300

// checkEvery says whether recording the bound at every greedy iteration is
// cheap enough: a sort of the heap per iteration.
func checkEvery(pool, iterations int) bool { return pool*max(1, iterations) <= 20_000_000 }

// maxCoverage chooses req.Sites sites.
func (in *optInstance) maxCoverage(ctx context.Context) (*OptimizeResult, error) {
	n := in.req.Sites
	pool := in.coverPool()
	in.progressTotal += n + 3 // the sites, then swaps, restarts and the bound
	cs := newCoverState(in)
	bt := newBoundTracker(n, checkEvery(len(pool), n))
	if err := cs.greedy(ctx, pool, n, nil, bt); err != nil {
		return nil, err
	}
	if !in.req.NoLocalSearch {
		if _, err := cs.swaps(ctx, pool, nil); err != nil {
			return nil, err
		}
		in.step()
		var err error
		if cs, err = in.restarts(ctx, cs, pool, n); err != nil {
			return nil, err
		}
		in.step()
	}
	bt.recordExact(cs, pool)
	order, err := in.reorder(ctx, cs.chosen)
	if err != nil {
		return nil, err
	}
	res := in.coverResult(order, ProblemMaxCoverage, "weighted_elders")
	_, rw := in.reachableTotals()
	res.Value = cs.exactValue()
	res.Bound = math.Min(rw, bt.ub(n))
	res.Bound = math.Min(res.Bound, in.lagrangianBound(ctx, pool, n, cs, res.Value, math.Inf(-1), lagrangeIters))
	res.Bound = math.Max(res.Bound, res.Value)
	in.step()
	in.curveBounds(res, bt, rw)
	if len(order) < n {
		res.Notes = append(res.Notes, Note{NoteFewerSites,
			fmt.Sprintf("only %d of the %d sites asked for add coverage: no other candidate reaches an elder not yet covered", len(order), n),
			map[string]float64{"useful": float64(len(order)), "asked": float64(n)}})
	}
	return res, nil
}

// targetCoverage finds the fewest sites reaching req.Target.
func (in *optInstance) targetCoverage(ctx context.Context) (*OptimizeResult, error) {
	req := in.req
	need := req.Target*in.elders60 - in.covered60
	tol := 1e-9 * in.elders60
	pool := in.coverPool()
	rh, _ := in.reachableTotals()
	cs := newCoverState(in)
	reached := func() bool { return cs.value >= need-tol }
	if need <= tol {
		res := in.coverResult(nil, ProblemTargetCoverage, "elders_60")
		res.Target = req.Target
		res.TargetReached = ptr(true)
		res.Notes = append(res.Notes, Note{NoteTargetMet,
			fmt.Sprintf("coverage is already %.4f, at or above the target %.4f: no site is needed", res.CoverageBefore, req.Target),
			map[string]float64{"coverage": res.CoverageBefore, "target": req.Target}})
		return res, nil
	}
	in.progressTotal += min(len(pool), 16) + 2 // sites (a guess that grows), then shrinking and the bounds
	bt := newBoundTracker(0, checkEvery(len(pool), 64))
	if err := cs.greedy(ctx, pool, req.Sites, reached, bt); err != nil {
		return nil, err
	}
	ok := reached()
	if ok && !in.req.NoLocalSearch {
		lower := bt.minSites(need-tol, rh)
		var err error
		if cs, err = in.shrink(ctx, cs, pool, need-tol, lower); err != nil {
			return nil, err
		}
	}
	in.step()
	bt.recordExact(cs, pool)
	order, err := in.reorder(ctx, cs.chosen)
	if err != nil {
		return nil, err
	}
	res := in.coverResult(order, ProblemTargetCoverage, "elders_60")
	res.Target = req.Target
	res.TargetReached = ptr(ok)
	res.Value = cs.exactValue()
	res.Bound = math.Min(rh, bt.ub(len(order)))
	if len(order) > 0 {
		res.Bound = math.Min(res.Bound, in.lagrangianBound(ctx, pool, len(order), cs, res.Value, math.Inf(-1), lagrangeIters))
	}
	res.Bound = math.Max(res.Value, res.Bound)
	in.step()
	in.curveBounds(res, bt, rh)
	switch {
	case ok:
		res.MinSitesBound = in.minSitesBound(ctx, pool, bt, res, need-tol, rh)
	case rh < need-tol:
		res.Notes = append(res.Notes, Note{NoteTargetUnreachable,
			fmt.Sprintf("the target %.4f cannot be reached with these candidates: the most they can cover brings coverage to %.4f", req.Target, res.CoverageReachable),
			map[string]float64{"target": req.Target, "reachable": res.CoverageReachable}})
	default:
		res.MinSitesBound = bt.minSites(need-tol, rh)
		res.Notes = append(res.Notes, Note{NoteTargetLimit,
			fmt.Sprintf("the target %.4f is not reached within the limit of %d sites (coverage %.4f; at least %d sites are needed)", req.Target, req.Sites, res.CoverageAfter, res.MinSitesBound),
			map[string]float64{"target": req.Target, "limit": float64(req.Sites), "coverage": res.CoverageAfter, "need": float64(res.MinSitesBound)}})
	}
	return res, nil
}

// minSitesBound is a proven lower bound on the sites any answer needs to
// cover need: one more than the largest k whose upper bound falls short.
// The bound tracker gives a first answer; Lagrangian bounds then try the
// number of sites found less one (proving it optimal when they fall
// short), and bisect between.
func (in *optInstance) minSitesBound(ctx context.Context, pool []int32, bt *boundTracker, res *OptimizeResult, need, reachable float64) int {
	lo, hi := bt.minSites(need, reachable), len(res.Sites) // lo sites may do; fewer cannot
	const probes = 6
	for p := 0; p < probes && lo < hi; p++ {
		k := hi - 1
		if p > 0 {
			k = (lo + hi - 1) / 2
		}
		// The greedy order's first k sites cover this much: the bound
		// cannot be below it.
		lb := res.Curve[k].GainElders
		if in.lagrangianBound(ctx, pool, k, nil, lb, need, lagrangeIters/3) < need {
			lo = k + 1
		} else {
			hi = k
		}
	}
	return lo
}

// shrink tries to reach the target with fewer sites: it drops sites the
// others make redundant, then, while more sites than the lower bound are
// used, drops the least useful site and lets local search try to make up
// the loss.
func (in *optInstance) shrink(ctx context.Context, cs *coverState, pool []int32, need float64, lower int) (*coverState, error) {
	dropRedundant := func(cs *coverState) {
		for {
			loss := cs.losses()
			best := -1
			for j, l := range loss {
				if l <= cs.value-need && (best < 0 || l < loss[best] || (l == loss[best] && in.rank[cs.chosen[j]] < in.rank[cs.chosen[best]])) {
					best = j
				}
			}
			if best < 0 {
				return
			}
			cs.removeAt(best)
		}
	}
	dropRedundant(cs)
	for len(cs.chosen) > max(1, lower) {
		order, err := in.reorder(ctx, cs.chosen)
		if err != nil {
			return nil, err
		}
		if len(order) < len(cs.chosen) {
			// Some chosen sites add nothing given the others.
			trial := newCoverState(in)
			for _, c := range order {
				trial.add(c)
			}
			cs = trial
			continue
		}
		trial := cs.clone()
		trial.removeAt(int(trial.pos[order[len(order)-1]]))
		if _, err := trial.swaps(ctx, pool, func() bool { return trial.value >= need }); err != nil {
			return nil, err
		}
		if trial.exactValue() < need {
			break
		}
		cs = trial
		dropRedundant(cs)
		in.step()
	}
	return cs, nil
}

// share is the coverage of covered elders 60+: at most 1, whatever the
// rounding of the sums.
func (in *optInstance) share(covered float64) float64 { return min(1, covered/in.elders60) }

// coverResult builds the answer from sites in order: each one's gains
// given those before it, and the coverage curve.
func (in *optInstance) coverResult(order []int32, pr Problem, objective string) *OptimizeResult {
	m, p := in.m, in.m.Profile
	res := &OptimizeResult{Problem: pr, Type: in.req.Type, Objective: objective, Elders60: in.elders60, CoveredBefore: in.covered60,
		CoverageBefore: in.share(in.covered60)}
	rh, _ := in.reachableTotals()
	res.CoverageReachable = in.share(in.covered60 + rh)
	covered := make([]bool, len(in.pt))
	res.Curve = append(res.Curve, CurvePoint{Sites: 0, Coverage: res.CoverageBefore})
	for k, c := range order {
		oc := &in.cands[c]
		s := SuggestedSite{ID: oc.ID, Name: oc.Name, Kind: oc.Kind, Lon: oc.Location[0], Lat: oc.Location[1], Type: oc.typ,
			FloorArea: oc.floor, Community: oc.Community}
		if s.ID == "" {
			s.ID = fmt.Sprintf("opt-%d", c+1)
		}
		if planner.HasType(p.ServiceCircle.FacilityTypes, oc.typ) {
			for _, u := range in.cat(int(c)) {
				if !covered[u] {
					covered[u] = true
					d := m.DemandPoint(in.pt[u])
					s.GainElders += d.Elders60
					s.GainWeighted += p.DemandWeight(d.Elders60, d.Elders80)
				}
			}
		}
		res.TotalGain += s.GainElders
		res.TotalGainWeighted += s.GainWeighted
		s.CoverageAfter = in.share(in.covered60 + res.TotalGain)
		res.Sites = append(res.Sites, s)
		res.Curve = append(res.Curve, CurvePoint{Sites: k + 1, Coverage: s.CoverageAfter, GainElders: res.TotalGain})
	}
	res.CoverageAfter = in.share(in.covered60 + res.TotalGain)
	if res.Sites == nil {
		res.Sites = []SuggestedSite{}
	}
	return res
}

// curveBounds puts the bound for each number of sites on the curve.
func (in *optInstance) curveBounds(res *OptimizeResult, bt *boundTracker, reachable float64) {
	for k := 1; k < len(res.Curve); k++ {
		res.Curve[k].Bound = math.Max(math.Min(reachable, bt.ub(k)), 0)
	}
}

func ptr[T any](v T) *T { return &v }
