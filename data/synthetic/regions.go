package synthetic

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"

	care "github.com/carecircle/carecircle/planner"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// lattice finds neighbourhoods by their row and column on the main-road
// lattice.
type lattice struct {
	rows, cols int
	at         []int32 // row*cols + col → neighbourhood ID, -1 where none
}

func newLattice(nbs []Neighbourhood) lattice {
	var l lattice
	for _, n := range nbs {
		l.rows, l.cols = max(l.rows, n.Row+1), max(l.cols, n.Col+1)
	}
	l.at = make([]int32, l.rows*l.cols)
	for i := range l.at {
		l.at[i] = -1
	}
	for _, n := range nbs {
		l.at[n.Row*l.cols+n.Col] = n.ID
	}
	return l
}

// get returns the neighbourhood at row r, column c, or -1.
func (l lattice) get(r, c int) int32 {
	if r < 0 || c < 0 || r >= l.rows || c >= l.cols {
		return -1
	}
	return l.at[r*l.cols+c]
}

// neighbours returns the lattice neighbours of neighbourhood id on its own
// bank, south, west, east and north: the ones it shares a main road with.
func (b *demoBuild) neighbours(id int32) []int32 {
	nb := &b.net.Neighbourhoods[id]
	var out []int32
	for _, d := range [4][2]int{{-1, 0}, {0, -1}, {0, 1}, {1, 0}} {
		if o := b.lat.get(nb.Row+d[0], nb.Col+d[1]); o >= 0 && b.net.Neighbourhoods[o].Bank == nb.Bank {
			out = append(out, o)
		}
	}
	return out
}

// unionFind groups neighbourhoods into blocks.
type unionFind []int32

func newUnionFind(n int) unionFind {
	u := make(unionFind, n)
	for i := range u {
		u[i] = int32(i)
	}
	return u
}

func (u unionFind) find(x int32) int32 {
	for u[x] != x {
		u[x] = u[u[x]]
		x = u[x]
	}
	return x
}

// union joins the groups of x and y; the smaller root stays the root, so
// that the result does not depend on the order of unions.
func (u unionFind) union(x, y int32) {
	rx, ry := u.find(x), u.find(y)
	if rx > ry {
		rx, ry = ry, rx
	}
	u[ry] = rx
}

// block is a set of neighbourhoods that streets are built from and that
// becomes one or more communities: an urban neighbourhood with any parks
// next to it, or a village of a few rural neighbourhoods. Blocks are never
// divided between streets.
type block struct {
	nbs      []int32 // every neighbourhood, by ID
	homes    []int32 // those people live in: all but the parks
	parks    []int32
	village  bool    // rural neighbourhoods: one 村, never split
	weight   float64 // raw residents; see residentWeight
	k        int     // communities it becomes
	row, col float64 // mean lattice position
	bank     Bank
	comms    []int // its communities, indexes in demoBuild.communities
}

