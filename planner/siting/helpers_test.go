package siting

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"

	"github.com/carecircle/carecircle/geo"
	"github.com/carecircle/carecircle/planner"
)

// The optimiser's tests build the same random town and profile as
// planner's own tests; these are copies of planner's test helpers (a test
// package cannot share them with package planner's internal tests).

// fig is a figure with a placeholder source, for building test profiles.
func fig(v float64) planner.Figure {
	return planner.Figure{Value: v, Source: "test", Confidence: planner.ConfidenceSetting}
}

// testProfile is a valid profile with cn-default's figures, built in Go so
// that planner's tests do not depend on the YAML files in package data
// (whose own tests check the built-ins against the figures of the documents they cite).
func testProfile() *planner.StandardsProfile {
	return &planner.StandardsProfile{
		Name:  "test",
		Title: planner.Text{ZH: "测试", EN: "Test"},
		Area: planner.AreaNorms{
			LandPerResident:          fig(0.1),
			FloorPer100HouseholdsNew: fig(20),
			FloorPer100HouseholdsOld: fig(15),
			HouseholdSize:            fig(2.62),
			FacilityTypes:            []planner.FacilityType{planner.StreetCenter, planner.CommunityStation, planner.DayCare, planner.Canteen, planner.RuralPoint},
		},
		StreetCenter:     planner.UnitNorm{PerUnit: fig(1), MinFloor: fig(1500), MinBeds: fig(50), FacilityTypes: []planner.FacilityType{planner.StreetCenter}},
		CommunityStation: planner.UnitNorm{PerUnit: fig(1), MinFloor: fig(200), MinBeds: fig(10), FacilityTypes: []planner.FacilityType{planner.CommunityStation, planner.RuralPoint}},
		DayCare:          planner.SizeRange{MinFloor: fig(350), MaxFloor: fig(750)},
		ServiceCircle: planner.ServiceCircleNorm{UrbanMinutes: fig(15), InnerBandMinutes: fig(5), MiddleBandMinutes: fig(10), RuralMetres: fig(1000),
			FacilityTypes: []planner.FacilityType{planner.StreetCenter, planner.CommunityStation, planner.DayCare, planner.Canteen, planner.RuralPoint}},
		Walking: planner.WalkingNorm{SpeedMPS: fig(0.9), StepsFactor: fig(2), MaxSnapMetres: fig(500)},
		Beds: planner.BedNorms{Per1000Elders: fig(40), NursingShare: fig(0.55),
			FacilityTypes:        []planner.FacilityType{planner.StreetCenter, planner.CommunityStation, planner.DayCare, planner.RuralPoint, planner.Institution},
			NursingFacilityTypes: []planner.FacilityType{planner.Institution}},
		Coverage:         planner.CoverageNorm{DayCareCommunityShare: fig(0.9), FacilityTypes: []planner.FacilityType{planner.CommunityStation, planner.DayCare}},
		CenterStations:   planner.CenterStationsNorm{Enabled: false, StationsPerCenter: fig(10), ReachMetres: fig(3000)},
		HealthColocation: planner.HealthColocationNorm{MaxDistanceMetres: fig(300), FacilityTypes: []planner.FacilityType{planner.StreetCenter, planner.CommunityStation}, HealthTypes: []planner.FacilityType{planner.Health}},
		Priority:         planner.PriorityNorm{Elder80Weight: fig(1)},
		StationMerge:     planner.StationMergeNorm{OverlapShare: fig(0.7), FacilityTypes: []planner.FacilityType{planner.CommunityStation}},
		Supply:           planner.SupplyRule{Statuses: []planner.FacilityStatus{planner.Operating}, Source: "test"},
		Accessibility:    planner.AccessibilityNorm{Decay: planner.DecayNone, CatchmentMinutes: fig(15)},
	}
}

// randomCity is a 1.2 km grid town with two streets of three communities
// and homes scattered along its streets.
func randomCity(t testing.TB, rng *rand.Rand) *planner.City {
	t.Helper()
	var b geo.GraphBuilder
	const n = 13 // 13×13 nodes, 100 m apart
	ky := geo.EarthRadius * math.Pi / 180
	kx := ky * math.Cos(29.56*math.Pi/180)
	at := func(x, y float64) orb.Point { return orb.Point{106.55 + x/kx, 29.56 + y/ky} }
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			b.Node(int64(i*n+j+1), at(float64(i)*100, float64(j)*100))
		}
	}
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			u := int32(i*n + j)
			if i+1 < n {
				b.Edge(u, u+n, geo.EdgeOther)
			}
			if j+1 < n {
				k := geo.EdgeOther
				if rng.IntN(8) == 0 {
					k = geo.EdgeSteps
				}
				b.Edge(u, u+1, k)
			}
		}
	}
	g, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	box := func(x0, y0, x1, y1 float64) orb.Polygon {
		a, c := at(x0, y0), at(x1, y1)
		return orb.Polygon{{a, {c[0], a[1]}, c, {a[0], c[1]}, a}}
	}
	c := &planner.City{Name: "random", Network: g, Regions: []planner.Region{{Code: "D", Name: "D", Level: planner.LevelDistrict}}}
	for s := 0; s < 2; s++ {
		c.Regions = append(c.Regions, planner.Region{Code: string(rune('S' + s)), Name: "street", Level: planner.LevelStreet, Parent: "D"})
	}
	for k := 0; k < 6; k++ {
		x0 := float64(k%3) * 400
		y0 := float64(k/3) * 600
		c.Regions = append(c.Regions, planner.Region{Code: "C" + string(rune('0'+k)), Name: "community", Level: planner.LevelCommunity,
			Parent: string(rune('S' + k/3)), Boundary: box(x0, y0, x0+400, y0+600), AreaType: []planner.AreaType{planner.Urban, planner.Rural}[k%2], Age: planner.NewResidential})
	}
	for i := 0; i < 300; i++ {
		x, y := rng.Float64()*1199, rng.Float64()*1199
		comm := int32(3 + int(x/400) + 3*int(y/600))
		p := planner.Population{Residents: 10 + rng.Float64()*50, Households: 5, Elders60: 3 + rng.Float64()*10, Elders80: 1}
		c.Demand = append(c.Demand, planner.DemandPoint{Location: at(x, y), Community: comm, Population: p})
		r := &c.Regions[comm]
		r.Population = r.Population.Add(p)
	}
	for i := 0; i < 8; i++ {
		c.Facilities = append(c.Facilities, randomFacility(rng, c, []planner.FacilityType{planner.CommunityStation, planner.StreetCenter, planner.DayCare}, 100+i))
	}
	return c
}

func randomFacility(rng *rand.Rand, c *planner.City, types []planner.FacilityType, id int) planner.Facility {
	p := c.Network.Points[rng.IntN(c.Network.NumNodes())]
	statuses := []planner.FacilityStatus{planner.Operating, planner.Operating, planner.Idle, planner.Proposed}
	return planner.Facility{ID: "F" + string(rune('A'+id%26)) + string(rune('a'+id/26)), Name: "f", Type: types[rng.IntN(len(types))],
		Status: statuses[rng.IntN(len(statuses))], Location: orb.Point{p[0] + (rng.Float64()-0.5)*1e-4, p[1]},
		FloorArea: 100 + rng.Float64()*1500, Beds: float64(rng.IntN(60))}
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-6*math.Max(1, math.Abs(b)) }
