package planner

import "unsafe"

// Bytes estimates the memory an evaluation holds of its own: per demand
// point its nearest times and accessibility, per facility its record and
// state, and the summary pages it does not share with the model's
// baseline (at most all of them). Caches bound themselves with it.
func (e *Evaluation) Bytes() int64 {
	points := int64(e.m.Demand.Len())
	n := points * int64(len(e.nearest)*4+8)
	n += int64(len(e.Facilities)) * int64(unsafe.Sizeof(Facility{})+8+4+8)
	if e.sum != nil && e.sum != e.m.baseline.sum {
		own := 0
		base := e.m.baseline.sum
		for pg := range e.sum.pages {
			if base == nil || &e.sum.pages[pg][0] != &base.pages[pg][0] {
				own += len(e.sum.pages[pg])
			}
		}
		n += int64(own) * int64(unsafe.Sizeof(Indicators{}))
	}
	return n
}
