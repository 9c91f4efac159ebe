package osm

import (
	"cmp"
	"context"
	"math"
	"slices"

	"github.com/carecircle/carecircle/geo"
	"github.com/paulmach/orb"
	"github.com/paulmach/osm"
	"github.com/tidwall/rtree"
)

// Pedestrian areas (squares, plazas, station forecourts) are mapped as
// polygons, not as lines: a closed way, or a multipolygon relation of
// member ways with holes. People walk along their edges and straight
// across them. The graph gets both:
//
//   - outline edges: every side of every ring, outer and inner;
//   - edges across (geo.EdgeAcross): a straight edge between every two
//     portals of the area that see each other inside it (the segment
//     leaves neither the outer ring nor enters a hole). Portals are the
//     entrances (ring nodes that another walkable way or area also uses,
//     and the ends of walkable ways that stop inside the area) and the
//     corners a straight walk bends round (reflex corners of the outline,
//     convex corners of holes); at a corner only edges tangent there are
//     kept, which loses no shortest walk between entrances.
//
// An area that shares no node with any walkway is joined by one straight
// step to the nearest walkway node within maxJoinGap. Every edge is
// measured with Haversine between its ends like any other, so no walk
// across a square is shorter than the straight line.

// WalkableArea reports whether a closed way or a multipolygon relation
// with these tags is a walkable area: highway=pedestrian or
// highway=footway with area=yes (on a relation, type=multipolygon stands
// for area=yes), or area:highway=pedestrian or area:highway=footway. The
// access rules of Walkable apply: not with foot=no, nor with access=private,
// access=no or service=private unless foot is yes, designated or
// permissive. isRelation says the tags are a relation's.
func WalkableArea(tags osm.Tags, isRelation bool) bool {
	t := gatherWalkTags(tags)
	var areaHighway, typ string
	for _, tag := range tags {
		switch tag.Key {
		case "area:highway":
			areaHighway = tag.Value
		case "type":
			typ = tag.Value
		}
	}
	if isRelation && typ != "multipolygon" {
		return false
	}
	pedestrian := func(v string) bool { return v == "pedestrian" || v == "footway" }
	isArea := t.area == "yes" || isRelation
	if !(pedestrian(areaHighway) || pedestrian(t.highway) && isArea) {
		return false
	}
	footAllowed := t.foot == "yes" || t.foot == "designated" || t.foot == "permissive"
	if t.foot == "no" || !footAllowed && (t.access == "private" || t.access == "no" || t.service == "private") {
		return false
	}
	return true
}

// Limits on hostile or freak input: beyond them an area is walked along
// its outline only (maxAreaMembers, maxAreaNodes), or crossed between
// entrances only (maxCrossingWork: portal pairs times ring sides); once
// an extract's areas have cost maxFileCrossingWork, the rest are walked
// along their outlines only.
const (
	maxAreaMembers      = 10_000
	maxAreaNodes        = 100_000
	maxCrossingWork     = 50_000_000
	maxFileCrossingWork = 2_000_000_000
)

// areaRelation is a multipolygon relation kept for its walkable area: the
// ids of its member ways by role.
type areaRelation struct {
	outer, inner []int64
}

// addRelation keeps r if it is a walkable area.
func (c *collector) addRelation(r *osm.Relation) {
	if !WalkableArea(r.Tags, true) {
		return
	}
	var ar areaRelation
	for _, m := range r.Members {
		if m.Type != osm.TypeWay {
			continue
		}
		switch m.Role {
		case "inner":
			ar.inner = append(ar.inner, m.Ref)
		default: // "outer", or "" which old multipolygons use for outer
			ar.outer = append(ar.outer, m.Ref)
		}
	}
	c.relations = append(c.relations, ar)
}

// area is one walkable area as rings of node ids, closed (first id
// repeated last); rings[0:outers] are outer rings, the rest holes. An
// area cut by the extract's edge, or whose member ways do not close, has
// no rings but the member ways it has, in lines: it is walked along them
// only.
type area struct {
	rings  [][]int64
	outers int
	lines  [][]int64
}

