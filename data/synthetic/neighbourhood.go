package synthetic

import (
	"math"

	"github.com/paulmach/orb"
)

// cell is a neighbourhood while it is being generated.
type cell struct {
	region   int
	row, col int      // in its region's lattice
	sides    [4]int32 // bottom, right, top, left: counter-clockwise
	corners  [4]int32 // junctions: south-west, south-east, north-east, north-west
	corner   [4]pt    // their positions

	w, h    float64 // mean east-west and north-south extent
	centre  pt
	urb     float64
	dens    Density
	layout  Layout
	hill    int     // hill it stands on, or -1
	hillIdx []int32 // hills that reach it, for elevation
	plan    plan
}

// Side slots of a cell, counter-clockwise from the south.
const (
	sideBottom = iota
	sideRight
	sideTop
	sideLeft
)

// coons maps (s, t) in the unit square onto the cell with a Coons patch of
// its four sides, so that s = 0..1 runs west to east and t south to north
// and the boundary of the square lands exactly on the main roads; local
// streets laid out in (s, t) then bend with the rows along the river.
func (g *gen) coons(c *cell, s, t float64) pt {
	b := g.sidePoint(&g.sides[c.sides[sideBottom]], s)
	tp := g.sidePoint(&g.sides[c.sides[sideTop]], s)
	p00, p10, p11, p01 := c.corner[0], c.corner[1], c.corner[2], c.corner[3]
	l := lerpPt(p00, p01, t)
	r := lerpPt(p10, p11, t)
	u, v := 1-s, 1-t
	return pt{
		v*b.x + t*tp.x + u*l.x + s*r.x - (u*v*p00.x + s*v*p10.x + u*t*p01.x + s*t*p11.x),
		v*b.y + t*tp.y + u*l.y + s*r.y - (u*v*p00.y + s*v*p10.y + u*t*p01.y + s*t*p11.y),
	}
}

// profile holds the knobs of one density class.
type profile struct {
	gridSpacing  [2]float64 // local streets of a grid, m apart
	orgSpacing   [2]float64 // junctions of organic lanes, m apart
	piece        [2]float64 // edge length along local ways
	mainPiece    [2]float64 // edge length along main roads
	pCross       float64    // a local street joining a main road ends in a crossing
	pCornerCross float64    // a main-road junction is signalised
	arms         [5]float64 // weights of 0..4 lanes from a block's hub to its sides
	pService     float64    // a block lane is a service lane, not a footpath
	pRing        float64    // a large enough block has a compound ring road
	spurs        float64    // expected dead-end spurs per hub or lane junction
	pEntrance    float64    // a lane's intermediate node has a path to a door
	pExtra       float64    // organic: links kept beyond a spanning tree (loops)
	pEntry       float64    // organic: an edge junction joins the main road
	gridShare    float64    // share of flat neighbourhoods laid out as grids
	nodesPerKm2  float64    // what the above yields, measured; sizes buffers
}

// densityProfile is the constant table of profiles. Spacings and edge
// lengths are tuned so that node densities match OSM walking networks of
// Chinese cities: about 2,000 nodes per km² in the dense cores.
func densityProfile(d Density) profile {
	switch d {
	case High:
		return profile{
			gridSpacing: [2]float64{85, 115}, orgSpacing: [2]float64{33, 42},
			piece: [2]float64{16, 26}, mainPiece: [2]float64{20, 36},
			pCross: 0.5, pCornerCross: 0.75,
			arms: [5]float64{0.04, 0.16, 0.35, 0.27, 0.18}, pService: 0.5, pRing: 0.7, spurs: 1.2, pEntrance: 0.65,
			pExtra: 0.45, pEntry: 0.6, gridShare: 0.5, nodesPerKm2: 2600,
		}
	case Medium:
		return profile{
			gridSpacing: [2]float64{110, 145}, orgSpacing: [2]float64{40, 52},
			piece: [2]float64{19, 30}, mainPiece: [2]float64{26, 44},
			pCross: 0.35, pCornerCross: 0.5,
			arms: [5]float64{0.06, 0.22, 0.36, 0.22, 0.14}, pService: 0.55, pRing: 0.55, spurs: 1.0, pEntrance: 0.5,
			pExtra: 0.4, pEntry: 0.5, gridShare: 0.65, nodesPerKm2: 1550,
		}
	case Low:
		return profile{
			gridSpacing: [2]float64{160, 220}, orgSpacing: [2]float64{70, 95},
			piece: [2]float64{26, 42}, mainPiece: [2]float64{34, 56},
			pCross: 0.15, pCornerCross: 0.25,
			arms: [5]float64{0.12, 0.3, 0.36, 0.15, 0.07}, pService: 0.65, pRing: 0.35, spurs: 0.7, pEntrance: 0.3,
			pExtra: 0.3, pEntry: 0.4, gridShare: 0.45, nodesPerKm2: 550,
		}
	default: // Rural
		return profile{
			gridSpacing: [2]float64{220, 300}, orgSpacing: [2]float64{140, 190},
			piece: [2]float64{40, 65}, mainPiece: [2]float64{45, 72},
			pCross: 0, pCornerCross: 0.05,
			arms: [5]float64{0.2, 0.4, 0.3, 0.1, 0}, pService: 0.7, spurs: 0.5, pEntrance: 0.2,
			pExtra: 0.1, pEntry: 0.35, gridShare: 0, nodesPerKm2: 150,
		}
	}
}

