package crs

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
)

func near(a, b orb.Point, tol float64) bool {
	return math.Abs(a[0]-b[0]) <= tol && math.Abs(a[1]-b[1]) <= tol
}

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want System
	}{
		{"wgs84", WGS84},
		{"WGS-84", WGS84},
		{" wgs_84 ", WGS84},
		{"EPSG:4326", WGS84},
		{"gcj02", GCJ02},
		{"GCJ-02", GCJ02},
		{"gcj", GCJ02},
		{"Amap", GCJ02},
		{"tencent", GCJ02},
		{"高德", GCJ02},
		{"火星坐标系", GCJ02},
		{"bd09", BD09},
		{"BD-09", BD09},
		{"bd09ll", BD09},
		{"Baidu", BD09},
		{"百度坐标", BD09},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("Parse(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "utm50n", "bd09mc", "gcj03"} {
		if got, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) = %q, want an error", bad, got)
		}
	}
}

// Published pairs. The GCJ-02 "formula" is a leaked reference algorithm, so
// the only ground truth anyone can publish is output of that algorithm; these
// pairs are the test vectors of two widely used reference implementations:
//
//   - googollee/eviltransform, go/transform_test.go: WGS84 → GCJ-02 for points
//     in Shanghai, Shenzhen and Beijing (given there as lat, lng).
//   - wandergis/coordtransform, README.md: the point (116.404, 39.915) on
//     Chang'an Avenue in front of Tiananmen, run through wgs84togcj02 and
//     gcj02tobd09, and bd09togcj02.
//
// Both print more digits than they mean; we check to 1e-6° (≈ 0.1 m).
var publishedWGSToGCJ = []struct {
	name     string
	wgs, gcj orb.Point
}{
	{"shanghai (eviltransform)", orb.Point{121.5272106, 31.1774276}, orb.Point{121.531541859215, 31.17530398364597}},
	{"shenzhen (eviltransform)", orb.Point{113.912316, 22.543847}, orb.Point{113.9171764808363, 22.540796131694766}},
	{"beijing (eviltransform)", orb.Point{116.377817, 39.911954}, orb.Point{116.38404722455657, 39.91334545536069}},
	{"tiananmen (coordtransform)", orb.Point{116.404, 39.915}, orb.Point{116.41024449916938, 39.91640428150164}},
}

func TestPublishedWGS84GCJ02Pairs(t *testing.T) {
	for _, tt := range publishedWGSToGCJ {
		t.Run(tt.name, func(t *testing.T) {
			if got := FromWGS84(GCJ02, tt.wgs); !near(got, tt.gcj, 1e-6) {
				t.Errorf("FromWGS84(GCJ02, %v) = %.9f, want %.9f", tt.wgs, got, tt.gcj)
			}
			// The exact inverse must land back on the published WGS84
			// point; the one-step approximation would miss by ~1e-5°.
			if got := ToWGS84(GCJ02, tt.gcj); !near(got, tt.wgs, 1e-6) {
				t.Errorf("ToWGS84(GCJ02, %v) = %.9f, want %.9f", tt.gcj, got, tt.wgs)
			}
		})
	}
}

func TestPublishedBD09Pairs(t *testing.T) {
	// coordtransform README: gcj02tobd09(116.404, 39.915).
	gcj := orb.Point{116.404, 39.915}
	bd := orb.Point{116.41036949371029, 39.92133699351021}
	if got := GCJ02ToBD09(gcj); !near(got, bd, 1e-6) {
		t.Errorf("GCJ02ToBD09(%v) = %.9f, want %.9f", gcj, got, bd)
	}
	if got := BD09ToGCJ02(bd); !near(got, gcj, 1e-6) {
		t.Errorf("BD09ToGCJ02(%v) = %.9f, want %.9f", bd, got, gcj)
	}
	// coordtransform README: bd09togcj02(116.404, 39.915), computed there
	// with the one-step inverse, which our iterated inverse refines by
	// less than 1e-5°.
	if got, want := BD09ToGCJ02(orb.Point{116.404, 39.915}), (orb.Point{116.39762729119315, 39.90865673957631}); !near(got, want, 1e-5) {
		t.Errorf("BD09ToGCJ02(116.404, 39.915) = %.9f, want %.9f", got, want)
	}
	// WGS84 → BD-09 chains the two published formulas.
	wgs := orb.Point{116.404, 39.915}
	want := GCJ02ToBD09(orb.Point{116.41024449916938, 39.91640428150164})
	if got := FromWGS84(BD09, wgs); !near(got, want, 1e-9) {
		t.Errorf("FromWGS84(BD09, %v) = %.9f, want %.9f", wgs, got, want)
	}
}

