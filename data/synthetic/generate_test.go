package synthetic

import (
	"context"
	"errors"
	"math"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/carecircle/carecircle/geo"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// generate is Generate for tests: it fails the test on error.
func generate(t testing.TB, p Params, seed uint64) *City {
	t.Helper()
	c, err := Generate(context.Background(), p, seed)
	if err != nil {
		t.Fatalf("Generate(%s, %d): %v", p.Name, seed, err)
	}
	return c
}

func preset(t testing.TB, name string) Params {
	t.Helper()
	p, err := Preset(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestPresetSizes generates every preset and checks its documented node
// range and every invariant of a City. The full city takes a few seconds
// and is skipped with -short in favour of a scaled-down one.
func TestPresetSizes(t *testing.T) {
	tests := []struct {
		name     string
		params   func(t *testing.T) Params
		min, max int
		long     bool
	}{
		{"tiny", func(t *testing.T) Params { return preset(t, "tiny") }, 2_000, 5_000, false},
		{"district", func(t *testing.T) Params { return preset(t, "district") }, 40_000, 80_000, false},
		// 1/60 of the city, about 21 km² around one centre: a dense core of
		// some 45 k nodes.
		{"city/60", func(t *testing.T) Params { return preset(t, "city").Scale(1.0 / 60) }, 25_000, 80_000, false},
		{"city", func(t *testing.T) Params { return preset(t, "city") }, 1_500_000, 2_500_000, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.long && testing.Short() {
				t.Skip("the full city takes seconds; run without -short")
			}
			c := generate(t, tc.params(t), 1)
			n := c.Graph.NumNodes()
			t.Logf("%s: %d nodes, %d edges, %.0f km of ways, %d neighbourhoods, %d bridges, %d hills",
				tc.name, n, c.Graph.NumEdges(), c.Graph.TotalLength()/1000, len(c.Neighbourhoods), len(c.Bridges), len(c.Hills))
			if n < tc.min || n > tc.max {
				t.Errorf("%d nodes, want %d..%d", n, tc.min, tc.max)
			}
			checkCity(t, c)
		})
	}
}

// checkCity checks the invariants every generated city must keep.
func checkCity(t *testing.T, c *City) {
	t.Helper()
	g := c.Graph
	t.Run("connected", func(t *testing.T) {
		if d := g.OffMainNodes(); float64(d) > 0.02*float64(g.NumNodes()) {
			t.Errorf("%d nodes in %d pieces off the main network (over 2 %%)", d, g.NumPieces()-1)
		}
	})
	t.Run("inside bound", func(t *testing.T) {
		for i, p := range g.Points {
			if !c.Bound.Contains(p) {
				t.Fatalf("node %d at %v is outside %v", i, p, c.Bound)
			}
		}
		if ctr := c.Bound.Center(); math.Abs(ctr[0]-c.Params.Center[0]) > 1e-9 || math.Abs(ctr[1]-c.Params.Center[1]) > 1e-9 {
			t.Errorf("bound centre %v, want %v", ctr, c.Params.Center)
		}
	})
	t.Run("ids", func(t *testing.T) {
		seen := make(map[int64]int, len(g.OSMIDs))
		for i, id := range g.OSMIDs {
			if id <= IDBase {
				t.Fatalf("node %d has id %d: want ids above IDBase", i, id)
			}
			if j, ok := seen[id]; ok {
				t.Fatalf("nodes %d and %d share id %d: want one id per node", j, i, id)
			}
			seen[id] = i
		}
	})
	t.Run("edge kinds", func(t *testing.T) {
		var count [3]int
		for _, k := range g.EdgeKind {
			count[k]++
		}
		t.Logf("other %d, steps %d, crossing %d", count[geo.EdgeOther], count[geo.EdgeSteps], count[geo.EdgeCrossing])
		if count[geo.EdgeSteps] == 0 || count[geo.EdgeCrossing] == 0 {
			t.Errorf("want steps and crossings, got %v", count)
		}
		if f := float64(count[geo.EdgeSteps]) / float64(g.NumEdges()); f > 0.15 {
			t.Errorf("%.0f %% of edges are steps; the city is not a staircase", 100*f)
		}
	})
	t.Run("edge lengths", func(t *testing.T) { checkLengths(t, c) })
	t.Run("river", func(t *testing.T) { checkRiver(t, c) })
	t.Run("neighbourhoods", func(t *testing.T) { checkNeighbourhoods(t, c) })
}

// checkLengths: OSM-like edges of about 20 m, none absurdly short, none
// over 80 m but bridge spans.
func checkLengths(t *testing.T, c *City) {
	g := c.Graph
	bridge := bridgeEdges(c)
	ls := slices.Clone(g.EdgeLen)
	slices.Sort(ls)
	med := ls[len(ls)/2]
	t.Logf("edge length min %.1f, median %.1f, p99 %.1f, max %.1f m", ls[0], med, ls[len(ls)*99/100], ls[len(ls)-1])
	if med < 15 || med > 35 {
		t.Errorf("median edge length %.1f m, want 15..35", med)
	}
	for e, l := range g.EdgeLen {
		limit := 80.0
		if bridge[int32(e)] {
			limit = 75
		}
		if l < 3 || l > limit {
			t.Fatalf("edge %d (%v) is %.1f m long, want 3..%g", e, g.EdgeKind[e], l, limit)
		}
		if g.EdgeKind[e] == geo.EdgeCrossing && l > 25 {
			t.Fatalf("crossing edge %d is %.1f m long, want a road's width", e, l)
		}
	}
}

func bridgeEdges(c *City) map[int32]bool {
	m := make(map[int32]bool)
	for _, br := range c.Bridges {
		for _, e := range br.Edges {
			m[e] = true
		}
	}
	return m
}

// checkRiver tests every edge but the bridges' against the river polygon:
// neither end may be in the water and the edge may not cut any bank
// segment. It uses the polygon alone, not the generator's bank functions.
func checkRiver(t *testing.T, c *City) {
	if c.Params.RiverWidthM == 0 {
		if len(c.River) != 0 || len(c.Bridges) != 0 {
			t.Errorf("no river asked for, got %d rings and %d bridges", len(c.River), len(c.Bridges))
		}
		return
	}
	if len(c.River) != 1 || len(c.River[0]) < 4 || c.River[0][0] != c.River[0][len(c.River[0])-1] {
		t.Fatalf("river is not one closed ring")
	}
	if len(c.Bridges) == 0 {
		t.Fatal("no bridge: the banks are not connected")
	}
	ri := newRingIndex(c.River[0])
	g := c.Graph
	// The index must agree with orb on which points are water.
	for i := 0; i < g.NumNodes(); i += max(1, g.NumNodes()/2000) {
		if ri.contains(g.Points[i]) != planar.PolygonContains(c.River, g.Points[i]) {
			t.Fatalf("ring index and planar.PolygonContains disagree at %v", g.Points[i])
		}
	}
	bridge := bridgeEdges(c)
	crossing := 0
	for e := range g.EdgeU {
		a, b := g.Points[g.EdgeU[e]], g.Points[g.EdgeV[e]]
		wet := ri.contains(a) || ri.contains(b) || ri.crosses(a, b)
		switch {
		case wet && !bridge[int32(e)]:
			t.Fatalf("edge %d %v-%v (%v) touches the river but is no bridge", e, a, b, g.EdgeKind[e])
		case wet:
			crossing++
		}
	}
	if crossing == 0 {
		t.Error("no bridge edge is over the water")
	}
	if c.guarded != 0 {
		t.Errorf("the river guard refused %d edges: the layout put them in the water", c.guarded)
	}
	for _, br := range c.Bridges {
		if len(br.Edges) != len(br.Nodes)-1 || len(br.Deck) != len(br.Nodes) {
			t.Errorf("bridge with %d nodes, %d edges, %d deck points", len(br.Nodes), len(br.Edges), len(br.Deck))
		}
		if ri.contains(br.Deck[0]) || ri.contains(br.Deck[len(br.Deck)-1]) {
			t.Errorf("bridge ends in the water")
		}
		if br.LengthM < c.Params.RiverWidthM*0.7 {
			t.Errorf("bridge of %.0f m over a %.0f m river", br.LengthM, c.Params.RiverWidthM)
		}
	}
}

// ringIndex buckets a ring's segments by x so that tests can check millions
// of edges against it quickly.
type ringIndex struct {
	segs    [][2]orb.Point
	minX, w float64
	buckets [][]int32
}

func newRingIndex(r orb.Ring) *ringIndex {
	b := r.Bound()
	n := len(r)
	ri := &ringIndex{minX: b.Min[0], w: (b.Max[0] - b.Min[0]) / float64(n), buckets: make([][]int32, n)}
	for k := 0; k+1 < len(r); k++ {
		s := [2]orb.Point{r[k], r[k+1]}
		ri.segs = append(ri.segs, s)
		for q := ri.bucket(min(s[0][0], s[1][0])); q <= ri.bucket(max(s[0][0], s[1][0])); q++ {
			ri.buckets[q] = append(ri.buckets[q], int32(len(ri.segs)-1))
		}
	}
	return ri
}

func (ri *ringIndex) bucket(x float64) int {
	return min(max(int((x-ri.minX)/ri.w), 0), len(ri.buckets)-1)
}

// contains casts a ray north from p and counts the segments it crosses.
func (ri *ringIndex) contains(p orb.Point) bool {
	if p[0] < ri.minX || p[0] > ri.minX+ri.w*float64(len(ri.buckets)) {
		return false
	}
	in := false
	for _, k := range ri.buckets[ri.bucket(p[0])] {
		a, b := ri.segs[k][0], ri.segs[k][1]
		if (a[0] <= p[0]) != (b[0] <= p[0]) {
			if y := a[1] + (p[0]-a[0])*(b[1]-a[1])/(b[0]-a[0]); y > p[1] {
				in = !in
			}
		}
	}
	return in
}

// crosses reports whether segment a-b meets any ring segment.
func (ri *ringIndex) crosses(a, b orb.Point) bool {
	lo, hi := ri.bucket(min(a[0], b[0])), ri.bucket(max(a[0], b[0]))
	for q := lo; q <= hi; q++ {
		for _, k := range ri.buckets[q] {
			if segmentsMeet(a, b, ri.segs[k][0], ri.segs[k][1]) {
				return true
			}
		}
	}
	return false
}

// segmentsMeet is the orientation test, touching included.
func segmentsMeet(p1, p2, q1, q2 orb.Point) bool {
	orient := func(a, b, c orb.Point) float64 {
		return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
	}
	on := func(a, b, c orb.Point) bool { // c on segment a-b, given collinear
		return min(a[0], b[0]) <= c[0] && c[0] <= max(a[0], b[0]) && min(a[1], b[1]) <= c[1] && c[1] <= max(a[1], b[1])
	}
	d1, d2 := orient(q1, q2, p1), orient(q1, q2, p2)
	d3, d4 := orient(p1, p2, q1), orient(p1, p2, q2)
	if ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)) {
		return true
	}
	return (d1 == 0 && on(q1, q2, p1)) || (d2 == 0 && on(q1, q2, p2)) || (d3 == 0 && on(p1, p2, q1)) || (d4 == 0 && on(p1, p2, q2))
}

