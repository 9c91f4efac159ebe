package siting

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/carecircle/carecircle/planner"
)

// This file is the siting optimiser's API: which new sites, among
// candidate buildings or generated network locations, would cover the most
// elders not yet within a service circle, with existing facilities kept as
// they are. See docs/optimizer.md for the problems, the algorithm and the
// bound reported with every answer.

// Problem is the kind of siting question an OptimizeRequest asks.
type Problem string

// Siting problems.
const (
	// ProblemMaxCoverage chooses Sites new sites that newly cover the
	// most elders (80+ weighted by priority.elder_80_weight).
	ProblemMaxCoverage Problem = "max_coverage"
	// ProblemTargetCoverage finds the fewest sites that bring coverage of
	// elders 60+ up to Target, with the curve of coverage against sites.
	ProblemTargetCoverage Problem = "target_coverage"
	// ProblemCapacitated chooses sites and their sizes from Menu within
	// Budget; a site of floor area A serves at most A / FloorPerElder
	// elders of those newly within its circle.
	ProblemCapacitated Problem = "capacitated"
	// ProblemRuleAware gives every community lacking a station the
	// candidate in it that serves it best, and every street lacking a
	// centre likewise (一村(社区)一站, 一乡镇(街道)一中心).
	ProblemRuleAware Problem = "rule_aware"
)

// Problems lists the siting problems.
func Problems() []Problem {
	return []Problem{ProblemMaxCoverage, ProblemTargetCoverage, ProblemCapacitated, ProblemRuleAware}
}

// SizeOption is one size a new site may be built at, and what it costs.
type SizeOption struct {
	// FloorArea is the site's floor area, m².
	FloorArea float64 `json:"floor_area_m2"`
	// Cost is in the budget's unit (yuan, 万元 ...); the default menu
	// costs 1 per m², so the budget is floor area.
	Cost float64 `json:"cost"`
}

// Candidate is a place a new facility could go: an available building
// (闲置厂房, 公共用房, 商业用房 ...) or a generated network location.
type Candidate struct {
	// ID names the candidate; it becomes the suggested site's id.
	ID string
	// Name is the building's name or address, if known.
	Name string
	// Kind is what the building is (闲置厂房, 公共用房 ...); informational.
	Kind string
	// Location is WGS84 lon/lat.
	Location orb.Point
	// Type, when set, is the only facility type the site may take.
	Type planner.FacilityType
	// FloorArea is the building's floor area, m², when known; a site put
	// there gets this area (at most MaxFloorArea).
	FloorArea float64
	// MaxFloorArea is the most floor area the building can hold, m²;
	// 0 means no limit. Sizes above it are not offered, and a candidate
	// below the type's minimum floor area is left out.
	MaxFloorArea float64
	// Community is the code of the community the site belongs to; empty
	// means the one whose boundary holds it.
	Community string
}

// candidateJSON is a Candidate with flat lon/lat, as the API writes it.
type candidateJSON struct {
	ID           string               `json:"id,omitempty"`
	Name         string               `json:"name,omitempty"`
	Kind         string               `json:"kind,omitempty"`
	Lon          float64              `json:"lon"`
	Lat          float64              `json:"lat"`
	Type         planner.FacilityType `json:"type,omitempty"`
	FloorArea    float64              `json:"floor_area_m2,omitempty"`
	MaxFloorArea float64              `json:"max_floor_area_m2,omitempty"`
	Community    string               `json:"community_code,omitempty"`
}

// MarshalJSON writes the candidate with flat lon/lat fields.
func (c Candidate) MarshalJSON() ([]byte, error) {
	return json.Marshal(candidateJSON{c.ID, c.Name, c.Kind, c.Location[0], c.Location[1], c.Type, c.FloorArea, c.MaxFloorArea, c.Community})
}

// UnmarshalJSON reads what MarshalJSON writes; Optimize validates.
func (c *Candidate) UnmarshalJSON(b []byte) error {
	var j candidateJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*c = Candidate{ID: j.ID, Name: j.Name, Kind: j.Kind, Location: orb.Point{j.Lon, j.Lat}, Type: j.Type,
		FloorArea: j.FloorArea, MaxFloorArea: j.MaxFloorArea, Community: j.Community}
	return nil
}

