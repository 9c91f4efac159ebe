// Package planner is CareCircle's domain: facility types, regions,
// standards profiles, coverage, gaps, accessibility, scenarios and siting.
// It knows nothing of files or HTTP.
package planner

import (
	"fmt"
	"math"
	"strings"

	"github.com/carecircle/carecircle/geo"
)

// Text is a label or sentence in Chinese and English. Chinese comes first:
// the reports go to Chinese civil-affairs bureaus.
type Text struct {
	ZH string `yaml:"zh" json:"zh"`
	EN string `yaml:"en" json:"en"`
}

// String returns the Chinese text, or the English when there is no Chinese.
func (t Text) String() string {
	if t.ZH != "" {
		return t.ZH
	}
	return t.EN
}

// Confidence says how sure we are of a figure (see docs/standards-profiles.md).
type Confidence string

// Confidence levels.
const (
	// ConfidenceVerified figures were read in the document: its clause quotes the text.
	ConfidenceVerified Confidence = "verified"
	// ConfidenceObserved figures describe what a place has, not what it must have.
	ConfidenceObserved Confidence = "observed"
	// ConfidenceUnverified figures are quoted second hand and not yet checked
	// against the text of their source.
	ConfidenceUnverified Confidence = "unverified"
	// ConfidenceSetting marks a modelling choice of CareCircle, not a figure from a
	// standard; reports should say so.
	ConfidenceSetting Confidence = "setting"
)

// Valid reports whether c is empty (unstated) or one of the constants.
func (c Confidence) Valid() bool {
	switch c {
	case "", ConfidenceVerified, ConfidenceObserved, ConfidenceUnverified, ConfidenceSetting:
		return true
	}
	return false
}

// Figure is one threshold of a standard together with where it comes from,
// so that every judgement can name "clause and source". Assessment code
// reads Value; reports print Source and Clause.
type Figure struct {
	// Value is the threshold in the unit named by its key (see Figures).
	Value float64 `yaml:"value" json:"value"`
	// Source cites the document as a bureau would: issuing body, 《title》,
	// document number and date, e.g. "国务院《关于加快发展养老服务业的若干意见》（国发〔2013〕35号）".
	Source string `yaml:"source" json:"source"`
	// Clause quotes or locates the sentence that sets the figure.
	Clause string `yaml:"clause,omitempty" json:"clause,omitempty"`
	// Confidence says how sure we are; empty means unstated.
	Confidence Confidence `yaml:"confidence,omitempty" json:"confidence,omitempty"`
}

// DecayKind is the distance-decay function of the 2SFCA accessibility
// measure.
type DecayKind string

// Decay functions.
const (
	// DecayNone weighs every demand point inside the catchment fully
	// (classic 2SFCA).
	DecayNone DecayKind = "none"
	// DecayLinear weighs 1 − t/t₀.
	DecayLinear DecayKind = "linear"
	// DecayGaussian is the Gaussian 2SFCA weight of Dai (2010):
	// (e^(−½(t/t₀)²) − e^(−½)) / (1 − e^(−½)), 1 at the facility and 0 at
	// the catchment's edge.
	DecayGaussian DecayKind = "gaussian"
)

// Valid reports whether d is one of the constants.
func (d DecayKind) Valid() bool { return d == DecayNone || d == DecayLinear || d == DecayGaussian }

// Weight returns the decay weight of a demand point t minutes from a
// facility with catchment t0 minutes: 1 at t = 0, falling to 0 at t0 (for
// DecayNone it stays 1), and 0 beyond t0 or for an unknown kind.
func (d DecayKind) Weight(t, t0 float64) float64 {
	if t < 0 || t > t0 || !(t0 > 0) {
		return 0
	}
	switch d {
	case DecayNone:
		return 1
	case DecayLinear:
		return 1 - t/t0
	case DecayGaussian:
		edge := math.Exp(-0.5)
		r := t / t0
		return (math.Exp(-0.5*r*r) - edge) / (1 - edge)
	}
	return 0
}

