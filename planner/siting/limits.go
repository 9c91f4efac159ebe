package siting

import "github.com/carecircle/carecircle/planner"

// NumberFields lists a candidate's numbers with their file and API field
// names and plausible ranges, as planner.Facility.NumberFields does.
func (c *Candidate) NumberFields() []planner.NumberField {
	return []planner.NumberField{
		{Name: "floor_area_m2", Value: &c.FloorArea, Range: planner.FloorAreaRange()},
		{Name: "max_floor_area_m2", Value: &c.MaxFloorArea, Range: planner.FloorAreaRange()},
	}
}

// CheckNumbers reports the first of the candidate's numbers out of range.
func (c *Candidate) CheckNumbers() error { return planner.CheckNumbers(c.NumberFields()) }
