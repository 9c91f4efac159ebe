package planner

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/carecircle/carecircle/geo"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/tidwall/rtree"
)

// Model is a city made ready for judgement under one standards profile: its
// network priced for elders' walking, its demand snapped to the network,
// and a cache of every facility site's catchment. A Model is safe for
// concurrent use; scenarios are evaluated on copies of its baseline.
type Model struct {
	City    *City
	Profile *StandardsProfile
	Router  *geo.Router
	Edges   *geo.EdgeIndex

	// Demand holds the snapped demand points; point i of Demand is
	// City.Demand[demandIndex[i]]. Points too far from any walkway are in
	// Unsnapped: they are never covered, and reported.
	Demand      *geo.PointSet
	demandIndex []int32
	Unsnapped   []geo.SnapFailure

	// Budget is how far, in seconds, every catchment is walked: the
	// largest time any indicator asks about.
	Budget float64

	regions  regionIndex
	pointsOf [][]int32    // snapped demand points of each region (communities only)
	lost     []Population // population of each community's unsnapped points
	detached []Population // population of each community's points on detached walkways
	// DemandDetached counts snapped demand points on a walkway piece not
	// connected to the main network: only a facility on the same piece
	// serves them.
	DemandDetached int

	commTree rtree.RTreeG[int32] // community boundaries, for placing facilities

	mu    sync.Mutex
	sites map[orb.Point]*site // by location: a catchment depends only on where
	idle  chan *geo.Search    // reusable search workers; see search()

	health   []float32 // seconds from each graph node to the nearest health facility
	baseline *Evaluation
}

// site is a facility location snapped to the network with its catchment.
type site struct {
	snap  geo.Snap
	catch geo.Catchment
}

// NewModel prices the city's network with profile p, snaps its demand and
// facilities and computes the baseline. index is the network's edge index
// when the caller has one (building it for a city takes seconds); nil
// builds it. It fails when a facility is too far from any walkway, naming
// the facility.
func NewModel(ctx context.Context, c *City, p *StandardsProfile, index *geo.EdgeIndex) (*Model, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if c.Network == nil || c.Network.NumEdges() == 0 {
		return nil, fmt.Errorf("city %q has no walking network", c.Name)
	}
	r, err := geo.NewRouter(c.Network, geo.WalkProfile{SpeedMPS: p.Walking.SpeedMPS.Value, StepsFactor: p.Walking.StepsFactor.Value})
	if err != nil {
		return nil, err
	}
	if index == nil || index.Graph() != c.Network {
		index = geo.NewEdgeIndex(c.Network)
	}
	m := &Model{City: c, Profile: p, Router: r, Edges: index, sites: map[orb.Point]*site{}}
	m.Budget = m.budget()
	m.idle = make(chan *geo.Search, runtime.GOMAXPROCS(0))
	if m.regions, err = indexRegions(c.Regions); err != nil {
		return nil, err
	}
	for i, reg := range c.Regions {
		if reg.Level == LevelCommunity && reg.Boundary != nil {
			b := reg.Boundary.Bound()
			m.commTree.Insert(b.Min, b.Max, int32(i))
		}
	}
	if err := m.snapDemand(); err != nil {
		return nil, err
	}
	for i := range c.Facilities {
		if err := c.Facilities[i].Validate(); err != nil {
			return nil, fmt.Errorf("facility %q: %w", c.Facilities[i].ID, err)
		}
	}
	if err := m.prepareSites(ctx, c.Facilities); err != nil {
		return nil, err
	}
	if err := m.prepareHealth(ctx); err != nil {
		return nil, err
	}
	m.baseline = newEvaluation(m, c.Facilities)
	// Summarised once here, so clones share its pages and concurrent
	// readers of the baseline never write to it.
	m.baseline.Summary()
	return m, nil
}

// budget is the longest walk any indicator needs, in seconds.
func (m *Model) budget() float64 {
	p := m.Profile
	b := p.ServiceCircle.UrbanMinutes.Value * 60
	b = math.Max(b, p.ServiceCircle.RuralMetres.Value/p.Walking.SpeedMPS.Value)
	b = math.Max(b, p.Accessibility.CatchmentMinutes.Value*60)
	return b
}

