package data

import (
	"math"

	"github.com/carecircle/carecircle/planner"
)

// NumberKind says how a report shows a number: its unit's format.
type NumberKind int

// Number kinds.
const (
	KindCount  NumberKind = iota // whole things: facilities, communities
	KindPeople                   // people and households, shown whole
	KindArea                     // m², shown whole
	KindShare                    // a share 0–1, shown as a percentage
	KindRate                     // a rate with one decimal (beds per 1000 elders, minutes)
	KindFine                     // a small figure with two decimals (m² per elder)
	KindCoord                    // a longitude or latitude
)

// indicatorInfo labels one indicator for reports.
type indicatorInfo struct {
	label planner.Text
	unit  planner.Text
	kind  NumberKind
}

var (
	unitPeople     = planner.Text{ZH: "人", EN: "people"}
	unitHouseholds = planner.Text{ZH: "户", EN: "households"}
	unitM2         = planner.Text{ZH: "m²", EN: "m²"}
	unitShare      = planner.Text{ZH: "%", EN: "%"}
	unitBeds       = planner.Text{ZH: "张", EN: "beds"}
	unitFacilities = planner.Text{ZH: "个", EN: "facilities"}
)

// indicatorInfos labels every indicator, by its JSON key.
var indicatorInfos = map[string]indicatorInfo{
	"residents":                   {planner.Text{ZH: "常住人口", EN: "Residents"}, unitPeople, KindPeople},
	"households":                  {planner.Text{ZH: "家庭户数", EN: "Households"}, unitHouseholds, KindPeople},
	"elders_60":                   {planner.Text{ZH: "60岁以上老人", EN: "Elders 60+"}, unitPeople, KindPeople},
	"elders_80":                   {planner.Text{ZH: "80岁以上老人", EN: "Elders 80+"}, unitPeople, KindPeople},
	"elders_covered_5min":         {planner.Text{ZH: "5分钟内可达老人", EN: "Elders within 5 min"}, unitPeople, KindPeople},
	"elders_covered_10min":        {planner.Text{ZH: "10分钟内可达老人", EN: "Elders within 10 min"}, unitPeople, KindPeople},
	"elders_covered_15min":        {planner.Text{ZH: "15分钟服务圈覆盖老人", EN: "Elders covered (15 min)"}, unitPeople, KindPeople},
	"elders_uncovered_15min":      {planner.Text{ZH: "未覆盖老人", EN: "Elders not covered"}, unitPeople, KindPeople},
	"elders80_covered_15min":      {planner.Text{ZH: "覆盖80岁以上老人", EN: "Elders 80+ covered"}, unitPeople, KindPeople},
	"coverage_5min":               {planner.Text{ZH: "5分钟覆盖率", EN: "Coverage, 5 min"}, unitShare, KindShare},
	"coverage_10min":              {planner.Text{ZH: "10分钟覆盖率", EN: "Coverage, 10 min"}, unitShare, KindShare},
	"coverage_15min":              {planner.Text{ZH: "15分钟覆盖率", EN: "Coverage, 15 min"}, unitShare, KindShare},
	"coverage80_15min":            {planner.Text{ZH: "80岁以上老人覆盖率", EN: "Coverage of elders 80+"}, unitShare, KindShare},
	"elders_off_network":          {planner.Text{ZH: "远离步行网络老人", EN: "Elders off the walking network"}, unitPeople, KindPeople},
	"elders_on_detached_walkways": {planner.Text{ZH: "所在步行路段与主路网不连通的老人", EN: "Elders on walkways not connected to the main network"}, unitPeople, KindPeople},
	"land_required_m2":            {planner.Text{ZH: "应有养老用地", EN: "Land required"}, unitM2, KindArea},
	"land_provided_m2":            {planner.Text{ZH: "现有养老用地", EN: "Land provided"}, unitM2, KindArea},
	"land_gap_m2":                 {planner.Text{ZH: "用地缺口", EN: "Land gap"}, unitM2, KindArea},
	"land_from_floor_facilities":  {planner.Text{ZH: "以建筑面积计用地的设施", EN: "Facilities counting floor as land"}, unitFacilities, KindCount},
	"floor_required_m2":           {planner.Text{ZH: "应有建筑面积", EN: "Floor area required"}, unitM2, KindArea},
	"floor_provided_m2":           {planner.Text{ZH: "现有建筑面积", EN: "Floor area provided"}, unitM2, KindArea},
	"floor_gap_m2":                {planner.Text{ZH: "建筑面积缺口", EN: "Floor-area gap"}, unitM2, KindArea},
	"beds":                        {planner.Text{ZH: "养老床位", EN: "Beds"}, unitBeds, KindPeople},
	"beds_required":               {planner.Text{ZH: "应有床位", EN: "Beds required"}, unitBeds, KindPeople},
	"beds_gap":                    {planner.Text{ZH: "床位缺口", EN: "Bed gap"}, unitBeds, KindPeople},
	"beds_per_1000_elders":        {planner.Text{ZH: "每千名老人床位", EN: "Beds per 1000 elders"}, planner.Text{ZH: "张/千人", EN: "beds/1000"}, KindRate},
	"nursing_beds":                {planner.Text{ZH: "护理型床位", EN: "Nursing beds"}, unitBeds, KindPeople},
	"nursing_bed_share":           {planner.Text{ZH: "护理型床位占比", EN: "Nursing-bed share"}, unitShare, KindShare},
	"facilities_operating":        {planner.Text{ZH: "运营中设施", EN: "Operating facilities"}, unitFacilities, KindCount},
	"facilities_idle":             {planner.Text{ZH: "闲置设施", EN: "Idle facilities"}, unitFacilities, KindCount},
	"facilities_not_open":         {planner.Text{ZH: "在建及规划设施", EN: "Facilities not open"}, unitFacilities, KindCount},
	"facilities_proposed":         {planner.Text{ZH: "拟建设施", EN: "Proposed facilities"}, unitFacilities, KindCount},
	"street_centers":              {planner.Text{ZH: "街道养老服务中心", EN: "Street centres"}, unitFacilities, KindCount},
	"community_stations":          {planner.Text{ZH: "社区养老服务站", EN: "Community stations"}, unitFacilities, KindCount},
	"facilities_undersized":       {planner.Text{ZH: "面积或床位不达标设施", EN: "Undersized facilities"}, unitFacilities, KindCount},
	"communities":                 {planner.Text{ZH: "社区(村)数", EN: "Communities"}, unitFacilities, KindCount},
	"communities_with_station":    {planner.Text{ZH: "有养老服务站的社区", EN: "Communities with a station"}, unitFacilities, KindCount},
	"station_community_share":     {planner.Text{ZH: "社区养老服务站覆盖率", EN: "Communities with a station"}, unitShare, KindShare},
	"communities_with_day_care":   {planner.Text{ZH: "有日间照料的社区", EN: "Communities with day care"}, unitFacilities, KindCount},
	"day_care_community_share":    {planner.Text{ZH: "日间照料社区覆盖率", EN: "Communities with day care"}, unitShare, KindShare},
	"streets":                     {planner.Text{ZH: "街道(乡镇)数", EN: "Streets"}, unitFacilities, KindCount},
	"streets_with_center":         {planner.Text{ZH: "有养老服务中心的街道", EN: "Streets with a centre"}, unitFacilities, KindCount},
	"access_2sfca_m2_per_elder":   {planner.Text{ZH: "老人人均可达建筑面积(2SFCA)", EN: "Floor area reachable per elder (2SFCA)"}, planner.Text{ZH: "m²/人", EN: "m²/elder"}, KindFine},
}

