package tiles

import (
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/tidwall/rtree"
	"github.com/uber/h3-go/v4"

	"github.com/carecircle/carecircle/planner"
)

// demandResolutions are the H3 resolutions demand is drawn at, finest
// first; demandRes picks one per zoom.
var demandResolutions = []int{10, 9, 8, 7}

// demandRes is the H3 resolution of the demand cells at zoom z: res 10
// (≈130 m across, ≥15 px at 512 px tiles) from z13, its parents below:
// res 9 at z12, res 8 at z10–11, res 7 at z ≤ 9.
func demandRes(z int) int {
	switch {
	case z >= 13:
		return 10
	case z >= 12:
		return 9
	case z >= 10:
		return 8
	}
	return 7
}

// demandIndex holds every demand point of the city (the snapped ones and
// those off the network, which are never covered) grouped into H3 cells
// at each drawing resolution.
type demandIndex struct {
	snapped []int32   // the model's snapped index of point j, -1 off the network
	elders  []float64 // elders 60+ of point j
	circle  []float64 // seconds within which point j counts as served
	budget  float64   // the model's walking budget, seconds: minutes are capped there
	levels  []*cellLevel
}

// cellLevel is the demand cells at one resolution: the cells with demand,
// their member points, their outlines in world coordinates and an R-tree.
type cellLevel struct {
	res     int
	cells   []h3.Cell
	start   []int32 // members of cell c: members[start[c]:start[c+1]]
	members []int32
	outline []orb.Ring // world coordinates
	bound   []orb.Bound
	tree    rtree.RTreeG[int32]
}

func newDemandIndex(m *planner.Model) (demandIndex, error) {
	c := m.City
	n := m.Demand.Len()
	ix := demandIndex{budget: m.Budget}
	var locs []orb.Point
	add := func(k int32, d *planner.DemandPoint) {
		ix.snapped = append(ix.snapped, k)
		ix.elders = append(ix.elders, d.Elders60)
		area := planner.Urban
		if int(d.Community) < len(c.Regions) && c.Regions[d.Community].AreaType == planner.Rural {
			area = planner.Rural
		}
		ix.circle = append(ix.circle, m.CircleSeconds(area))
		locs = append(locs, d.Location)
	}
	for k := 0; k < n; k++ {
		add(int32(k), m.DemandPoint(int32(k)))
	}
	for _, f := range m.Unsnapped {
		add(-1, &c.Demand[f.Index])
	}
	finest := make([]h3.Cell, len(locs))
	for j, p := range locs {
		cell, err := h3.LatLngToCell(h3.NewLatLng(p[1], p[0]), demandResolutions[0])
		if err != nil {
			return ix, fmt.Errorf("tiles: demand point %d at (%v, %v): %w", j, p[0], p[1], err)
		}
		finest[j] = cell
	}
	for _, res := range demandResolutions {
		cellOf := finest
		if res != demandResolutions[0] {
			cellOf = make([]h3.Cell, len(finest))
			for j, cell := range finest {
				p, err := cell.Parent(res)
				if err != nil {
					return ix, fmt.Errorf("tiles: parent at res %d of cell %s: %w", res, cell, err)
				}
				cellOf[j] = p
			}
		}
		lv, err := newCellLevel(res, cellOf)
		if err != nil {
			return ix, err
		}
		ix.levels = append(ix.levels, lv)
	}
	return ix, nil
}

// newCellLevel groups points by their cell (cellOf[j] is point j's).
func newCellLevel(res int, cellOf []h3.Cell) (*cellLevel, error) {
	order := make([]int32, len(cellOf))
	for j := range order {
		order[j] = int32(j)
	}
	slices.SortFunc(order, func(a, b int32) int {
		if cellOf[a] != cellOf[b] {
			if cellOf[a] < cellOf[b] {
				return -1
			}
			return 1
		}
		return int(a - b)
	})
	lv := &cellLevel{res: res, members: order}
	for i, j := range order {
		if i == 0 || cellOf[j] != cellOf[order[i-1]] {
			lv.cells = append(lv.cells, cellOf[j])
			lv.start = append(lv.start, int32(i))
		}
	}
	lv.start = append(lv.start, int32(len(order)))
	lv.outline = make([]orb.Ring, len(lv.cells))
	lv.bound = make([]orb.Bound, len(lv.cells))
	for c, cell := range lv.cells {
		b, err := h3.CellToBoundary(cell)
		if err != nil {
			return nil, fmt.Errorf("tiles: outline of cell %s: %w", cell, err)
		}
		r := make(orb.Ring, 0, len(b)+1)
		for _, ll := range b {
			r = append(r, toWorld(orb.Point{ll.Lng, ll.Lat}))
		}
		r = append(r, r[0])
		lv.outline[c], lv.bound[c] = r, r.Bound()
		lv.tree.Insert(lv.bound[c].Min, lv.bound[c].Max, int32(c))
	}
	return lv, nil
}

// level returns the cells at resolution res.
func (ix *demandIndex) level(res int) *cellLevel {
	for _, lv := range ix.levels {
		if lv.res == res {
			return lv
		}
	}
	return nil
}

// bounds lists the world bounds of the cells meeting b.
func (lv *cellLevel) bounds(b orb.Bound) []orb.Bound {
	var out []orb.Bound
	lv.tree.Search(b.Min, b.Max, func(_, _ [2]float64, c int32) bool {
		out = append(out, lv.bound[c])
		return true
	})
	return out
}

// demandLayer builds the demand tile: one MVT layer "demand" of H3 cells
// at demandRes(z), each with its elders and how well they are served.
func (s *Server) demandLayer(f *frame, e *planner.Evaluation) mvt.Layers {
	z := int(f.tile.Z)
	if z < demandMinZoom {
		return nil
	}
	ix := &s.demand
	lv := ix.level(demandRes(z))
	var feats []*geojson.Feature
	lv.tree.Search(f.query.Min, f.query.Max, func(_, _ [2]float64, c int32) bool {
		var elders, covered, reached, reachedMin float64
		all := true // every point with elders is covered
		for _, j := range lv.members[lv.start[c]:lv.start[c+1]] {
			el := ix.elders[j]
			elders += el
			sec := math.Inf(1)
			if k := ix.snapped[j]; k >= 0 {
				sec = e.ServedSeconds(k)
			}
			if sec <= ix.circle[j] {
				covered += el
			} else if el > 0 {
				all = false
			}
			if sec <= ix.budget {
				reached += el
				reachedMin += el * sec / 60
			}
		}
		if elders <= 0 {
			return true
		}
		g := f.polygon(orb.Polygon{lv.outline[c]}, false)
		if g == nil {
			return true
		}
		minutes := -1.0
		if reached > 0 {
			minutes = round(reachedMin/reached, 1)
		}
		uncovered := math.Max(0, elders-covered)
		feats = append(feats, &geojson.Feature{Type: "Feature", Geometry: g, Properties: geojson.Properties{
			"h3":               lv.cells[c].String(),
			"res":              lv.res,
			"elders_60":        round(elders, 1),
			"elders_uncovered": round(uncovered, 1),
			"coverage":         round(covered/elders, 3),
			"minutes":          minutes,
			"covered":          all,
		}})
		return true
	})
	if len(feats) == 0 {
		return nil
	}
	return mvt.Layers{newLayer("demand", feats)}
}
