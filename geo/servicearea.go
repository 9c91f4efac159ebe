package geo

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/uber/h3-go/v4"
)

// DefaultServiceAreaRes is the H3 resolution of service areas: res-11 cells
// are about 25 m across, fine enough that the inside of a city block no
// walkway enters stays a hole.
const DefaultServiceAreaRes = 11

// ServiceArea is the ground a walk covers within its budget: the H3 cells
// touched by the reachable part of the network, joined into polygons.
type ServiceArea struct {
	Area           orb.MultiPolygon
	Cells          []h3.Cell
	ReachableNodes int
	WalkwayM       float64 // metres of walkway reachable (partial edges count in part)
}

// ServiceArea walks from site for at most budget seconds and returns the
// area reached at H3 resolution res.
func (s *Search) ServiceArea(site Snap, budget float64, res int) (ServiceArea, error) {
	step, err := sampleStep(res)
	if err != nil {
		return ServiceArea{}, err
	}
	seeds := s.r.Seeds(site)
	s.Run(seeds[:], budget)

	g := s.r.Graph
	cells := make(map[h3.Cell]struct{})
	add := func(c h3.Cell) { cells[c] = struct{}{} }
	// sample adds the cells along edge e between fractions f0 and f1;
	// whole edges come from the router's EdgeCells when it has them.
	ec := s.r.edgeCells.Load()
	if ec != nil && ec.res != res {
		ec = nil
	}
	sample := func(e int32, f0, f1 float64) error {
		if ec != nil && f0 == 0 && f1 == 1 {
			for _, c := range ec.Of(e) {
				add(c)
			}
			return nil
		}
		return sampleEdge(g, e, f0, f1, step, res, add)
	}

	area := ServiceArea{ReachableNodes: len(s.settled)}
	reach := func(node int32, e int32) float64 { // fraction of e reachable from node
		d := s.Seconds(node)
		if d > budget {
			return 0
		}
		return math.Min(1, (budget-d)/s.r.edgeCost[e])
	}
	for _, u := range s.settled {
		for i := g.Offsets[u]; i < g.Offsets[u+1]; i++ {
			e := g.AdjEdge[i]
			v := g.Adj[i]
			if s.Seconds(v) <= budget && g.EdgeU[e] != u {
				continue // both ends reached: handle the edge once, from EdgeU
			}
			fu, fv := reach(g.EdgeU[e], e), reach(g.EdgeV[e], e)
			if fu+fv >= 1 {
				area.WalkwayM += g.EdgeLen[e]
				if err := sample(e, 0, 1); err != nil {
					return ServiceArea{}, err
				}
				continue
			}
			area.WalkwayM += (fu + fv) * g.EdgeLen[e]
			if fu > 0 {
				if err := sample(e, 0, fu); err != nil {
					return ServiceArea{}, err
				}
			}
			if fv > 0 {
				if err := sample(e, 1-fv, 1); err != nil {
					return ServiceArea{}, err
				}
			}
		}
	}
	// The site's own edge around the site, even if neither end is reached.
	if r := (budget - s.r.Profile.AccessSeconds(site.Access)) / s.r.edgeCost[site.Edge]; r > 0 {
		if err := sample(site.Edge, math.Max(0, site.T-r), math.Min(1, site.T+r)); err != nil {
			return ServiceArea{}, err
		}
	}
	if len(cells) == 0 {
		return area, nil
	}
	area.Cells = make([]h3.Cell, 0, len(cells))
	for c := range cells {
		area.Cells = append(area.Cells, c)
	}
	mp, err := CellsToMultiPolygon(area.Cells)
	if err != nil {
		return ServiceArea{}, err
	}
	area.Area = mp
	return area, nil
}

// CellsToMultiPolygon joins H3 cells into lon/lat polygons with closed
// rings, outer rings counter-clockwise and holes clockwise (RFC 7946).
func CellsToMultiPolygon(cells []h3.Cell) (orb.MultiPolygon, error) {
	polys, err := h3.CellsToMultiPolygon(cells)
	if err != nil {
		return nil, fmt.Errorf("joining %d H3 cells: %w", len(cells), err)
	}
	mp := make(orb.MultiPolygon, 0, len(polys))
	for _, p := range polys {
		poly := orb.Polygon{loopToRing(p.GeoLoop, orb.CCW)}
		for _, h := range p.Holes {
			poly = append(poly, loopToRing(h, orb.CW))
		}
		mp = append(mp, poly)
	}
	return mp, nil
}

func loopToRing(loop h3.GeoLoop, want orb.Orientation) orb.Ring {
	r := make(orb.Ring, 0, len(loop)+1)
	for _, ll := range loop {
		r = append(r, orb.Point{ll.Lng, ll.Lat})
	}
	if len(r) > 0 {
		r = append(r, r[0])
	}
	if r.Orientation() != want {
		r.Reverse()
	}
	return r
}
