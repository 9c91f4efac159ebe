package web

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/carecircle/carecircle/data"
	"github.com/carecircle/carecircle/planner"
)

// benchServer serves a demo preset with a scenario store on disk.
func benchServer(b *testing.B, preset string) (http.Handler, *data.Bundle) {
	b.Helper()
	ctx := context.Background()
	bundle, err := data.DemoBundle(ctx, preset, 1)
	if err != nil {
		b.Fatal(err)
	}
	m, err := planner.NewModel(ctx, bundle.City, bundle.Profile, bundle.Index)
	if err != nil {
		b.Fatal(err)
	}
	store, err := data.OpenScenarioStore(ctx, filepath.Join(b.TempDir(), "s.db"), bundle.City.Name)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	srv, err := New(Config{Bundle: bundle, Model: m, Store: store, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	return srv.Handler(), bundle
}

func serve(h http.Handler, method, path string, body any) *httptest.ResponseRecorder {
	var buf bytes.Buffer
	if body != nil {
		json.NewEncoder(&buf).Encode(body)
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(method, path, &buf)
	req.Host = "127.0.0.1" // a host the server serves (guard.go)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	h.ServeHTTP(rec, req)
	return rec
}

// benchWhatIf adds a proposed station at a new place each time through the
// HTTP handler, durably saved, and reports the latency percentiles.
// Budget: p95 < 30 ms server side.
func benchWhatIf(b *testing.B, preset string) {
	h, bundle := benchServer(b, preset)
	rec := serve(h, "POST", "/api/v1/scenarios", map[string]any{"name": "bench"})
	var sc struct{ ID string }
	json.Unmarshal(rec.Body.Bytes(), &sc)
	g := bundle.City.Network
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := g.Points[(i*7919+13)%g.NumNodes()]
		start := time.Now()
		rec := serve(h, "POST", "/api/v1/scenarios/"+sc.ID+"/facilities",
			map[string]any{"type": "community_station", "lon": p[0], "lat": p[1], "floor_area_m2": 300, "beds": 10})
		lat = append(lat, time.Since(start))
		if rec.Code != http.StatusCreated {
			b.Fatalf("add: %d %s", rec.Code, rec.Body)
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	at := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(at(0.5), "ms-p50")
	b.ReportMetric(at(0.95), "ms-p95")
}

// BenchmarkWhatIfHTTPDistrict is the what-if on the district demo.
func BenchmarkWhatIfHTTPDistrict(b *testing.B) { benchWhatIf(b, "district") }

// BenchmarkWhatIfHTTPCity is the what-if on the 10-million-resident demo.
func BenchmarkWhatIfHTTPCity(b *testing.B) {
	if testing.Short() {
		b.Skip("the city demo takes ~15 s to build")
	}
	benchWhatIf(b, "city")
}
