package planner

// supplies reports whether a facility serves elders in a judgement: its
// status counts as supply under the profile, or it is proposed. A proposed
// facility is judged as if built, since that is what a scenario asks.
func (p *StandardsProfile) supplies(f *Facility) bool {
	return p.CountsAsSupply(f.Status) || f.Status == Proposed
}

// undersized reports whether a supplying facility is below the minimum
// size of its level, and by how much of the minimum (0..1).
func (p *StandardsProfile) undersized(f *Facility) (bool, float64) {
	var norm *UnitNorm
	switch {
	case HasType(p.StreetCenter.FacilityTypes, f.Type):
		norm = &p.StreetCenter
	case HasType(p.CommunityStation.FacilityTypes, f.Type):
		norm = &p.CommunityStation
	default:
		return false, 0
	}
	short := 0.0
	if m := norm.MinFloor.Value; m > 0 && f.FloorArea < m {
		short = max(short, 1-f.FloorArea/m)
	}
	if m := norm.MinBeds.Value; m > 0 && f.Beds < m {
		short = max(short, 1-f.Beds/m)
	}
	return short > 0, short
}

// communityTally is the community-level sums of an evaluation: population
// and coverage from the community's demand points, supply from the
// facilities placed in it.
func (e *Evaluation) communityTally(c int32, facilities []int) Indicators {
	m, p := e.m, e.m.Profile
	reg := &m.City.Regions[c]
	in := Indicators{
		Residents:  reg.Residents,
		Households: reg.Households,
		Elders60:   reg.Elders60,
		Elders80:   reg.Elders80,
	}
	households := reg.Households
	if households <= 0 {
		households = p.Households(reg.Residents)
	}
	in.LandRequired = p.LandRequired(reg.Residents)
	in.FloorRequired = p.FloorRequired(households, reg.Age)
	in.EldersUnsnapped = m.lost[c].Elders60
	in.EldersDetached = m.detached[c].Elders60

	bands := p.Bands()
	circle := m.CircleSeconds(reg.AreaType)
	for _, k := range m.pointsOf[c] {
		d := m.DemandPoint(k)
		t := e.ServedSeconds(k)
		if t <= bands[0]*60 {
			in.EldersCovered5 += d.Elders60
		}
		if t <= bands[1]*60 {
			in.EldersCovered10 += d.Elders60
		}
		if t <= circle {
			in.EldersCovered15 += d.Elders60
			in.Elders80Covered += d.Elders80
		} else if m.City.Network.EdgePiece(m.Demand.Snap(k).Edge) != 0 {
			in.detachedUncovered += d.Elders60
		}
		w := p.DemandWeight(d.Elders60, d.Elders80)
		in.accessWeightSum += w * e.access[k]
		in.accessWeightMass += w
	}

	in.Communities = 1
	dayCare := 0
	for _, i := range facilities {
		f := &e.Facilities[i]
		if f.Type == Health {
			continue
		}
		in.addFacility(p, f)
		if p.supplies(f) && HasType(p.Coverage.FacilityTypes, f.Type) {
			dayCare++
		}
	}
	if in.Stations >= p.CommunityStation.PerUnit.Value {
		in.WithStation = 1
	}
	if dayCare > 0 {
		in.WithDayCare = 1
	}
	in.floorGapSum = max(0, in.FloorRequired-in.FloorProvided)
	return in
}

// addFacility adds one elder-care facility's supply and counts.
func (in *Indicators) addFacility(p *StandardsProfile, f *Facility) {
	switch f.Status {
	case Operating:
		in.Operating++
	case Idle:
		in.Idle++
	case Proposed:
		in.Proposed++
	default:
		in.NotOpen++
	}
	if !p.supplies(f) {
		return
	}
	if HasType(p.Area.FacilityTypes, f.Type) {
		in.FloorProvided += f.FloorArea
		if f.LandArea > 0 {
			in.LandProvided += f.LandArea
		} else {
			in.LandProvided += f.FloorArea
			in.LandEstimated++
		}
	}
	if HasType(p.Beds.FacilityTypes, f.Type) {
		in.Beds += f.Beds
	}
	if HasType(p.Beds.NursingFacilityTypes, f.Type) {
		in.nursingBase += f.Beds
		in.NursingBeds += f.NursingBeds
	}
	if HasType(p.StreetCenter.FacilityTypes, f.Type) {
		in.Centres++
	}
	if HasType(p.CommunityStation.FacilityTypes, f.Type) {
		in.Stations++
	}
	if u, _ := p.undersized(f); u {
		in.Undersized++
	}
}
