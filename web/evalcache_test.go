package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
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

// TestEvaluationsEvictedUnderConcurrentEdits has planners edit their own
// scenarios at once while others read and compare, with room for one
// evaluation, then checks each scenario's summary against one rebuilt
// from the store. Run with -race.
func TestEvaluationsEvictedUnderConcurrentEdits(t *testing.T) {
	srv, ts, _ := testServerOf(t, "")
	srv.evals = newEvalCache(1)
	g := tinyBundle.City.Network
	ids := make([]string, 4)
	for i := range ids {
		ids[i] = call(t, ts, "POST", "/api/v1/scenarios", map[string]any{"name": "s"}).body["id"].(string)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 100)
	for w, id := range ids {
		wg.Go(func() {
			for k := range 5 {
				p := g.Points[(w*131+k*7919+13)%g.NumNodes()]
				body, _ := json.Marshal(map[string]any{"type": "community_station", "lon": p[0], "lat": p[1], "floor_area_m2": 300})
				resp, err := http.Post(ts.URL+"/api/v1/scenarios/"+id+"/facilities", "application/json", bytes.NewReader(body))
				if err != nil || resp.StatusCode != http.StatusCreated {
					errs <- fmt.Sprintf("add to %s: %v %v", id, err, resp)
					return
				}
				resp.Body.Close()
				other := ids[(w+1)%len(ids)]
				resp, err = http.Get(ts.URL + "/api/v1/scenarios/" + id + "/compare?with=" + other)
				if err != nil || resp.StatusCode != http.StatusOK {
					errs <- fmt.Sprintf("compare %s with %s: %v %v", id, other, err, resp)
					return
				}
				resp.Body.Close()
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	for _, id := range ids {
		got := call(t, ts, "GET", "/api/v1/scenarios/"+id+"/summary", nil).raw
		st, _ := srv.state(t.Context(), id)
		st.mu.Lock()
		st.eval, st.sum = nil, nil // rebuilt from the stored scenario
		st.mu.Unlock()
		if want := call(t, ts, "GET", "/api/v1/scenarios/"+id+"/summary", nil).raw; !bytes.Equal(got, want) {
			t.Errorf("scenario %s: summary after concurrent edits differs from one rebuilt from the store", id)
		}
	}
}
