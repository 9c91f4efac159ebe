package geo

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestRadixHeapPopsInOrder drives the queue with the pushes Dijkstra makes
// (never below the last pop, with ties, zeros, -0 and tiny steps) and
// checks every pop against the least cost left, found by a scan.
func TestRadixHeapPopsInOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var h radixHeap
	for round := 0; round < 50; round++ {
		h.reset()
		var left []float64
		push := func(c float64) {
			h.push(c, int32(len(left)))
			left = append(left, c)
		}
		for _, c := range []float64{0, math.Copysign(0, -1), 3.5, 3.5, 1e-300} {
			push(c)
		}
		last := 0.0
		for step := 0; len(left) > 0; step++ {
			for k := rng.IntN(4); k > 0 && step < 1500; k-- {
				switch rng.IntN(4) {
				case 0:
					push(last) // a tie with the last pop
				case 1:
					push(last + rng.Float64()*1e-9)
				default:
					push(last + rng.ExpFloat64()*30)
				}
			}
			if h.len() != len(left) {
				t.Fatalf("round %d step %d: len %d, want %d", round, step, h.len(), len(left))
			}
			want := slices.Min(left)
			got := h.pop().cost
			if got != want {
				t.Fatalf("round %d step %d: popped %v, want %v", round, step, got, want)
			}
			left = slices.Delete(left, slices.Index(left, want), slices.Index(left, want)+1)
			last = got
		}
		if h.len() != 0 {
			t.Fatalf("round %d: %d left after all pops", round, h.len())
		}
	}
}