// formBlocks merges neighbourhoods into blocks. A village (村) is the rural
// neighbourhoods of a 2×2 square of the lattice that touch each other on
// one bank: a rural neighbourhood is some 0.4 km², a village in Chongqing's
// hills a few km². A park has no residents, so it joins a neighbour on its
// bank, as a city park lies within some community.
func (b *demoBuild) formBlocks(context.Context) error {
	nbs := b.net.Neighbourhoods
	uf := newUnionFind(len(nbs))
	for i := range nbs {
		nb := &nbs[i]
		if nb.Density != Rural {
			continue
		}
		for _, o := range b.neighbours(nb.ID) {
			on := &nbs[o]
			if on.Density == Rural && on.Row/2 == nb.Row/2 && on.Col/2 == nb.Col/2 {
				uf.union(nb.ID, o)
			}
		}
	}

	// Parks join a neighbour people live in, or a park that already has;
	// a cluster of parks joins through its edge. A park with no such
	// neighbour on its bank stays a block of its own, with no residents.
	r := newStream(b.seed, streamParks, 0)
	joined := make([]bool, len(nbs))
	var pending []int32
	for i := range nbs {
		if nbs[i].Layout == LayoutPark {
			pending = append(pending, int32(i))
		} else {
			joined[i] = true
		}
	}
	for progress := true; progress && len(pending) > 0; {
		progress = false
		rest := pending[:0]
		for _, p := range pending {
			var cand []int32
			for _, o := range b.neighbours(p) {
				if joined[o] {
					cand = append(cand, o)
				}
			}
			if len(cand) == 0 {
				rest = append(rest, p)
				continue
			}
			uf.union(p, cand[r.IntN(len(cand))])
			joined[p], progress = true, true
		}
		pending = rest
	}

	index := map[int32]int{}
	for i := range nbs {
		root := uf.find(int32(i))
		bi, ok := index[root]
		if !ok {
			bi = len(b.blocks)
			index[root] = bi
			b.blocks = append(b.blocks, block{bank: nbs[i].Bank})
		}
		bl := &b.blocks[bi]
		bl.nbs = append(bl.nbs, int32(i))
		if nbs[i].Layout == LayoutPark {
			bl.parks = append(bl.parks, int32(i))
		} else {
			bl.homes = append(bl.homes, int32(i))
		}
	}
	for i := range b.blocks {
		bl := &b.blocks[i]
		bl.village = len(bl.homes) > 0
		for _, h := range bl.homes {
			bl.village = bl.village && nbs[h].Density == Rural
			bl.weight += residentWeight(&nbs[h])
		}
		for _, n := range bl.nbs {
			bl.row += float64(nbs[n].Row) / float64(len(bl.nbs))
			bl.col += float64(nbs[n].Col) / float64(len(bl.nbs))
		}
	}
	return nil
}

// maxSplit is the most communities one neighbourhood is cut into.
const maxSplit = 6

// splitCounts sets how many communities each block becomes so that the
// city has about d.Communities: a village or a park stays one; an urban
// neighbourhood with W raw residents becomes round(W/T) communities, at
// least one and at most maxSplit, with the size T found by bisection.
// The district preset needs few cuts (its 77 neighbourhoods of 7,500
// people are much like 渝中区's 79 communities); the city, whose
// communities hold 2,000 people on average, cuts its dense cores into up
// to six.
func (b *demoBuild) splitCounts() {
	count := func(t float64) int {
		n := 0
		for i := range b.blocks {
			n += b.blocks[i].splitCount(t)
		}
		return n
	}
	lo, hi := 1.0, 1.0
	for i := range b.blocks {
		hi = max(hi, 2*b.blocks[i].weight)
	}
	for range 60 { // count falls as t grows: find the smallest t with count ≤ target
		mid := (lo + hi) / 2
		if count(mid) > b.d.Communities {
			lo = mid
		} else {
			hi = mid
		}
	}
	for i := range b.blocks {
		b.blocks[i].k = b.blocks[i].splitCount(hi)
	}
}

func (bl *block) splitCount(t float64) int {
	if bl.village || len(bl.homes) == 0 {
		return 1
	}
	return int(math.Max(1, math.Min(maxSplit, math.Round(bl.weight/t))))
}

// community is a community (社区) or village (村) being built.
type community struct {
	parts    []orb.Polygon // what its boundary is dissolved from
	homes    []int32       // graph nodes of its local streets, where people live, by ID
	weight   float64       // raw residents
	village  bool
	urbanity float64 // the density field of its neighbourhoods, area-weighted
	boundary orb.Geometry
	centroid orb.Point

	old    bool // an old residential area (老旧小区)
	pop    care.Population
	street int
	code   string
	name   string
	stem   string // name without 社区/村, for its facilities' names
}

