package planner

import (
	"fmt"
	"math"
	"slices"

	"github.com/carecircle/carecircle/geo"
)

// numTypes is the number of facility types; nearest times are kept per type.
var numTypes = len(FacilityTypes())

// typeIndex is the position of t in FacilityTypes, or -1.
func typeIndex(t FacilityType) int {
	return slices.Index(FacilityTypes(), t)
}

// Evaluation is the state of one facility list (the baseline or a
// scenario): for every demand point the walking time to the nearest
// supplying facility of each type, and its 2SFCA accessibility. Add,
// Remove and Replace update it in proportion to the facility's catchment,
// never the whole city. An Evaluation is not safe for concurrent writes.
type Evaluation struct {
	m          *Model
	Facilities []Facility

	sites   []*site
	comm    []int32     // community of each facility, -1 unknown
	nearest [][]float32 // [type][point] seconds, +Inf beyond the budget
	ratio   []float64   // 2SFCA supply-to-demand ratio per facility (0: not supply)
	access  []float64   // per point: Σ ratio × decay

	touched  map[int32]bool // communities changed since the last Summary
	sum      *Summary       // the last Summary, nil until the first; shared with clones
	unplaced Indicators     // supply of facilities in no community

	unplacedChanged bool // a facility in no community changed since the last Summary
}

func newEvaluation(m *Model, fs []Facility) *Evaluation {
	e := &Evaluation{m: m, nearest: make([][]float32, numTypes), access: make([]float64, m.Demand.Len()), touched: map[int32]bool{}}
	for t := range e.nearest {
		e.nearest[t] = make([]float32, m.Demand.Len())
		for i := range e.nearest[t] {
			e.nearest[t][i] = float32(math.Inf(1))
		}
	}
	for _, f := range fs {
		s, err := m.siteAt(f.Location) // prepared by NewModel: a lookup
		if err != nil {
			panic(fmt.Sprintf("facility %q was not prepared: %v", f.ID, err))
		}
		e.insert(len(e.Facilities), f, s)
	}
	clear(e.touched)
	return e
}

// Model returns the model the evaluation belongs to.
func (e *Evaluation) Model() *Model { return e.m }

// Clone returns an independent copy to edit.
func (e *Evaluation) Clone() *Evaluation {
	c := &Evaluation{
		m:          e.m,
		Facilities: slices.Clone(e.Facilities),
		sites:      slices.Clone(e.sites),
		comm:       slices.Clone(e.comm),
		ratio:      slices.Clone(e.ratio),
		access:     slices.Clone(e.access),
		nearest:    make([][]float32, len(e.nearest)),
		touched:    map[int32]bool{},
		sum:        e.sum,
		unplaced:   e.unplaced,

		unplacedChanged: e.unplacedChanged,
	}
	for k := range e.touched {
		c.touched[k] = true
	}
	for t := range e.nearest {
		c.nearest[t] = slices.Clone(e.nearest[t])
	}
	return c
}

// Index returns the position of the facility with the given id, or -1.
func (e *Evaluation) Index(id string) int {
	return slices.IndexFunc(e.Facilities, func(f Facility) bool { return f.ID == id })
}

// Add adds a facility. It fails, changing nothing, when the facility is
// invalid, its id is taken or it is too far from any walkway.
func (e *Evaluation) Add(f Facility) error {
	if err := f.Validate(); err != nil {
		return err
	}
	if e.Index(f.ID) >= 0 {
		return fmt.Errorf("id %q: a facility with this id exists", f.ID)
	}
	s, err := e.m.siteAt(f.Location)
	if err != nil {
		return err
	}
	e.insert(len(e.Facilities), f, s)
	return nil
}

// Remove takes out facility i (closing it in a scenario).
func (e *Evaluation) Remove(i int) {
	e.detach(i)
	e.Facilities = slices.Delete(e.Facilities, i, i+1)
	e.sites = slices.Delete(e.sites, i, i+1)
	e.comm = slices.Delete(e.comm, i, i+1)
	e.ratio = slices.Delete(e.ratio, i, i+1)
}

// Replace changes facility i to f (moved, resized, re-typed, status
// changed). It fails, changing nothing, when f is invalid or unreachable.
func (e *Evaluation) Replace(i int, f Facility) error {
	if err := f.Validate(); err != nil {
		return err
	}
	if j := e.Index(f.ID); j >= 0 && j != i {
		return fmt.Errorf("id %q: a facility with this id exists", f.ID)
	}
	s, err := e.m.siteAt(f.Location)
	if err != nil {
		return err
	}
	e.Remove(i)
	e.insert(i, f, s)
	return nil
}

// TakeTouched returns the communities whose indicators may have changed
// since the last call, and forgets them.
func (e *Evaluation) TakeTouched() []int32 {
	out := make([]int32, 0, len(e.touched))
	for c := range e.touched {
		out = append(out, c)
	}
	slices.Sort(out)
	clear(e.touched)
	return out
}

// NearestSeconds returns the walking time from snapped demand point k to
// the nearest supplying facility of type t (+Inf beyond the budget).
func (e *Evaluation) NearestSeconds(t FacilityType, k int32) float64 {
	return float64(e.nearest[typeIndex(t)][k])
}

// ServedSeconds returns the walking time from demand point k to the nearest
// supplying facility of any service-circle type.
func (e *Evaluation) ServedSeconds(k int32) float64 {
	best := float32(math.Inf(1))
	for _, t := range e.m.Profile.ServiceCircle.FacilityTypes {
		best = min(best, e.nearest[typeIndex(t)][k])
	}
	return float64(best)
}