// StandardsProfile is every threshold CareCircle judges a city against,
// each with its source. Profiles live in YAML files (see package data and
// docs/standards-profiles.md); the yaml keys below are the file format, and the
// dotted keys of Figures name fields in errors and reports.
type StandardsProfile struct {
	// Name is the profile's identifier, e.g. "cn-default".
	Name string `yaml:"name" json:"name"`
	// Base names the profile this one was derived from, if any (a user
	// file's "base:"); it is kept so a report can say so.
	Base string `yaml:"base,omitempty" json:"base,omitempty"`
	// Title is the profile's display name.
	Title Text `yaml:"title" json:"title"`
	// Description says what the profile is for and how it differs.
	Description Text `yaml:"description" json:"description"`

	// Area holds the per-capita land and per-household floor norms.
	Area AreaNorms `yaml:"area" json:"area"`
	// StreetCenter is "one centre per street/town" and its minimum size.
	StreetCenter UnitNorm `yaml:"street_center" json:"street_center"`
	// CommunityStation is "one station per community/village" and its
	// minimum size.
	CommunityStation UnitNorm `yaml:"community_station" json:"community_station"`
	// DayCare is the size range of a day-care centre.
	DayCare SizeRange `yaml:"day_care" json:"day_care"`
	// ServiceCircle is the walking budgets of the service circles.
	ServiceCircle ServiceCircleNorm `yaml:"service_circle" json:"service_circle"`
	// Walking prices a walk: elder speed and the penalty of steps.
	Walking WalkingNorm `yaml:"walking" json:"walking"`
	// Beds holds the bed norms for elders 60+.
	Beds BedNorms `yaml:"beds" json:"beds"`
	// Coverage is the target share of communities with day care.
	Coverage CoverageNorm `yaml:"coverage" json:"coverage"`
	// CenterStations is 中心带站: a street centre runs nearby stations.
	CenterStations CenterStationsNorm `yaml:"center_stations" json:"center_stations"`
	// HealthColocation is 医养结合: elder care in or next to health care.
	HealthColocation HealthColocationNorm `yaml:"health_colocation" json:"health_colocation"`
	// Priority weighs elders 80+ in demand.
	Priority PriorityNorm `yaml:"priority" json:"priority"`
	// StationMerge flags stations whose catchments overlap enough to merge.
	StationMerge StationMergeNorm `yaml:"station_merge" json:"station_merge"`
	// Supply says which facility statuses count as supply.
	Supply SupplyRule `yaml:"supply" json:"supply"`
	// Accessibility configures the 2SFCA floor-area-per-elder measure.
	Accessibility AccessibilityNorm `yaml:"accessibility" json:"accessibility"`
}

// AreaNorms are the per-capita land and per-household floor-area norms for
// community elder-care facilities. Land per resident is judged against all
// residents; floor per 100 households against households (estimated from
// residents and HouseholdSize where a region has no household count).
type AreaNorms struct {
	// LandPerResident is elder-care land, m² per resident (≥).
	LandPerResident Figure `yaml:"land_per_resident_m2" json:"land_per_resident_m2"`
	// FloorPer100HouseholdsNew is facility floor area, m² per 100
	// households, in new residential areas (≥).
	FloorPer100HouseholdsNew Figure `yaml:"floor_per_100_households_new_m2" json:"floor_per_100_households_new_m2"`
	// FloorPer100HouseholdsOld is the same for old residential areas (≥).
	FloorPer100HouseholdsOld Figure `yaml:"floor_per_100_households_old_m2" json:"floor_per_100_households_old_m2"`
	// HouseholdSize is persons per household, used to estimate households.
	HouseholdSize Figure `yaml:"household_size" json:"household_size"`
	// FacilityTypes are the types whose land and floor area count towards
	// these norms (the norms are for community facilities, so residential
	// institutions and health facilities are normally left out).
	FacilityTypes []FacilityType `yaml:"facility_types" json:"facility_types"`
}