// formCommunities turns blocks into communities, cutting the neighbourhood
// of a block that becomes k > 1 communities into k parts of about equal
// numbers of street nodes.
func (b *demoBuild) formCommunities(ctx context.Context) error {
	b.splitCounts()
	nodesOf := b.nodesByNeighbourhood()
	nbs := b.net.Neighbourhoods
	for bi := range b.blocks {
		if bi%256 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		bl := &b.blocks[bi]
		if bl.k == 1 {
			c := community{village: bl.village, weight: bl.weight}
			var area float64
			for _, n := range bl.nbs {
				c.parts = append(c.parts, nbs[n].Polygon)
			}
			for _, h := range bl.homes {
				c.homes = append(c.homes, nodesOf(h)...)
				c.urbanity += nbs[h].Urbanity * nbs[h].AreaM2
				area += nbs[h].AreaM2
			}
			if area > 0 {
				c.urbanity /= area
			}
			slices.Sort(c.homes)
			b.finishCommunity(&c, false)
			bl.comms = append(bl.comms, len(b.communities))
			b.communities = append(b.communities, c)
			continue
		}
		host := bl.homes[0] // an urban block has one neighbourhood people live in
		all := nodesOf(host)
		parts := b.cut(nbs[host].Polygon[0], all, bl.k)
		first := len(b.communities)
		for _, p := range parts {
			c := community{parts: []orb.Polygon{{p.ring}}, homes: p.nodes, weight: bl.weight, urbanity: nbs[host].Urbanity}
			if len(parts) > 1 {
				c.weight *= float64(len(p.nodes)) / float64(len(all))
			}
			bl.comms = append(bl.comms, len(b.communities))
			b.communities = append(b.communities, c)
		}
		// A park joins the part nearest to it.
		for _, pk := range bl.parks {
			at := b.net.frame.metres(nbs[pk].Centroid)
			best, bestD := first, math.Inf(1)
			for ci := first; ci < len(b.communities); ci++ {
				c, _ := planar.CentroidArea(b.communities[ci].parts[0])
				if d := b.net.frame.metres(c).dist(at); d < bestD {
					best, bestD = ci, d
				}
			}
			b.communities[best].parts = append(b.communities[best].parts, nbs[pk].Polygon)
		}
		for ci := first; ci < len(b.communities); ci++ {
			b.finishCommunity(&b.communities[ci], true)
		}
	}
	return nil
}

// finishCommunity dissolves c's parts into its boundary. Parts cut from a
// neighbourhood may end a cut line on the side they share with a park, so
// their T-junctions are resolved first.
func (b *demoBuild) finishCommunity(c *community, cut bool) {
	c.boundary = dissolve(c.parts, cut && len(c.parts) > 1)
	c.centroid, _ = planar.CentroidArea(c.boundary)
}

// nodesByNeighbourhood returns a function giving the graph nodes of each
// neighbourhood's local streets, by node ID.
func (b *demoBuild) nodesByNeighbourhood() func(nb int32) []int32 {
	off := make([]int32, len(b.net.Neighbourhoods)+1)
	for _, nb := range b.net.NodeNeighbourhood {
		if nb >= 0 {
			off[nb+1]++
		}
	}
	for i := 1; i < len(off); i++ {
		off[i] += off[i-1]
	}
	nodes := make([]int32, off[len(off)-1])
	fill := slices.Clone(off[:len(off)-1])
	for n, nb := range b.net.NodeNeighbourhood {
		if nb >= 0 {
			nodes[fill[nb]] = int32(n)
			fill[nb]++
		}
	}
	return func(nb int32) []int32 { return nodes[off[nb]:off[nb+1]:off[nb+1]] }
}

// part is a piece of a cut neighbourhood.
type part struct {
	ring  orb.Ring
	nodes []int32
}

// minPartNodes is the fewest street nodes a cut may leave on either side;
// fewer would make a community of a few houses.
const minPartNodes = 12

