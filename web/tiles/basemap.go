package tiles

import (
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/tidwall/rtree"

	"github.com/carecircle/carecircle/data"
	"github.com/carecircle/carecircle/geo"
	"github.com/carecircle/carecircle/geo/osm"
)

// basemapBucket is the bucket side of the walkway and building indexes:
// a z15 tile (≈1 km in the city demo, ≈2,000 edges).
const basemapBucket = 1.0 / (1 << 15)

// basemapIndex is the ground under the data, in world coordinates: the
// walking network's edges, water, river lines and buildings.
type basemapIndex struct {
	g     *geo.Graph
	nodes []orb.Point // world position of each graph node
	edges *bucketIndex

	water      []orb.Polygon
	waterBound []orb.Bound
	waterTree  rtree.RTreeG[int32]

	waterways []orb.LineString
	wayBound  []orb.Bound
	wayTree   rtree.RTreeG[int32]

	roads     []orb.LineString
	roadInfo  []*osm.Road // the named road each line belongs to
	roadBound []orb.Bound
	roadTree  rtree.RTreeG[int32]

	buildings     []osm.Building
	buildingGeom  []orb.Polygon
	buildingBound []orb.Bound
	buildingIndex *bucketIndex
}

func newBasemapIndex(g *geo.Graph, b data.Basemap) basemapIndex {
	ix := basemapIndex{g: g, nodes: make([]orb.Point, g.NumNodes())}
	for i, p := range g.Points {
		ix.nodes[i] = toWorld(p)
	}
	ix.edges = newBucketIndex(g.NumEdges(), basemapBucket, func(e int) orb.Bound { return ix.edgeBound(int32(e)) })
	for _, p := range b.Water {
		if len(p) == 0 || len(p[0]) < 4 {
			continue
		}
		w := worldPolygon(p)
		ix.waterTree.Insert(w.Bound().Min, w.Bound().Max, int32(len(ix.water)))
		ix.water = append(ix.water, w)
		ix.waterBound = append(ix.waterBound, w.Bound())
	}
	for _, l := range b.Waterways {
		if len(l) < 2 {
			continue
		}
		w := worldLine(l)
		ix.wayTree.Insert(w.Bound().Min, w.Bound().Max, int32(len(ix.waterways)))
		ix.waterways = append(ix.waterways, w)
		ix.wayBound = append(ix.wayBound, w.Bound())
	}
	for ri := range b.Roads {
		r := &b.Roads[ri]
		for _, l := range r.Lines {
			if len(l) < 2 {
				continue
			}
			w := worldLine(l)
			ix.roadTree.Insert(w.Bound().Min, w.Bound().Max, int32(len(ix.roads)))
			ix.roads = append(ix.roads, w)
			ix.roadInfo = append(ix.roadInfo, r)
			ix.roadBound = append(ix.roadBound, w.Bound())
		}
	}
	for _, bl := range b.Buildings {
		if len(bl.Footprint) == 0 || len(bl.Footprint[0]) < 4 {
			continue
		}
		w := worldPolygon(bl.Footprint)
		ix.buildings = append(ix.buildings, bl)
		ix.buildingGeom = append(ix.buildingGeom, w)
		ix.buildingBound = append(ix.buildingBound, w.Bound())
	}
	ix.buildingIndex = newBucketIndex(len(ix.buildingGeom), basemapBucket, func(i int) orb.Bound { return ix.buildingBound[i] })
	return ix
}

func (ix *basemapIndex) edgeBound(e int32) orb.Bound {
	a, b := ix.nodes[ix.g.EdgeU[e]], ix.nodes[ix.g.EdgeV[e]]
	return orb.Bound{Min: orb.Point{min(a[0], b[0]), min(a[1], b[1])}, Max: orb.Point{max(a[0], b[0]), max(a[1], b[1])}}
}