// OptimizeRequest asks one siting question of an evaluation. Existing
// facilities stay as they are; only new sites are chosen.
type OptimizeRequest struct {
	// Problem is the question; empty means target_coverage when Target
	// is set, else max_coverage.
	Problem Problem `json:"problem,omitempty"`
	// Sites is the number of new sites (max_coverage, required), or an
	// upper limit on them (other problems; 0: none).
	Sites int `json:"sites,omitempty"`
	// Target is the share of elders 60+ to cover, in (0, 1]
	// (target_coverage only).
	Target float64 `json:"target,omitempty"`
	// Type is the facility type of the new sites; empty means
	// community_station. It must be a service-circle type. Rule-aware
	// siting chooses the types its rules need and ignores it.
	Type planner.FacilityType `json:"type,omitempty"`
	// FloorArea is the floor area of a new site, m², where its candidate
	// gives none; 0 means the type's minimum in the profile.
	FloorArea float64 `json:"floor_area_m2,omitempty"`
	// Menu lists the sizes a site may be built at (capacitated only);
	// empty means the profile's: a station at community_station.min_floor_m2
	// and day_care.min/max_floor_m2 (200/350/750 m²), a centre at
	// street_center.min_floor_m2 (1500 m²), each costing 1 per m².
	Menu []SizeOption `json:"menu,omitempty"`
	// Budget is what the new sites may cost in all (capacitated only).
	Budget float64 `json:"budget,omitempty"`
	// FloorPerElder is the floor area one elder 60+ needs, m², so a site
	// serves at most FloorArea / FloorPerElder elders (capacitated
	// only); 0 means the city's floor norm per elder: the floor area the
	// profile's per-household norms require of all communities, over
	// their elders 60+.
	FloorPerElder float64 `json:"floor_per_elder_m2,omitempty"`
	// Candidates are the places to choose from. Nil means candidates are
	// generated (see GenerateCandidates); an empty, non-nil list is an
	// error.
	Candidates []Candidate `json:"candidates,omitempty"`
	// CandidateRes is the H3 resolution of generated candidates; 0 means
	// DefaultCandidateRes.
	CandidateRes int `json:"candidate_res,omitempty"`
	// Seed breaks ties between equally good sites; the same request and
	// seed give the same answer.
	Seed uint64 `json:"seed,omitempty"`
	// NoLocalSearch stops after the greedy pass, skipping the swaps.
	NoLocalSearch bool `json:"no_local_search,omitempty"`
}

// SuggestedSite is one new site of an answer, in the order chosen.
type SuggestedSite struct {
	// ID is the candidate's id; generated candidates are "node-" and the
	// network node's id.
	ID   string               `json:"id"`
	Name string               `json:"name,omitempty"`
	Kind string               `json:"kind,omitempty"`
	Lon  float64              `json:"lon"`
	Lat  float64              `json:"lat"`
	Type planner.FacilityType `json:"type"`
	// FloorArea is the site's floor area, m².
	FloorArea float64 `json:"floor_area_m2"`
	// Cost is the size's cost (capacitated only).
	Cost float64 `json:"cost,omitempty"`
	// Community is the code of the community the site belongs to.
	Community string `json:"community_code"`
	// GainElders is the elders 60+ the site newly brings within their
	// service circle, given the sites before it: what the assessment's
	// elders_covered_15min rises by when it is added.
	GainElders float64 `json:"gain_elders"`
	// GainWeighted is the same with elders 80+ weighted by
	// priority.elder_80_weight (the objective of max_coverage).
	GainWeighted float64 `json:"gain_weighted"`
	// CoverageAfter is the city's coverage_15min with this site and those
	// before it.
	CoverageAfter float64 `json:"coverage_after"`
	// CapacityElders is how many elders 60+ its floor area serves
	// (capacitated only).
	CapacityElders float64 `json:"capacity_elders,omitempty"`
	// ServedElders and ServedWeighted are the newly covered elders it
	// serves within its capacity, given the sites before it (capacitated
	// only; the objective is the weighted sum).
	ServedElders   float64 `json:"served_elders,omitempty"`
	ServedWeighted float64 `json:"served_weighted,omitempty"`
	// Rule says which rule placed it (rule_aware only): community_station
	// or street_center, and RuleRegion the code of the community or street
	// it fills.
	Rule       string `json:"rule,omitempty"`
	RuleRegion string `json:"rule_region,omitempty"`
	// RegionGainElders is the elders 60+ of that region it newly covers
	// (rule_aware only).
	RegionGainElders float64 `json:"rule_region_gain_elders,omitempty"`
}