// cut divides a neighbourhood outline and its street nodes into k parts by
// straight cuts, halving recursively: each cut runs across the long axis of
// the nodes it divides, at the node quantile that leaves ⌊k/2⌋ shares on one
// side, so that parts are compact and hold about equal numbers of nodes,
// and thus of people. When a cut line would cross the outline more than
// twice (a strongly bent neighbourhood) the short axis is tried, and
// failing that the part stays whole.
func (b *demoBuild) cut(ring orb.Ring, nodes []int32, k int) []part {
	if k <= 1 || len(nodes) < 2*minPartNodes {
		return []part{{ring, nodes}}
	}
	pts := b.net.Graph.Points
	xy := make([]pt, len(nodes))
	var mean pt
	for i, n := range nodes {
		xy[i] = b.net.frame.metres(pts[n])
		mean = mean.add(xy[i].scale(1 / float64(len(nodes))))
	}
	var sxx, syy, sxy float64
	for _, q := range xy {
		d := q.sub(mean)
		sxx, syy, sxy = sxx+d.x*d.x, syy+d.y*d.y, sxy+d.x*d.y
	}
	theta := 0.5 * math.Atan2(2*sxy, sxx-syy) // the long axis
	k1 := k / 2
	for _, axis := range []float64{theta, theta + math.Pi/2} {
		dir := pt{math.Cos(axis), math.Sin(axis)}
		proj := make([]float64, len(xy))
		for i, q := range xy {
			d := q.sub(mean)
			proj[i] = d.x*dir.x + d.y*dir.y
		}
		sorted := slices.Clone(proj)
		slices.Sort(sorted)
		m := int(math.Round(float64(len(sorted)) * float64(k1) / float64(k)))
		m = max(minPartNodes, min(len(sorted)-minPartNodes, m))
		at := (sorted[m-1] + sorted[m]) / 2
		side := func(p orb.Point) float64 {
			d := b.net.frame.metres(p).sub(mean)
			return d.x*dir.x + d.y*dir.y - at
		}
		neg, pos, ok := cutRing(ring, side)
		if !ok {
			continue
		}
		var nn, pn []int32
		for i, n := range nodes {
			if proj[i]-at < 0 {
				nn = append(nn, n)
			} else {
				pn = append(pn, n)
			}
		}
		if len(nn) < minPartNodes || len(pn) < minPartNodes {
			continue
		}
		return append(b.cut(neg, nn, k1), b.cut(pos, pn, k-k1)...)
	}
	return []part{{ring, nodes}}
}

// street is a street (街道) or town (镇) being built.
type street struct {
	district int
	blocks   []int
	comms    []int
	town     bool
	name     string
}

// district is a district (区) being built.
type district struct {
	streets []int
	name    string
}

// formHierarchy groups blocks into streets and streets into districts, and
// puts the communities in region order: by district, street, then their
// place on the lattice. Both levels divide the lattice by recursive
// bisection, weighted by communities: a set of blocks is cut across its
// longer lattice extent where the community counts on the two sides are in
// the ratio of the units each side is to become. Each part is a staircase
// of lattice cells, so it is in one piece and compact. A street never
// straddles the river; with more than one district, a district does not
// either.
func (b *demoBuild) formHierarchy(context.Context) error {
	byBank := func(items []int) [][]int {
		var out [][]int
		for _, bank := range []Bank{NoRiver, SouthBank, NorthBank} {
			var on []int
			for _, i := range items {
				if b.blocks[i].bank == bank {
					on = append(on, i)
				}
			}
			if len(on) > 0 {
				out = append(out, on)
			}
		}
		return out
	}
	all := make([]int, len(b.blocks))
	for i := range all {
		all[i] = i
	}
	// apportion divides n units between the banks of items in proportion
	// to their communities.
	apportion := func(items []int, n int) ([][]int, []int) {
		banks := byBank(items)
		w := make([]float64, len(banks))
		for k, on := range banks {
			w[k] = b.blockWeight(on)
		}
		return banks, largestRemainder(max(n, len(banks)), w)
	}
	adj := b.blockNeighbours()
	var groups [][]int
	if b.d.Districts == 1 {
		groups = [][]int{all}
	} else {
		banks, n := apportion(all, b.d.Districts)
		for k, on := range banks {
			b.bisect(on, n[k], func(g []int) { groups = append(groups, g) })
		}
		groups = b.makeContiguous(groups, adj)
	}
	if len(groups) > maxDistricts {
		return fmt.Errorf("synthetic: %d districts do not fit codes 500101..500199", len(groups))
	}
	var order []int
	for di, g := range groups {
		b.districts = append(b.districts, district{})
		banks, n := apportion(g, int(math.Round(b.blockWeight(g)/b.d.CommunitiesPerStreet)))
		var sgs [][]int
		for k, on := range banks {
			b.bisect(on, n[k], func(sg []int) { sgs = append(sgs, sg) })
		}
		for _, sg := range b.makeContiguous(sgs, adj) {
			slices.SortFunc(sg, func(x, y int) int {
				bx, by := &b.blocks[x], &b.blocks[y]
				return cmp.Or(cmp.Compare(bx.row, by.row), cmp.Compare(bx.col, by.col), cmp.Compare(x, y))
			})
			si := len(b.streets)
			s := street{district: di, blocks: sg}
			for _, bi := range sg {
				for _, ci := range b.blocks[bi].comms {
					s.comms = append(s.comms, len(order))
					order = append(order, ci)
				}
			}
			b.streets = append(b.streets, s)
			b.districts[di].streets = append(b.districts[di].streets, si)
		}
	}
	comms := make([]community, len(order))
	moved := make([]int, len(order))
	for to, from := range order {
		comms[to] = b.communities[from]
		moved[from] = to
	}
	b.communities = comms
	for bi := range b.blocks {
		for k, ci := range b.blocks[bi].comms {
			b.blocks[bi].comms[k] = moved[ci]
		}
	}
	for si := range b.streets {
		for _, ci := range b.streets[si].comms {
			b.communities[ci].street = si
		}
	}
	return nil
}

