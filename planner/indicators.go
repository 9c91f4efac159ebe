package planner

import (
	"math"
	"reflect"
	"slices"
	"strings"
	"sync"
)

// Indicators are the figures judged for one region. Counts and areas are
// sums over the region's communities; shares and rates are derived from
// those sums. docs/indicators.md gives each one's meaning, formula, unit
// and standard.
type Indicators struct {
	Residents  float64 `json:"residents"`
	Households float64 `json:"households"`
	Elders60   float64 `json:"elders_60"`
	Elders80   float64 `json:"elders_80"`

	EldersCovered5   float64 `json:"elders_covered_5min"`
	EldersCovered10  float64 `json:"elders_covered_10min"`
	EldersCovered15  float64 `json:"elders_covered_15min"`
	EldersUncovered  float64 `json:"elders_uncovered_15min"`
	Elders80Covered  float64 `json:"elders80_covered_15min"`
	Coverage5        float64 `json:"coverage_5min"`
	Coverage10       float64 `json:"coverage_10min"`
	Coverage15       float64 `json:"coverage_15min"`
	Coverage80       float64 `json:"coverage80_15min"`
	EldersUnsnapped  float64 `json:"elders_off_network"`
	EldersDetached   float64 `json:"elders_on_detached_walkways"`
	LandRequired     float64 `json:"land_required_m2"`
	LandProvided     float64 `json:"land_provided_m2"`
	LandGap          float64 `json:"land_gap_m2"`
	LandEstimated    float64 `json:"land_from_floor_facilities"`
	FloorRequired    float64 `json:"floor_required_m2"`
	FloorProvided    float64 `json:"floor_provided_m2"`
	FloorGap         float64 `json:"floor_gap_m2"`
	Beds             float64 `json:"beds"`
	BedsRequired     float64 `json:"beds_required"`
	BedsGap          float64 `json:"beds_gap"`
	BedsPer1000      float64 `json:"beds_per_1000_elders"`
	NursingBeds      float64 `json:"nursing_beds"`
	NursingShare     float64 `json:"nursing_bed_share"`
	Operating        float64 `json:"facilities_operating"`
	Idle             float64 `json:"facilities_idle"`
	NotOpen          float64 `json:"facilities_not_open"`
	Proposed         float64 `json:"facilities_proposed"`
	Centres          float64 `json:"street_centers"`
	Stations         float64 `json:"community_stations"`
	Undersized       float64 `json:"facilities_undersized"`
	Communities      float64 `json:"communities"`
	WithStation      float64 `json:"communities_with_station"`
	StationShare     float64 `json:"station_community_share"`
	WithDayCare      float64 `json:"communities_with_day_care"`
	DayCareShare     float64 `json:"day_care_community_share"`
	Streets          float64 `json:"streets"`
	WithCentre       float64 `json:"streets_with_center"`
	Access2SFCA      float64 `json:"access_2sfca_m2_per_elder"`
	accessWeightSum  float64 // Σ weight × access over demand points
	accessWeightMass float64 // Σ weight over demand points
	nursingBase      float64 // beds of nursing types, the nursing share's denominator
	floorGapSum      float64 // Σ of the communities' floor gaps
	// detachedUncovered is the uncovered elders 60+ on walkways not
	// connected to the main network (the reason the gap message gives).
	detachedUncovered float64
}

// add adds the additive fields of o to in.
func (in *Indicators) add(o *Indicators) {
	in.Residents += o.Residents
	in.Households += o.Households
	in.Elders60 += o.Elders60
	in.Elders80 += o.Elders80
	in.EldersCovered5 += o.EldersCovered5
	in.EldersCovered10 += o.EldersCovered10
	in.EldersCovered15 += o.EldersCovered15
	in.Elders80Covered += o.Elders80Covered
	in.EldersUnsnapped += o.EldersUnsnapped
	in.EldersDetached += o.EldersDetached
	in.detachedUncovered += o.detachedUncovered
	in.LandRequired += o.LandRequired
	in.LandProvided += o.LandProvided
	in.LandEstimated += o.LandEstimated
	in.FloorRequired += o.FloorRequired
	in.FloorProvided += o.FloorProvided
	in.Beds += o.Beds
	in.NursingBeds += o.NursingBeds
	in.nursingBase += o.nursingBase
	in.Operating += o.Operating
	in.Idle += o.Idle
	in.NotOpen += o.NotOpen
	in.Proposed += o.Proposed
	in.floorGapSum += o.floorGapSum
	in.Centres += o.Centres
	in.Stations += o.Stations
	in.Undersized += o.Undersized
	in.Communities += o.Communities
	in.WithStation += o.WithStation
	in.WithDayCare += o.WithDayCare
	in.Streets += o.Streets
	in.WithCentre += o.WithCentre
	in.accessWeightSum += o.accessWeightSum
	in.accessWeightMass += o.accessWeightMass
}

// derive computes the shares, rates and gaps from the sums. Gaps are
// summed over the communities below for floor area (a surplus in one
// community does not fill another's gap); land and beds are judged on the
// region's totals, as the norms are set for whole districts.
func (in *Indicators) derive(p *StandardsProfile) {
	in.EldersUncovered = math.Max(0, in.Elders60-in.EldersCovered15)
	in.Coverage5 = ratioOf(in.EldersCovered5, in.Elders60)
	in.Coverage10 = ratioOf(in.EldersCovered10, in.Elders60)
	in.Coverage15 = ratioOf(in.EldersCovered15, in.Elders60)
	in.Coverage80 = ratioOf(in.Elders80Covered, in.Elders80)
	in.LandGap = math.Max(0, in.LandRequired-in.LandProvided)
	in.FloorGap = in.floorGapSum
	in.BedsRequired = p.BedsRequired(in.Elders60)
	in.BedsGap = math.Max(0, in.BedsRequired-in.Beds)
	in.BedsPer1000 = BedsPer1000(in.Beds, in.Elders60)
	in.NursingShare = ratioOf(in.NursingBeds, in.nursingBase)
	in.StationShare = ratioOf(in.WithStation, in.Communities)
	in.DayCareShare = ratioOf(in.WithDayCare, in.Communities)
	in.Access2SFCA = ratioOf(in.accessWeightSum, in.accessWeightMass)
}

func ratioOf(part, whole float64) float64 {
	if whole <= 0 {
		return 0
	}
	return part / whole
}

// indicatorFields is the struct field index and JSON name of every
// exported indicator, found once by reflection.
var indicatorFields = sync.OnceValues(func() ([]int, []string) {
	t := reflect.TypeOf(Indicators{})
	var idx []int
	var names []string
	for i := 0; i < t.NumField(); i++ {
		if f := t.Field(i); f.IsExported() {
			idx = append(idx, i)
			names = append(names, strings.Split(f.Tag.Get("json"), ",")[0])
		}
	}
	return idx, names
})

// IndicatorNames lists the indicator names (the JSON keys) in report
// column order.
func IndicatorNames() []string {
	_, names := indicatorFields()
	return slices.Clone(names)
}

// Values returns the indicators in the order of IndicatorNames.
func (in Indicators) Values() []float64 {
	idx, _ := indicatorFields()
	v := reflect.ValueOf(&in).Elem()
	out := make([]float64, len(idx))
	for k, i := range idx {
		out[k] = v.Field(i).Float()
	}
	return out
}
