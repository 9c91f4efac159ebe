package siting

import (
	"cmp"
	"context"
	"math"
	"slices"
)

// The bound reported with a coverage answer. For a monotone submodular f
// and any set S, an optimal set T of k sites satisfies
//
//	f(T) ≤ f(S ∪ T) ≤ f(S) + Σ_{t ∈ T} Δ(t | S) ≤ f(S) + (sum of the k largest Δ(· | S)),
//
// where Δ(t | S) = f(S ∪ {t}) − f(S) (monotonicity, then submodularity).
// Any upper bounds on the Δ serve as well, and lazy greedy holds exactly
// such bounds: a candidate's stale gain, computed for a subset of the
// current set, is at least its gain now. So at every recorded iteration i
// of greedy, and once more with exact gains for the final set,
//
//	OPT(k) ≤ f(S_i) + (sum of the k largest keys at i),
//
// and the bound reported is the least of these and of the total weight
// any candidate reaches. It holds for every k, which gives the curve's
// bounds and, for a target, a lower bound on the sites needed: the least
// k whose bound reaches the target.

// boundTracker keeps, at each checkpoint, the value of the set then and
// the prefix sums of the largest gain bounds.
type boundTracker struct {
	limit  int  // longest prefix kept (0: all)
	every  bool // check at every iteration, not only at powers of two
	checks []boundCheck
}

type boundCheck struct {
	value  float64
	prefix []float64 // prefix[k]: sum of the k largest keys; prefix[0] = 0
}

func newBoundTracker(limit int, every bool) *boundTracker {
	return &boundTracker{limit: limit, every: every}
}

// due says whether iteration it is a checkpoint.
func (bt *boundTracker) due(it int) bool {
	return bt.every || it&(it-1) == 0
}

// record adds a checkpoint from the lazy heap's keys.
func (bt *boundTracker) record(value float64, h lazyHeap) {
	keys := make([]float64, 0, len(h))
	for _, e := range h {
		if e.key > 0 {
			keys = append(keys, e.key)
		}
	}
	bt.add(value, keys)
}

// recordExact adds a checkpoint with the exact gains of every candidate of
// pool with respect to cs: valid for any set, chosen greedily or not.
func (bt *boundTracker) recordExact(cs *coverState, pool []int32) {
	keys := make([]float64, 0, len(pool))
	for _, c := range pool {
		if cs.pos[c] >= 0 {
			continue
		}
		if g := cs.gain(c); g > 0 {
			keys = append(keys, g)
		}
	}
	bt.add(cs.exactValue(), keys)
}

func (bt *boundTracker) add(value float64, keys []float64) {
	slices.SortFunc(keys, func(a, b float64) int { return cmp.Compare(b, a) })
	n := len(keys)
	if bt.limit > 0 {
		n = min(n, bt.limit)
	}
	prefix := make([]float64, n+1)
	for k := 0; k < n; k++ {
		prefix[k+1] = prefix[k] + keys[k]
	}
	bt.checks = append(bt.checks, boundCheck{value: value, prefix: prefix})
}

// ub is the least bound on the best gain with k sites (+Inf before any
// checkpoint).
func (bt *boundTracker) ub(k int) float64 {
	best := math.Inf(1)
	for _, c := range bt.checks {
		best = math.Min(best, c.value+c.prefix[min(k, len(c.prefix)-1)])
	}
	return best
}

