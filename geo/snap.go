package geo

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// Snap is a point attached to the walking graph: the nearest position on
// the nearest edge, and the straight access leg to it.
type Snap struct {
	Edge   int32     // undirected edge id
	T      float64   // position along the edge, 0 at EdgeU, 1 at EdgeV
	Access float64   // metres from the point to the edge
	On     orb.Point // the projection on the edge, lon/lat
}

// DefaultMaxSnap is the usual farthest distance, in metres, a point may be
// from the network before it is reported instead of snapped; callers with
// a setting of their own (a standards profile's) pass that instead.
const DefaultMaxSnap = 500.0

// TooFarError reports a point farther than the limit from every edge.
type TooFarError struct {
	Point    orb.Point
	Distance float64 // metres to the nearest edge (+Inf for an empty index)
	Limit    float64
}

func (e *TooFarError) Error() string {
	return fmt.Sprintf("point (%.6f, %.6f) is %.0f m from the nearest walkway, more than the %.0f m limit",
		e.Point[0], e.Point[1], e.Distance, e.Limit)
}

// EdgeIndex finds the nearest edge of a graph to any point. Build it once
// per graph; it is safe for concurrent readers.
type EdgeIndex struct {
	g     *Graph
	plane LocalPlane
	xy    [][2]float64 // node positions in plane metres
	tree  rtree.RTreeG[int32]
}

// NewEdgeIndex indexes every edge of g.
func NewEdgeIndex(g *Graph) *EdgeIndex {
	b := g.Bound()
	ix := &EdgeIndex{g: g, plane: NewLocalPlane(b.Center()[1])}
	ix.xy = make([][2]float64, g.NumNodes())
	for i, p := range g.Points {
		ix.xy[i] = ix.plane.Project(p)
	}
	for e := range g.EdgeU {
		a, c := ix.xy[g.EdgeU[e]], ix.xy[g.EdgeV[e]]
		ix.tree.Insert(
			[2]float64{min(a[0], c[0]), min(a[1], c[1])},
			[2]float64{max(a[0], c[0]), max(a[1], c[1])},
			int32(e))
	}
	return ix
}

// Graph returns the indexed graph.
func (ix *EdgeIndex) Graph() *Graph { return ix.g }

// Snap attaches p to its nearest edge. A point more than limit metres from
// every edge gives a *TooFarError; limit ≤ 0 means no limit.
func (ix *EdgeIndex) Snap(p orb.Point, limit float64) (Snap, error) {
	return ix.SnapWhere(p, limit, nil)
}

// SnapWhere is Snap onto the nearest edge for which keep is true (every
// edge when keep is nil), e.g. only the edges of one piece.
func (ix *EdgeIndex) SnapWhere(p orb.Point, limit float64, keep func(e int32) bool) (Snap, error) {
	q := ix.plane.Project(p)
	best, bestT := int32(-1), 0.0
	ix.tree.Nearby(
		func(min, max [2]float64, e int32, item bool) float64 {
			if !item {
				return boxDist2(q, min, max)
			}
			_, d2 := projectOnSegment(q, ix.xy[ix.g.EdgeU[e]], ix.xy[ix.g.EdgeV[e]])
			return d2
		},
		func(_, _ [2]float64, e int32, d2 float64) bool {
			if keep != nil && !keep(e) {
				// Look on, but not far past the limit (in the plane).
				return limit <= 0 || d2 <= 4*limit*limit
			}
			t, _ := projectOnSegment(q, ix.xy[ix.g.EdgeU[e]], ix.xy[ix.g.EdgeV[e]])
			best, bestT = e, t
			return false // the first item kept is the nearest
		})
	if best < 0 {
		return Snap{}, &TooFarError{Point: p, Distance: math.Inf(1), Limit: limit}
	}
	u, v := ix.g.Points[ix.g.EdgeU[best]], ix.g.Points[ix.g.EdgeV[best]]
	on := orb.Point{u[0] + bestT*(v[0]-u[0]), u[1] + bestT*(v[1]-u[1])}
	access := Haversine(p, on)
	if limit > 0 && access > limit {
		return Snap{}, &TooFarError{Point: p, Distance: access, Limit: limit}
	}
	return Snap{Edge: best, T: bestT, Access: access, On: on}, nil
}

// SnapFailure is a point that could not be snapped, by its index in the
// input.
type SnapFailure struct {
	Index int
	Err   *TooFarError
}

// SnapAll snaps every point, on all cores; those beyond limit are listed
// in the failures, in input order (their Snap is the zero value) so the
// caller can report them. Each point's snap depends on it alone, so the
// result is the same as snapping them one by one.
func (ix *EdgeIndex) SnapAll(pts []orb.Point, limit float64) ([]Snap, []SnapFailure) {
	snaps := make([]Snap, len(pts))
	const chunk = 1024
	chunks := (len(pts) + chunk - 1) / chunk
	fails := make([][]SnapFailure, chunks)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), chunks) {
		wg.Go(func() {
			for c := int(next.Add(1) - 1); c < chunks; c = int(next.Add(1) - 1) {
				for i := c * chunk; i < min(len(pts), (c+1)*chunk); i++ {
					s, err := ix.Snap(pts[i], limit)
					if err != nil {
						fails[c] = append(fails[c], SnapFailure{Index: i, Err: err.(*TooFarError)})
						continue
					}
					snaps[i] = s
				}
			}
		})
	}
	wg.Wait()
	return snaps, slices.Concat(fails...)
}

func boxDist2(q, lo, hi [2]float64) float64 {
	var d float64
	for k := 0; k < 2; k++ {
		if q[k] < lo[k] {
			d += (lo[k] - q[k]) * (lo[k] - q[k])
		} else if q[k] > hi[k] {
			d += (q[k] - hi[k]) * (q[k] - hi[k])
		}
	}
	return d
}