// UnitNorm is "PerUnit facilities per administrative unit, each at least
// MinFloor m² and MinBeds beds": one centre per street, one station per
// community.
type UnitNorm struct {
	// PerUnit is the number of facilities each unit must have (≥).
	PerUnit Figure `yaml:"per_unit" json:"per_unit"`
	// MinFloor is each facility's minimum floor area, m².
	MinFloor Figure `yaml:"min_floor_m2" json:"min_floor_m2"`
	// MinBeds is each facility's minimum number of beds.
	MinBeds Figure `yaml:"min_beds" json:"min_beds"`
	// FacilityTypes are the types that fill the unit's place (e.g. a
	// rural point is the "站(点)" of a village).
	FacilityTypes []FacilityType `yaml:"facility_types" json:"facility_types"`
}

// SizeRange is a recommended floor-area range for one facility.
type SizeRange struct {
	// MinFloor is the smallest recommended floor area, m².
	MinFloor Figure `yaml:"min_floor_m2" json:"min_floor_m2"`
	// MaxFloor is the largest recommended floor area, m².
	MaxFloor Figure `yaml:"max_floor_m2" json:"max_floor_m2"`
}

// ServiceCircleNorm is the walking budget within which elders count as served
// ("service circle", 服务圈), plus the inner bands reported alongside.
type ServiceCircleNorm struct {
	// UrbanMinutes is the urban circle, minutes of elder walking ("一刻钟").
	UrbanMinutes Figure `yaml:"urban_minutes" json:"urban_minutes"`
	// InnerBandMinutes is the innermost reporting band (5-minute life circle).
	InnerBandMinutes Figure `yaml:"inner_band_minutes" json:"inner_band_minutes"`
	// MiddleBandMinutes is the middle reporting band (10-minute life circle).
	MiddleBandMinutes Figure `yaml:"middle_band_minutes" json:"middle_band_minutes"`
	// RuralMetres is the rural circle, metres along the network ("一公里").
	RuralMetres Figure `yaml:"rural_m" json:"rural_m"`
	// FacilityTypes are the types whose reach makes an elder "served": the
	// community-level services of the 一刻钟养老服务圈.
	FacilityTypes []FacilityType `yaml:"facility_types" json:"facility_types"`
}

// WalkingNorm prices elders' walking on the network.
type WalkingNorm struct {
	// SpeedMPS is elders' walking speed on the flat, m/s.
	SpeedMPS Figure `yaml:"speed_mps" json:"speed_mps"`
	// StepsFactor multiplies the time spent on steps (highway=steps).
	StepsFactor Figure `yaml:"steps_factor" json:"steps_factor"`
	// MaxSnapMetres is how far, in metres, a home or facility may be from
	// the nearest walkway and still be joined to the network (by a straight
	// leg walked at SpeedMPS); farther points are "off the network":
	// their elders count as uncovered and are reported.
	MaxSnapMetres Figure `yaml:"max_snap_m" json:"max_snap_m"`
}

// DefaultMaxSnap is walking.max_snap_m for a profile file that gives every
// figure but this one (it was added after the others): geo.DefaultMaxSnap,
// as a CareCircle setting.
func DefaultMaxSnap() Figure {
	return Figure{Value: geo.DefaultMaxSnap, Confidence: ConfidenceSetting,
		Source: "CareCircle setting: a home or facility more than 500 m from any mapped walkway is more likely misplaced than reached"}
}

// BedNorms are bed provision norms, judged against elders 60+.
type BedNorms struct {
	// Per1000Elders is beds per 1000 elders aged 60+ (≥).
	Per1000Elders Figure `yaml:"per_1000_elders" json:"per_1000_elders"`
	// NursingShare is the share of nursing-type beds (护理型床位) among
	// the beds of NursingFacilityTypes (≥, 0–1).
	NursingShare Figure `yaml:"nursing_share" json:"nursing_share"`
	// FacilityTypes are the types whose beds count per 1000 elders
	// ("各类养老床位", 恩民政函〔2021〕3号).
	FacilityTypes []FacilityType `yaml:"facility_types" json:"facility_types"`
	// NursingFacilityTypes are the types whose beds the nursing share is
	// measured over (the 14th Five-Year plan's indicator is for
	// institutions).
	NursingFacilityTypes []FacilityType `yaml:"nursing_facility_types" json:"nursing_facility_types"`
}

