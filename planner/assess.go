package planner

import (
	"context"
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/carecircle/carecircle/geo"
	"github.com/paulmach/orb"
)

// Assessment is the full judgement of a city or scenario: indicators per
// region, findings per facility and the ranked list of gaps, each with the
// clause and source of the standard it breaks.
type Assessment struct {
	Scenario   string           `json:"scenario"`
	Profile    ProfileSummary   `json:"profile"`
	City       CityResult       `json:"city"`
	Regions    []RegionResult   `json:"regions"`
	Facilities []FacilityResult `json:"facilities"`
	Gaps       []Gap            `json:"gaps"`
	// DemandOffNetwork counts demand points farther than the snap limit
	// from any walkway: their elders count as not covered.
	DemandOffNetwork int `json:"demand_points_off_network"`
	// SnapLimitM is that limit, the profile's walking.max_snap_m.
	SnapLimitM float64 `json:"snap_limit_m"`
	// DemandDetached counts demand points whose nearest walkway is on a
	// piece of the network not connected to the main one (an island, a
	// courtyard's paths): only a facility on the same piece serves them.
	DemandDetached int `json:"demand_points_on_detached_walkways"`
}

// CityResult is the whole city with its indicators.
type CityResult struct {
	Name       string     `json:"name"`
	Bound      [4]float64 `json:"bbox"` // west, south, east, north
	Indicators Indicators `json:"indicators"`
}

// ProfileSummary names the standards profile a judgement used, the
// distinct sources it cites, and every figure with its own source.
type ProfileSummary struct {
	Name    string          `json:"name"`
	Title   Text            `json:"title"`
	Sources []string        `json:"sources"`
	Figures []FigureSummary `json:"figures"`
}

// FigureSummary is one figure of the profile as a report cites it.
type FigureSummary struct {
	Key        string     `json:"key"`
	Label      Text       `json:"label"`
	Value      float64    `json:"value"`
	Unit       string     `json:"unit"`
	Source     string     `json:"source"`
	Clause     string     `json:"clause,omitempty"`
	Confidence Confidence `json:"confidence,omitempty"`
}

// RegionResult is one region with its indicators.
type RegionResult struct {
	Code       string     `json:"code"`
	Name       string     `json:"name"`
	Level      Level      `json:"level"`
	Parent     string     `json:"parent,omitempty"`
	AreaType   AreaType   `json:"area_type,omitempty"`
	Indicators Indicators `json:"indicators"`
}

// FacilityResult is one facility with what the judgement found about it.
type FacilityResult struct {
	ID          string         `json:"id"`
	Name        string         `json:"name"`
	Type        FacilityType   `json:"type"`
	Status      FacilityStatus `json:"status"`
	Operator    OperatorModel  `json:"operator,omitempty"`
	Lon         float64        `json:"lon"`
	Lat         float64        `json:"lat"`
	FloorArea   float64        `json:"floor_area_m2"`
	LandArea    float64        `json:"land_area_m2"`
	Beds        float64        `json:"beds"`
	NursingBeds float64        `json:"nursing_beds"`
	Community   string         `json:"community_code,omitempty"`
	Supply      bool           `json:"counts_as_supply"`
	// Elders15 is the elders 60+ living within their own service circle of
	// it: the urban circle (15 minutes) in towns, the rural circle (a
	// distance along the network) in villages.
	Elders15 float64 `json:"elders_15min"`
	// EldersUnserved is the elders 60+ within their circle whom no
	// supplying facility serves: those it would newly cover if it served
	// (for an idle one), or would still be uncovered (for others, 0).
	EldersUnserved float64 `json:"elders_unserved_in_circle"`
	// HealthMinutes is the walk to the nearest health facility (-1 when
	// none is within twice the 医养结合 distance).
	HealthMinutes float64 `json:"health_minutes"`
	// Center is the street centre this station is assigned to (中心带站).
	Center string `json:"center,omitempty"`
	// MergeWith lists stations whose service areas overlap this one's
	// beyond the profile's threshold.
	MergeWith []string `json:"merge_with,omitempty"`
	// MergeLossElders, for a station that could merge, is the elders 60+
	// who would lose coverage if it closed and its partners took over:
	// those within their circle of it whom no other supplying facility
	// serves. Of a pair, the station with fewer elders in its circle is
	// the one a merger would normally close. Nil for other facilities.
	MergeLossElders *float64 `json:"merge_loss_elders,omitempty"`
	Flags           []Flag   `json:"flags,omitempty"`
}

