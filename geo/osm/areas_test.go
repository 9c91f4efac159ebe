package osm

import (
	"bytes"
	"context"
	"math"
	"testing"

	"github.com/carecircle/carecircle/geo"
	"github.com/paulmach/osm"
)

// plaza is a hand-made extract of two pedestrian areas; a unit is 0.0001°
// (about 7 m east, 11 m north here).
//
// Square 500, a closed way (highway=pedestrian, area=yes), is an L:
//
//	F(0,4)  I(1,4)  E(2,4)
//	|                 |
//	G(0,1)            D(2,2) ---- C(4,2)      D is a reflex corner
//	|                               H(4,1)
//	A(0,0) ------------------------ B(4,0)
//
// Footways reach it at G (from W1), H (from W2) and I (from W3). G sees H
// and I across it; H and I do not see each other (the line leaves by the
// notch), so the walk between them bends round D.
//
// Plaza 600 is a multipolygon (highway=pedestrian) whose outer way 601 is
// untagged: P(10,0) Q(14,0) M(14,2) R(14,4) S(10,4) Z(10,2), with a
// building 602 as its hole, T(11.5,1.5) U(12.5,1.5) V(12.5,2.5)
// X(11.5,2.5). Footways reach it at Z (from Y) and M (from N); footway 620
// runs from O(12,6) north of the plaza to K(12,3.5) inside it, crossing the
// outline where no node is. Z and M do not see each other (the building is
// in the way): the walk goes round the building's corners.
//
// Square 700 (51–54, x 20–22, y 0–2) shares no node with a walkway; footway
// 710 ends at node 56 (19,1.6), 9 m from its corner 54, so a straight
// step joins them. Square 720 (x 40–42) has no walkway within 25 m and stays a
// piece of its own.
func plaza() fixture {
	const u = 0.0001
	at := func(id int64, x, y float64) tNode { return tNode{id, 8.69 + x*u, 49.41 + y*u} }
	return fixture{
		nodes: []tNode{
			at(1, 0, 0), at(2, 4, 0), at(3, 4, 2), at(4, 2, 2), at(5, 2, 4), at(6, 0, 4), at(7, 0, 1), at(8, 4, 1), at(9, 1, 4),
			at(11, -2, 1), at(12, 6, 1), at(13, 1, 6),
			at(21, 10, 0), at(22, 14, 0), at(23, 14, 2), at(24, 14, 4), at(25, 10, 4), at(26, 10, 2),
			at(31, 11.5, 1.5), at(32, 12.5, 1.5), at(33, 12.5, 2.5), at(34, 11.5, 2.5),
			at(41, 8, 2), at(42, 16, 2), at(43, 12, 6), at(44, 12, 3.5),
			at(51, 20, 0), at(52, 22, 0), at(53, 22, 2), at(54, 20, 2), at(55, 17, 1.6), at(56, 19, 1.6),
			at(61, 40, 0), at(62, 42, 0), at(63, 42, 2), at(64, 40, 2),
		},
		ways: []tWay{
			{id: 500, refs: []int64{1, 2, 8, 3, 4, 5, 9, 6, 7, 1}, tags: []string{"highway", "pedestrian", "area", "yes", "name", "L Square"}},
			{id: 510, refs: []int64{11, 7}, tags: []string{"highway", "footway"}},
			{id: 511, refs: []int64{8, 12}, tags: []string{"highway", "footway"}},
			{id: 512, refs: []int64{9, 13}, tags: []string{"highway", "footway"}},
			{id: 601, refs: []int64{21, 22, 23, 24, 25, 26, 21}},
			{id: 602, refs: []int64{31, 32, 33, 34, 31}, tags: []string{"building", "yes"}},
			{id: 610, refs: []int64{41, 26}, tags: []string{"highway", "footway"}},
			{id: 611, refs: []int64{23, 42}, tags: []string{"highway", "footway"}},
			{id: 620, refs: []int64{43, 44}, tags: []string{"highway", "footway"}},
			{id: 700, refs: []int64{51, 52, 53, 54, 51}, tags: []string{"highway", "pedestrian", "area", "yes"}},
			{id: 710, refs: []int64{55, 56}, tags: []string{"highway", "footway"}},
			{id: 720, refs: []int64{61, 62, 63, 64, 61}, tags: []string{"area:highway", "pedestrian"}},
		},
		relations: []tRelation{
			{id: 600, ways: []int64{601, 602}, roles: []string{"outer", "inner"}, tags: []string{"type", "multipolygon", "highway", "pedestrian"}},
		},
	}
}

