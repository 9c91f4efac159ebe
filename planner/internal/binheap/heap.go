// Package binheap is a binary heap over a slice, generic in its element,
// for the planner's assignment walk and the siting optimiser's lazy
// greedy: container/heap would box every element in an interface.
package binheap

// Heap is a binary heap of T with on top the element that goes before all
// others. The zero value is an empty heap; a slice made by hand becomes
// one after Heapify.
type Heap[T interface{ Before(T) bool }] []T

// Push adds x.
func (h *Heap[T]) Push(x T) {
	*h = append(*h, x)
	a := *h
	for i := len(a) - 1; i > 0; {
		p := (i - 1) / 2
		if !a[i].Before(a[p]) {
			break
		}
		a[i], a[p] = a[p], a[i]
		i = p
	}
}

// Pop removes and returns the top element; the heap must not be empty.
func (h *Heap[T]) Pop() T {
	a := *h
	top := a[0]
	n := len(a) - 1
	a[0] = a[n]
	a = a[:n]
	a.Down(0)
	*h = a
	return top
}

// Heapify orders the slice as a heap.
func (h Heap[T]) Heapify() {
	for i := len(h)/2 - 1; i >= 0; i-- {
		h.Down(i)
	}
}

// Down moves element i down to its place, after its key got worse.
func (h Heap[T]) Down(i int) {
	n := len(h)
	for {
		l, m := 2*i+1, i
		if l < n && h[l].Before(h[m]) {
			m = l
		}
		if r := l + 1; r < n && h[r].Before(h[m]) {
			m = r
		}
		if m == i {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}