func TestRoundTripGridAcrossChina(t *testing.T) {
	// A 0.25° grid over the mainland's bounding box (Kashgar to Fuyuan,
	// Sanya to Mohe); every point must come back within 1e-6° (≈ 0.1 m),
	// in both directions.
	worst := 0.0
	for lng := 73.5; lng <= 135.0; lng += 0.25 {
		for lat := 18.0; lat <= 53.5; lat += 0.25 {
			p := orb.Point{lng, lat}
			for _, sys := range []System{GCJ02, BD09} {
				back := ToWGS84(sys, FromWGS84(sys, p))
				fwd := FromWGS84(sys, ToWGS84(sys, p))
				for _, q := range []orb.Point{back, fwd} {
					d := math.Max(math.Abs(q[0]-p[0]), math.Abs(q[1]-p[1]))
					worst = math.Max(worst, d)
					if d > 1e-6 {
						t.Fatalf("%s round trip of %v gave %v (off by %.3g°)", sys, p, q, d)
					}
				}
			}
		}
	}
	t.Logf("worst round-trip error %.3g°", worst)
	if worst > 1e-7 {
		t.Errorf("worst round-trip error %.3g°, want < 1e-7° (the iteration's promise)", worst)
	}
}

func TestInverseBeatsOneStep(t *testing.T) {
	// Guard against regressing to the one-step approximation: at Chongqing
	// it is off by more than 1e-6°, the iteration by far less.
	w := orb.Point{106.5516, 29.5630}
	g := WGS84ToGCJ02(w)
	dLng, dLat := gcjOffset(g[0], g[1])
	oneStep := orb.Point{g[0] - dLng, g[1] - dLat}
	if near(oneStep, w, 1e-6) {
		t.Fatalf("one-step inverse is unexpectedly exact; test point too easy")
	}
	if got := GCJ02ToWGS84(g); !near(got, w, 1e-9) {
		t.Errorf("GCJ02ToWGS84(%v) = %.12f, want %.12f", g, got, w)
	}
}

func TestOutOfChinaUnchanged(t *testing.T) {
	points := []struct {
		name string
		p    orb.Point
	}{
		{"heidelberg", orb.Point{8.6724, 49.3988}},
		{"helsinki", orb.Point{24.9384, 60.1699}},
		{"porto alegre", orb.Point{-51.2177, -30.0346}},
		{"monaco", orb.Point{7.4246, 43.7384}},
		{"north of the rectangle", orb.Point{120, 56}},
		{"west of the rectangle", orb.Point{70, 35}},
	}
	for _, tt := range points {
		if !OutOfChina(tt.p) {
			t.Errorf("%s: OutOfChina(%v) = false", tt.name, tt.p)
		}
		if got := ToWGS84(GCJ02, tt.p); got != tt.p {
			t.Errorf("%s: ToWGS84(GCJ02, %v) = %v, want unchanged", tt.name, tt.p, got)
		}
		if got := FromWGS84(GCJ02, tt.p); got != tt.p {
			t.Errorf("%s: FromWGS84(GCJ02, %v) = %v, want unchanged", tt.name, tt.p, got)
		}
		// BD-09 keeps Baidu's own offset everywhere, but still round-trips.
		if got := ToWGS84(BD09, FromWGS84(BD09, tt.p)); !near(got, tt.p, 1e-9) {
			t.Errorf("%s: BD09 round trip of %v gave %v", tt.name, tt.p, got)
		}
	}
	for _, p := range []orb.Point{{116.404, 39.915}, {106.55, 29.56}, {87.6, 43.8}} {
		if OutOfChina(p) {
			t.Errorf("OutOfChina(%v) = true, want false", p)
		}
	}
}

func TestWGS84Identity(t *testing.T) {
	p := orb.Point{116.404, 39.915}
	if ToWGS84(WGS84, p) != p || FromWGS84(WGS84, p) != p || Convert(WGS84, WGS84, p) != p {
		t.Error("WGS84 conversions must be the identity")
	}
}

func TestConvertAndProjection(t *testing.T) {
	bd := orb.Point{116.41036949371029, 39.92133699351021}
	gcj := orb.Point{116.404, 39.915}
	if got := Convert(BD09, GCJ02, bd); !near(got, gcj, 1e-6) {
		t.Errorf("Convert(BD09, GCJ02, %v) = %v, want %v", bd, got, gcj)
	}
	proj := Projection(GCJ02, BD09)
	if got := proj(gcj); !near(got, bd, 1e-6) {
		t.Errorf("Projection(GCJ02, BD09)(%v) = %v, want %v", gcj, got, bd)
	}
}

func TestUnknownSystemPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("ToWGS84 with an unknown system did not panic")
		}
	}()
	ToWGS84(System("utm"), orb.Point{1, 2})
}

func BenchmarkToWGS84(b *testing.B) {
	for _, sys := range Systems() {
		b.Run(string(sys), func(b *testing.B) {
			p := orb.Point{106.5516, 29.5630}
			var sink orb.Point
			for b.Loop() {
				sink = ToWGS84(sys, p)
			}
			_ = sink
		})
	}
}

func BenchmarkFromWGS84(b *testing.B) {
	for _, sys := range Systems() {
		b.Run(string(sys), func(b *testing.B) {
			p := orb.Point{106.5516, 29.5630}
			var sink orb.Point
			for b.Loop() {
				sink = FromWGS84(sys, p)
			}
			_ = sink
		})
	}
}
