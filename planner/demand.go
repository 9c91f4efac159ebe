package planner

import (
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
	"github.com/paulmach/orb/planar"
	"github.com/tidwall/rtree"
	"github.com/uber/h3-go/v4"
)

// This file turns each community's head counts into demand points: where
// its people live, with a share of each cohort. See SpreadDemand.

// DefaultDemandRes is the H3 resolution of the cells a community is spread
// over when no buildings are known: res-10 cells are about 15,000 m² (an
// edge of 66 m), a city block or a few, fine enough that a 15-minute walk
// is measured to within a minute.
const DefaultDemandRes = 10

// DefaultBuildingLevels is the storey count given to a building whose levels
// are unknown: it then weighs its footprint once, the least we know about
// it. A tower mapped with building:levels weighs its footprint × levels.
const DefaultBuildingLevels = 1

// Building is a building footprint people may live in, used to spread a
// community's population.
type Building struct {
	// Footprint is the outline in WGS84, outer ring first.
	Footprint orb.Polygon
	// Levels is the number of storeys; 0 when unknown (see
	// SpreadOptions.DefaultLevels).
	Levels float64
	// Residential says the building is known to be homes (OSM
	// building=residential, apartments, house ...). False means its use is
	// unknown (building=yes): such buildings are used only in a community
	// where no building is known to be residential. Buildings known to be
	// something else (shops, schools ...) should not be passed at all.
	Residential bool
}

// PopulationCell is one cell of a population grid (an H3 cell, a census
// block ...) with its counts.
type PopulationCell struct {
	// Location is the cell's centre, WGS84.
	Location orb.Point
	// Community is the index in the regions slice of the community the
	// cell belongs to; AssignCommunities finds it from Location.
	Community int32
	// Population holds the cell's counts; a cohort the grid does not
	// give is 0.
	Population
}

// SpreadOptions tunes SpreadDemand. The zero value uses the defaults.
type SpreadOptions struct {
	// Res is the H3 resolution of the cells a community without buildings
	// is spread over; 0 means DefaultDemandRes.
	Res int
	// DefaultLevels is the storey count of a building with Levels 0; 0
	// means DefaultBuildingLevels.
	DefaultLevels float64
}

// DemandMethod says how a community's population was placed.
type DemandMethod string

// Demand methods, in the order SpreadDemand tries them.
const (
	// DemandFromGrid: the cells of a population grid that lie in (or are
	// coded to) the community.
	DemandFromGrid DemandMethod = "grid"
	// DemandFromBuildings: the centroids of the community's buildings,
	// weighted by footprint area × levels.
	DemandFromBuildings DemandMethod = "buildings"
	// DemandFromH3: the centres of the H3 cells inside the community's
	// boundary, weighted evenly.
	DemandFromH3 DemandMethod = "h3"
	// DemandAtPoint: one point, the community's location when it has no
	// boundary, or an interior point of a boundary too small to hold an H3
	// cell centre.
	DemandAtPoint DemandMethod = "point"
)

// CommunityDemand says how one community's demand was placed.
type CommunityDemand struct {
	// Region is the community's index in the regions slice.
	Region int32
	// Method is how its population was placed.
	Method DemandMethod
	// First and Points locate its demand points in the returned slice:
	// points[First : First+Points].
	First, Points int
}

