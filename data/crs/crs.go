// Package crs converts between the coordinate systems met in Chinese map
// data: WGS84 (GPS, OpenStreetMap), GCJ-02 (the state-mandated obfuscated
// datum used by Amap/高德, Tencent/腾讯 and Google China) and BD-09 (Baidu's
// further offset on top of GCJ-02).
//
// Everything inside CareCircle is WGS84; inputs in GCJ-02 or BD-09 are
// converted on load with ToWGS84, and exports for Chinese web maps use
// FromWGS84. Points are orb.Point, i.e. {longitude, latitude} in degrees.
//
// WGS84 → GCJ-02 is the widely published closed-form offset (the "eviltransform"
// formula, an ellipsoid of a = 6378245 m, e² = 0.00669342162296594323 and a
// sum of sines). It has no closed-form inverse, so GCJ-02 → WGS84 solves
// forward(w) = g by fixed-point iteration to better than 1e-9° (about 0.1 mm),
// far below the error of the usual one-step approximation
// g − offset(g), which reaches 5e-5° (several metres) across China.
//
// Outside mainland China GCJ-02 equals WGS84. "Outside" is the usual crude
// rectangle test (longitude 72.004–137.8347°E, latitude 0.8293–55.8271°N):
// points outside it are returned unchanged. The rectangle is what every
// published implementation uses, so we agree with them, but it is coarse: it
// also covers e.g. Mongolia, the Korean peninsula, most of Japan, Taiwan,
// Hong Kong and Macau, where real providers may not apply the offset. Data
// for those places should be declared WGS84.
//
// BD-09 is GCJ-02 plus Baidu's own offset, applied everywhere (also outside
// the rectangle), as the common implementations do.
package crs

import (
	"fmt"
	"math"
	"strings"

	"github.com/paulmach/orb"
)

// System names a geographic coordinate system of input or output data.
type System string

// The coordinate systems CareCircle reads and writes.
const (
	// WGS84 is plain GPS longitude/latitude (EPSG:4326), used by OSM and
	// everything inside CareCircle.
	WGS84 System = "wgs84"
	// GCJ02 is the Chinese state datum ("火星坐标") used by Amap and Tencent.
	GCJ02 System = "gcj02"
	// BD09 is Baidu's offset on top of GCJ-02 (longitude/latitude, not
	// Baidu Mercator "bd09mc", which is not supported).
	BD09 System = "bd09"
)

// Systems lists the supported systems in a stable order.
func Systems() []System { return []System{WGS84, GCJ02, BD09} }

// String returns the canonical lower-case name.
func (s System) String() string { return string(s) }

// Valid reports whether s is one of the supported constants.
func (s System) Valid() bool { return s == WGS84 || s == GCJ02 || s == BD09 }

// aliases maps normalised spellings (lower case, no spaces, '-', '_', ':'
// or '.', no trailing 坐标/坐标系) to systems. Provider names are accepted because users often know the
// source of their coordinates ("I copied them from Amap") rather than the
// datum.
var aliases = map[string]System{
	"wgs84":    WGS84,
	"epsg4326": WGS84,
	"4326":     WGS84,
	"gps":      WGS84,
	"osm":      WGS84,
	"地球":       WGS84,
	"gcj02":    GCJ02,
	"gcj":      GCJ02,
	"amap":     GCJ02,
	"gaode":    GCJ02,
	"autonavi": GCJ02,
	"tencent":  GCJ02,
	"mars":     GCJ02,
	"高德":       GCJ02,
	"腾讯":       GCJ02,
	"火星":       GCJ02,
	"国测局":      GCJ02,
	"bd09":     BD09,
	"bd09ll":   BD09,
	"baidu":    BD09,
	"百度":       BD09,
}

