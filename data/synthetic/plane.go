package synthetic

import (
	"math"

	"github.com/carecircle/carecircle/geo"
	"github.com/paulmach/orb"
)

// pt is a point on the generator's local plane in metres: x east, y north,
// origin at the south-west corner of the city's bound.
type pt struct{ x, y float64 }

func (a pt) add(b pt) pt              { return pt{a.x + b.x, a.y + b.y} }
func (a pt) sub(b pt) pt              { return pt{a.x - b.x, a.y - b.y} }
func (a pt) scale(k float64) pt       { return pt{a.x * k, a.y * k} }
func (a pt) dist(b pt) float64        { return math.Hypot(a.x-b.x, a.y-b.y) }
func lerp(a, b, t float64) float64    { return a + t*(b-a) }
func lerpPt(a, b pt, t float64) pt    { return pt{lerp(a.x, b.x, t), lerp(a.y, b.y, t)} }
func clamp(v, lo, hi float64) float64 { return max(lo, min(hi, v)) }

// frame converts between the local plane and WGS84. It uses geo.LocalPlane,
// an equirectangular projection, because that is an affine map: straight
// edges stay straight and an edge clear of the river polygon in metres is
// clear of it in degrees too.
type frame struct {
	plane  geo.LocalPlane
	ox, oy float64 // plane coordinates of the south-west corner
}

// newFrame places a w by h metre rectangle centred on center.
func newFrame(center orb.Point, w, h float64) frame {
	lp := geo.NewLocalPlane(center[1])
	c := lp.Project(center)
	return frame{plane: lp, ox: c[0] - w/2, oy: c[1] - h/2}
}

// lonLat maps a plane point to WGS84. The map is monotone in each axis, so
// every point of [0,w]×[0,h] lands inside the bound built from the corners.
func (f frame) lonLat(p pt) orb.Point {
	return f.plane.Unproject([2]float64{f.ox + p.x, f.oy + p.y})
}

// metres maps a WGS84 point to the plane.
func (f frame) metres(q orb.Point) pt {
	xy := f.plane.Project(q)
	return pt{xy[0] - f.ox, xy[1] - f.oy}
}
