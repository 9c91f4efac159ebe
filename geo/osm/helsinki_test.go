package osm

import (
	"container/heap"
	"context"
	"math"
	"slices"
	"testing"

	"github.com/carecircle/carecircle/geo"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/paulmach/osm"
)

// The Helsinki criterion, checked against a graph built here from the raw
// file: the walkable ways and the outlines of the pedestrian areas (squares
// walked round their edges only), searched with a textbook Dijkstra. From
// every source, within 900 m, the engine's graph (which also crosses the
// squares) must reach every node the outline graph reaches, no farther,
// and nothing nearer than the great circle; no edge anywhere may be
// shorter than the great circle between its ends, and every edge across a
// square must stay inside it.

// greatCircle is the spherical law of haversines, written again here so
// that the check does not lean on geo.Haversine.
func greatCircle(a, b orb.Point) float64 {
	const r, rad = 6371008.8, math.Pi / 180
	s1 := math.Sin((b[1] - a[1]) * rad / 2)
	s2 := math.Sin((b[0] - a[0]) * rad / 2)
	h := s1*s1 + math.Cos(a[1]*rad)*math.Cos(b[1]*rad)*s2*s2
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(h)))
}

type outlineArc struct {
	to int64
	m  float64
}

type distItem struct {
	node int64
	d    float64
}

type distHeap []distItem

func (h distHeap) Len() int           { return len(h) }
func (h distHeap) Less(i, j int) bool { return h[i].d < h[j].d }
func (h distHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *distHeap) Push(x any)        { *h = append(*h, x.(distItem)) }
func (h *distHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}

func outlineDijkstra(adj map[int64][]outlineArc, src int64, limit float64) map[int64]float64 {
	dist := map[int64]float64{src: 0}
	h := &distHeap{{src, 0}}
	for h.Len() > 0 {
		it := heap.Pop(h).(distItem)
		if it.d > dist[it.node] {
			continue
		}
		for _, a := range adj[it.node] {
			d := it.d + a.m
			if old, ok := dist[a.to]; d <= limit && (!ok || d < old) {
				dist[a.to] = d
				heap.Push(h, distItem{a.to, d})
			}
		}
	}
	return dist
}

// areaPolygons builds the complete walkable areas of raw as polygons: a
// closed way, or a relation whose member ways all join into rings.
func areaPolygons(raw rawExtract) []orb.Polygon {
	loc := func(ids []int64) (orb.Ring, bool) {
		r := make(orb.Ring, len(ids))
		for i, id := range ids {
			p, ok := raw.nodes[id]
			if !ok {
				return nil, false
			}
			r[i] = p
		}
		return r, true
	}
	// join merges open chains of node ids until none shares an end.
	join := func(chains [][]int64) ([][]int64, bool) {
		for merged := true; merged; {
			merged = false
			for i := 0; i < len(chains) && !merged; i++ {
				for j := 0; j < len(chains) && !merged; j++ {
					a, b := chains[i], chains[j]
					if i == j || a[0] == a[len(a)-1] || b[0] == b[len(b)-1] {
						continue
					}
					var c []int64
					switch {
					case a[len(a)-1] == b[0]:
						c = append(slices.Clone(a), b[1:]...)
					case a[len(a)-1] == b[len(b)-1]:
						rb := slices.Clone(b)
						slices.Reverse(rb)
						c = append(slices.Clone(a), rb[1:]...)
					default:
						continue
					}
					chains[i] = c
					chains = slices.Delete(chains, j, j+1)
					merged = true
				}
			}
		}
		for _, c := range chains {
			if c[0] != c[len(c)-1] {
				return nil, false
			}
		}
		return chains, true
	}
	byID := map[int64][]int64{}
	var out []orb.Polygon
	for _, w := range raw.ways {
		ids := make([]int64, len(w.Nodes))
		for i, n := range w.Nodes {
			ids[i] = int64(n.ID)
		}
		byID[int64(w.ID)] = ids
		if len(ids) >= 4 && ids[0] == ids[len(ids)-1] && refWalkableArea(w.Tags.Map(), false) {
			if r, ok := loc(ids); ok {
				out = append(out, orb.Polygon{r})
			}
		}
	}
	for _, rel := range raw.relations {
		if !refWalkableArea(rel.Tags.Map(), true) {
			continue
		}
		var outer, inner [][]int64
		complete := true
		for _, m := range rel.Members {
			if m.Type != osm.TypeWay {
				continue // a node: an address, a label
			}
			ids, ok := byID[m.Ref]
			if !ok {
				complete = false
				break
			}
			if m.Role == "inner" {
				inner = append(inner, slices.Clone(ids))
			} else {
				outer = append(outer, slices.Clone(ids))
			}
		}
		o, ok1 := join(outer)
		in, ok2 := join(inner)
		if !complete || !ok1 || !ok2 {
			continue
		}
		for _, ring := range o {
			r, ok := loc(ring)
			if !ok {
				continue
			}
			poly := orb.Polygon{r}
			for _, h := range in {
				if hr, ok := loc(h); ok {
					poly = append(poly, hr)
				}
			}
			out = append(out, poly)
		}
	}
	return out
}