// checkNeighbourhoods: the layout a community generator will rely on.
func checkNeighbourhoods(t *testing.T, c *City) {
	g := c.Graph
	if len(c.NodeNeighbourhood) != g.NumNodes() {
		t.Fatalf("%d node neighbourhoods for %d nodes", len(c.NodeNeighbourhood), g.NumNodes())
	}
	var ri *ringIndex
	if len(c.River) > 0 {
		ri = newRingIndex(c.River[0])
	}
	var land float64
	nodes := make([]int, len(c.Neighbourhoods))
	for _, nb := range c.NodeNeighbourhood {
		if nb >= 0 {
			nodes[nb]++
		}
	}
	for i, nb := range c.Neighbourhoods {
		if nb.ID != int32(i) || nb.Nodes != nodes[i] {
			t.Fatalf("neighbourhood %d: ID %d, Nodes %d, want %d", i, nb.ID, nb.Nodes, nodes[i])
		}
		if nb.AreaM2 <= 0 || nb.Urban != (nb.Density != Rural) || len(nb.Polygon) != 1 {
			t.Fatalf("neighbourhood %d: area %.0f, urban %v, density %v, %d rings", i, nb.AreaM2, nb.Urban, nb.Density, len(nb.Polygon))
		}
		land += nb.AreaM2
		if ri != nil {
			for _, p := range nb.Polygon[0] {
				if ri.contains(p) {
					t.Fatalf("neighbourhood %d has a vertex in the river at %v", i, p)
				}
			}
			if (nb.Bank == NoRiver) != (ri == nil) {
				t.Fatalf("neighbourhood %d on bank %v", i, nb.Bank)
			}
		}
		if nb.Hill >= len(c.Hills) {
			t.Fatalf("neighbourhood %d on hill %d of %d", i, nb.Hill, len(c.Hills))
		}
	}
	// Neighbourhoods tile the land between the riverside roads.
	area := (c.Params.WidthM * c.Params.HeightM) - c.Params.RiverWidthM*c.Params.WidthM
	if land < 0.85*area || land > 1.02*c.Params.WidthM*c.Params.HeightM {
		t.Errorf("neighbourhoods cover %.2f km², land is about %.2f km²", land/1e6, area/1e6)
	}
	// A neighbourhood's nodes lie inside its polygon (a few door paths may
	// poke out where the polygon's curved side is sampled coarsely).
	outside, checked := 0, 0
	for n := 0; n < g.NumNodes(); n += max(1, g.NumNodes()/20000) {
		if nb := c.NodeNeighbourhood[n]; nb >= 0 {
			checked++
			if !planar.PolygonContains(c.Neighbourhoods[nb].Polygon, g.Points[n]) {
				outside++
			}
		}
	}
	if outside > checked/1000 {
		t.Errorf("%d of %d sampled nodes lie outside their neighbourhood", outside, checked)
	}
}

