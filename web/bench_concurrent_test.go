package web_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/carecircle/carecircle/data"
	"github.com/carecircle/carecircle/planner"
	"github.com/carecircle/carecircle/web/benchsuite"
)

// benchWhatIfConcurrent runs benchsuite.WhatIfSession (what carecircle
// bench runs) b.N times on a demo preset served with a SQLite store on
// disk: `planners` planners at once, `edits` edits per iteration, on
// warmed or on fresh scenarios. It reports latency percentiles and
// throughput. Budget: p95 ≤ 30 ms.
func benchWhatIfConcurrent(b *testing.B, preset string, planners, edits int, fresh bool) {
	ctx := context.Background()
	bundle, err := data.DemoBundle(ctx, preset, 1)
	if err != nil {
		b.Fatal(err)
	}
	m, err := planner.NewModel(ctx, bundle.City, bundle.Profile, bundle.Index)
	if err != nil {
		b.Fatal(err)
	}
	h, done, err := benchsuite.NewServer(ctx, bundle, m, filepath.Join(b.TempDir(), "s.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer done()
	var all benchsuite.Latencies
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		lat, err := benchsuite.WhatIfSession(h, bundle.City.Network, planners, edits, fresh, n*edits)
		if err != nil {
			b.Fatal(err)
		}
		all.Each = append(all.Each, lat.Each...)
		all.Wall += lat.Wall
	}
	b.StopTimer()
	all = benchsuite.Sorted(all)
	b.ReportMetric(all.Quantile(0.5), "p50-ms")
	b.ReportMetric(all.Quantile(0.95), "p95-ms")
	b.ReportMetric(all.Rate(), "edits/s")
}

// BenchmarkWhatIfHTTPDistrictConcurrent20 is 20 planners on the district
// demo, each on its own warmed scenario, 400 edits per iteration.
func BenchmarkWhatIfHTTPDistrictConcurrent20(b *testing.B) {
	benchWhatIfConcurrent(b, "district", 20, 400, false)
}

// BenchmarkWhatIfHTTPCityConcurrent20 is 20 planners on the city demo, each
// on its own warmed scenario, 400 edits per iteration.
func BenchmarkWhatIfHTTPCityConcurrent20(b *testing.B) {
	if testing.Short() {
		b.Skip("the city demo takes ~15 s to build")
	}
	benchWhatIfConcurrent(b, "city", 20, 400, false)
}

// BenchmarkWhatIfHTTPCityConcurrent20Fresh is the same with every edit the
// first on a new scenario, so each builds the scenario's evaluation.
func BenchmarkWhatIfHTTPCityConcurrent20Fresh(b *testing.B) {
	if testing.Short() {
		b.Skip("the city demo takes ~15 s to build")
	}
	benchWhatIfConcurrent(b, "city", 20, 400, true)
}