// densityOf cuts the urbanity field into classes.
func densityOf(u float64) Density {
	switch {
	case u >= 0.55:
		return High
	case u >= 0.32:
		return Medium
	case u >= 0.14:
		return Low
	default:
		return Rural
	}
}

// urbanity is the density field at q: the strongest of the centres'
// Gaussians, so that centres do not add up into one blob.
func (g *gen) urbanity(q pt) float64 {
	s2 := 2 * g.p.CentreSpreadM * g.p.CentreSpreadM
	var u float64
	for k, c := range g.centres {
		dx, dy := q.x-c.x, q.y-c.y
		u = max(u, g.centreW[k]*math.Exp(-(dx*dx+dy*dy)/s2))
	}
	return u
}

// classify gives every cell its density, layout and hill, and every main
// road and junction the density that sets its node spacing and crossings.
func (g *gen) classify() {
	for ci := range g.cells {
		c := &g.cells[ci]
		r := newStream(g.seed, streamClass, uint64(ci))
		c.w = (c.corner[0].dist(c.corner[1]) + c.corner[3].dist(c.corner[2])) / 2
		c.h = (c.corner[0].dist(c.corner[3]) + c.corner[1].dist(c.corner[2])) / 2
		c.centre = g.coons(c, 0.5, 0.5)
		c.urb = clamp(g.urbanity(c.centre)+uniform(r, -0.06, 0.06), 0, 1)
		c.dens = densityOf(c.urb)
		lo, hi := c.corner[0], c.corner[0]
		for _, q := range c.corner[1:] {
			lo = pt{min(lo.x, q.x), min(lo.y, q.y)}
			hi = pt{max(hi.x, q.x), max(hi.y, q.y)}
		}
		// Horizontal sides bulge with the river; 10 % of a block covers it.
		pad := pt{0.1 * c.h, 0.1 * c.h}
		c.hillIdx = g.hills.overlapping(lo.sub(pad), hi.add(pad))
		var rel float64
		c.hill, rel = g.hills.on(c.centre)

		prof := densityProfile(c.dens)
		switch {
		case c.dens == Rural:
			c.layout = LayoutVillage
		case c.hill >= 0 && rel < 0.35 && r.Float64() < 0.4:
			c.layout = LayoutPark // hilltop parks: 鹅岭, 枇杷山
		case c.hill >= 0:
			c.layout = LayoutHillside
		case r.Float64() < 0.03:
			c.layout = LayoutPark
		case r.Float64() < prof.gridShare:
			c.layout = LayoutGrid
		default:
			c.layout = LayoutOrganic
		}

		for _, s := range c.sides {
			g.sides[s].dens = max(g.sides[s].dens, c.dens)
		}
		for _, n := range c.corners {
			g.lnodes[n].dens = max(g.lnodes[n].dens, c.dens)
		}
	}
	g.thinRuralRoads()
	for n := range g.lnodes {
		ln := &g.lnodes[n]
		r := newStream(g.seed, streamJunction, uint64(n))
		ln.cross = ln.roads >= 3 && r.Float64() < densityProfile(ln.dens).pCornerCross
	}
}