// CurvePoint is the coverage after the first Sites sites of an answer.
type CurvePoint struct {
	Sites    int     `json:"sites"`
	Coverage float64 `json:"coverage"`
	// GainElders is the elders 60+ newly covered by those sites.
	GainElders float64 `json:"gain_elders"`
	// Bound is a proven upper bound on the objective's gain with that many
	// sites (max_coverage and target_coverage; 0 where not computed).
	Bound float64 `json:"bound,omitempty"`
}

// UnmetRule is a community lacking a station, or a street lacking a
// centre, that rule-aware siting could not fill.
type UnmetRule struct {
	Level  planner.Level `json:"level"`
	Code   string        `json:"code"`
	Name   string        `json:"name"`
	Reason string        `json:"reason"`
}

// OptimizeStats says how much work an answer took.
type OptimizeStats struct {
	// Candidates is how many candidates were given or generated;
	// Generated says which.
	Candidates int  `json:"candidates"`
	Generated  bool `json:"generated"`
	// Excluded counts candidates left out: another type, too small for
	// the type, or (rule-aware) in no community or street the rules need.
	Excluded int `json:"excluded"`
	// Reaching counts candidates that reach an elder not yet covered.
	Reaching int `json:"reaching"`
	// UncoveredPoints is the demand points with elders outside every
	// service circle.
	UncoveredPoints int `json:"uncovered_points"`
	// Evaluations counts marginal-gain evaluations; Swaps the
	// improvements local search made.
	Evaluations int64 `json:"evaluations"`
	Swaps       int   `json:"swaps"`
	// CatchmentSeconds and Seconds are wall times: walking the candidates'
	// catchments, and everything.
	CatchmentSeconds float64 `json:"catchment_seconds"`
	Seconds          float64 `json:"seconds"`
}

// OptimizeResult is the answer to an OptimizeRequest.
type OptimizeResult struct {
	Problem Problem              `json:"problem"`
	Type    planner.FacilityType `json:"type,omitempty"`
	// Objective names what was maximised: "weighted_elders" (elders 60+,
	// 80+ weighted), "elders_60" (target_coverage) or
	// "served_weighted_elders" (capacitated: newly covered elders served
	// within capacity, weighted).
	Objective string `json:"objective"`
	// Sites are the suggestions in the order chosen: each one's gains
	// are given the sites before it.
	Sites []SuggestedSite `json:"sites"`
	// TotalGain is the elders 60+ the sites newly cover (Σ gain_elders);
	// TotalGainWeighted the same weighted.
	TotalGain         float64 `json:"total_gain_elders"`
	TotalGainWeighted float64 `json:"total_gain_weighted"`
	// TotalServed and TotalServedWeighted are Σ served (capacitated).
	TotalServed         float64 `json:"total_served_elders,omitempty"`
	TotalServedWeighted float64 `json:"total_served_weighted,omitempty"`
	// TotalCost and Budget (capacitated).
	TotalCost float64 `json:"total_cost,omitempty"`
	Budget    float64 `json:"budget,omitempty"`
	// FloorPerElder is the m² per elder capacities were computed with
	// (capacitated).
	FloorPerElder float64 `json:"floor_per_elder_m2,omitempty"`
	// Elders60 is the city's elders 60+; CoveredBefore those covered
	// before; CoverageBefore and CoverageAfter the city's coverage_15min
	// before and with all the sites.
	Elders60       float64 `json:"elders_60"`
	CoveredBefore  float64 `json:"elders_covered_before"`
	CoverageBefore float64 `json:"coverage_before"`
	CoverageAfter  float64 `json:"coverage_after"`
	// CoverageReachable is the most coverage any number of the candidates
	// could give.
	CoverageReachable float64 `json:"coverage_reachable"`
	// Value is the objective's gain achieved. Bound is a proven upper
	// bound on the gain of the best answer to the same question (same
	// number of sites, same budget, one per rule), so the answer is within
	// BoundGap = 1 − Value/Bound of the optimum.
	Value    float64 `json:"objective_value"`
	Bound    float64 `json:"bound"`
	BoundGap float64 `json:"bound_gap"`
	// Target, TargetReached and MinSitesBound (target_coverage):
	// MinSitesBound is a proven lower bound on the number of sites any
	// answer needs to reach the target.
	Target        float64 `json:"target,omitempty"`
	TargetReached *bool   `json:"target_reached,omitempty"`
	MinSitesBound int     `json:"min_sites_bound,omitempty"`
	// Curve is the coverage after the first k sites, k = 0 … len(Sites).
	Curve []CurvePoint `json:"curve"`
	// Unmet lists rules rule-aware siting could not satisfy.
	Unmet []UnmetRule `json:"unmet,omitempty"`
	// Notes say what a reader should know: fewer sites than asked, a
	// target out of reach.
	Notes []Note        `json:"notes,omitempty"`
	Stats OptimizeStats `json:"stats"`
}

