package tiles

import (
	"github.com/paulmach/orb"

	"github.com/carecircle/carecircle/planner"
)

// invalidation works out, for an edit inside bbox (lon/lat), which world
// areas changed in each layer at each zoom: boxes[layer][z] lists them.
func (s *Server) invalidation(bbox orb.Bound) (boxes [numLayers][MaxZoom + 1][]orb.Bound) {
	w := worldBound(bbox)
	// Everything a catchment decides (walking times, coverage, 2SFCA)
	// changes within the longest walk of the edited places.
	reach := expand(w, s.reachWorld)

	// By region level: the changed area and the whole of every region of
	// that level it meets, as a region is drawn in full with its figures.
	byLevel := map[planner.Level][]orb.Bound{}
	for _, l := range []planner.Level{planner.LevelDistrict, planner.LevelStreet, planner.LevelCommunity} {
		byLevel[l] = append([]orb.Bound{reach}, s.regions.bounds(l, reach)...)
	}
	// By demand resolution, likewise for the aggregated cells.
	byRes := map[int][]orb.Bound{}
	for _, lv := range s.demand.levels {
		byRes[lv.res] = append([]orb.Bound{reach}, lv.bounds(reach)...)
	}
	for z := 0; z <= MaxZoom; z++ {
		boxes[facilitiesID][z] = []orb.Bound{w}
		boxes[serviceAreasID][z] = []orb.Bound{reach}
		boxes[demandID][z] = byRes[demandRes(z)]
		boxes[communitiesID][z] = byLevel[indicatorLevel(z)]
	}
	return boxes
}
