package synthetic

import (
	"context"
	"testing"

	"github.com/carecircle/carecircle/geo"
	care "github.com/carecircle/carecircle/planner"
)

// TestMunicipalityPresetShape checks the municipality preset's figures
// against 重庆市's (32 million residents, 38 districts and counties) and
// builds it at 1/100 of its area and people, with its density of centres
// and hills, to check it has what the full one is for: urban communities
// and villages judged by the rural circle, and steps on its hills. The
// full preset takes minutes and gigabytes; it is measured in
// docs/BENCHMARKS.md, not tested.
func TestMunicipalityPresetShape(t *testing.T) {
	d, err := DemoPreset("municipality")
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	if d.Residents != 32_000_000 || d.Districts != 38 || d.Communities != 11_000 {
		t.Errorf("figures %+v: want 32 M residents, 38 districts and counties, 11,000 communities", d)
	}
	if streets := float64(d.Communities) / d.CommunitiesPerStreet; streets < 900 || streets > 1100 {
		t.Errorf("%.0f streets and towns, want about 1,000", streets)
	}
	if km2 := d.Network.WidthM * d.Network.HeightM / 1e6; km2 < 4000 || km2 > 5000 {
		t.Errorf("%.0f km², want 4,000–5,000", km2)
	}

	const f = 1.0 / 100
	small := d
	small.Network = d.Network.Scale(f)
	// Cores as wide for their map as the full one's: its shape, smaller.
	small.Network.CentreSpreadM *= 0.1
	small.Network.Centres = 4
	small.Residents *= f
	small.Communities = int(float64(d.Communities) * f)
	small.Districts = 2
	c, _, err := GenerateDemo(context.Background(), small, 3)
	if err != nil {
		t.Fatal(err)
	}
	var urban, rural int
	for _, r := range c.Regions {
		if r.Level == care.LevelCommunity {
			if r.AreaType == care.Rural {
				rural++
			} else {
				urban++
			}
		}
	}
	steps := 0
	for e := range c.Network.NumEdges() {
		if c.Network.EdgeKind[e] == geo.EdgeSteps {
			steps++
		}
	}
	t.Logf("1/100: %d nodes, %d urban communities, %d villages, %d steps edges, %d facilities", c.Network.NumNodes(), urban, rural, steps, len(c.Facilities))
	if urban == 0 || rural == 0 || steps == 0 {
		t.Errorf("1/100 municipality: %d urban communities, %d villages, %d steps edges; want some of each", urban, rural, steps)
	}
}