// pick returns t in lang ("en" or Chinese).
func pick(t planner.Text, lang string) string {
	if lang == "en" && t.EN != "" {
		return t.EN
	}
	return t.String()
}

// IndicatorLabel names an indicator (a JSON key of planner.Indicators) in
// lang, "zh" or "en"; an unknown key is returned as it is.
func IndicatorLabel(key, lang string) string {
	if in, ok := indicatorInfos[key]; ok {
		return pick(in.label, lang)
	}
	return key
}

// IndicatorUnit is an indicator's unit in lang ("%" for shares, which
// planner keeps as 0–1); "" for an unknown key.
func IndicatorUnit(key, lang string) string {
	return pick(indicatorInfos[key].unit, lang)
}

// IndicatorKind is how an indicator's number is shown.
func IndicatorKind(key string) NumberKind { return indicatorInfos[key].kind }

// Labels of codes the reports show.
var (
	levelLabels = map[planner.Level]planner.Text{
		planner.LevelCity:      {ZH: "全市", EN: "city"},
		planner.LevelDistrict:  {ZH: "区县", EN: "district"},
		planner.LevelStreet:    {ZH: "街道(乡镇)", EN: "street"},
		planner.LevelCommunity: {ZH: "社区(村)", EN: "community"},
	}
	flagLabels = map[planner.Flag]planner.Text{
		planner.FlagIdle:           {ZH: "闲置", EN: "idle"},
		planner.FlagNotOpen:        {ZH: "未开业", EN: "not open"},
		planner.FlagUndersized:     {ZH: "面积或床位不达标", EN: "undersized"},
		planner.FlagCouldMerge:     {ZH: "可合并", EN: "could merge"},
		planner.FlagNoCenter:       {ZH: "无中心带站", EN: "no centre"},
		planner.FlagNoHealthNearby: {ZH: "附近无卫生设施", EN: "no health facility nearby"},
		planner.FlagDetached:       {ZH: "所在步行路段与主路网不连通", EN: "on a walkway piece not connected to the main network"},
	}
	gapUnitLabels = map[string]planner.Text{
		"elders":      unitPeople,
		"m2":          unitM2,
		"beds":        unitBeds,
		"facilities":  unitFacilities,
		"communities": {ZH: "个社区", EN: "communities"},
		"share":       {ZH: "比例", EN: "share"},
	}
	editLabels = map[planner.EditOp]planner.Text{
		planner.OpAdd:    {ZH: "新增", EN: "add"},
		planner.OpChange: {ZH: "调整", EN: "change"},
		planner.OpClose:  {ZH: "关闭", EN: "close"},
	}
	areaTypeLabels = map[planner.AreaType]planner.Text{
		planner.Urban: {ZH: "城镇", EN: "urban"},
		planner.Rural: {ZH: "农村", EN: "rural"},
	}
	ageLabels = map[planner.ResidentialAge]planner.Text{
		planner.NewResidential: {ZH: "新建", EN: "new"},
		planner.OldResidential: {ZH: "老旧", EN: "old"},
	}
	confidenceLabels = map[planner.Confidence]planner.Text{
		planner.ConfidenceVerified:   {ZH: "已核实", EN: "verified"},
		planner.ConfidenceObserved:   {ZH: "现状观察", EN: "observed"},
		planner.ConfidenceUnverified: {ZH: "待核实", EN: "unverified"},
		planner.ConfidenceSetting:    {ZH: "模型设定", EN: "setting"},
	}
)