// Parse reads a coordinate-system name, case-insensitively. Besides the
// canonical names it accepts "wgs-84", "gcj-02", "bd-09", "epsg:4326",
// provider names ("amap", "gaode", "tencent", "baidu") and the usual Chinese
// names (高德, 腾讯, 百度, 火星坐标, 国测局坐标).
func Parse(s string) (System, error) {
	key := strings.ToLower(strings.TrimSpace(s))
	key = strings.NewReplacer("-", "", "_", "", " ", "", ".", "", ":", "").Replace(key)
	// "百度坐标系", "火星坐标" and the like name the system plus a suffix.
	key = strings.TrimSuffix(strings.TrimSuffix(key, "坐标系"), "坐标")
	if sys, ok := aliases[key]; ok {
		return sys, nil
	}
	if key == "bd09mc" || key == "baidumercator" {
		return "", fmt.Errorf("coordinate system %q: Baidu Mercator (bd09mc) is not supported; give BD-09 longitude/latitude (bd09ll)", s)
	}
	return "", fmt.Errorf("unknown coordinate system %q: want one of wgs84, gcj02 (Amap, Tencent), bd09 (Baidu)", s)
}

// ToWGS84 converts p from sys to WGS84. It panics if sys is not one of the
// constants (a programming error: validate input with Parse first).
func ToWGS84(sys System, p orb.Point) orb.Point {
	switch sys {
	case WGS84:
		return p
	case GCJ02:
		return GCJ02ToWGS84(p)
	case BD09:
		return BD09ToWGS84(p)
	}
	panic(fmt.Sprintf("crs.ToWGS84: unknown system %q", string(sys)))
}

// FromWGS84 converts a WGS84 point p to sys. It panics if sys is not one of
// the constants.
func FromWGS84(sys System, p orb.Point) orb.Point {
	switch sys {
	case WGS84:
		return p
	case GCJ02:
		return WGS84ToGCJ02(p)
	case BD09:
		return WGS84ToBD09(p)
	}
	panic(fmt.Sprintf("crs.FromWGS84: unknown system %q", string(sys)))
}

// Convert converts p from one system to another.
func Convert(from, to System, p orb.Point) orb.Point {
	if from == to && from.Valid() {
		return p
	}
	return FromWGS84(to, ToWGS84(from, p))
}

// Projection returns Convert(from, to, ·) as an orb.Projection, so whole
// geometries can be converted with orb/project.Geometry.
func Projection(from, to System) orb.Projection {
	if !from.Valid() || !to.Valid() {
		panic(fmt.Sprintf("crs.Projection: unknown system %q or %q", string(from), string(to)))
	}
	return func(p orb.Point) orb.Point { return Convert(from, to, p) }
}

// OutOfChina reports whether p lies outside the rectangle in which GCJ-02
// differs from WGS84 (see the package comment for how coarse it is).
func OutOfChina(p orb.Point) bool {
	lng, lat := p[0], p[1]
	return lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271
}

// Krasovsky 1940 ellipsoid parameters as used by the GCJ-02 formula.
const (
	gcjA  = 6378245.0
	gcjEE = 0.00669342162296594323
)

// gcjOffset returns the GCJ-02 offset (dLng, dLat) in degrees at WGS84
// point (lng, lat).
func gcjOffset(lng, lat float64) (dLng, dLat float64) {
	x, y := lng-105.0, lat-35.0
	xPi, yPi := x*math.Pi, y*math.Pi
	sqrtAbsX := math.Sqrt(math.Abs(x))
	common := 20.0*math.Sin(6.0*xPi) + 20.0*math.Sin(2.0*xPi)

	dLat = -100.0 + 2.0*x + 3.0*y + 0.2*y*y + 0.1*x*y + 0.2*sqrtAbsX +
		(common+
			20.0*math.Sin(yPi)+40.0*math.Sin(yPi/3.0)+
			160.0*math.Sin(yPi/12.0)+320.0*math.Sin(yPi/30.0))*2.0/3.0
	dLng = 300.0 + x + 2.0*y + 0.1*x*x + 0.1*x*y + 0.1*sqrtAbsX +
		(common+
			20.0*math.Sin(xPi)+40.0*math.Sin(xPi/3.0)+
			150.0*math.Sin(xPi/12.0)+300.0*math.Sin(xPi/30.0))*2.0/3.0

	// The sums above are metres on the ellipsoid; turn them into degrees
	// with the meridian and parallel radii of curvature at lat.
	radLat := lat / 180.0 * math.Pi
	sinLat := math.Sin(radLat)
	magic := 1 - gcjEE*sinLat*sinLat
	sqrtMagic := math.Sqrt(magic)
	dLat = dLat * 180.0 / ((gcjA * (1 - gcjEE)) / (magic * sqrtMagic) * math.Pi)
	dLng = dLng * 180.0 / (gcjA / sqrtMagic * math.Cos(radLat) * math.Pi)
	return dLng, dLat
}

