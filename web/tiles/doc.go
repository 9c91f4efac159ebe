// Package tiles builds the Mapbox Vector Tiles of the web map from the city
// held in memory, per scenario, and caches them until an edit touches
// them.
//
// A Server is made once per city (New) and serves every scenario: Tile
// takes the scenario's id, version, evaluation and summary. Tiles are MVT
// v2, extent 4096, gzipped; geometry runs 64 units past the tile edge,
// polygons are simplified (Douglas-Peucker, 2 tile units: per zoom) and
// specks under 16 square units are dropped. A tile with nothing in it is
// the empty MVT (no layers), gzipped, never an error.
//
// # Layers
//
// Each tile layer holds one or more MVT layers (source-layer in MapLibre):
//
//   - communities (per scenario): MVT layers districts (z ≥ 0), streets
//     (z ≥ 8) and communities (z ≥ 11), polygons with code, name, level,
//     area_type; the finest level drawn at a zoom carries the indicators
//     (districts below z8, streets z8–10, communities from z11):
//     residents, elders_60, elders_covered_15min, elders_uncovered_15min,
//     coverage_15min, floor_gap_m2, beds_per_1000_elders,
//     access_2sfca_m2_per_elder, community_stations (as in the summary).
//   - facilities (per scenario, z ≥ 8): MVT layer facilities, points with
//     id, name, type, status, floor_area_m2, beds, supply, proposed,
//     flags (comma-separated: idle, not_open, undersized,
//     no_health_nearby, detached_walkway; could_merge and no_center need a full assessment
//     and are not in tiles), elders_15min, community_code.
//   - demand (per scenario, z ≥ 8): MVT layer demand, H3 cells holding
//     demand points: res 10 from z13, res 9 at z12, res 8 at z10–11,
//     res 7 below, with h3, res, elders_60, elders_uncovered, coverage
//     (share within the service circle), minutes (to the nearest service
//     of the service-circle types, capped at the model's budget; for a
//     cell of several points the elder-weighted mean of those reached;
//     -1 when none is reached) and covered (every elder of the cell
//     within the circle). Demand points off the network count as never
//     covered.
//   - service_areas (per scenario, z ≥ 12): MVT layer service_areas, the
//     urban-circle (15-minute) walking area of every supplying facility,
//     H3 res 10 joined, with id, name, type, status, proposed, minutes.
//     Areas depend only on a facility's place: each is computed once and
//     shared by all scenarios (WarmServiceAreas samples the network's
//     edge cells once, then computes the baseline's areas ahead of time).
//   - basemap (the same for all scenarios, z ≥ 8): MVT layers water
//     (polygons), waterways (lines), roads (z ≥ 12; named streets with
//     name, name_latin, highway), walkways (z ≥ 14; every edge of the
//     walking network, one multi-line per kind: steps, crossing, other;
//     a z13 tile of the city demo would hold 32,000 edges) and buildings
//     (z ≥ 15; kind, levels).
//
// TileJSON advertises maxzoom 16; Tile builds tiles up to MaxZoom (22).
//
// # Cache
//
// Built tiles are kept in one LRU bounded by bytes (NewBounded's bound,
// DefaultCacheBytes by default, with a per-entry overhead), keyed by (layer, scenario, z, x, y);
// the basemap is keyed once for all scenarios. Every cached tile of a
// scenario is valid at the scenario's current version. An edit is
// announced with Invalidate(scenario, bbox): the tiles the edit can have
// changed, at every zoom, are dropped (see Invalidate for how the area is
// widened per layer), the others survive and are served at the next
// version. A request at a version the cache was not told about drops the
// scenario's tiles; a request at an older version is built and not
// cached; a tile whose build was overtaken by an Invalidate is not
// stored. So a stale tile is never served. Drop forgets a deleted
// scenario.
//
// # Indexes
//
// New projects everything to Web Mercator once and indexes it: R-trees
// (tidwall/rtree) of the region polygons by level, of the demand cells at
// each resolution and of the water; a bucket grid (z15 tiles) of the
// walkway edges and buildings, which for the city demo's 2.3 M edges
// builds in a tenth of the time and memory of an R-tree. Facilities are
// scanned (thousands, and they change with every edit).
package tiles
