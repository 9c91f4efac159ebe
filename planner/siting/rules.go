package siting

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/carecircle/carecircle/planner"
)

// Rule-aware siting: 一村(社区)一站(点), 一乡镇(街道)一中心. Every street
// with fewer centres than street_center.per_unit, and every community with
// fewer stations than community_station.per_unit, gets the candidate in it
// that newly covers most of its own elders (ties: most elders in all,
// then the seeded order). Streets go first, since a centre's circle is
// the same as a station's and a street needs one anyway; within a level,
// the units with most uncovered elders go first. Each choice is given the
// sites chosen before it.

// siteRule is one unit lacking a facility.
type siteRule struct {
	region   int32
	level    planner.Level
	need     int     // facilities short of the per-unit norm
	weight   float64 // uncovered weighted elders in it
	eligible []int32
}

// lackingUnits finds the streets lacking centres and communities lacking
// stations in the evaluation.
func (in *optInstance) lackingUnits() []siteRule {
	m, p, e := in.m, in.m.Profile, in.e
	rs := m.City.Regions
	centres := make([]float64, len(rs))
	stations := make([]float64, len(rs))
	for i := range e.Facilities {
		f := &e.Facilities[i]
		c := e.FacilityCommunity(i)
		if c < 0 || !p.Supplies(f) {
			continue
		}
		if planner.HasType(p.StreetCenter.FacilityTypes, f.Type) {
			if s := m.Ancestor(c, planner.LevelStreet); s >= 0 {
				centres[s]++
			}
		}
		if planner.HasType(p.CommunityStation.FacilityTypes, f.Type) {
			stations[c]++
		}
	}
	var out []siteRule
	for i := range rs {
		switch rs[i].Level {
		case planner.LevelStreet:
			if short := p.StreetCenter.PerUnit.Value - centres[i]; short > 0 {
				out = append(out, siteRule{region: int32(i), level: planner.LevelStreet, need: int(math.Ceil(short))})
			}
		case planner.LevelCommunity:
			if short := p.CommunityStation.PerUnit.Value - stations[i]; short > 0 {
				out = append(out, siteRule{region: int32(i), level: planner.LevelCommunity, need: int(math.Ceil(short))})
			}
		}
	}
	return out
}

// ruleType is the facility type a candidate would take under a rule, or
// "" when it cannot take one.
func (in *optInstance) ruleType(oc *optCand, level planner.Level, region int32) planner.FacilityType {
	p := in.m.Profile
	types := p.CommunityStation.FacilityTypes
	min := p.CommunityStation.MinFloor.Value
	if level == planner.LevelStreet {
		types, min = p.StreetCenter.FacilityTypes, p.StreetCenter.MinFloor.Value
	}
	if oc.MaxFloorArea > 0 && oc.MaxFloorArea < min {
		return ""
	}
	switch {
	case oc.Type != "":
		if planner.HasType(types, oc.Type) {
			return oc.Type
		}
		return ""
	case level == planner.LevelCommunity && in.m.City.Regions[region].AreaType == planner.Rural && planner.HasType(types, planner.RuralPoint):
		return planner.RuralPoint
	case level == planner.LevelCommunity && planner.HasType(types, planner.CommunityStation):
		return planner.CommunityStation
	case level == planner.LevelStreet && planner.HasType(types, planner.StreetCenter):
		return planner.StreetCenter
	}
	return types[0]
}

// markRuleCandidates makes the candidates inside a lacking unit eligible
// (their catchments are walked); called before the walk.
func (in *optInstance) markRuleCandidates(rules []siteRule) {
	need := map[int32]planner.Level{}
	for _, r := range rules {
		need[r.region] = r.level
	}
	for i := range in.cands {
		oc := &in.cands[i]
		if oc.comm >= 0 && need[oc.comm] == planner.LevelCommunity && in.ruleType(oc, planner.LevelCommunity, oc.comm) != "" {
			oc.ok = true
		}
		if oc.street >= 0 && need[oc.street] == planner.LevelStreet && in.ruleType(oc, planner.LevelStreet, oc.street) != "" {
			oc.ok = true
		}
		if !oc.ok {
			in.stats.Excluded++
		}
	}
}