func TestHelsinkiSquares(t *testing.T) {
	path := dataFile(t, "helsinki.osm.pbf")
	ex, err := Load(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	g := ex.Graph
	raw := readRaw(t, path)
	want := expect(raw)

	// The outline graph.
	adj := map[int64][]outlineArc{}
	for pair := range want.pairs {
		m := greatCircle(raw.nodes[pair[0]], raw.nodes[pair[1]])
		adj[pair[0]] = append(adj[pair[0]], outlineArc{pair[1], m})
		adj[pair[1]] = append(adj[pair[1]], outlineArc{pair[0], m})
	}

	onArea := map[int64]bool{}
	for _, ways := range walkAreaWays(raw) {
		for _, refs := range ways {
			for _, id := range refs {
				onArea[id] = true
			}
		}
	}

	// No edge shorter than the great circle; edges not in the outline
	// graph cross a square and stay inside it, or are a step of at most
	// 25 m onto a square that shares no node with a walkway.
	polys := areaPolygons(raw)
	across, steps := 0, 0
	for e := range g.NumEdges() {
		a, b := g.Points[g.EdgeU[e]], g.Points[g.EdgeV[e]]
		// 1 µm: the two formulas round differently.
		if gc := greatCircle(a, b); g.EdgeLen[e] < gc-1e-6 {
			t.Fatalf("edge %d is %.12f m, shorter than the great circle %.12f m", e, g.EdgeLen[e], gc)
		}
		u, v := g.OSMIDs[g.EdgeU[e]], g.OSMIDs[g.EdgeV[e]]
		if want.pairs[[2]int64{min(u, v), max(u, v)}] != nil {
			continue
		}
		if g.EdgeKind[e] == geo.EdgeOther {
			if g.EdgeLen[e] > 25 || onArea[u] == onArea[v] {
				t.Errorf("edge %d-%d (%.1f m) is no walkway, no outline side, and no step from a square's outline to a walkway", u, v, g.EdgeLen[e])
			}
			steps++
			continue
		}
		across++
		inside := false
		for _, poly := range polys {
			all := true
			for _, f := range []float64{0.1, 0.25, 0.5, 0.75, 0.9} {
				p := orb.Point{a[0] + f*(b[0]-a[0]), a[1] + f*(b[1]-a[1])}
				// On the outline (within 1e-8°, a millimetre) counts as
				// inside: an edge may run along a straight stretch of it.
				if !planar.PolygonContains(poly, p) && planar.DistanceFrom(orb.MultiLineString(polyLines(poly)), p) > 1e-8 {
					all = false
					break
				}
			}
			if all {
				inside = true
				break
			}
		}
		if !inside {
			t.Errorf("edge %d-%d is neither a walkway, an outline side, nor inside a square", u, v)
		}
	}
	t.Logf("%d nodes, %d edges (%d across squares, %d steps onto squares); outline graph %d segments; %d complete squares",
		g.NumNodes(), g.NumEdges(), across, steps, len(want.pairs), len(polys))
	if steps > ex.Stats.StepAreas {
		t.Errorf("%d steps onto squares, %d squares joined by one", steps, ex.Stats.StepAreas)
	}
	if across == 0 {
		t.Fatal("no edge crosses a square")
	}

	// Sources: the nodes where walkways meet the squares.
	var sources []int64
	for id := range adj {
		if onArea[id] && len(adj[id]) >= 3 {
			sources = append(sources, id)
		}
	}
	slices.Sort(sources)
	if step := len(sources) / 40; step > 1 {
		var every []int64
		for i := 0; i < len(sources); i += step {
			every = append(every, sources[i])
		}
		sources = every
	}
	r, _ := geo.NewRouter(g, geo.PlainDistance())
	s := r.NewSearch()
	const limit = 900.0
	nearer, reached := 0, 0
	for _, src := range sources {
		ref := outlineDijkstra(adj, src, limit)
		n, ok := g.NodeByOSMID(src)
		if !ok {
			t.Fatalf("source %d is not in the graph", src)
		}
		s.Run([]geo.Source{{Node: n}}, limit)
		for id, d0 := range ref {
			v, ok := g.NodeByOSMID(id)
			if !ok {
				t.Fatalf("from %d: node %d, %.1f m along the outlines, is not in the graph", src, id, d0)
			}
			d := s.Seconds(v)
			if d > d0+1e-6 {
				t.Fatalf("from %d to %d: %.3f m, farther than %.3f m along the outlines", src, id, d, d0)
			}
			if d < d0-1e-6 {
				nearer++
			}
			reached++
		}
		for _, v := range s.Settled() {
			if gc := greatCircle(g.Points[n], g.Points[v]); s.Seconds(v) < gc-1e-6 {
				t.Fatalf("from %d to %d: %.3f m, nearer than the great circle %.3f m", src, g.OSMIDs[v], s.Seconds(v), gc)
			}
		}
	}
	t.Logf("%d sources at squares: %d nodes reached within %.0f m along the outlines, all reached, %d of them nearer across the squares",
		len(sources), reached, limit, nearer)
	if nearer == 0 {
		t.Error("crossing the squares shortened no walk")
	}
}

func polyLines(p orb.Polygon) []orb.LineString {
	out := make([]orb.LineString, len(p))
	for i, r := range p {
		out[i] = orb.LineString(r)
	}
	return out
}
