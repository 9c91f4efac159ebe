package osm

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

func TestNodeStore(t *testing.T) {
	for _, order := range []string{"sorted", "shuffled"} {
		t.Run(order, func(t *testing.T) {
			// Ids 10, 20, ... over several sample stretches, and one
			// stretch only partly filled at the end.
			const n = 5*sampleStep + 7
			ids := make([]int64, n)
			for i := range ids {
				ids[i] = int64(i+1) * 10
			}
			if order == "shuffled" {
				rand.New(rand.NewPCG(1, 2)).Shuffle(n, func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
			}
			var s nodeStore
			for _, id := range ids {
				s.add(id, float64(id)/1000, float64(id)/2000)
			}
			s.finish()
			if s.len() != n {
				t.Fatalf("len = %d, want %d", s.len(), n)
			}
			for i := int64(1); i <= n; i++ {
				id := i * 10
				p, ok := s.find(id)
				if !ok || p != (orb.Point{float64(id) / 1000, float64(id) / 2000}) {
					t.Errorf("find(%d) = %v, %v", id, p, ok)
				}
				if _, ok := s.find(id + 1); ok {
					t.Errorf("find(%d) found a node never added", id+1)
				}
			}
			for _, id := range []int64{0, 9, -10, n*10 + 10, math.MaxInt64, math.MinInt64} {
				if _, ok := s.find(id); ok {
					t.Errorf("find(%d) found a node never added", id)
				}
			}
		})
	}
}

func TestNodeStoreEdges(t *testing.T) {
	var empty nodeStore
	empty.finish()
	if _, ok := empty.find(1); ok {
		t.Error("empty store found a node")
	}

	var s nodeStore
	s.add(5, 1, 1)
	s.add(3, 2, 2)
	s.add(5, 3, 3)          // a later version of node 5 wins
	s.add(7, 200, 0)        // longitude out of range
	s.add(8, 0, -91)        // latitude out of range
	s.add(9, math.NaN(), 0) // not a number
	s.add(math.MaxInt64, 4, 4)
	s.finish()
	if p, ok := s.find(5); !ok || p != (orb.Point{3, 3}) {
		t.Errorf("find(5) = %v, %v; want the later location 3,3", p, ok)
	}
	for _, id := range []int64{7, 8, 9} {
		if _, ok := s.find(id); ok {
			t.Errorf("node %d with an invalid location was stored", id)
		}
	}
	if p, ok := s.find(math.MaxInt64); !ok || p != (orb.Point{4, 4}) {
		t.Errorf("find(MaxInt64) = %v, %v", p, ok)
	}
	if s.len() != 3 {
		t.Errorf("len = %d, want 3", s.len())
	}
}