// areas returns the walkable areas: the closed area ways, and the
// multipolygon relations, joined into closed rings when their member ways
// allow.
func (c *collector) areas() []area {
	var out []area
	for i := range c.areaWays.len() {
		out = append(out, area{rings: [][]int64{c.areaWays.way(i)}, outers: 1})
	}
	if len(c.relations) == 0 {
		return out
	}
	byID := make(map[int64][]int64, c.loose.len()+c.areaWays.len()+c.buildings.len())
	for i := range c.buildings.len() {
		byID[c.buildingProps[i].ID] = c.buildings.way(i)
	}
	for i := range c.loose.len() {
		byID[c.looseIDs[i]] = c.loose.way(i)
	}
	for i := range c.areaWays.len() {
		byID[c.areaWayIDs[i]] = c.areaWays.way(i)
	}
	for i := range c.walk.len() {
		byID[c.walkIDs[i]] = c.walk.way(i)
	}
	for _, r := range c.relations {
		if len(r.outer)+len(r.inner) <= maxAreaMembers {
			outer, ok1 := joinRings(r.outer, byID)
			inner, ok2 := joinRings(r.inner, byID)
			if ok1 && ok2 && len(outer) > 0 {
				out = append(out, area{rings: append(outer, inner...), outers: len(outer)})
				continue
			}
		}
		var a area
		for _, id := range append(r.outer, r.inner...) {
			if refs, ok := byID[id]; ok {
				a.lines = append(a.lines, refs)
			}
		}
		if len(a.lines) > 0 {
			out = append(out, a)
		}
	}
	return out
}

// joinRings joins member ways end to end into closed rings. It fails when
// a way is missing or the ways leave a ring open.
func joinRings(ids []int64, byID map[int64][]int64) ([][]int64, bool) {
	parts := make([][]int64, 0, len(ids))
	for _, id := range ids {
		refs, ok := byID[id]
		if !ok || len(refs) < 2 {
			return nil, false
		}
		parts = append(parts, refs)
	}
	// The parts ending at each node, so joining takes linear time.
	ends := make(map[int64][]int, 2*len(parts))
	for j, p := range parts {
		ends[p[0]] = append(ends[p[0]], j)
		ends[p[len(p)-1]] = append(ends[p[len(p)-1]], j)
	}
	used := make([]bool, len(parts))
	var rings [][]int64
	for start := range parts {
		if used[start] {
			continue
		}
		used[start] = true
		ring := append([]int64(nil), parts[start]...)
		for ring[0] != ring[len(ring)-1] {
			end, grown := ring[len(ring)-1], false
			for _, j := range ends[end] {
				if used[j] {
					continue
				}
				p := parts[j]
				if p[0] == end {
					ring = append(ring, p[1:]...)
				} else {
					for k := len(p) - 2; k >= 0; k-- {
						ring = append(ring, p[k])
					}
				}
				used[j], grown = true, true
				break
			}
			if !grown || len(ring) > maxAreaNodes {
				return nil, false
			}
		}
		if len(ring) < 4 {
			return nil, false
		}
		rings = append(rings, ring)
	}
	return rings, true
}

