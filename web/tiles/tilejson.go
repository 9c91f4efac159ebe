package tiles

import (
	"net/url"
	"strings"

	"github.com/carecircle/carecircle/planner"
)

// osmAttribution is the attribution OSM data needs wherever it is shown.
const osmAttribution = `© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors`

// vectorLayer describes one MVT layer of a tile layer in TileJSON.
type vectorLayer struct {
	id          string
	description string
	minZoom     int
	fields      map[string]string
}

var regionFields = map[string]string{
	"code": "String: 12-digit statistical division code", "name": "String", "level": "String: district, street or community",
	"area_type":       "String: urban or rural",
	"boundary_source": "String: derived (cut from the built-up area by walking distance from the community's point) or osm; absent when given",
}

// indicatorFields are the indicators on the finest region level drawn.
var indicatorFields = map[string]string{
	"residents": "Number", "elders_60": "Number: elders aged 60+",
	"elders_covered_15min": "Number: elders 60+ within the service circle", "elders_uncovered_15min": "Number: elders 60+ outside it",
	"coverage_15min": "Number: share 0–1 of elders 60+ within the service circle", "floor_gap_m2": "Number: floor area short of the standard, m²",
	"beds_per_1000_elders": "Number", "access_2sfca_m2_per_elder": "Number: 2SFCA floor area per weighted elder, m²",
	"community_stations": "Number: community stations",
}

func withIndicators(f map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range f {
		out[k] = v
	}
	for k, v := range indicatorFields {
		out[k] = v + " (only on the finest level drawn)"
	}
	return out
}

var vectorLayers = [numLayers][]vectorLayer{
	communitiesID: {
		{"districts", "district outlines; with indicators below z8", districtsMinZoom, withIndicators(regionFields)},
		{"streets", "street (街道/乡镇) outlines from z8; with indicators at z8–10", streetsMinZoom, withIndicators(regionFields)},
		{"communities", "community (社区/村) polygons from z11, with indicators", communitiesMinZoom, withIndicators(regionFields)},
	},
	facilitiesID: {{"facilities", "elder-care facilities of the scenario", facilitiesMinZoom, map[string]string{
		"id": "String", "name": "String", "type": "String: facility type code", "status": "String: facility status code",
		"floor_area_m2": "Number", "beds": "Number", "supply": "Boolean: counts as supply in the judgement",
		"proposed": "Boolean: drawn by a planner", "flags": "String: comma-separated findings (idle, not_open, undersized, no_health_nearby, detached_walkway)",
		"elders_15min": "Number: elders 60+ within its service circle", "community_code": "String",
	}}},
	demandID: {{"demand", "H3 cells with demand: res 10 from z13, res 9 at z12, res 8 at z10–11, res 7 below", demandMinZoom, map[string]string{
		"h3": "String: H3 cell index", "res": "Number: H3 resolution", "elders_60": "Number: elders 60+ living in the cell",
		"elders_uncovered": "Number: of them, outside the service circle", "coverage": "Number: share 0–1 within the service circle",
		"minutes": "Number: walking minutes to the nearest service (elder-weighted mean of the points reached; -1 when none within the model's budget)",
		"covered": "Boolean: every elder of the cell within the service circle",
	}}},
	serviceAreasID: {{"service_areas", "walking service area of each supplying facility (H3 res 10), from z12", serviceAreasMinZoom, map[string]string{
		"id": "String: facility id", "name": "String", "type": "String", "status": "String", "proposed": "Boolean",
		"minutes": "Number: the walk the area is drawn for",
	}}},
	basemapID: {
		{"water", "lakes and riverbanks", basemapMinZoom, map[string]string{}},
		{"waterways", "river and canal lines", basemapMinZoom, map[string]string{}},
		{"roads", "named streets and roads, from z12", roadsMinZoom, map[string]string{"name": "String: the local name", "name_latin": "String: a Latin name, where the data has one", "highway": "String: OSM highway value"}},
		{"walkways", "the walking network, from z14", walkwaysMinZoom, map[string]string{"kind": "String: steps, crossing or other"}},
		{"buildings", "building footprints, from z15", buildingsMinZoom, map[string]string{"kind": "String: OSM building value", "levels": "Number"}},
	},
}

// TileJSON returns the TileJSON 3.0.0 document of a layer, or nil for a
// layer not in Layers. urlPrefix is where the tile routes are mounted
// ("/tiles", or absolute: "http://host:port/tiles"); the tile URL is
// urlPrefix/{layer}/{z}/{x}/{y}.mvt, with ?scenario= for the layers that
// differ between scenarios (the basemap's URL is the same in all, so
// browsers cache it once).
func (s *Server) TileJSON(layer, scenario, urlPrefix string) map[string]any {
	id, ok := parseLayer(layer)
	if !ok {
		return nil
	}
	u := strings.TrimSuffix(urlPrefix, "/") + "/" + layer + "/{z}/{x}/{y}.mvt"
	if id.perScenario() && scenario != "" {
		u += "?scenario=" + url.QueryEscape(scenario)
	}
	var vls []map[string]any
	for _, vl := range vectorLayers[id] {
		fields := map[string]any{}
		for k, v := range vl.fields {
			fields[k] = v
		}
		vls = append(vls, map[string]any{"id": vl.id, "description": vl.description, "minzoom": vl.minZoom, "maxzoom": maxZoom, "fields": fields})
	}
	b := s.bound
	c := b.Center()
	doc := map[string]any{
		"tilejson":      "3.0.0",
		"name":          layer,
		"description":   s.model.City.Name + ": " + layer,
		"version":       "1.0.0",
		"scheme":        "xyz",
		"tiles":         []string{u},
		"minzoom":       layerMinZoom[id],
		"maxzoom":       maxZoom,
		"bounds":        []float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]},
		"center":        []float64{c[0], c[1], 12},
		"vector_layers": vls,
		"attribution":   s.attribution(id),
	}
	if id.perScenario() {
		doc["scenario"] = scenario
	}
	return doc
}

// attribution credits the data a layer is drawn from: OpenStreetMap for a
// basemap read from an OSM extract; a synthetic city says so.
func (s *Server) attribution(id layerID) string {
	fromOSM := s.bundle != nil && s.bundle.Config.OSM != ""
	switch {
	case id == basemapID && fromOSM:
		return osmAttribution
	case id == basemapID:
		return "synthetic city (CareCircle generator), not real map data"
	case id == communitiesID || id == demandID:
		return "CareCircle; indicators judged under the " + profileName(s.model.Profile) + " standards profile"
	}
	return "CareCircle"
}

func profileName(p *planner.StandardsProfile) string {
	if p == nil || p.Name == "" {
		return "city's"
	}
	return p.Name
}
