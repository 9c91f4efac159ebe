package planner

import (
	"github.com/paulmach/orb"

	"github.com/carecircle/carecircle/geo"
)

// This file is what the siting optimiser (package planner/siting) reads
// from a model and an evaluation beyond their exported fields: the rows
// behind snapped demand points, the region tree, facility communities and
// pooled search workers. It adds no behaviour.

// DemandRow returns the row of City.Demand behind snapped demand point k.
func (m *Model) DemandRow(k int32) int32 { return m.demandIndex[k] }

// RegionIndex returns the index in City.Regions of the region with code,
// and whether there is one.
func (m *Model) RegionIndex(code string) (int32, bool) {
	i, ok := m.regions.byCode[code]
	return i, ok
}

// Ancestor returns the index of region i's ancestor at level l (i itself
// when it is at l), or -1 when it has none.
func (m *Model) Ancestor(i int32, l Level) int32 { return m.regions.ancestor(m.City.Regions, i, l) }

// CommunityOf returns the index of the community a facility belongs to:
// by its code when known, else the community whose boundary holds it,
// else -1.
func (m *Model) CommunityOf(f *Facility) int32 { return m.communityAt(f) }

// AcquireSearch hands out a reusable search worker sized to the graph;
// give it back with ReleaseSearch.
func (m *Model) AcquireSearch() *geo.Search { return m.search() }

// ReleaseSearch gives back a worker from AcquireSearch.
func (m *Model) ReleaseSearch(s *geo.Search) { m.release(s) }

// FacilityCommunity returns the index of the community of facility i of
// the evaluation, -1 when it is in none.
func (e *Evaluation) FacilityCommunity(i int) int32 { return e.comm[i] }

// Supplies reports whether facility f counts as supply under the profile.
func (p *StandardsProfile) Supplies(f *Facility) bool { return p.supplies(f) }

// BoxAround is a lon/lat box holding every point within metres of p (a
// cheap test before Haversine).
func BoxAround(p orb.Point, metres float64) orb.Bound { return boxAround(p, metres) }

// ValidLonLat reports whether p is a longitude/latitude in range.
func ValidLonLat(p orb.Point) bool { return validLonLat(p) }

// JoinCodes lists codes for error messages.
func JoinCodes[T ~string](codes []T) string { return joinCodes(codes) }

// CommunityPoints returns the snapped demand points of community i (nil for
// other levels). The slice is the model's own: do not modify it.
func (m *Model) CommunityPoints(i int32) []int32 { return m.pointsOf[i] }
