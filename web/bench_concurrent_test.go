package web

import (
	"encoding/json"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"
)

// benchWhatIfConcurrent is a session of planners editing at once: each of
// `planners` goroutines adds proposed stations to its own scenario through
// the HTTP handler, durably saved in the SQLite store, `edits` in all per
// iteration. With fresh, every edit is the first on a newly created
// scenario, so it includes building the scenario's evaluation; otherwise
// each scenario is warmed by one edit first. It reports latency
// percentiles and throughput. Budget: p95 ≤ 30 ms.
func benchWhatIfConcurrent(b *testing.B, preset string, planners, edits int, fresh bool) {
	h, bundle := benchServer(b, preset)
	g := bundle.City.Network
	create := func() string {
		rec := serve(h, "POST", "/api/v1/scenarios", map[string]any{"name": "bench"})
		var sc struct{ ID string }
		if err := json.Unmarshal(rec.Body.Bytes(), &sc); err != nil || sc.ID == "" {
			b.Fatalf("create: %d %s", rec.Code, rec.Body)
		}
		return sc.ID
	}
	add := func(id string, k int) (time.Duration, error) {
		p := g.Points[(k*7919+13)%g.NumNodes()]
		start := time.Now()
		rec := serve(h, "POST", "/api/v1/scenarios/"+id+"/facilities",
			map[string]any{"type": "community_station", "lon": p[0], "lat": p[1], "floor_area_m2": 300, "beds": 10})
		d := time.Since(start)
		if rec.Code != http.StatusCreated {
			return d, &benchError{rec.Code, rec.Body.String()}
		}
		return d, nil
	}
	ids := make([]string, planners)
	for i := range ids {
		ids[i] = create()
		if !fresh {
			if _, err := add(ids[i], 1_000_000+i); err != nil {
				b.Fatal(err)
			}
		}
	}
	var (
		mu  sync.Mutex
		lat []time.Duration
	)
	var wall time.Duration
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		// Fresh scenarios are made before the clock starts: creating one is
		// not the what-if measured.
		var todo [][]string
		for w := 0; w < planners; w++ {
			var list []string
			for k := w; k < edits; k += planners {
				if fresh {
					b.StopTimer()
					list = append(list, create())
					b.StartTimer()
				} else {
					list = append(list, ids[w])
				}
			}
			todo = append(todo, list)
		}
		start := time.Now()
		var wg sync.WaitGroup
		errs := make(chan error, planners)
		for w := 0; w < planners; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				mine := make([]time.Duration, 0, len(todo[w]))
				for j, id := range todo[w] {
					d, err := add(id, n*edits+w+j*planners)
					if err != nil {
						errs <- err
						return
					}
					mine = append(mine, d)
				}
				mu.Lock()
				lat = append(lat, mine...)
				mu.Unlock()
			}()
		}
		wg.Wait()
		wall += time.Since(start)
		close(errs)
		if err := <-errs; err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	at := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(at(0.5), "p50-ms")
	b.ReportMetric(at(0.95), "p95-ms")
	b.ReportMetric(float64(len(lat))/wall.Seconds(), "edits/s")
}

type benchError struct {
	code int
	body string
}

func (e *benchError) Error() string { return "add: " + http.StatusText(e.code) + ": " + e.body }

// BenchmarkWhatIfHTTPDistrictConcurrent20 is 20 planners on the district
// demo, each on its own warmed scenario.
func BenchmarkWhatIfHTTPDistrictConcurrent20(b *testing.B) {
	benchWhatIfConcurrent(b, "district", 20, 400, false)
}

// BenchmarkWhatIfHTTPCityConcurrent20 is 20 planners on the city demo, each
// on its own warmed scenario, 400 edits per iteration.
func BenchmarkWhatIfHTTPCityConcurrent20(b *testing.B) {
	if testing.Short() {
		b.Skip("the city demo takes ~15 s to build")
	}
	benchWhatIfConcurrent(b, "city", 20, 400, false)
}

// BenchmarkWhatIfHTTPCityConcurrent20Fresh is the same with every edit the
// first on a new scenario, so each builds the scenario's evaluation.
func BenchmarkWhatIfHTTPCityConcurrent20Fresh(b *testing.B) {
	if testing.Short() {
		b.Skip("the city demo takes ~15 s to build")
	}
	benchWhatIfConcurrent(b, "city", 20, 400, true)
}
