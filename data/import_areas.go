package data

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/uber/h3-go/v4"

	"github.com/carecircle/carecircle/geo"
)

// This file derives the areas of communities known only by a point: the
// built-up area is cut into H3 cells and each cell goes to the community
// point nearest to it by walking time, among the communities of the street
// whose boundary holds the cell when that boundary is known. The areas
// are the unions of their cells, so they cover the built-up area without
// overlap.

// derivedAreaRes is the finest-first H3 resolution of derived areas: at
// resolution 10 a cell is about 15,000 m², a city block. A finer one is
// used when two community points share a cell.
const (
	derivedAreaRes    = 10
	derivedAreaMaxRes = 13
)

// siteSnapLimit is how far a community point or a cell centre may be from
// a walkway and still be joined to the network for the partition; beyond
// it the straight line decides.
const siteSnapLimit = 2000

// MaxDerivedCells bounds the cells of a partition (a county at resolution
// 10 is about 100,000).
const MaxDerivedCells = 2_000_000

// areaPartition is the built-up area cut among sites (community points).
type areaPartition struct {
	res   int
	owner map[h3.Cell]int32 // cell → site
	cells [][]h3.Cell       // per site, sorted
}

// partitionInput is what the partition needs.
type partitionInput struct {
	graph *geo.Graph
	index *geo.EdgeIndex
	sites []orb.Point // WGS84
	// group is, per site, the index in groupAreas of its street's known
	// boundary, or -1 when that is not known.
	group      []int
	groupAreas []orb.Geometry
	// builtUp are the points where people live or things stand:
	// buildings, population cells, facilities. Each brings its cell and
	// the cells around it.
	builtUp []orb.Point
	// taken reports points inside a boundary given for some community;
	// those cells are not shared out.
	taken func(orb.Point) bool
}