// CircleSeconds is the walking time within which an elder of the given
// area type counts as served. The rural circle is a distance; it is walked
// at the profile's speed, so steps on the way count against it too.
func (m *Model) CircleSeconds(a AreaType) float64 {
	if a == Rural {
		return m.Profile.ServiceCircle.RuralMetres.Value / m.Profile.Walking.SpeedMPS.Value
	}
	return m.Profile.ServiceCircle.UrbanMinutes.Value * 60
}

// SnapLimit is the profile's walking.max_snap_m: how far, in metres, a
// home or facility may be from the nearest walkway and still be joined to
// the network.
func (m *Model) SnapLimit() float64 { return m.Profile.Walking.MaxSnapMetres.Value }

// FacilityCircleSeconds is the service circle a facility's service area is
// drawn with: the rural circle for a rural point or a facility in a rural
// community, the urban circle otherwise. (Counting elders does not need
// it: each elder is judged by the circle of their own community.)
func (m *Model) FacilityCircleSeconds(f *Facility) float64 {
	if f.Type == RuralPoint {
		return m.CircleSeconds(Rural)
	}
	if c := m.communityAt(f); c >= 0 {
		return m.CircleSeconds(m.City.Regions[c].AreaType)
	}
	return m.CircleSeconds(Urban)
}

// Baseline returns the evaluation of today's city. Do not modify it; Clone
// it to edit.
func (m *Model) Baseline() *Evaluation { return m.baseline }

func (m *Model) snapDemand() error {
	c := m.City
	pts := make([]orb.Point, len(c.Demand))
	for i, d := range c.Demand {
		pts[i] = d.Location
		if d.Community < 0 || int(d.Community) >= len(c.Regions) || c.Regions[d.Community].Level != LevelCommunity {
			return fmt.Errorf("demand point %d: community index %d is not a community", i, d.Community)
		}
	}
	snaps, fails := m.Edges.SnapAll(pts, m.SnapLimit())
	m.Unsnapped = fails
	failed := make([]bool, len(pts))
	m.lost = make([]Population, len(c.Regions))
	for _, f := range fails {
		failed[f.Index] = true
		d := c.Demand[f.Index]
		m.lost[d.Community] = m.lost[d.Community].Add(d.Population)
	}
	kept := make([]geo.Snap, 0, len(snaps)-len(fails))
	m.pointsOf = make([][]int32, len(c.Regions))
	m.detached = make([]Population, len(c.Regions))
	for i, s := range snaps {
		if failed[i] {
			continue
		}
		if c.Network.EdgePiece(s.Edge) != 0 {
			m.DemandDetached++
			d := c.Demand[i]
			m.detached[d.Community] = m.detached[d.Community].Add(d.Population)
		}
		k := int32(len(kept))
		kept = append(kept, s)
		m.demandIndex = append(m.demandIndex, int32(i))
		comm := c.Demand[i].Community
		m.pointsOf[comm] = append(m.pointsOf[comm], k)
	}
	m.Demand = geo.NewPointSet(c.Network, kept)
	return nil
}

// DemandPoint returns the demand point behind snapped point k.
func (m *Model) DemandPoint(k int32) *DemandPoint { return &m.City.Demand[m.demandIndex[k]] }

// prepareSites snaps every facility and computes the catchments of new
// locations on all cores.
func (m *Model) prepareSites(ctx context.Context, fs []Facility) error {
	var todo []orb.Point
	var snaps []geo.Snap
	m.mu.Lock()
	seen := map[orb.Point]bool{}
	for _, f := range fs {
		if m.sites[f.Location] != nil || seen[f.Location] {
			continue
		}
		s, err := m.Edges.Snap(f.Location, m.SnapLimit())
		if err != nil {
			m.mu.Unlock()
			return fmt.Errorf("facility %q (%s): %w", f.ID, f.Name, err)
		}
		seen[f.Location] = true
		todo = append(todo, f.Location)
		snaps = append(snaps, s)
	}
	m.mu.Unlock()
	catches, err := m.Router.Catchments(ctx, snaps, m.Demand, m.Budget)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, loc := range todo {
		m.sites[loc] = &site{snap: snaps[i], catch: catches[i]}
	}
	return nil
}

// siteAt returns the snapped site and catchment of a location, computing
// it (one bounded search) the first time.
func (m *Model) siteAt(loc orb.Point) (*site, error) {
	m.mu.Lock()
	s := m.sites[loc]
	m.mu.Unlock()
	if s != nil {
		return s, nil
	}
	snap, err := m.Edges.Snap(loc, m.SnapLimit())
	if err != nil {
		return nil, err
	}
	search := m.search()
	c := search.Catchment(snap, m.Demand, m.Budget)
	m.release(search)
	s = &site{snap: snap, catch: c}
	m.mu.Lock()
	m.sites[loc] = s
	m.mu.Unlock()
	return s, nil
}

