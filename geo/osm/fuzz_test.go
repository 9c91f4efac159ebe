package osm

import (
	"bytes"
	"context"
	"math"
	"strings"
	"testing"

	"github.com/carecircle/carecircle/geo"
)

// FuzzRead feeds arbitrary bytes to Read, seeded with the hand-made
// extracts (ways, pedestrian areas, a multipolygon) in XML and PBF. It
// must return an error naming the input or a graph whose every edge is
// as long as the great circle between its ends, and never panic.
func FuzzRead(f *testing.F) {
	for _, fx := range []fixture{town(), plaza()} {
		f.Add(fx.xmlDoc(false))
		f.Add(fx.pbf(pbfOptions{}))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ex, err := Read(context.Background(), bytes.NewReader(data), "fuzz", Options{Buildings: true, Water: true})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz: ") {
				t.Fatalf("error %q does not name the input", err)
			}
			return
		}
		g := ex.Graph
		for e := range g.NumEdges() {
			l, h := g.EdgeLen[e], geo.Haversine(g.Points[g.EdgeU[e]], g.Points[g.EdgeV[e]])
			if math.IsNaN(l) || l < h-1e-6 {
				t.Fatalf("edge %d is %v m, the great circle %v m", e, l, h)
			}
		}
		if g.NumPieces() < 1 || g.PieceNodes(0) < 2 {
			t.Fatalf("%d pieces, the main one of %d nodes", g.NumPieces(), g.PieceNodes(0))
		}
	})
}
