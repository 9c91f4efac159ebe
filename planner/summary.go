package planner

import "slices"

// summaryPage is how many regions share one page of a Summary. An edit
// touches a handful of communities and their ancestors, so a new summary
// copies a few pages of 32 × 368 B instead of every region of the city.
const summaryPage = 32

// Summary is the indicators of every region of an evaluation, aligned with
// City.Regions, and of the whole city. It is immutable once returned:
// successive summaries of one evaluation (and of its clones) share the
// pages of regions an edit did not touch, so making one after an edit
// costs in proportion to the regions it touched, not to the city.
type Summary struct {
	pages [][]Indicators // pages[i/summaryPage][i%summaryPage]; never written once shared
	n     int
	City  Indicators
}

// Len is the number of regions.
func (s *Summary) Len() int { return s.n }

// Region returns the indicators of region i (aligned with City.Regions).
// The pointer is to the summary's own, shared storage: read, never write.
func (s *Summary) Region(i int) *Indicators {
	return &s.pages[i/summaryPage][i%summaryPage]
}

// Regions returns a copy of every region's indicators, aligned with
// City.Regions: for callers that want them all (a full report).
func (s *Summary) Regions() []Indicators {
	out := make([]Indicators, 0, s.n)
	for _, p := range s.pages {
		out = append(out, p...)
	}
	return out
}

// Changed calls fn, in region order, for each region whose indicators in
// s may differ from those in before, skipping pages the two share: for
// summaries of one evaluation (or of clones of one), that costs in
// proportion to the regions edited in between. Regions are compared by
// value, so fn sees only real changes. Both must have the same regions.
func (s *Summary) Changed(before *Summary, fn func(i int)) {
	for pg := range s.pages {
		a, b := s.pages[pg], before.pages[pg]
		if &a[0] == &b[0] {
			continue
		}
		for k := range a {
			if a[k] != b[k] {
				fn(pg*summaryPage + k)
			}
		}
	}
}

// Summary returns the indicators of every region. Only the communities an
// edit touched are recomputed, and their streets and districts re-added
// from their children; the city is re-added from the top regions. The
// first call builds every region the same way, so an incremental summary
// is the same, bit for bit, as one built from scratch.
func (e *Evaluation) Summary() *Summary {
	if e.sum != nil && len(e.touched) == 0 && !e.unplacedChanged {
		return e.sum
	}
	m := e.m
	rs := m.City.Regions
	var dirty []int32 // regions to recompute, children before parents
	if e.sum == nil {
		dirty = make([]int32, len(rs))
		for i := range dirty {
			dirty[i] = int32(len(rs) - 1 - i)
		}
		clear(e.touched)
	} else {
		seen := map[int32]bool{}
		for _, c := range e.TakeTouched() {
			for r := c; r >= 0 && !seen[r]; r = m.regions.parent[r] {
				seen[r] = true
				dirty = append(dirty, r)
			}
		}
		// Parents come before children in City.Regions, so descending
		// order finishes every child before its parent is summed.
		slices.SortFunc(dirty, func(a, b int32) int { return int(b - a) })
	}
	s := e.nextSummary(dirty)
	e.fill(s, dirty)
	e.unplaced, e.unplacedChanged = e.unplacedTally(), false
	p := m.Profile
	// The city sums the top regions in descending order, as a parent sums
	// its children.
	for _, r := range slices.Backward(m.regions.roots) {
		s.City.add(s.Region(int(r)))
	}
	s.City.add(&e.unplaced)
	s.City.derive(p)
	e.sum = s
	return s
}

// nextSummary is a new summary sharing the pages of the current one that
// hold none of the dirty regions; pages holding dirty regions are copies.
func (e *Evaluation) nextSummary(dirty []int32) *Summary {
	n := len(e.m.City.Regions)
	s := &Summary{n: n}
	if e.sum == nil {
		all := make([]Indicators, n)
		for lo := 0; lo < n; lo += summaryPage {
			s.pages = append(s.pages, all[lo:min(n, lo+summaryPage):min(n, lo+summaryPage)])
		}
		return s
	}
	s.pages = slices.Clone(e.sum.pages)
	copied := map[int32]bool{}
	for _, r := range dirty {
		pg := r / summaryPage
		if !copied[pg] {
			copied[pg] = true
			s.pages[pg] = slices.Clone(s.pages[pg])
		}
	}
	return s
}

// fill recomputes the dirty regions of s, children before parents: a
// community from its demand points and facilities, any other region as
// the sum of its children.
func (e *Evaluation) fill(s *Summary, dirty []int32) {
	m, p := e.m, e.m.Profile
	rs := m.City.Regions
	facilities := e.facilitiesIn(dirty)
	for _, r := range dirty {
		in := s.Region(int(r))
		if rs[r].Level == LevelCommunity {
			*in = e.communityTally(r, facilities[r])
		} else {
			*in = Indicators{}
		}
		for _, c := range slices.Backward(m.regions.children[r]) {
			in.add(s.Region(int(c)))
		}
		if rs[r].Level == LevelStreet {
			in.Streets = 1
			if in.Centres >= p.StreetCenter.PerUnit.Value {
				in.WithCentre = 1
			}
		}
		in.derive(p)
	}
}

// facilitiesIn lists the facilities placed in each of the given
// communities (other regions are ignored), in facility order.
func (e *Evaluation) facilitiesIn(regions []int32) map[int32][]int {
	rs := e.m.City.Regions
	want := make([]bool, len(rs))
	for _, r := range regions {
		want[r] = rs[r].Level == LevelCommunity
	}
	by := map[int32][]int{}
	for i, c := range e.comm {
		if c >= 0 && want[c] {
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
