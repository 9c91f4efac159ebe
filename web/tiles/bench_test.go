package tiles

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/carecircle/carecircle/data"
	"github.com/carecircle/carecircle/geo"
	"github.com/carecircle/carecircle/planner"
)

// benchCity is a demo city ready for tile benchmarks.
type benchCity struct {
	s   *Server
	e   *planner.Evaluation
	sum *planner.Summary
	new time.Duration // how long New took
}

var (
	benchMu     sync.Mutex
	benchCities = map[string]*benchCity{}
)

func loadBench(b *testing.B, preset string) *benchCity {
	b.Helper()
	if preset == "city" && testing.Short() {
		b.Skip("the city demo (≈10 M residents) takes ~15 s to build; skipped under -short")
	}
	benchMu.Lock()
	defer benchMu.Unlock()
	if c := benchCities[preset]; c != nil {
		return c
	}
	var bundle *data.Bundle
	var m *planner.Model
	if preset == "district" {
		bundle, m = district(b)
	} else {
		var err error
		ctx := context.Background()
		if bundle, err = data.DemoBundle(ctx, preset, 1); err != nil {
			b.Fatal(err)
		}
		if m, err = planner.NewModel(ctx, bundle.City, bundle.Profile, bundle.Index); err != nil {
			b.Fatal(err)
		}
	}
	start := time.Now()
	s, err := New(bundle, m)
	if err != nil {
		b.Fatal(err)
	}
	c := &benchCity{s: s, e: m.Baseline().Clone(), new: time.Since(start)}
	c.sum = c.e.Summary()
	benchCities[preset] = c
	return c
}

// benchZooms are the zooms each layer is measured at: its first zoom
// (the most features per tile) and a working zoom.
var benchZooms = map[string][]maptile.Zoom{
	LayerCommunities:  {10, 11, 12, 14},
	LayerFacilities:   {10, 14},
	LayerDemand:       {10, 13, 15},
	LayerServiceAreas: {12, 14},
	LayerBasemap:      {14, 16},
}

// benchTiles lists the tiles of zoom z over the middle of the city (the
// central half of its extent in each direction), at most 64, busiest
// first: what a planner's screen shows.
func benchTiles(c *benchCity, z maptile.Zoom) []maptile.Tile {
	b := c.s.bound
	w, h := b.Max[0]-b.Min[0], b.Max[1]-b.Min[1]
	mid := orb.Bound{Min: orb.Point{b.Min[0] + w/4, b.Min[1] + h/4}, Max: orb.Point{b.Max[0] - w/4, b.Max[1] - h/4}}
	lo, hi := maptile.At(orb.Point{mid.Min[0], mid.Max[1]}, z), maptile.At(orb.Point{mid.Max[0], mid.Min[1]}, z)
	var ts []maptile.Tile
	for x := lo.X; x <= hi.X; x++ {
		for y := lo.Y; y <= hi.Y; y++ {
			ts = append(ts, maptile.New(x, y, z))
		}
	}
	centre := maptile.At(b.Center(), z)
	dist := func(t maptile.Tile) int64 {
		dx, dy := int64(t.X)-int64(centre.X), int64(t.Y)-int64(centre.Y)
		return dx*dx + dy*dy
	}
	slices.SortFunc(ts, func(a, b maptile.Tile) int { return int(dist(a) - dist(b)) })
	if len(ts) > 64 {
		ts = ts[:64]
	}
	return ts
}

// resetCache empties the tile cache (benchmarks only).
func resetCache(c *cache) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.items, c.scenarios = map[cacheKey]*cacheEntry{}, map[string]*scenarioState{}
	c.head, c.tail, c.bytes = nil, nil, 0
}

// reportLatency adds the median and 95th percentile of per-tile times.
func reportLatency(b *testing.B, lat []time.Duration, bytes int) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(lat[len(lat)*95/100].Nanoseconds()), "p95-ns")
	b.ReportMetric(float64(bytes)/float64(len(lat)), "gz-bytes/tile")
}

