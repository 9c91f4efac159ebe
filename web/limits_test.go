package web

import (
	"context"
	"strings"
	"testing"
)

// TestStoredScenarioOutOfRange: a scenario stored by an older version with
// beds: 1e308 answers 422 naming the scenario and the facility, not an
// empty 200 or a bare 500.
func TestStoredScenarioOutOfRange(t *testing.T) {
	ts, store := testServer(t, "")
	ctx := context.Background()
	sc, err := store.Create(ctx, "old", nil)
	if err != nil {
		t.Fatal(err)
	}
	f := tinyBundle.City.Facilities[0]
	f.Beds = 1e308
	next := sc.Clone()
	next.Changed = append(next.Changed, f)
	next.Version++
	if err := store.Save(ctx, next, sc.Version); err != nil {
		t.Fatal(err)
	}
	got := call(t, ts, "GET", "/api/v1/scenarios/"+sc.ID+"/summary", nil)
	msg := string(got.raw)
	if got.status != 422 || !strings.Contains(msg, "the stored scenario "+sc.ID+`, facility \"`+f.ID+`\": beds: 1e+308 is outside the plausible range 0 to 100000 beds`) {
		t.Fatalf("summary of a stored scenario with beds 1e308: %d %s", got.status, msg)
	}
}
