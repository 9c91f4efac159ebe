package siting

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/carecircle/carecircle/planner"
)

// smallCircleProfile judges with a 5-minute (270 m) urban circle and a
// 300 m rural one, so that on the 1.2 km random town circles overlap but
// no site covers the town: instances where greedy can go wrong.
func smallCircleProfile(w80 float64) *planner.StandardsProfile {
	p := testProfile()
	p.ServiceCircle.UrbanMinutes = fig(5)
	p.ServiceCircle.InnerBandMinutes = fig(2)
	p.ServiceCircle.MiddleBandMinutes = fig(4)
	p.ServiceCircle.RuralMetres = fig(300)
	p.Accessibility.CatchmentMinutes = fig(5)
	p.Priority.Elder80Weight = fig(w80)
	return p
}

// optInstanceFor builds a random town, its model under the small-circle
// profile and n random candidates at network nodes.
func optInstanceFor(t testing.TB, seed uint64, w80 float64, n int) (*planner.Model, []Candidate) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 99))
	c := randomCity(t, rng)
	// Elders 80+ vary, so the 80+ weight matters.
	for i := range c.Demand {
		c.Demand[i].Elders80 = c.Demand[i].Elders60 * rng.Float64() * 0.4
	}
	for i := range c.Regions {
		c.Regions[i].Elders80 = 0
	}
	for _, d := range c.Demand {
		c.Regions[d.Community].Elders80 += d.Elders80
	}
	m, err := planner.NewModel(context.Background(), c, smallCircleProfile(w80), nil)
	if err != nil {
		t.Fatal(err)
	}
	var cands []Candidate
	for i := 0; i < n; i++ {
		p := c.Network.Points[rng.IntN(c.Network.NumNodes())]
		cands = append(cands, Candidate{ID: fmt.Sprintf("K%02d", i+1), Name: fmt.Sprintf("候选%d", i+1),
			Location: orb.Point{p[0] + (rng.Float64()-0.5)*4e-4, p[1] + (rng.Float64()-0.5)*4e-4}})
	}
	return m, cands
}

// coverSets finds, independently of the optimiser, which demand points a
// site at each candidate would newly serve: by adding it to a copy of the
// evaluation and reading the served times.
func coverSets(t testing.TB, m *planner.Model, cands []Candidate) (sets [][]uint64, weight, heads []float64) {
	t.Helper()
	base := m.Baseline()
	n := m.Demand.Len()
	words := (n + 63) / 64
	weight, heads = make([]float64, n), make([]float64, n)
	served := func(e *planner.Evaluation, k int32) bool {
		d := m.DemandPoint(k)
		return e.ServedSeconds(k) <= m.CircleSeconds(m.City.Regions[d.Community].AreaType)
	}
	for k := int32(0); k < int32(n); k++ {
		d := m.DemandPoint(k)
		weight[k] = m.Profile.DemandWeight(d.Elders60, d.Elders80)
		heads[k] = d.Elders60
	}
	for _, c := range cands {
		e := base.Clone()
		if err := e.Add(planner.Facility{ID: "probe", Name: "probe", Type: planner.CommunityStation, Status: planner.Proposed, Location: c.Location}); err != nil {
			t.Fatal(err)
		}
		set := make([]uint64, words)
		for k := int32(0); k < int32(n); k++ {
			if !served(base, k) && served(e, k) && heads[k] > 0 {
				set[k/64] |= 1 << (k % 64)
			}
		}
		sets = append(sets, set)
	}
	return sets, weight, heads
}

func setValue(set []uint64, w []float64) float64 {
	var v float64
	for i, word := range set {
		for word != 0 {
			b := bits.TrailingZeros64(word)
			v += w[i*64+b]
			word &= word - 1
		}
	}
	return v
}