// TestDeterminism: the same params and seed give the same graph, down to
// node order, ids and bits; another seed gives another city.
func TestDeterminism(t *testing.T) {
	for _, name := range []string{"tiny", "district"} {
		t.Run(name, func(t *testing.T) {
			p := preset(t, name)
			a, b := generate(t, p, 42), generate(t, p, 42)
			ga, gb := a.Graph, b.Graph
			same := slices.Equal(ga.Points, gb.Points) && slices.Equal(ga.OSMIDs, gb.OSMIDs) &&
				slices.Equal(ga.EdgeU, gb.EdgeU) && slices.Equal(ga.EdgeV, gb.EdgeV) &&
				slices.Equal(ga.EdgeKind, gb.EdgeKind) && slices.Equal(ga.EdgeLen, gb.EdgeLen) &&
				slices.Equal(a.NodeNeighbourhood, b.NodeNeighbourhood) && slices.Equal(a.River[0], b.River[0]) &&
				len(a.Neighbourhoods) == len(b.Neighbourhoods) && slices.Equal(a.Hills, b.Hills)
			if !same {
				t.Fatal("two runs with seed 42 differ")
			}
			for i := range a.Neighbourhoods {
				na, nb := a.Neighbourhoods[i], b.Neighbourhoods[i]
				if na.Density != nb.Density || na.Layout != nb.Layout || !slices.Equal(na.Polygon[0], nb.Polygon[0]) {
					t.Fatalf("neighbourhood %d differs between runs", i)
				}
			}
			// Planning runs on all cores; one core must give the same city.
			prev := runtime.GOMAXPROCS(1)
			one := generate(t, p, 42)
			runtime.GOMAXPROCS(prev)
			if !slices.Equal(ga.Points, one.Graph.Points) || !slices.Equal(ga.EdgeU, one.Graph.EdgeU) {
				t.Fatal("GOMAXPROCS=1 gives another city")
			}
			c := generate(t, p, 43)
			if slices.Equal(ga.Points, c.Graph.Points) || slices.Equal(a.River[0], c.River[0]) {
				t.Fatal("seeds 42 and 43 give the same city")
			}
		})
	}
}

