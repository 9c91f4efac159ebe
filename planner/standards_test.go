package planner

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

// fig is a figure with a placeholder source, for building test profiles.
func fig(v float64) Figure { return Figure{Value: v, Source: "test", Confidence: ConfidenceSetting} }

// testProfile is a valid profile with cn-default's figures, built in Go so
// that planner's tests do not depend on the YAML files in package data
// (whose own tests check the built-ins against the documents they cite).
func testProfile() *StandardsProfile {
	return &StandardsProfile{
		Name:  "test",
		Title: Text{ZH: "测试", EN: "Test"},
		Area: AreaNorms{
			LandPerResident:          fig(0.1),
			FloorPer100HouseholdsNew: fig(20),
			FloorPer100HouseholdsOld: fig(15),
			HouseholdSize:            fig(2.62),
			FacilityTypes:            []FacilityType{StreetCenter, CommunityStation, DayCare, Canteen, RuralPoint},
		},
		StreetCenter:     UnitNorm{PerUnit: fig(1), MinFloor: fig(1500), MinBeds: fig(50), FacilityTypes: []FacilityType{StreetCenter}},
		CommunityStation: UnitNorm{PerUnit: fig(1), MinFloor: fig(200), MinBeds: fig(10), FacilityTypes: []FacilityType{CommunityStation, RuralPoint}},
		DayCare:          SizeRange{MinFloor: fig(350), MaxFloor: fig(750)},
		ServiceCircle: ServiceCircleNorm{UrbanMinutes: fig(15), InnerBandMinutes: fig(5), MiddleBandMinutes: fig(10), RuralMetres: fig(1000),
			FacilityTypes: []FacilityType{StreetCenter, CommunityStation, DayCare, Canteen, RuralPoint}},
		Walking: WalkingNorm{SpeedMPS: fig(0.9), StepsFactor: fig(2), MaxSnapMetres: fig(500)},
		Beds: BedNorms{Per1000Elders: fig(40), NursingShare: fig(0.55),
			FacilityTypes:        []FacilityType{StreetCenter, CommunityStation, DayCare, RuralPoint, Institution},
			NursingFacilityTypes: []FacilityType{Institution}},
		Coverage:         CoverageNorm{DayCareCommunityShare: fig(0.9), FacilityTypes: []FacilityType{CommunityStation, DayCare}},
		CenterStations:   CenterStationsNorm{Enabled: false, StationsPerCenter: fig(10), ReachMetres: fig(3000)},
		HealthColocation: HealthColocationNorm{MaxDistanceMetres: fig(300), FacilityTypes: []FacilityType{StreetCenter, CommunityStation}, HealthTypes: []FacilityType{Health}},
		Priority:         PriorityNorm{Elder80Weight: fig(1)},
		StationMerge:     StationMergeNorm{OverlapShare: fig(0.7), FacilityTypes: []FacilityType{CommunityStation}},
		Supply:           SupplyRule{Statuses: []FacilityStatus{Operating}, Source: "test"},
		Accessibility:    AccessibilityNorm{Decay: DecayNone, CatchmentMinutes: fig(15)},
	}
}

func TestValidateAcceptsTestProfile(t *testing.T) {
	if err := testProfile().Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
}

