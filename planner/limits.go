package planner

import (
	"fmt"
	"math"
	"strconv"
)

// This file holds the plausible ranges of the numbers a facility, a
// candidate site or a head count may hold, in one place. Every reader of a
// file or request checks against them, so that one absurd number (beds:
// 1e308) cannot overflow a sum to +Inf and poison every indicator after it.
// The ranges are generous: they refuse only what no real record holds.

// NumberRange is the plausible range of one kind of number, bounds
// included.
type NumberRange struct {
	Min, Max float64
	Unit     string // "m²", "beds", "people"
}

// Check returns an error saying v is not a finite number within r; the
// caller names the field.
func (r NumberRange) Check(v float64) error {
	if v >= r.Min && v <= r.Max { // false for NaN
		return nil
	}
	return fmt.Errorf("%s is outside the plausible range %s to %s %s", formatG(v), formatG(r.Min), formatG(r.Max), r.Unit)
}

func formatG(v float64) string {
	if math.Abs(v) < 1e15 && v == math.Trunc(v) {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// FloorAreaRange is a building's floor area, m²: the largest elder-care
// complexes have a few hundred thousand.
func FloorAreaRange() NumberRange { return NumberRange{0, 1_000_000, "m²"} }

// LandAreaRange is a site's land area, m².
func LandAreaRange() NumberRange { return NumberRange{0, 10_000_000, "m²"} }

// BedsRange is the beds (or nursing beds) of one facility: the largest
// homes have a few thousand.
func BedsRange() NumberRange { return NumberRange{0, 100_000, "beds"} }

// PeopleRange is a head count (residents, households, elders) of one
// region or grid cell: the largest city has some 32 million residents.
func PeopleRange() NumberRange { return NumberRange{0, 100_000_000, "people"} }

// NumberFields lists a facility's numbers with their file and API
// field names and ranges, for readers that check them one by one.
func (f *Facility) NumberFields() []NumberField {
	return []NumberField{
		{"floor_area_m2", &f.FloorArea, FloorAreaRange()},
		{"land_area_m2", &f.LandArea, LandAreaRange()},
		{"beds", &f.Beds, BedsRange()},
		{"nursing_beds", &f.NursingBeds, BedsRange()},
	}
}

// NumberFields lists the head counts as Facility.NumberFields does.
func (p *Population) NumberFields() []NumberField {
	return []NumberField{
		{"residents", &p.Residents, PeopleRange()},
		{"households", &p.Households, PeopleRange()},
		{"elders_60", &p.Elders60, PeopleRange()},
		{"elders_80", &p.Elders80, PeopleRange()},
	}
}

// NumberField is one number of a record: its field name, where it is held
// and its plausible range.
type NumberField struct {
	Name  string
	Value *float64
	Range NumberRange
}

// CheckNumbers returns the first field out of its range, named.
func CheckNumbers(fields []NumberField) error {
	for _, f := range fields {
		if err := f.Range.Check(*f.Value); err != nil {
			return fmt.Errorf("%s: %w", f.Name, err)
		}
	}
	return nil
}

// Check reports the first head count out of range.
func (p *Population) Check() error { return CheckNumbers(p.NumberFields()) }