func TestPedestrianAreas(t *testing.T) {
	f := plaza()
	for _, enc := range []struct {
		name string
		data []byte
	}{{"plaza.osm", f.xmlDoc(false)}, {"plaza.osm.pbf", f.pbf(pbfOptions{})}} {
		t.Run(enc.name, func(t *testing.T) {
			ex, err := Read(context.Background(), bytes.NewReader(enc.data), enc.name, Options{})
			if err != nil {
				t.Fatal(err)
			}
			g := ex.Graph
			pt := map[int64]int32{}
			for i, id := range g.OSMIDs {
				pt[id] = int32(i)
			}
			edge := map[[2]int64]bool{}
			kind := map[[2]int64]geo.EdgeKind{}
			for e := range g.NumEdges() {
				a, b := g.OSMIDs[g.EdgeU[e]], g.OSMIDs[g.EdgeV[e]]
				edge[[2]int64{min(a, b), max(a, b)}] = true
				kind[[2]int64{min(a, b), max(a, b)}] = g.EdgeKind[e]
				if l, h := g.EdgeLen[e], geo.Haversine(g.Points[g.EdgeU[e]], g.Points[g.EdgeV[e]]); l < h {
					t.Errorf("edge %d-%d is %v m, shorter than the straight %v m", a, b, l, h)
				}
			}
			has := func(a, b int64) bool { return edge[[2]int64{min(a, b), max(a, b)}] }
			for _, c := range []struct {
				a, b int64
				want bool
				why  string
			}{
				{1, 2, true, "outline side"}, {4, 5, true, "outline side"},
				{7, 8, true, "entrances G and H see each other"},
				{7, 9, true, "entrances G and I see each other"},
				{8, 4, true, "entrance H sees corner D"}, {4, 9, true, "corner D sees entrance I"},
				{8, 9, false, "H and I do not see each other"},
				{1, 3, false, "corners that are not bends are not joined"},
				{26, 23, false, "the building stands between Z and M"},
				{26, 44, true, "Z sees the inside end K of footway 620"},
				{31, 32, true, "the hole's outline is walked"},
				{26, 31, true, "Z sees the building's corner T"},
				{56, 54, true, "a step joins square 700 to the end of footway 710"},
				{56, 51, false, "one step is enough"},
			} {
				if has(c.a, c.b) != c.want {
					t.Errorf("edge %d-%d: %v, want %v (%s)", c.a, c.b, has(c.a, c.b), c.want, c.why)
				}
			}
			if kind[[2]int64{7, 8}] != geo.EdgeAcross || kind[[2]int64{1, 2}] != geo.EdgeOther {
				t.Errorf("kinds: across G-H %v, outline A-B %v; want across and other", kind[[2]int64{7, 8}], kind[[2]int64{1, 2}])
			}
			if g.NumPieces() != 4 {
				t.Errorf("%d pieces, want 4 (one per area, 700 with footway 710)", g.NumPieces())
			}
			st := ex.Stats
			if st.WalkableAreas != 4 || st.PartialAreas != 0 || st.AreaEdges == 0 || st.StepAreas != 1 || st.UnjoinedAreas != 1 {
				t.Errorf("stats %+v: want 4 walkable areas, none partial, some edges across, 1 joined by a step, 1 unjoined", st)
			}

			// The shortest walks: H to I round corner D; Z to M round the
			// building's two southern (or northern) corners.
			r, _ := geo.NewRouter(g, geo.PlainDistance())
			s := r.NewSearch()
			walk := func(a, b int64) float64 {
				s.Run([]geo.Source{{Node: pt[a]}}, math.Inf(1))
				return s.Seconds(pt[b])
			}
			via := func(ids ...int64) float64 {
				var d float64
				for i := 1; i < len(ids); i++ {
					d += geo.Haversine(g.Points[pt[ids[i-1]]], g.Points[pt[ids[i]]])
				}
				return d
			}
			for _, c := range []struct {
				from, to int64
				want     float64
			}{
				{8, 9, via(8, 4, 9)},
				{7, 8, via(7, 8)},
				{26, 23, math.Min(via(26, 31, 32, 23), via(26, 34, 33, 23))},
				{11, 12, via(11, 7, 8, 12)},
			} {
				if got := walk(c.from, c.to); math.Abs(got-c.want) > 1e-6 {
					t.Errorf("walk %d→%d: %.3f m, want %.3f", c.from, c.to, got, c.want)
				}
			}
		})
	}
}

