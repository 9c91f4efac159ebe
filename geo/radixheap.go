package geo

import (
	"math"
	"math/bits"
)

// radixHeap is a monotone priority queue of (cost, node) pairs for
// Dijkstra: every pushed cost must be at least the last popped one, which
// holds because walking times only grow along a path. Non-negative
// IEEE-754 doubles order like their bit patterns read as unsigned
// integers, so costs are keyed by their bits and kept in bucket
// bits.Len64(key ^ last): bucket 0 holds keys equal to the last popped
// key, bucket b keys whose highest bit differing from it is b-1. Popping
// empties bucket 0 first; when it is empty, the smallest key of the lowest
// non-empty bucket becomes the new last key and that bucket's items fall
// into lower buckets. Each item moves down at most 64 times and in
// practice a few, where the 4-ary heap used before sifted every pop
// through log4(n) levels. It is used with lazy deletion: a node may be
// pushed several times and stale entries are skipped when popped.
type radixHeap struct {
	last    uint64
	n       int
	full    uint64 // bit b-1 set when bucket b (1..64) is not empty
	buckets [65][]radixItem
}

// heapItem is a popped node and its cost.
type heapItem struct {
	cost float64
	node int32
}

type radixItem struct {
	key  uint64
	node int32
}

// radixKey is the bit pattern of a non-negative cost; the sign bit is
// dropped so that -0 keys like +0.
func radixKey(cost float64) uint64 { return math.Float64bits(cost) &^ (1 << 63) }

func (h *radixHeap) reset() {
	for b := range h.buckets {
		h.buckets[b] = h.buckets[b][:0]
	}
	h.last, h.n, h.full = 0, 0, 0
}

func (h *radixHeap) len() int { return h.n }

// push adds node at cost, which must not be below the last popped cost.
func (h *radixHeap) push(cost float64, node int32) {
	k := radixKey(cost)
	b := bits.Len64(k ^ h.last)
	h.buckets[b] = append(h.buckets[b], radixItem{k, node})
	if b > 0 {
		h.full |= 1 << (b - 1)
	}
	h.n++
}

// pop removes and returns an item of least cost.
func (h *radixHeap) pop() heapItem {
	if len(h.buckets[0]) == 0 {
		b := bits.TrailingZeros64(h.full) + 1
		items := h.buckets[b]
		m := items[0].key
		for _, it := range items[1:] {
			m = min(m, it.key)
		}
		h.last = m
		for _, it := range items {
			nb := bits.Len64(it.key ^ m) // < b: it shares bits above b-1 with m
			h.buckets[nb] = append(h.buckets[nb], it)
			if nb > 0 {
				h.full |= 1 << (nb - 1)
			}
		}
		h.buckets[b] = items[:0]
		h.full &^= 1 << (b - 1)
	}
	zero := h.buckets[0]
	it := zero[len(zero)-1]
	h.buckets[0] = zero[:len(zero)-1]
	h.n--
	return heapItem{math.Float64frombits(it.key), it.node}
}