// blockNeighbours lists, for each block, the blocks it shares a main road
// with on its bank, in increasing order.
func (b *demoBuild) blockNeighbours() [][]int {
	of := make([]int, len(b.net.Neighbourhoods))
	for bi := range b.blocks {
		for _, n := range b.blocks[bi].nbs {
			of[n] = bi
		}
	}
	adj := make([][]int, len(b.blocks))
	for bi := range b.blocks {
		for _, n := range b.blocks[bi].nbs {
			for _, o := range b.neighbours(n) {
				if ob := of[o]; ob != bi && !slices.Contains(adj[bi], ob) {
					adj[bi] = append(adj[bi], ob)
				}
			}
		}
		slices.Sort(adj[bi])
	}
	return adj
}

// makeContiguous repairs groups of blocks that bisection left in pieces:
// a staircase cut is in one piece on a full lattice, but blocks of several
// cells (villages, parks) sit at their mean position and can fall on the
// wrong side. Every piece of a group but its largest moves to the group it
// borders most among groups, so the repaired groups are in one piece
// whenever their union is. Groups keep their order and their blocks'
// order.
func (b *demoBuild) makeContiguous(groups [][]int, adj [][]int) [][]int {
	owner := map[int]int{}
	for gi, g := range groups {
		for _, bi := range g {
			owner[bi] = gi
		}
	}
	for changed, pass := true, 0; changed && pass < 10; pass++ {
		changed = false
		for gi, g := range groups {
			pieces := b.pieces(g, adj, owner, gi)
			if len(pieces) < 2 {
				continue
			}
			main := 0
			for k, p := range pieces {
				if b.blockWeight(p) > b.blockWeight(pieces[main]) {
					main = k
				}
			}
			for k, p := range pieces {
				if k == main {
					continue
				}
				border := map[int]int{}
				for _, bi := range p {
					for _, o := range adj[bi] {
						if og, ok := owner[o]; ok && og != gi {
							border[og]++
						}
					}
				}
				to, most := -1, 0
				for og, n := range border {
					if n > most || n == most && og < to {
						to, most = og, n
					}
				}
				if to < 0 {
					continue // an island: nothing to join
				}
				for _, bi := range p {
					owner[bi] = to
				}
				changed = true
			}
		}
		if changed {
			next := make([][]int, len(groups))
			for _, g := range groups {
				for _, bi := range g {
					next[owner[bi]] = append(next[owner[bi]], bi)
				}
			}
			groups = next
		}
	}
	return slices.DeleteFunc(groups, func(g []int) bool { return len(g) == 0 })
}

