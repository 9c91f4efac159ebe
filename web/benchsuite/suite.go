// Package benchsuite is CareCircle's standard benchmark: what a researcher
// or an IT department runs on its own city and machine (carecircle bench)
// to know what the engine costs there. The go test benchmarks of the web
// package run the same what-if sessions (WhatIfSession).
package benchsuite

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/carecircle/carecircle/data"
	"github.com/carecircle/carecircle/geo"
	"github.com/carecircle/carecircle/planner"
	"github.com/carecircle/carecircle/planner/siting"
	"github.com/carecircle/carecircle/web"
	"github.com/paulmach/orb/maptile"
)

// Options sizes the suite. Zero fields take the defaults of Defaults.
type Options struct {
	Sequential int // what-ifs one after another
	Planners   int // planners editing at once
	Edits      int // what-ifs of the concurrent session, all planners together
	Tiles      int // tiles requested cold, then again cached
	Sites      int // sites the optimiser suggests
	// Progress, when set, is told each step as it starts (i of n).
	Progress func(step string, i, n int)
}

// Defaults are the standard suite's sizes.
func Defaults() Options {
	return Options{Sequential: 100, Planners: 20, Edits: 400, Tiles: 200, Sites: 100}
}

// Machine is what the suite ran on.
type Machine struct {
	CPU         string `json:"cpu"`
	Cores       int    `json:"cores"`
	MemoryBytes int64  `json:"memory_bytes"`
	OS          string `json:"os"`
	Go          string `json:"go"`
}

// Sizes are the city's.
type Sizes struct {
	Name         string  `json:"name"`
	Nodes        int     `json:"nodes"`
	Edges        int     `json:"edges"`
	Residents    float64 `json:"residents"`
	Regions      int     `json:"regions"`
	Communities  int     `json:"communities"`
	Facilities   int     `json:"facilities"`
	DemandPoints int     `json:"demand_points"`
}

// Step is one measured part of the suite: what it did, how long it took
// in all, and its figures (latency percentiles, rates, bytes).
type Step struct {
	Name    string             `json:"name"`
	Seconds float64            `json:"seconds"`
	Figures map[string]float64 `json:"figures"`
}

// Result is a whole run.
type Result struct {
	Machine Machine `json:"machine"`
	City    Sizes   `json:"city"`
	Steps   []Step  `json:"steps"`
}