// TestPartialArea: a multipolygon whose member way is outside the extract
// is walked along the member it has, and never crossed.
func TestPartialArea(t *testing.T) {
	f := plaza()
	f.relations[0].ways = append(f.relations[0].ways, 699) // not in the file
	f.relations[0].roles = append(f.relations[0].roles, "inner")
	ex, err := Read(context.Background(), bytes.NewReader(f.xmlDoc(false)), "plaza.osm", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if ex.Stats.WalkableAreas != 4 || ex.Stats.PartialAreas != 1 {
		t.Errorf("stats %+v: want 4 walkable areas, 1 partial", ex.Stats)
	}
	g := ex.Graph
	for e := range g.NumEdges() {
		a, b := g.OSMIDs[g.EdgeU[e]], g.OSMIDs[g.EdgeV[e]]
		if a >= 21 && a <= 44 && b >= 21 && b <= 44 && a != b {
			ring := map[[2]int64]bool{{21, 22}: true, {22, 23}: true, {23, 24}: true, {24, 25}: true, {25, 26}: true, {21, 26}: true,
				{31, 32}: true, {32, 33}: true, {33, 34}: true, {31, 34}: true, {26, 41}: true, {23, 42}: true, {43, 44}: true}
			if !ring[[2]int64{min(a, b), max(a, b)}] {
				t.Errorf("edge %d-%d crosses a partial area", a, b)
			}
		}
	}
}

func TestWalkableArea(t *testing.T) {
	cases := []struct {
		tags     osm.Tags
		relation bool
		want     bool
	}{
		{tags("highway", "pedestrian", "area", "yes"), false, true},
		{tags("highway", "footway", "area", "yes"), false, true},
		{tags("highway", "pedestrian"), false, false}, // a closed line, walked as a way
		{tags("area:highway", "pedestrian"), false, true},
		{tags("area:highway", "footway"), false, true},
		{tags("area:highway", "primary"), false, false},
		{tags("highway", "service", "area", "yes"), false, false},
		{tags("highway", "pedestrian", "area", "yes", "access", "private"), false, false},
		{tags("highway", "pedestrian", "area", "yes", "access", "private", "foot", "yes"), false, true},
		{tags("highway", "pedestrian", "area", "yes", "foot", "no"), false, false},
		{tags("type", "multipolygon", "highway", "pedestrian"), true, true},
		{tags("type", "multipolygon", "area:highway", "footway"), true, true},
		{tags("type", "route", "highway", "pedestrian"), true, false},
		{tags("highway", "pedestrian"), true, false},
	}
	for _, c := range cases {
		if got := WalkableArea(c.tags, c.relation); got != c.want {
			t.Errorf("WalkableArea(%v, relation %v) = %v, want %v", c.tags, c.relation, got, c.want)
		}
	}
}

// TestWaysOnly: without areas the graph is the walkable ways alone.
func TestWaysOnly(t *testing.T) {
	ex, err := Read(context.Background(), bytes.NewReader(plaza().xmlDoc(false)), "plaza.osm", Options{WaysOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	g := ex.Graph
	if g.NumEdges() != 7 || ex.Stats.WalkableAreas != 0 || ex.Stats.AreaEdges != 0 {
		t.Errorf("%d edges, stats %+v; want the 7 footway segments and no areas", g.NumEdges(), ex.Stats)
	}
}
