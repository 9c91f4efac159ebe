package siting

import (
	"strings"
	"testing"
)

func TestCandidateNumbersOutOfRange(t *testing.T) {
	cand := Candidate{MaxFloorArea: 2e6}
	if err := cand.CheckNumbers(); err == nil || !strings.HasPrefix(err.Error(), "max_floor_area_m2: 2000000 is outside") {
		t.Errorf("candidate: %v", err)
	}
	ok := Candidate{FloorArea: 200, MaxFloorArea: 800}
	if err := ok.CheckNumbers(); err != nil {
		t.Errorf("candidate within range: %v", err)
	}
}

// TestOptimizeRequestRanges: the optimiser's request refuses absurd floor
// areas, in the request, its menu and its candidates.
func TestOptimizeRequestRanges(t *testing.T) {
	for _, c := range []struct {
		r    OptimizeRequest
		want string
	}{
		{OptimizeRequest{Sites: 1, FloorArea: 1e308}, "optimize: floor_area_m2: 1e+308 is outside the plausible range 0 to 1000000 m²"},
		{OptimizeRequest{Sites: 1, Candidates: []Candidate{{}, {FloorArea: 1e308}}}, "optimize: candidates[1]: floor_area_m2: 1e+308 is outside the plausible range 0 to 1000000 m²"},
		{OptimizeRequest{Problem: ProblemCapacitated, Budget: 1, Menu: []SizeOption{{FloorArea: 2e6, Cost: 1}}}, "optimize: menu[0]: floor_area_m2: 2000000 is outside the plausible range 0 to 1000000 m²"},
	} {
		if err := c.r.Validate(); err == nil || err.Error() != c.want {
			t.Errorf("%+v: err %v, want %q", c.r, err, c.want)
		}
	}
}