// Note is something a reader of an answer should know: in words, and as a
// code with the numbers it speaks of, for a program to act on or to say
// in another language.
type Note struct {
	// Code is one of the Note* constants.
	Code string `json:"code"`
	// Text says it in English.
	Text string `json:"text"`
	// Values are the note's numbers by name (see the Note* constants).
	Values map[string]float64 `json:"values,omitempty"`
}

// Note codes, with the Values each carries.
const (
	NoteFewerSites        = "fewer_sites"        // useful, asked: fewer sites add coverage than asked for
	NoteTargetMet         = "target_met"         // coverage, target: coverage is already at the target
	NoteTargetUnreachable = "target_unreachable" // target, reachable: no number of candidates reaches it
	NoteTargetLimit       = "target_limit"       // target, limit, coverage, need: the site limit stops short
	NoteRulesMet          = "rules_met"          // every unit has its station or centre already
	NoteNoneAffordable    = "none_affordable"    // no affordable site covers anyone new
)

// Facilities returns the suggested sites as proposed facilities, ready to
// add to a scenario: id, name and place from the site, the minimum beds of
// its type's level in profile p.
func (r *OptimizeResult) Facilities(p *planner.StandardsProfile) []planner.Facility {
	out := make([]planner.Facility, len(r.Sites))
	for i, s := range r.Sites {
		name := s.Name
		if name == "" {
			name = fmt.Sprintf("拟建%s %d", s.Type.Label().ZH, i+1)
		}
		out[i] = planner.Facility{ID: s.ID, Name: name, Type: s.Type, Status: planner.Proposed, Location: orb.Point{s.Lon, s.Lat},
			FloorArea: s.FloorArea, Beds: minBeds(p, s.Type), Community: s.Community}
	}
	return out
}

// minFloor is the minimum floor area of a facility type's level, m².
func minFloor(p *planner.StandardsProfile, t planner.FacilityType) float64 {
	switch {
	case planner.HasType(p.StreetCenter.FacilityTypes, t):
		return p.StreetCenter.MinFloor.Value
	case planner.HasType(p.CommunityStation.FacilityTypes, t):
		return p.CommunityStation.MinFloor.Value
	case t == planner.DayCare:
		return p.DayCare.MinFloor.Value
	}
	return 0
}

// minBeds is the minimum beds of a facility type's level.
func minBeds(p *planner.StandardsProfile, t planner.FacilityType) float64 {
	switch {
	case planner.HasType(p.StreetCenter.FacilityTypes, t):
		return p.StreetCenter.MinBeds.Value
	case planner.HasType(p.CommunityStation.FacilityTypes, t):
		return p.CommunityStation.MinBeds.Value
	}
	return 0
}

// DefaultMenu is the profile's sizes for a new site of type t, each
// costing 1 per m²: a station at community_station.min_floor_m2 and
// day_care.min/max_floor_m2 (200/350/750 m²), a centre at
// street_center.min_floor_m2 (1500 m²), a day-care centre at day_care's
// range.
func DefaultMenu(p *planner.StandardsProfile, t planner.FacilityType) []SizeOption {
	var sizes []float64
	switch {
	case planner.HasType(p.StreetCenter.FacilityTypes, t):
		sizes = []float64{p.StreetCenter.MinFloor.Value}
	case planner.HasType(p.CommunityStation.FacilityTypes, t):
		sizes = []float64{p.CommunityStation.MinFloor.Value, p.DayCare.MinFloor.Value, p.DayCare.MaxFloor.Value}
	case t == planner.DayCare:
		sizes = []float64{p.DayCare.MinFloor.Value, p.DayCare.MaxFloor.Value}
	}
	var menu []SizeOption
	for _, a := range sizes {
		if a > 0 && (len(menu) == 0 || a > menu[len(menu)-1].FloorArea) {
			menu = append(menu, SizeOption{FloorArea: a, Cost: a})
		}
	}
	if len(menu) == 0 {
		menu = []SizeOption{{FloorArea: 200, Cost: 200}}
	}
	return menu
}

