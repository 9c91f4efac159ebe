package tiles

import (
	"context"
	"sync"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"

	"github.com/carecircle/carecircle/geo"
	"github.com/carecircle/carecircle/planner"
)

// serviceAreaRes is the H3 resolution of service areas on the map: res-10
// cells (≈130 m across) are fine enough to see which blocks a walk
// reaches, and cost a seventh of res 11 to join.
const serviceAreaRes = 10

// maxServiceAreas bounds the service areas kept. Every place a planner
// drags a facility to makes one; past the bound they are all forgotten
// and computed again as needed.
const maxServiceAreas = 50_000

// serviceAreas computes and keeps the service area of each facility
// location and circle: it depends only on where the facility is and on
// its circle (urban or rural, planner.Model.FacilityCircleSeconds), never
// on the scenario, so one computation serves every scenario.
type serviceAreas struct {
	m       *planner.Model
	longest float64 // the longer of the urban and rural circles, seconds
	workers int
	idle    chan *geo.Search

	mu    sync.Mutex
	areas map[areaKey]*serviceArea
}

// areaKey is what a service area depends on.
type areaKey struct {
	loc     orb.Point
	seconds float64
}

// serviceArea is one location's area in world coordinates, computed once.
type serviceArea struct {
	seconds float64 // the walk it was drawn with
	once    sync.Once
	geom    orb.MultiPolygon
	bound   orb.Bound
	err     error
}

func newServiceAreas(m *planner.Model, workers int) serviceAreas {
	return serviceAreas{m: m, longest: max(m.CircleSeconds(planner.Urban), m.CircleSeconds(planner.Rural)), workers: max(1, workers),
		idle: make(chan *geo.Search, max(1, workers)), areas: map[areaKey]*serviceArea{}}
}

// search hands out a search worker. Workers hold buffers the size of the
// graph (tens of MB for a city), so they are kept, at most one per core.
func (sa *serviceAreas) search() *geo.Search {
	select {
	case s := <-sa.idle:
		return s
	default:
		return sa.m.Router.NewSearch()
	}
}

func (sa *serviceAreas) release(s *geo.Search) {
	select {
	case sa.idle <- s:
	default:
	}
}

// entry returns the (possibly not yet computed) area of facility f: its
// location walked for its circle.
func (sa *serviceAreas) entry(f *planner.Facility) *serviceArea {
	k := areaKey{f.Location, sa.m.FacilityCircleSeconds(f)}
	sa.mu.Lock()
	defer sa.mu.Unlock()
	a := sa.areas[k]
	if a == nil {
		if len(sa.areas) >= maxServiceAreas {
			clear(sa.areas)
		}
		a = &serviceArea{seconds: k.seconds}
		sa.areas[k] = a
	}
	return a
}

// compute fills a from the snapped site.
func (sa *serviceAreas) compute(a *serviceArea, site geo.Snap) {
	a.once.Do(func() {
		s := sa.search()
		defer sa.release(s)
		area, err := s.ServiceArea(site, a.seconds, serviceAreaRes)
		if err != nil {
			a.err = err
			return
		}
		for _, p := range area.Area {
			a.geom = append(a.geom, worldPolygon(p))
		}
		if len(a.geom) > 0 {
			a.bound = a.geom.Bound()
		}
	})
}

// job is one facility's area to make sure of.
type job struct {
	a    *serviceArea
	site geo.Snap
}

// ensure computes the areas of the jobs, on up to one goroutine per core.
func (sa *serviceAreas) ensure(ctx context.Context, jobs []job) error {
	ch := make(chan job)
	var wg sync.WaitGroup
	for w := 0; w < min(sa.workers, len(jobs)); w++ {
		wg.Go(func() {
			for j := range ch {
				sa.compute(j.a, j.site)
			}
		})
	}
	var err error
	for _, j := range jobs {
		if err = ctx.Err(); err != nil {
			break
		}
		ch <- j
	}
	close(ch)
	wg.Wait()
	return err
}

// WarmServiceAreas computes the service area of every supplying facility
// of e ahead of the first service_areas tile, so that no tile pays for
// them cold. It first gives the router the network's edge cells at the
// map's resolution (geo.EdgeCells: a few seconds for the city demo),
// which makes every area after them several times cheaper, warmed or
// not. Optional: tiles compute what they lack. Safe to run in the
// background (say, at server start with the baseline) while tiles are
// served; ctx stops it. docs/BENCHMARKS.md has the times.
func (s *Server) WarmServiceAreas(ctx context.Context, e *planner.Evaluation) error {
	r := s.model.Router
	if ec := r.EdgeCells(); ec == nil || ec.Res() != serviceAreaRes {
		ec, err := geo.NewEdgeCells(ctx, r.Graph, serviceAreaRes)
		if err != nil {
			return err
		}
		if err := r.UseEdgeCells(ec); err != nil {
			return err
		}
	}
	var jobs []job
	for i := range e.Facilities {
		if s.facilityInfo.info(e, i).supply {
			jobs = append(jobs, job{s.services.entry(&e.Facilities[i]), e.Snap(i)})
		}
	}
	return s.services.ensure(ctx, jobs)
}

// serviceAreaLayer builds the service_areas tile: one MVT layer
// "service_areas" with the service area of every supplying facility that
// reaches into the tile, each walked for its own circle (rural points and
// facilities in villages for the rural circle).
func (s *Server) serviceAreaLayer(ctx context.Context, f *frame, e *planner.Evaluation) (mvt.Layers, error) {
	if int(f.tile.Z) < serviceAreasMinZoom {
		return nil, nil
	}
	// An area lies within its walk of its facility: look that far around.
	reach := s.reachWorld * s.services.longest / s.model.Budget
	near := expand(f.query, reach)
	type cand struct {
		i int
		a *serviceArea
	}
	var cands []cand
	var jobs []job
	for i := range e.Facilities {
		fac := &e.Facilities[i]
		if !near.Contains(toWorld(fac.Location)) || !s.facilityInfo.info(e, i).supply {
			continue
		}
		a := s.services.entry(fac)
		cands = append(cands, cand{i, a})
		jobs = append(jobs, job{a, e.Snap(i)})
	}
	if err := s.services.ensure(ctx, jobs); err != nil {
		return nil, err
	}
	var feats []*geojson.Feature
	for _, c := range cands {
		if c.a.err != nil || len(c.a.geom) == 0 || !intersects(c.a.bound, f.query) {
			continue
		}
		g := f.multiPolygon(c.a.geom, true)
		if g == nil {
			continue
		}
		fac := &e.Facilities[c.i]
		feats = append(feats, &geojson.Feature{Type: "Feature", Geometry: g, Properties: geojson.Properties{
			"id":       fac.ID,
			"name":     fac.Name,
			"type":     string(fac.Type),
			"status":   string(fac.Status),
			"proposed": fac.Status == planner.Proposed,
			"minutes":  round(c.a.seconds/60, 1),
		}})
	}
	if len(feats) == 0 {
		return nil, nil
	}
	return mvt.Layers{newLayer("service_areas", feats)}, nil
}
