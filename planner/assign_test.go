package planner

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
)

// bruteAssign tries every assignment: the most stations assigned, then
// the least total seconds.
func bruteAssign(ns, nc, capacity int, arcs []assignArc) (int, float64) {
	cost := make([][]float64, ns)
	for s := range cost {
		cost[s] = make([]float64, nc)
		for c := range cost[s] {
			cost[s][c] = math.Inf(1)
		}
	}
	for _, a := range arcs {
		cost[a.station][a.centre] = a.seconds
	}
	load := make([]int, nc)
	bestN, bestT := -1, math.Inf(1)
	var rec func(s, n int, t float64)
	rec = func(s, n int, t float64) {
		if s == ns {
			if n > bestN || (n == bestN && t < bestT) {
				bestN, bestT = n, t
			}
			return
		}
		rec(s+1, n, t)
		for c := 0; c < nc; c++ {
			if !math.IsInf(cost[s][c], 1) && load[c] < capacity {
				load[c]++
				rec(s+1, n+1, t+cost[s][c])
				load[c]--
			}
		}
	}
	rec(0, 0, 0)
	return bestN, bestT
}

func TestAssignStationsAgainstBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 3))
	for trial := 0; trial < 400; trial++ {
		ns, nc, capacity := 1+rng.IntN(7), 1+rng.IntN(3), 1+rng.IntN(3)
		var arcs []assignArc
		for s := 0; s < ns; s++ {
			for c := 0; c < nc; c++ {
				if rng.Float64() < 0.6 {
					arcs = append(arcs, assignArc{station: s, centre: c, seconds: float64(rng.IntN(50)) + rng.Float64()})
				}
			}
		}
		got := assignStations(ns, nc, capacity, append([]assignArc(nil), arcs...))
		cost := map[[2]int]float64{}
		for _, a := range arcs {
			cost[[2]int{a.station, a.centre}] = a.seconds
		}
		n, total := 0, 0.0
		load := make([]int, nc)
		for s, c := range got {
			if c < 0 {
				continue
			}
			sec, ok := cost[[2]int{s, c}]
			if !ok {
				t.Fatalf("trial %d: station %d assigned to centre %d out of reach", trial, s, c)
			}
			n++
			total += sec
			load[c]++
			if load[c] > capacity {
				t.Fatalf("trial %d: centre %d runs %d stations, capacity %d", trial, c, load[c], capacity)
			}
		}
		wantN, wantT := bruteAssign(ns, nc, capacity, arcs)
		if n != wantN || math.Abs(total-wantT) > 1e-9 {
			t.Fatalf("trial %d (%d stations, %d centres, capacity %d): assigned %d in %.3f s, brute force %d in %.3f s",
				trial, ns, nc, capacity, n, total, wantN, wantT)
		}
	}
}

// TestAssignStationsBeatsNearestFirst is the case the old greedy got
// wrong: station A is nearest to centre 0, which station B alone can
// reach; nearest-first gives 0 to A and leaves B without a centre.
func TestAssignStationsBeatsNearestFirst(t *testing.T) {
	arcs := []assignArc{{station: 0, centre: 0, seconds: 10}, {station: 0, centre: 1, seconds: 20}, {station: 1, centre: 0, seconds: 15}}
	got := assignStations(2, 2, 1, arcs)
	if got[0] != 1 || got[1] != 0 {
		t.Fatalf("assignment %v, want station 0 → centre 1 and station 1 → centre 0", got)
	}
}

// TestMergeLossIsWhatClosingLoses checks merge_loss_elders against the
// assessment after closing the station.
func TestMergeLossIsWhatClosingLoses(t *testing.T) {
	c := handTown(t)
	c.Facilities = append(c.Facilities,
		// S3 at 300 m reaches the homes at 100 and 400 m, like S1, and the
		// ones at 750 m ((450 + 100 for the steps) / 0.9 = 611 s) and 950 m
		// (833 s), which only it serves: closing it loses those 30 + 40
		// elders, closing S1 loses none.
		Facility{ID: "S3", Name: "甲社区第二站", Type: CommunityStation, Status: Operating, Location: townX(300), FloorArea: 220, Beds: 12, Community: "500100001001"})
	m, err := NewModel(context.Background(), c, testProfile(), nil)
	if err != nil {
		t.Fatal(err)
	}
	a, err := m.Baseline().Assess(context.Background(), "baseline")
	if err != nil {
		t.Fatal(err)
	}
	flagged := 0
	want := map[string]float64{"S1": 0, "S3": 70}
	for _, f := range a.Facilities {
		if f.MergeLossElders == nil {
			continue
		}
		flagged++
		if w, ok := want[f.ID]; !ok || *f.MergeLossElders != w {
			t.Errorf("%s: merge_loss_elders %v, want %v", f.ID, *f.MergeLossElders, w)
		}
		e := m.Baseline().Clone()
		before := e.Summary().City.EldersCovered15
		e.Remove(e.Index(f.ID))
		if lost := before - e.Summary().City.EldersCovered15; math.Abs(lost-*f.MergeLossElders) > 1e-9 {
			t.Errorf("%s: merge_loss_elders %v, closing it loses %v", f.ID, *f.MergeLossElders, lost)
		}
	}
	if flagged < 2 {
		t.Fatalf("%d stations flagged could_merge, want S1 and S3", flagged)
	}
}
