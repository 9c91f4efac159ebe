package tiles

// Layer names, as in /tiles/{layer}/{z}/{x}/{y}.mvt.
const (
	LayerCommunities  = "communities"
	LayerFacilities   = "facilities"
	LayerDemand       = "demand"
	LayerServiceAreas = "service_areas"
	LayerBasemap      = "basemap"
)

// layerID is a layer by number, for cache keys.
type layerID uint8

const (
	communitiesID layerID = iota
	facilitiesID
	demandID
	serviceAreasID
	basemapID
	numLayers
)

var layerNames = [numLayers]string{LayerCommunities, LayerFacilities, LayerDemand, LayerServiceAreas, LayerBasemap}

func parseLayer(name string) (layerID, bool) {
	for i, n := range layerNames {
		if n == name {
			return layerID(i), true
		}
	}
	return 0, false
}

// perScenario reports whether a layer differs between scenarios.
func (l layerID) perScenario() bool { return l != basemapID }

// Zoom thresholds. A tile below a layer's (or MVT layer's) minimum zoom is
// empty. Tiles are built up to MaxZoom; the TileJSON advertises maxZoom so
// that clients overzoom beyond it rather than fetch more.
const (
	// MaxZoom is the deepest tile Tile builds.
	MaxZoom = 22
	// maxZoom is the maxzoom of every TileJSON: at z16 a tile unit is
	// 15 cm in the city, finer than any of the data.
	maxZoom = 16

	// districtsMinZoom, streetsMinZoom and communitiesMinZoom are where
	// each level of regions appears in the communities tile. The lowest
	// level shown carries the indicators: districts below z8, streets at
	// z8–10, communities from z11. (At z10 a tile of the city demo would
	// hold 1,250 communities of ~8 px each; at z11 they are ~16 px.)
	districtsMinZoom   = 0
	streetsMinZoom     = 8
	communitiesMinZoom = 11

	// facilitiesMinZoom: facilities are points and cheap; the whole city
	// demo (5,400 of them) fits in a z8 tile.
	facilitiesMinZoom = 8

	// demandMinZoom: demand cells from z8, at H3 resolution 7 (z ≤ 9),
	// 8 (z10–11), 9 (z12) and 10 (z ≥ 13); see demandRes.
	demandMinZoom = 8

	// serviceAreasMinZoom: service areas overlap heavily; below z12 they
	// are a smear, and a z11 tile of the city demo holds ~1,000 of them.
	serviceAreasMinZoom = 12

	// basemapMinZoom: water and river lines from z8; walkways from z14
	// (a z14 tile of the city demo holds ~8,000 walkway edges, a z13 one
	// ~32,000); buildings from z15.
	basemapMinZoom   = 8
	roadsMinZoom     = 12 // named streets: drawn and labelled
	walkwaysMinZoom  = 14
	buildingsMinZoom = 15
)

// layerMinZoom is the TileJSON minzoom of each layer.
var layerMinZoom = [numLayers]int{
	communitiesID:  districtsMinZoom,
	facilitiesID:   facilitiesMinZoom,
	demandID:       demandMinZoom,
	serviceAreasID: serviceAreasMinZoom,
	basemapID:      basemapMinZoom,
}
