package planner

// Summary is the indicators of every region of an evaluation: Regions is
// aligned with City.Regions; City is the whole city.
type Summary struct {
	Regions []Indicators
	City    Indicators
}

// Summary returns the indicators of every region. The community sums are
// kept between calls and only the communities an edit touched are
// recomputed; streets, districts and the city are re-added from them,
// which costs a few microseconds per thousand communities.
func (e *Evaluation) Summary() *Summary {
	m := e.m
	rs := m.City.Regions
	if e.tallies == nil {
		e.tallies = make([]Indicators, len(rs))
		byComm := e.facilitiesByCommunity()
		for c := range rs {
			if rs[c].Level == LevelCommunity {
				e.tallies[c] = e.communityTally(int32(c), byComm[c])
			}
		}
		e.unplaced = e.unplacedTally()
		clear(e.touched)
	} else if len(e.touched) > 0 {
		touched := e.TakeTouched()
		byComm := map[int32][]int{}
		for i, c := range e.comm {
			byComm[c] = append(byComm[c], i)
		}
		for _, c := range touched {
			e.tallies[c] = e.communityTally(c, byComm[c])
		}
		e.unplaced = e.unplacedTally()
	}

	s := &Summary{Regions: make([]Indicators, len(rs))}
	copy(s.Regions, e.tallies)
	p := m.Profile
	// Children follow their parents, so walking backwards sums every child
	// into its parent before the parent is finished and passed up.
	for i := len(rs) - 1; i >= 0; i-- {
		in := &s.Regions[i]
		if rs[i].Level == LevelStreet {
			in.Streets = 1
			if in.Centres >= p.StreetCenter.PerUnit.Value {
				in.WithCentre = 1
			}
		}
		if par := m.regions.parent[i]; par >= 0 {
			s.Regions[par].add(in)
		} else {
			s.City.add(in)
		}
		in.derive(p)
	}
	s.City.add(&e.unplaced)
	s.City.derive(p)
	return s
}

// facilitiesByCommunity lists the facilities placed in each community.
func (e *Evaluation) facilitiesByCommunity() [][]int {
	by := make([][]int, len(e.m.City.Regions))
	for i, c := range e.comm {
		if c >= 0 {
			by[c] = append(by[c], i)
		}
	}
	return by
}

// unplacedTally is the supply of facilities that fall in no community:
// they count for the city only.
func (e *Evaluation) unplacedTally() Indicators {
	var in Indicators
	for i, c := range e.comm {
		if c < 0 && e.Facilities[i].Type != Health {
			in.addFacility(e.m.Profile, &e.Facilities[i])
		}
	}
	return in
}
