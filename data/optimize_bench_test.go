package data

import (
	"bufio"
	"context"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/carecircle/carecircle/planner"
	"github.com/carecircle/carecircle/planner/siting"
)

// BenchmarkOptimizeCity chooses 100 new stations for the city demo among
// candidates generated at the network nodes nearest the res-10 H3 cells
// where elders live (≈83,000 candidates): catchments, lazy greedy, swaps,
// restarts and the Lagrangian bound. The model is built once, outside the
// timing. Budget: < 30 s on 2 cores. Reports the peak resident memory of
// the whole process (the model included).
func BenchmarkOptimizeCity(b *testing.B) {
	bundle, err := DemoBundle(context.Background(), "city", 1)
	if err != nil {
		b.Fatal(err)
	}
	m, err := planner.NewModel(context.Background(), bundle.City, bundle.Profile, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := siting.Optimize(context.Background(), m.Baseline(), siting.OptimizeRequest{Sites: 100, Seed: 1}, nil)
		if err != nil {
			b.Fatal(err)
		}
		if res.Stats.Candidates < 50_000 || len(res.Sites) != 100 {
			b.Fatalf("%d candidates, %d sites", res.Stats.Candidates, len(res.Sites))
		}
		b.ReportMetric(float64(res.Stats.Candidates), "candidates")
		b.ReportMetric(float64(res.Stats.Reaching), "reaching")
		b.ReportMetric(res.Stats.CatchmentSeconds, "catchment-s")
		b.ReportMetric(res.TotalGain, "gain-elders")
		b.ReportMetric(100*res.BoundGap, "bound-gap-%")
	}
	b.StopTimer()
	b.ReportMetric(peakRSSMB(), "peak-RSS-MB")
}

// peakRSSMB is the process's peak resident memory (VmHWM), MB; 0 where
// /proc is not there.
func peakRSSMB() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}
