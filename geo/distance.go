package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// EarthRadius is the mean Earth radius in metres used for every length
// (IUGG mean radius R1, the value OSM routing tools commonly use).
const EarthRadius = 6371008.8

// Haversine returns the great-circle distance in metres between two
// lon/lat points.
func Haversine(a, b orb.Point) float64 {
	const rad = math.Pi / 180
	lat1, lat2 := a[1]*rad, b[1]*rad
	dLat := lat2 - lat1
	dLon := (b[0] - a[0]) * rad
	s1 := math.Sin(dLat / 2)
	s2 := math.Sin(dLon / 2)
	h := s1*s1 + math.Cos(lat1)*math.Cos(lat2)*s2*s2
	return 2 * EarthRadius * math.Asin(math.Min(1, math.Sqrt(h)))
}

// LocalPlane is an equirectangular projection to metres around a reference
// latitude. Over a city (tens of kilometres) its scale error is well under
// one percent, which is enough to rank candidates for the nearest edge; exact
// lengths are always computed with Haversine.
type LocalPlane struct {
	kx, ky float64 // metres per degree of longitude and latitude
}

// NewLocalPlane returns the plane for the given reference latitude.
func NewLocalPlane(lat float64) LocalPlane {
	ky := EarthRadius * math.Pi / 180
	return LocalPlane{kx: ky * math.Cos(lat*math.Pi/180), ky: ky}
}

// Project maps a lon/lat point to plane metres.
func (p LocalPlane) Project(pt orb.Point) [2]float64 {
	return [2]float64{pt[0] * p.kx, pt[1] * p.ky}
}

// Unproject maps plane metres back to lon/lat.
func (p LocalPlane) Unproject(xy [2]float64) orb.Point {
	return orb.Point{xy[0] / p.kx, xy[1] / p.ky}
}

// projectOnSegment returns the parameter t in [0,1] of the point of segment
// a-b closest to p, and the squared distance to it, all in plane metres.
func projectOnSegment(p, a, b [2]float64) (t, d2 float64) {
	dx, dy := b[0]-a[0], b[1]-a[1]
	l2 := dx*dx + dy*dy
	if l2 > 0 {
		t = ((p[0]-a[0])*dx + (p[1]-a[1])*dy) / l2
		t = math.Max(0, math.Min(1, t))
	}
	qx, qy := a[0]+t*dx-p[0], a[1]+t*dy-p[1]
	return t, qx*qx + qy*qy
}