// pieces returns the connected parts of group gi (blocks g), in the order
// of their first block in g.
func (b *demoBuild) pieces(g []int, adj [][]int, owner map[int]int, gi int) [][]int {
	seen := map[int]bool{}
	var out [][]int
	for _, start := range g {
		if seen[start] {
			continue
		}
		seen[start] = true
		piece := []int{start}
		for k := 0; k < len(piece); k++ {
			for _, o := range adj[piece[k]] {
				if og, ok := owner[o]; ok && og == gi && !seen[o] {
					seen[o] = true
					piece = append(piece, o)
				}
			}
		}
		out = append(out, piece)
	}
	return out
}

// largestRemainder divides n ≥ len(w) units in proportion to the weights
// w, at least one each, by the largest-remainder method.
func largestRemainder(n int, w []float64) []int {
	out := make([]int, len(w))
	var total float64
	for _, x := range w {
		total += x
	}
	spare := n - len(w) // one each first
	left := spare
	rem := make([]float64, len(w))
	for k, x := range w {
		share := 0.0
		if total > 0 {
			share = float64(spare) * x / total
		}
		out[k] = 1 + int(share)
		rem[k] = share - math.Floor(share)
		left -= int(share)
	}
	for ; left > 0; left-- {
		best := 0
		for k := range rem {
			if rem[k] > rem[best] {
				best = k
			}
		}
		out[best]++
		rem[best] = -1
	}
	return out
}

// blockWeight is the number of communities the blocks become.
func (b *demoBuild) blockWeight(items []int) float64 {
	var w float64
	for _, i := range items {
		w += float64(b.blocks[i].k)
	}
	return w
}

// bisect divides blocks into k groups by recursive bisection (see
// formHierarchy) and calls emit with each, in lattice order.
func (b *demoBuild) bisect(items []int, k int, emit func([]int)) {
	if k <= 1 || len(items) <= 1 {
		emit(items)
		return
	}
	rlo, rhi, clo, chi := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, i := range items {
		bl := &b.blocks[i]
		rlo, rhi, clo, chi = min(rlo, bl.row), max(rhi, bl.row), min(clo, bl.col), max(chi, bl.col)
	}
	byRow := rhi-rlo > chi-clo
	slices.SortFunc(items, func(x, y int) int {
		bx, by := &b.blocks[x], &b.blocks[y]
		p, q := cmp.Compare(bx.col, by.col), cmp.Compare(bx.row, by.row)
		if byRow {
			p, q = q, p
		}
		return cmp.Or(p, q, cmp.Compare(x, y))
	})
	k1 := k / 2
	goal := b.blockWeight(items) * float64(k1) / float64(k)
	m, best, cum := 1, math.Inf(1), 0.0
	for i := 0; i+1 < len(items); i++ {
		cum += float64(b.blocks[items[i]].k)
		if d := math.Abs(cum - goal); d < best {
			m, best = i+1, d
		}
	}
	left, right := items[:m], items[m:]
	b.bisect(left, min(k1, len(left)), emit)
	b.bisect(right, min(k-k1, len(right)), emit)
}

