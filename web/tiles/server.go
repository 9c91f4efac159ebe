package tiles

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

	"github.com/carecircle/carecircle/data"
	"github.com/carecircle/carecircle/planner"
)

// ErrUnknownLayer is returned (wrapped) for a layer name not in Layers.
var ErrUnknownLayer = errors.New("unknown tile layer")

// ErrOutOfRange is returned (wrapped) for a tile beyond MaxZoom or with x
// or y outside 0..2^z−1.
var ErrOutOfRange = errors.New("tile out of range")

// Server builds the vector tiles of one city from memory, per scenario,
// and caches them. It is made once per city (New precomputes the spatial
// indexes) and is safe for concurrent use. It never changes the bundle,
// the model or the evaluations it is given.
type Server struct {
	bundle *data.Bundle
	model  *planner.Model
	cache  *cache

	bound      orb.Bound // lon/lat bound of the city (its walking network)
	reachWorld float64   // the model's longest walk, world units, at the city's widest latitude

	regions  regionIndex
	demand   demandIndex
	basemap  basemapIndex
	services serviceAreas

	facilityInfo facilityInfos
}

// New prepares the tiles of a city: b is the bundle (for the basemap; its
// City must be m's) and m the model judged. It indexes the regions, the
// demand cells at every aggregation resolution, the walkway edges, the
// water and the buildings, in world coordinates; for the city demo
// (2.3 M edges, 114 k demand points) this takes about a second.
func New(b *data.Bundle, m *planner.Model) (*Server, error) {
	return NewBounded(b, m, DefaultCacheBytes)
}

// NewBounded is New with the tile cache bounded by cacheBytes (0 or less:
// DefaultCacheBytes).
func NewBounded(b *data.Bundle, m *planner.Model, cacheBytes int64) (*Server, error) {
	if cacheBytes <= 0 {
		cacheBytes = DefaultCacheBytes
	}
	if m == nil || m.City == nil || m.City.Network == nil {
		return nil, fmt.Errorf("tiles: a model with a city and its walking network is needed")
	}
	if b != nil && b.City != nil && b.City != m.City {
		return nil, fmt.Errorf("tiles: the bundle's city %q is not the model's city %q", b.City.Name, m.City.Name)
	}
	s := &Server{bundle: b, model: m, cache: newCache(cacheBytes), bound: m.City.Network.Bound()}
	maxLat := math.Max(math.Abs(s.bound.Min[1]), math.Abs(s.bound.Max[1]))
	s.reachWorld = metresToWorld(m.Budget*m.Profile.Walking.SpeedMPS.Value, math.Min(maxLat, maxMercatorLat))
	var basemap data.Basemap
	if b != nil {
		basemap = b.Basemap
	}
	var wg sync.WaitGroup
	var demandErr error
	wg.Go(func() { s.regions = newRegionIndex(m.City.Regions) })
	wg.Go(func() { s.demand, demandErr = newDemandIndex(m) })
	wg.Go(func() { s.basemap = newBasemapIndex(m.City.Network, basemap) })
	wg.Wait()
	if demandErr != nil {
		return nil, demandErr
	}
	s.services = newServiceAreas(m, runtime.GOMAXPROCS(0))
	return s, nil
}

// Layers lists the tile layers: communities, facilities, demand,
// service_areas and basemap.
func (s *Server) Layers() []string { return append([]string(nil), layerNames[:]...) }

