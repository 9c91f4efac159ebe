package planner

import (
	"math"
	"strings"
	"testing"
)

// TestFacilityNumberRanges: a facility with an absurd number is refused,
// naming the field and its range, wherever it comes from.
func TestFacilityNumberRanges(t *testing.T) {
	ok := Facility{ID: "F1", Type: CommunityStation, Status: Operating, Location: townX(100), FloorArea: 300, Beds: 10}
	for _, c := range []struct {
		edit func(*Facility)
		want string // "" for valid
	}{
		{func(*Facility) {}, ""},
		{func(f *Facility) { f.Beds = 1e308 }, "beds: 1e+308 is outside the plausible range 0 to 100000 beds"},
		{func(f *Facility) { f.FloorArea = 1.797e308 }, "floor_area_m2: 1.797e+308 is outside the plausible range 0 to 1000000 m²"},
		{func(f *Facility) { f.LandArea = math.Inf(1) }, "land_area_m2: +Inf is outside the plausible range 0 to 10000000 m²"},
		{func(f *Facility) { f.NursingBeds = math.NaN() }, "nursing_beds: NaN is outside the plausible range 0 to 100000 beds"},
		{func(f *Facility) { f.Beds = -1 }, "beds: -1 is outside the plausible range 0 to 100000 beds"},
		{func(f *Facility) { f.Beds = 100000 }, ""},
	} {
		f := ok
		c.edit(&f)
		err := f.Validate()
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%+v: %v", f, err)
		case c.want != "" && (err == nil || err.Error() != c.want):
			t.Errorf("%+v: err %v, want %q", f, err, c.want)
		}
	}
	p := Population{Residents: 1e308}
	if err := p.Check(); err == nil || err.Error() != "residents: 1e+308 is outside the plausible range 0 to 100000000 people" {
		t.Errorf("population: %v", err)
	}
}

// TestStoredScenarioOutOfRange: a stored scenario holding beds: 1e308 (an
// older store accepted it) does not evaluate; the error names the scenario
// and the facility.
func TestStoredScenarioOutOfRange(t *testing.T) {
	m := newHandModel(t)
	bad := Facility{ID: "P1", Name: "拟建站", Type: CommunityStation, Status: Proposed, Location: townX(800), FloorArea: 200, Beds: 1e308}
	for _, s := range []*Scenario{
		{ID: "s1", Added: []Facility{bad}},
		{ID: "s1", Changed: []Facility{func() Facility { f := m.City.Facilities[0]; f.Beds = 1e308; return f }()}},
	} {
		_, err := s.Apply(m.Baseline())
		if err == nil || !strings.HasPrefix(err.Error(), `scenario s1, facility "`) || !strings.HasSuffix(err.Error(), `": beds: 1e+308 is outside the plausible range 0 to 100000 beds`) {
			t.Errorf("err %v; want one naming scenario s1, the facility and beds", err)
		}
	}
}