// CoverageNorm is the target share of communities that have day care.
type CoverageNorm struct {
	// DayCareCommunityShare is the share of communities (0–1) that must
	// have an operating facility of FacilityTypes (≥).
	DayCareCommunityShare Figure `yaml:"day_care_community_share" json:"day_care_community_share"`
	// FacilityTypes are the types that count as day care (日间照料机构).
	FacilityTypes []FacilityType `yaml:"facility_types" json:"facility_types"`
}

// CenterStationsNorm is 中心带站 (渝民函〔2020〕245号): a street centre runs all the
// stations of its street, or about StationsPerCenter stations within
// ReachMetres.
type CenterStationsNorm struct {
	// Enabled turns the 中心带站 checks on (stations with no centre, centres
	// running too many stations).
	Enabled bool `yaml:"enabled" json:"enabled"`
	// StationsPerCenter is how many stations one centre runs (≈).
	StationsPerCenter Figure `yaml:"stations_per_center" json:"stations_per_center"`
	// ReachMetres is how far along the network a centre's stations may be,
	// for stations outside the centre's own street.
	ReachMetres Figure `yaml:"reach_m" json:"reach_m"`
}

// HealthColocationNorm is 医养结合: elder-care facilities in or next to a
// community health facility (恩民政函〔2021〕3号, 渝民函〔2020〕245号). "Next to" is a setting.
type HealthColocationNorm struct {
	// MaxDistanceMetres is how far along the network the nearest health
	// facility may be for the elder-care facility to count as "next to" it.
	MaxDistanceMetres Figure `yaml:"max_distance_m" json:"max_distance_m"`
	// FacilityTypes are the elder-care types checked.
	FacilityTypes []FacilityType `yaml:"facility_types" json:"facility_types"`
	// HealthTypes are the types that count as health facilities.
	HealthTypes []FacilityType `yaml:"health_types" json:"health_types"`
}

// PriorityNorm weighs cohorts in demand.
type PriorityNorm struct {
	// Elder80Weight is the demand weight of an elder aged 80+ relative to
	// one aged 60–79 (1 = no priority).
	Elder80Weight Figure `yaml:"elder_80_weight" json:"elder_80_weight"`
}

// StationMergeNorm flags pairs of stations that could merge (渝北民〔2025〕68号 merged
// two adjacent stations).
type StationMergeNorm struct {
	// OverlapShare is the share (0–1) of the smaller catchment's elders
	// that must also lie in the other's catchment.
	OverlapShare Figure `yaml:"overlap_share" json:"overlap_share"`
	// FacilityTypes are the types checked for overlap.
	FacilityTypes []FacilityType `yaml:"facility_types" json:"facility_types"`
}

// SupplyRule says which facilities serve elders.
type SupplyRule struct {
	// Statuses are the facility statuses that count as supply.
	Statuses []FacilityStatus `yaml:"statuses" json:"statuses"`
	// Source says why.
	Source string `yaml:"source" json:"source"`
	// Clause quotes or locates the sentence behind it.
	Clause string `yaml:"clause,omitempty" json:"clause,omitempty"`
}

// AccessibilityNorm configures the two-step floating catchment area (2SFCA)
// measure of floor area per elder.
type AccessibilityNorm struct {
	// Decay is the distance-decay function inside the catchment.
	Decay DecayKind `yaml:"decay" json:"decay"`
	// CatchmentMinutes is the 2SFCA catchment, minutes of elder walking.
	CatchmentMinutes Figure `yaml:"catchment_minutes" json:"catchment_minutes"`
}

