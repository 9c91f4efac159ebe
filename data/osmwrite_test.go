package data

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/carecircle/carecircle/geo"
	"github.com/carecircle/carecircle/geo/osm"
)

// chainGraph is a graph with every shape graphChains must handle: a path
// longer than an OSM way may be, a ring of two-edge nodes, a kind change
// in the middle of a path, a junction, and ids that are not in index
// order.
func chainGraph(t *testing.T) *geo.Graph {
	t.Helper()
	var b geo.GraphBuilder
	at := func(x, y float64) orb.Point { return orb.Point{120.8 + x*1e-5, 32.0 + y*1e-5} }
	// A path of 4500 nodes, ids descending.
	prev := b.Node(900_000, at(0, 0))
	for i := 1; i < 4500; i++ {
		n := b.Node(int64(900_000-i), at(float64(i), 0))
		kind := geo.EdgeOther
		if i >= 100 && i < 110 {
			kind = geo.EdgeSteps // a flight of steps in the middle
		}
		b.Edge(prev, n, kind)
		prev = n
	}
	// A ring hanging off node 900_000 through a crossing.
	ring := make([]int32, 12)
	for i := range ring {
		ring[i] = b.Node(int64(10+i), at(float64(i%4), float64(10+i/4)))
	}
	for i := range ring {
		b.Edge(ring[i], ring[(i+1)%len(ring)], geo.EdgeOther)
	}
	start := b.Node(900_000, orb.Point{}) // the existing node
	b.Edge(start, ring[0], geo.EdgeCrossing)
	g, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestGraphChainsCoverEveryEdgeOnce(t *testing.T) {
	g := chainGraph(t)
	seen := make([]int, g.NumEdges())
	for _, c := range graphChains(g) {
		if len(c.nodes) < 2 || len(c.nodes) > maxWayNodes {
			t.Fatalf("chain of %d nodes", len(c.nodes))
		}
		for i := 0; i+1 < len(c.nodes); i++ {
			u, v := c.nodes[i], c.nodes[i+1]
			found := false
			for s := g.Offsets[u]; s < g.Offsets[u+1]; s++ {
				if g.Adj[s] == v {
					e := g.AdjEdge[s]
					seen[e]++
					found = true
					if g.EdgeKind[e] != c.kind {
						t.Errorf("edge %d of kind %s in a %s chain", e, g.EdgeKind[e], c.kind)
					}
				}
			}
			if !found {
				t.Fatalf("chain steps from %d to %d, which are not neighbours", u, v)
			}
		}
	}
	for e, n := range seen {
		if n != 1 {
			t.Errorf("edge %d is in %d chains, want 1", e, n)
		}
	}
}

func TestWriteOSMRoundTrip(t *testing.T) {
	g := chainGraph(t)
	bm := Basemap{
		Buildings: []osm.Building{
			{ID: 77, Kind: "apartments", Levels: 18, Footprint: orb.Polygon{{{120.80001, 32.0002}, {120.80003, 32.0002}, {120.80003, 32.0003}, {120.80001, 32.0003}, {120.80001, 32.0002}}}},
			{ID: 78, Kind: "a&b \"quoted\"", Footprint: orb.Polygon{{{120.80101, 32.0002}, {120.80103, 32.0002}, {120.80103, 32.0003}, {120.80101, 32.0002}}}},
		},
		Water:     []orb.Polygon{{{{120.81, 32.01}, {120.82, 32.01}, {120.82, 32.02}, {120.81, 32.01}}}},
		Waterways: []orb.LineString{{{120.81, 32.03}, {120.82, 32.031}, {120.83, 32.03}}},
	}
	var buf bytes.Buffer
	if err := writeOSM(&buf, g, bm, "test -- with dashes"); err != nil {
		t.Fatal(err)
	}
	if strings.Count(buf.String(), "<way") > 20 {
		t.Errorf("%d ways for a graph of a few chains", strings.Count(buf.String(), "<way"))
	}
	ex, err := osm.Read(context.Background(), &buf, "network.osm", osm.Options{Buildings: true, Water: true})
	if err != nil {
		t.Fatal(err)
	}
	back := ex.Graph
	if back.NumNodes() != g.NumNodes() || back.NumEdges() != g.NumEdges() || !reflect.DeepEqual(edgeSet(g), edgeSet(back)) {
		t.Errorf("graph %d/%d nodes/edges, back %d/%d", g.NumNodes(), g.NumEdges(), back.NumNodes(), back.NumEdges())
	}
	for i, id := range g.OSMIDs {
		if n, ok := back.NodeByOSMID(id); !ok || back.Points[n] != g.Points[i] {
			t.Fatalf("node %d moved or missing", id)
		}
	}
	if !reflect.DeepEqual(ex.Buildings, bm.Buildings) {
		t.Errorf("buildings\n%+v\nback\n%+v", bm.Buildings, ex.Buildings)
	}
	if !reflect.DeepEqual(ex.Water, bm.Water) || !reflect.DeepEqual(ex.Waterways, bm.Waterways) {
		t.Errorf("water\n%v %v\nback\n%v %v", bm.Water, bm.Waterways, ex.Water, ex.Waterways)
	}
}

func TestSnapAllParallelMatchesSerial(t *testing.T) {
	g := chainGraph(t)
	ix := geo.NewEdgeIndex(g)
	na := newNetworkArea(g, ix, geo.DefaultMaxSnap)
	pts := make([]orb.Point, 20000)
	for i := range pts {
		// Along the long path, some points far north of it.
		pts[i] = orb.Point{120.8 + float64(i%4500)*1e-5, 32.0 + float64(i%7)*2e-3}
	}
	snaps, fails := snapAll(na, pts)
	wantSnaps, wantFails := ix.SnapAll(pts, geo.DefaultMaxSnap)
	if !reflect.DeepEqual(snaps, wantSnaps) || !reflect.DeepEqual(fails, wantFails) {
		t.Errorf("parallel snapping differs from serial: %d/%d failures", len(fails), len(wantFails))
	}
	if len(wantFails) == 0 {
		t.Errorf("the test should have points beyond the limit")
	}
}