// WGS84ToGCJ02 applies the GCJ-02 offset; points outside China are
// returned unchanged.
func WGS84ToGCJ02(p orb.Point) orb.Point {
	if OutOfChina(p) {
		return p
	}
	dLng, dLat := gcjOffset(p[0], p[1])
	return orb.Point{p[0] + dLng, p[1] + dLat}
}

// Convergence of the iterative inverses. Both offsets change slowly with
// position (the steepest GCJ-02 term, 13 m·sin(6πx), has a slope of about
// 2e-3 degree per degree), so the fixed-point iteration w ← w − (f(w) − g)
// is a strong contraction and gains two to three digits per round: two or
// three rounds reach the tolerance and maxIter is only a guard against
// oscillation at the edge of the out-of-China rectangle.
const (
	inverseTolerance = 1e-10 // degrees, ≈ 0.01 mm
	maxIter          = 30
)

// GCJ02ToWGS84 inverts WGS84ToGCJ02 iteratively to better than 1e-9°.
// Points outside China are returned unchanged.
func GCJ02ToWGS84(g orb.Point) orb.Point {
	if OutOfChina(g) {
		return g
	}
	// Start from the one-step approximation, then correct by the residual
	// forward(w) − g until it vanishes.
	dLng, dLat := gcjOffset(g[0], g[1])
	w := orb.Point{g[0] - dLng, g[1] - dLat}
	for i := 0; i < maxIter; i++ {
		f := WGS84ToGCJ02(w)
		rLng, rLat := f[0]-g[0], f[1]-g[1]
		w[0] -= rLng
		w[1] -= rLat
		if math.Abs(rLng) < inverseTolerance && math.Abs(rLat) < inverseTolerance {
			break
		}
	}
	return w
}

// xPi is π·3000/180, the constant of Baidu's BD-09 formula.
const xPi = math.Pi * 3000.0 / 180.0

// GCJ02ToBD09 applies Baidu's BD-09 offset to a GCJ-02 point.
func GCJ02ToBD09(g orb.Point) orb.Point {
	x, y := g[0], g[1]
	z := math.Sqrt(x*x+y*y) + 0.00002*math.Sin(y*xPi)
	theta := math.Atan2(y, x) + 0.000003*math.Cos(x*xPi)
	return orb.Point{z*math.Cos(theta) + 0.0065, z*math.Sin(theta) + 0.006}
}

// BD09ToGCJ02 inverts GCJ02ToBD09. The published one-step inverse is off by
// up to ~2e-6° across China; refining it by fixed-point iteration makes
// round trips exact to better than 1e-9°.
func BD09ToGCJ02(b orb.Point) orb.Point {
	x, y := b[0]-0.0065, b[1]-0.006
	z := math.Sqrt(x*x+y*y) - 0.00002*math.Sin(y*xPi)
	theta := math.Atan2(y, x) - 0.000003*math.Cos(x*xPi)
	g := orb.Point{z * math.Cos(theta), z * math.Sin(theta)}
	for i := 0; i < maxIter; i++ {
		f := GCJ02ToBD09(g)
		rLng, rLat := f[0]-b[0], f[1]-b[1]
		g[0] -= rLng
		g[1] -= rLat
		if math.Abs(rLng) < inverseTolerance && math.Abs(rLat) < inverseTolerance {
			break
		}
	}
	return g
}

// WGS84ToBD09 converts WGS84 to BD-09 (via GCJ-02).
func WGS84ToBD09(p orb.Point) orb.Point { return GCJ02ToBD09(WGS84ToGCJ02(p)) }

// BD09ToWGS84 converts BD-09 to WGS84 (via GCJ-02).
func BD09ToWGS84(b orb.Point) orb.Point { return GCJ02ToWGS84(BD09ToGCJ02(b)) }
