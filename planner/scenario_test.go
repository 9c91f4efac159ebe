package planner

import (
	"testing"
)

func TestScenarioEditsAddUpAndApply(t *testing.T) {
	m := newHandModel(t)
	base := m.City.Facilities
	s := &Scenario{ID: "s1", Name: "test"}
	p1 := Facility{ID: "P1", Name: "拟建站", Type: CommunityStation, Status: Proposed, Location: townX(800), FloorArea: 200, Beds: 10}
	steps := []struct {
		ed      Edit
		wantErr bool
	}{
		{Edit{OpAdd, p1}, false},
		{Edit{OpAdd, p1}, true},                 // duplicate
		{Edit{OpAdd, Facility{ID: "S1"}}, true}, // a baseline id
		{Edit{OpChange, func() Facility { f := p1; f.Location = townX(850); return f }()}, false},   // move the added one
		{Edit{OpChange, func() Facility { f := base[1]; f.Status = Operating; return f }()}, false}, // reopen idle S2
		{Edit{OpClose, Facility{ID: "H1"}}, false},                                                  // close the institution
		{Edit{OpClose, Facility{ID: "H1"}}, true},                                                   // closed already
		{Edit{OpChange, Facility{ID: "nope"}}, true},
		{Edit{"demolish", Facility{ID: "S1"}}, true},
	}
	for i, st := range steps {
		n, err := s.With(base, st.ed)
		if (err != nil) != st.wantErr {
			t.Fatalf("step %d (%s %s): err %v, want error %v", i, st.ed.Op, st.ed.Facility.ID, err, st.wantErr)
		}
		if err == nil {
			if n.Version != s.Version+1 {
				t.Fatalf("step %d: version %d after %d", i, n.Version, s.Version)
			}
			s = n
		}
	}
	if len(s.Added) != 1 || s.Added[0].Location != townX(850) || len(s.Changed) != 1 || len(s.Closed) != 1 || s.Version != 4 {
		t.Fatalf("scenario state %+v", s)
	}

	// Applying the state equals making the edits one by one.
	whole, err := s.Apply(m.Baseline())
	if err != nil {
		t.Fatal(err)
	}
	step := m.Baseline().Clone()
	for _, ed := range []Edit{{OpAdd, p1}, {OpChange, s.Added[0]}, {OpChange, s.Changed[0]}, {OpClose, Facility{ID: "H1"}}} {
		if err := ApplyEdit(step, ed); err != nil {
			t.Fatal(err)
		}
	}
	if !summariesNear(whole.Summary(), step.Summary()) {
		t.Fatal("applying the scenario differs from making its edits one by one")
	}
	if got := whole.Summary().City.Beds; got != 12+8+10 { // S1 + reopened S2 + P1; H1 closed
		t.Fatalf("beds %v, want 30", got)
	}
	if m.Baseline().Summary().City.Beds != 112 {
		t.Fatal("the baseline changed")
	}
	// Closing an added facility deletes it; closing a changed one drops the change.
	s2, _ := s.With(base, Edit{OpClose, Facility{ID: "P1"}})
	s3, _ := s2.With(base, Edit{OpClose, Facility{ID: "S2"}})
	if len(s3.Added) != 0 || len(s3.Changed) != 0 || len(s3.Closed) != 2 {
		t.Fatalf("after closing P1 and S2: %+v", s3)
	}
	if f, open := s.Facility(base, "H1"); open || f.ID != "" {
		t.Fatal("closed facility reported open")
	}
	if f, open := s.Facility(base, "S2"); !open || f.Status != Operating {
		t.Fatalf("changed facility: %+v %v", f, open)
	}
}