func labelOr[T ~string](m map[T]planner.Text, k T, lang string) string {
	if t, ok := m[k]; ok {
		return pick(t, lang)
	}
	return string(k)
}

// LevelLabel names a region level in lang.
func LevelLabel(l planner.Level, lang string) string { return labelOr(levelLabels, l, lang) }

// FlagLabel names a facility flag in lang.
func FlagLabel(f planner.Flag, lang string) string { return labelOr(flagLabels, f, lang) }

// GapUnitLabel names a gap's shortfall unit ("elders", "m2", ...) in lang.
func GapUnitLabel(unit, lang string) string { return labelOr(gapUnitLabels, unit, lang) }

// EditLabel names a scenario edit in lang.
func EditLabel(op planner.EditOp, lang string) string { return labelOr(editLabels, op, lang) }

// AreaTypeLabel names urban or rural in lang.
func AreaTypeLabel(a planner.AreaType, lang string) string { return labelOr(areaTypeLabels, a, lang) }

// AgeLabel names a residential age in lang.
func AgeLabel(a planner.ResidentialAge, lang string) string { return labelOr(ageLabels, a, lang) }

// ConfidenceLabel names a figure's confidence in lang.
func ConfidenceLabel(c planner.Confidence, lang string) string {
	return labelOr(confidenceLabels, c, lang)
}