// Optimize answers a siting question on the evaluation: which new sites
// to add to it. It reads e and never changes it; e must not be edited
// while it runs. progress, when not nil, is called from the calling
// goroutine with the work done and the work known so far (total may grow,
// e.g. while a target is not yet reached); it should return quickly. ctx
// cancels the run, which then returns ctx.Err().
//
// Bad requests get an error naming the field and what was expected: no
// sites, a target above 1, an empty candidate list, a candidate off the
// city's walking network, a budget below the cheapest size.
func Optimize(ctx context.Context, e *planner.Evaluation, req OptimizeRequest, progress func(done, total int)) (*OptimizeResult, error) {
	start := time.Now()
	if progress == nil {
		progress = func(int, int) {}
	}
	req, err := checkRequest(e.Model(), req)
	if err != nil {
		return nil, err
	}
	in, err := newOptInstance(ctx, e, req, progress)
	if err != nil {
		return nil, err
	}
	var res *OptimizeResult
	switch req.Problem {
	case ProblemMaxCoverage:
		res, err = in.maxCoverage(ctx)
	case ProblemTargetCoverage:
		res, err = in.targetCoverage(ctx)
	case ProblemCapacitated:
		res, err = in.capacitated(ctx)
	case ProblemRuleAware:
		res, err = in.ruleAware(ctx)
	}
	if err != nil {
		return nil, err
	}
	in.stats.Seconds = time.Since(start).Seconds()
	res.Stats = in.stats
	if res.Bound > 0 {
		res.BoundGap = max(0, 1-res.Value/res.Bound)
	}
	progress(in.progressTotal, in.progressTotal)
	return res, nil
}

// Validate checks what can be checked of a request without the city: the
// problem, the number of sites, the target, the floor areas, the menu and
// budget, the candidate list and resolution. It fills in the problem when
// empty. Optimize checks the rest (the type against the profile, the
// budget against the cheapest size, each candidate against the network).
func (r *OptimizeRequest) Validate() error {
	bad := func(format string, args ...any) error { return &RequestError{fmt.Errorf("optimize: "+format, args...)} }
	if r.Problem == "" {
		r.Problem = ProblemMaxCoverage
		if r.Target != 0 {
			r.Problem = ProblemTargetCoverage
		}
	}
	known := false
	for _, pr := range Problems() {
		known = known || pr == r.Problem
	}
	if !known {
		return bad("problem %q: want one of %s", r.Problem, planner.JoinCodes(Problems()))
	}
	switch {
	case r.Problem == ProblemMaxCoverage && r.Sites <= 0:
		return bad("sites %d: want the number of new sites to choose, at least 1", r.Sites)
	case r.Sites < 0:
		return bad("sites %d: want a limit on the number of new sites, at least 1 (or 0 for none)", r.Sites)
	}
	if r.Problem == ProblemTargetCoverage {
		if !(r.Target > 0 && r.Target <= 1) {
			return bad("target %v: want the share of elders 60+ to cover, above 0 and at most 1 (e.g. 0.9)", r.Target)
		}
	} else if r.Target != 0 {
		return bad("target %v: a target is for target_coverage, not %s", r.Target, r.Problem)
	}
	if r.Type != "" && !r.Type.Valid() {
		return bad("type %q: want one of %s", r.Type, planner.JoinCodes(planner.ElderCareTypes()))
	}
	if !(r.FloorArea >= 0) || math.IsInf(r.FloorArea, 0) {
		return bad("floor_area_m2 %v: want a floor area ≥ 0 (0: the type's minimum)", r.FloorArea)
	}
	if err := planner.FloorAreaRange().Check(r.FloorArea); err != nil {
		return bad("floor_area_m2: %v", err)
	}
	if !(r.FloorPerElder >= 0) || math.IsInf(r.FloorPerElder, 0) {
		return bad("floor_per_elder_m2 %v: want m² per elder ≥ 0 (0: from the profile)", r.FloorPerElder)
	}
	if r.Problem == ProblemCapacitated {
		for i, o := range r.Menu {
			if !(o.FloorArea > 0) || math.IsInf(o.FloorArea, 0) {
				return bad("menu[%d]: floor_area_m2 %v: want a floor area > 0", i, o.FloorArea)
			}
			if err := planner.FloorAreaRange().Check(o.FloorArea); err != nil {
				return bad("menu[%d]: floor_area_m2: %v", i, err)
			}
			if !(o.Cost > 0) || math.IsInf(o.Cost, 0) {
				return bad("menu[%d]: cost %v: want a cost > 0", i, o.Cost)
			}
		}
		if !(r.Budget > 0) || math.IsInf(r.Budget, 0) {
			return bad("budget %v: want what the new sites may cost in all, > 0", r.Budget)
		}
	} else {
		if len(r.Menu) > 0 {
			return bad("menu: sizes and costs are for the capacitated problem, not %s", r.Problem)
		}
		if r.Budget != 0 {
			return bad("budget %v: a budget is for the capacitated problem, not %s", r.Budget, r.Problem)
		}
	}
	if r.Candidates != nil && len(r.Candidates) == 0 {
		return bad("candidates: the list is empty; give candidate sites, or none at all to generate them from the network")
	}
	for i := range r.Candidates {
		if err := r.Candidates[i].CheckNumbers(); err != nil {
			return bad("candidates[%d]: %v", i, err)
		}
	}
	if r.CandidateRes != 0 && (r.CandidateRes < 6 || r.CandidateRes > 12) {
		return bad("candidate_res %d: want an H3 resolution from 6 to 12 (9: ≈0.1 km² cells, 10: ≈0.015 km²)", r.CandidateRes)
	}
	return nil
}