// ruleAware fills every lacking unit it can.
func (in *optInstance) ruleAware(ctx context.Context) (*OptimizeResult, error) {
	m, p := in.m, in.m.Profile
	rs := m.City.Regions
	rules := in.rules
	ruleOf := map[int32]int{}
	for k := range rules {
		ruleOf[rules[k].region] = k
	}
	// Uncovered weight per unit, for the order.
	for u := range in.pt {
		c := in.pcomm[u]
		for _, reg := range []int32{c, m.Ancestor(c, planner.LevelStreet)} {
			if k, ok := ruleOf[reg]; ok && reg >= 0 {
				rules[k].weight += in.weight[u]
			}
		}
	}
	for i := range in.cands {
		oc := &in.cands[i]
		for _, reg := range []int32{oc.comm, oc.street} {
			if k, ok := ruleOf[reg]; ok && reg >= 0 {
				r := &rules[k]
				if in.ruleType(oc, r.level, r.region) != "" {
					r.eligible = append(r.eligible, int32(i))
				}
			}
		}
	}
	slices.SortStableFunc(rules, func(a, b siteRule) int {
		if a.level != b.level {
			if a.level == planner.LevelStreet {
				return -1
			}
			return 1
		}
		if c := cmp.Compare(b.weight, a.weight); c != 0 {
			return c
		}
		return cmp.Compare(a.region, b.region)
	})
	in.progressTotal += len(rules)

	cs := newCoverState(in)
	type pick struct {
		cand      int32
		rule      *siteRule
		typ       planner.FacilityType
		regionHit float64
	}
	var picks []pick
	var unmet []UnmetRule
	inRegion := func(u int32, r *siteRule) bool {
		if r.level == planner.LevelCommunity {
			return in.pcomm[u] == r.region
		}
		return m.Ancestor(in.pcomm[u], planner.LevelStreet) == r.region
	}
	for k := range rules {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		r := &rules[k]
		for n := 0; n < r.need; n++ {
			if in.req.Sites > 0 && len(picks) >= in.req.Sites {
				unmet = append(unmet, UnmetRule{Level: r.level, Code: rs[r.region].Code, Name: rs[r.region].Name,
					Reason: fmt.Sprintf("beyond the limit of %d sites", in.req.Sites)})
				break
			}
			best, bestOwn, bestAll := int32(-1), -1.0, -1.0
			var bestType planner.FacilityType
			for _, c := range r.eligible {
				if cs.pos[c] >= 0 {
					continue
				}
				typ := in.ruleType(&in.cands[c], r.level, r.region)
				var own, all float64
				if planner.HasType(p.ServiceCircle.FacilityTypes, typ) {
					for _, u := range in.cat(int(c)) {
						if cs.cnt[u] == 0 {
							all += in.weight[u]
							if inRegion(u, r) {
								own += in.weight[u]
							}
						}
					}
				}
				in.stats.Evaluations++
				if own > bestOwn || (own == bestOwn && (all > bestAll || (all == bestAll && in.rank[c] < in.rank[best]))) {
					best, bestOwn, bestAll, bestType = c, own, all, typ
				}
			}
			if best < 0 {
				reason := "no candidate site in it"
				if len(r.eligible) > 0 {
					reason = "every candidate site in it is taken"
				}
				unmet = append(unmet, UnmetRule{Level: r.level, Code: rs[r.region].Code, Name: rs[r.region].Name, Reason: reason})
				break
			}
			var hit float64
			if planner.HasType(p.ServiceCircle.FacilityTypes, bestType) {
				for _, u := range in.cat(int(best)) {
					if cs.cnt[u] == 0 && inRegion(u, r) {
						hit += m.DemandPoint(in.pt[u]).Elders60
					}
				}
				cs.add(best)
			} else {
				cs.pos[best] = int32(len(cs.chosen))
				cs.chosen = append(cs.chosen, best)
			}
			picks = append(picks, pick{cand: best, rule: r, typ: bestType, regionHit: hit})
		}
		in.step()
	}

	order := make([]int32, len(picks))
	for i, pk := range picks {
		order[i] = pk.cand
		oc := &in.cands[pk.cand]
		oc.typ = pk.typ
		minF := minFloor(p, pk.typ)
		oc.floor = max(minF, oc.FloorArea)
		if oc.floor == 0 {
			oc.floor = 200
		}
		if oc.MaxFloorArea > 0 {
			oc.floor = min(oc.floor, oc.MaxFloorArea)
		}
	}
	res := in.coverResult(order, ProblemRuleAware, "weighted_elders")
	for i, pk := range picks {
		s := &res.Sites[i]
		s.RuleRegion = rs[pk.rule.region].Code
		s.Rule = "community_station"
		if pk.rule.level == planner.LevelStreet {
			s.Rule = "street_center"
		}
		s.RegionGainElders = pk.regionHit
	}
	res.Unmet = unmet
	res.Value = cs.exactValue()
	// One site per rule (need per rule): the best any such choice can add
	// is at most the sum, rule by rule, of the largest gains of its
	// candidates given the sites chosen (see bound.go).
	bound := res.Value
	for k := range rules {
		r := &rules[k]
		var gains []float64
		for _, c := range r.eligible {
			if cs.pos[c] < 0 && planner.HasType(p.ServiceCircle.FacilityTypes, in.ruleType(&in.cands[c], r.level, r.region)) {
				gains = append(gains, cs.gain(c))
			}
		}
		bound += topSum(gains, r.need)
	}
	_, rw := in.reachableTotals()
	res.Bound = math.Max(res.Value, math.Min(bound, rw))
	if len(rules) == 0 {
		res.Notes = append(res.Notes, Note{Code: NoteRulesMet, Text: "every street has its centre and every community its station: no rule needs a site"})
	}
	return res, nil
}