// SpreadDemand places the population of every community of regions on
// demand points, community by community in region order, using the first
// of these that the community has:
//
//  1. cells of grid whose Community is this community: each cohort of the
//     community's Population is shared out in proportion to the cells'
//     counts of that cohort; where the cells' counts of a cohort are all 0
//     (the grid does not give it), in proportion to their residents; where
//     those are 0 too, evenly. When the community's numbers are the sums of
//     its cells, the cells keep their own counts;
//  2. buildings whose footprint centroid lies in the community's boundary,
//     only those known to be residential if there are any: the community's
//     population is shared out in proportion to footprint area (m²) ×
//     levels, one point at each centroid;
//  3. the centres of the H3 cells (resolution opt.Res) inside the boundary,
//     evenly;
//  4. one point: the community's location when its boundary is a Point, or
//     an interior point of a boundary that holds no cell centre.
//
// Every community gets at least one point, and the sum of each cohort over
// a community's points equals the community's count (up to rounding, a
// relative 1e-12). Regions other than communities are skipped. A grid cell
// must name a community (see AssignCommunities); one that does not is an
// error, as is a community without a Polygon, MultiPolygon or Point
// boundary.
//
// The points are not snapped to the network; that is the caller's job.
func SpreadDemand(regions []Region, buildings []Building, grid []PopulationCell, opt SpreadOptions) ([]DemandPoint, []CommunityDemand, error) {
	if opt.Res == 0 {
		opt.Res = DefaultDemandRes
	}
	if opt.Res < 0 || opt.Res > 15 {
		return nil, nil, fmt.Errorf("spreading demand: H3 resolution %d is not in 0..15", opt.Res)
	}
	if opt.DefaultLevels == 0 {
		opt.DefaultLevels = DefaultBuildingLevels
	}
	if !(opt.DefaultLevels > 0) || math.IsInf(opt.DefaultLevels, 0) {
		return nil, nil, fmt.Errorf("spreading demand: default building levels %v: want a number > 0", opt.DefaultLevels)
	}
	for i := range regions {
		if regions[i].Level != LevelCommunity {
			continue
		}
		switch regions[i].Boundary.(type) {
		case orb.Polygon, orb.MultiPolygon, orb.Point:
		default:
			return nil, nil, fmt.Errorf("spreading demand: community %s (%s) has boundary %s; want a Polygon, MultiPolygon or Point",
				regions[i].Code, regions[i].Name, geometryName(regions[i].Boundary))
		}
	}

	// Grid cells and buildings by community.
	cellsOf := make(map[int32][]int)
	for i, c := range grid {
		if c.Community < 0 || int(c.Community) >= len(regions) || regions[c.Community].Level != LevelCommunity {
			return nil, nil, fmt.Errorf("spreading demand: grid cell %d at (%.6f, %.6f) names region %d, which is not a community",
				i, c.Location[0], c.Location[1], c.Community)
		}
		cellsOf[c.Community] = append(cellsOf[c.Community], i)
	}
	buildingsOf := make(map[int32][]int)
	if len(buildings) > 0 {
		centroids := make([]orb.Point, len(buildings))
		for i, b := range buildings {
			centroids[i], _ = planar.CentroidArea(b.Footprint)
		}
		for i, r := range AssignCommunities(regions, centroids) {
			if r >= 0 {
				buildingsOf[r] = append(buildingsOf[r], i)
			}
		}
	}

	var points []DemandPoint
	var report []CommunityDemand
	for ri := range regions {
		r := &regions[ri]
		if r.Level != LevelCommunity {
			continue
		}
		cd := CommunityDemand{Region: int32(ri), First: len(points)}
		add := func(at orb.Point, pop Population) {
			points = append(points, DemandPoint{Location: at, Community: int32(ri), Population: pop})
		}
		share := func(at []orb.Point, weights []float64) {
			var total float64
			for _, w := range weights {
				total += w
			}
			for i, p := range at {
				add(p, r.Population.Scale(weights[i]/total))
			}
		}

		if cells := cellsOf[int32(ri)]; len(cells) > 0 {
			cd.Method = DemandFromGrid
			counts := make([]Population, len(cells))
			for i, c := range cells {
				counts[i] = grid[c].Population
			}
			for i, pop := range shareCohorts(r.Population, counts) {
				add(grid[cells[i]].Location, pop)
			}
		} else if at, w := buildingWeights(buildings, buildingsOf[int32(ri)], opt.DefaultLevels); len(at) > 0 {
			cd.Method = DemandFromBuildings
			share(at, w)
		} else if pt, ok := r.Boundary.(orb.Point); ok {
			cd.Method = DemandAtPoint
			add(pt, r.Population)
		} else {
			centres, err := cellCentres(r.Boundary, opt.Res)
			if err != nil {
				return nil, nil, fmt.Errorf("spreading demand over community %s (%s): %w", r.Code, r.Name, err)
			}
			if len(centres) == 0 {
				cd.Method = DemandAtPoint
				add(InteriorPoint(r.Boundary), r.Population)
			} else {
				cd.Method = DemandFromH3
				w := make([]float64, len(centres))
				for i := range w {
					w[i] = 1
				}
				share(centres, w)
			}
		}
		cd.Points = len(points) - cd.First
		report = append(report, cd)
	}
	return points, report, nil
}