// ring returns a cell's outline on the plane, counter-clockwise and open:
// the bottom side west to east, the right side up, the top side back and
// the left side down. Curved sides are sampled every 50 m or so.
func (g *gen) ring(c *cell) []pt {
	var out []pt
	walk := func(s *side, reverse bool) {
		n := 1
		if s.horiz {
			n = max(2, int(math.Ceil(s.length/50)))
		}
		for k := 0; k < n; k++ { // the far end is the next side's start
			p := float64(k) / float64(n)
			if reverse {
				p = 1 - p
			}
			out = append(out, g.sidePoint(s, p))
		}
	}
	walk(&g.sides[c.sides[sideBottom]], false)
	walk(&g.sides[c.sides[sideRight]], false)
	walk(&g.sides[c.sides[sideTop]], true)
	walk(&g.sides[c.sides[sideLeft]], true)
	return out
}

// neighbourhood describes a cell for the City.
func (g *gen) neighbourhood(id int, c *cell) Neighbourhood {
	ring := g.ring(c)
	// Shoelace area and centroid, relative to the first vertex for accuracy.
	var a2, cx, cy float64
	o := ring[0]
	for k := range ring {
		p, q := ring[k].sub(o), ring[(k+1)%len(ring)].sub(o)
		cr := p.x*q.y - q.x*p.y
		a2 += cr
		cx += (p.x + q.x) * cr
		cy += (p.y + q.y) * cr
	}
	centroid := o.add(pt{cx / (3 * a2), cy / (3 * a2)})
	lr := make(orb.Ring, len(ring)+1)
	for k, p := range ring {
		lr[k] = g.frame.lonLat(p)
	}
	lr[len(ring)] = lr[0]

	rg := &g.regions[c.region]
	bank := NoRiver
	switch rg.kind {
	case regionSouth:
		bank = SouthBank
	case regionNorth:
		bank = NorthBank
	}
	return Neighbourhood{
		ID: int32(id), Row: rg.rowBase + c.row, Col: c.col, Bank: bank,
		Polygon: orb.Polygon{lr}, Centroid: g.frame.lonLat(centroid), AreaM2: a2 / 2,
		Urban: c.dens != Rural, Density: c.dens, Urbanity: c.urb, Layout: c.layout, Hill: c.hill,
	}
}

// thinRuralRoads removes some main roads between villages, where a road
// every BlockM would look like a city grid laid over the fields. It never
// disconnects the main roads (a random spanning tree of them is kept) and
// leaves every village at least two roads to join.
func (g *gen) thinRuralRoads() {
	const pDrop = 0.4
	owners := make([][2]int32, len(g.sides))
	for si := range owners {
		owners[si] = [2]int32{-1, -1}
	}
	roads := make([]int8, len(g.cells))
	for ci := range g.cells {
		for _, si := range g.cells[ci].sides {
			o := &owners[si]
			if o[0] < 0 {
				o[0] = int32(ci)
			} else {
				o[1] = int32(ci)
			}
			if g.sides[si].road {
				roads[ci]++
			}
		}
	}
	parent := make([]int32, len(g.lnodes))
	for i := range parent {
		parent[i] = int32(i)
	}
	find := func(x int32) int32 {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	r := newStream(g.seed, streamLayout, 4)
	order := r.Perm(len(g.sides))
	tree := make([]bool, len(g.sides))
	for _, si := range order {
		s := &g.sides[si]
		if ra, rb := find(s.a), find(s.b); s.road && ra != rb {
			parent[ra] = rb
			tree[si] = true
		}
	}
	for _, si := range order {
		s, o := &g.sides[si], owners[si]
		if !s.road || tree[si] || o[1] < 0 || g.cells[o[0]].dens != Rural || g.cells[o[1]].dens != Rural {
			continue
		}
		if roads[o[0]] < 3 || roads[o[1]] < 3 || r.Float64() >= pDrop {
			continue
		}
		s.road = false
		roads[o[0]]--
		roads[o[1]]--
		g.lnodes[s.a].roads--
		g.lnodes[s.b].roads--
	}
}
