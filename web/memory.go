package web

import (
	"runtime"
	rtmetrics "runtime/metrics"

	"github.com/carecircle/carecircle/web/tiles"
)

// Floors of the caches sized to a city: below these a tiny city's caches
// would hold too few scenarios and tiles to be worth having.
const (
	minEvaluationBytes = 32 << 20
	minTileCacheBytes  = 16 << 20
	minHeadroomBytes   = 64 << 20
)

// MemoryPlan is what a server for one city will hold, and the soft
// memory limit that follows from it.
type MemoryPlan struct {
	Live        int64 // the live heap once the city is loaded and judged
	Evaluations int64 // bound on built scenario evaluations (Config.EvaluationBytes)
	Tiles       int64 // bound on the tile cache (Config.TileCacheBytes)
	Headroom    int64 // for the tile indexes, baseline service areas and garbage between collections
	Limit       int64 // Live + Evaluations + Tiles + Headroom, at most 3/4 of the machine
}

// PlanMemory sizes the caches and the soft memory limit of a server whose
// city, loaded and judged, is live bytes of heap, on a machine of machine
// bytes (0 when unknown: no cap). evaluations and tileBytes are bounds the
// operator asked for; 0 sizes them to the city: a quarter and an eighth of
// the live heap, between floors for tiny cities and DefaultEvaluationBytes
// and tiles.DefaultCacheBytes for large ones. The headroom is half the
// live heap (at least 64 MiB): room for the tile indexes and the
// baseline's service areas built after the city, and for the garbage of
// requests between collections, so that the collector near the limit
// does not run back to back.
//
// With the limit set, the collector returns freed memory instead of
// keeping it, so the process stays near Limit however long it serves:
// what grows in use (the two caches) is bounded inside it.
func PlanMemory(live, machine, evaluations, tileBytes int64) MemoryPlan {
	p := MemoryPlan{Live: max(live, 0), Evaluations: evaluations, Tiles: tileBytes}
	if p.Evaluations <= 0 {
		p.Evaluations = min(max(p.Live/4, minEvaluationBytes), DefaultEvaluationBytes)
	}
	if p.Tiles <= 0 {
		p.Tiles = min(max(p.Live/8, minTileCacheBytes), tiles.DefaultCacheBytes)
	}
	p.Headroom = max(p.Live/2, minHeadroomBytes)
	p.Limit = p.Live + p.Evaluations + p.Tiles + p.Headroom
	if machine > 0 {
		p.Limit = min(p.Limit, machine/4*3)
	}
	return p
}

// LiveHeap collects garbage and returns the heap then still in use: what
// the process holds for good at that point.
func LiveHeap() int64 {
	runtime.GC()
	s := []rtmetrics.Sample{{Name: "/gc/heap/live:bytes"}}
	rtmetrics.Read(s)
	if s[0].Value.Kind() != rtmetrics.KindUint64 {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return int64(ms.HeapAlloc)
	}
	return int64(s[0].Value.Uint64())
}
