package data

import (
	"testing"

	"github.com/carecircle/carecircle/planner"
)

// A value that meets the standard as shown is never marked as failing it.
func TestIndicatorFailsAsShown(t *testing.T) {
	cases := []struct {
		key       string
		in        planner.Indicators
		wantFails bool
	}{
		{"coverage_15min", planner.Indicators{Coverage15: 1, EldersUncovered: 0}, false},
		{"coverage_15min", planner.Indicators{Coverage15: 0.99962, EldersUncovered: 1}, false}, // shows 100.0 %
		{"coverage_15min", planner.Indicators{Coverage15: 0.9994, EldersUncovered: 2}, true},   // shows 99.9 %
		{"coverage_15min", planner.Indicators{Coverage15: 0.5, EldersUncovered: 300}, true},
		{"elders_uncovered_15min", planner.Indicators{Coverage15: 0.99962, EldersUncovered: 1}, true},
		{"elders_uncovered_15min", planner.Indicators{EldersUncovered: 0.4}, false}, // shows 0
		{"floor_gap_m2", planner.Indicators{FloorGap: 0.4}, false},
		{"floor_gap_m2", planner.Indicators{FloorGap: 12}, true},
	}
	for _, c := range cases {
		if got := IndicatorFails(c.key, planner.LevelCommunity, &c.in, &planner.ProfileSummary{}); got != c.wantFails {
			t.Errorf("%s %+v: fails = %v, want %v", c.key, c.in, got, c.wantFails)
		}
	}
}

// Each gap's value and standard share one unit and format, and counts are
// whole numbers.
func TestGapValueUnits(t *testing.T) {
	cases := []struct {
		indicator string
		figure    string
		unit      string
		kind      NumberKind
	}{
		{"no_health_nearby", "", "米", KindArea}, // metres against metres, not minutes
		{"community_stations", "", "个", KindCount},
		{"street_centers", "", "个", KindCount},
		{"facilities_idle", "", "个", KindCount},
		{"coverage_15min", "", "%", KindShare},
		{"beds_per_1000_elders", "", "张/千名老人", KindRate},
		{"floor_provided_m2", "", "m²", KindArea},
		{"facilities_undersized", "community_station.min_floor_m2", "m²", KindArea},
		{"facilities_undersized", "street_center.min_beds", "张", KindCount},
	}
	for _, c := range cases {
		u, k := GapValueUnit(c.indicator, c.figure, "zh")
		if u != c.unit || k != c.kind {
			t.Errorf("%s: unit %q kind %v, want %q %v", c.indicator, u, k, c.unit, c.kind)
		}
	}
	for unit, want := range map[string]NumberKind{"elders": KindCount, "facilities": KindCount, "beds": KindCount, "m2": KindArea, "share": KindShare} {
		if got := gapShortfallKind(unit); got != want {
			t.Errorf("shortfall in %s: kind %v, want %v", unit, got, want)
		}
	}
}
