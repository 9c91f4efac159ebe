package planner

import (
	"strings"
	"testing"
)

// An undersized facility's message names only what falls short, and never
// shows a figure that meets the minimum as if it were below it.
func TestUndersizedMessage(t *testing.T) {
	centre := &UnitNorm{MinFloor: Figure{Value: 1500}, MinBeds: Figure{Value: 50}}
	station := &UnitNorm{MinFloor: Figure{Value: 200}, MinBeds: Figure{Value: 10}}
	cases := []struct {
		norm              *UnitNorm
		floor, beds       float64
		wantZH, wantEN    string
		notZH, notEN      string
		floorShort, short bool
	}{
		{centre, 600, 60, "建筑面积600平方米，低于1500平方米", "600 m² of floor, below the minimum of 1500 m²", "床位", "beds", true, false},
		{centre, 1600, 13, "床位13张，低于50张", "13 beds, below the minimum of 50", "建筑面积", "floor", false, true},
		{station, 150, 10, "建筑面积150平方米，低于200平方米", "150 m² of floor", "床位", "beds", true, false},
		{station, 180, 9.6, "床位9张，低于10张", "9 beds, below the minimum of 10", "床位10张", "10 beds,", true, true},
		{station, 199.7, 12, "建筑面积199平方米，低于200平方米", "199 m²", "200平方米，低于200", "200 m² of floor", true, false},
	}
	for _, c := range cases {
		f := &Facility{Name: "某站", FloorArea: c.floor, Beds: c.beds}
		m := undersizedMessage(f, c.norm, c.floor < c.norm.MinFloor.Value, c.beds < c.norm.MinBeds.Value)
		if !strings.Contains(m.ZH, c.wantZH) || !strings.Contains(m.EN, c.wantEN) {
			t.Errorf("%v m², %v beds: %q / %q, want %q / %q", c.floor, c.beds, m.ZH, m.EN, c.wantZH, c.wantEN)
		}
		if c.floorShort && c.short {
			continue // both short: both named
		}
		if strings.Contains(m.ZH, c.notZH) || strings.Contains(m.EN, c.notEN) {
			t.Errorf("%v m², %v beds: %q / %q names %q / %q, which meets the minimum", c.floor, c.beds, m.ZH, m.EN, c.notZH, c.notEN)
		}
	}
}