// Run loads the city with load and runs the suite on it, keeping its
// scenario store in a temporary folder. The load is measured as the build.
func Run(ctx context.Context, load func(context.Context) (*data.Bundle, error), opt Options) (*Result, error) {
	def := Defaults()
	for _, f := range []struct{ v, d *int }{{&opt.Sequential, &def.Sequential}, {&opt.Planners, &def.Planners}, {&opt.Edits, &def.Edits}, {&opt.Tiles, &def.Tiles}, {&opt.Sites, &def.Sites}} {
		if *f.v <= 0 {
			*f.v = *f.d
		}
	}
	steps := []string{"build", "catchments", "assessment", "what-if sequential", "what-if concurrent", "what-if concurrent fresh", "tiles cold", "tiles cached", "optimiser"}
	progress := func(i int) {
		if opt.Progress != nil {
			opt.Progress(steps[i], i, len(steps))
		}
	}
	res := &Result{Machine: ThisMachine()}

	progress(0)
	start := time.Now()
	b, err := load(ctx)
	if err != nil {
		return nil, err
	}
	m, err := planner.NewModel(ctx, b.City, b.Profile, b.Index)
	if err != nil {
		return nil, err
	}
	build := time.Since(start)
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	res.City = sizesOf(b.City, m)
	res.Steps = append(res.Steps, Step{"build", build.Seconds(), map[string]float64{
		"heap_bytes": float64(ms.HeapAlloc), "bytes_per_node": float64(ms.HeapAlloc) / float64(max(1, res.City.Nodes)),
		"bytes_per_resident": float64(ms.HeapAlloc) / max(1, res.City.Residents)}})

	progress(1)
	base := m.Baseline()
	snaps := make([]geo.Snap, len(base.Facilities))
	for i := range snaps {
		snaps[i] = base.Snap(i)
	}
	start = time.Now()
	if _, err := m.Router.Catchments(ctx, snaps, m.Demand, m.Budget); err != nil {
		return nil, err
	}
	d := time.Since(start)
	res.Steps = append(res.Steps, Step{"catchments", d.Seconds(), map[string]float64{
		"catchments": float64(len(snaps)), "us_per_catchment": float64(d.Microseconds()) / float64(max(1, len(snaps)))}})

	progress(2)
	start = time.Now()
	a, err := base.Clone().Assess(ctx, "baseline")
	if err != nil {
		return nil, err
	}
	res.Steps = append(res.Steps, Step{"assessment", time.Since(start).Seconds(), map[string]float64{"gaps": float64(len(a.Gaps))}})

	dir, err := os.MkdirTemp("", "carecircle-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	h, closeServer, err := NewServer(ctx, b, m, filepath.Join(dir, "scenarios.db"))
	if err != nil {
		return nil, err
	}
	defer closeServer()

	for i, s := range []struct {
		name            string
		planners, edits int
		fresh           bool
	}{{"what-if sequential", 1, opt.Sequential, false}, {"what-if concurrent", opt.Planners, opt.Edits, false}, {"what-if concurrent fresh", opt.Planners, opt.Edits, true}} {
		progress(3 + i)
		lat, err := WhatIfSession(h, b.City.Network, s.planners, s.edits, s.fresh, i*1_000_003)
		if err != nil {
			return nil, err
		}
		res.Steps = append(res.Steps, Step{s.name, lat.Wall.Seconds(), map[string]float64{
			"edits": float64(len(lat.Each)), "p50_ms": lat.Quantile(0.5), "p95_ms": lat.Quantile(0.95), "edits_per_s": lat.Rate()}})
	}

	urls := tileURLs(b.City.Network, opt.Tiles)
	for i, name := range []string{"tiles cold", "tiles cached"} {
		progress(6 + i)
		lat, err := getAll(h, urls)
		if err != nil {
			return nil, err
		}
		res.Steps = append(res.Steps, Step{name, lat.Wall.Seconds(), map[string]float64{
			"tiles": float64(len(lat.Each)), "p50_ms": lat.Quantile(0.5), "p95_ms": lat.Quantile(0.95), "tiles_per_s": lat.Rate()}})
	}

	progress(8)
	start = time.Now()
	r, err := siting.Optimize(ctx, base, siting.OptimizeRequest{Sites: opt.Sites, Seed: 1}, nil)
	if err != nil {
		return nil, err
	}
	res.Steps = append(res.Steps, Step{"optimiser", time.Since(start).Seconds(), map[string]float64{
		"sites": float64(len(r.Sites))}})
	return res, nil
}

func sizesOf(c *planner.City, m *planner.Model) Sizes {
	s := Sizes{Name: c.Name, Nodes: c.Network.NumNodes(), Edges: c.Network.NumEdges(), Regions: len(c.Regions),
		Facilities: len(c.Facilities), DemandPoints: m.Demand.Len()}
	for _, r := range c.Regions {
		if r.Level == planner.LevelCommunity {
			s.Communities++
			s.Residents += r.Residents
		}
	}
	return s
}

// NewServer serves b with a scenario store at path, as carecircle serve
// does; done closes both.
func NewServer(ctx context.Context, b *data.Bundle, m *planner.Model, path string) (h http.Handler, done func(), err error) {
	return NewServerConfig(ctx, path, web.Config{Bundle: b, Model: m})
}

// NewServerConfig is NewServer with cfg's other settings (cache bounds);
// its store and logger are filled in.
func NewServerConfig(ctx context.Context, path string, cfg web.Config) (h http.Handler, done func(), err error) {
	store, err := data.OpenScenarioStore(ctx, path, cfg.Bundle.City.Name)
	if err != nil {
		return nil, nil, err
	}
	cfg.Store, cfg.Logger = store, slog.New(slog.DiscardHandler)
	srv, err := web.New(cfg)
	if err != nil {
		store.Close()
		return nil, nil, err
	}
	return srv.Handler(), func() { srv.Close(context.Background()); store.Close() }, nil
}

// Latencies are the times of a session's requests.
type Latencies struct {
	Each []time.Duration // sorted
	Wall time.Duration   // the session, start to end
}

// Quantile is the q-quantile (0..1) in milliseconds.
func (l Latencies) Quantile(q float64) float64 {
	if len(l.Each) == 0 {
		return 0
	}
	return float64(l.Each[int(q*float64(len(l.Each)-1))].Microseconds()) / 1000
}

// Sorted returns l with its times sorted, after appending sessions.
func Sorted(l Latencies) Latencies {
	slices.Sort(l.Each)
	return l
}

// Rate is requests per second of wall time.
func (l Latencies) Rate() float64 { return float64(len(l.Each)) / max(l.Wall.Seconds(), 1e-9) }

// WhatIfSession is planners editing at once: each of planners goroutines
// adds proposed stations to its own scenario through h (the real handler
// and store), edits in all. With fresh, every edit is the first on a new
// scenario, so it includes building the scenario's evaluation; otherwise
// each scenario is warmed by one edit first. Scenarios are created before
// the clock starts. salt varies the places.
func WhatIfSession(h http.Handler, g *geo.Graph, planners, edits int, fresh bool, salt int) (Latencies, error) {
	todo := make([][]string, planners)
	for w := range planners {
		var id string
		for k := w; k < edits; k += planners {
			if fresh || id == "" {
				var err error
				if id, err = createScenario(h); err != nil {
					return Latencies{}, err
				}
				if !fresh {
					if _, err := addStation(h, g, id, salt+1_000_000+w); err != nil {
						return Latencies{}, err
					}
				}
			}
			todo[w] = append(todo[w], id)
		}
	}
	var (
		mu    sync.Mutex
		lat   Latencies
		first error
		wg    sync.WaitGroup
	)
	start := time.Now()
	for w := range planners {
		wg.Go(func() {
			mine := make([]time.Duration, 0, len(todo[w]))
			for j, id := range todo[w] {
				d, err := addStation(h, g, id, salt+w+j*planners)
				if err != nil {
					mu.Lock()
					first = cmpErr(first, err)
					mu.Unlock()
					return
				}
				mine = append(mine, d)
			}
			mu.Lock()
			lat.Each = append(lat.Each, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	lat.Wall = time.Since(start)
	slices.Sort(lat.Each)
	return lat, first
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func serve(h http.Handler, method, path string, body any) *httptest.ResponseRecorder {
	var buf bytes.Buffer
	if body != nil {
		json.NewEncoder(&buf).Encode(body)
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(method, path, &buf)
	req.Host = "127.0.0.1" // a host the server serves (guard.go)
	req.Header.Set("Accept-Encoding", "gzip")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	h.ServeHTTP(rec, req)
	return rec
}

func createScenario(h http.Handler) (string, error) {
	rec := serve(h, "POST", "/api/v1/scenarios", map[string]any{"name": "bench"})
	var sc struct{ ID string }
	if err := json.Unmarshal(rec.Body.Bytes(), &sc); err != nil || sc.ID == "" {
		return "", fmt.Errorf("bench: creating a scenario: %d %s", rec.Code, rec.Body)
	}
	return sc.ID, nil
}

// addStation proposes a station near node k (mod the node count) of g.
func addStation(h http.Handler, g *geo.Graph, id string, k int) (time.Duration, error) {
	p := g.Points[(k*7919+13)%g.NumNodes()]
	start := time.Now()
	rec := serve(h, "POST", "/api/v1/scenarios/"+id+"/facilities",
		map[string]any{"type": "community_station", "lon": p[0], "lat": p[1], "floor_area_m2": 300, "beds": 10})
	d := time.Since(start)
	if rec.Code != http.StatusCreated {
		return d, fmt.Errorf("bench: adding a station to scenario %s: %d %s", id, rec.Code, rec.Body)
	}
	return d, nil
}

// tileURLs are n baseline tiles of every layer at zooms 12–16 around
// places spread over the network, as a map user's panning asks for them.
func tileURLs(g *geo.Graph, n int) []string {
	layers := []string{"basemap", "communities", "facilities", "demand", "service_areas"}
	var out []string
	for k := 0; len(out) < n; k++ {
		p := g.Points[(k*104729+7)%g.NumNodes()]
		z := maptile.Zoom(12 + k%5)
		t := maptile.At(p, z)
		out = append(out, fmt.Sprintf("/tiles/%s/%d/%d/%d.mvt", layers[k%len(layers)], t.Z, t.X, t.Y))
	}
	return out
}

// getAll requests each URL in turn.
func getAll(h http.Handler, urls []string) (Latencies, error) {
	var lat Latencies
	start := time.Now()
	for _, u := range urls {
		t := time.Now()
		rec := serve(h, "GET", u, nil)
		lat.Each = append(lat.Each, time.Since(t))
		if rec.Code != http.StatusOK {
			return lat, fmt.Errorf("bench: %s: %d %s", u, rec.Code, rec.Body)
		}
	}
	lat.Wall = time.Since(start)
	slices.Sort(lat.Each)
	return lat, nil
}

// ThisMachine describes the machine the process runs on (Linux figures;
// elsewhere what the Go runtime knows).
func ThisMachine() Machine {
	m := Machine{Cores: runtime.NumCPU(), OS: runtime.GOOS + "/" + runtime.GOARCH, Go: runtime.Version()}
	m.CPU = procField("/proc/cpuinfo", "model name")
	if kb := procField("/proc/meminfo", "MemTotal"); kb != "" {
		var n int64
		fmt.Sscanf(kb, "%d", &n)
		m.MemoryBytes = n << 10
	}
	return m
}

// procField is the value of the first "key: value" line of a /proc file.
func procField(path, key string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// TileSession requests n tiles through h, cycling over distinct tiles
// (the first pass cold, later ones cached or rebuilt after eviction).
func TileSession(h http.Handler, g *geo.Graph, n, distinct int) (Latencies, error) {
	urls := tileURLs(g, distinct)
	var lat Latencies
	start := time.Now()
	for i := range n {
		u := urls[i%len(urls)]
		rec := serve(h, "GET", u, nil)
		// 204 is an empty tile (nothing of the layer there), a real answer.
		if rec.Code != http.StatusOK && rec.Code != http.StatusNoContent {
			return lat, fmt.Errorf("bench: %s: %d %s", u, rec.Code, rec.Body)
		}
	}
	lat.Wall = time.Since(start)
	return lat, nil
}

// RSS is the process's resident memory in bytes (Linux; 0 elsewhere).
func RSS() int64 {
	kb := procField("/proc/self/status", "VmRSS")
	var n int64
	fmt.Sscanf(kb, "%d", &n)
	return n << 10
}
