package planner

import (
	"context"
	"testing"

	"github.com/carecircle/carecircle/geo"
)

// Hand-checkable village: the hand town's street (flat all along, 100 m
// edges from 0 to 1200 m) in one rural community, with an idle rural point
// at x = 0 and no operating facility. Elders walk at 0.9 m/s; the rural
// circle is 1000 m = 1111 s, the urban one 900 s (810 m).
//
//	350 elders at x =  950 m: 1056 s, inside the rural circle, outside the urban one
//	 40 elders at x = 1150 m: 1278 s, outside both
//
// Reopening the point would newly cover the 350 and no one else; judged by
// the urban 15 minutes it would cover 0.
func handVillage(t testing.TB) *City {
	t.Helper()
	var b geo.GraphBuilder
	for i := 0; i <= 12; i++ {
		b.Node(int64(i+1), townX(float64(i)*100))
	}
	for i := 0; i < 12; i++ {
		b.Edge(int32(i), int32(i+1), geo.EdgeOther)
	}
	g, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return &City{
		Name:    "hand village",
		Network: g,
		Regions: []Region{
			{Code: "500100", Name: "测试区", Level: LevelDistrict},
			{Code: "500100101", Name: "测试镇", Level: LevelStreet, Parent: "500100"},
			{Code: "500100101201", Name: "甲村", Level: LevelCommunity, Parent: "500100101", Boundary: townStrip(0, 1200), AreaType: Rural, Age: OldResidential,
				Population: Population{Residents: 1000, Households: 400, Elders60: 390, Elders80: 60}},
		},
		Demand: []DemandPoint{
			{Location: townX(950), Community: 2, Population: Population{Residents: 900, Households: 360, Elders60: 350, Elders80: 50}},
			{Location: townX(1150), Community: 2, Population: Population{Residents: 100, Households: 40, Elders60: 40, Elders80: 10}},
		},
		Facilities: []Facility{
			{ID: "R1", Name: "甲村互助养老点", Type: RuralPoint, Status: Idle, Location: townX(0), FloorArea: 250, Beds: 12, Community: "500100101201"},
		},
	}
}

func TestRuralIdlePointGainUsesRuralCircle(t *testing.T) {
	m, err := NewModel(context.Background(), handVillage(t), testProfile(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := m.FacilityCircleSeconds(&m.City.Facilities[0]), 1000/0.9; !near(got, want) {
		t.Errorf("rural point's circle: %v s, want %v (1000 m at 0.9 m/s)", got, want)
	}
	a, err := m.Baseline().Assess(context.Background(), "baseline")
	if err != nil {
		t.Fatal(err)
	}
	r := a.Facilities[0]
	if r.Elders15 != 350 || r.EldersUnserved != 350 {
		t.Errorf("idle rural point: %v elders in its circle, %v newly covered; want 350 and 350", r.Elders15, r.EldersUnserved)
	}
	var found bool
	for _, g := range a.Gaps {
		if g.Indicator == "facilities_idle" && g.Facility == "R1" {
			found = true
			if g.EldersAffected != 350 {
				t.Errorf("idle gap: %v elders affected, want 350 (%s)", g.EldersAffected, g.Message.EN)
			}
		}
	}
	if !found {
		t.Error("no idle-facility gap for R1")
	}

	// Reopened, it covers exactly the 350.
	e := m.Baseline().Clone()
	f := e.Facilities[0]
	f.Status = Operating
	if err := e.Replace(0, f); err != nil {
		t.Fatal(err)
	}
	if got := e.Summary().City.EldersCovered15; got != 350 {
		t.Errorf("reopened: %v elders covered, want 350", got)
	}
	// Its service area reaches 1000 m along the street, not 810.
	area, _, err := m.ServiceArea(f.Location, m.FacilityCircleSeconds(&f), geo.DefaultServiceAreaRes)
	if err != nil {
		t.Fatal(err)
	}
	if !near(area.WalkwayM, 1000) {
		t.Errorf("service area: %v m of walkway, want 1000", area.WalkwayM)
	}
}