// TestParams: presets are valid, bad fields are reported, Scale keeps the
// density.
func TestParams(t *testing.T) {
	for _, name := range PresetNames() {
		if err := preset(t, name).Validate(); err != nil {
			t.Errorf("preset %s: %v", name, err)
		}
	}
	_, err := Preset("megacity")
	if err == nil || !strings.Contains(err.Error(), "tiny, district, city") {
		t.Errorf("unknown preset: got %v, want an error listing the presets", err)
	}

	tiny := preset(t, "tiny")
	bad := []struct {
		name string
		edit func(p *Params)
		want string
	}{
		{"zero size", func(p *Params) { p.WidthM = 0 }, "WidthM"},
		{"NaN height", func(p *Params) { p.HeightM = math.NaN() }, "HeightM"},
		{"huge", func(p *Params) { p.WidthM, p.HeightM = 190_000, 190_000 }, "area"},
		{"tiny blocks", func(p *Params) { p.BlockM = 10 }, "BlockM"},
		{"river too wide", func(p *Params) { p.RiverWidthM = 1200 }, "no land"},
		{"bridges closer than blocks", func(p *Params) { p.BridgeSpacingM = 100 }, "BridgeSpacingM"},
		{"no centre", func(p *Params) { p.Centres = 0 }, "Centres"},
		{"flat hills", func(p *Params) { p.HillHeightM = 0 }, "HillHeightM"},
		{"off the globe", func(p *Params) { p.Center = orb.Point{200, 29} }, "Center"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			p := tiny
			tc.edit(&p)
			err := p.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate: got %v, want an error about %s", err, tc.want)
			}
			if _, err := Generate(context.Background(), p, 1); err == nil {
				t.Fatal("Generate accepted invalid params")
			}
		})
	}

	city := preset(t, "city")
	s := city.Scale(0.25)
	if math.Abs(s.WidthM*s.HeightM-0.25*city.WidthM*city.HeightM) > 1 || s.Hills < 1 || s.Centres < 1 {
		t.Errorf("Scale(0.25) = %+v", s)
	}
}

