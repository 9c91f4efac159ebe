package synthetic

import (
	"context"
	"strings"
	"testing"
)

// TestRoadsNamed: the demo city's main roads have distinct Chinese names
// and lines inside the city.
func TestRoadsNamed(t *testing.T) {
	_, layout, err := Demo(context.Background(), "tiny", 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(layout.Roads) < 4 {
		t.Fatalf("%d named roads, want a few", len(layout.Roads))
	}
	seen := map[string]bool{}
	for _, r := range layout.Roads {
		if !strings.HasSuffix(r.Name, "路") && !strings.HasSuffix(r.Name, "街") {
			t.Errorf("road %q: want a name ending in 路 or 街", r.Name)
		}
		if seen[r.Name] {
			t.Errorf("road name %q given twice", r.Name)
		}
		seen[r.Name] = true
		if len(r.Line) < 2 {
			t.Errorf("road %q has %d points", r.Name, len(r.Line))
		}
		for _, p := range r.Line {
			if !layout.Bound.Pad(1e-6).Contains(p) {
				t.Errorf("road %q: point %v outside the city %v", r.Name, p, layout.Bound)
				break
			}
		}
	}
}