// basemapLayers builds the basemap tile: MVT layers water (polygons),
// waterways (river and canal lines), roads (z ≥ 12: named streets and
// roads with name, name_latin and highway, for drawing and labels), walkways (z ≥ 14: every edge of the
// walking network, merged into one multi-line per kind: steps, crossing,
// other) and buildings (z ≥ 15: footprints with kind and levels).
func (s *Server) basemapLayers(f *frame) mvt.Layers {
	z := int(f.tile.Z)
	if z < basemapMinZoom {
		return nil
	}
	ix := &s.basemap
	var layers mvt.Layers

	var water []*geojson.Feature
	ix.waterTree.Search(f.query.Min, f.query.Max, func(_, _ [2]float64, i int32) bool {
		if f.tooSmall(ix.waterBound[i]) {
			return true
		}
		if g := f.polygon(ix.water[i], true); g != nil {
			water = append(water, &geojson.Feature{Type: "Feature", Geometry: g, Properties: geojson.Properties{}})
		}
		return true
	})
	if len(water) > 0 {
		layers = append(layers, newLayer("water", water))
	}

	var ways []*geojson.Feature
	ix.wayTree.Search(f.query.Min, f.query.Max, func(_, _ [2]float64, i int32) bool {
		if mls := f.lineString(ix.waterways[i], true); mls != nil {
			var g orb.Geometry = mls
			if len(mls) == 1 {
				g = mls[0]
			}
			ways = append(ways, &geojson.Feature{Type: "Feature", Geometry: g, Properties: geojson.Properties{}})
		}
		return true
	})
	if len(ways) > 0 {
		layers = append(layers, newLayer("waterways", ways))
	}

	if z >= roadsMinZoom {
		var roads []*geojson.Feature
		ix.roadTree.Search(f.query.Min, f.query.Max, func(_, _ [2]float64, i int32) bool {
			if mls := f.lineString(ix.roads[i], true); mls != nil {
				var g orb.Geometry = mls
				if len(mls) == 1 {
					g = mls[0]
				}
				r := ix.roadInfo[i]
				props := geojson.Properties{"name": r.Name, "highway": r.Highway}
				if r.NameLatin != "" {
					props["name_latin"] = r.NameLatin
				}
				roads = append(roads, &geojson.Feature{Type: "Feature", Geometry: g, Properties: props})
			}
			return true
		})
		if len(roads) > 0 {
			layers = append(layers, newLayer("roads", roads))
		}
	}

	if z >= walkwaysMinZoom {
		var byKind [3]orb.MultiLineString
		ix.edges.search(f.query, ix.edgeBound, func(e int32) {
			k := ix.g.EdgeKind[e]
			if k == geo.EdgeAcross {
				return // the square's outline is drawn, not the walks across it
			}
			if int(k) >= len(byKind) {
				k = geo.EdgeOther
			}
			byKind[k] = f.segment(byKind[k], ix.nodes[ix.g.EdgeU[e]], ix.nodes[ix.g.EdgeV[e]])
		})
		var walk []*geojson.Feature
		for k, mls := range byKind {
			if len(mls) > 0 {
				walk = append(walk, &geojson.Feature{Type: "Feature", Geometry: mls, Properties: geojson.Properties{"kind": geo.EdgeKind(k).String()}})
			}
		}
		if len(walk) > 0 {
			layers = append(layers, newLayer("walkways", walk))
		}
	}

	if z >= buildingsMinZoom {
		var bs []*geojson.Feature
		ix.buildingIndex.search(f.query, func(i int32) orb.Bound { return ix.buildingBound[i] }, func(i int32) {
			g := f.polygon(ix.buildingGeom[i], true)
			if g == nil {
				return
			}
			props := geojson.Properties{"kind": ix.buildings[i].Kind}
			if l := ix.buildings[i].Levels; l > 0 {
				props["levels"] = round(l, 1)
			}
			bs = append(bs, &geojson.Feature{Type: "Feature", Geometry: g, Properties: props})
		})
		if len(bs) > 0 {
			layers = append(layers, newLayer("buildings", bs))
		}
	}
	return layers
}
