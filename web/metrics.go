package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are what /metrics tells Prometheus about one server. Each Server
// has its own registry (no package globals), so tests and several servers
// in one process do not mix their numbers.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.HistogramVec // by route pattern, method, status class
	whatIf   *prometheus.HistogramVec // facility edits: add, change, close
	store    *prometheus.HistogramVec // scenario store calls, by operation and outcome
	runs     prometheus.Counter       // optimiser runs started
	handler  http.Handler             // /metrics
}

// latencyBuckets span a cached tile (~100 µs) to a city's report (~10 s).
var latencyBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}

func newMetrics(s *Server, version string) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "carecircle_http_request_duration_seconds", Help: "HTTP requests by route pattern, method and status class, and how long they took.",
			Buckets: latencyBuckets}, []string{"route", "method", "status"}),
		whatIf: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "carecircle_whatif_duration_seconds", Help: "What-if edits of a scenario (a facility added, changed or closed) until the re-judged scenario is answered.",
			Buckets: latencyBuckets}, []string{"op"}),
		store: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "carecircle_store_duration_seconds", Help: "Scenario store calls by operation and outcome (ok or error).",
			Buckets: latencyBuckets}, []string{"op", "outcome"}),
		runs: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "carecircle_optimiser_runs_started_total", Help: "Siting optimiser runs started on this replica."}),
	}
	city := ""
	if s.bundle != nil && s.bundle.City != nil {
		city = s.bundle.City.Name
	}
	m.reg.MustRegister(m.requests, m.whatIf, m.store, m.runs,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "carecircle_build_info", Help: "Always 1; the labels say which build serves which city.",
			ConstLabels: prometheus.Labels{"version": version, "city": city}}, func() float64 { return 1 }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "carecircle_tile_cache_hits_total", Help: "Tiles served from the tile cache."},
			func() float64 { return float64(s.tiles.Stats().Hits) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "carecircle_tile_cache_misses_total", Help: "Tiles built because the cache did not hold them."},
			func() float64 { return float64(s.tiles.Stats().Misses) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "carecircle_tile_cache_bytes", Help: "Bytes of gzipped tiles in the tile cache."},
			func() float64 { return float64(s.tiles.Stats().Bytes) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "carecircle_tile_cache_entries", Help: "Tiles in the tile cache."},
			func() float64 { return float64(s.tiles.Stats().Entries) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "carecircle_scenarios_cached", Help: "Scenarios held in memory with their evaluation (built on first use), baseline included."},
			func() float64 {
				s.mu.Lock()
				defer s.mu.Unlock()
				return float64(len(s.scenarios))
			}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "carecircle_optimiser_runs_held", Help: "Optimiser runs this replica keeps (running or finished, until they expire)."},
			func() float64 {
				s.runs.mu.Lock()
				defer s.runs.mu.Unlock()
				return float64(len(s.runs.list))
			}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "carecircle_optimiser_running", Help: "1 while an optimiser run is computing (one at a time per replica)."},
			func() float64 { return float64(len(s.runs.slot)) }),
	)
	// The compress middleware gzips the text when the scraper asks.
	m.handler = promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{DisableCompression: true})
	return m
}

// measure records each request's latency under its route pattern (not
// its path: /api/v1/scenarios/{id}, whatever the id), and what-if edits
// and optimiser starts besides.
func (s *Server) measure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		took := time.Since(start).Seconds()
		route := "unmatched"
		if rc := chi.RouteContext(r.Context()); rc != nil && rc.RoutePattern() != "" {
			route = rc.RoutePattern()
		}
		m := s.metrics
		method := r.Method
		if !knownMethods[method] {
			method = "other" // clients choose methods: keep the label's values few
		}
		m.requests.WithLabelValues(route, method, strconv.Itoa(rec.status/100)+"xx").Observe(took)
		if rec.status >= 400 {
			return
		}
		switch {
		case strings.HasPrefix(route, "/api/v1/scenarios/{id}/facilities"):
			if op := whatIfOps[r.Method]; op != "" {
				m.whatIf.WithLabelValues(op).Observe(took)
			}
		case route == "/api/v1/scenarios/{id}/optimize" && r.Method == http.MethodPost:
			m.runs.Inc()
		}
	})
}

// knownMethods are the methods that get their own label value.
var knownMethods = map[string]bool{http.MethodGet: true, http.MethodHead: true, http.MethodPost: true,
	http.MethodPatch: true, http.MethodPut: true, http.MethodDelete: true, http.MethodOptions: true}

// whatIfOps name the facility edits by method.
var whatIfOps = map[string]string{http.MethodPost: "add", http.MethodPatch: "change", http.MethodDelete: "close"}

// storeTimer starts timing one scenario store call; call what it returns
// with the call's error.
func (s *Server) storeTimer(op string) func(error) {
	start := time.Now()
	return func(err error) {
		outcome := "ok"
		if err != nil {
			outcome = "error"
		}
		s.metrics.store.WithLabelValues(op, outcome).Observe(time.Since(start).Seconds())
	}
}

// serveMetrics answers /metrics in the Prometheus text format.
func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	s.metrics.handler.ServeHTTP(w, r)
}
