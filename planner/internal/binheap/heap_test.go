package binheap

import (
	"math/rand/v2"
	"slices"
	"testing"
)

type num int

func (a num) Before(b num) bool { return a < b }

// TestHeapSorts: pushing, heapifying and popping random numbers gives
// them in order, as sorting does.
func TestHeapSorts(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 50 {
		n := rng.IntN(200)
		in := make([]num, n)
		for i := range in {
			in[i] = num(rng.IntN(100))
		}
		want := slices.Clone(in)
		slices.Sort(want)

		var pushed Heap[num]
		for _, x := range in {
			pushed.Push(x)
		}
		built := Heap[num](slices.Clone(in))
		built.Heapify()
		for name, h := range map[string]*Heap[num]{"pushed": &pushed, "heapified": &built} {
			var got []num
			for len(*h) > 0 {
				got = append(got, h.Pop())
			}
			if !slices.Equal(got, want) {
				t.Fatalf("trial %d, %s: popped %v, want %v", trial, name, got, want)
			}
		}
	}
}
