package data

import "math"

// kindDecimals is how many decimals a number of a kind shows in a report
// (kindFormats): shares as percentages with one decimal, so three.
var kindDecimals = map[NumberKind]int{KindCount: 0, KindPeople: 0, KindArea: 0, KindShare: 3, KindRate: 1, KindFine: 2, KindCoord: 6}

// shownValue rounds v as a report shows a number of kind.
func shownValue(kind NumberKind, v float64) float64 {
	d, ok := kindDecimals[kind]
	if !ok || math.IsNaN(v) || math.IsInf(v, 0) {
		return v
	}
	p := math.Pow10(d)
	return math.Round(v*p) / p
}

// shownChange is after − before as both are shown, so a reader who
// subtracts the two printed figures gets the printed change: 97.3 % →
// 98.0 % is +0.7 %, never the +0.6 % of the unrounded values.
func shownChange(kind NumberKind, before, after float64) float64 {
	return shownValue(kind, shownValue(kind, after)-shownValue(kind, before))
}