// TestNoRiver: a city without a river is one bank with no bridges.
func TestNoRiver(t *testing.T) {
	p := preset(t, "tiny")
	p.RiverWidthM = 0
	c := generate(t, p, 7)
	if len(c.River) != 0 || len(c.Bridges) != 0 {
		t.Fatalf("river %d rings, %d bridges", len(c.River), len(c.Bridges))
	}
	for _, nb := range c.Neighbourhoods {
		if nb.Bank != NoRiver {
			t.Fatalf("neighbourhood on bank %v without a river", nb.Bank)
		}
	}
	checkCity(t, c)
}

// TestCancel: a cancelled context stops generation with its error.
func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Generate(ctx, preset(t, "district"), 1); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

// TestElevation: hills rise to their height at the top and vanish at the
// rim; steps lie on hills.
func TestElevation(t *testing.T) {
	c := generate(t, preset(t, "district"), 3)
	if len(c.Hills) == 0 {
		t.Fatal("no hills")
	}
	for _, h := range c.Hills {
		if e := c.Elevation(h.Center); e < h.HeightM-1e-6 {
			t.Errorf("elevation %.1f at the top of a %.1f m hill", e, h.HeightM)
		}
		if h.HeightM > 0.2*h.RadiusM+1e-9 {
			t.Errorf("hill %.0f m high on a %.0f m radius is too steep", h.HeightM, h.RadiusM)
		}
	}
	g := c.Graph
	for e, k := range g.EdgeKind {
		if k != geo.EdgeSteps {
			continue
		}
		a, b := g.Points[g.EdgeU[e]], g.Points[g.EdgeV[e]]
		if c.Elevation(a) == 0 && c.Elevation(b) == 0 && !onPromenade(c, g.EdgeU[e], g.EdgeV[e]) {
			t.Fatalf("steps edge %d on flat ground", e)
		}
	}
}

// onPromenade tells the riverside steps apart: they are the only steps
// off the neighbourhoods.
func onPromenade(c *City, u, v int32) bool {
	return c.NodeNeighbourhood[u] < 0 && c.NodeNeighbourhood[v] < 0
}

// TestLayouts: cities mix grids, organic lanes and hillsides, with a dense
// core and sparser outskirts.
func TestLayouts(t *testing.T) {
	p := preset(t, "city").Scale(1.0 / 30)
	p.CentreSpreadM = 1500 // Scale keeps densities; squeeze them for a gradient
	c := generate(t, p, 1)
	seen := map[Layout]int{}
	dens := map[Density]int{}
	for _, nb := range c.Neighbourhoods {
		seen[nb.Layout]++
		dens[nb.Density]++
	}
	t.Logf("layouts %v, densities %v", seen, dens)
	for _, l := range []Layout{LayoutGrid, LayoutOrganic, LayoutHillside} {
		if seen[l] == 0 {
			t.Errorf("no %v neighbourhood in %v", l, seen)
		}
	}
	if dens[High] == 0 || dens[Medium]+dens[Low]+dens[Rural] == 0 {
		t.Errorf("densities %v: want a dense core and sparser outskirts", dens)
	}
}
