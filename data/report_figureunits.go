package data

import (
	"strconv"
	"strings"

	"github.com/carecircle/carecircle/planner"
)

// figureUnits say a standards figure's unit (planner's Figures, in
// English) in the report's language.
var figureUnits = map[string]planner.Text{
	"beds":                 {ZH: "张", EN: "beds"},
	"beds/1000 elders 60+": {ZH: "张/千名60岁以上老人", EN: "beds/1000 elders 60+"},
	"m":                    {ZH: "米", EN: "m"},
	"m/s":                  {ZH: "米/秒", EN: "m/s"},
	"min":                  {ZH: "分钟", EN: "min"},
	"m²":                   {ZH: "平方米", EN: "m²"},
	"m²/100 households":    {ZH: "平方米/百户", EN: "m²/100 households"},
	"m²/resident":          {ZH: "平方米/人", EN: "m²/resident"},
	"per community":        {ZH: "个/社区", EN: "per community"},
	"per street":           {ZH: "个/街道", EN: "per street"},
	"persons/household":    {ZH: "人/户", EN: "persons/household"},
	"stations":             {ZH: "个站", EN: "stations"},
	"×":                    {ZH: "倍", EN: "×"},
}

// FigureUnitLabel names a figure's unit in lang; an unknown unit is
// returned as it is.
func FigureUnitLabel(unit, lang string) string {
	if t, ok := figureUnits[unit]; ok {
		return pick(t, lang)
	}
	return unit
}

// FigureValueText writes a figure's value with its unit in lang, shares as
// percentages: "0.2 平方米/人", "55%".
func FigureValueText(value float64, unit, lang string) string {
	if unit == "share" {
		return strconv.FormatFloat(round7(value*100), 'f', -1, 64) + "%"
	}
	return strings.TrimSpace(strconv.FormatFloat(value, 'f', -1, 64) + " " + FigureUnitLabel(unit, lang))
}
