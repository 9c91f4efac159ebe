package siting

import (
	"cmp"
	"context"
	"errors"
	"math"
	"slices"

	"github.com/carecircle/carecircle/planner"
)

// The capacitated problem: each site is built at a size from the menu, at
// the size's cost, within a budget; a site of floor area A serves at most
// A / floor-per-elder elders 60+ of the uncovered elders within their
// circle of it. The objective is the weighted elders served.
//
// Sites fill their capacity in the order chosen, each from the elders no
// earlier site serves: those who count most first (80+ weight), then the
// nearest. That is a feasible assignment, so its value is at most the
// best assignment of the same sites. The bound: for any chosen set S with
// a feasible assignment y of value F(S, y), and any feasible answer T with
// its best assignment x,
//
//	OPT = Σ_u ρ_u x_u ≤ Σ_u ρ_u min(x_u, y_u) + Σ_u ρ_u min(x_u, r_u)
//	    ≤ F(S, y) + Σ_{t ∈ T} g_t(r),
//
// where r = heads − y is what S leaves unserved and g_t(r) is the most
// site t alone could serve of r (its capacity filled by weight per head, a
// fractional knapsack, which is what a site's fill does). The sum over T
// is at most the LP relaxation of choosing items (site, size) within the
// budget, and at most the k largest g when the sites are limited to k.

// capItem is a candidate at one size.
type capItem struct {
	cand     int32
	size     int // index in the menu
	cost     float64
	capacity float64 // elders 60+ it serves at most
}

// capPick is a chosen item and what it serves.
type capPick struct {
	item          int32
	heads, weight float64
}

// capState is a set of chosen items and the elders they serve.
type capState struct {
	in    *optInstance
	items []capItem
	resid []float64 // heads of each point not yet served
	picks []capPick
	used  []bool // per candidate: a site is there
	value float64
	cost  float64
}

func (in *optInstance) newCapState(items []capItem) *capState {
	return &capState{in: in, items: items, resid: slices.Clone(in.heads), used: make([]bool, len(in.cands))}
}

// fill serves what item x can of the unserved elders in its catchment,
// by weight per head then walking time (the catchment's order). With
// apply it takes them.
func (st *capState) fill(x int32, apply bool) (heads, weight float64) {
	in := st.in
	it := &st.items[x]
	left := it.capacity
	c := int(it.cand)
	if !apply {
		in.stats.Evaluations++
	}
	for k := in.off[c]; k < in.off[c+1] && left > 0; k++ {
		u := in.idx[k]
		r := st.resid[u]
		if r <= 0 {
			continue
		}
		take := min(r, left)
		left -= take
		heads += take
		weight += take * in.weight[u] / in.heads[u]
		if apply {
			st.resid[u] = r - take
		}
	}
	return heads, weight
}

func (st *capState) add(x int32) {
	h, w := st.fill(x, true)
	st.picks = append(st.picks, capPick{item: x, heads: h, weight: w})
	st.used[st.items[x].cand] = true
	st.value += w
	st.cost += st.items[x].cost
}

// refill serves the given items in order from scratch.
func (in *optInstance) refill(items []capItem, order []int32) *capState {
	st := in.newCapState(items)
	for _, x := range order {
		st.add(x)
	}
	return st
}

func (st *capState) order() []int32 {
	o := make([]int32, len(st.picks))
	for i, p := range st.picks {
		o[i] = p.item
	}
	return o
}

// capGreedy adds items to st, lazily, the best first by gain per cost
// (byRatio) or by gain, while they fit the budget and the site limit.
func (in *optInstance) capGreedy(ctx context.Context, st *capState, byRatio bool, budget float64, limit int) error {
	h := make(lazyHeap, 0, len(st.items))
	key := func(g float64, x int32) float64 {
		if byRatio {
			return g / st.items[x].cost
		}
		return g
	}
	for x := range st.items {
		if st.used[st.items[x].cand] {
			continue
		}
		_, w := st.fill(int32(x), false)
		if w > 0 {
			h = append(h, lazyEntry{key: key(w, int32(x)), cand: int32(x), rank: in.rank[st.items[x].cand]*8 + int32(st.items[x].size), fresh: 0})
		}
	}
	h.Heapify()
	for it := int32(0); limit == 0 || len(st.picks) < limit; it++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		picked := false
		for len(h) > 0 {
			top := &h[0]
			x := top.cand
			if st.used[st.items[x].cand] || st.cost+st.items[x].cost > budget*(1+1e-12) {
				h.Pop() // taken, or no longer affordable: the budget only shrinks
				continue
			}
			if top.fresh == it {
				h.Pop()
				st.add(x)
				picked = true
				break
			}
			_, w := st.fill(x, false)
			if w <= 0 {
				h.Pop()
				continue
			}
			top.key, top.fresh = key(w, x), it
			h.Down(0)
		}
		if !picked {
			return nil
		}
	}
	return nil
}

