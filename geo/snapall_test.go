package geo

import (
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

// TestSnapAllEqualsOneByOne snaps more points than one worker's share,
// some too far, and checks every snap and failure against Snap.
func TestSnapAllEqualsOneByOne(t *testing.T) {
	var b GraphBuilder
	const n = 30
	for i := range n {
		for j := range n {
			b.Node(int64(i*n+j+1), orb.Point{121 + float64(i)*1e-3, 31 + float64(j)*1e-3})
		}
	}
	for i := range n {
		for j := range n {
			u := int32(i*n + j)
			if i+1 < n {
				b.Edge(u, u+n, EdgeOther)
			}
			if j+1 < n {
				b.Edge(u, u+1, EdgeOther)
			}
		}
	}
	g, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	ix := NewEdgeIndex(g)
	rng := rand.New(rand.NewPCG(1, 1))
	pts := make([]orb.Point, 5000)
	for i := range pts {
		pts[i] = orb.Point{121 - 0.01 + rng.Float64()*0.05, 31 - 0.01 + rng.Float64()*0.05}
	}
	snaps, fails := ix.SnapAll(pts, 300)
	failed := map[int]bool{}
	for k, f := range fails {
		if k > 0 && fails[k-1].Index >= f.Index {
			t.Fatalf("failures out of order: %d then %d", fails[k-1].Index, f.Index)
		}
		failed[f.Index] = true
	}
	if len(fails) == 0 || len(fails) == len(pts) {
		t.Fatalf("%d of %d points failed: the test wants some of each", len(fails), len(pts))
	}
	for i, p := range pts {
		s, err := ix.Snap(p, 300)
		if (err != nil) != failed[i] || (err == nil && s != snaps[i]) {
			t.Fatalf("point %d: SnapAll %+v (failed %v), Snap %+v, %v", i, snaps[i], failed[i], s, err)
		}
	}
}