// shareCohorts shares each cohort of total over cells in proportion to the
// cells' counts of that cohort, else their residents, else evenly; see
// SpreadDemand.
func shareCohorts(total Population, cells []Population) []Population {
	out := make([]Population, len(cells))
	cohort := func(p *Population, k int) *float64 {
		return [...]*float64{&p.Residents, &p.Households, &p.Elders60, &p.Elders80}[k]
	}
	for k := range 4 {
		var sum, residents float64
		for i := range cells {
			sum += *cohort(&cells[i], k)
			residents += cells[i].Residents
		}
		want := *cohort(&total, k)
		for i := range cells {
			var w float64
			switch {
			case sum > 0:
				w = *cohort(&cells[i], k) / sum
			case residents > 0:
				w = cells[i].Residents / residents
			default:
				w = 1 / float64(len(cells))
			}
			*cohort(&out[i], k) = want * w
		}
	}
	return out
}

// buildingWeights returns the centroids and weights (footprint m² × levels)
// of the buildings idx, keeping only the residential ones when there are
// any. Buildings of no area are left out.
func buildingWeights(buildings []Building, idx []int, defaultLevels float64) ([]orb.Point, []float64) {
	residential := false
	for _, i := range idx {
		if buildings[i].Residential {
			residential = true
			break
		}
	}
	var at []orb.Point
	var w []float64
	for _, i := range idx {
		b := &buildings[i]
		if residential && !b.Residential {
			continue
		}
		levels := b.Levels
		if !(levels > 0) || math.IsInf(levels, 0) {
			levels = defaultLevels
		}
		weight := orbgeo.Area(b.Footprint) * levels
		if !(weight > 0) || math.IsInf(weight, 0) {
			continue
		}
		c, _ := planar.CentroidArea(b.Footprint)
		at = append(at, c)
		w = append(w, weight)
	}
	return at, w
}

// cellCentres returns the centres of the H3 cells at res whose centres lie
// in the polygon(s) of g, ordered by cell id so the result is deterministic.
func cellCentres(g orb.Geometry, res int) ([]orb.Point, error) {
	var polys []orb.Polygon
	switch g := g.(type) {
	case orb.Polygon:
		polys = []orb.Polygon{g}
	case orb.MultiPolygon:
		polys = g
	}
	seen := make(map[h3.Cell]bool)
	var cells []h3.Cell
	for _, p := range polys {
		if len(p) == 0 || len(p[0]) < 4 {
			continue
		}
		gp := h3.GeoPolygon{GeoLoop: geoLoop(p[0])}
		for _, hole := range p[1:] {
			gp.Holes = append(gp.Holes, geoLoop(hole))
		}
		cs, err := h3.PolygonToCells(gp, res)
		if err != nil {
			return nil, fmt.Errorf("H3 cells of the boundary: %w", err)
		}
		for _, c := range cs {
			if !seen[c] {
				seen[c] = true
				cells = append(cells, c)
			}
		}
	}
	slices.Sort(cells)
	out := make([]orb.Point, 0, len(cells))
	for _, c := range cells {
		ll, err := h3.CellToLatLng(c)
		if err != nil {
			return nil, fmt.Errorf("centre of H3 cell %s: %w", c, err)
		}
		out = append(out, orb.Point{ll.Lng, ll.Lat})
	}
	return out, nil
}