// capBound bounds the best objective given st (see the top of the file).
func (in *optInstance) capBound(st *capState, budget float64, limit int) float64 {
	gains := make([]float64, len(st.items))
	costs := make([]float64, len(st.items))
	for x := range st.items {
		_, gains[x] = st.fill(int32(x), false)
		costs[x] = st.items[x].cost
	}
	b := knapsackBound(gains, costs, budget)
	if limit > 0 {
		b = math.Min(b, topSum(gains, limit))
	}
	return st.value + b
}

// floorPerElder is the floor area the profile's per-household norms ask
// of all communities, over their elders 60+: the m² one elder needs.
func floorPerElder(m *planner.Model) float64 {
	p := m.Profile
	var floor, elders float64
	for i := range m.City.Regions {
		r := &m.City.Regions[i]
		if r.Level != planner.LevelCommunity {
			continue
		}
		h := r.Households
		if h <= 0 {
			h = p.Households(r.Residents)
		}
		floor += p.FloorRequired(h, r.Age)
		elders += r.Elders60
	}
	if !(floor > 0) || !(elders > 0) {
		return 0
	}
	return floor / elders
}

// capacitated chooses sites and sizes within the budget.
func (in *optInstance) capacitated(ctx context.Context) (*OptimizeResult, error) {
	req := in.req
	fpe := req.FloorPerElder
	if fpe == 0 {
		fpe = floorPerElder(in.m)
		if fpe == 0 {
			return nil, &RequestError{errors.New("optimize: floor_per_elder_m2: the city's floor norm per elder cannot be worked out (no households or elders); give it")}
		}
	}
	var items []capItem
	for c := range in.cands {
		oc := &in.cands[c]
		if !oc.ok || in.single[c] <= 0 {
			continue
		}
		for k, o := range req.Menu {
			if oc.MaxFloorArea == 0 || o.FloorArea <= oc.MaxFloorArea {
				items = append(items, capItem{cand: int32(c), size: k, cost: o.Cost, capacity: o.FloorArea / fpe})
			}
		}
	}
	in.progressTotal += 2
	var best *capState
	for _, byRatio := range []bool{true, false} {
		st := in.newCapState(items)
		if err := in.capGreedy(ctx, st, byRatio, req.Budget, req.Sites); err != nil {
			return nil, err
		}
		if best == nil || st.value > best.value {
			best = st
		}
		in.step()
	}
	bound := in.capBound(in.newCapState(items), req.Budget, req.Sites)
	if !req.NoLocalSearch {
		var err error
		if best, err = in.capSwaps(ctx, best, req.Budget, req.Sites); err != nil {
			return nil, err
		}
	}
	bound = math.Min(bound, in.capBound(best, req.Budget, req.Sites))
	bound = math.Min(bound, in.capLagrangianBound(ctx, best, req.Budget, req.Sites, capLagrangeIters))
	_, rw := in.reachableTotals()
	bound = math.Min(bound, rw)

	order := make([]int32, len(best.picks))
	for i, p := range best.picks {
		order[i] = best.items[p.item].cand
	}
	for i, p := range best.picks {
		in.cands[order[i]].floor = req.Menu[best.items[p.item].size].FloorArea
	}
	res := in.coverResult(order, ProblemCapacitated, "served_weighted_elders")
	res.Budget, res.FloorPerElder = req.Budget, fpe
	for i, p := range best.picks {
		it := best.items[p.item]
		s := &res.Sites[i]
		s.Cost, s.CapacityElders, s.ServedElders, s.ServedWeighted = it.cost, it.capacity, p.heads, p.weight
		res.TotalCost += it.cost
		res.TotalServed += p.heads
		res.TotalServedWeighted += p.weight
	}
	res.Value = res.TotalServedWeighted
	res.Bound = math.Max(bound, res.Value)
	if len(res.Sites) == 0 {
		res.Notes = append(res.Notes, Note{Code: NoteNoneAffordable, Text: "no affordable site reaches an elder not yet covered"})
	}
	return res, nil
}