// partitionBuiltUp cuts the built-up area among the sites.
func partitionBuiltUp(ctx context.Context, in partitionInput) (*areaPartition, error) {
	if len(in.sites) == 0 {
		return &areaPartition{owner: map[h3.Cell]int32{}}, nil
	}
	res := derivedAreaRes
	var siteCells []h3.Cell
	for ; res <= derivedAreaMaxRes; res++ {
		siteCells = siteCells[:0]
		seen := map[h3.Cell]bool{}
		shared := false
		for _, p := range in.sites {
			c, err := h3.LatLngToCell(h3.NewLatLng(p[1], p[0]), res)
			if err != nil {
				return nil, fmt.Errorf("H3 cell of (%f, %f): %w", p[0], p[1], err)
			}
			shared = shared || seen[c]
			seen[c] = true
			siteCells = append(siteCells, c)
		}
		if !shared || res == derivedAreaMaxRes {
			break
		}
	}

	// The built-up cells: each point's cell and its neighbours, so that a
	// building on a cell's edge is inside whichever way the edge is drawn.
	set := map[h3.Cell]bool{}
	for _, c := range siteCells {
		set[c] = true
	}
	for i, p := range in.builtUp {
		if i%4096 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		c, err := h3.LatLngToCell(h3.NewLatLng(p[1], p[0]), res)
		if err != nil {
			continue
		}
		disk, err := c.GridDisk(1)
		if err != nil {
			continue
		}
		for _, d := range disk {
			set[d] = true
		}
		if len(set) > MaxDerivedCells {
			return nil, fmt.Errorf("the built-up area has more than %d H3 cells at resolution %d; cut the extract to the city", MaxDerivedCells, res)
		}
	}
	cells := make([]h3.Cell, 0, len(set))
	for c := range set {
		cells = append(cells, c)
	}
	slices.Sort(cells)

	owner := make(map[h3.Cell]int32, len(cells))
	for i, c := range siteCells {
		if _, ok := owner[c]; !ok {
			owner[c] = int32(i)
		}
	}

	// Group the cells by the street boundary that holds their centre.
	centres := make([]orb.Point, len(cells))
	byGroup := map[int][]int{} // group → cell indexes; -1 the rest
	for i, c := range cells {
		ll, err := c.LatLng()
		if err != nil {
			continue
		}
		centres[i] = orb.Point{ll.Lng, ll.Lat}
		if _, forced := owner[c]; forced {
			continue
		}
		if in.taken != nil && in.taken(centres[i]) {
			continue
		}
		g := -1
		for k, a := range in.groupAreas {
			if a != nil && geometryContains(a, centres[i]) {
				g = k
				break
			}
		}
		byGroup[g] = append(byGroup[g], i)
	}
	sitesOf := map[int][]int{}
	for i, g := range in.group {
		sitesOf[g] = append(sitesOf[g], i)
	}
	// A street boundary with no community point gives its cells to the
	// rest; the rest, when no street lacks a boundary, to every site.
	for g, idx := range byGroup {
		if g >= 0 && len(sitesOf[g]) == 0 {
			byGroup[-1] = append(byGroup[-1], idx...)
			delete(byGroup, g)
		}
	}
	rest := sitesOf[-1]
	if len(rest) == 0 {
		rest = make([]int, len(in.sites))
		for i := range rest {
			rest[i] = i
		}
	}
	sitesOf[-1] = rest

	router, err := geo.NewRouter(in.graph, geo.DefaultWalk())
	if err != nil {
		return nil, err
	}
	search := router.NewSearch()
	groups := make([]int, 0, len(byGroup))
	for g := range byGroup {
		groups = append(groups, g)
	}
	slices.Sort(groups)
	for _, g := range groups {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		idx, sites := byGroup[g], sitesOf[g]
		var siteSnaps []geo.Snap
		var snapped []int // site index of each snap
		for _, s := range sites {
			if sn, err := in.index.Snap(in.sites[s], siteSnapLimit); err == nil {
				siteSnaps = append(siteSnaps, sn)
				snapped = append(snapped, s)
			}
		}
		var ptSnaps []geo.Snap
		var ptCell []int
		for _, i := range idx {
			if sn, err := in.index.Snap(centres[i], siteSnapLimit); err == nil {
				ptSnaps = append(ptSnaps, sn)
				ptCell = append(ptCell, i)
			}
		}
		if len(siteSnaps) > 0 && len(ptSnaps) > 0 {
			_, from := search.NearestSites(siteSnaps, geo.NewPointSet(in.graph, ptSnaps), math.Inf(1))
			for k, f := range from {
				if f >= 0 {
					owner[cells[ptCell[k]]] = int32(snapped[f])
				}
			}
		}
		// Cells the walk does not reach go to the nearest point.
		for _, i := range idx {
			if _, ok := owner[cells[i]]; ok {
				continue
			}
			best, bestD := -1, math.Inf(1)
			for _, s := range sites {
				if d := geo.Haversine(centres[i], in.sites[s]); d < bestD {
					best, bestD = s, d
				}
			}
			if best >= 0 {
				owner[cells[i]] = int32(best)
			}
		}
	}
	part := &areaPartition{res: res, owner: owner, cells: make([][]h3.Cell, len(in.sites))}
	for _, c := range cells {
		if s, ok := owner[c]; ok {
			part.cells[s] = append(part.cells[s], c)
		}
	}
	return part, nil
}

// siteOf returns the site whose area holds p, or -1.
func (ap *areaPartition) siteOf(p orb.Point) int32 {
	if ap == nil || len(ap.owner) == 0 {
		return -1
	}
	c, err := h3.LatLngToCell(h3.NewLatLng(p[1], p[0]), ap.res)
	if err != nil {
		return -1
	}
	if s, ok := ap.owner[c]; ok {
		return s
	}
	return -1
}

// geometryContains reports whether a Polygon or MultiPolygon holds p.
func geometryContains(g orb.Geometry, p orb.Point) bool {
	if !g.Bound().Contains(p) {
		return false
	}
	switch g := g.(type) {
	case orb.Polygon:
		return planar.PolygonContains(g, p)
	case orb.MultiPolygon:
		return planar.MultiPolygonContains(g, p)
	}
	return false
}

// cellsArea joins cells into a boundary.
func cellsArea(cells []h3.Cell) (orb.Geometry, error) {
	mp, err := geo.CellsToMultiPolygon(cells)
	if err != nil {
		return nil, err
	}
	if len(mp) == 1 {
		return mp[0], nil
	}
	return mp, nil
}