func geoLoop(r orb.Ring) h3.GeoLoop {
	// H3 loops are implicitly closed: drop the repeated first point.
	if len(r) > 1 && r[0] == r[len(r)-1] {
		r = r[:len(r)-1]
	}
	loop := make(h3.GeoLoop, len(r))
	for i, p := range r {
		loop[i] = h3.NewLatLng(p[1], p[0])
	}
	return loop
}

// AssignCommunities returns, for each point, the index in regions of the
// community whose Polygon or MultiPolygon boundary contains it, or -1 when
// none does. Where community boundaries overlap, the first community in
// regions wins, so the answer does not depend on index internals.
func AssignCommunities(regions []Region, pts []orb.Point) []int32 {
	var tree rtree.RTreeG[int32]
	for i := range regions {
		r := &regions[i]
		if r.Level != LevelCommunity {
			continue
		}
		switch r.Boundary.(type) {
		case orb.Polygon, orb.MultiPolygon:
			b := r.Boundary.Bound()
			tree.Insert([2]float64(b.Min), [2]float64(b.Max), int32(i))
		}
	}
	out := make([]int32, len(pts))
	for i, p := range pts {
		best := int32(-1)
		tree.Search([2]float64(p), [2]float64(p), func(_, _ [2]float64, r int32) bool {
			if (best < 0 || r < best) && boundaryContains(regions[r].Boundary, p) {
				best = r
			}
			return true
		})
		out[i] = best
	}
	return out
}

// boundaryContains reports whether the Polygon or MultiPolygon g contains
// p; any other geometry contains nothing.
func boundaryContains(g orb.Geometry, p orb.Point) bool {
	switch g := g.(type) {
	case orb.Polygon:
		return planar.PolygonContains(g, p)
	case orb.MultiPolygon:
		return planar.MultiPolygonContains(g, p)
	}
	return false
}

// InteriorPoint returns a point inside a Polygon or MultiPolygon: its
// centroid when that is inside (the usual case), else the middle of the
// widest stretch of a horizontal line through its largest polygon, so that
// a crescent or an L-shaped community still gets a point of its own. A
// Point is returned as is; other geometries give their bound's centre.
func InteriorPoint(g orb.Geometry) orb.Point {
	if p, ok := g.(orb.Point); ok {
		return p
	}
	if g == nil {
		return orb.Point{}
	}
	c, _ := planar.CentroidArea(g)
	if boundaryContains(g, c) {
		return c
	}
	var poly orb.Polygon
	switch g := g.(type) {
	case orb.Polygon:
		poly = g
	case orb.MultiPolygon:
		best := -1.0
		for _, p := range g {
			if a := planar.Area(p); a > best {
				best, poly = a, p
			}
		}
	default:
		return g.Bound().Center()
	}
	if len(poly) == 0 || len(poly[0]) == 0 {
		return c
	}
	b := poly.Bound()
	y := b.Center()[1]
	var xs []float64
	for _, ring := range poly {
		for i := 0; i+1 < len(ring); i++ {
			a, d := ring[i], ring[i+1]
			// Half-open in y, so a vertex on the line counts once.
			if (a[1] <= y) != (d[1] <= y) {
				xs = append(xs, a[0]+(y-a[1])*(d[0]-a[0])/(d[1]-a[1]))
			}
		}
	}
	slices.Sort(xs)
	best, at := -1.0, poly[0][0]
	for i := 0; i+1 < len(xs); i += 2 {
		if w := xs[i+1] - xs[i]; w > best {
			best, at = w, orb.Point{(xs[i] + xs[i+1]) / 2, y}
		}
	}
	return at
}

func geometryName(g orb.Geometry) string {
	if g == nil {
		return "none"
	}
	return g.GeoJSONType()
}
