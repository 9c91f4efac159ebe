package tiles

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// Geometry is held in Web Mercator "world" coordinates: x and y in [0, 1],
// y down from the north edge, the plane every XYZ tile is a square of. A
// tile at zoom z is then a scale and a shift away, with no trigonometry per
// point when a tile is built, and the spatial indexes are queried with the
// tile's own square.

// extent is the MVT tile extent: tile coordinates run 0..extent-1.
const extent = 4096

// bufferUnits is how far, in tile units, geometry runs past the tile edge
// so that strokes and fills join seamlessly across tiles (64/4096 of a
// tile: 8 px of a 512 px tile).
const bufferUnits = 64

// earthCircumference is the equator of the Web Mercator sphere, metres.
const earthCircumference = 2 * math.Pi * 6378137

// maxMercatorLat is the latitude where the Web Mercator square ends.
const maxMercatorLat = 85.0511287798066

// toWorld projects a WGS84 lon/lat point to world coordinates. It matches
// orb's mercator (and so maptile and mvt) to the last bit that matters.
func toWorld(p orb.Point) orb.Point {
	lat := math.Max(-maxMercatorLat, math.Min(maxMercatorLat, p[1]))
	siny := math.Sin(lat * math.Pi / 180)
	return orb.Point{
		p[0]/360 + 0.5,
		0.5 + 0.5*math.Log((1+siny)/(1-siny))/(-2*math.Pi),
	}
}

// fromWorld is the inverse of toWorld.
func fromWorld(w orb.Point) orb.Point {
	n := math.Pi - 2*math.Pi*w[1]
	return orb.Point{(w[0] - 0.5) * 360, 180 / math.Pi * math.Atan(0.5*(math.Exp(n)-math.Exp(-n)))}
}

// worldBound projects a lon/lat bound to world coordinates (y flips, so
// the north edge becomes Min[1]).
func worldBound(b orb.Bound) orb.Bound {
	a, c := toWorld(b.Min), toWorld(b.Max)
	return orb.Bound{Min: orb.Point{a[0], c[1]}, Max: orb.Point{c[0], a[1]}}
}

// lonLatBound is the inverse of worldBound.
func lonLatBound(w orb.Bound) orb.Bound {
	a, c := fromWorld(orb.Point{w.Min[0], w.Max[1]}), fromWorld(orb.Point{w.Max[0], w.Min[1]})
	return orb.Bound{Min: a, Max: c}
}

// metresToWorld converts a ground distance at latitude lat to world units
// (Mercator is conformal: the same factor holds in x and y).
func metresToWorld(m, lat float64) float64 {
	return m / (earthCircumference * math.Cos(lat*math.Pi/180))
}

// tileWorldBound is the square of tile t in world coordinates, widened by
// buf tile units on every side.
func tileWorldBound(t maptile.Tile, buf float64) orb.Bound {
	n := float64(uint64(1) << t.Z)
	d := buf / extent
	return orb.Bound{
		Min: orb.Point{(float64(t.X) - d) / n, (float64(t.Y) - d) / n},
		Max: orb.Point{(float64(t.X) + 1 + d) / n, (float64(t.Y) + 1 + d) / n},
	}
}

// expand widens a bound by d on every side.
func expand(b orb.Bound, d float64) orb.Bound {
	return orb.Bound{Min: orb.Point{b.Min[0] - d, b.Min[1] - d}, Max: orb.Point{b.Max[0] + d, b.Max[1] + d}}
}

// intersects is orb.Bound.Intersects with closed edges.
func intersects(a, b orb.Bound) bool {
	return a.Min[0] <= b.Max[0] && b.Min[0] <= a.Max[0] && a.Min[1] <= b.Max[1] && b.Min[1] <= a.Max[1]
}

// frame is one tile being built: its projection from world to tile
// coordinates and its boxes.
type frame struct {
	tile  maptile.Tile
	scale float64   // tile units per world unit
	ox    float64   // tile X × extent
	oy    float64   // tile Y × extent
	query orb.Bound // the buffered tile in world coordinates: what to look up
	clip  orb.Bound // the buffered tile in tile coordinates: what to keep
}

func newFrame(t maptile.Tile) *frame {
	return &frame{
		tile:  t,
		scale: float64(uint64(1)<<t.Z) * extent,
		ox:    float64(t.X) * extent,
		oy:    float64(t.Y) * extent,
		query: tileWorldBound(t, bufferUnits),
		clip:  orb.Bound{Min: orb.Point{-bufferUnits, -bufferUnits}, Max: orb.Point{extent + bufferUnits, extent + bufferUnits}},
	}
}

// pt projects a world point to integer tile coordinates (floored, as
// orb's mvt projection does).
func (f *frame) pt(w orb.Point) orb.Point {
	return orb.Point{math.Floor(w[0]*f.scale - f.ox), math.Floor(w[1]*f.scale - f.oy)}
}

// units converts a world length to tile units.
func (f *frame) units(w float64) float64 { return w * f.scale }
