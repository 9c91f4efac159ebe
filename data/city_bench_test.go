package data

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/carecircle/carecircle/planner"
)

func benchBuild(b *testing.B, preset string) {
	for i := 0; i < b.N; i++ {
		bundle, err := DemoBundle(context.Background(), preset, 1)
		if err != nil {
			b.Fatal(err)
		}
		m, err := planner.NewModel(context.Background(), bundle.City, bundle.Profile, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(bundle.City.Facilities)), "facilities")
		b.ReportMetric(float64(m.Demand.Len()), "demand-points")
	}
}

// BenchmarkBuildDistrict generates the district demo and computes its
// model (catchments of every facility).
func BenchmarkBuildDistrict(b *testing.B) { benchBuild(b, "district") }

// BenchmarkBuildCity generates the city demo (≈10 M residents) and computes
// its model. Budget: < 60 s, < 4 GB.
func BenchmarkBuildCity(b *testing.B) { benchBuild(b, "city") }

func benchAssess(b *testing.B, preset string) {
	bundle, err := DemoBundle(context.Background(), preset, 1)
	if err != nil {
		b.Fatal(err)
	}
	m, err := planner.NewModel(context.Background(), bundle.City, bundle.Profile, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// A fresh evaluation each time so the community sums are recomputed.
		a, err := m.Baseline().Clone().Assess(context.Background(), "baseline")
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(a.Gaps)), "gaps")
	}
}

// BenchmarkAssessDistrict is the full judgement of the district demo.
func BenchmarkAssessDistrict(b *testing.B) { benchAssess(b, "district") }

// BenchmarkAssessCity is the full judgement (every region, facility check
// and the ranked gap list) of the city demo. Budget: < 5 s.
func BenchmarkAssessCity(b *testing.B) { benchAssess(b, "city") }

// BenchmarkWhatIfAddStationCity adds one proposed station to the city demo
// and recomputes the indicators of every region (the what-if path).
// Budget: p95 < 30 ms server side.
func BenchmarkWhatIfAddStationCity(b *testing.B) {
	bundle, err := DemoBundle(context.Background(), "city", 1)
	if err != nil {
		b.Fatal(err)
	}
	m, err := planner.NewModel(context.Background(), bundle.City, bundle.Profile, nil)
	if err != nil {
		b.Fatal(err)
	}
	e := m.Baseline().Clone()
	e.Summary()
	g := bundle.City.Network
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		// A new location every time, so each add walks a new catchment.
		p := g.Points[(i*7919)%g.NumNodes()]
		f := planner.Facility{ID: "whatif", Name: "拟建站", Type: planner.CommunityStation, Status: planner.Proposed, Location: p, FloorArea: 300, Beds: 10}
		if err := e.Add(f); err != nil {
			b.Fatal(err)
		}
		e.Summary()
		lat = append(lat, time.Since(start))
		e.Remove(e.Index("whatif"))
		e.Summary()
	}
	reportPercentiles(b, lat)
}

// reportPercentiles adds p50 and p95 latencies to a benchmark's output.
func reportPercentiles(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	at := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(at(0.50), "ms-p50")
	b.ReportMetric(at(0.95), "ms-p95")
}
