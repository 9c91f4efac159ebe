package web

import (
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

func TestLabelPointInside(t *testing.T) {
	square := orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}}
	// A U shape whose centroid falls in the notch.
	u := orb.Polygon{{{0, 0}, {3, 0}, {3, 3}, {2, 3}, {2, 1}, {1, 1}, {1, 3}, {0, 3}, {0, 0}}}
	cases := []struct {
		name string
		g    orb.Geometry
		in   orb.Polygon
	}{
		{"square", square, square},
		{"U", u, u},
		{"multi", orb.MultiPolygon{square, {{{10, 10}, {14, 10}, {14, 14}, {10, 14}, {10, 10}}}}, orb.Polygon{{{10, 10}, {14, 10}, {14, 14}, {10, 14}, {10, 10}}}},
	}
	for _, c := range cases {
		p, ok := labelPoint(c.g)
		if !ok || !planar.PolygonContains(c.in, p) {
			t.Errorf("%s: label at %v (ok %v), not inside the (largest) polygon", c.name, p, ok)
		}
	}
	if _, ok := labelPoint(orb.Point{1, 2}); ok {
		t.Error("a point region got a label point")
	}
}
