package synthetic

import (
	"math"
	"math/rand/v2"
	"slices"
)

// regionKind tells the land areas apart: the whole city when there is no
// river, else the south and north banks.
type regionKind uint8

const (
	regionWhole regionKind = iota
	regionSouth
	regionNorth
)

// region is one bank's main-road lattice: (rows+1)×(cols+1) junctions,
// horizontal sides between junctions of a row, vertical sides between
// junctions of a column, and rows×cols neighbourhoods (cells).
type region struct {
	kind       regionKind
	rows, cols int
	rowBase    int // global row of this region's first row of cells
	node0      int // first junction in gen.lnodes
	hside0     int // first horizontal side in gen.sides
	vside0     int // first vertical side in gen.sides
	cell0      int // first cell in gen.cells
}

func (rg *region) node(j, i int) int32  { return int32(rg.node0 + j*(rg.cols+1) + i) }
func (rg *region) hside(j, i int) int32 { return int32(rg.hside0 + j*rg.cols + i) }
func (rg *region) vside(j, i int) int32 { return int32(rg.vside0 + j*(rg.cols+1) + i) }

// lnode is a junction of the main-road lattice. Its place is given as x and
// a row coordinate v in [0, 1] across the bank, so that rows keep their
// shape as the bank bends.
type lnode struct {
	x, v  float64
	pos   pt
	node  int32   // builder node, -1 until emitted
	dens  Density // densest neighbourhood touching it
	roads int8    // main-road sides that meet here
	cross bool    // signalised: each main-road arm starts with a crossing
}

// side is a main road between two neighbouring junctions, or a stretch of
// the city's edge (road false) that has no road at all.
type side struct {
	a, b      int32 // junctions
	kind      regionKind
	horiz     bool // along a lattice row: a curve; else a straight segment
	road      bool
	riverside bool
	dens      Density // densest neighbourhood beside it
	length    float64

	// req collects the parameters in [0, 1] where neighbourhoods want a
	// local street to join; params and nodes are the side's nodes once
	// emitted, params sorted.
	req    []float64
	params []float64
	nodes  []int32
	done   bool
}

// rowY is the y of row coordinate v at x: v runs from the bank's lower edge
// (the city's south edge, or the north riverside road) to its upper edge.
func (g *gen) rowY(k regionKind, x, v float64) float64 {
	lo, hi := 0.0, g.h
	switch k {
	case regionSouth:
		hi = g.riv.southRoad(x)
	case regionNorth:
		lo = g.riv.northRoad(x)
	}
	return lo + v*(hi-lo)
}

// sidePoint is the point at parameter p along a side. Horizontal sides
// interpolate x and v, so they follow the row's bend; at p = 0 and 1 they
// meet their junctions exactly.
func (g *gen) sidePoint(s *side, p float64) pt {
	a, b := &g.lnodes[s.a], &g.lnodes[s.b]
	if !s.horiz {
		return lerpPt(a.pos, b.pos, p)
	}
	x := lerp(a.x, b.x, p)
	return pt{x, g.rowY(s.kind, x, lerp(a.v, b.v, p))}
}

// measure returns a side's length along its curve.
func (g *gen) measure(s *side) float64 {
	if !s.horiz {
		return g.lnodes[s.a].pos.dist(g.lnodes[s.b].pos)
	}
	const n = 8
	var l float64
	prev := g.sidePoint(s, 0)
	for k := 1; k <= n; k++ {
		q := g.sidePoint(s, float64(k)/n)
		l += prev.dist(q)
		prev = q
	}
	return l
}