func TestValidateNamesBadFields(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(p *StandardsProfile)
		fields []string // every field the error must name
	}{
		{"negative land", func(p *StandardsProfile) { p.Area.LandPerResident.Value = -0.1 }, []string{"area.land_per_resident_m2"}},
		{"zero land", func(p *StandardsProfile) { p.Area.LandPerResident.Value = 0 }, []string{"area.land_per_resident_m2"}},
		{"zero speed", func(p *StandardsProfile) { p.Walking.SpeedMPS.Value = 0 }, []string{"walking.speed_mps"}},
		{"NaN speed", func(p *StandardsProfile) { p.Walking.SpeedMPS.Value = math.NaN() }, []string{"walking.speed_mps"}},
		{"running elders", func(p *StandardsProfile) { p.Walking.SpeedMPS.Value = 5 }, []string{"walking.speed_mps"}},
		{"steps cheaper than flat", func(p *StandardsProfile) { p.Walking.StepsFactor.Value = 0.5 }, []string{"walking.steps_factor"}},
		{"share above 1", func(p *StandardsProfile) { p.Beds.NursingShare.Value = 55 }, []string{"beds.nursing_share"}},
		{"coverage above 1", func(p *StandardsProfile) { p.Coverage.DayCareCommunityShare.Value = 1.2 }, []string{"coverage.day_care_community_share"}},
		{"overlap zero", func(p *StandardsProfile) { p.StationMerge.OverlapShare.Value = 0 }, []string{"station_merge.overlap_share"}},
		{"minutes zero", func(p *StandardsProfile) { p.ServiceCircle.UrbanMinutes.Value = 0 }, []string{"service_circle.urban_minutes", "service_circle"}},
		{"minutes negative", func(p *StandardsProfile) { p.Accessibility.CatchmentMinutes.Value = -15 }, []string{"accessibility.catchment_minutes"}},
		{"bands not nested", func(p *StandardsProfile) { p.ServiceCircle.InnerBandMinutes.Value = 12 }, []string{"service_circle"}},
		{"fractional beds", func(p *StandardsProfile) { p.StreetCenter.MinBeds.Value = 49.5 }, []string{"street_center.min_beds"}},
		{"zero per unit", func(p *StandardsProfile) { p.CommunityStation.PerUnit.Value = 0 }, []string{"community_station.per_unit"}},
		{"day care range reversed", func(p *StandardsProfile) { p.DayCare.MinFloor.Value = 800 }, []string{"day_care"}},
		{"household size zero", func(p *StandardsProfile) { p.Area.HouseholdSize.Value = 0 }, []string{"area.household_size"}},
		{"80+ weight below 1", func(p *StandardsProfile) { p.Priority.Elder80Weight.Value = 0.5 }, []string{"priority.elder_80_weight"}},
		{"health distance negative", func(p *StandardsProfile) { p.HealthColocation.MaxDistanceMetres.Value = -1 }, []string{"health_colocation.max_distance_m"}},
		{"missing source", func(p *StandardsProfile) { p.Beds.Per1000Elders.Source = " " }, []string{"beds.per_1000_elders.source"}},
		{"bad confidence", func(p *StandardsProfile) { p.Beds.Per1000Elders.Confidence = "sure" }, []string{"beds.per_1000_elders.confidence"}},
		{"no name", func(p *StandardsProfile) { p.Name = "" }, []string{"name"}},
		{"no title", func(p *StandardsProfile) { p.Title = Text{} }, []string{"title"}},
		{"unknown type", func(p *StandardsProfile) { p.Beds.FacilityTypes[1] = "hospital" }, []string{"beds.facility_types[1]"}},
		{"duplicate type", func(p *StandardsProfile) { p.Coverage.FacilityTypes[1] = CommunityStation }, []string{"coverage.facility_types[1]"}},
		{"empty type list", func(p *StandardsProfile) { p.StationMerge.FacilityTypes = nil }, []string{"station_merge.facility_types"}},
		{"unknown status", func(p *StandardsProfile) { p.Supply.Statuses = []FacilityStatus{"运营"} }, []string{"supply.statuses[0]"}},
		{"no supply", func(p *StandardsProfile) { p.Supply.Statuses = nil }, []string{"supply.statuses"}},
		{"supply without source", func(p *StandardsProfile) { p.Supply.Source = "" }, []string{"supply.source"}},
		{"unknown decay", func(p *StandardsProfile) { p.Accessibility.Decay = "exponential" }, []string{"accessibility.decay"}},
		{"center stations on without reach", func(p *StandardsProfile) {
			p.CenterStations.Enabled = true
			p.CenterStations.ReachMetres.Value = 0
		}, []string{"center_stations.reach_m"}},
		{"two problems at once", func(p *StandardsProfile) {
			p.Walking.SpeedMPS.Value = 0
			p.Area.LandPerResident.Value = -1
		}, []string{"walking.speed_mps", "area.land_per_resident_m2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := testProfile()
			tt.edit(p)
			err := p.Validate()
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Validate() = %v, want a *ValidationError", err)
			}
			got := map[string]bool{}
			for _, pr := range ve.Problems {
				got[pr.Field] = true
			}
			for _, f := range tt.fields {
				if !got[f] {
					t.Errorf("error does not name %s: %v", f, err)
				}
				if !strings.Contains(err.Error(), f+":") {
					t.Errorf("message does not name %s: %v", f, err)
				}
			}
		})
	}
}

// The dotted keys of Figures must be the yaml paths of the fields they
// point to, or errors and docs would name keys a user cannot find.
func TestFigureKeysMatchYAMLTags(t *testing.T) {
	p := testProfile()
	seen := map[string]bool{}
	for _, f := range p.Figures() {
		if seen[f.Key] {
			t.Errorf("key %s listed twice", f.Key)
		}
		seen[f.Key] = true
		v := reflect.ValueOf(p).Elem()
		for _, part := range strings.Split(f.Key, ".") {
			found := false
			for i := 0; i < v.NumField(); i++ {
				tag, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("yaml"), ",")
				if tag == part {
					v, found = v.Field(i), true
					break
				}
			}
			if !found {
				t.Fatalf("%s: no yaml key %q", f.Key, part)
			}
		}
		if v.Addr().Interface().(*Figure) != f.Figure {
			t.Errorf("%s points to the wrong field", f.Key)
		}
		if f.Label.ZH == "" || f.Label.EN == "" {
			t.Errorf("%s lacks a label", f.Key)
		}
	}
	// Every Figure field of the profile must be listed.
	var count func(v reflect.Value) int
	count = func(v reflect.Value) int {
		if v.Type() == reflect.TypeOf(Figure{}) {
			return 1
		}
		n := 0
		if v.Kind() == reflect.Struct {
			for i := 0; i < v.NumField(); i++ {
				n += count(v.Field(i))
			}
		}
		return n
	}
	if n := count(reflect.ValueOf(*p)); n != len(seen) {
		t.Errorf("profile has %d figures, Figures lists %d", n, len(seen))
	}
}

