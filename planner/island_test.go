package planner

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/carecircle/carecircle/geo"
	"github.com/paulmach/orb"
)

// townXY is townX moved y metres north.
func townXY(x, y float64) orb.Point {
	p := townX(x)
	return orb.Point{p[0], p[1] + y/(geo.EarthRadius*math.Pi/180)}
}

// Island town: the hand town's street (the main network) and, 150 m north
// of its west end, an island's own path from x = 0 to x = 200 m that no
// walkway joins to the street. Station S1 stands at x = 0 on the street,
// station I1 on the island at x = 0. The island's home at x = 100 (25
// elders) snaps to the island path 10 m away; in a straight line it is
// 190 m from S1, but no walk reaches it from the street.
func islandTown(t testing.TB) *City {
	t.Helper()
	c := handTown(t)
	var b geo.GraphBuilder
	for i := 0; i <= 12; i++ {
		b.Node(int64(i+1), townX(float64(i)*100))
	}
	for i := 0; i < 12; i++ {
		k := geo.EdgeOther
		if i == 6 {
			k = geo.EdgeSteps
		}
		b.Edge(int32(i), int32(i+1), k)
	}
	i0 := b.Node(100, townXY(0, 150))
	i1 := b.Node(101, townXY(100, 150))
	i2 := b.Node(102, townXY(200, 150))
	b.Edge(i0, i1, geo.EdgeOther)
	b.Edge(i1, i2, geo.EdgeOther)
	g, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	c.Network = g
	c.Demand = append(c.Demand, DemandPoint{Location: townXY(100, 160), Community: 2,
		Population: Population{Residents: 60, Households: 25, Elders60: 25, Elders80: 5}})
	a := &c.Regions[2].Population
	*a = a.Add(Population{Residents: 60, Households: 25, Elders60: 25, Elders80: 5})
	c.Facilities = append(c.Facilities, Facility{ID: "I1", Name: "岛上养老服务站", Type: CommunityStation, Status: Operating,
		Location: townXY(0, 155), FloorArea: 250, Beds: 12, Community: "500100001001"})
	return c
}

func TestIslandServesItselfAndIsReported(t *testing.T) {
	ctx := context.Background()
	m, err := NewModel(ctx, islandTown(t), testProfile(), nil)
	if err != nil {
		t.Fatalf("a facility on an island must not stop the load: %v", err)
	}
	if m.City.Network.NumPieces() != 2 || m.DemandDetached != 1 {
		t.Fatalf("%d pieces, %d demand points on detached walkways; want 2 and 1", m.City.Network.NumPieces(), m.DemandDetached)
	}
	a, err := m.Baseline().Assess(ctx, "baseline")
	if err != nil {
		t.Fatal(err)
	}
	if a.DemandDetached != 1 || a.SnapLimitM != 500 {
		t.Errorf("assessment: %d points on detached walkways, snap limit %v m; want 1 and 500", a.DemandDetached, a.SnapLimitM)
	}
	flagged := func(id string) bool {
		for _, f := range a.Facilities {
			if f.ID == id {
				return slices.Contains(f.Flags, FlagDetached)
			}
		}
		t.Fatalf("no facility %s", id)
		return false
	}
	if !flagged("I1") || flagged("S1") {
		t.Errorf("detached_walkway flag: I1 %v, S1 %v; want true, false", flagged("I1"), flagged("S1"))
	}
	// Community A: homes at 100 m (10) and 400 m (20) served by S1, the
	// island's 25 by I1.
	commA := a.Regions[2].Indicators
	if commA.EldersDetached != 25 || commA.EldersCovered15 != 55 {
		t.Errorf("community A: %v elders on detached walkways, %v covered; want 25 and 55", commA.EldersDetached, commA.EldersCovered15)
	}
	if a.City.Indicators.EldersDetached != 25 {
		t.Errorf("city: %v elders on detached walkways, want 25", a.City.Indicators.EldersDetached)
	}
	for _, f := range a.Facilities {
		if f.ID == "I1" && f.Elders15 != 25 {
			t.Errorf("I1 has %v elders in its circle, want the island's 25", f.Elders15)
		}
	}

	// Without I1 the island is uncovered, though S1 is 190 m away in a
	// straight line: the street does not reach it.
	e := m.Baseline().Clone()
	e.Remove(e.Index("I1"))
	if got := e.Summary().Region(2).EldersCovered15; got != 30 {
		t.Errorf("without the island's station community A has %v covered, want 30", got)
	}
	a2, err := e.Assess(ctx, "no island station")
	if err != nil {
		t.Fatal(err)
	}
	said := false
	for _, g := range a2.Gaps {
		if g.Indicator == "coverage_15min" && g.Region == "500100001001" {
			said = strings.Contains(g.Message.EN, "25 of them live on a walkway piece not connected to the main network") &&
				strings.Contains(g.Message.ZH, "25名住在与主路网不连通的步行路段旁")
		}
	}
	if !said {
		t.Error("community A's coverage gap does not give the island's 25 elders as the reason")
	}

	// The off-network distance is the profile's: at 8 m the island's home,
	// 10 m from its path, is off the network, and the assessment says so.
	p := testProfile()
	p.Walking.MaxSnapMetres.Value = 8
	m8, err := NewModel(ctx, islandTown(t), p, nil)
	if err != nil {
		t.Fatal(err)
	}
	if a8, _ := m8.Baseline().Assess(ctx, "8 m"); a8.DemandOffNetwork != 1 || a8.SnapLimitM != 8 || a8.Regions[2].Indicators.EldersUnsnapped != 25 {
		t.Errorf("snap limit 8 m: %d points off the network, limit %v, %v elders off; want 1, 8, 25",
			a8.DemandOffNetwork, a8.SnapLimitM, a8.Regions[2].Indicators.EldersUnsnapped)
	}

	// A facility far from every walkway is still refused, naming it.
	c := islandTown(t)
	c.Facilities = append(c.Facilities, Facility{ID: "X1", Name: "远处", Type: CommunityStation, Status: Operating, Location: townXY(0, 2000)})
	if _, err := NewModel(ctx, c, testProfile(), nil); err == nil {
		t.Error("a facility 1850 m from the nearest walkway was accepted")
	}
}