// minSites is the least k whose bound reaches need, never more than the
// k at which every bound has run out of gains; 0 when need is out of reach
// of the reachable total.
func (bt *boundTracker) minSites(need, reachable float64) int {
	if reachable < need {
		return 0
	}
	// ub is non-decreasing in k; search the smallest k with ub(k) ≥ need.
	hi := 1
	for _, c := range bt.checks {
		hi = max(hi, len(c.prefix))
	}
	lo := 1
	for lo < hi {
		mid := (lo + hi) / 2
		if bt.ub(mid) >= need {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// knapsackBound is the best value of the LP relaxation of choosing items
// of the given gains and costs within budget: items by gain per cost,
// the last one fractionally. It is at least the gain of any set of items
// that fits the budget.
func knapsackBound(gains, costs []float64, budget float64) float64 {
	idx := make([]int, 0, len(gains))
	for i, g := range gains {
		if g > 0 {
			idx = append(idx, i)
		}
	}
	slices.SortFunc(idx, func(a, b int) int {
		return cmp.Compare(gains[b]/costs[b], gains[a]/costs[a])
	})
	var v float64
	left := budget
	for _, i := range idx {
		if costs[i] <= left {
			v += gains[i]
			left -= costs[i]
			continue
		}
		v += gains[i] * left / costs[i]
		break
	}
	return v
}

// topSum is the sum of the k largest gains.
func topSum(gains []float64, k int) float64 {
	g := slices.Clone(gains)
	slices.SortFunc(g, func(a, b float64) int { return cmp.Compare(b, a) })
	var s float64
	for i := 0; i < k && i < len(g); i++ {
		if g[i] > 0 {
			s += g[i]
		}
	}
	return s
}

// lagrangianBound is an upper bound on the most weight k candidates of
// pool can cover, from the Lagrangian dual of the LP relaxation of
// maximum coverage. For multipliers 0 ≤ μ_u ≤ w_u on the constraints
// "u is covered only if a site covering it is chosen",
//
//	L(μ) = Σ_u (w_u − μ_u) + (sum of the k largest Σ_{u ∈ cat(c)} μ_u)
//
// is at least the weight any k sites cover: Σ w_u y_u = Σ (w_u − μ_u) y_u
// + Σ μ_u y_u ≤ Σ (w_u − μ_u) + Σ_c x_c Σ_{u ∈ cat(c)} μ_u. Started from
// μ_u = w_u where start leaves u uncovered and 0 where it covers u, L is
// the submodular bound at start (f(S) plus the k largest gains); a few
// dozen subgradient steps (Polyak steps towards the value lb of a known
// answer) lower it, usually close to the LP optimum. Every L computed is
// a valid bound; the least is returned, as soon as it is below enough
// if that comes first.
func (in *optInstance) lagrangianBound(ctx context.Context, pool []int32, k int, start *coverState, lb, enough float64, iters int) float64 {
	if k <= 0 || len(pool) == 0 {
		return 0
	}
	w := in.weight
	mu := make([]float64, len(w))
	for u := range mu {
		mu[u] = w[u]
		if start != nil && start.cnt[u] > 0 {
			mu[u] = 0
		}
	}
	score := make([]float64, len(pool))
	order := make([]int, len(pool))
	count := make([]int32, len(w))
	best := math.Inf(1)
	theta, stale := 1.0, 0
	for it := 0; it < iters; it++ {
		if ctx.Err() != nil {
			break
		}
		var base float64
		for u := range w {
			if in.reachable[u] {
				base += w[u] - mu[u]
			}
		}
		for i, c := range pool {
			var s float64
			for _, u := range in.cat(int(c)) {
				s += mu[u]
			}
			score[i] = s
			order[i] = i
		}
		slices.SortFunc(order, func(a, b int) int {
			if c := cmp.Compare(score[b], score[a]); c != 0 {
				return c
			}
			return cmp.Compare(a, b)
		})
		top := order[:min(k, len(order))]
		l := base
		for _, i := range top {
			l += score[i]
		}
		if math.IsInf(best, 1) || l < best-1e-12*best {
			best, stale = l, 0
		} else if stale++; stale >= 4 {
			theta, stale = theta/2, 0
		}
		if best < enough || best-lb <= 1e-9*max(1, best) || theta < 1e-4 {
			break
		}
		// Subgradient: (times u is covered by the top k) − 1.
		clear(count)
		for _, i := range top {
			for _, u := range in.cat(int(pool[i])) {
				count[u]++
			}
		}
		var norm float64
		for u := range w {
			if in.reachable[u] {
				g := float64(count[u] - 1)
				norm += g * g
			}
		}
		if norm == 0 {
			break
		}
		step := theta * (l - lb) / norm
		for u := range w {
			if in.reachable[u] {
				mu[u] = min(w[u], max(0, mu[u]-step*float64(count[u]-1)))
			}
		}
	}
	return best
}