// FigureRef is one figure of a profile with its dotted key (as in the
// profile file and in error messages), unit and label.
type FigureRef struct {
	// Key is the dotted path in the profile file, e.g. "walking.speed_mps".
	Key string
	// Unit is the figure's unit, e.g. "m/s"; "" for dimensionless counts.
	Unit string
	// Label names the figure for reports.
	Label Text
	// Figure points into the profile.
	*Figure
	rule figureRule
}

// figureRule bounds a figure's value. Bounds are generous: they catch
// nonsense (negative area, zero speed, a share above 1), not policy.
type figureRule struct {
	min, max float64
	minOpen  bool // value must be > min rather than ≥ min
	integer  bool
}

func (r figureRule) check(v float64) string {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return fmt.Sprintf("must be a finite number, got %v", v)
	case r.minOpen && !(v > r.min):
		return fmt.Sprintf("must be > %g, got %g", r.min, v)
	case !r.minOpen && !(v >= r.min):
		return fmt.Sprintf("must be ≥ %g, got %g", r.min, v)
	case v > r.max:
		return fmt.Sprintf("must be ≤ %g, got %g", r.max, v)
	case r.integer && v != math.Trunc(v):
		return fmt.Sprintf("must be a whole number, got %g", v)
	}
	return ""
}

var (
	positive = func(max float64) figureRule { return figureRule{min: 0, max: max, minOpen: true} }
	nonNeg   = func(max float64) figureRule { return figureRule{min: 0, max: max} }
	share    = figureRule{min: 0, max: 1, minOpen: true}
	count    = func(min, max float64) figureRule { return figureRule{min: min, max: max, integer: true} }
)

