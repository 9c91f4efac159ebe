package synthetic

import (
	"fmt"
	"strings"

	"github.com/paulmach/orb"
)

// chongqing is the city centre every preset uses: Yuzhong peninsula, near
// the confluence of the Yangtze and the Jialing.
func chongqing() orb.Point { return orb.Point{106.55, 29.56} }

// Preset returns the parameters of a named city size:
//
//   - "tiny": about 2 km² and 2–5 k nodes, one river with a bridge or two,
//     one hill; for unit tests, generated in a few milliseconds.
//   - "district": about 23 km² and 40–80 k nodes, like Chongqing's 渝中区
//     (Yuzhong): dense, hilly, on a broad river.
//   - "city": about 1,300 km² and 1.5–2.5 M nodes, a polycentric city of some
//     ten million people on a meandering river, with villages between its
//     centres.
//   - "municipality": about 4,950 km² and some 7.5 M nodes, a province-level
//     city like 重庆市 folded onto one map: 38 urban cores and county towns
//     on a great river, hill towns among 120 hills (steps), and villages
//     between them judged by the rural circle. Building it takes minutes
//     and several GB; it is for benchmarks and demonstrations, not tests.
//
// An unknown name is an error that lists the known ones.
func Preset(name string) (Params, error) {
	p := Params{Name: name, Center: chongqing()}
	switch name {
	case "tiny":
		p.WidthM, p.HeightM, p.BlockM = 1500, 1300, 420
		p.RiverWidthM, p.RiverMeanderM, p.RiverWavelengthM, p.BridgeSpacingM = 200, 80, 3000, 900
		p.Hills, p.HillRadiusM, p.HillHeightM = 1, 450, 70
		p.Centres, p.CentreSpreadM = 1, 2500
	case "district":
		p.WidthM, p.HeightM, p.BlockM = 5600, 4200, 520
		p.RiverWidthM, p.RiverMeanderM, p.RiverWavelengthM, p.BridgeSpacingM = 450, 350, 7000, 1600
		p.Hills, p.HillRadiusM, p.HillHeightM = 3, 650, 120
		p.Centres, p.CentreSpreadM = 2, 3500
	case "city":
		p.WidthM, p.HeightM, p.BlockM = 38000, 34000, 600
		p.RiverWidthM, p.RiverMeanderM, p.RiverWavelengthM, p.BridgeSpacingM = 650, 1000, 20000, 2600
		p.Hills, p.HillRadiusM, p.HillHeightM = 30, 1100, 160
		p.Centres, p.CentreSpreadM = 11, 4500
	case "municipality":
		p.WidthM, p.HeightM, p.BlockM = 74000, 67000, 600
		p.RiverWidthM, p.RiverMeanderM, p.RiverWavelengthM, p.BridgeSpacingM = 800, 2500, 30000, 3500
		p.Hills, p.HillRadiusM, p.HillHeightM = 120, 1400, 220
		p.Centres, p.CentreSpreadM = 38, 4600
	default:
		return Params{}, fmt.Errorf("synthetic: unknown preset %q (known: %s)", name, strings.Join(PresetNames(), ", "))
	}
	return p, nil
}

// PresetNames lists the names Preset knows, smallest city first.
func PresetNames() []string {
	return []string{"tiny", "district", "city", "municipality"}
}