// addAreas adds the outline and crossing edges of every walkable area to
// b, which already holds the walkable ways: a node b knows before any area
// is added is on a walkable way. It stops with ctx.Err() when ctx is
// cancelled.
func (c *collector) addAreas(ctx context.Context, b *geo.GraphBuilder) error {
	all := c.areas()
	if len(all) == 0 {
		return nil
	}
	type placed struct {
		area
		pts   [][]orb.Point  // per ring
		xy    [][][2]float64 // the same in plane metres
		plane geo.LocalPlane
		bound orb.Bound
	}
	var areas []placed
	uses := map[int64]int{} // areas whose rings hold a node
	for _, a := range all {
		if a.lines != nil {
			c.outline(b, a.lines)
			continue
		}
		pa, ok := placed{area: a}, true
		n := 0
		for _, ring := range a.rings {
			n += len(ring)
			pts := make([]orb.Point, len(ring))
			for j, id := range ring {
				p, found := c.location(id)
				if !found {
					ok = false
					break
				}
				pts[j] = p
			}
			if !ok || n > maxAreaNodes {
				ok = false
				break
			}
			pa.pts = append(pa.pts, pts)
		}
		if !ok {
			c.outline(b, a.rings)
			continue
		}
		pa.bound = orb.MultiPoint(pa.pts[0]).Bound()
		pa.plane = geo.NewLocalPlane(pa.bound.Center()[1])
		pa.xy = make([][][2]float64, len(pa.pts))
		for r, ring := range pa.pts {
			pa.xy[r] = make([][2]float64, len(ring))
			for j, q := range ring {
				pa.xy[r][j] = pa.plane.Project(q)
			}
		}
		areas = append(areas, pa)
		for _, ring := range a.rings {
			for _, id := range ring[:len(ring)-1] {
				uses[id]++
			}
		}
	}

	// Entrances: ring nodes on a walkable way or on another area, and the
	// ends of walkable ways inside an area.
	entrances := make([]map[int64]orb.Point, len(areas))
	var tree rtree.RTreeG[int]
	for i, a := range areas {
		entrances[i] = map[int64]orb.Point{}
		for r, ring := range a.rings {
			for j, id := range ring[:len(ring)-1] {
				if _, onWay := b.Lookup(id); onWay || uses[id] > 1 {
					entrances[i][id] = a.pts[r][j]
				}
			}
		}
		tree.Insert(a.bound.Min, a.bound.Max, i)
	}
	for w := range c.walk.len() {
		refs := c.walk.way(w)
		for _, id := range []int64{refs[0], refs[len(refs)-1]} {
			p, ok := c.location(id)
			if !ok {
				continue
			}
			tree.Search(p, p, func(_, _ [2]float64, i int) bool {
				a := &areas[i]
				if _, on := entrances[i][id]; !on && insideRings(a.xy, a.outers, a.plane.Project(p)) {
					entrances[i][id] = p
				}
				return true
			})
		}
	}

	budget := maxFileCrossingWork
	// Walkway nodes near the areas that share none, to join them by a step.
	var lonely []orb.Bound
	for i, a := range areas {
		if len(entrances[i]) == 0 {
			lonely = append(lonely, padBound(a.bound, maxJoinGap))
		}
	}
	near := c.walkNodesNear(lonely)
	for i, a := range areas {
		if i%64 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		c.stats.WalkableAreas++
		if len(entrances[i]) == 0 {
			if id, p, ok := joinToWalkway(b, a.rings, a.pts, near); ok {
				entrances[i][id] = p
				c.stats.StepAreas++
			} else {
				c.stats.UnjoinedAreas++
			}
		}
		for r, ring := range a.rings {
			prev := int32(-1)
			for j, id := range ring {
				u := b.Node(id, a.pts[r][j])
				if prev >= 0 {
					b.Edge(prev, u, geo.EdgeOther)
				}
				prev = u
			}
		}
		// Corners a straight walk bends round: the reflex corners of the
		// outline and the convex corners of holes. Shortest walks across
		// run between entrances and these corners only.
		var portals []portal
		for id, p := range entrances[i] {
			portals = append(portals, portal{id: id, p: p, q: a.plane.Project(p)})
		}
		withCorners := portals
		for r, ring := range a.xy {
			n := len(ring) - 1
			for _, j := range bends(ring, r >= a.outers) {
				id := a.rings[r][j]
				if _, in := entrances[i][id]; in {
					continue
				}
				withCorners = append(withCorners, portal{id: id, p: a.pts[r][j], q: ring[j],
					corner: true, prev: ring[(j+n-1)%n], next: ring[j+1]})
			}
		}
		added := crossings(b, a.xy, a.outers, withCorners, &budget)
		if added < 0 { // too many corners: entrances only
			added = max(0, crossings(b, a.xy, a.outers, portals, &budget))
		}
		c.stats.AreaEdges += added
	}
	return nil
}

// maxJoinGap is the widest gap, in metres, between a pedestrian area that
// shares no node with any walkway and the walkway node it is joined to: a
// square mapped beside its street rather than joined to it.
const maxJoinGap = 25.0

// padBound grows a lon/lat box by about metres on every side.
func padBound(b orb.Bound, metres float64) orb.Bound {
	dLat := metres / (geo.EarthRadius * math.Pi / 180)
	dLon := dLat / math.Max(0.01, math.Cos(math.Max(math.Abs(b.Min[1]), math.Abs(b.Max[1]))*math.Pi/180))
	return orb.Bound{Min: orb.Point{b.Min[0] - dLon, b.Min[1] - dLat}, Max: orb.Point{b.Max[0] + dLon, b.Max[1] + dLat}}
}