// search hands out a reusable search worker. A worker's buffers are sized
// to the graph (tens of MB for a city), too big to allocate per what-if;
// a sync.Pool would drop them at every GC, so idle workers wait in a
// channel instead. release gives one back.
func (m *Model) search() *geo.Search {
	select {
	case s := <-m.idle:
		return s
	default:
		return m.Router.NewSearch()
	}
}

func (m *Model) release(s *geo.Search) {
	select {
	case m.idle <- s:
	default: // enough idle workers already
	}
}

// CommunityAt returns the code of the community whose boundary holds p,
// or "" when none does.
func (m *Model) CommunityAt(p orb.Point) string {
	if i := m.communityAt(&Facility{Location: p}); i >= 0 {
		return m.City.Regions[i].Code
	}
	return ""
}

// communityAt returns the community a facility belongs to: by its code when
// known, else the community whose boundary holds it, else -1.
func (m *Model) communityAt(f *Facility) int32 {
	if i, ok := m.regions.byCode[f.Community]; ok && m.City.Regions[i].Level == LevelCommunity {
		return i
	}
	found := int32(-1)
	m.commTree.Search(f.Location, f.Location, func(_, _ [2]float64, i int32) bool {
		if containsPoint(m.City.Regions[i].Boundary, f.Location) {
			found = i
			return false
		}
		return true
	})
	return found
}

func containsPoint(g orb.Geometry, p orb.Point) bool {
	switch g := g.(type) {
	case orb.Polygon:
		return planar.PolygonContains(g, p)
	case orb.MultiPolygon:
		return planar.MultiPolygonContains(g, p)
	}
	return false
}

// prepareHealth walks from every health facility at once, so the time from
// any site to its nearest health facility is a lookup (医养结合).
func (m *Model) prepareHealth(ctx context.Context) error {
	p := m.Profile
	type located struct {
		lon     float64
		sources [2]geo.Source
	}
	var found []located
	for _, h := range m.City.Health {
		if !HasType(p.HealthColocation.HealthTypes, h.Type) || !p.CountsAsSupply(h.Status) {
			continue
		}
		s, err := m.Edges.Snap(h.Location, m.SnapLimit())
		if err != nil {
			return fmt.Errorf("health facility %q (%s): %w", h.ID, h.Name, err)
		}
		found = append(found, located{h.Location[0], m.Router.Seeds(s)})
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	// One multi-source walk per core over west-to-east slices of the
	// facilities (slices overlap little), then the nearest of the walks:
	// the nearest of all facilities is the nearest of the slices' nearest.
	slices.SortStableFunc(found, func(a, b located) int { return cmp.Compare(a.lon, b.lon) })
	limit := 2 * p.HealthColocation.MaxDistanceMetres.Value / p.Walking.SpeedMPS.Value
	n := m.City.Network.NumNodes()
	m.health = make([]float32, n)
	for i := range m.health {
		m.health[i] = float32(math.Inf(1))
	}
	workers := max(1, min(runtime.GOMAXPROCS(0), len(found)/64))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*len(found)/workers, (w+1)*len(found)/workers
		wg.Go(func() {
			sources := make([]geo.Source, 0, 2*(hi-lo))
			for _, f := range found[lo:hi] {
				sources = append(sources, f.sources[0], f.sources[1])
			}
			search := m.Router.NewSearch()
			search.Run(sources, limit)
			mu.Lock()
			defer mu.Unlock()
			for i := range m.health {
				m.health[i] = min(m.health[i], float32(search.Seconds(int32(i))))
			}
		})
	}
	wg.Wait()
	return nil
}

// healthSeconds is the walking time from a snapped site to the nearest
// health facility (+Inf beyond twice the 医养结合 distance).
func (m *Model) healthSeconds(s geo.Snap) float64 {
	g := m.City.Network
	c := m.Router.EdgeSeconds(s.Edge)
	t := math.Min(float64(m.health[g.EdgeU[s.Edge]])+s.T*c, float64(m.health[g.EdgeV[s.Edge]])+(1-s.T)*c)
	return t + m.Router.Profile.AccessSeconds(s.Access)
}
