package web

import (
	"bytes"
	"net/http"
	"testing"
)

// TestEvaluationsEvictedAndRebuilt bounds the server to about one built
// evaluation: scenarios edited in turn drop each other's, and asking for
// one again rebuilds it from the store with the same figures.
func TestEvaluationsEvictedAndRebuilt(t *testing.T) {
	srv, ts, _ := testServerOf(t, "")
	srv.evals = newEvalCache(1)
	g := tinyBundle.City.Network
	var ids []string
	summaries := map[string][]byte{}
	for k := range 3 {
		r := call(t, ts, "POST", "/api/v1/scenarios", map[string]any{"name": "s"})
		id := r.body["id"].(string)
		ids = append(ids, id)
		p := g.Points[(k*7919+13)%g.NumNodes()]
		if r := call(t, ts, "POST", "/api/v1/scenarios/"+id+"/facilities", map[string]any{"type": "community_station", "lon": p[0], "lat": p[1], "floor_area_m2": 300}); r.status != http.StatusCreated {
			t.Fatalf("add: %d %s", r.status, r.raw)
		}
		summaries[id] = call(t, ts, "GET", "/api/v1/scenarios/"+id+"/summary", nil).raw
	}
	if n, _ := srv.evals.stats(); n != 1 {
		t.Fatalf("%d evaluations kept under a 1-byte bound, want 1 (the one in use)", n)
	}
	for _, id := range ids {
		st, err := srv.state(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		st.mu.Lock()
		built := st.eval != nil
		st.mu.Unlock()
		if built && id != ids[len(ids)-1] {
			t.Errorf("scenario %s kept its evaluation past the bound", id)
		}
		if got := call(t, ts, "GET", "/api/v1/scenarios/"+id+"/summary", nil).raw; !bytes.Equal(got, summaries[id]) {
			t.Errorf("scenario %s: summary rebuilt from the store differs:\n got %.300s\nwant %.300s", id, got, summaries[id])
		}
	}
	// An evicted scenario takes edits as before.
	p := g.Points[g.NumNodes()/2]
	r := call(t, ts, "POST", "/api/v1/scenarios/"+ids[0]+"/facilities", map[string]any{"type": "community_station", "lon": p[0], "lat": p[1], "floor_area_m2": 300})
	if r.status != http.StatusCreated || num(r.body["version"]) != 3 {
		t.Fatalf("edit after eviction: %d %s", r.status, r.raw)
	}
}