// walkNodesNear indexes the located nodes of walkable ways that lie in
// one of the boxes; none when there are no boxes.
func (c *collector) walkNodesNear(boxes []orb.Bound) *rtree.RTreeG[int64] {
	var near rtree.RTreeG[int64]
	if len(boxes) == 0 {
		return &near
	}
	var where rtree.RTreeG[struct{}]
	for _, b := range boxes {
		where.Insert(b.Min, b.Max, struct{}{})
	}
	for w := range c.walk.len() {
		for _, id := range c.walk.way(w) {
			p, ok := c.location(id)
			if !ok {
				continue
			}
			in := false
			where.Search(p, p, func(_, _ [2]float64, _ struct{}) bool { in = true; return false })
			if in {
				near.Insert(p, p, id)
			}
		}
	}
	return &near
}

// joinToWalkway joins an area that shares no node with a walkway to the
// walkway node nearest its outline, by a straight step, when that node is
// within maxJoinGap. It returns the outline node joined. near holds the
// walkway nodes around the area.
func joinToWalkway(b *geo.GraphBuilder, rings [][]int64, pts [][]orb.Point, near *rtree.RTreeG[int64]) (int64, orb.Point, bool) {
	best, bestD := int64(0), math.Inf(1)
	var from int64
	var fromP orb.Point
	for r, ring := range rings {
		for j, id := range ring[:len(ring)-1] {
			p := pts[r][j]
			dLat := maxJoinGap / (geo.EarthRadius * math.Pi / 180)
			dLon := dLat / math.Max(0.01, math.Cos(p[1]*math.Pi/180))
			near.Search([2]float64{p[0] - dLon, p[1] - dLat}, [2]float64{p[0] + dLon, p[1] + dLat},
				func(q, _ [2]float64, n int64) bool {
					if d := geo.Haversine(p, q); d < bestD || d == bestD && n < best {
						best, bestD, from, fromP = n, d, id, p
					}
					return true
				})
		}
	}
	if bestD > maxJoinGap {
		return 0, orb.Point{}, false
	}
	u, _ := b.Lookup(best)
	b.Edge(b.Node(from, fromP), u, geo.EdgeOther)
	return from, fromP, true
}

// outline adds the sides of an area that cannot be crossed (see area) as
// lines, cut where a node has no location like a walkable way.
func (c *collector) outline(b *geo.GraphBuilder, lines [][]int64) {
	c.stats.WalkableAreas++
	c.stats.PartialAreas++
	for _, refs := range lines {
		prev := int32(-1)
		for _, id := range refs {
			p, ok := c.location(id)
			if !ok {
				prev = -1
				continue
			}
			u := b.Node(id, p)
			if prev >= 0 {
				b.Edge(prev, u, geo.EdgeOther)
			}
			prev = u
		}
	}
}

// bends returns the indexes of the corners of a ring (closed, in plane
// metres) that a straight walk inside the area may bend round: reflex
// corners of an outer ring, convex corners of a hole.
func bends(ring [][2]float64, hole bool) []int {
	n := len(ring) - 1 // distinct corners
	if n < 3 {
		return nil
	}
	var twice float64 // twice the signed area: > 0 counter-clockwise
	for j := 0; j < n; j++ {
		twice += ring[j][0]*ring[j+1][1] - ring[j+1][0]*ring[j][1]
	}
	var out []int
	for j := 0; j < n; j++ {
		turn := orient(ring[(j+n-1)%n], ring[j], ring[j+1]) // left is convex for a counter-clockwise ring
		if twice < 0 {
			turn = -turn
		}
		if hole && turn > 0 || !hole && turn < 0 {
			out = append(out, j)
		}
	}
	return out
}

// portal is an end of straight edges across an area: an entrance, or a
// corner with its neighbours on the ring.
type portal struct {
	id         int64
	p          orb.Point
	q          [2]float64 // p in plane metres
	corner     bool
	prev, next [2]float64 // a corner's neighbours on its ring
}

