package synthetic

import (
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// Params describes the city to generate. Presets fill it for the usual sizes;
// tests and benchmarks can change any field or call Scale. The node count
// grows with the land area and its density classes: about 2,500 nodes per
// km² in the dense cores, 1,500 in ordinary districts, 550 in suburbs and
// 150 in villages.
type Params struct {
	// Name labels the city in logs and reports; it does not change the city.
	Name string

	// Center is the WGS84 lon/lat centre of the city's bound.
	Center orb.Point

	// WidthM and HeightM are the east-west and north-south extent of the
	// bound in metres.
	WidthM, HeightM float64

	// BlockM is the spacing of the main-road lattice, and so the typical side
	// of a neighbourhood (a Chinese 社区 is some 0.2 to 0.5 km²).
	BlockM float64

	// RiverWidthM is the river's mean width; 0 means no river.
	RiverWidthM float64
	// RiverMeanderM is the amplitude of the river's bends. It is reduced when
	// the bound is too short for it, so that both banks keep some land, and
	// to at most 5 % of RiverWavelengthM, so that the banks stay gentle.
	RiverMeanderM float64
	// RiverWavelengthM is the length of one full bend along the river.
	RiverWavelengthM float64
	// BridgeSpacingM is the typical distance between bridges. There is
	// always at least one, or the banks would not be connected.
	BridgeSpacingM float64

	// Hills is the number of hills (fewer when the land has no room for
	// them); their radius and height vary by ±30 % around HillRadiusM and
	// HillHeightM, and no hill is higher than a fifth of its radius.
	Hills                    int
	HillRadiusM, HillHeightM float64

	// Centres is the number of urban centres (Chongqing is polycentric:
	// 解放碑, 观音桥, 南坪, 沙坪坝, 杨家坪, ...). Density falls off around
	// each as a Gaussian of standard deviation CentreSpreadM.
	Centres       int
	CentreSpreadM float64
}

// Limits that keep Generate's memory and int32 node indexes safe and the
// geometry meaningful.
const (
	maxSideM   = 200_000 // 200 km
	maxAreaKm2 = 5_000   // some 10 M nodes, a few GB: well past any benchmark
)

// Validate reports every field that is out of range.
func (p Params) Validate() error {
	var errs []error
	check := func(ok bool, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}
	// The !(x >= lo) form also rejects NaN.
	check(p.Center[0] >= -180 && p.Center[0] <= 180 && p.Center[1] >= -80 && p.Center[1] <= 80,
		"Center %v is not a lon/lat between ±80° latitude", p.Center)
	check(p.BlockM >= 150 && p.BlockM <= 3000, "BlockM %g is not in [150, 3000]", p.BlockM)
	check(p.WidthM >= 2*p.BlockM && p.WidthM <= maxSideM, "WidthM %g is not in [2·BlockM, %d]", p.WidthM, maxSideM)
	check(p.HeightM >= 2*p.BlockM && p.HeightM <= maxSideM, "HeightM %g is not in [2·BlockM, %d]", p.HeightM, maxSideM)
	check(!(p.WidthM*p.HeightM/1e6 > maxAreaKm2), "area %.0f km² is above %d km²", p.WidthM*p.HeightM/1e6, maxAreaKm2)
	check(p.RiverWidthM == 0 || (p.RiverWidthM >= 30 && p.RiverWidthM <= 5000),
		"RiverWidthM %g is neither 0 nor in [30, 5000]", p.RiverWidthM)
	if p.RiverWidthM > 0 {
		check(p.RiverMeanderM >= 0, "RiverMeanderM %g is negative", p.RiverMeanderM)
		check(p.RiverWavelengthM >= 500, "RiverWavelengthM %g is below 500", p.RiverWavelengthM)
		check(p.BridgeSpacingM >= p.BlockM, "BridgeSpacingM %g is below BlockM", p.BridgeSpacingM)
		need := riverRoom(p, 0)
		check(!(p.HeightM < need), "HeightM %g leaves no land beside a %g m river (need ≥ %.0f)", p.HeightM, p.RiverWidthM, need)
	}
	check(p.Hills >= 0 && p.Hills <= 1000, "Hills %d is not in [0, 1000]", p.Hills)
	if p.Hills > 0 {
		check(p.HillRadiusM >= 100 && p.HillRadiusM <= 20_000, "HillRadiusM %g is not in [100, 20000]", p.HillRadiusM)
		check(p.HillHeightM > 0 && p.HillHeightM <= 2000, "HillHeightM %g is not in (0, 2000]", p.HillHeightM)
	}
	check(p.Centres >= 1 && p.Centres <= 100, "Centres %d is not in [1, 100]", p.Centres)
	check(p.CentreSpreadM >= 100 && p.CentreSpreadM <= maxSideM, "CentreSpreadM %g is not in [100, %d]", p.CentreSpreadM, maxSideM)
	if len(errs) > 0 {
		return fmt.Errorf("synthetic: invalid params %q: %w", p.Name, errors.Join(errs...))
	}
	return nil
}

// Scale returns p with its area multiplied by f (each side by √f) and its
// numbers of hills and centres scaled alike, so that densities, and thus
// nodes per km², stay about the same. It is how tests ask for a small city
// that still looks like the big one.
func (p Params) Scale(f float64) Params {
	k := math.Sqrt(f)
	p.WidthM *= k
	p.HeightM *= k
	scaleCount := func(n int) int {
		if n == 0 {
			return 0
		}
		return max(1, int(math.Round(float64(n)*f)))
	}
	p.Hills = scaleCount(p.Hills)
	p.Centres = scaleCount(p.Centres)
	if p.Name != "" {
		p.Name = fmt.Sprintf("%s×%g", p.Name, f)
	}
	return p
}
