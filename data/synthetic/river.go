package synthetic

import (
	"math"
	"math/rand/v2"

	"github.com/paulmach/orb"
)

// River geometry constants.
const (
	// bankStepM is the spacing of the bank vertices: fine enough that the
	// polyline is smooth at city scale, coarse enough to test edges fast.
	bankStepM = 40.0
	// riverSetbackM keeps the riverside road (滨江路) off the water; every
	// local street lies beyond it.
	riverSetbackM = 30.0
	// promenadeM is the promenade's distance from the water.
	promenadeM = 10.0
	// maxMeander caps the bends' amplitude as a share of their wavelength:
	// the bank's slope peaks near 2π·(1+0.25·2.44+0.1·5.9)·amp/λ ≈ 14·amp/λ,
	// so 0.05 keeps it under about 0.7.
	maxMeander = 0.05
	// minBankRowM is the least land, as a share of BlockM, kept on each
	// bank between the riverside road and the city's edge.
	minBankRowM = 0.8
)

// river is a band of water crossing the city from x = 0 to x = w. Both banks
// are functions of x, sampled every dx metres and linear in between; the
// same vertices make the River polygon, so testing an edge against these
// polylines is testing it against the polygon.
type river struct {
	dx           float64
	south, north []float64 // bank y at x = i·dx
}

// riverRoom is the bound height a river of p needs with meanders of the
// given amplitude: its widest water, both setbacks and a row of land on
// each bank. The bends of amplitude amp reach 1.35·amp (two sines).
func riverRoom(p Params, amp float64) float64 {
	return 2*(minBankRowM*p.BlockM+riverSetbackM) + 1.2*p.RiverWidthM + 2*1.35*amp
}

// newRiver draws the river's course for a w×h city.
func newRiver(p Params, w, h float64, r *rand.Rand) *river {
	n := max(2, int(math.Ceil(w/bankStepM)))
	rv := &river{dx: w / float64(n), south: make([]float64, n+1), north: make([]float64, n+1)}

	// Shrink the bends until both banks keep a row of land and the banks
	// slope by at most about 35°, then let the river wander north or south
	// within what is left. Steeper bends would shear the neighbourhoods
	// beside them and make the water look thin where it runs north-south.
	free := h - riverRoom(p, 0)
	lam := p.RiverWavelengthM
	amp := max(0, min(p.RiverMeanderM, 0.8*free/(2*1.35), maxMeander*lam))
	slack := max(0, free/2-1.35*amp)
	yc := h/2 + uniform(r, -0.6, 0.6)*slack

	// Three incommensurate bends keep the course from looking periodic;
	// their amplitudes add up to 1.35·amp.
	var ph [4]float64
	for k := range ph {
		ph[k] = 2 * math.Pi * r.Float64()
	}
	for i := range rv.south {
		x := float64(i) * rv.dx
		c := yc + amp*(math.Sin(2*math.Pi*x/lam+ph[0])+0.25*math.Sin(2*math.Pi*x/(0.41*lam)+ph[1])+0.1*math.Sin(2*math.Pi*x/(0.17*lam)+ph[2]))
		half := p.RiverWidthM * (1 + 0.2*math.Sin(2*math.Pi*x/(1.7*lam)+ph[3])) / 2
		rv.south[i], rv.north[i] = c-half, c+half
	}
	return rv
}

// at interpolates a bank polyline at x.
func (rv *river) at(ys []float64, x float64) float64 {
	f := x / rv.dx
	i := min(max(int(f), 0), len(ys)-2)
	return ys[i] + (f-float64(i))*(ys[i+1]-ys[i])
}

// southRoad and northRoad are the y of the riverside roads at x.
func (rv *river) southRoad(x float64) float64 { return rv.at(rv.south, x) - riverSetbackM }
func (rv *river) northRoad(x float64) float64 { return rv.at(rv.north, x) + riverSetbackM }

// clear reports whether segment a-b stays at least margin metres (measured
// north-south) out of the water. Both ends must be on the same bank; then,
// since the segment and the bank are both linear between the bank's
// vertices, it is enough to compare them at the vertices in its x-range.
func (rv *river) clear(a, b pt, margin float64) bool {
	var ys []float64
	var sign float64
	switch {
	case a.y >= rv.at(rv.north, a.x)+margin && b.y >= rv.at(rv.north, b.x)+margin:
		ys, sign = rv.north, 1
	case a.y <= rv.at(rv.south, a.x)-margin && b.y <= rv.at(rv.south, b.x)-margin:
		ys, sign = rv.south, -1
	default:
		return false
	}
	if a.x == b.x {
		return true
	}
	if a.x > b.x {
		a, b = b, a
	}
	slope := (b.y - a.y) / (b.x - a.x)
	lo := max(0, int(math.Ceil(a.x/rv.dx)))
	hi := min(len(ys)-1, int(math.Floor(b.x/rv.dx)))
	for i := lo; i <= hi; i++ {
		x := float64(i) * rv.dx
		if sign*(a.y+(x-a.x)*slope-ys[i]) < margin {
			return false
		}
	}
	return true
}

// polygon returns the water: south bank west to east, north bank back,
// closed, counter-clockwise.
func (rv *river) polygon(f frame) orb.Polygon {
	ring := make(orb.Ring, 0, 2*len(rv.south)+1)
	for i, y := range rv.south {
		ring = append(ring, f.lonLat(pt{float64(i) * rv.dx, y}))
	}
	for i := len(rv.north) - 1; i >= 0; i-- {
		ring = append(ring, f.lonLat(pt{float64(i) * rv.dx, rv.north[i]}))
	}
	ring = append(ring, ring[0])
	return orb.Polygon{ring}
}

// centreLine returns the river's centre line, west to east.
func (rv *river) centreLine(f frame) orb.LineString {
	ls := make(orb.LineString, len(rv.south))
	for i := range rv.south {
		ls[i] = f.lonLat(pt{float64(i) * rv.dx, (rv.south[i] + rv.north[i]) / 2})
	}
	return ls
}
