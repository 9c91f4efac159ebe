package geo

import (
	"testing"

	"github.com/paulmach/orb"
)

// TestHilbertIndex checks the curve by brute force on the 64 × 64 corner
// it fills first: every cell gets its own index below 64², and cells one
// apart on the curve are neighbours on the grid.
func TestHilbertIndex(t *testing.T) {
	const side = 64
	at := make([][2]uint32, side*side)
	seen := make([]bool, side*side)
	for x := uint32(0); x < side; x++ {
		for y := uint32(0); y < side; y++ {
			d := hilbertIndex(x, y)
			if d >= side*side {
				t.Fatalf("cell (%d, %d): index %d; want below %d", x, y, d, side*side)
			}
			if seen[d] {
				t.Fatalf("cell (%d, %d): index %d given twice", x, y, d)
			}
			seen[d], at[d] = true, [2]uint32{x, y}
		}
	}
	for d := 1; d < len(at); d++ {
		a, b := at[d-1], at[d]
		dx, dy := int(a[0])-int(b[0]), int(a[1])-int(b[1])
		if dx*dx+dy*dy != 1 {
			t.Fatalf("indexes %d and %d are cells %v and %v; want grid neighbours", d-1, d, a, b)
		}
	}
}

// TestBuildKeepsIdsAndLengths builds a small grid whose nodes are added in
// scrambled order and checks that renumbering keeps every node's point with
// its source id and every edge's ends (from the end added first) and
// length.
func TestBuildKeepsIdsAndLengths(t *testing.T) {
	const side = 9
	var b GraphBuilder
	pt := func(id int64) orb.Point { return orb.Point{8.6 + float64(id%side)*1e-3, 49.4 + float64(id/side)*1e-3} }
	type pair struct{ u, v int64 }
	var want []pair
	for k := int64(0); k < side*side; k++ {
		id := (k * 37) % (side * side) // scrambled insertion order
		if id%side+1 < side {
			want = append(want, pair{id, id + 1})
		}
		if id+side < side*side {
			want = append(want, pair{id, id + side})
		}
	}
	for i, p := range want {
		u, v := b.Node(p.u, pt(p.u)), b.Node(p.v, pt(p.v))
		b.Edge(u, v, EdgeOther)
		if u > v { // an edge runs from the end added first, as before renumbering
			want[i] = pair{p.v, p.u}
		}
	}
	g, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	if err := g.validate(); err != nil {
		t.Fatal(err)
	}
	for u, id := range g.OSMIDs {
		if g.Points[u] != pt(id) {
			t.Errorf("node %d (id %d) at %v; want %v", u, id, g.Points[u], pt(id))
		}
		if n, ok := g.NodeByOSMID(id); !ok || n != int32(u) {
			t.Errorf("NodeByOSMID(%d) = %d, %v; want %d", id, n, ok, u)
		}
	}
	got := map[pair]float64{}
	for e := range g.NumEdges() {
		got[pair{g.OSMIDs[g.EdgeU[e]], g.OSMIDs[g.EdgeV[e]]}] = g.EdgeLen[e]
	}
	if len(got) != len(want) {
		t.Fatalf("%d edges; want %d", len(got), len(want))
	}
	for _, p := range want {
		l, ok := got[p]
		if !ok {
			t.Errorf("edge %d–%d missing or turned round", p.u, p.v)
		} else if l != Haversine(pt(p.u), pt(p.v)) {
			t.Errorf("edge %d–%d: %v m; want %v", p.u, p.v, l, Haversine(pt(p.u), pt(p.v)))
		}
	}
}