// buildLattice lays out the main roads and neighbourhoods of every bank.
func (g *gen) buildLattice(r *rand.Rand) {
	cols := max(2, int(math.Round(g.w/g.p.BlockM)))
	colW := g.w / float64(cols)
	kinds := []regionKind{regionWhole}
	bridgeCol := make([]bool, cols+1)
	if g.riv != nil {
		kinds = []regionKind{regionSouth, regionNorth}
		// A bridge every BridgeSpacingM or so, on interior columns.
		k := max(1, int(math.Round(g.p.BridgeSpacingM/colW)))
		placed := false
		for i := 1 + r.IntN(k); i < cols; i += k {
			bridgeCol[i], placed = true, true
		}
		if !placed {
			bridgeCol[cols/2] = true
		}
	}

	rowBase := 0
	for _, k := range kinds {
		const samples = 32
		var sum float64
		for q := range samples {
			x := (float64(q) + 0.5) / samples * g.w
			sum += g.rowY(k, x, 1) - g.rowY(k, x, 0)
		}
		rows := max(1, int(math.Round(sum/samples/g.p.BlockM)))
		rg := region{kind: k, rows: rows, cols: cols, rowBase: rowBase, node0: len(g.lnodes), cell0: len(g.cells)}
		lowerEdge, upperEdge := k != regionNorth, k != regionSouth // rows on the city's edge
		riverRow := func(j int) bool { return (k == regionSouth && j == rows) || (k == regionNorth && j == 0) }

		for j := 0; j <= rows; j++ {
			for i := 0; i <= cols; i++ {
				x := float64(i) * colW
				// Bridge junctions keep the column's x on both banks, so the
				// deck between them is straight and square to the river.
				if i > 0 && i < cols && !(riverRow(j) && bridgeCol[i]) {
					x += uniform(r, -0.18, 0.18) * colW
				}
				v := float64(j) / float64(rows)
				if j > 0 && j < rows {
					v += uniform(r, -0.12, 0.12) / float64(rows)
				}
				g.lnodes = append(g.lnodes, lnode{x: x, v: v, pos: pt{x, g.rowY(k, x, v)}, node: -1})
			}
		}

		rg.hside0 = len(g.sides)
		for j := 0; j <= rows; j++ {
			for i := 0; i < cols; i++ {
				road := !(j == 0 && lowerEdge) && !(j == rows && upperEdge)
				g.addSide(side{a: rg.node(j, i), b: rg.node(j, i+1), kind: k, horiz: true, road: road, riverside: road && riverRow(j)})
			}
		}
		rg.vside0 = len(g.sides)
		for j := 0; j < rows; j++ {
			for i := 0; i <= cols; i++ {
				g.addSide(side{a: rg.node(j, i), b: rg.node(j+1, i), kind: k, road: i != 0 && i != cols})
			}
		}

		for j := 0; j < rows; j++ {
			for i := 0; i < cols; i++ {
				c := cell{
					region: len(g.regions), row: j, col: i,
					sides:   [4]int32{rg.hside(j, i), rg.vside(j, i+1), rg.hside(j+1, i), rg.vside(j, i)},
					corners: [4]int32{rg.node(j, i), rg.node(j, i+1), rg.node(j+1, i+1), rg.node(j+1, i)},
				}
				for q, n := range c.corners {
					c.corner[q] = g.lnodes[n].pos
				}
				g.cells = append(g.cells, c)
			}
		}
		g.regions = append(g.regions, rg)
		rowBase += rows
	}

	if g.riv != nil {
		south, north := &g.regions[0], &g.regions[1]
		for i, ok := range bridgeCol {
			if ok {
				g.bridges = append(g.bridges, [2]int32{south.node(south.rows, i), north.node(0, i)})
			}
		}
	}
}

// addSide measures a side, counts it at its junctions and appends it.
func (g *gen) addSide(s side) {
	s.length = g.measure(&s)
	if s.road {
		g.lnodes[s.a].roads++
		g.lnodes[s.b].roads++
	}
	g.sides = append(g.sides, s)
}

// Main-road node spacing rules.
const (
	// mergeM: local streets asking to join a main road closer than this to
	// one another share one junction instead of making a sliver edge.
	mergeM = 8.0
	// crossingM is the usual length of a crossing edge: about half a
	// carriageway plus the kerb.
	crossingM = 12.0
)

// sideParams turns a side's requests into the sorted parameters of its
// nodes: the two junctions, the requested joins (merged when close), the
// ends of the crossings at signalised junctions, and fill nodes so that no
// edge is longer than the main-road spacing allows. crossA and crossB tell
// whether the first and last edges are crossings.
func (g *gen) sideParams(s *side, r *rand.Rand) (params []float64, crossA, crossB bool) {
	l := s.length
	slices.Sort(s.req)
	crossA = g.lnodes[s.a].cross && l > 5*crossingM
	crossB = g.lnodes[s.b].cross && l > 5*crossingM
	keys := make([]float64, 0, len(s.req)+4)
	keys = append(keys, 0)
	if crossA {
		keys = append(keys, crossingM/l)
	}
	endGap := mergeM
	if crossB {
		endGap = crossingM + mergeM
	}
	for _, p := range s.req {
		if p*l < mergeM || (1-p)*l < endGap || (p-keys[len(keys)-1])*l < mergeM {
			continue // joins the neighbouring node
		}
		keys = append(keys, p)
	}
	if crossB {
		keys = append(keys, 1-crossingM/l)
	}
	keys = append(keys, 1)

	prof := densityProfile(s.dens)
	params = make([]float64, 0, len(keys)+int(l/prof.mainPiece[0])+2)
	for k := 0; k+1 < len(keys); k++ {
		k0, k1 := keys[k], keys[k+1]
		n := pieces((k1-k0)*l, between(r, prof.mainPiece))
		for m := 0; m < n; m++ {
			params = append(params, k0+(k1-k0)*float64(m)/float64(n))
		}
	}
	params = append(params, 1)
	return params, crossA, crossB
}

// nodeAt returns the side's node nearest to parameter p.
func (s *side) nodeAt(p float64) int32 {
	i, _ := slices.BinarySearch(s.params, p)
	if i == len(s.params) || (i > 0 && p-s.params[i-1] < s.params[i]-p) {
		i--
	}
	return s.nodes[i]
}

// maxEdgeM caps every generated edge but bridge spans: OSM ways in cities
// have a node at least every 80 m or so; 72 leaves room for curved sides,
// whose parameter is not quite proportional to arc length.
const maxEdgeM = 72.0

// pieces is the number of edges for a way of length l with edges about
// target long, never longer than maxEdgeM.
func pieces(l, target float64) int {
	return max(1, int(math.Round(l/target)), int(math.Ceil(l/maxEdgeM)))
}
