package planner

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/carecircle/carecircle/geo"
)

// TestHealthWalkSplitEqualsOneWalk checks the per-core health walks
// against one multi-source walk from every health facility.
func TestHealthWalkSplitEqualsOneWalk(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	c := randomCity(t, rng)
	for i := range 300 { // enough for several walks on any machine
		f := randomFacility(rng, c, []FacilityType{Health}, i)
		f.Status = Operating
		c.Health = append(c.Health, f)
	}
	p := testProfile()
	m, err := NewModel(context.Background(), c, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	var sources []geo.Source
	for _, h := range c.Health {
		s, err := m.Edges.Snap(h.Location, geo.DefaultMaxSnap)
		if err != nil {
			t.Fatal(err)
		}
		seeds := m.Router.Seeds(s)
		sources = append(sources, seeds[0], seeds[1])
	}
	search := m.Router.NewSearch()
	search.Run(sources, 2*p.HealthColocation.MaxDistanceMetres.Value/p.Walking.SpeedMPS.Value)
	reached := 0
	for i := range m.health {
		want := float32(search.Seconds(int32(i)))
		if m.health[i] != want {
			t.Fatalf("node %d: %v s to health, one walk says %v", i, m.health[i], want)
		}
		if !math.IsInf(float64(want), 1) {
			reached++
		}
	}
	if reached == 0 {
		t.Fatal("no node reached: the test checks nothing")
	}
}
