package siting

// binaryHeap is a binary heap of T with on top the element that goes
// before all others. The optimiser keeps two: candidates by marginal gain
// (lazyEntry) and network nodes by distance (distItem).
type binaryHeap[T interface{ before(T) bool }] []T

func (h *binaryHeap[T]) push(x T) {
	*h = append(*h, x)
	a := *h
	for i := len(a) - 1; i > 0; {
		p := (i - 1) / 2
		if !a[i].before(a[p]) {
			break
		}
		a[i], a[p] = a[p], a[i]
		i = p
	}
}

func (h *binaryHeap[T]) pop() T {
	a := *h
	top := a[0]
	n := len(a) - 1
	a[0] = a[n]
	a = a[:n]
	a.down(0)
	*h = a
	return top
}

// heapify orders the slice as a heap.
func (h binaryHeap[T]) heapify() {
	for i := len(h)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
}

// down moves element i down to its place, after its key got worse.
func (h binaryHeap[T]) down(i int) {
	n := len(h)
	for {
		l, m := 2*i+1, i
		if l < n && h[l].before(h[m]) {
			m = l
		}
		if r := l + 1; r < n && h[r].before(h[m]) {
			m = r
		}
		if m == i {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}