// Flag is a finding about a facility.
type Flag string

// Facility flags.
const (
	FlagIdle           Flag = "idle"             // built but not serving
	FlagNotOpen        Flag = "not_open"         // under construction or planned
	FlagUndersized     Flag = "undersized"       // below its level's minimum floor area or beds
	FlagCouldMerge     Flag = "could_merge"      // overlaps another station heavily
	FlagNoCenter       Flag = "no_center"        // a station no street centre runs (中心带站)
	FlagNoHealthNearby Flag = "no_health_nearby" // no health facility within the 医养结合 distance
	// FlagDetached: its nearest walkway is on a piece not connected to
	// the main network, so it serves only the elders of that piece.
	FlagDetached Flag = "detached_walkway"
)

// Assess judges the evaluation in full. It is the slow path (it walks
// from every street centre for 中心带站); what-if edits use Summary.
func (e *Evaluation) Assess(ctx context.Context, scenario string) (*Assessment, error) {
	m, p := e.m, e.m.Profile
	s := e.Summary()
	b := m.City.Network.Bound()
	a := &Assessment{Scenario: scenario, Profile: summarizeProfile(p), DemandOffNetwork: len(m.Unsnapped),
		SnapLimitM: m.SnapLimit(), DemandDetached: m.DemandDetached,
		City: CityResult{Name: m.City.Name, Bound: [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}, Indicators: s.City}}
	for i, r := range m.City.Regions {
		a.Regions = append(a.Regions, RegionResult{Code: r.Code, Name: r.Name, Level: r.Level, Parent: r.Parent, AreaType: r.AreaType, Indicators: *s.Region(i)})
	}
	a.Facilities = e.facilityResults()
	if err := e.assignCenters(ctx, a.Facilities); err != nil {
		return nil, err
	}
	e.findMerges(a.Facilities)
	a.Gaps = e.gaps(s, a.Facilities)
	return a, nil
}

func summarizeProfile(p *StandardsProfile) ProfileSummary {
	ps := ProfileSummary{Name: p.Name, Title: p.Title}
	seen := map[string]bool{}
	for _, f := range p.Figures() {
		ps.Figures = append(ps.Figures, FigureSummary{Key: f.Key, Label: f.Label, Value: f.Value, Unit: f.Unit, Source: f.Source, Clause: f.Clause, Confidence: f.Confidence})
		if !seen[f.Source] {
			seen[f.Source] = true
			ps.Sources = append(ps.Sources, f.Source)
		}
	}
	if s := p.Supply.Source; s != "" && !seen[s] {
		ps.Sources = append(ps.Sources, s)
	}
	return ps
}

// eldersInCircle sums the elders 60+ of a catchment who live within their
// own service circle of the site: the urban circle in towns, the rural
// circle in villages (CircleSeconds of their community), the same rule
// coverage uses, so a rural point counts its village's elders out to the
// rural circle.
func (m *Model) eldersInCircle(c geo.Catchment) float64 {
	var n float64
	for k, pt := range c.Points {
		if float64(c.Seconds[k]) <= m.pointCircle(pt) {
			n += m.DemandPoint(pt).Elders60
		}
	}
	return n
}

// pointCircle is the service circle, in seconds, of snapped demand point
// pt: its community's.
func (m *Model) pointCircle(pt int32) float64 {
	return m.CircleSeconds(m.City.Regions[m.DemandPoint(pt).Community].AreaType)
}

func (e *Evaluation) facilityResults() []FacilityResult {
	out := make([]FacilityResult, len(e.Facilities))
	for i := range e.Facilities {
		out[i] = e.facilityResult(i)
	}
	return out
}

// FacilityResult returns what the judgement finds about facility i on its
// own: everything but the findings that need all facilities at once
// (its 中心带站 centre and merge partners), which Assess adds.
func (e *Evaluation) FacilityResult(i int) FacilityResult { return e.facilityResult(i) }

