package geo

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/uber/h3-go/v4"
)

// TestEdgeCellsGiveTheSameServiceAreas: a router with precomputed edge
// cells must draw exactly the areas it draws without them, at the cells'
// resolution, and ignore them at any other.
func TestEdgeCellsGiveTheSameServiceAreas(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 9))
	g := randomGraph(t, rng, 400, 300) // edges from a few metres to ~1.4 km
	plain, _ := NewRouter(g, DefaultWalk())
	fast, _ := NewRouter(g, DefaultWalk())
	for _, res := range []int{9, 10, 11} {
		ec, err := NewEdgeCells(context.Background(), g, res)
		if err != nil {
			t.Fatal(err)
		}
		if err := fast.UseEdgeCells(ec); err != nil {
			t.Fatal(err)
		}
		for e := range int32(g.NumEdges()) {
			cs := ec.Of(e)
			if len(cs) == 0 {
				t.Fatalf("res %d: edge %d has no cells", res, e)
			}
			for i, c := range cs {
				if slices.Contains(cs[:i], c) {
					t.Fatalf("res %d: edge %d lists cell %v twice", res, e, c)
				}
			}
		}
		for k := 0; k < 40; k++ {
			p := randomPoint(rng)
			snap, err := NewEdgeIndex(g).Snap(p, 5000)
			if err != nil {
				t.Fatal(err)
			}
			budget := 60 + rng.Float64()*900
			for _, areaRes := range []int{res, 11} {
				want, err := plain.NewSearch().ServiceArea(snap, budget, areaRes)
				if err != nil {
					t.Fatal(err)
				}
				got, err := fast.NewSearch().ServiceArea(snap, budget, areaRes)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(sortedCells(want.Cells), sortedCells(got.Cells)) || want.WalkwayM != got.WalkwayM {
					t.Fatalf("res %d, site %d, %.0f s, area res %d: %d cells with edge cells, %d without",
						res, k, budget, areaRes, len(got.Cells), len(want.Cells))
				}
			}
		}
	}
	other := lineGraph(t, 3, 50)
	ec, _ := NewEdgeCells(context.Background(), other, 10)
	if err := fast.UseEdgeCells(ec); err == nil {
		t.Error("edge cells of another graph were taken")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := NewEdgeCells(ctx, g, 10); err == nil {
		t.Error("a cancelled build returned no error")
	}
}

func sortedCells(cs []h3.Cell) []h3.Cell {
	out := slices.Clone(cs)
	slices.Sort(out)
	return out
}
