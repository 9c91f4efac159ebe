package planner

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"

	"github.com/carecircle/carecircle/geo"
)

// TestSummaryPagesAgainstRebuild applies random edits and checks, after
// each, that the incremental summary equals, bit for bit, one built from
// scratch on the same evaluation; that earlier summaries (shared pages)
// are unchanged; and that Changed lists exactly the regions that differ.
func TestSummaryPagesAgainstRebuild(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 13))
	c := randomCity(t, rng)
	// Empty communities between the streets and the real ones spread the
	// regions over several pages: edits touch the first and the last.
	const pad = 70
	var padding []Region
	for k := range pad {
		padding = append(padding, Region{Code: fmt.Sprintf("E%d", k), Name: "empty", Level: LevelCommunity, Parent: "S", AreaType: Urban})
	}
	c.Regions = slices.Concat(c.Regions[:3], padding, c.Regions[3:])
	for i := range c.Demand {
		c.Demand[i].Community += pad
	}
	m, err := NewModel(context.Background(), c, testProfile(), nil)
	if err != nil {
		t.Fatal(err)
	}
	e := m.Baseline().Clone()
	types := []FacilityType{CommunityStation, StreetCenter, DayCare, Institution}
	type kept struct {
		s       *Summary
		regions []Indicators
		city    Indicators
	}
	var history []kept
	for step := 0; step < 80; step++ {
		prev := e.Summary()
		history = append(history, kept{prev, prev.Regions(), prev.City})
		switch op := rng.IntN(3); {
		case op == 0 || len(e.Facilities) < 3:
			if err := e.Add(randomFacility(rng, c, types, step)); err != nil {
				t.Fatal(err)
			}
		case op == 1:
			e.Remove(rng.IntN(len(e.Facilities)))
		default:
			i := rng.IntN(len(e.Facilities))
			f := e.Facilities[i]
			f.Location = randomFacility(rng, c, types, step).Location
			f.Status = []FacilityStatus{Operating, Idle, Proposed}[rng.IntN(3)]
			if err := e.Replace(i, f); err != nil {
				t.Fatal(err)
			}
		}
		got := e.Summary()
		scratch := e.Clone()
		scratch.sum = nil
		want := scratch.Summary()
		if got.City != want.City {
			t.Fatalf("step %d: city %+v, from scratch %+v", step, got.City, want.City)
		}
		var differ []int
		for i := range want.Len() {
			if *got.Region(i) != *want.Region(i) {
				t.Fatalf("step %d: region %d %+v, from scratch %+v", step, i, *got.Region(i), *want.Region(i))
			}
			if *got.Region(i) != history[len(history)-1].regions[i] {
				differ = append(differ, i)
			}
		}
		var changed []int
		got.Changed(prev, func(i int) { changed = append(changed, i) })
		if len(changed) != len(differ) {
			t.Fatalf("step %d: Changed lists %v, regions that differ %v", step, changed, differ)
		}
		for k := range changed {
			if changed[k] != differ[k] {
				t.Fatalf("step %d: Changed lists %v, regions that differ %v", step, changed, differ)
			}
		}
	}
	for k, h := range history {
		if h.s.City != h.city {
			t.Fatalf("summary %d: city changed after later edits", k)
		}
		for i, in := range h.s.Regions() {
			if in != h.regions[i] {
				t.Fatalf("summary %d: region %d changed after later edits", k, i)
			}
		}
	}
}

// TestSummaryCountsFacilitiesInNoCommunity adds and removes an idle
// facility outside every community and beyond a walk of every home: it
// changes no demand point, only the city's counts, which the summary must
// still show.
func TestSummaryCountsFacilitiesInNoCommunity(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	c := randomCity(t, rng)
	// Homes only in the far corner, out of reach of the town's south-west.
	var far []DemandPoint
	sw := c.Network.Points[0]
	for _, d := range c.Demand {
		if geo.Haversine(d.Location, sw) > 1400 {
			far = append(far, d)
		}
	}
	c.Demand = far
	m, err := NewModel(context.Background(), c, testProfile(), nil)
	if err != nil {
		t.Fatal(err)
	}
	e := m.Baseline().Clone()
	idle := e.Summary().City.Idle
	p := c.Network.Points[0]
	f := Facility{ID: "outside", Name: "f", Type: CommunityStation, Status: Idle, Location: orb.Point{p[0] - 0.0005, p[1] - 0.0005}, FloorArea: 300}
	if err := e.Add(f); err != nil {
		t.Fatal(err)
	}
	if e.Community(e.Index("outside")) >= 0 {
		t.Fatal("the facility fell in a community: the test checks nothing")
	}
	if got := e.Summary().City.Idle; got != idle+1 {
		t.Fatalf("city idle facilities %v after adding one outside every community, want %v", got, idle+1)
	}
	e.Remove(e.Index("outside"))
	if got := e.Summary().City.Idle; got != idle {
		t.Fatalf("city idle facilities %v after removing it, want %v", got, idle)
	}
}