func (e *Evaluation) facilityResult(i int) FacilityResult {
	m, p := e.m, e.m.Profile
	healthLimit := p.HealthColocation.MaxDistanceMetres.Value / p.Walking.SpeedMPS.Value
	f := &e.Facilities[i]
	r := FacilityResult{ID: f.ID, Name: f.Name, Type: f.Type, Status: f.Status, Operator: f.Operator,
		Lon: f.Location[0], Lat: f.Location[1], FloorArea: f.FloorArea, LandArea: f.LandArea,
		Beds: f.Beds, NursingBeds: f.NursingBeds, Supply: p.supplies(f), HealthMinutes: -1}
	if c := e.comm[i]; c >= 0 {
		r.Community = m.City.Regions[c].Code
	} else {
		r.Community = f.Community
	}
	r.Elders15 = m.eldersInCircle(e.sites[i].catch)
	r.EldersUnserved = e.unservedInCircle(e.sites[i].catch)
	if h := m.healthSeconds(e.sites[i].snap); !math.IsInf(h, 1) {
		r.HealthMinutes = h / 60
	}
	switch {
	case f.Status == Idle:
		r.Flags = append(r.Flags, FlagIdle)
	case !r.Supply:
		r.Flags = append(r.Flags, FlagNotOpen)
	}
	if m.City.Network.EdgePiece(e.sites[i].snap.Edge) != 0 {
		r.Flags = append(r.Flags, FlagDetached)
	}
	if u, _ := p.undersized(f); u && r.Supply {
		r.Flags = append(r.Flags, FlagUndersized)
	}
	if r.Supply && HasType(p.HealthColocation.FacilityTypes, f.Type) && !(r.HealthMinutes >= 0 && r.HealthMinutes*60 <= healthLimit) {
		r.Flags = append(r.Flags, FlagNoHealthNearby)
	}
	return r
}

// assignCenters runs 中心带站: every supplying station may be run by a
// supplying street centre within the profile's reach, each centre running
// at most stations_per_center. It is solved as an assignment problem (see
// assignStations): as many stations as possible get a centre, and among
// such assignments the total walk from centres to their stations is
// least. Stations left over are flagged.
func (e *Evaluation) assignCenters(ctx context.Context, res []FacilityResult) error {
	m, p := e.m, e.m.Profile
	if !p.CenterStations.Enabled {
		return nil
	}
	var centres, stations []int
	for i := range e.Facilities {
		f := &e.Facilities[i]
		if !p.supplies(f) {
			continue
		}
		if HasType(p.StreetCenter.FacilityTypes, f.Type) {
			centres = append(centres, i)
		} else if HasType(p.CommunityStation.FacilityTypes, f.Type) {
			stations = append(stations, i)
		}
	}
	if len(stations) == 0 {
		return nil
	}
	reach := p.CenterStations.ReachMetres.Value / p.Walking.SpeedMPS.Value
	reachM := p.CenterStations.ReachMetres.Value
	arcs := make([][]assignArc, len(centres))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := m.search()
			defer m.release(s)
			for ci := range next {
				c := centres[ci]
				seeds := m.Router.Seeds(e.sites[c].snap)
				s.Run(seeds[:], reach)
				for si, st := range stations {
					if geo.Haversine(e.Facilities[st].Location, e.Facilities[c].Location) > reachM {
						continue
					}
					t := math.Min(s.SecondsTo(e.sites[st].snap), m.Router.Direct(e.sites[c].snap, e.sites[st].snap))
					if t <= reach {
						arcs[ci] = append(arcs[ci], assignArc{station: si, centre: ci, seconds: t})
					}
				}
			}
		}()
	}
	for ci := range centres {
		if ctx.Err() != nil {
			break
		}
		next <- ci
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	capacity := int(math.Round(p.CenterStations.StationsPerCenter.Value))
	to := assignStations(len(stations), len(centres), capacity, slices.Concat(arcs...))
	for si, st := range stations {
		if c := to[si]; c >= 0 {
			res[st].Center = e.Facilities[centres[c]].ID
		} else {
			res[st].Flags = append(res[st].Flags, FlagNoCenter)
		}
	}
	return nil
}

// findMerges flags pairs of supplying stations whose catchments (each
// elder within their own circle) share at least the profile's overlap
// share of the smaller one's elders.
func (e *Evaluation) findMerges(res []FacilityResult) {
	m, p := e.m, e.m.Profile
	circle := math.Max(m.CircleSeconds(Urban), m.CircleSeconds(Rural))
	var st []int
	for i := range e.Facilities {
		f := &e.Facilities[i]
		if p.supplies(f) && HasType(p.StationMerge.FacilityTypes, f.Type) {
			st = append(st, i)
		}
	}
	reach := 2 * circle * p.Walking.SpeedMPS.Value
	for a := 0; a < len(st); a++ {
		box := boxAround(e.Facilities[st[a]].Location, reach)
		for b := a + 1; b < len(st); b++ {
			i, j := st[a], st[b]
			if !box.Contains(e.Facilities[j].Location) || geo.Haversine(e.Facilities[i].Location, e.Facilities[j].Location) > reach {
				continue
			}
			small := min(res[i].Elders15, res[j].Elders15)
			if small <= 0 {
				continue
			}
			if m.overlapElders(e.sites[i].catch, e.sites[j].catch)/small >= p.StationMerge.OverlapShare.Value {
				res[i].MergeWith = append(res[i].MergeWith, e.Facilities[j].ID)
				res[j].MergeWith = append(res[j].MergeWith, e.Facilities[i].ID)
			}
		}
	}
	for _, i := range st {
		if len(res[i].MergeWith) > 0 {
			res[i].Flags = append(res[i].Flags, FlagCouldMerge)
			loss := e.lossIfClosed(i)
			res[i].MergeLossElders = &loss
		}
	}
}

