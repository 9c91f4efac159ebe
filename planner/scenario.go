package planner

import (
	"fmt"
	"slices"
)

// Scenario is the baseline plus a planner's edits, kept as the state they
// add up to: the facilities it adds, the baseline facilities it changes
// (moved, resized, re-typed, status changed) and those it closes. Version
// counts the edits, so a client editing a stale copy can be refused.
// Scenarios are values; applying one never changes the baseline.
type Scenario struct {
	ID      string     `json:"id"`
	Name    string     `json:"name"`
	Version int64      `json:"version"`
	Added   []Facility `json:"added"`
	Changed []Facility `json:"changed"`
	Closed  []string   `json:"closed"`
}

// Clone returns a deep copy.
func (s *Scenario) Clone() *Scenario {
	c := *s
	c.Added = slices.Clone(s.Added)
	c.Changed = slices.Clone(s.Changed)
	c.Closed = slices.Clone(s.Closed)
	return &c
}

// Apply returns the evaluation of the scenario on top of base, which is
// left untouched. It fails when an edit no longer fits the baseline (a
// changed or closed facility it does not have).
func (s *Scenario) Apply(base *Evaluation) (*Evaluation, error) {
	e := base.Clone()
	for _, id := range s.Closed {
		i := e.Index(id)
		if i < 0 {
			return nil, fmt.Errorf("scenario %s closes facility %q, which the baseline does not have", s.ID, id)
		}
		e.Remove(i)
	}
	for _, f := range s.Changed {
		i := e.Index(f.ID)
		if i < 0 {
			return nil, fmt.Errorf("scenario %s changes facility %q, which the baseline does not have", s.ID, f.ID)
		}
		if err := e.Replace(i, f); err != nil {
			return nil, fmt.Errorf("scenario %s, facility %q: %w", s.ID, f.ID, err)
		}
	}
	for _, f := range s.Added {
		if err := e.Add(f); err != nil {
			return nil, fmt.Errorf("scenario %s, facility %q: %w", s.ID, f.ID, err)
		}
	}
	return e, nil
}

// Facility returns the scenario's current state of facility id (added,
// changed or from the baseline) and whether it is open in the scenario.
func (s *Scenario) Facility(base []Facility, id string) (Facility, bool) {
	if slices.Contains(s.Closed, id) {
		return Facility{}, false
	}
	for _, lists := range [][]Facility{s.Added, s.Changed, base} {
		if i := slices.IndexFunc(lists, func(f Facility) bool { return f.ID == id }); i >= 0 {
			return lists[i], true
		}
	}
	return Facility{}, false
}

// Edit is one change a planner makes to a scenario.
type Edit struct {
	Op       EditOp
	Facility Facility // the new state for add and change; only ID for close
}

// EditOp is what an edit does.
type EditOp string

// Edit operations.
const (
	OpAdd    EditOp = "add"    // a new facility
	OpChange EditOp = "change" // a facility moved, resized, re-typed or re-statused
	OpClose  EditOp = "close"  // a facility deleted (added ones) or closed (baseline ones)
)

// With returns the scenario after the edit, its version one higher, and
// leaves s as it was. base is the baseline's facility list, which decides
// whether an edit touches an added facility or a baseline one.
func (s *Scenario) With(base []Facility, ed Edit) (*Scenario, error) {
	id := ed.Facility.ID
	inBase := slices.ContainsFunc(base, func(f Facility) bool { return f.ID == id })
	added := slices.IndexFunc(s.Added, func(f Facility) bool { return f.ID == id })
	changed := slices.IndexFunc(s.Changed, func(f Facility) bool { return f.ID == id })
	closed := slices.Contains(s.Closed, id)
	n := s.Clone()
	switch ed.Op {
	case OpAdd:
		if inBase || added >= 0 {
			return nil, fmt.Errorf("facility %q exists already", id)
		}
		n.Added = append(n.Added, ed.Facility)
	case OpChange:
		switch {
		case added >= 0:
			n.Added[added] = ed.Facility
		case closed || !inBase:
			return nil, fmt.Errorf("facility %q is not in the scenario", id)
		case changed >= 0:
			n.Changed[changed] = ed.Facility
		default:
			n.Changed = append(n.Changed, ed.Facility)
		}
	case OpClose:
		switch {
		case added >= 0:
			n.Added = slices.Delete(n.Added, added, added+1)
		case closed || !inBase:
			return nil, fmt.Errorf("facility %q is not in the scenario", id)
		default:
			if changed >= 0 {
				n.Changed = slices.Delete(n.Changed, changed, changed+1)
			}
			n.Closed = append(n.Closed, id)
		}
	default:
		return nil, fmt.Errorf("edit %q: want add, change or close", ed.Op)
	}
	n.Version++
	return n, nil
}

// ApplyEdit makes the edit on an evaluation of the scenario in place, as
// one incremental step (one catchment walked at most). It fails without
// changing e when the facility is invalid or off the network.
func ApplyEdit(e *Evaluation, ed Edit) error {
	switch ed.Op {
	case OpAdd:
		return e.Add(ed.Facility)
	case OpChange:
		i := e.Index(ed.Facility.ID)
		if i < 0 {
			return fmt.Errorf("facility %q is not in the scenario", ed.Facility.ID)
		}
		return e.Replace(i, ed.Facility)
	case OpClose:
		i := e.Index(ed.Facility.ID)
		if i < 0 {
			return fmt.Errorf("facility %q is not in the scenario", ed.Facility.ID)
		}
		e.Remove(i)
		return nil
	}
	return fmt.Errorf("edit %q: want add, change or close", ed.Op)
}
