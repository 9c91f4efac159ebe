package planner

import (
	"cmp"
	"math"
	"slices"

	"github.com/carecircle/carecircle/geo"
	"github.com/paulmach/orb"
)

// ServiceArea is the ground an elder covers walking from loc for the given
// seconds, at the profile's speed and steps factor (H3 resolution res).
func (m *Model) ServiceArea(loc orb.Point, seconds float64, res int) (geo.ServiceArea, geo.Snap, error) {
	snap, err := m.Edges.Snap(loc, m.SnapLimit())
	if err != nil {
		return geo.ServiceArea{}, geo.Snap{}, err
	}
	s := m.search()
	defer m.release(s)
	area, err := s.ServiceArea(snap, seconds, res)
	return area, snap, err
}

// NearestFacility is a facility and the walk to it.
type NearestFacility struct {
	Facility Facility `json:"facility"`
	Minutes  float64  `json:"minutes"`
}

// Nearest lists the supplying facilities of type t (any elder-care type
// when t is empty) nearest to loc by walking time, at most limit of them
// and none farther than maxSeconds: the "就近派单" question of which
// facility should serve a given home.
func (e *Evaluation) Nearest(loc orb.Point, t FacilityType, limit int, maxSeconds float64) ([]NearestFacility, error) {
	m := e.m
	from, err := m.Edges.Snap(loc, m.SnapLimit())
	if err != nil {
		return nil, err
	}
	s := m.search()
	defer m.release(s)
	seeds := m.Router.Seeds(from)
	s.Run(seeds[:], maxSeconds)
	var out []NearestFacility
	for i := range e.Facilities {
		f := &e.Facilities[i]
		if !m.Profile.supplies(f) || (t == "" && f.Type == Health) || (t != "" && f.Type != t) {
			continue
		}
		snap := e.sites[i].snap
		sec := math.Min(s.SecondsTo(snap), m.Router.Direct(from, snap))
		if sec <= maxSeconds {
			out = append(out, NearestFacility{Facility: *f, Minutes: sec / 60})
		}
	}
	slices.SortFunc(out, func(a, b NearestFacility) int { return cmp.Compare(a.Minutes, b.Minutes) })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}