// lossIfClosed is the elders 60+ whom facility i alone serves: the demand
// points within their community's circle of it that no other supplying
// facility of a service-circle type reaches within that circle. Closing
// it would uncover exactly these.
func (e *Evaluation) lossIfClosed(i int) float64 {
	m, p := e.m, e.m.Profile
	f, s := &e.Facilities[i], e.sites[i]
	if !p.supplies(f) || !HasType(p.ServiceCircle.FacilityTypes, f.Type) {
		return 0
	}
	// Other facilities of its own type: the nearest times of its type may
	// be its own, so they are looked up in their catchments (as detach
	// does); other types are read from the nearest times.
	var others []*site
	reach := 2 * m.Budget * p.Walking.SpeedMPS.Value // no walk within budget is longer
	box := boxAround(f.Location, reach)
	for j := range e.Facilities {
		g := &e.Facilities[j]
		if j != i && g.Type == f.Type && box.Contains(g.Location) && p.supplies(g) && geo.Haversine(g.Location, f.Location) <= reach {
			others = append(others, e.sites[j])
		}
	}
	var loss float64
	for k, pt := range s.catch.Points {
		d := m.DemandPoint(pt)
		circle := m.CircleSeconds(m.City.Regions[d.Community].AreaType)
		if float64(s.catch.Seconds[k]) > circle {
			continue
		}
		if e.servedWithout(pt, f.Type, others, circle) {
			continue
		}
		loss += d.Elders60
	}
	return loss
}

// boxAround is a lon/lat box holding every point within metres of p (a
// cheap test before Haversine).
func boxAround(p orb.Point, metres float64) orb.Bound {
	dLat := metres / (geo.EarthRadius * math.Pi / 180) * 1.01
	dLon := dLat / math.Max(0.01, math.Cos(math.Min(89, math.Abs(p[1])+dLat)*math.Pi/180))
	return orb.Bound{Min: orb.Point{p[0] - dLon, p[1] - dLat}, Max: orb.Point{p[0] + dLon, p[1] + dLat}}
}

// servedWithout reports whether demand point pt is served within circle
// by a facility of a service-circle type other than typ, or by one of
// others (facilities of type typ).
func (e *Evaluation) servedWithout(pt int32, typ FacilityType, others []*site, circle float64) bool {
	for _, t := range e.m.Profile.ServiceCircle.FacilityTypes {
		if t != typ && float64(e.nearest[typeIndex(t)][pt]) <= circle {
			return true
		}
	}
	for _, o := range others {
		if at, ok := slices.BinarySearch(o.catch.Points, pt); ok && float64(o.catch.Seconds[at]) <= circle {
			return true
		}
	}
	return false
}

// unservedInCircle sums the elders 60+ of a catchment within their own
// circle whom no supplying facility serves within that circle: those the
// site would newly cover.
func (e *Evaluation) unservedInCircle(c geo.Catchment) float64 {
	var n float64
	for k, pt := range c.Points {
		circle := e.m.pointCircle(pt)
		if float64(c.Seconds[k]) <= circle && e.ServedSeconds(pt) > circle {
			n += e.m.DemandPoint(pt).Elders60
		}
	}
	return n
}

// overlapElders sums the elders within their own circle of both sites.
func (m *Model) overlapElders(a, b geo.Catchment) float64 {
	var n float64
	for i, j := 0, 0; i < len(a.Points) && j < len(b.Points); {
		switch {
		case a.Points[i] < b.Points[j]:
			i++
		case a.Points[i] > b.Points[j]:
			j++
		default:
			if t := m.pointCircle(a.Points[i]); float64(a.Seconds[i]) <= t && float64(b.Seconds[j]) <= t {
				n += m.DemandPoint(a.Points[i]).Elders60
			}
			i++
			j++
		}
	}
	return n
}