func TestWorkedFigures(t *testing.T) {
	cn := testProfile()
	cq := testProfile()
	cq.Area.LandPerResident.Value = 0.2
	cq.Area.HouseholdSize.Value = 2.45
	tests := []struct {
		name      string
		got, want float64
		tol       float64
	}{
		// 恩阳区 (恩民政函〔2021〕3号): 642,513 residents.
		{"恩阳区 land, cn-default", cn.LandRequired(642513), 64251.3, 1e-6},
		{"恩阳区 land, chongqing", cq.LandRequired(642513), 128502.6, 1e-6},
		// 2,783 beds for 130,876 elders 60+: the letter rounds to 21.
		{"恩阳区 beds per 1000", BedsPer1000(2783, 130876), 21.26, 0.005},
		{"恩阳区 beds needed at 40‰", cn.BedsRequired(130876), 5235.04, 1e-6},
		{"no elders", BedsPer1000(10, 0), 0, 0},
		// 15 min at 0.9 m/s.
		{"urban circle metres", cn.UrbanCircleMetres(), 810, 1e-9},
		{"floor, new area, 1000 households", cn.FloorRequired(1000, NewResidential), 200, 1e-9},
		{"floor, old area, 1000 households", cn.FloorRequired(1000, OldResidential), 150, 1e-9},
		{"floor, unknown age uses new norm", cn.FloorRequired(1000, ""), 200, 1e-9},
		{"households from residents, national", cn.Households(2620), 1000, 1e-9},
		{"households from residents, chongqing", cq.Households(2450), 1000, 1e-9},
		// 恩阳区: 130,876 elders 60+, 11,604 of them 80+.
		{"demand, weight 1", cn.DemandWeight(130876, 11604), 130876, 0},
		{"demand, weight 1.5", func() float64 {
			s := testProfile()
			s.Priority.Elder80Weight.Value = 1.5
			return s.DemandWeight(130876, 11604)
		}(), 136678, 1e-9},
	}
	for _, tt := range tests {
		if math.Abs(tt.got-tt.want) > tt.tol {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	if got := cn.Bands(); !reflect.DeepEqual(got, []float64{5, 10, 15}) {
		t.Errorf("Bands() = %v, want [5 10 15]", got)
	}
	if !cn.CountsAsSupply(Operating) || cn.CountsAsSupply(Idle) || cn.CountsAsSupply(Proposed) {
		t.Error("only operating facilities count as supply by default")
	}
	// 资阳市 (资民函〔2020〕61号): 201 day-care centres, 35 idle → 166 supply.
	supply := 0
	for i := 0; i < 201; i++ {
		st := Operating
		if i < 35 {
			st = Idle
		}
		if cn.CountsAsSupply(st) {
			supply++
		}
	}
	if supply != 166 {
		t.Errorf("资阳市 supply = %d, want 166", supply)
	}
}

func TestDecayWeight(t *testing.T) {
	tests := []struct {
		d         DecayKind
		t, t0     float64
		want, tol float64
	}{
		{DecayNone, 0, 15, 1, 0},
		{DecayNone, 15, 15, 1, 0},
		{DecayNone, 15.1, 15, 0, 0},
		{DecayLinear, 0, 15, 1, 0},
		{DecayLinear, 7.5, 15, 0.5, 1e-12},
		{DecayLinear, 15, 15, 0, 1e-12},
		{DecayGaussian, 0, 15, 1, 1e-12},
		{DecayGaussian, 15, 15, 0, 1e-12},
		{DecayGaussian, 7.5, 15, (math.Exp(-0.125) - math.Exp(-0.5)) / (1 - math.Exp(-0.5)), 1e-12},
		{DecayKind("bogus"), 1, 15, 0, 0},
		{DecayLinear, 1, 0, 0, 0},
	}
	for _, tt := range tests {
		if got := tt.d.Weight(tt.t, tt.t0); math.Abs(got-tt.want) > tt.tol {
			t.Errorf("%s.Weight(%v, %v) = %v, want %v", tt.d, tt.t, tt.t0, got, tt.want)
		}
	}
}