// bestSubset is the exact optimum over every k-subset of the sets.
func bestSubset(sets [][]uint64, w []float64, k int) float64 {
	best := 0.0
	union := make([]uint64, len(sets[0]))
	var rec func(from, left int, acc []uint64)
	rec = func(from, left int, acc []uint64) {
		if left == 0 {
			best = math.Max(best, setValue(acc, w))
			return
		}
		for i := from; i <= len(sets)-left; i++ {
			next := make([]uint64, len(acc))
			for j := range acc {
				next[j] = acc[j] | sets[i][j]
			}
			rec(i+1, left-1, next)
		}
	}
	rec(0, k, union)
	return best
}

// TestMaxCoverageAgainstExhaustiveSearch compares greedy + swaps with the
// optimum found by trying every set of sites, on many small instances.
func TestMaxCoverageAgainstExhaustiveSearch(t *testing.T) {
	instances, equal, greedyEqual := 0, 0, 0
	worst := 1.0
	seeds := 100
	if testing.Short() {
		seeds = 10
	}
	for seed := uint64(1); seed <= uint64(seeds); seed++ {
		w80 := 1.0
		if seed%2 == 0 {
			w80 = 1.5
		}
		m, cands := optInstanceFor(t, seed, w80, 30)
		sets, weight, _ := coverSets(t, m, cands)
		for _, n := range []int{3, 4} {
			opt := bestSubset(sets, weight, n)
			res, err := Optimize(context.Background(), m.Baseline(), OptimizeRequest{Sites: n, Candidates: cands, Seed: seed}, nil)
			if err != nil {
				t.Fatal(err)
			}
			greedy, err := Optimize(context.Background(), m.Baseline(), OptimizeRequest{Sites: n, Candidates: cands, Seed: seed, NoLocalSearch: true}, nil)
			if err != nil {
				t.Fatal(err)
			}
			instances++
			if !near(res.TotalGainWeighted, res.Value) {
				t.Errorf("seed %d n %d: objective %v but the sites' weighted gains add to %v", seed, n, res.Value, res.TotalGainWeighted)
			}
			if res.Value > opt+1e-6 {
				t.Fatalf("seed %d n %d: value %v above the exhaustive optimum %v: the catchments disagree", seed, n, res.Value, opt)
			}
			if res.Bound < opt-1e-6 {
				t.Errorf("seed %d n %d: bound %v below the optimum %v", seed, n, res.Bound, opt)
			}
			if opt > 0 {
				worst = math.Min(worst, res.Value/opt)
				if res.Value < 0.98*opt {
					t.Errorf("seed %d n %d: value %v is more than 2 %% below the optimum %v", seed, n, res.Value, opt)
				}
			}
			if res.Value >= opt-1e-9*max(1, opt) {
				equal++
			}
			if greedy.Value >= opt-1e-9*max(1, opt) {
				greedyEqual++
			}
		}
	}
	t.Logf("%d instances (30 candidates, 3 or 4 sites): greedy + swaps optimal on %d, greedy alone on %d; worst ratio to the optimum %.4f",
		instances, equal, greedyEqual, worst)
	if equal*10 < instances*8 {
		t.Errorf("optimal on only %d of %d instances; want most", equal, instances)
	}
}

// acceptAll adds the suggested sites one by one to a copy of the
// evaluation and checks each one's gain against the assessment's count.
func acceptAll(t *testing.T, m *planner.Model, res *OptimizeResult) *planner.Evaluation {
	t.Helper()
	e := m.Baseline().Clone()
	prev := e.Summary().City.EldersCovered15
	if !near(prev, res.CoveredBefore) {
		t.Errorf("covered before: result %v, assessment %v", res.CoveredBefore, prev)
	}
	for i, f := range res.Facilities(m.Profile) {
		if err := e.Add(f); err != nil {
			t.Fatalf("site %d: %v", i+1, err)
		}
		s := e.Summary().City
		if got := s.EldersCovered15 - prev; math.Abs(got-res.Sites[i].GainElders) > 1e-6*max(1, s.EldersCovered15) {
			t.Errorf("site %d (%s): reported gain %v elders, the assessment shows %v", i+1, res.Sites[i].ID, res.Sites[i].GainElders, got)
		}
		if !near(s.Coverage15, res.Sites[i].CoverageAfter) {
			t.Errorf("site %d: coverage after %v, the assessment shows %v", i+1, res.Sites[i].CoverageAfter, s.Coverage15)
		}
		prev = s.EldersCovered15
	}
	if s := e.Summary().City; !near(s.Coverage15, res.CoverageAfter) {
		t.Errorf("coverage after: result %v, assessment %v", res.CoverageAfter, s.Coverage15)
	}
	return e
}

