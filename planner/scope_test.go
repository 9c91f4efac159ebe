package planner

import (
	"context"
	"strings"
	"testing"
)

func TestScopeKeepsRegionDescendantsFacilitiesAndGaps(t *testing.T) {
	m := newHandModel(t)
	a, err := m.Baseline().Clone().Assess(context.Background(), "baseline")
	if err != nil {
		t.Fatal(err)
	}
	regions := m.City.Regions

	// The street: itself and both communities; every facility placed in
	// them; the district's gaps left out.
	s, err := a.Scope("500100001", regions)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Regions) != 3 || s.Regions[0].Code != "500100001" {
		t.Fatalf("street scope regions %+v", s.Regions)
	}
	if s.City.Indicators != a.Regions[1].Indicators {
		t.Fatal("scoped totals are not the street's indicators")
	}
	if s.City.Name != a.City.Name {
		t.Fatalf("scoped city name %q, want %q", s.City.Name, a.City.Name)
	}
	for _, g := range s.Gaps {
		if g.Level == LevelDistrict {
			t.Fatalf("street scope keeps a district gap: %+v", g)
		}
	}
	for i, g := range s.Gaps {
		if g.Rank != i+1 {
			t.Fatalf("gap %d ranked %d", i, g.Rank)
		}
	}

	// Community B (乙社区): only its own facility (S2) and gaps.
	b, err := a.Scope("500100001002", regions)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Regions) != 1 || b.City.Indicators.Elders60 != 70 {
		t.Fatalf("community scope: %d regions, elders %v", len(b.Regions), b.City.Indicators.Elders60)
	}
	if len(b.Facilities) != 1 || b.Facilities[0].ID != "S2" {
		t.Fatalf("community B facilities %+v", b.Facilities)
	}
	if len(b.Gaps) == 0 {
		t.Fatal("community B has no gaps; it has uncovered elders")
	}
	for _, g := range b.Gaps {
		if g.Region != "500100001002" {
			t.Fatalf("community B scope keeps gap of %s", g.Region)
		}
	}
	bb := regions[3].Boundary.Bound()
	if b.City.Bound != [4]float64{bb.Min[0], bb.Min[1], bb.Max[0], bb.Max[1]} {
		t.Fatalf("community B bound %v, want its boundary's %v", b.City.Bound, bb)
	}
	// Scoping twice is the same; the original is untouched.
	again, err := b.Scope("500100001002", regions)
	if err != nil || len(again.Gaps) != len(b.Gaps) || again.City != b.City {
		t.Fatalf("scoping twice differs: %v", err)
	}
	if len(a.Regions) != 4 || a.Gaps[0].Rank != 1 {
		t.Fatal("Scope changed the assessment")
	}
	// The district holds everything placed in a community; H1 has no
	// community code but is placed by its position.
	d, err := a.Scope("500100", regions)
	if err != nil {
		t.Fatal(err)
	}
	if d.City.Indicators != a.Regions[0].Indicators || len(d.Gaps) != len(a.Gaps) {
		t.Fatalf("district scope: %d of %d gaps", len(d.Gaps), len(a.Gaps))
	}

	if same, err := a.Scope("", regions); err != nil || same != a {
		t.Fatal("an empty code should return the assessment itself")
	}
	_, err = a.Scope("999", regions)
	if err == nil || !strings.Contains(err.Error(), `"999"`) {
		t.Fatalf("unknown code: err %v, want one naming it", err)
	}
}

func TestProposalEffectsAddedLast(t *testing.T) {
	m := newHandModel(t)
	base := m.Baseline()
	before := base.Clone().Summary().City
	// P1 at 800 m covers community B's homes (70 elders); P2 next to it
	// adds nothing once P1 is there; reopening S2 (idle, at 900 m) covers
	// the same elders; closing H1 (an institution) loses its beds.
	p1 := Facility{ID: "P1", Name: "拟建站", Type: CommunityStation, Status: Proposed, Location: townX(800), FloorArea: 200, Beds: 10}
	p2 := p1
	p2.ID, p2.Location = "P2", townX(820)
	s2 := base.Facilities[base.Index("S2")]
	s2.Status = Operating
	sc := &Scenario{ID: "s1", Name: "test", Added: []Facility{p1, p2}, Changed: []Facility{s2}, Closed: []string{"H1"}}
	fx, err := ProposalEffects(base, sc)
	if err != nil {
		t.Fatal(err)
	}
	if len(fx) != 4 {
		t.Fatalf("%d effects, want 4", len(fx))
	}
	if fx[0].Op != OpAdd || fx[0].Facility.ID != "P1" || fx[0].Community != "500100001002" {
		t.Fatalf("first effect %+v", fx[0])
	}
	for i := 0; i < 3; i++ {
		if fx[i].EldersCovered != 0 {
			t.Fatalf("%s added last covers %v more elders; the others cover them already", fx[i].Facility.ID, fx[i].EldersCovered)
		}
		if fx[i].Elders15 <= 0 {
			t.Fatalf("%s: no elders in its circle", fx[i].Facility.ID)
		}
	}
	if fx[0].Beds != 10 || fx[0].FloorProvided != 200 {
		t.Fatalf("P1 adds beds %v floor %v, want 10 and 200", fx[0].Beds, fx[0].FloorProvided)
	}
	if fx[3].Op != OpClose || fx[3].Facility.ID != "H1" || fx[3].Beds != -100 {
		t.Fatalf("closing H1: %+v", fx[3])
	}
	// Alone, P1 covers community B.
	one, err := ProposalEffects(base, &Scenario{ID: "s2", Added: []Facility{p1}})
	if err != nil {
		t.Fatal(err)
	}
	if len(one) != 1 || one[0].EldersCovered != 70 || !near(one[0].Coverage15, 0.7) {
		t.Fatalf("P1 alone: %+v, want 70 elders newly covered", one)
	}
	if base.Clone().Summary().City != before {
		t.Fatal("ProposalEffects changed the baseline")
	}
	if fx, err := ProposalEffects(base, &Scenario{ID: "empty"}); err != nil || fx != nil {
		t.Fatalf("empty scenario: %v %v", fx, err)
	}
	if _, err := ProposalEffects(base, &Scenario{ID: "bad", Closed: []string{"nope"}}); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("closing an unknown facility: err %v", err)
	}
}
