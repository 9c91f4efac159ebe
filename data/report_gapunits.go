package data

import (
	"strings"

	"github.com/carecircle/carecircle/planner"
)

// gapValueUnit is the unit and number format of a gap's value and standard
// (the shortfall has its own unit, Gap.Unit): the 缺口 sheet gives each its
// column, so a row never sets minutes against metres, and counts show whole.
type gapValueUnit struct {
	unit planner.Text
	kind NumberKind
}

var (
	unitMetres  = planner.Text{ZH: "米", EN: "m"}
	unitPer1000 = planner.Text{ZH: "张/千名老人", EN: "beds per 1000 elders"}
)

// gapValueUnits maps a gap indicator to its value unit; an indicator not
// listed takes the region indicator's unit.
var gapValueUnits = map[string]gapValueUnit{
	"coverage_15min":           {unitShare, KindShare},
	"community_stations":       {unitFacilities, KindCount},
	"street_centers":           {unitFacilities, KindCount},
	"floor_provided_m2":        {unitM2, KindArea},
	"land_provided_m2":         {unitM2, KindArea},
	"beds_per_1000_elders":     {unitPer1000, KindRate},
	"nursing_bed_share":        {unitShare, KindShare},
	"day_care_community_share": {unitShare, KindShare},
	"facilities_idle":          {unitFacilities, KindCount},
	"facilities_undersized":    {unitM2, KindArea},
	"stations_without_center":  {unitFacilities, KindCount},
	"no_health_nearby":         {unitMetres, KindArea},
}

// GapValueUnit returns the unit label (in lang) and number kind of a gap's
// value and standard; figureKey tells an undersized facility's beds from
// its floor area.
func GapValueUnit(indicator, figureKey, lang string) (string, NumberKind) {
	if indicator == "facilities_undersized" && strings.HasSuffix(figureKey, ".min_beds") {
		return pick(unitBeds, lang), KindCount
	}
	if u, ok := gapValueUnits[indicator]; ok {
		return pick(u.unit, lang), u.kind
	}
	if info, ok := indicatorInfos[indicator]; ok {
		return pick(info.unit, lang), info.kind
	}
	return "", KindFine
}

// gapShortfallKind is the number format of a shortfall in unit: whole for
// people, facilities, communities and beds; m² whole; shares as percentages.
func gapShortfallKind(unit string) NumberKind {
	switch unit {
	case "elders", "facilities", "communities", "beds":
		return KindCount
	case "m2":
		return KindArea
	case "share":
		return KindShare
	}
	return KindFine
}