// capSwaps improves a capacitated answer by local search: replace one
// chosen item by another (a new candidate, or the same one at another
// size) while the budget allows and the served value rises, then add what
// still fits. Entering items are the most promising by gain and by gain
// per cost given the current answer.
func (in *optInstance) capSwaps(ctx context.Context, st *capState, budget float64, limit int) (*capState, error) {
	const entering = 24
	const maxPasses = 200
	items := st.items
	for pass := 0; pass < maxPasses; pass++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		gains := make([]float64, len(items))
		var cands []int32
		for x := range items {
			if st.used[items[x].cand] {
				continue
			}
			if _, gains[x] = st.fill(int32(x), false); gains[x] > 0 {
				cands = append(cands, int32(x))
			}
		}
		pick := map[int32]bool{}
		for _, byRatio := range []bool{false, true} {
			slices.SortStableFunc(cands, func(a, b int32) int {
				ka, kb := gains[a], gains[b]
				if byRatio {
					ka, kb = ka/items[a].cost, kb/items[b].cost
				}
				switch {
				case ka > kb:
					return -1
				case ka < kb:
					return 1
				}
				return int(in.rank[items[a].cand]) - int(in.rank[items[b].cand])
			})
			for _, x := range cands[:min(entering, len(cands))] {
				pick[x] = true
			}
		}
		var enter []int32
		for x := range pick {
			enter = append(enter, x)
		}
		slices.Sort(enter)
		order := st.order()
		eps := 1e-9 * max(1, st.value)
		improved := false
	search:
		for j, out := range order {
			try := slices.Clone(enter)
			for x := range items { // the same site at another size
				if items[x].cand == items[out].cand && int32(x) != out {
					try = append(try, int32(x))
				}
			}
			for _, x := range try {
				if st.cost-items[out].cost+items[x].cost > budget*(1+1e-12) {
					continue
				}
				next := slices.Clone(order)
				next[j] = x
				if t := in.refill(items, next); t.value > st.value+eps {
					st = t
					improved = true
					in.stats.Swaps++
					break search
				}
			}
		}
		if !improved {
			break
		}
		if err := in.capGreedy(ctx, st, true, budget, limit); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// capLagrangeIters caps the subgradient steps of capLagrangianBound. On
// the city demo (150 sites within 30,000) 100 steps take 3.6 s and bring
// the gap from 30 % to 10.3 %; 300 would give 9.4 % in 11 s.
const capLagrangeIters = 100

// capLagrangianBound tightens the capacitated bound by Lagrangian
// relaxation of the LP: the constraint that a point's heads are served at
// most once is priced by λ_u ∈ [0, ρ_u] (ρ_u its weight per head), so
//
//	L(λ) = Σ_u λ_u h_u + max_x Σ_s x_s V_s(λ),
//
// where V_s(λ) is the most item s could serve at the reduced values
// ρ_u − λ_u within its capacity (a fractional knapsack over its
// catchment), and x ranges over the LP relaxation of the budget (and of
// the site limit). Every L(λ) bounds the optimum (weak duality). It starts
// from λ_u = ρ_u on the points st serves in full, close to capBound, and
// subgradient steps lower it until within lb's reach, the step is tiny or
// iters run out.
func (in *optInstance) capLagrangianBound(ctx context.Context, st *capState, budget float64, limit int, iters int) float64 {
	items := st.items
	if len(items) == 0 {
		return 0
	}
	lb := st.value
	n := len(in.heads)
	rho := make([]float64, n)
	lambda := make([]float64, n)
	for u := range rho {
		rho[u] = in.weight[u] / in.heads[u]
		if st.resid[u] <= 1e-12 {
			lambda[u] = rho[u]
		}
	}
	// The candidates of the items, each with its items (items are made
	// candidate by candidate, so each candidate's are consecutive).
	var cands []int32
	var first []int // cands[k]'s items are first[k]:first[k+1]
	for x := range items {
		if x == 0 || items[x].cand != items[x-1].cand {
			cands = append(cands, items[x].cand)
			first = append(first, x)
		}
	}
	first = append(first, len(items))
	value := make([]float64, len(items))
	frac := make([]float64, len(items))
	served := make([]float64, n)
	order := make([]int32, 0, 64)
	best := math.Inf(1)
	theta, stale := 1.0, 0
	// sorted lists candidate k's points of positive reduced value, the
	// highest first: each of its items fills its capacity from the top.
	sorted := func(k int) []int32 {
		order = order[:0]
		for _, u := range in.cat(int(cands[k])) {
			if rho[u] > lambda[u] {
				order = append(order, u)
			}
		}
		slices.SortFunc(order, func(a, b int32) int { return cmp.Compare(rho[b]-lambda[b], rho[a]-lambda[a]) })
		return order
	}
	for it := 0; it < iters && ctx.Err() == nil; it++ {
		var base float64
		for u := range lambda {
			base += lambda[u] * in.heads[u]
		}
		for k := range cands {
			pts := sorted(k)
			for x := first[k]; x < first[k+1]; x++ {
				v, left := 0.0, items[x].capacity
				for _, u := range pts {
					if left <= 0 {
						break
					}
					take := min(in.heads[u], left)
					left -= take
					v += take * (rho[u] - lambda[u])
				}
				value[x] = v
			}
		}
		l := capKnapsackLP(items, value, budget, limit, frac)
		l += base
		if math.IsInf(best, 1) || l < best-1e-12*best {
			best, stale = l, 0
		} else if stale++; stale >= 4 {
			theta, stale = theta/2, 0
		}
		if best-lb <= 1e-9*max(1, best) || theta < 1e-4 {
			break
		}
		// Subgradient: heads served by the relaxed answer − heads there.
		clear(served)
		for k := range cands {
			var pts []int32
			for x := first[k]; x < first[k+1]; x++ {
				if frac[x] == 0 {
					continue
				}
				if pts == nil {
					pts = sorted(k)
				}
				left := items[x].capacity
				for _, u := range pts {
					if left <= 0 {
						break
					}
					take := min(in.heads[u], left)
					left -= take
					served[u] += frac[x] * take
				}
			}
		}
		var norm float64
		for u := range served {
			g := served[u] - in.heads[u]
			norm += g * g
		}
		if norm == 0 {
			break
		}
		step := theta * (l - lb) / norm
		for u := range lambda {
			lambda[u] = min(rho[u], max(0, lambda[u]+step*(served[u]-in.heads[u])))
		}
	}
	return best
}

// capKnapsackLP is the LP relaxation of choosing items worth value within
// the budget (and, when limit > 0, at most limit of them): the smaller of
// the fractional knapsack and the limit's best items, each an upper bound.
// It sets frac to the chosen fractions of the smaller and returns its
// value.
func capKnapsackLP(items []capItem, value []float64, budget float64, limit int, frac []float64) float64 {
	idx := make([]int, 0, len(items))
	for x, v := range value {
		if v > 0 {
			idx = append(idx, x)
		}
	}
	clear(frac)
	slices.SortFunc(idx, func(a, b int) int {
		return cmp.Or(cmp.Compare(value[b]/items[b].cost, value[a]/items[a].cost), cmp.Compare(a, b))
	})
	var kb float64
	left := budget
	for _, x := range idx {
		f := min(1, left/items[x].cost)
		kb += f * value[x]
		frac[x] = f
		if left -= f * items[x].cost; left <= 0 {
			break
		}
	}
	if limit > 0 {
		slices.SortFunc(idx, func(a, b int) int { return cmp.Or(cmp.Compare(value[b], value[a]), cmp.Compare(a, b)) })
		var tk float64
		for _, x := range idx[:min(limit, len(idx))] {
			tk += value[x]
		}
		if tk < kb {
			clear(frac)
			for _, x := range idx[:min(limit, len(idx))] {
				frac[x] = 1
			}
			kb = tk
		}
	}
	return kb
}