// tangent reports whether the line from x through corner c leaves both
// of c's neighbours on one side: only then can a shortest walk bend round
// c along it. Edges at a corner that are not tangent there are left out
// (the reduced visibility graph); walks between entrances lose nothing.
func (c portal) tangent(x [2]float64) bool {
	return !c.corner || orient(x, c.q, c.prev)*orient(x, c.q, c.next) >= 0
}

// crossings adds a straight edge between every two portals that see each
// other inside the area (and are tangent at corners), and returns how many
// it added; -1 and none when there are too many portals for the area's
// size.
// budget is what the extract may still spend (portal pairs times sides);
// the area's cost is taken from it.
func crossings(b *geo.GraphBuilder, xy [][][2]float64, outers int, portals []portal, budget *int) int {
	k := len(portals)
	sides := 0
	for _, r := range xy {
		sides += len(r) - 1
	}
	if k < 2 {
		return 0
	}
	work := k * (k - 1) / 2 * sides
	if work > maxCrossingWork || work > *budget {
		return -1
	}
	*budget -= work
	portals = slices.Clone(portals)
	slices.SortFunc(portals, func(x, y portal) int { return cmp.Compare(x.id, y.id) })
	added := 0
	for i := range portals {
		for j := i + 1; j < len(portals); j++ {
			a, c := portals[i], portals[j]
			if a.q == c.q || !a.tangent(c.q) || !c.tangent(a.q) || !visible(a.q, c.q, xy, outers) {
				continue
			}
			b.Edge(b.Node(a.id, a.p), b.Node(c.id, c.p), geo.EdgeAcross)
			added++
		}
	}
	return added
}

// visible reports whether segment a–c stays inside the area: it crosses
// no side of any ring, touches none except at a or c, and its midpoint is
// inside. Touching a corner on the way counts as leaving (the corner may
// be a reflex one), which at worst leaves a straight edge out.
func visible(a, c [2]float64, rings [][][2]float64, outers int) bool {
	for _, ring := range rings {
		for s := 0; s+1 < len(ring); s++ {
			p, q := ring[s], ring[s+1]
			if p == a || p == c || q == a || q == c {
				continue // a side at an end of the segment
			}
			if segmentsMeet(a, c, p, q) {
				return false
			}
		}
	}
	mid := [2]float64{(a[0] + c[0]) / 2, (a[1] + c[1]) / 2}
	return insideRings(rings, outers, mid)
}

// segmentsMeet reports whether segments a–b and p–q share a point.
func segmentsMeet(a, b, p, q [2]float64) bool {
	o1, o2 := orient(a, b, p), orient(a, b, q)
	o3, o4 := orient(p, q, a), orient(p, q, b)
	if o1*o2 < 0 && o3*o4 < 0 {
		return true
	}
	return o1 == 0 && onSegment(a, b, p) || o2 == 0 && onSegment(a, b, q) ||
		o3 == 0 && onSegment(p, q, a) || o4 == 0 && onSegment(p, q, b)
}

// orient is the sign of the turn a→b→c: 1 left, -1 right, 0 straight.
func orient(a, b, c [2]float64) float64 {
	v := (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// onSegment reports whether c, collinear with a–b, lies within its box.
func onSegment(a, b, c [2]float64) bool {
	return math.Min(a[0], b[0]) <= c[0] && c[0] <= math.Max(a[0], b[0]) &&
		math.Min(a[1], b[1]) <= c[1] && c[1] <= math.Max(a[1], b[1])
}

// insideRings reports whether p is inside one of the outer rings and in
// none of the holes (even-odd rule per ring).
func insideRings(rings [][][2]float64, outers int, p [2]float64) bool {
	in := false
	for r, ring := range rings {
		if inRing(ring, p) {
			if r >= outers {
				return false
			}
			in = true
		}
	}
	return in
}

func inRing(ring [][2]float64, p [2]float64) bool {
	in := false
	for i, j := 0, len(ring)-1; i < len(ring); j, i = i, i+1 {
		a, b := ring[i], ring[j]
		if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < (b[0]-a[0])*(p[1]-a[1])/(b[1]-a[1])+a[0] {
			in = !in
		}
	}
	return in
}