// Access returns the 2SFCA accessibility of demand point k: floor area of
// service-circle facilities reachable per weighted elder, m².
func (e *Evaluation) Access(k int32) float64 { return e.access[k] }

// Catchment returns the demand points within the model's budget of
// facility i, with their walking times.
func (e *Evaluation) Catchment(i int) geo.Catchment { return e.sites[i].catch }

// Snap returns where facility i joins the network.
func (e *Evaluation) Snap(i int) geo.Snap { return e.sites[i].snap }

// Community returns the index of facility i's community, or -1.
func (e *Evaluation) Community(i int) int32 { return e.comm[i] }

func (e *Evaluation) supplies(f *Facility) bool { return e.m.Profile.supplies(f) }

// insert puts f at position i and adds its contribution.
func (e *Evaluation) insert(i int, f Facility, s *site) {
	e.Facilities = slices.Insert(e.Facilities, i, f)
	e.sites = slices.Insert(e.sites, i, s)
	e.comm = slices.Insert(e.comm, i, e.m.communityOf(&e.Facilities[i], s))
	e.ratio = slices.Insert(e.ratio, i, 0)
	e.attach(i)
}

// attach adds facility i's contribution to the nearest times and 2SFCA.
func (e *Evaluation) attach(i int) {
	f, s := &e.Facilities[i], e.sites[i]
	if e.comm[i] >= 0 {
		e.touched[e.comm[i]] = true
	} else {
		e.unplacedChanged = true
	}
	if !e.supplies(f) {
		return
	}
	near := e.nearest[typeIndex(f.Type)]
	for k, p := range s.catch.Points {
		sec := s.catch.Seconds[k]
		if sec < near[p] {
			near[p] = sec
			e.touch(p)
		}
	}
	if r := e.m.ratio(f, s); r > 0 {
		e.ratio[i] = r
		e.addAccess(s, r)
	}
}

// detach removes facility i's contribution. Points whose nearest time came
// from it are recomputed from the other facilities of its type that could
// reach them.
func (e *Evaluation) detach(i int) {
	f, s := &e.Facilities[i], e.sites[i]
	if e.comm[i] >= 0 {
		e.touched[e.comm[i]] = true
	} else {
		e.unplacedChanged = true
	}
	if !e.supplies(f) {
		return
	}
	if e.ratio[i] > 0 {
		e.addAccess(s, -e.ratio[i])
		e.ratio[i] = 0
	}
	near := e.nearest[typeIndex(f.Type)]
	var others []*site
	reach := 2 * e.m.Budget * e.m.Profile.Walking.SpeedMPS.Value // no walk within budget is longer
	for j := range e.Facilities {
		g := &e.Facilities[j]
		if j != i && g.Type == f.Type && e.supplies(g) && geo.Haversine(g.Location, f.Location) <= reach {
			others = append(others, e.sites[j])
		}
	}
	for k, p := range s.catch.Points {
		if near[p] != s.catch.Seconds[k] {
			continue // another facility was nearer already
		}
		best := float32(math.Inf(1))
		for _, o := range others {
			if at, ok := slices.BinarySearch(o.catch.Points, p); ok {
				best = min(best, o.catch.Seconds[at])
			}
		}
		near[p] = best
		e.touch(p)
	}
}

func (e *Evaluation) touch(p int32) {
	e.touched[e.m.City.Demand[e.m.demandIndex[p]].Community] = true
}

// addAccess spreads a 2SFCA ratio over a site's catchment.
func (e *Evaluation) addAccess(s *site, r float64) {
	p := e.m.Profile
	t0 := p.Accessibility.CatchmentMinutes.Value
	for k, pt := range s.catch.Points {
		if w := p.Accessibility.Decay.Weight(float64(s.catch.Seconds[k])/60, t0); w > 0 {
			e.access[pt] += r * w
			e.touch(pt)
		}
	}
}

// ratio is a facility's 2SFCA supply-to-demand ratio: its floor area over
// the decay-weighted elder demand within its catchment (step one of 2SFCA).
// Only service-circle types supply; 0 means no contribution.
func (m *Model) ratio(f *Facility, s *site) float64 {
	p := m.Profile
	if !HasType(p.ServiceCircle.FacilityTypes, f.Type) || f.FloorArea <= 0 {
		return 0
	}
	t0 := p.Accessibility.CatchmentMinutes.Value
	var demand float64
	for k, pt := range s.catch.Points {
		if w := p.Accessibility.Decay.Weight(float64(s.catch.Seconds[k])/60, t0); w > 0 {
			d := m.DemandPoint(pt)
			demand += w * p.DemandWeight(d.Elders60, d.Elders80)
		}
	}
	if demand == 0 {
		return 0
	}
	return f.FloorArea / demand
}

// communityOf places a facility: by its community code or boundary, else
// the community of the nearest demand point it reaches, else -1.
func (m *Model) communityOf(f *Facility, s *site) int32 {
	if c := m.communityAt(f); c >= 0 {
		return c
	}
	best, at := float32(math.Inf(1)), int32(-1)
	for k, p := range s.catch.Points {
		if s.catch.Seconds[k] < best {
			best, at = s.catch.Seconds[k], p
		}
	}
	if at < 0 {
		return -1
	}
	return m.DemandPoint(at).Community
}