// Figures lists every figure of the profile in file order, each pointing
// into p, so that validation, documentation and reports walk one list.
func (p *StandardsProfile) Figures() []FigureRef {
	f := func(key, unit, zh, en string, fig *Figure, rule figureRule) FigureRef {
		return FigureRef{Key: key, Unit: unit, Label: Text{ZH: zh, EN: en}, Figure: fig, rule: rule}
	}
	return []FigureRef{
		f("area.land_per_resident_m2", "m²/resident", "人均养老服务设施用地", "elder-care land per resident", &p.Area.LandPerResident, positive(100)),
		f("area.floor_per_100_households_new_m2", "m²/100 households", "新建居住区每百户养老服务设施建筑面积", "floor area per 100 households, new areas", &p.Area.FloorPer100HouseholdsNew, positive(10000)),
		f("area.floor_per_100_households_old_m2", "m²/100 households", "老旧居住区每百户养老服务设施建筑面积", "floor area per 100 households, old areas", &p.Area.FloorPer100HouseholdsOld, positive(10000)),
		f("area.household_size", "persons/household", "户均人口", "persons per household", &p.Area.HouseholdSize, figureRule{min: 1, max: 20}),
		f("street_center.per_unit", "per street", "每街道(乡镇)养老服务中心数", "centres per street/town", &p.StreetCenter.PerUnit, count(1, 100)),
		f("street_center.min_floor_m2", "m²", "街道养老服务中心最小建筑面积", "street centre minimum floor area", &p.StreetCenter.MinFloor, nonNeg(1e6)),
		f("street_center.min_beds", "beds", "街道养老服务中心最少床位", "street centre minimum beds", &p.StreetCenter.MinBeds, count(0, 1e5)),
		f("community_station.per_unit", "per community", "每社区(村)养老服务站数", "stations per community/village", &p.CommunityStation.PerUnit, count(1, 100)),
		f("community_station.min_floor_m2", "m²", "社区养老服务站最小建筑面积", "community station minimum floor area", &p.CommunityStation.MinFloor, nonNeg(1e6)),
		f("community_station.min_beds", "beds", "社区养老服务站最少床位", "community station minimum beds", &p.CommunityStation.MinBeds, count(0, 1e5)),
		f("day_care.min_floor_m2", "m²", "日间照料中心最小建筑面积", "day-care centre minimum floor area", &p.DayCare.MinFloor, nonNeg(1e6)),
		f("day_care.max_floor_m2", "m²", "日间照料中心最大建筑面积", "day-care centre maximum floor area", &p.DayCare.MaxFloor, positive(1e6)),
		f("service_circle.urban_minutes", "min", "城市养老服务圈步行时间", "urban service circle, walking minutes", &p.ServiceCircle.UrbanMinutes, positive(180)),
		f("service_circle.inner_band_minutes", "min", "内圈步行时间(5分钟生活圈)", "inner band, walking minutes", &p.ServiceCircle.InnerBandMinutes, positive(180)),
		f("service_circle.middle_band_minutes", "min", "中圈步行时间(10分钟生活圈)", "middle band, walking minutes", &p.ServiceCircle.MiddleBandMinutes, positive(180)),
		f("service_circle.rural_m", "m", "农村养老服务圈距离", "rural service circle, network metres", &p.ServiceCircle.RuralMetres, positive(50000)),
		f("walking.speed_mps", "m/s", "老年人步行速度", "elders' walking speed", &p.Walking.SpeedMPS, positive(3)),
		f("walking.steps_factor", "×", "台阶时间系数", "time factor on steps", &p.Walking.StepsFactor, figureRule{min: 1, max: 20}),
		f("walking.max_snap_m", "m", "距步行网络最远接入距离", "farthest a home or facility may be from a walkway", &p.Walking.MaxSnapMetres, positive(5000)),
		f("beds.per_1000_elders", "beds/1000 elders 60+", "每千名老年人养老床位数", "beds per 1000 elders 60+", &p.Beds.Per1000Elders, positive(1000)),
		f("beds.nursing_share", "share", "护理型床位占比", "nursing-type bed share", &p.Beds.NursingShare, share),
		f("coverage.day_care_community_share", "share", "社区日间照料机构覆盖率", "share of communities with day care", &p.Coverage.DayCareCommunityShare, share),
		f("center_stations.stations_per_center", "stations", "中心带站: 每中心托管站数", "stations run per centre", &p.CenterStations.StationsPerCenter, count(0, 1000)),
		f("center_stations.reach_m", "m", "中心带站: 托管距离", "centre-to-station reach, network metres", &p.CenterStations.ReachMetres, nonNeg(100000)),
		f("health_colocation.max_distance_m", "m", "医养结合: 邻近距离", "health facility 'next to' distance, network metres", &p.HealthColocation.MaxDistanceMetres, positive(10000)),
		f("priority.elder_80_weight", "×", "80岁以上老人权重", "weight of elders 80+", &p.Priority.Elder80Weight, figureRule{min: 1, max: 10}),
		f("station_merge.overlap_share", "share", "可合并站点服务范围重叠比例", "catchment overlap share for merging", &p.StationMerge.OverlapShare, share),
		f("accessibility.catchment_minutes", "min", "2SFCA 服务范围步行时间", "2SFCA catchment, walking minutes", &p.Accessibility.CatchmentMinutes, positive(180)),
	}
}

// typeLists lists the facility-type lists of the profile with their keys.
func (p *StandardsProfile) typeLists() []struct {
	key   string
	types []FacilityType
} {
	type tl = struct {
		key   string
		types []FacilityType
	}
	return []tl{
		{"area.facility_types", p.Area.FacilityTypes},
		{"service_circle.facility_types", p.ServiceCircle.FacilityTypes},
		{"street_center.facility_types", p.StreetCenter.FacilityTypes},
		{"community_station.facility_types", p.CommunityStation.FacilityTypes},
		{"beds.facility_types", p.Beds.FacilityTypes},
		{"beds.nursing_facility_types", p.Beds.NursingFacilityTypes},
		{"coverage.facility_types", p.Coverage.FacilityTypes},
		{"health_colocation.facility_types", p.HealthColocation.FacilityTypes},
		{"health_colocation.health_types", p.HealthColocation.HealthTypes},
		{"station_merge.facility_types", p.StationMerge.FacilityTypes},
	}
}

// FieldError is one problem with one field of a profile.
type FieldError struct {
	// Field is the dotted key, e.g. "walking.speed_mps" or
	// "supply.statuses[1]".
	Field string
	// Message says what is wrong and what was expected.
	Message string
}

