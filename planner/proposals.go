package planner

import "fmt"

// ProposalEffect is what one edit of a scenario brings to the city, judged
// as if it were the last edit made: the scenario with the edit against
// the scenario with it undone (an added facility taken out, a changed one
// put back as the baseline has it, a closed one reopened). Effects of
// several edits need not add up to the scenario's whole effect: two
// proposed stations serving the same elders each add little "last".
// Changes are city-wide and positive when the scenario has more (for
// FloorGap, a positive change is a larger gap).
type ProposalEffect struct {
	// Op is the edit: add, change or close.
	Op EditOp `json:"op"`
	// Facility is the facility as the scenario has it; for a closed one,
	// as the baseline has it.
	Facility Facility `json:"facility"`
	// Community is the code of the community the facility is placed in,
	// "" when it is in none.
	Community string `json:"community_code,omitempty"`
	// Elders15 is the elders 60+ within their own service circle of the
	// facility (urban or rural, by their community).
	Elders15 float64 `json:"elders_15min"`
	// EldersCovered is the change in elders 60+ served within their
	// community's circle (the 15-minute circle in towns).
	EldersCovered float64 `json:"elders_covered_15min"`
	// Elders80Covered is the same for elders 80+.
	Elders80Covered float64 `json:"elders80_covered_15min"`
	// Coverage15 is the change in the city's 15-minute coverage share.
	Coverage15 float64 `json:"coverage_15min"`
	// FloorProvided and FloorGap are the changes in community elder-care
	// floor area and in the summed community floor gaps, m².
	FloorProvided float64 `json:"floor_provided_m2"`
	FloorGap      float64 `json:"floor_gap_m2"`
	// Beds is the change in beds counted against the bed norm.
	Beds float64 `json:"beds"`
	// CommunitiesWithStation is the change in communities meeting the
	// one-station-per-community rule.
	CommunitiesWithStation float64 `json:"communities_with_station"`
	// StreetsWithCenter is the change in streets meeting the
	// one-centre-per-street rule.
	StreetsWithCenter float64 `json:"streets_with_center"`
}

// ProposalEffects returns the effect of every edit of sc on top of base
// (the baseline evaluation, left untouched): its added facilities first,
// then the changed and the closed ones, each in the scenario's order. It
// fails, naming the scenario and facility, when an edit no longer fits
// the baseline. A scenario with no edits has no effects.
func ProposalEffects(base *Evaluation, sc *Scenario) ([]ProposalEffect, error) {
	if sc == nil || len(sc.Added)+len(sc.Changed)+len(sc.Closed) == 0 {
		return nil, nil
	}
	full, err := sc.Apply(base)
	if err != nil {
		return nil, err
	}
	with := full.Summary().City // caches the community sums that clones copy
	m := full.m
	effect := func(op EditOp, f Facility, undo func(e *Evaluation) error, from *Evaluation) (ProposalEffect, error) {
		e := full.Clone()
		if err := undo(e); err != nil {
			return ProposalEffect{}, fmt.Errorf("scenario %s, facility %q (%s): %w", sc.ID, f.ID, op, err)
		}
		without := e.Summary().City
		i := from.Index(f.ID)
		pe := ProposalEffect{Op: op, Facility: f,
			EldersCovered:          with.EldersCovered15 - without.EldersCovered15,
			Elders80Covered:        with.Elders80Covered - without.Elders80Covered,
			Coverage15:             with.Coverage15 - without.Coverage15,
			FloorProvided:          with.FloorProvided - without.FloorProvided,
			FloorGap:               with.FloorGap - without.FloorGap,
			Beds:                   with.Beds - without.Beds,
			CommunitiesWithStation: with.WithStation - without.WithStation,
			StreetsWithCenter:      with.WithCentre - without.WithCentre,
		}
		if i >= 0 {
			if c := from.comm[i]; c >= 0 {
				pe.Community = m.City.Regions[c].Code
			} else {
				pe.Community = f.Community
			}
			pe.Elders15 = m.eldersInCircle(from.sites[i].catch)
		}
		return pe, nil
	}
	baseFacility := func(id string) (Facility, error) {
		i := base.Index(id)
		if i < 0 {
			return Facility{}, fmt.Errorf("scenario %s: facility %q is not in the baseline", sc.ID, id)
		}
		return base.Facilities[i], nil
	}
	var out []ProposalEffect
	for _, f := range sc.Added {
		pe, err := effect(OpAdd, f, func(e *Evaluation) error {
			i := e.Index(f.ID)
			if i < 0 {
				return fmt.Errorf("not in the scenario's evaluation")
			}
			e.Remove(i)
			return nil
		}, full)
		if err != nil {
			return nil, err
		}
		out = append(out, pe)
	}
	for _, f := range sc.Changed {
		orig, err := baseFacility(f.ID)
		if err != nil {
			return nil, err
		}
		pe, err := effect(OpChange, f, func(e *Evaluation) error {
			i := e.Index(f.ID)
			if i < 0 {
				return fmt.Errorf("not in the scenario's evaluation")
			}
			return e.Replace(i, orig)
		}, full)
		if err != nil {
			return nil, err
		}
		out = append(out, pe)
	}
	for _, id := range sc.Closed {
		orig, err := baseFacility(id)
		if err != nil {
			return nil, err
		}
		pe, err := effect(OpClose, orig, func(e *Evaluation) error { return e.Add(orig) }, base)
		if err != nil {
			return nil, err
		}
		out = append(out, pe)
	}
	return out, nil
}
