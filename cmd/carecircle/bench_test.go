package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/carecircle/carecircle/web/benchsuite"
)

// TestBenchRunsTheSuite runs a small suite on the tiny demo, as JSON and
// as a table, and checks every step is there with its figures.
func TestBenchRunsTheSuite(t *testing.T) {
	small := []string{"--demo", "tiny", "--planners", "3", "--edits", "6", "--sequential", "3", "--tiles", "10", "--sites", "2"}
	out, err := run(t, append([]string{"bench", "--json"}, small...)...)
	if err != nil {
		t.Fatal(err)
	}
	var res benchsuite.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("bench --json: %v\n%s", err, out)
	}
	if res.Machine.Cores < 1 || res.Machine.Go == "" || res.City.Nodes == 0 || res.City.Residents == 0 {
		t.Errorf("machine %+v, city %+v: want cores, Go version, nodes and residents", res.Machine, res.City)
	}
	want := map[string]string{"build": "heap_bytes", "catchments": "us_per_catchment", "assessment": "gaps",
		"what-if sequential": "p95_ms", "what-if concurrent": "p95_ms", "what-if concurrent fresh": "p95_ms",
		"tiles cold": "p95_ms", "tiles cached": "p95_ms", "optimiser": "sites"}
	for _, s := range res.Steps {
		if _, ok := s.Figures[want[s.Name]]; !ok {
			t.Errorf("step %q: no %s in %v", s.Name, want[s.Name], s.Figures)
		}
		delete(want, s.Name)
	}
	if len(want) > 0 {
		t.Errorf("steps missing: %v", want)
	}
	if got := res.Steps[4].Figures["edits"]; got != 6 {
		t.Errorf("concurrent what-if: %v edits, want 6", got)
	}
	table, err := run(t, append([]string{"bench"}, small...)...)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"machine ", "city ", "what-if concurrent fresh", "optimiser"} {
		if !strings.Contains(table, s) {
			t.Errorf("table has no %q:\n%s", s, table)
		}
	}
}