func TestReportedGainsMatchTheAssessment(t *testing.T) {
	ctx := context.Background()
	for seed := uint64(1); seed <= 4; seed++ {
		m, cands := optInstanceFor(t, seed, 1.5, 40)
		for _, req := range []OptimizeRequest{
			{Sites: 6, Candidates: cands},
			{Sites: 6}, // generated candidates
			{Target: 0.6, Candidates: cands},
			{Problem: ProblemCapacitated, Budget: 1500, Candidates: cands, FloorPerElder: 2},
			{Problem: ProblemRuleAware},
		} {
			t.Run(fmt.Sprintf("seed %d %s", seed, req.Problem), func(t *testing.T) {
				res, err := Optimize(ctx, m.Baseline(), req, nil)
				if err != nil {
					t.Fatal(err)
				}
				acceptAll(t, m, res)
			})
		}
	}
}

func TestTargetCoverage(t *testing.T) {
	ctx := context.Background()
	equal, instances := 0, 0
	for seed := uint64(1); seed <= 12; seed++ {
		m, cands := optInstanceFor(t, seed, 1, 20)
		sets, _, heads := coverSets(t, m, cands)
		before := m.Baseline().Summary().City
		union := make([]uint64, len(sets[0]))
		for _, s := range sets {
			for j := range s {
				union[j] |= s[j]
			}
		}
		best := (before.EldersCovered15 + setValue(union, heads)) / before.Elders60
		target := before.Coverage15 + 0.8*(best-before.Coverage15)
		res, err := Optimize(ctx, m.Baseline(), OptimizeRequest{Target: target, Candidates: cands}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.TargetReached == nil || !*res.TargetReached || res.CoverageAfter < target-1e-9 {
			t.Fatalf("seed %d: target %v not reached: %v", seed, target, res.CoverageAfter)
		}
		acceptAll(t, m, res)
		// The fewest sites, by exhaustive search.
		need := target*before.Elders60 - before.EldersCovered15
		fewest := 0
		for k := 1; k <= len(cands); k++ {
			if bestSubset(sets, heads, k) >= need-1e-9*before.Elders60 {
				fewest = k
				break
			}
		}
		instances++
		if len(res.Sites) == fewest {
			equal++
		}
		if len(res.Sites) > fewest+1 {
			t.Errorf("seed %d: %d sites, but %d reach the target", seed, len(res.Sites), fewest)
		}
		if res.MinSitesBound > fewest || res.MinSitesBound < 1 {
			t.Errorf("seed %d: lower bound %d sites, but %d reach the target", seed, res.MinSitesBound, fewest)
		}
		if len(res.Curve) != len(res.Sites)+1 || res.Curve[0].Coverage != res.CoverageBefore {
			t.Errorf("seed %d: curve %+v", seed, res.Curve)
		}
		for k := 1; k < len(res.Curve); k++ {
			if res.Curve[k].Coverage < res.Curve[k-1].Coverage || res.Curve[k].Bound < res.Curve[k].GainElders-1e-9 {
				t.Errorf("seed %d: curve point %+v", seed, res.Curve[k])
			}
		}
		// Out of reach: says so, with the best reachable.
		res, err = Optimize(ctx, m.Baseline(), OptimizeRequest{Target: math.Min(1, best+0.05), Candidates: cands}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.TargetReached == nil || *res.TargetReached || !near(res.CoverageReachable, best) || !near(res.CoverageAfter, best) ||
			len(res.Notes) != 1 || res.Notes[0].Code != NoteTargetUnreachable || !near(res.Notes[0].Values["reachable"], best) {
			t.Errorf("seed %d: unreachable target: reached %v, reachable %v (want %v), after %v, notes %q",
				seed, res.TargetReached, res.CoverageReachable, best, res.CoverageAfter, fmt.Sprint(res.Notes))
		}
	}
	t.Logf("target coverage: fewest sites found on %d of %d instances", equal, instances)
	if equal*2 < instances {
		t.Errorf("fewest sites found on only %d of %d instances", equal, instances)
	}
}

// maxFlow is the most heads the sites can serve: by max-flow min-cut, the
// least over sets X of sites of Σ_{j∈X} cap_j + heads reachable from the
// other sites.
func maxFlow(sets [][]uint64, caps []float64, heads []float64) float64 {
	best := math.Inf(1)
	for mask := 0; mask < 1<<len(sets); mask++ {
		var c float64
		reach := make([]uint64, len(sets[0]))
		for j := range sets {
			if mask&(1<<j) != 0 {
				c += caps[j]
			} else {
				for w := range reach {
					reach[w] |= sets[j][w]
				}
			}
		}
		best = math.Min(best, c+setValue(reach, heads))
	}
	return best
}

func TestCapacitatedRespectsBudgetAndCapacity(t *testing.T) {
	ctx := context.Background()
	menu := []SizeOption{{FloorArea: 60, Cost: 1}, {FloorArea: 160, Cost: 2}}
	const fpe = 2.0 // m² per elder: 30 and 80 elders
	for seed := uint64(1); seed <= 10; seed++ {
		m, cands := optInstanceFor(t, seed, 1, 10)
		for _, budget := range []float64{1, 3, 4} {
			res, err := Optimize(ctx, m.Baseline(), OptimizeRequest{Problem: ProblemCapacitated, Menu: menu, Budget: budget, FloorPerElder: fpe, Candidates: cands}, nil)
			if err != nil {
				t.Fatal(err)
			}
			acceptAll(t, m, res)
			if res.TotalCost > budget+1e-9 {
				t.Errorf("seed %d: cost %v over the budget %v", seed, res.TotalCost, budget)
			}
			var served float64
			for _, s := range res.Sites {
				if s.ServedElders > s.CapacityElders+1e-9 || !near(s.CapacityElders, s.FloorArea/fpe) {
					t.Errorf("seed %d: site %s serves %v of capacity %v (%v m²)", seed, s.ID, s.ServedElders, s.CapacityElders, s.FloorArea)
				}
				served += s.ServedElders
			}
			if served > res.TotalGain+1e-6 || !near(served, res.TotalServed) {
				t.Errorf("seed %d: served %v, newly covered %v, total served %v", seed, served, res.TotalGain, res.TotalServed)
			}
			// The exact optimum: every set of (site, size) within the
			// budget, each served as well as max flow can.
			sets, _, heads := coverSets(t, m, cands)
			opt := 0.0
			var rec func(from int, left float64, ss [][]uint64, caps []float64)
			rec = func(from int, left float64, ss [][]uint64, caps []float64) {
				if len(ss) > 0 {
					opt = math.Max(opt, maxFlow(ss, caps, heads))
				}
				for c := from; c < len(cands); c++ {
					for _, o := range menu {
						if o.Cost <= left+1e-9 {
							rec(c+1, left-o.Cost, append(ss[:len(ss):len(ss)], sets[c]), append(caps[:len(caps):len(caps)], o.FloorArea/fpe))
						}
					}
				}
			}
			rec(0, budget, nil, nil)
			if res.Value > opt+1e-6 || res.Bound < opt-1e-6 {
				t.Errorf("seed %d budget %v: value %v, bound %v, exact optimum %v", seed, budget, res.Value, res.Bound, opt)
			}
			if opt > 0 && res.Value < 0.9*opt {
				t.Errorf("seed %d budget %v: value %v, exact optimum %v", seed, budget, res.Value, opt)
			}
		}
	}
}

func TestRuleAwareFillsEveryUnit(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	c := randomCity(t, rng)
	c.Facilities = c.Facilities[:2] // most communities and streets lack theirs
	m, err := planner.NewModel(context.Background(), c, smallCircleProfile(1), nil)
	if err != nil {
		t.Fatal(err)
	}
	var cands []Candidate
	for i, p := range c.Network.Points {
		if i%3 == 0 {
			cands = append(cands, Candidate{ID: fmt.Sprintf("N%d", i), Location: orb.Point{p[0] + 1e-5, p[1] + 1e-5}})
		}
	}
	before := m.Baseline().Summary()
	res, err := Optimize(context.Background(), m.Baseline(), OptimizeRequest{Problem: ProblemRuleAware, Candidates: cands}, nil)
	if err != nil {
		t.Fatal(err)
	}
	e := acceptAll(t, m, res)
	after := e.Summary()
	lacking := 0
	for i, r := range c.Regions {
		switch r.Level {
		case planner.LevelCommunity:
			if before.Region(i).WithStation == 0 {
				lacking++
			}
			if after.Region(i).WithStation != 1 {
				t.Errorf("community %s still lacks a station", r.Code)
			}
		case planner.LevelStreet:
			if before.Region(i).WithCentre == 0 {
				lacking++
			}
			if after.Region(i).WithCentre != 1 {
				t.Errorf("street %s still lacks a centre", r.Code)
			}
		}
	}
	if len(res.Sites) != lacking || lacking == 0 || len(res.Unmet) != 0 {
		t.Errorf("%d sites for %d lacking units, unmet %+v", len(res.Sites), lacking, res.Unmet)
	}
	for _, s := range res.Sites {
		if s.Rule == "" || s.RuleRegion == "" {
			t.Errorf("site %s names no rule", s.ID)
		}
	}
	if res.Bound < res.Value {
		t.Errorf("bound %v below value %v", res.Bound, res.Value)
	}
	// Candidates only in one community: the rest are unmet, by name.
	res, err = Optimize(context.Background(), m.Baseline(), OptimizeRequest{Problem: ProblemRuleAware, Candidates: cands[:1]}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Unmet) < lacking-1 || !strings.Contains(res.Unmet[0].Reason, "no candidate") {
		t.Errorf("unmet %+v", res.Unmet)
	}
}

func TestOptimizeBadInput(t *testing.T) {
	m, cands := optInstanceFor(t, 3, 1, 5)
	b := m.City.Network.Bound()
	far := orb.Point{b.Min[0] - 0.0045, b.Min[1] - 0.0045} // ≈ 600 m from the corner, inside the padded box
	for _, tc := range []struct {
		name string
		req  OptimizeRequest
		want string
	}{
		{"no sites", OptimizeRequest{Sites: 0}, "sites 0"},
		{"negative sites", OptimizeRequest{Sites: -2}, "sites -2"},
		{"target above 1", OptimizeRequest{Target: 1.2}, "target 1.2"},
		{"target zero", OptimizeRequest{Problem: ProblemTargetCoverage}, "target 0"},
		{"target with max coverage", OptimizeRequest{Problem: ProblemMaxCoverage, Sites: 2, Target: 0.5}, "target 0.5"},
		{"unknown problem", OptimizeRequest{Problem: "p-median", Sites: 2}, "problem \"p-median\""},
		{"unknown type", OptimizeRequest{Sites: 2, Type: "spa"}, "type \"spa\""},
		{"type outside the circle", OptimizeRequest{Sites: 2, Type: planner.Institution}, "service_circle.facility_types"},
		{"empty candidates", OptimizeRequest{Sites: 2, Candidates: []Candidate{}}, "candidates: the list is empty"},
		{"candidate outside the city", OptimizeRequest{Sites: 2, Candidates: append([]Candidate{{ID: "X9", Location: orb.Point{116.4, 39.9}}}, cands...)}, "candidate 1 (id \"X9\"): (116.400000, 39.900000) lies outside"},
		{"candidate off the network", OptimizeRequest{Sites: 2, Candidates: append(cands[:2:2], Candidate{Name: "旧厂房", Location: far})}, "candidate 3 (旧厂房)"},
		{"candidate in no such community", OptimizeRequest{Sites: 2, Candidates: []Candidate{{ID: "A", Location: cands[0].Location, Community: "nope"}}}, "community_code \"nope\""},
		{"negative floor", OptimizeRequest{Sites: 2, Candidates: []Candidate{{ID: "A", Location: cands[0].Location, MaxFloorArea: -5}}}, "candidates[0]: max_floor_area_m2: -5 is outside the plausible range 0 to 1000000 m²"},
		{"no budget", OptimizeRequest{Problem: ProblemCapacitated}, "budget 0"},
		{"budget below the cheapest site", OptimizeRequest{Problem: ProblemCapacitated, Budget: 100}, "budget 100 is less than the cheapest site (200 m² for 200)"},
		{"budget without capacity", OptimizeRequest{Sites: 2, Budget: 500}, "budget 500"},
		{"bad menu", OptimizeRequest{Problem: ProblemCapacitated, Budget: 500, Menu: []SizeOption{{FloorArea: 200, Cost: 0}}}, "menu[0]: cost 0"},
		{"bad resolution", OptimizeRequest{Sites: 2, CandidateRes: 3}, "candidate_res 3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Optimize(context.Background(), m.Baseline(), tc.req, nil)
			if err == nil {
				t.Fatalf("accepted %+v", tc.req)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not say %q", err, tc.want)
			}
			var re *RequestError
			if !errors.As(err, &re) {
				t.Errorf("error %q is a %T, not a *RequestError, so a server would answer 500", err, err)
			}
		})
	}
}

func TestOptimizeDeterministicCancellableAndReportsProgress(t *testing.T) {
	m, cands := optInstanceFor(t, 8, 1.5, 40)
	run := func(seed uint64) []byte {
		res, err := Optimize(context.Background(), m.Baseline(), OptimizeRequest{Sites: 5, Seed: seed}, nil)
		if err != nil {
			t.Fatal(err)
		}
		res.Stats = OptimizeStats{}
		b, _ := json.Marshal(res)
		return b
	}
	if a, b := run(7), run(7); string(a) != string(b) {
		t.Errorf("two runs with seed 7 differ:\n%s\n%s", a, b)
	}
	var calls, last, lastTotal int
	_, err := Optimize(context.Background(), m.Baseline(), OptimizeRequest{Sites: 5, Candidates: cands}, func(done, total int) {
		calls++
		if done > total || done < last {
			t.Errorf("progress %d of %d after %d", done, total, last)
		}
		last, lastTotal = done, total
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls < 2 || last != lastTotal {
		t.Errorf("%d progress calls, last %d of %d", calls, last, lastTotal)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Optimize(ctx, m.Baseline(), OptimizeRequest{Sites: 5}, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled run: %v", err)
	}
	// The evaluation is untouched.
	if !reflect.DeepEqual(m.Baseline().Summary().City, m.Baseline().Clone().Summary().City) {
		t.Error("optimize changed the evaluation")
	}
}

func TestGeneratedCandidatesAreNetworkNodes(t *testing.T) {
	m, _ := optInstanceFor(t, 2, 1, 0)
	cs, err := GenerateCandidates(m, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) < 20 {
		t.Fatalf("%d candidates", len(cs))
	}
	nodes := map[orb.Point]bool{}
	for _, p := range m.City.Network.Points {
		nodes[p] = true
	}
	seen := map[orb.Point]bool{}
	for _, c := range cs {
		if !nodes[c.Location] || seen[c.Location] || c.Community == "" || c.ID == "" {
			t.Fatalf("candidate %+v: not a distinct network node in a community", c)
		}
		seen[c.Location] = true
	}
}
