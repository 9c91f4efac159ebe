package planner

import (
	"encoding/json"

	"github.com/paulmach/orb"
)

// facilityJSON is a facility as the API and the scenario store write it:
// flat lon/lat and units in the names, like the bundle's CSV columns.
type facilityJSON struct {
	ID          string         `json:"id"`
	Name        string         `json:"name"`
	Type        FacilityType   `json:"type"`
	Status      FacilityStatus `json:"status"`
	Lon         float64        `json:"lon"`
	Lat         float64        `json:"lat"`
	FloorArea   float64        `json:"floor_area_m2"`
	LandArea    float64        `json:"land_area_m2"`
	Beds        float64        `json:"beds"`
	NursingBeds float64        `json:"nursing_beds"`
	Operator    OperatorModel  `json:"operator"`
	Community   string         `json:"community_code"`
}

// MarshalJSON writes the facility with flat lon/lat fields.
func (f Facility) MarshalJSON() ([]byte, error) {
	return json.Marshal(facilityJSON{f.ID, f.Name, f.Type, f.Status, f.Location[0], f.Location[1],
		f.FloorArea, f.LandArea, f.Beds, f.NursingBeds, f.Operator, f.Community})
}

// UnmarshalJSON reads what MarshalJSON writes. It does not validate; call
// Validate.
func (f *Facility) UnmarshalJSON(b []byte) error {
	var j facilityJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*f = Facility{ID: j.ID, Name: j.Name, Type: j.Type, Status: j.Status, Operator: j.Operator,
		Location: orb.Point{j.Lon, j.Lat}, FloorArea: j.FloorArea, LandArea: j.LandArea,
		Beds: j.Beds, NursingBeds: j.NursingBeds, Community: j.Community}
	return nil
}