func benchTile(b *testing.B, cold bool) {
	for _, preset := range []string{"district", "city"} {
		b.Run(preset, func(b *testing.B) {
			c := loadBench(b, preset)
			for _, layer := range c.s.Layers() {
				for _, z := range benchZooms[layer] {
					b.Run(fmt.Sprintf("%s/z%d", layer, z), func(b *testing.B) {
						ts := benchTiles(c, z)
						ctx := context.Background()
						get := func(t maptile.Tile) []byte {
							data, err := c.s.Tile(ctx, layer, "baseline", 1, c.e, c.sum, t)
							if err != nil {
								b.Fatal(err)
							}
							return data
						}
						// Warm what is not the tile itself: service areas
						// are kept by place across scenarios and versions
						// (BenchmarkServiceAreaTileUnwarmed measures them
						// cold), and the cached run needs the tiles.
						for _, t := range ts {
							get(t)
						}
						lat := make([]time.Duration, 0, b.N)
						size := 0
						b.ResetTimer()
						for i := 0; i < b.N; i++ {
							t := ts[i%len(ts)]
							if cold {
								b.StopTimer()
								resetCache(c.s.cache)
								b.StartTimer()
							}
							start := time.Now()
							size += len(get(t))
							lat = append(lat, time.Since(start))
						}
						b.StopTimer()
						reportLatency(b, lat, size)
					})
				}
			}
		})
	}
}

// BenchmarkTileCold builds tiles with an empty cache: the whole path from
// the indexes to gzipped bytes. Budget: p50 < 50 ms.
func BenchmarkTileCold(b *testing.B) { benchTile(b, true) }

// BenchmarkTileCached serves tiles from the cache. Budget: p50 < 5 ms.
func BenchmarkTileCached(b *testing.B) { benchTile(b, false) }

// BenchmarkServiceAreaTileUnwarmed builds service_areas tiles with no
// service area computed yet: the first view of an area before
// WarmServiceAreas has run.
func BenchmarkServiceAreaTileUnwarmed(b *testing.B) {
	for _, preset := range []string{"district", "city"} {
		b.Run(preset, func(b *testing.B) {
			c := loadBench(b, preset)
			r := c.s.model.Router
			ec, err := geo.NewEdgeCells(context.Background(), r.Graph, serviceAreaRes)
			if err != nil {
				b.Fatal(err)
			}
			defer r.UseEdgeCells(nil)
			for _, cells := range []bool{false, true} {
				if cells {
					r.UseEdgeCells(ec)
				} else {
					r.UseEdgeCells(nil)
				}
				for _, z := range []maptile.Zoom{12, 14} {
					b.Run(fmt.Sprintf("edge-cells=%v/z%d", cells, z), func(b *testing.B) {
						ts := benchTiles(c, z)
						lat := make([]time.Duration, 0, b.N)
						size := 0
						for i := 0; i < b.N; i++ {
							b.StopTimer()
							resetCache(c.s.cache)
							c.s.services.mu.Lock()
							clear(c.s.services.areas)
							c.s.services.mu.Unlock()
							b.StartTimer()
							start := time.Now()
							data, err := c.s.Tile(context.Background(), LayerServiceAreas, "baseline", 1, c.e, c.sum, ts[i%len(ts)])
							if err != nil {
								b.Fatal(err)
							}
							lat = append(lat, time.Since(start))
							size += len(data)
						}
						b.StopTimer()
						reportLatency(b, lat, size)
					})
				}
			}
		})
	}
}

// BenchmarkWarmServiceAreas computes the service area of every supplying
// facility of the baseline, as a server would at start-up: first the
// network's edge cells (reported apart as edge-cells-s), then the areas.
func BenchmarkWarmServiceAreas(b *testing.B) {
	for _, preset := range []string{"district", "city"} {
		b.Run(preset, func(b *testing.B) {
			c := loadBench(b, preset)
			r := c.s.model.Router
			var cells time.Duration
			var ec *geo.EdgeCells
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				c.s.services.mu.Lock()
				clear(c.s.services.areas)
				c.s.services.mu.Unlock()
				start := time.Now()
				var err error
				if ec, err = geo.NewEdgeCells(context.Background(), r.Graph, serviceAreaRes); err != nil {
					b.Fatal(err)
				}
				r.UseEdgeCells(ec)
				cells += time.Since(start)
				if err := c.s.WarmServiceAreas(context.Background(), c.e); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			r.UseEdgeCells(nil)
			b.ReportMetric(float64(len(c.s.services.areas)), "areas")
			b.ReportMetric(cells.Seconds()/float64(b.N), "edge-cells-s")
			b.ReportMetric(float64(ec.Bytes())/(1<<20), "edge-cells-MB")
		})
	}
}

// BenchmarkNew prepares the tile indexes of a city.
func BenchmarkNew(b *testing.B) {
	for _, preset := range []string{"district", "city"} {
		b.Run(preset, func(b *testing.B) {
			c := loadBench(b, preset)
			for i := 0; i < b.N; i++ {
				if _, err := New(c.s.bundle, c.s.model); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
