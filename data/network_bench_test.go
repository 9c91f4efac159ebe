package data

import (
	"cmp"
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/carecircle/carecircle/data/sharedtest"
	"github.com/carecircle/carecircle/data/synthetic"
	"github.com/carecircle/carecircle/geo"
	"github.com/paulmach/orb"
)

// benchNetwork is a graph priced for elders with homes to collect: one
// point near every tenth node, like demand points along streets. Nodes are
// taken in order of their source ids, not of their indexes, so that the
// same homes and sites are drawn however the graph numbers its nodes.
type benchNetwork struct {
	router *geo.Router
	index  *geo.EdgeIndex
	points *geo.PointSet
	sites  []geo.Snap
}

func newBenchNetwork(b *testing.B, g *geo.Graph, sites int) *benchNetwork {
	b.Helper()
	r, err := geo.NewRouter(g, geo.DefaultWalk())
	if err != nil {
		b.Fatal(err)
	}
	ix := geo.NewEdgeIndex(g)
	rng := rand.New(rand.NewPCG(1, 2))
	jitter := func(p orb.Point) orb.Point {
		return orb.Point{p[0] + (rng.Float64()-0.5)*4e-4, p[1] + (rng.Float64()-0.5)*4e-4}
	}
	byID := make([]int32, g.NumNodes())
	for i := range byID {
		byID[i] = int32(i)
	}
	slices.SortFunc(byID, func(a, b int32) int { return cmp.Compare(g.OSMIDs[a], g.OSMIDs[b]) })
	var homes []orb.Point
	for i := 0; i < len(byID); i += 10 {
		homes = append(homes, jitter(g.Points[byID[i]]))
	}
	snaps, _ := ix.SnapAll(homes, geo.DefaultMaxSnap)
	bn := &benchNetwork{router: r, index: ix, points: geo.NewPointSet(g, snaps)}
	for len(bn.sites) < sites {
		s, err := ix.Snap(jitter(g.Points[byID[rng.IntN(len(byID))]]), geo.DefaultMaxSnap)
		if err == nil {
			bn.sites = append(bn.sites, s)
		}
	}
	return bn
}

const fifteenMinutes = 15 * 60.0

func benchOneCatchment(b *testing.B, bn *benchNetwork) {
	s := bn.router.NewSearch()
	reached := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		reached += s.Catchment(bn.sites[i%len(bn.sites)], bn.points, fifteenMinutes).Len()
	}
	b.ReportMetric(float64(reached)/float64(b.N), "points/catchment")
}

func benchCatchments(b *testing.B, bn *benchNetwork) {
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := bn.router.Catchments(context.Background(), bn.sites, bn.points, fifteenMinutes); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(bn.sites)), "catchments")
}

func heidelberg(tb testing.TB) *geo.Graph {
	n, err := LoadNetwork(context.Background(), NetworkSource{OSM: sharedtest.Path(tb, "osm", "heidelberg.osm.pbf")}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return n.Graph
}

// BenchmarkCatchment15minHeidelberg is one 15-minute elder catchment
// (budget: < 2 ms).
func BenchmarkCatchment15minHeidelberg(b *testing.B) {
	benchOneCatchment(b, newBenchNetwork(b, heidelberg(b), 1000))
}

// BenchmarkCatchments5000Heidelberg is 5,000 catchments on all cores.
func BenchmarkCatchments5000Heidelberg(b *testing.B) {
	benchCatchments(b, newBenchNetwork(b, heidelberg(b), 5000))
}

func syntheticCity(b *testing.B) *geo.Graph {
	p, err := synthetic.Preset("city")
	if err != nil {
		b.Fatal(err)
	}
	c, err := synthetic.Generate(context.Background(), p, 1)
	if err != nil {
		b.Fatal(err)
	}
	return c.Graph
}

// BenchmarkBuildSyntheticCity builds the 2-million-node network.
func BenchmarkBuildSyntheticCity(b *testing.B) {
	for i := 0; i < b.N; i++ {
		g := syntheticCity(b)
		b.ReportMetric(float64(g.NumNodes()), "nodes")
	}
}

// BenchmarkCatchment15minSyntheticCity is one 15-minute catchment on the
// 2-million-node network.
func BenchmarkCatchment15minSyntheticCity(b *testing.B) {
	benchOneCatchment(b, newBenchNetwork(b, syntheticCity(b), 1000))
}

// BenchmarkCatchments5000SyntheticCity is 5,000 catchments on the
// 2-million-node network (the city preset's facility count).
func BenchmarkCatchments5000SyntheticCity(b *testing.B) {
	benchCatchments(b, newBenchNetwork(b, syntheticCity(b), 5000))
}