// TypeLabel names a facility type in lang.
func TypeLabel(t planner.FacilityType, lang string) string { return pick(t.Label(), lang) }

// StatusLabel names a facility status in lang.
func StatusLabel(s planner.FacilityStatus, lang string) string { return pick(s.Label(), lang) }

// OperatorLabel names an operator model in lang ("" when unknown).
func OperatorLabel(m planner.OperatorModel, lang string) string {
	if m == "" {
		return ""
	}
	return pick(m.Label(), lang)
}

// Pick returns t in lang: English for "en", else Chinese.
func Pick(t planner.Text, lang string) string { return pick(t, lang) }

// figureValue is the value of the profile figure key, and whether the
// profile has it.
func figureValue(p *planner.ProfileSummary, key string) (float64, bool) {
	for _, f := range p.Figures {
		if f.Key == key {
			return f.Value, true
		}
	}
	return 0, false
}

// IndicatorFails reports whether indicator key of a region at level falls
// short of the standard where that norm is judged: walking coverage,
// stations and floor area from the community up; centres from the
// street up; land, beds, nursing share and day-care share for districts
// and the whole city; idle and undersized facilities everywhere. The
// reports highlight such figures.
func IndicatorFails(key string, level planner.Level, in *planner.Indicators, p *planner.ProfileSummary) bool {
	top := level == planner.LevelDistrict || level == planner.LevelCity
	fig := func(k string, def float64) float64 {
		if v, ok := figureValue(p, k); ok {
			return v
		}
		return def
	}
	switch key {
	case "elders_uncovered_15min":
		return in.EldersUncovered > 0.5
	case "coverage_15min":
		// Judged as shown (one decimal of a percentage): 99.96 % reads
		// 100.0 %, which must not be red beside it; the elders not
		// covered are red in their own column.
		return in.EldersUncovered > 0.5 && math.Round(in.Coverage15*1000) < 1000
	case "floor_gap_m2":
		return in.FloorGap > 0.5
	case "land_gap_m2", "land_provided_m2":
		return top && in.LandGap > 0.5
	case "beds_gap", "beds_per_1000_elders":
		return top && in.BedsGap > 0.5
	case "nursing_bed_share":
		return top && in.NursingBeds+in.Beds > 0 && in.NursingShare < fig("beds.nursing_share", 0)
	case "day_care_community_share", "communities_with_day_care":
		return top && in.Communities > 0 && in.DayCareShare < fig("coverage.day_care_community_share", 0)
	case "community_stations":
		return level == planner.LevelCommunity && in.Stations < fig("community_station.per_unit", 1)
	case "communities_with_station", "station_community_share":
		return in.WithStation < in.Communities
	case "street_centers":
		return level == planner.LevelStreet && in.Centres < fig("street_center.per_unit", 1)
	case "streets_with_center":
		return in.WithCentre < in.Streets
	case "facilities_idle":
		return in.Idle > 0
	case "facilities_undersized":
		return in.Undersized > 0
	}
	return false
}

// IndicatorStandard is the standard an indicator is judged against at
// level, as a number in the indicator's unit, and whether it has one.
func IndicatorStandard(key string, level planner.Level, in *planner.Indicators, p *planner.ProfileSummary) (float64, bool) {
	top := level == planner.LevelDistrict || level == planner.LevelCity
	switch key {
	case "coverage_15min", "station_community_share":
		return 1, true
	case "floor_provided_m2":
		return in.FloorRequired, true
	case "land_provided_m2":
		return in.LandRequired, top
	case "beds":
		return in.BedsRequired, top
	case "beds_per_1000_elders":
		v, ok := figureValue(p, "beds.per_1000_elders")
		return v, ok && top
	case "nursing_bed_share":
		v, ok := figureValue(p, "beds.nursing_share")
		return v, ok && top
	case "day_care_community_share":
		v, ok := figureValue(p, "coverage.day_care_community_share")
		return v, ok && top
	case "communities_with_station":
		return in.Communities, true
	case "streets_with_center":
		return in.Streets, true
	}
	return 0, false
}