// Tile returns tile t of a layer for a scenario at a version, as a gzipped
// Mapbox Vector Tile (v2, extent 4096), built from the evaluation e of the
// scenario and its summary sum, or taken from the cache.
//
// The basemap is the same in every scenario and needs neither e nor sum;
// communities need sum (the regions' indicators); the other layers need
// e. version is the scenario's version (planner.Scenario.Version): a tile
// cached at another version is never served (see Invalidate). e and sum
// are only read, but must not be changed while Tile runs.
//
// A tile with nothing in it is a valid empty MVT (no layers), gzipped
// like any other, so the HTTP layer can always answer 200 with the bytes;
// MVT layers with no features are left out of every tile. The returned
// bytes are shared with the cache: do not modify them.
//
// Errors: an unknown layer wraps ErrUnknownLayer, a tile beyond MaxZoom or
// outside its zoom's range wraps ErrOutOfRange; a missing or foreign
// evaluation or summary, or a cancelled ctx, are errors too.
func (s *Server) Tile(ctx context.Context, layer string, scenario string, version int64, e *planner.Evaluation, sum *planner.Summary, t maptile.Tile) ([]byte, error) {
	id, ok := parseLayer(layer)
	if !ok {
		return nil, fmt.Errorf("%w %q (layers: communities, facilities, demand, service_areas, basemap)", ErrUnknownLayer, layer)
	}
	if t.Z > MaxZoom || !t.Valid() {
		return nil, fmt.Errorf("%w: %d/%d/%d (want z 0–%d and x, y in 0..2^z−1)", ErrOutOfRange, t.Z, t.X, t.Y, MaxZoom)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	key := cacheKey{layer: id, z: t.Z, x: t.X, y: t.Y}
	if id.perScenario() {
		switch {
		case e == nil:
			return nil, fmt.Errorf("tiles: layer %s of scenario %q needs its evaluation", layer, scenario)
		case e.Model() != s.model:
			return nil, fmt.Errorf("tiles: the evaluation of scenario %q is of another model", scenario)
		case id == communitiesID && sum == nil:
			return nil, fmt.Errorf("tiles: layer communities of scenario %q needs its summary", scenario)
		case id == communitiesID && sum.Len() != len(s.model.City.Regions):
			return nil, fmt.Errorf("tiles: the summary of scenario %q has %d regions, the city %d", scenario, sum.Len(), len(s.model.City.Regions))
		}
		key.scenario = "s:" + scenario // never "", the basemap's
	}
	data, tk := s.cache.get(key, version)
	if data != nil {
		return data, nil
	}
	data, err := s.build(ctx, id, e, sum, t)
	if err != nil {
		return nil, err
	}
	s.cache.put(key, data, tk)
	return data, nil
}

// build makes a tile, uncached.
func (s *Server) build(ctx context.Context, id layerID, e *planner.Evaluation, sum *planner.Summary, t maptile.Tile) ([]byte, error) {
	f := newFrame(t)
	var layers mvt.Layers
	var err error
	switch id {
	case communitiesID:
		layers = s.communities(f, sum)
	case facilitiesID:
		layers = s.facilities(f, e)
	case demandID:
		layers = s.demandLayer(f, e)
	case serviceAreasID:
		layers, err = s.serviceAreaLayer(ctx, f, e)
	case basemapID:
		layers = s.basemapLayers(f)
	}
	if err != nil {
		return nil, err
	}
	return encode(layers)
}

// Invalidate tells the cache that an edit changed scenario inside bbox
// (lon/lat): call it once for every edit, that is for every version step
// of the scenario, with a bbox holding the places (before and after) of
// the facilities the edit touched. Invalidate widens bbox by the model's
// longest walk (what a catchment can reach), then, per layer and zoom, to
// the whole of every feature drawn from the changed area: the regions
// whose indicators may change (at the level that carries them at that
// zoom), the aggregated demand cells, and the service areas. It drops the
// scenario's cached tiles that meet the widened area, at every zoom; the
// basemap and the tiles elsewhere stay cached.
//
// A facility placed in a community by its code rather than its place, far
// from it, changes that community's figures outside the widened area: call
// Invalidate with a bbox holding that community too.
//
// The next request at a newer version keeps the surviving tiles only if
// as many edits were announced as versions passed; otherwise the
// scenario's cache is dropped, so a missed Invalidate costs speed, never
// correctness (unless it is made up for by a second Invalidate of one
// edit).
func (s *Server) Invalidate(scenario string, bbox orb.Bound) {
	boxes := s.invalidation(bbox)
	s.cache.invalidate("s:"+scenario, func(l layerID, z maptile.Zoom, b orb.Bound) bool {
		for _, box := range boxes[l][min(int(z), MaxZoom)] {
			if intersects(box, b) {
				return true
			}
		}
		return false
	})
}

// Drop forgets the cached tiles of a deleted scenario.
func (s *Server) Drop(scenario string) { s.cache.drop("s:" + scenario) }

// Stats counts the cache's hits and misses and its size.
func (s *Server) Stats() CacheStats { return s.cache.stats() }
