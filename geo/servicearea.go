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
	if res < 0 || res > 15 {
		return ServiceArea{}, fmt.Errorf("service area: H3 resolution %d is not in 0..15", res)
	}
	seeds := s.r.Seeds(site)
	s.Run(seeds[:], budget)

	edgeM, err := h3.HexagonEdgeLengthAvgM(res)
	if err != nil {
		return ServiceArea{}, err
	}
	step := edgeM / 2
	cells := make(map[h3.Cell]struct{})
	addCell := func(p orb.Point) error {
		c, err := h3.LatLngToCell(h3.NewLatLng(p[1], p[0]), res)
		if err != nil {
			return err
		}
		cells[c] = struct{}{}
		return nil
	}
	// sample adds the cells along edge e between fractions f0 and f1.
	g := s.r.Graph
	sample := func(e int32, f0, f1 float64) error {
		a, b := g.Points[g.EdgeU[e]], g.Points[g.EdgeV[e]]
		n := int(math.Ceil((f1-f0)*g.EdgeLen[e]/step)) + 1
		for k := 0; k <= n; k++ {
			f := f0 + (f1-f0)*float64(k)/float64(n)
			if err := addCell(orb.Point{a[0] + f*(b[0]-a[0]), a[1] + f*(b[1]-a[1])}); err != nil {
				return err
			}
		}
		return nil
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
