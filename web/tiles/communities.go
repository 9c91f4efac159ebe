package tiles

import (
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/tidwall/rtree"

	"github.com/carecircle/carecircle/planner"
)

// regionIndex holds the region polygons in world coordinates, with an
// R-tree per level.
type regionIndex struct {
	regions []planner.Region
	geom    []orb.MultiPolygon // world coordinates; nil for a region drawn as no polygon
	bound   []orb.Bound
	trees   map[planner.Level]*rtree.RTreeG[int32]
}

func newRegionIndex(rs []planner.Region) regionIndex {
	ix := regionIndex{regions: rs, geom: make([]orb.MultiPolygon, len(rs)), bound: make([]orb.Bound, len(rs)), trees: map[planner.Level]*rtree.RTreeG[int32]{}}
	for _, l := range []planner.Level{planner.LevelDistrict, planner.LevelStreet, planner.LevelCommunity} {
		ix.trees[l] = &rtree.RTreeG[int32]{}
	}
	for i, r := range rs {
		tr := ix.trees[r.Level]
		mp := worldMultiPolygon(r.Boundary)
		if tr == nil || len(mp) == 0 {
			continue
		}
		ix.geom[i], ix.bound[i] = mp, mp.Bound()
		tr.Insert(ix.bound[i].Min, ix.bound[i].Max, int32(i))
	}
	return ix
}

// bounds lists the world bounds of the regions of level l meeting b.
func (ix *regionIndex) bounds(l planner.Level, b orb.Bound) []orb.Bound {
	var out []orb.Bound
	ix.trees[l].Search(b.Min, b.Max, func(_, _ [2]float64, i int32) bool {
		out = append(out, ix.bound[i])
		return true
	})
	return out
}

// regionLevels are the MVT layers of the communities tile, by level, with
// the zoom each appears from.
var regionLevels = []struct {
	level   planner.Level
	name    string
	minZoom int
}{
	{planner.LevelDistrict, "districts", districtsMinZoom},
	{planner.LevelStreet, "streets", streetsMinZoom},
	{planner.LevelCommunity, "communities", communitiesMinZoom},
}

// indicatorLevel is the region level whose features carry the indicators
// at zoom z: the finest one drawn.
func indicatorLevel(z int) planner.Level {
	switch {
	case z >= communitiesMinZoom:
		return planner.LevelCommunity
	case z >= streetsMinZoom:
		return planner.LevelStreet
	}
	return planner.LevelDistrict
}

// communities builds the communities tile: MVT layers districts, streets
// and communities, each region with code, name and level, and the
// indicators on the finest level drawn.
func (s *Server) communities(f *frame, sum *planner.Summary) mvt.Layers {
	z := int(f.tile.Z)
	var layers mvt.Layers
	for _, lv := range regionLevels {
		if z < lv.minZoom {
			continue
		}
		withFigures := indicatorLevel(z) == lv.level
		var feats []*geojson.Feature
		s.regions.trees[lv.level].Search(f.query.Min, f.query.Max, func(_, _ [2]float64, i int32) bool {
			if f.tooSmall(s.regions.bound[i]) {
				return true
			}
			g := f.multiPolygon(s.regions.geom[i], true)
			if g == nil {
				return true
			}
			r := &s.regions.regions[i]
			props := make(geojson.Properties, 16)
			props["code"], props["name"], props["level"] = r.Code, r.Name, string(r.Level)
			if r.AreaType != "" {
				props["area_type"] = string(r.AreaType)
			}
			if r.BoundarySource != "" {
				props["boundary_source"] = r.BoundarySource
			}
			if withFigures {
				addIndicators(props, &sum.Regions[i])
			}
			feats = append(feats, &geojson.Feature{Type: "Feature", Geometry: g, Properties: props})
			return true
		})
		if len(feats) > 0 {
			layers = append(layers, newLayer(lv.name, feats))
		}
	}
	return layers
}

// addIndicators adds a region's main indicators, named as in the API's
// summary (planner.Indicators' JSON keys), rounded for the map.
func addIndicators(p geojson.Properties, in *planner.Indicators) {
	p["residents"] = whole(in.Residents)
	p["elders_60"] = whole(in.Elders60)
	p["elders_covered_15min"] = whole(in.EldersCovered15)
	p["elders_uncovered_15min"] = whole(in.EldersUncovered)
	p["coverage_15min"] = round(in.Coverage15, 4)
	p["floor_gap_m2"] = whole(in.FloorGap)
	p["beds_per_1000_elders"] = round(in.BedsPer1000, 1)
	p["access_2sfca_m2_per_elder"] = round(in.Access2SFCA, 3)
	p["community_stations"] = whole(in.Stations)
}

// newLayer wraps features as an MVT v2 layer of the default extent.
func newLayer(name string, feats []*geojson.Feature) *mvt.Layer {
	return &mvt.Layer{Name: name, Version: 2, Extent: extent, Features: feats}
}
