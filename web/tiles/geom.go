package tiles

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/simplify"
)

// simplifyUnits is the Douglas-Peucker tolerance in tile units: an eighth
// of a pixel of a 512 px tile is 1 unit, so 2 units is a quarter pixel.
// Being in tile units it is per zoom: a zoom out doubles it on the ground.
const simplifyUnits = 2

// minRingArea is the smallest ring kept, in square tile units (a quarter
// of a pixel of a 512 px tile is 16). Smaller polygons and holes are
// dropped rather than encoded as specks.
const minRingArea = 16

var simplifier = simplify.DouglasPeucker(simplifyUnits)

// ringTo projects a world ring to tile coordinates, dropping repeated
// points, and returns it closed (nil when fewer than three distinct
// points remain).
func (f *frame) ringTo(r orb.Ring) orb.Ring {
	out := make(orb.Ring, 0, len(r)+1)
	for _, w := range r {
		p := f.pt(w)
		if n := len(out); n > 0 && out[n-1] == p {
			continue
		}
		out = append(out, p)
	}
	if n := len(out); n > 1 && out[0] == out[n-1] {
		out = out[:n-1]
	}
	if len(out) < 3 {
		return nil
	}
	return append(out, out[0])
}

// polygon turns a world polygon into tile coordinates: projected, clipped
// to the buffered tile, simplified when simp is set, oriented as MVT wants
// (exterior rings with positive area in tile coordinates, which orb calls
// CCW; holes the other way), with rings smaller than minRingArea dropped.
// It returns nil when nothing is left.
func (f *frame) polygon(p orb.Polygon, simp bool) orb.Polygon {
	out := make(orb.Polygon, 0, len(p))
	for i, r := range p {
		tr := f.ringTo(r)
		if tr == nil {
			if i == 0 {
				return nil
			}
			continue
		}
		if !ringInside(tr, f.clip) {
			tr = clip.Ring(f.clip, tr)
		}
		if simp && len(tr) > 4 {
			tr = simplifier.Ring(tr)
		}
		if len(tr) < 4 || math.Abs(ringArea(tr)) < minRingArea {
			if i == 0 {
				return nil
			}
			continue
		}
		want := orb.CCW
		if i > 0 {
			want = orb.CW
		}
		if tr.Orientation() != want {
			tr.Reverse()
		}
		out = append(out, tr)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// multiPolygon is polygon for each part; nil when no part is left.
func (f *frame) multiPolygon(mp orb.MultiPolygon, simp bool) orb.Geometry {
	var out orb.MultiPolygon
	for _, p := range mp {
		if q := f.polygon(p, simp); q != nil {
			out = append(out, q)
		}
	}
	switch len(out) {
	case 0:
		return nil
	case 1:
		return out[0]
	}
	return out
}

// lineString projects, clips and (when simp) simplifies a world line; the
// result may be several pieces, or nil.
func (f *frame) lineString(ls orb.LineString, simp bool) orb.MultiLineString {
	out := make(orb.LineString, 0, len(ls))
	for _, w := range ls {
		p := f.pt(w)
		if n := len(out); n > 0 && out[n-1] == p {
			continue
		}
		out = append(out, p)
	}
	if len(out) < 2 {
		return nil
	}
	var parts orb.MultiLineString
	if lineInside(out, f.clip) {
		parts = orb.MultiLineString{out}
	} else {
		parts = clip.LineString(f.clip, out)
	}
	if simp {
		keep := parts[:0]
		for _, p := range parts {
			if len(p) > 2 {
				p = simplifier.LineString(p)
			}
			if len(p) >= 2 {
				keep = append(keep, p)
			}
		}
		parts = keep
	}
	if len(parts) == 0 {
		return nil
	}
	return parts
}

// segment appends the piece of the world segment a–b inside the buffered
// tile to mls, in tile coordinates.
func (f *frame) segment(mls orb.MultiLineString, a, b orb.Point) orb.MultiLineString {
	p, q := f.pt(a), f.pt(b)
	if p == q {
		return mls
	}
	if f.clip.Contains(p) && f.clip.Contains(q) {
		return append(mls, orb.LineString{p, q})
	}
	return append(mls, clip.LineString(f.clip, orb.LineString{p, q})...)
}

// ringInside reports whether every point of r lies in b.
func ringInside(r orb.Ring, b orb.Bound) bool { return lineInside(orb.LineString(r), b) }

func lineInside(ls orb.LineString, b orb.Bound) bool {
	for _, p := range ls {
		if !b.Contains(p) {
			return false
		}
	}
	return true
}

// ringArea is the signed shoelace area of a closed ring.
func ringArea(r orb.Ring) float64 {
	var a float64
	for i := 0; i+1 < len(r); i++ {
		a += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
	}
	return a / 2
}

// worldPolygon projects a lon/lat polygon to world coordinates.
func worldPolygon(p orb.Polygon) orb.Polygon {
	out := make(orb.Polygon, len(p))
	for i, r := range p {
		wr := make(orb.Ring, len(r))
		for j, q := range r {
			wr[j] = toWorld(q)
		}
		out[i] = wr
	}
	return out
}

// worldMultiPolygon projects a lon/lat Polygon or MultiPolygon to world
// coordinates; other geometries give nil.
func worldMultiPolygon(g orb.Geometry) orb.MultiPolygon {
	switch g := g.(type) {
	case orb.Polygon:
		if len(g) == 0 {
			return nil
		}
		return orb.MultiPolygon{worldPolygon(g)}
	case orb.MultiPolygon:
		var out orb.MultiPolygon
		for _, p := range g {
			if len(p) > 0 {
				out = append(out, worldPolygon(p))
			}
		}
		return out
	}
	return nil
}

// worldLine projects a lon/lat line to world coordinates.
func worldLine(ls orb.LineString) orb.LineString {
	out := make(orb.LineString, len(ls))
	for i, p := range ls {
		out[i] = toWorld(p)
	}
	return out
}

// tooSmall reports whether a world bound would be smaller than a
// minRingArea speck in f: such a feature is not worth projecting.
func (f *frame) tooSmall(b orb.Bound) bool {
	w, h := f.units(b.Max[0]-b.Min[0]), f.units(b.Max[1]-b.Min[1])
	return w*h < minRingArea
}

// round rounds v to d decimal places, so that values repeat and the tile's
// value table stays short.
func round(v float64, d int) float64 {
	p := math.Pow10(d)
	return math.Round(v*p) / p
}

// whole rounds v to an integer, which MVT stores more compactly than a
// double.
func whole(v float64) int64 { return int64(math.Round(v)) }
