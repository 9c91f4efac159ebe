package web_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/carecircle/carecircle/data"
	"github.com/carecircle/carecircle/planner"
	"github.com/carecircle/carecircle/web"
)

// chromiumPath is Debian's chromium, which .ci/run installs; CHROMIUM
// overrides it.
func chromiumPath() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	return "/usr/bin/chromium"
}

// needBrowser returns the node binary that runs the browser scripts, or
// skips t (in -short mode, or when node, chromium or web/e2e/node_modules
// is missing, so a fresh clone passes; .ci/run installs them).
func needBrowser(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("browser test skipped: node is not installed (.ci/run installs it with chromium)")
	}
	if _, err := os.Stat(chromiumPath()); err != nil {
		t.Skipf("browser test skipped: no chromium at %s (apt-get install chromium; .ci/run does)", chromiumPath())
	}
	if _, err := os.Stat(filepath.Join("e2e", "node_modules", "playwright-core", "package.json")); err != nil {
		t.Skip("browser test skipped: web/e2e/node_modules/playwright-core is missing (run `npm ci` in web/e2e; .ci/run does)")
	}
	return node
}

// TestBrowserEndToEnd serves the demo district in-process and runs the web
// app in headless chromium (web/e2e/e2e.mjs, playwright-core): the map
// draws, a scenario is created and a site drawn where elders are not
// covered, the coverage figure rises, the scenario survives a reload, and
// the siting panel's suggestions are accepted and rejected. A second
// server, on the city demo, gives an optimiser run long enough to cancel.
// It skips when node, chromium or web/e2e/node_modules is missing, so a
// fresh clone passes; .ci/run installs them.
func TestBrowserEndToEnd(t *testing.T) {
	node := needBrowser(t)

	ctx := context.Background()
	preset := os.Getenv("CARECIRCLE_E2E_PRESET")
	if preset == "" {
		preset = "district"
	}
	start := time.Now()
	b, err := data.DemoBundle(ctx, preset, 1)
	if err != nil {
		t.Fatal(err)
	}
	m, err := planner.NewModel(ctx, b.City, b.Profile, b.Index)
	if err != nil {
		t.Fatal(err)
	}
	store, err := data.OpenScenarioStore(ctx, filepath.Join(t.TempDir(), "scenarios.db"), b.City.Name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	// The district is served as a province serves its cities: under a path
	// prefix, behind a reverse proxy (docs/deploy.md), so the browser
	// proves the app asks for nothing outside it.
	srv, err := web.New(web.Config{Bundle: b, Model: m, Store: store, Logger: logger, BasePath: "/cq/", TrustProxy: true})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	// As `carecircle serve` does: service areas are computed in the
	// background, so zoomed-in views do not wait for them.
	warm, stopWarm := context.WithCancel(ctx)
	t.Cleanup(stopWarm)
	srv.WarmUp(warm)
	ts := httptest.NewUnstartedServer(srv.Handler())
	ts.Listener.Close()
	ts.Listener = ln
	ts.Start()
	t.Cleanup(ts.Close)
	if !strings.HasPrefix(ts.URL, "http://127.0.0.1:") {
		t.Fatalf("test server at %s, want 127.0.0.1", ts.URL)
	}
	proxy := prefixProxy(t, ts.URL)
	base := proxy + "/cq/"
	resp, err := http.Get(base + "healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %shealthz through the proxy: %d", base, resp.StatusCode)
	}
	t.Logf("demo %s served at %s (ready in %s)", preset, base, time.Since(start).Round(time.Millisecond))

	// The city demo (≈10 M residents), built while the district's steps
	// run: its optimiser runs take seconds, so the browser can cancel a
	// real one.
	cityURL := lazyServer(t, "city", logger)

	artefacts, err := filepath.Abs(filepath.Join("e2e", "artefacts"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(artefacts, 0o755); err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithTimeout(ctx, 6*time.Minute)
	defer cancel()
	// A server of the same city with a token, for the token dialog.
	const token = "e2e-token"
	tokStore, err := data.OpenScenarioStore(ctx, filepath.Join(t.TempDir(), "token.db"), b.City.Name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tokStore.Close() })
	tokSrv, err := web.New(web.Config{Bundle: b, Model: m, Store: tokStore, Token: token, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	tokTS := httptest.NewServer(tokSrv.Handler())
	t.Cleanup(tokTS.Close)
	cmd := exec.CommandContext(runCtx, node, "e2e.mjs", base, artefacts, cityURL+"/", tokTS.URL+"/", token)
	cmd.Dir = "e2e"
	cmd.Env = append(os.Environ(), "CHROMIUM="+chromiumPath())
	cmd.WaitDelay = 10 * time.Second
	out, err := cmd.CombinedOutput()
	t.Logf("node e2e.mjs output:\n%s", out)
	if errors.Is(runCtx.Err(), context.DeadlineExceeded) {
		t.Fatalf("browser test timed out; screenshots in %s", artefacts)
	}
	if err != nil {
		t.Fatalf("browser test failed (%v); screenshots in %s", err, artefacts)
	}
}

// lazyServer serves a demo city on 127.0.0.1 from now on, and builds it in
// the background: requests wait until it is ready (or answer 503 if the
// build failed). It returns the server's URL.
func lazyServer(t *testing.T, preset string, logger *slog.Logger) string {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	dir := t.TempDir()
	ready := make(chan struct{})
	var (
		srv      *web.Server
		store    data.ScenarioStore
		buildErr error
	)
	go func() {
		defer close(ready)
		start := time.Now()
		b, err := data.DemoBundle(ctx, preset, 1)
		if err != nil {
			buildErr = err
			return
		}
		m, err := planner.NewModel(ctx, b.City, b.Profile, b.Index)
		if err != nil {
			buildErr = err
			return
		}
		if store, err = data.OpenScenarioStore(ctx, filepath.Join(dir, preset+".db"), b.City.Name); err != nil {
			buildErr = err
			return
		}
		if srv, err = web.New(web.Config{Bundle: b, Model: m, Store: store, Logger: logger}); err != nil {
			buildErr = err
			return
		}
		t.Logf("demo %s ready in %s", preset, time.Since(start).Round(time.Millisecond))
	}()
	var handler http.Handler
	var once sync.Once
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-ready:
		case <-r.Context().Done():
			return
		}
		if buildErr != nil {
			http.Error(w, "demo "+preset+": "+buildErr.Error(), http.StatusServiceUnavailable)
			return
		}
		once.Do(func() { handler = srv.Handler() })
		handler.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		stop()
		<-ready
		if srv != nil {
			srv.Close(context.Background())
		}
		ts.Close()
		if store != nil {
			store.Close()
		}
	})
	return ts.URL
}

// prefixProxy is a reverse proxy on 127.0.0.1 passing every path on to
// backend unchanged, with X-Forwarded-Host and -Proto, as nginx does in
// deploy/nginx.conf. It returns its URL.
func prefixProxy(t *testing.T, backend string) string {
	t.Helper()
	target, err := url.Parse(backend)
	if err != nil {
		t.Fatal(err)
	}
	ps := httptest.NewServer(&httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
		pr.SetURL(target)
		pr.SetXForwarded()
	}})
	t.Cleanup(ps.Close)
	return ps.URL
}
