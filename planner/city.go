package planner

import (
	"fmt"

	"github.com/carecircle/carecircle/geo"
	"github.com/paulmach/orb"
)

// Facility is an elder-care (or health) facility: one row of a bureau's
// facility list.
type Facility struct {
	ID          string
	Name        string
	Type        FacilityType
	Status      FacilityStatus
	Operator    OperatorModel // may be empty
	Location    orb.Point     // WGS84 lon/lat
	FloorArea   float64       // m² of building floor (建筑面积)
	LandArea    float64       // m² of land (用地面积); 0 when unknown
	Beds        float64
	NursingBeds float64
	Community   string // code of the community it belongs to; may be empty
}

// Validate reports a facility that cannot be judged: the field that is
// wrong and what was expected.
func (f *Facility) Validate() error {
	switch {
	case f.ID == "":
		return fmt.Errorf("id: missing")
	case !f.Type.Valid():
		return fmt.Errorf("type %q: unknown facility type", f.Type)
	case !f.Status.Valid():
		return fmt.Errorf("status %q: unknown facility status", f.Status)
	case f.Operator != "" && !f.Operator.Valid():
		return fmt.Errorf("operator %q: unknown operator model", f.Operator)
	case !validLonLat(f.Location):
		return fmt.Errorf("lon/lat (%v, %v): not a WGS84 coordinate", f.Location[0], f.Location[1])
	}
	if err := CheckNumbers(f.NumberFields()); err != nil {
		return err
	}
	if f.NursingBeds > f.Beds {
		return fmt.Errorf("nursing_beds %v: more than the %v beds", f.NursingBeds, f.Beds)
	}
	return nil
}

func validLonLat(p orb.Point) bool {
	return p[0] >= -180 && p[0] <= 180 && p[1] >= -90 && p[1] <= 90
}

// DemandPoint is where some people live: a building, an H3 cell or a grid
// cell, with the community it belongs to.
type DemandPoint struct {
	Location  orb.Point
	Community int32 // index into City.Regions
	Population
}

// City is everything the planner judges: the walking network, the regions
// with their populations, the facilities and the demand points. It is the
// baseline; scenarios edit copies of its facility list, never the City.
type City struct {
	Name       string
	Network    *geo.Graph
	Regions    []Region // districts, streets, communities; parents before children
	Facilities []Facility
	Health     []Facility // community health facilities, for 医养结合
	Demand     []DemandPoint
}
