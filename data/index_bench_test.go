package data

import (
	"testing"

	"github.com/carecircle/carecircle/geo"
	"github.com/paulmach/orb"
)

// BenchmarkEdgeIndexSyntheticCity indexes the edges of the
// 2-million-node network (the R-tree every snap searches).
func BenchmarkEdgeIndexSyntheticCity(b *testing.B) {
	g := syntheticCity(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		geo.NewEdgeIndex(g)
	}
	b.ReportMetric(float64(g.NumEdges()), "edges")
}

// BenchmarkSnapAllSyntheticCity snaps a point near every tenth node of
// the 2-million-node network, as the city's demand is snapped.
func BenchmarkSnapAllSyntheticCity(b *testing.B) {
	g := syntheticCity(b)
	ix := geo.NewEdgeIndex(g)
	var pts []orb.Point
	for i := 0; i < g.NumNodes(); i += 10 {
		p := g.Points[i]
		pts = append(pts, orb.Point{p[0] + 1e-4, p[1] + 1e-4})
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ix.SnapAll(pts, geo.DefaultMaxSnap)
	}
	b.ReportMetric(float64(len(pts)), "points")
}