// checkRequest validates a request against the model's profile and fills
// in its defaults.
func checkRequest(m *planner.Model, r OptimizeRequest) (OptimizeRequest, error) {
	p := m.Profile
	if err := r.Validate(); err != nil {
		return r, err
	}
	if r.Problem == ProblemRuleAware {
		r.Type = ""
	} else {
		if r.Type == "" {
			r.Type = planner.CommunityStation
		}
		if !planner.HasType(p.ServiceCircle.FacilityTypes, r.Type) {
			return r, &RequestError{fmt.Errorf("optimize: type %s: profile %s does not count it towards the service circle (service_circle.facility_types: %s), so a new one would cover no one",
				r.Type, p.Name, planner.JoinCodes(p.ServiceCircle.FacilityTypes))}
		}
	}
	if r.Problem == ProblemCapacitated {
		if len(r.Menu) == 0 {
			r.Menu = DefaultMenu(p, r.Type)
		}
		cheapest := r.Menu[0]
		for _, o := range r.Menu {
			if o.Cost < cheapest.Cost {
				cheapest = o
			}
		}
		if r.Budget < cheapest.Cost {
			return r, &RequestError{fmt.Errorf("optimize: budget %g is less than the cheapest site (%g m² for %g): no site can be built", r.Budget, cheapest.FloorArea, cheapest.Cost)}
		}
	}
	if r.CandidateRes == 0 {
		r.CandidateRes = DefaultCandidateRes
	}
	return r, nil
}

// candidateError lists the candidates that cannot be used.
type candidateError struct {
	problems []string
	more     int
}

func (e *candidateError) Error() string {
	if len(e.problems) == 1 && e.more == 0 {
		return "optimize: " + e.problems[0]
	}
	var b strings.Builder
	fmt.Fprintf(&b, "optimize: %d candidates cannot be used:", len(e.problems)+e.more)
	for _, p := range e.problems {
		b.WriteString("\n  " + p)
	}
	if e.more > 0 {
		fmt.Fprintf(&b, "\n  ... and %d more", e.more)
	}
	return b.String()
}

// errNoElders is returned when the city has no elders to cover.
var errNoElders = &RequestError{errors.New("optimize: the city has no elders 60+ to cover")}

// RequestError is a siting question that cannot be answered as asked: a
// field out of range, a candidate off the walking network, a city with no
// elders. Optimize's other errors are the run's own (cancelled, failed);
// a server answers a RequestError with 4xx, the others with 5xx.
type RequestError struct{ Err error }

func (e *RequestError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *RequestError) Unwrap() error { return e.Err }