func (e FieldError) Error() string { return e.Field + ": " + e.Message }

// ValidationError lists every problem Validate found in a profile.
type ValidationError struct {
	// Profile is the profile's name.
	Profile string
	// Problems are the field errors, in file order.
	Problems []FieldError
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "standards profile %q is invalid: ", e.Profile)
	for i, pr := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(pr.Error())
	}
	return b.String()
}

// Validate checks that the profile makes sense: every figure is a finite
// number in its range (no negative areas, zero speed, shares above 1,
// minutes ≤ 0 ...) with a source, the bands are nested, type and status
// lists name known codes, and the decay is known. It returns a
// *ValidationError naming every bad field, or nil.
func (p *StandardsProfile) Validate() error {
	var probs []FieldError
	bad := func(field, format string, args ...any) {
		probs = append(probs, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if strings.TrimSpace(p.Name) == "" {
		bad("name", "is empty; a profile needs a name for reports to cite")
	}
	if p.Title.ZH == "" && p.Title.EN == "" {
		bad("title", "is empty; give title.zh and/or title.en")
	}
	for _, f := range p.Figures() {
		if msg := f.rule.check(f.Value); msg != "" {
			bad(f.Key, "%s (%s)", msg, f.Unit)
		}
		if strings.TrimSpace(f.Source) == "" {
			bad(f.Key+".source", "is empty; every figure must name its source")
		}
		if !f.Confidence.Valid() {
			bad(f.Key+".confidence", "unknown confidence %q; want verified, observed, unverified or setting", f.Confidence)
		}
	}

	// Cross-field checks: these only make sense once each figure is in range.
	sc := p.ServiceCircle
	if !(sc.InnerBandMinutes.Value < sc.MiddleBandMinutes.Value && sc.MiddleBandMinutes.Value <= sc.UrbanMinutes.Value) {
		bad("service_circle", "bands must nest: inner_band_minutes (%g) < middle_band_minutes (%g) ≤ urban_minutes (%g)",
			sc.InnerBandMinutes.Value, sc.MiddleBandMinutes.Value, sc.UrbanMinutes.Value)
	}
	if p.DayCare.MinFloor.Value > p.DayCare.MaxFloor.Value {
		bad("day_care", "min_floor_m2 (%g) exceeds max_floor_m2 (%g)", p.DayCare.MinFloor.Value, p.DayCare.MaxFloor.Value)
	}
	if p.CenterStations.Enabled {
		if p.CenterStations.StationsPerCenter.Value < 1 {
			bad("center_stations.stations_per_center", "must be ≥ 1 when center_stations.enabled is true, got %g", p.CenterStations.StationsPerCenter.Value)
		}
		if !(p.CenterStations.ReachMetres.Value > 0) {
			bad("center_stations.reach_m", "must be > 0 when center_stations.enabled is true, got %g", p.CenterStations.ReachMetres.Value)
		}
	}

	for _, l := range p.typeLists() {
		if len(l.types) == 0 {
			bad(l.key, "is empty; list at least one facility type (%s)", joinCodes(FacilityTypes()))
		}
		seen := map[FacilityType]bool{}
		for i, t := range l.types {
			switch {
			case !t.Valid():
				bad(fmt.Sprintf("%s[%d]", l.key, i), "unknown facility type %q; want one of %s", t, joinCodes(FacilityTypes()))
			case seen[t]:
				bad(fmt.Sprintf("%s[%d]", l.key, i), "facility type %q is listed twice", t)
			}
			seen[t] = true
		}
	}
	if len(p.Supply.Statuses) == 0 {
		bad("supply.statuses", "is empty; list the statuses that count as supply (normally just operating)")
	}
	seen := map[FacilityStatus]bool{}
	for i, s := range p.Supply.Statuses {
		switch {
		case !s.Valid():
			bad(fmt.Sprintf("supply.statuses[%d]", i), "unknown facility status %q; want one of %s", s, joinCodes(FacilityStatuses()))
		case seen[s]:
			bad(fmt.Sprintf("supply.statuses[%d]", i), "status %q is listed twice", s)
		}
		seen[s] = true
	}
	if strings.TrimSpace(p.Supply.Source) == "" {
		bad("supply.source", "is empty; say why these statuses count as supply")
	}
	if !p.Accessibility.Decay.Valid() {
		bad("accessibility.decay", "unknown decay %q; want none, linear or gaussian", p.Accessibility.Decay)
	}

	if len(probs) > 0 {
		return &ValidationError{Profile: p.Name, Problems: probs}
	}
	return nil
}

// LandRequired is the elder-care land a population needs, m²: residents ×
// area.land_per_resident_m2.
func (p *StandardsProfile) LandRequired(residents float64) float64 {
	return residents * p.Area.LandPerResident.Value
}

// FloorPer100Households returns the floor-area norm for a residential area
// of the given age. Only OldResidential gets the old-area norm: an area of
// unknown age is held to the new-area norm, the more demanding one, so that
// missing data never hides a shortfall.
func (p *StandardsProfile) FloorPer100Households(age ResidentialAge) Figure {
	if age == OldResidential {
		return p.Area.FloorPer100HouseholdsOld
	}
	return p.Area.FloorPer100HouseholdsNew
}

// FloorRequired is the community elder-care floor area a number of
// households needs, m², under the norm for the area's age.
func (p *StandardsProfile) FloorRequired(households float64, age ResidentialAge) float64 {
	return households / 100 * p.FloorPer100Households(age).Value
}

// Households estimates households from residents with area.household_size,
// for regions whose household count is unknown.
func (p *StandardsProfile) Households(residents float64) float64 {
	return residents / p.Area.HouseholdSize.Value
}

// BedsRequired is the number of beds elders60 elders aged 60+ need under
// beds.per_1000_elders.
func (p *StandardsProfile) BedsRequired(elders60 float64) float64 {
	return elders60 / 1000 * p.Beds.Per1000Elders.Value
}

// BedsPer1000 is beds per 1000 elders aged 60+; 0 when there are no elders.
func BedsPer1000(beds, elders60 float64) float64 {
	if elders60 <= 0 {
		return 0
	}
	return beds / elders60 * 1000
}

// UrbanCircleMetres is the flat-ground walking distance of the urban
// service circle, m: minutes × 60 × speed (15 min at 0.9 m/s = 810 m).
func (p *StandardsProfile) UrbanCircleMetres() float64 {
	return p.ServiceCircle.UrbanMinutes.Value * 60 * p.Walking.SpeedMPS.Value
}

// Bands returns the reporting bands in minutes, innermost first, ending
// with the urban circle: e.g. [5 10 15].
func (p *StandardsProfile) Bands() []float64 {
	return []float64{p.ServiceCircle.InnerBandMinutes.Value, p.ServiceCircle.MiddleBandMinutes.Value, p.ServiceCircle.UrbanMinutes.Value}
}

// CountsAsSupply reports whether a facility in status s serves elders.
func (p *StandardsProfile) CountsAsSupply(s FacilityStatus) bool {
	for _, st := range p.Supply.Statuses {
		if st == s {
			return true
		}
	}
	return false
}

// DemandWeight is the weighted elder demand of a place with elders60 people
// aged 60+ of whom elders80 are 80+: elders60 + (w − 1) × elders80 with w =
// priority.elder_80_weight, so w = 1 counts heads and w = 1.5 counts each
// 80+ elder as one and a half.
func (p *StandardsProfile) DemandWeight(elders60, elders80 float64) float64 {
	return elders60 + (p.Priority.Elder80Weight.Value-1)*elders80
}

// HasType reports whether t is in types; assessment code uses it with the
// profile's type lists, e.g. HasType(p.Beds.FacilityTypes, f.Type).
func HasType(types []FacilityType, t FacilityType) bool {
	for _, x := range types {
		if x == t {
			return true
		}
	}
	return false
}
