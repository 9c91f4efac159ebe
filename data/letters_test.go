package data

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/carecircle/carecircle/geo"
	"github.com/carecircle/carecircle/planner"
	"github.com/paulmach/orb"
)

// letterTown is a 1 km grid with one district, street and community holding
// the population of a bureau letter, for checking the letters' own figures
// through the whole model.
func letterTown(t *testing.T, pop planner.Population, fs []planner.Facility) *planner.City {
	t.Helper()
	var b geo.GraphBuilder
	at := func(i, j int) orb.Point { return orb.Point{106.5 + float64(i)*0.001, 31.8 + float64(j)*0.001} }
	for i := 0; i < 11; i++ {
		for j := 0; j < 11; j++ {
			b.Node(int64(i*11+j+1), at(i, j))
		}
	}
	for i := 0; i < 11; i++ {
		for j := 0; j < 11; j++ {
			u := int32(i*11 + j)
			if i < 10 {
				b.Edge(u, u+11, geo.EdgeOther)
			}
			if j < 10 {
				b.Edge(u, u+1, geo.EdgeOther)
			}
		}
	}
	g, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	box := orb.Polygon{{at(0, 0), at(10, 0), at(10, 10), at(0, 10), at(0, 0)}}
	for i := range fs {
		fs[i].Location = at(i%11, (i/11)%11)
	}
	return &planner.City{
		Name:    "letter town",
		Network: g,
		Regions: []planner.Region{
			{Code: "511903", Name: "恩阳区", Level: planner.LevelDistrict},
			{Code: "511903001", Name: "街道", Level: planner.LevelStreet, Parent: "511903"},
			{Code: "511903001001", Name: "社区", Level: planner.LevelCommunity, Parent: "511903001", Boundary: box, AreaType: planner.Urban, Population: pop},
		},
		Demand:     []planner.DemandPoint{{Location: at(5, 5), Community: 2, Population: pop}},
		Facilities: fs,
	}
}

func TestLetterFiguresThroughTheModel(t *testing.T) {
	// 恩阳区 (恩民政函〔2021〕3号): 642,513 residents, 130,876 aged 60+, 11,604 aged
	// 80+, 2,783 beds in all → 21.3 beds per 1000 elders.
	enyang := planner.Population{Residents: 642513, Households: 642513 / 2.62, Elders60: 130876, Elders80: 11604}
	var beds []planner.Facility
	for i, n := range []float64{1200, 900, 683} { // 2,783 beds in three institutions
		beds = append(beds, planner.Facility{ID: fmt.Sprint("I", i), Name: "敬老院", Type: planner.Institution, Status: planner.Operating, FloorArea: 5000, Beds: n})
	}
	for _, tc := range []struct {
		profile string
		land    float64
	}{
		{"cn-default", 64251.3},
		{"chongqing", 128502.6},
	} {
		t.Run(tc.profile, func(t *testing.T) {
			p, err := BuiltinProfile(tc.profile)
			if err != nil {
				t.Fatal(err)
			}
			m, err := planner.NewModel(context.Background(), letterTown(t, enyang, append([]planner.Facility(nil), beds...)), p, nil)
			if err != nil {
				t.Fatal(err)
			}
			d := *m.Baseline().Summary().Region(0)
			if got := math.Round(d.BedsPer1000*10) / 10; got != 21.3 {
				t.Errorf("beds per 1000 elders: %v (%.4f), the letter says 21.3", got, d.BedsPer1000)
			}
			if math.Abs(d.LandRequired-tc.land) > 0.05 {
				t.Errorf("land required: %.1f m², want %.1f", d.LandRequired, tc.land)
			}
			if math.Abs(d.BedsGap-(130876*0.040-2783)) > 1e-6 {
				t.Errorf("beds gap: %v", d.BedsGap)
			}
		})
	}

	// 资阳市 (资民函〔2020〕61号): 201 day-care centres built, 35 idle → 166 count.
	var daycare []planner.Facility
	for i := 0; i < 201; i++ {
		st := planner.Operating
		if i < 35 {
			st = planner.Idle
		}
		daycare = append(daycare, planner.Facility{ID: fmt.Sprint("D", i), Name: "日间照料中心", Type: planner.DayCare, Status: st, FloorArea: 300, Beds: 10})
	}
	p, _ := BuiltinProfile("cn-default")
	m, err := planner.NewModel(context.Background(), letterTown(t, planner.Population{Residents: 1000, Elders60: 200}, daycare), p, nil)
	if err != nil {
		t.Fatal(err)
	}
	d := *m.Baseline().Summary().Region(0)
	if d.Operating != 166 || d.Idle != 35 || d.FloorProvided != 166*300 {
		t.Errorf("资阳: operating %v idle %v floor %v; want 166, 35 and %v", d.Operating, d.Idle, d.FloorProvided, 166*300)
	}
}
