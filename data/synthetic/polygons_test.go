package synthetic

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// square returns the closed counter-clockwise unit square at (x, y).
func square(x, y float64) orb.Polygon {
	return orb.Polygon{{{x, y}, {x + 1, y}, {x + 1, y + 1}, {x, y + 1}, {x, y}}}
}

func TestCutRing(t *testing.T) {
	sq := square(0, 0)[0]
	// A U-shape: a vertical line through both arms crosses it four times.
	u := orb.Ring{{0, 0}, {3, 0}, {3, 2}, {2, 2}, {2, 1}, {1, 1}, {1, 2}, {0, 2}, {0, 0}}
	tests := []struct {
		name     string
		ring     orb.Ring
		x        float64 // cut along x = const
		ok       bool
		negArea  float64
		totalSum float64
	}{
		{"square in half", sq, 0.5, true, 0.5, 1},
		{"square off centre", sq, 0.25, true, 0.25, 1},
		{"through a vertex line", sq, 1, false, 0, 0},
		{"U across the base", u, 0.5, true, 1, 5},
		{"U across both arms", orb.Ring{{0, 0}, {3, 0}, {3, 2}, {2, 2}, {2, 1}, {1, 1}, {1, 2}, {0, 2}, {0, 0}}, 1.5, true, 2.5, 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			neg, pos, ok := cutRing(tc.ring, func(p orb.Point) float64 { return p[0] - tc.x })
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v", ok, tc.ok)
			}
			if !ok {
				return
			}
			an, ap := planar.Area(neg), planar.Area(pos)
			if math.Abs(an-tc.negArea) > 1e-12 || math.Abs(an+ap-tc.totalSum) > 1e-12 {
				t.Errorf("areas %v + %v, want %v of %v", an, ap, tc.negArea, tc.totalSum)
			}
			if neg.Orientation() != orb.CCW || pos.Orientation() != orb.CCW || neg[0] != neg[len(neg)-1] || pos[0] != pos[len(pos)-1] {
				t.Errorf("parts %v and %v are not closed counter-clockwise rings", neg, pos)
			}
		})
	}
	// A horizontal cut of the U at y = 1.5 crosses both arms: four crossings.
	if _, _, ok := cutRing(u, func(p orb.Point) float64 { return p[1] - 1.5 }); ok {
		t.Error("a cut crossing the U four times was accepted")
	}
}

func TestDissolve(t *testing.T) {
	jitter := func(p orb.Polygon, d float64) orb.Polygon {
		q := orb.Polygon{append(orb.Ring{}, p[0]...)}
		for i := range q[0] {
			q[0][i][0] += d
		}
		return q
	}
	var ring3x3 []orb.Polygon
	for x := range 3 {
		for y := range 3 {
			if x != 1 || y != 1 {
				ring3x3 = append(ring3x3, square(float64(x), float64(y)))
			}
		}
	}
	// Two halves of a 2×1 rectangle, the right one split at (1, 0.5)
	// where the left has no vertex: a T-junction.
	left := orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}}
	rightLow := orb.Polygon{{{1, 0}, {2, 0}, {2, 0.5}, {1, 0.5}, {1, 0}}}
	rightHigh := orb.Polygon{{{1, 0.5}, {2, 0.5}, {2, 1}, {1, 1}, {1, 0.5}}}
	tests := []struct {
		name   string
		polys  []orb.Polygon
		splitT bool
		pieces int // polygons in the result
		holes  int
		area   float64
	}{
		{"one", []orb.Polygon{square(0, 0)}, false, 1, 0, 1},
		{"2×2 block", []orb.Polygon{square(0, 0), square(1, 0), square(0, 1), square(1, 1)}, false, 1, 0, 4},
		{"rounding on the shared side", []orb.Polygon{square(0, 0), jitter(square(1, 0), 1e-13)}, false, 1, 0, 2},
		{"apart", []orb.Polygon{square(0, 0), square(3, 0)}, false, 2, 0, 2},
		{"touching at a corner", []orb.Polygon{square(0, 0), square(1, 1)}, false, 2, 0, 2},
		{"ring with a hole", ring3x3, false, 1, 1, 8},
		{"T-junction", []orb.Polygon{left, rightLow, rightHigh}, true, 1, 0, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := dissolve(tc.polys, tc.splitT)
			var mp orb.MultiPolygon
			switch g := g.(type) {
			case orb.Polygon:
				mp = orb.MultiPolygon{g}
			case orb.MultiPolygon:
				mp = g
			}
			holes := 0
			for _, p := range mp {
				holes += len(p) - 1
			}
			if len(mp) != tc.pieces || holes != tc.holes || math.Abs(planar.Area(g)-tc.area) > 1e-9 {
				t.Errorf("%d pieces, %d holes, area %v; want %d, %d, %v: %v", len(mp), holes, planar.Area(g), tc.pieces, tc.holes, tc.area, g)
			}
			if tc.pieces == 1 && tc.holes == 0 && tc.name != "one" {
				// Shared sides are gone: only the outline's vertices remain
				// (collinear ones may stay).
				if n := len(mp[0][0]); n > 9 {
					t.Errorf("outline has %d vertices: %v", n, mp[0][0])
				}
			}
			// Every input's interior point is inside the result.
			for _, p := range tc.polys {
				c, _ := planar.CentroidArea(p)
				if !planar.MultiPolygonContains(mp, c) {
					t.Errorf("centroid %v of %v is outside the union", c, p)
				}
			}
		})
	}
}

func TestQuota(t *testing.T) {
	tests := []struct {
		n     int
		share float64
		want  int
	}{
		{10, 0.12, 1}, // round(1.2)
		{10, 0.02, 1}, // at least one of five or more
		{4, 0.02, 0},  // too few units to insist
		{10, 0.98, 9}, // at least one left out
		{10, 1, 10},
		{10, 0, 0},
		{200, 0.16, 32},
	}
	for _, tc := range tests {
		got := 0
		for _, v := range quota(newStream(1, streamQuota, 0), tc.n, tc.share) {
			if v {
				got++
			}
		}
		if got != tc.want {
			t.Errorf("quota(%d, %v) picked %d, want %d", tc.n, tc.share, got, tc.want)
		}
	}
}

func TestLargestRemainder(t *testing.T) {
	tests := []struct {
		n    int
		w    []float64
		want []int
	}{
		{11, []float64{33, 47}, []int{5, 6}},
		{25, []float64{1, 0, 3}, []int{7, 1, 17}},
		{2, []float64{10, 1}, []int{1, 1}},
	}
	for _, tc := range tests {
		got := largestRemainder(tc.n, tc.w)
		sum := 0
		for _, g := range got {
			sum += g
		}
		if sum != tc.n || len(got) != len(tc.want) {
			t.Errorf("largestRemainder(%d, %v) = %v: sum %d", tc.n, tc.w, got, sum)
			continue
		}
		for k := range got {
			if got[k] != tc.want[k] {
				t.Errorf("largestRemainder(%d, %v) = %v, want %v", tc.n, tc.w, got, tc.want)
				break
			}
		}
	}
}