// makeRegions names and codes the districts, streets and communities and
// lists them as planner regions, parents first.
//
// Codes follow the 统计用区划代码: a district is 5001xx (Chongqing's
// districts use 500101..500156, so the demo counts down from 500199 and
// stays clear of them); a street adds three digits, 001.. for a 街道 and
// 101.. for a 镇; a community three more, 001.. for a 社区 (居委会) and
// 201.. for a 村 (村委会).
func (b *demoBuild) makeRegions(context.Context) error {
	nm := newNamer(newStream(b.seed, streamNames, 0))
	nbs := b.net.Neighbourhoods
	nd, ns := len(b.districts), len(b.streets)
	b.regions = make([]care.Region, nd+ns+len(b.communities))
	polygons := func(blocks []int) []orb.Polygon {
		var ps []orb.Polygon
		for _, bi := range blocks {
			for _, n := range b.blocks[bi].nbs {
				ps = append(ps, nbs[n].Polygon)
			}
		}
		return ps
	}
	for di := range b.districts {
		code := fmt.Sprintf("5001%02d", maxDistricts-di)
		name := nm.stem() + "区"
		if nd == 1 {
			name = b.d.Label
		}
		var blocks []int
		streets, towns := 0, 0
		for _, si := range b.districts[di].streets {
			s := &b.streets[si]
			blocks = append(blocks, s.blocks...)
			var res, rural float64
			for _, ci := range s.comms {
				res += b.communities[ci].pop.Residents
				if b.communities[ci].village {
					rural += b.communities[ci].pop.Residents
				}
			}
			s.town = rural > res/2 || (res == 0 && b.communities[s.comms[0]].village)
			kind, num := "街道", &streets
			if s.town {
				kind, num = "镇", &towns
			}
			*num++
			if streets > 99 || towns > 899 {
				return fmt.Errorf("synthetic: district %s has more than 99 streets or 899 towns: the codes have three digits", code)
			}
			scode := fmt.Sprintf("%s%03d", code, *num+100*btoi(s.town))
			s.name = nm.stem() + kind
			b.regions[nd+si] = care.Region{Code: scode, Name: s.name, Level: care.LevelStreet, Parent: code,
				Boundary: dissolve(polygons(s.blocks), false)}
			urban, village := 0, 0
			for _, ci := range s.comms {
				c := &b.communities[ci]
				kind, num := "社区", &urban
				if c.village {
					kind, num = "村", &village
				}
				*num++
				if urban > 199 || village > 799 {
					return fmt.Errorf("synthetic: street %s has more than 199 communities or 799 villages: the codes have three digits", scode)
				}
				c.stem = nm.stem()
				c.code, c.name = fmt.Sprintf("%s%03d", scode, *num+200*btoi(c.village)), c.stem+kind
			}
		}
		b.districts[di].name = name
		b.regions[di] = care.Region{Code: code, Name: name, Level: care.LevelDistrict, Boundary: dissolve(polygons(blocks), false)}
	}
	for ci := range b.communities {
		c := &b.communities[ci]
		r := &b.regions[nd+ns+ci]
		*r = care.Region{Code: c.code, Name: c.name, Level: care.LevelCommunity, Parent: b.regions[nd+c.street].Code,
			Boundary: c.boundary, AreaType: care.Urban, Age: care.NewResidential, Population: c.pop}
		if c.village {
			r.AreaType = care.Rural
		}
		if c.old {
			r.Age = care.OldResidential
		}
	}
	// Streets and districts carry the sums of their communities, and the
	// area type and residential age of most of their residents.
	for si := range b.streets {
		var comms []int
		comms = append(comms, b.streets[si].comms...)
		b.aggregate(&b.regions[nd+si], comms)
	}
	for di := range b.districts {
		var comms []int
		for _, si := range b.districts[di].streets {
			comms = append(comms, b.streets[si].comms...)
		}
		b.aggregate(&b.regions[di], comms)
	}
	return nil
}

// aggregate sets r's population to the sum of comms and its area type and
// age to those of the majority of their residents.
func (b *demoBuild) aggregate(r *care.Region, comms []int) {
	var rural, old float64
	r.Population = care.Population{}
	for _, ci := range comms {
		c := &b.communities[ci]
		r.Population = r.Population.Add(c.pop)
		if c.village {
			rural += c.pop.Residents
		}
		if c.old {
			old += c.pop.Residents
		}
	}
	r.AreaType, r.Age = care.Urban, care.NewResidential
	if rural > r.Residents/2 {
		r.AreaType = care.Rural
	}
	if old >= r.Residents/2 {
		r.Age = care.OldResidential
	}
}

func btoi(v bool) int {
	if v {
		return 1
	}
	return 0
}
