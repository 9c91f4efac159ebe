package planner

import (
	"fmt"

	"github.com/paulmach/orb"
)

// Scope returns the assessment of one region of the city: the region with
// its descendants, the facilities placed in them and the gaps filed
// against them, ranked afresh from 1. The scoped totals (City.Indicators)
// are that region's indicators and City.Bound its boundary's extent (or
// that of its descendants when it has none); City.Name stays the city's
// name. regions is the city's region list, for the boundaries. An empty
// code returns a itself; a code the assessment does not hold is an error
// naming it. Scope never changes a, and scoping a scoped assessment again
// by the same code returns the same figures.
//
// Facilities placed in no community and gaps judged for the whole city
// (a city without districts) belong to no region and are left out.
// DemandOffNetwork and DemandDetached stay the city's counts; the scoped
// region's own figures are its indicators' elders_off_network and
// elders_on_detached_walkways.
func (a *Assessment) Scope(code string, regions []Region) (*Assessment, error) {
	if code == "" {
		return a, nil
	}
	at := -1
	for i := range a.Regions {
		if a.Regions[i].Code == code {
			at = i
			break
		}
	}
	if at < 0 {
		hint := ""
		for _, r := range a.Regions {
			if r.Level == LevelDistrict || r.Level == LevelStreet {
				hint = fmt.Sprintf(" (e.g. %s %s)", r.Code, r.Name)
				break
			}
		}
		return nil, fmt.Errorf("region %q: %s has no region with this code; want the code of one of its districts, streets or communities%s", code, a.City.Name, hint)
	}
	// Parents come before their children, so one pass collects every
	// descendant.
	keep := map[string]bool{code: true}
	s := *a
	s.Regions = nil
	for i := at; i < len(a.Regions); i++ {
		r := a.Regions[i]
		if i == at || keep[r.Parent] {
			keep[r.Code] = true
			s.Regions = append(s.Regions, r)
		}
	}
	top := a.Regions[at]
	s.City = CityResult{Name: a.City.Name, Bound: a.City.Bound, Indicators: top.Indicators}
	if b, ok := scopeBound(code, keep, regions); ok {
		s.City.Bound = [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}
	}
	s.Facilities = nil
	for _, f := range a.Facilities {
		if f.Community != "" && keep[f.Community] {
			s.Facilities = append(s.Facilities, f)
		}
	}
	s.Gaps = nil
	for _, g := range a.Gaps {
		if g.Region != "" && keep[g.Region] {
			g.Rank = len(s.Gaps) + 1
			s.Gaps = append(s.Gaps, g)
		}
	}
	return &s, nil
}

// ScopeRegion returns the region an assessment scoped by code covers, as
// the assessment holds it, and whether it holds it.
func (a *Assessment) ScopeRegion(code string) (RegionResult, bool) {
	for _, r := range a.Regions {
		if r.Code == code {
			return r, true
		}
	}
	return RegionResult{}, false
}

// scopeBound is the extent of region code's boundary, or when it has no
// polygon, of the polygons of the regions kept with it.
func scopeBound(code string, keep map[string]bool, regions []Region) (orb.Bound, bool) {
	var b orb.Bound
	found := false
	for _, r := range regions {
		if r.Code == code && isArea(r.Boundary) {
			return r.Boundary.Bound(), true
		}
	}
	for _, r := range regions {
		if keep[r.Code] && isArea(r.Boundary) {
			if !found {
				b, found = r.Boundary.Bound(), true
			} else {
				b = b.Union(r.Boundary.Bound())
			}
		}
	}
	return b, found
}

// isArea reports whether g is a polygon or multipolygon.
func isArea(g orb.Geometry) bool {
	switch g.(type) {
	case orb.Polygon, orb.MultiPolygon:
		return true
	}
	return false
}
