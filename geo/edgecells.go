package geo

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync"

	"github.com/paulmach/orb"
	"github.com/uber/h3-go/v4"
)

// EdgeCells holds, for every edge of a graph, the H3 cells its whole
// length passes through, sampled exactly as ServiceArea samples an edge.
// A walk reaches mostly whole edges, and H3 look-ups are most of a service
// area's cost, so a Router given EdgeCells (UseEdgeCells) makes each area
// several times cheaper; building them costs about as much as a few
// hundred areas (a second or two for a city's network).
type EdgeCells struct {
	res   int
	off   []int // edge e's cells are cells[off[e]:off[e+1]]
	cells []h3.Cell
}

// NewEdgeCells samples every edge of g at H3 resolution res, on every
// core; ctx stops it.
func NewEdgeCells(ctx context.Context, g *Graph, res int) (*EdgeCells, error) {
	step, err := sampleStep(res)
	if err != nil {
		return nil, err
	}
	n := g.NumEdges()
	workers := max(1, min(runtime.GOMAXPROCS(0), n/1024))
	type part struct {
		counts []int32
		cells  []h3.Cell
		err    error
	}
	parts := make([]part, workers)
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*n/workers, (w+1)*n/workers
		wg.Go(func() {
			p := &parts[w]
			p.counts = make([]int32, hi-lo)
			for e := lo; e < hi; e++ {
				if (e-lo)%4096 == 0 && ctx.Err() != nil {
					p.err = ctx.Err()
					return
				}
				before := len(p.cells)
				p.err = sampleEdge(g, int32(e), 0, 1, step, res, func(c h3.Cell) {
					for _, d := range p.cells[before:] {
						if d == c {
							return
						}
					}
					p.cells = append(p.cells, c)
				})
				if p.err != nil {
					return
				}
				p.counts[e-lo] = int32(len(p.cells) - before)
			}
		})
	}
	wg.Wait()
	ec := &EdgeCells{res: res, off: make([]int, n+1)}
	total := 0
	for _, p := range parts {
		if p.err != nil {
			return nil, p.err
		}
		total += len(p.cells)
	}
	ec.cells = make([]h3.Cell, 0, total)
	e := 0
	for _, p := range parts {
		for _, c := range p.counts {
			ec.off[e+1] = ec.off[e] + int(c)
			e++
		}
		ec.cells = append(ec.cells, p.cells...)
	}
	return ec, nil
}

// Res is the H3 resolution of the cells.
func (ec *EdgeCells) Res() int { return ec.res }

// Of returns the cells edge e passes through; the caller must not change
// them.
func (ec *EdgeCells) Of(e int32) []h3.Cell { return ec.cells[ec.off[e]:ec.off[e+1]] }

// Bytes is the memory the cells take.
func (ec *EdgeCells) Bytes() int64 { return int64(len(ec.off))*8 + int64(len(ec.cells))*8 }

// sampleStep is the spacing of samples along an edge at resolution res:
// half a cell's edge, so a walkway crossing a cell for longer than that is
// sure to mark it.
func sampleStep(res int) (float64, error) {
	if res < 0 || res > 15 {
		return 0, fmt.Errorf("service area: H3 resolution %d is not in 0..15", res)
	}
	edgeM, err := h3.HexagonEdgeLengthAvgM(res)
	if err != nil {
		return 0, err
	}
	return edgeM / 2, nil
}

// sampleEdge calls add with the cell of each sample along edge e between
// fractions f0 and f1, both ends included.
func sampleEdge(g *Graph, e int32, f0, f1, step float64, res int, add func(h3.Cell)) error {
	a, b := g.Points[g.EdgeU[e]], g.Points[g.EdgeV[e]]
	n := int(math.Ceil((f1-f0)*g.EdgeLen[e]/step)) + 1
	for k := 0; k <= n; k++ {
		f := f0 + (f1-f0)*float64(k)/float64(n)
		p := orb.Point{a[0] + f*(b[0]-a[0]), a[1] + f*(b[1]-a[1])}
		c, err := h3.LatLngToCell(h3.NewLatLng(p[1], p[0]), res)
		if err != nil {
			return err
		}
		add(c)
	}
	return nil
}
