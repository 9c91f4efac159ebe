package web

import (
	"math"
	"runtime"
	"runtime/debug"
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
	Held        int64 // the live heap once the server is built: the city judged, the tile indexes
	Evaluations int64 // bound on built scenario evaluations (Config.EvaluationBytes)
	Tiles       int64 // bound on the tile cache (Config.TileCacheBytes)
	Headroom    int64 // for the baseline's service areas and the garbage of requests between collections
	Limit       int64 // Held + Evaluations + Tiles + Headroom, at most 3/4 of the machine
	// Optimiser is how much the limit is raised while a siting optimiser
	// run works (Server.SetOptimiserMemory): as much as the server holds,
	// for its candidates' catchments.
	Optimiser int64
}

// CacheBounds sizes the evaluation and tile caches to a city whose model,
// loaded and judged, is live bytes of heap: a quarter and an eighth of it,
// between floors for tiny cities and DefaultEvaluationBytes and
// tiles.DefaultCacheBytes for large ones. evaluations and tileBytes are
// bounds the operator asked for, kept when above 0.
func CacheBounds(live, evaluations, tileBytes int64) (int64, int64) {
	if evaluations <= 0 {
		evaluations = min(max(live/4, minEvaluationBytes), DefaultEvaluationBytes)
	}
	if tileBytes <= 0 {
		tileBytes = min(max(live/8, minTileCacheBytes), tiles.DefaultCacheBytes)
	}
	return evaluations, tileBytes
}

// PlanMemory sets the soft memory limit of a server that, built with its
// caches still empty, holds held bytes of live heap, on a machine of
// machine bytes (0 when unknown: no cap): what it holds, plus the caches'
// bounds, plus half of what it holds again (at least 64 MiB) as
// headroom, so that the collector near the limit does not run back to
// back.
//
// With the limit set, the collector returns freed memory instead of
// keeping it, so the process stays near Limit however long it serves:
// what grows in use (the two caches) is bounded inside it.
func PlanMemory(held, machine, evaluations, tileBytes int64) MemoryPlan {
	p := MemoryPlan{Held: max(held, 0), Evaluations: evaluations, Tiles: tileBytes}
	p.Headroom = max(p.Held/2, minHeadroomBytes)
	p.Limit = p.Held + p.Evaluations + p.Tiles + p.Headroom
	p.Optimiser = p.Held
	if machine > 0 {
		p.Limit = min(p.Limit, machine/4*3)
		p.Optimiser = max(min(p.Optimiser, machine/4*3-p.Limit), 0)
	}
	return p
}

// SetOptimiserMemory sets how much the soft memory limit is raised while
// an optimiser run works (MemoryPlan.Optimiser). A run is the one heavy
// transient job, and runs go one at a time: under a limit sized to what
// the server holds steadily, its allocations would make the collector run
// back to back (a 100-site run on the city demo took 9.9 s instead of
// 4.1 s). 0, the default, raises nothing.
func (s *Server) SetOptimiserMemory(n int64) { s.optimiserMemory.Store(n) }

// raiseMemoryLimit raises the process's soft memory limit by n until the
// returned func is called; with no limit set, or n ≤ 0, it does nothing.
func raiseMemoryLimit(n int64) (restore func()) {
	cur := debug.SetMemoryLimit(-1)
	if n <= 0 || cur == math.MaxInt64 {
		return func() {}
	}
	debug.SetMemoryLimit(cur + n)
	return func() { debug.SetMemoryLimit(cur) }
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
