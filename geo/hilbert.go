package geo

import (
	"slices"

	"github.com/paulmach/orb"
)

// hilbertBits is the resolution of the curve on each axis: 2^16 cells
// across the graph's bounding box, under a metre for a city.
const hilbertBits = 16

// hilbertIndex returns the position of cell (x, y) along the Hilbert curve
// that fills a 2^hilbertBits square (the iterative form of Hamilton's
// "Compact Hilbert indices", as on Wikipedia's "Hilbert curve" page).
func hilbertIndex(x, y uint32) uint64 {
	const n = 1 << hilbertBits
	var d uint64
	for s := uint32(n / 2); s > 0; s /= 2 {
		var rx, ry uint32
		if x&s != 0 {
			rx = 1
		}
		if y&s != 0 {
			ry = 1
		}
		d += uint64(s) * uint64(s) * uint64((3*rx)^ry)
		if ry == 0 { // rotate the quadrant so the curve stays continuous
			if rx == 1 {
				x, y = n-1-x, n-1-y
			}
			x, y = y, x
		}
	}
	return d
}

// hilbertOrder returns the indexes i with keep[i], sorted along a Hilbert
// curve through points[i] (ties, such as two nodes in one cell, by index).
// Nodes near each other on the ground get indexes near each other, so a
// bounded search reads few cache lines.
func hilbertOrder(points []orb.Point, keep []bool) []int32 {
	var b orb.Bound
	first := true
	for i, p := range points {
		if !keep[i] {
			continue
		}
		if first {
			b, first = orb.Bound{Min: p, Max: p}, false
			continue
		}
		b = b.Extend(p)
	}
	cell := func(v, lo, hi float64) uint32 {
		if hi <= lo {
			return 0
		}
		c := (v - lo) / (hi - lo) * (1<<hilbertBits - 1)
		return uint32(min(max(c, 0), 1<<hilbertBits-1))
	}
	// A key has 2·hilbertBits = 32 bits: key and index share one uint64,
	// so a plain integer sort orders by key, then by index.
	ks := make([]uint64, 0, len(points))
	for i, p := range points {
		if keep[i] {
			d := hilbertIndex(cell(p[0], b.Min[0], b.Max[0]), cell(p[1], b.Min[1], b.Max[1]))
			ks = append(ks, d<<32|uint64(i))
		}
	}
	slices.Sort(ks)
	order := make([]int32, len(ks))
	for k, x := range ks {
		order[k] = int32(uint32(x))
	}
	return order
}
