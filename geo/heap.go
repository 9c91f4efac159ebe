package geo

// heap4 is a 4-ary min-heap of (cost, node) pairs with lazy deletion: a node
// may be pushed several times and stale entries are skipped when popped.
// Four children per node halve the depth of a binary heap and keep siblings
// in one cache line, which is what makes Dijkstra fast here.
type heap4 struct {
	items []heapItem
}

type heapItem struct {
	cost float64
	node int32
}

func (h *heap4) reset() { h.items = h.items[:0] }

func (h *heap4) len() int { return len(h.items) }

func (h *heap4) push(cost float64, node int32) {
	h.items = append(h.items, heapItem{cost, node})
	i := len(h.items) - 1
	it := h.items[i]
	for i > 0 {
		p := (i - 1) / 4
		if h.items[p].cost <= it.cost {
			break
		}
		h.items[i] = h.items[p]
		i = p
	}
	h.items[i] = it
}

func (h *heap4) pop() heapItem {
	top := h.items[0]
	last := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	n := len(h.items)
	if n == 0 {
		return top
	}
	i := 0
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		// Smallest of up to four children.
		m := c
		end := min(c+4, n)
		for j := c + 1; j < end; j++ {
			if h.items[j].cost < h.items[m].cost {
				m = j
			}
		}
		if h.items[m].cost >= last.cost {
			break
		}
		h.items[i] = h.items[m]
		i = m
	}
	h.items[i] = last
	return top
}
