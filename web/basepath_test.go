package web

import (
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/carecircle/carecircle/data"
)

// configuredServer serves the tiny demo city like testServerOf, with cfg
// adjusted by adjust and the scenario store at dbPath ("" for a fresh one)
// under the store city name city ("" for the bundle's).
func configuredServer(t *testing.T, dbPath, city string, adjust func(*Config)) (*Server, *httptest.Server) {
	t.Helper()
	testServerOf(t, "") // builds the tiny city once
	if dbPath == "" {
		dbPath = filepath.Join(t.TempDir(), "s.db")
	}
	if city == "" {
		city = tinyBundle.City.Name
	}
	store, err := data.OpenScenarioStore(context.Background(), dbPath, city)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	cfg := Config{Bundle: tinyBundle, Model: tinyModel, Store: store, Logger: slog.New(slog.DiscardHandler)}
	if adjust != nil {
		adjust(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	t.Cleanup(func() { srv.Close(context.Background()) })
	return srv, ts
}

// pathProxy is a reverse proxy routing by path prefix, as nginx or Caddy
// in front of one replica per city: requests under a route's prefix go to
// its backend, with the prefix kept (strip "") or the strip part removed
// and announced in X-Forwarded-Prefix.
func pathProxy(t *testing.T, strip string, routes map[string]string) *httptest.Server {
	t.Helper()
	rp := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
		for prefix, backend := range routes {
			if p := pr.In.URL.Path; strings.HasPrefix(p, prefix) || p+"/" == prefix {
				u, _ := url.Parse(backend)
				pr.SetURL(u)
				break
			}
		}
		pr.SetXForwarded()
		if strip != "" {
			pr.Out.URL.Path = strings.TrimPrefix(pr.Out.URL.Path, strip)
			pr.Out.URL.RawPath = ""
			pr.Out.Header.Set("X-Forwarded-Prefix", strip)
		}
	}}
	ts := httptest.NewServer(rp)
	t.Cleanup(ts.Close)
	return ts
}

func get(t *testing.T, u string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultTransport.RoundTrip(req) // no redirects followed, no gzip undone
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// TestBasePathBehindProxy serves a city at /cq/ behind a path-routing
// proxy, once with the prefix passed through (--base-path /cq/) and once
// with a province prefix stripped by the proxy (X-Forwarded-Prefix), and
// follows what the app follows: the page, its files, the city, TileJSON
// and a tile, all through the proxy.
func TestBasePathBehindProxy(t *testing.T) {
	for _, tc := range []struct {
		name, strip, route string
	}{
		{"prefix kept", "", "/cq/"},
		{"outer prefix stripped", "/province", "/province/cq/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, backend := configuredServer(t, "", "", func(c *Config) { c.BasePath = "/cq/"; c.TrustProxy = true })
			proxy := pathProxy(t, tc.strip, map[string]string{tc.route: backend.URL})
			base := proxy.URL + tc.route

			resp, _ := get(t, strings.TrimSuffix(base, "/"))
			if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != tc.route {
				t.Errorf("GET %s without its slash: %d to %q, want 301 to %s", tc.route, resp.StatusCode, resp.Header.Get("Location"), tc.route)
			}
			resp, page := get(t, base)
			if resp.StatusCode != 200 || !strings.Contains(string(page), "<title>CareCircle</title>") {
				t.Fatalf("GET %s: %d, want the app's page", base, resp.StatusCode)
			}
			if resp, _ := get(t, backend.URL+"/api/v1/city"); resp.StatusCode != http.StatusNotFound {
				t.Errorf("GET /api/v1/city outside the base path: %d, want 404", resp.StatusCode)
			}

			var city struct {
				Layers []struct{ ID, TileJSON string }
			}
			resp, b := get(t, base+"api/v1/city")
			if resp.StatusCode != 200 || json.Unmarshal(b, &city) != nil || len(city.Layers) == 0 {
				t.Fatalf("GET api/v1/city under the prefix: %d %s", resp.StatusCode, b)
			}
			for _, l := range city.Layers {
				if want := tc.route + "tiles/" + l.ID + ".json"; l.TileJSON != want {
					t.Errorf("layer %s: tilejson %q, want %q", l.ID, l.TileJSON, want)
				}
				var tj struct{ Tiles []string }
				resp, b := get(t, proxy.URL+l.TileJSON+"?scenario=baseline")
				if resp.StatusCode != 200 || json.Unmarshal(b, &tj) != nil || len(tj.Tiles) != 1 {
					t.Fatalf("TileJSON of %s: %d %s", l.ID, resp.StatusCode, b)
				}
				if want := base + "tiles/" + l.ID + "/{z}/{x}/{y}.mvt"; !strings.HasPrefix(tj.Tiles[0], want) {
					t.Errorf("TileJSON of %s: tiles %q, want the proxy's URL %s…", l.ID, tj.Tiles[0], want)
				}
				tile := strings.NewReplacer("{z}", "0", "{x}", "0", "{y}", "0").Replace(tj.Tiles[0])
				if resp, _ := get(t, tile); resp.StatusCode != 200 && resp.StatusCode != 204 {
					t.Errorf("tile %s: %d, want 200 or 204", tile, resp.StatusCode)
				}
			}
			req, _ := http.NewRequest(http.MethodPost, base+"api/v1/scenarios/baseline/optimize?wait=30", strings.NewReader(`{"sites": 1}`))
			req.Header.Set("Content-Type", "application/json")
			run, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			run.Body.Close()
			if loc := run.Header.Get("Location"); run.StatusCode != http.StatusCreated || !strings.HasPrefix(loc, tc.route+"api/v1/scenarios/baseline/optimize/opt-") {
				t.Errorf("optimise under the prefix: %d, Location %q; want 201 at %s…", run.StatusCode, loc, tc.route+"api/v1/scenarios/baseline/optimize/")
			} else if resp, _ := get(t, proxy.URL+loc); resp.StatusCode != 200 {
				t.Errorf("GET the run's Location %s: %d", loc, resp.StatusCode)
			}
			for _, u := range appURLs(t) {
				if resp, _ := get(t, base+u); resp.StatusCode != 200 {
					t.Errorf("the app asks for %s: %d through the proxy, want 200", base+u, resp.StatusCode)
				}
			}
		})
	}
}

// TestForwardedHeadersNeedTrust checks that X-Forwarded-* change nothing
// unless the server is told to trust its proxy, and that insane values are
// ignored even then.
func TestForwardedHeadersNeedTrust(t *testing.T) {
	for _, tc := range []struct {
		name   string
		trust  bool
		header []string
		want   string // prefix of the tile URL; ORIGIN is the server's
	}{
		{"untrusted", false, []string{"X-Forwarded-Host", "evil.example", "X-Forwarded-Proto", "https", "X-Forwarded-Prefix", "/x"}, "ORIGIN/tiles/"},
		{"trusted", true, []string{"X-Forwarded-Host", "maps.example.gov.cn", "X-Forwarded-Proto", "https", "X-Forwarded-Prefix", "/mz"}, "https://maps.example.gov.cn/mz/tiles/"},
		{"trusted, bad host", true, []string{"X-Forwarded-Host", "a b/c", "X-Forwarded-Prefix", "/../x"}, "ORIGIN/tiles/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, ts := configuredServer(t, "", "", func(c *Config) { c.TrustProxy = tc.trust })
			var tj struct{ Tiles []string }
			_, b := get(t, ts.URL+"/tiles/demand.json", tc.header...)
			if err := json.Unmarshal(b, &tj); err != nil || len(tj.Tiles) != 1 {
				t.Fatalf("TileJSON: %s", b)
			}
			want := strings.Replace(tc.want, "ORIGIN", ts.URL, 1)
			if !strings.HasPrefix(tj.Tiles[0], want) {
				t.Errorf("tiles %q, want %s…", tj.Tiles[0], want)
			}
		})
	}
}

// appURLs lists, relative to the app's page, every file the app loads:
// the page's links, scripts and import map, and each module's relative
// imports, followed. It also fails the test on any root-absolute URL in
// the app's own code, which would break under a base path.
func appURLs(t *testing.T) []string {
	t.Helper()
	sub, err := fs.Sub(app, "app")
	if err != nil {
		t.Fatal(err)
	}
	page, err := fs.ReadFile(sub, "index.html")
	if err != nil {
		t.Fatal(err)
	}
	attr := regexp.MustCompile(`(?:href|src)="([^"#:]+)"`)
	importMap := regexp.MustCompile(`"([^"]+)":\s*"(\./[^"]+)"`)
	imports := regexp.MustCompile(`(?:from|import)\s*\(?\s*['"](\.{1,2}/[^'"]+)['"]`)
	rootAbsolute := regexp.MustCompile("[\"'`]/(api|tiles|vendor|healthz|metrics|openapi)")
	seen := map[string]bool{}
	var out []string
	var visit func(p string)
	visit = func(p string) {
		p = path.Clean(p)
		if seen[p] {
			return
		}
		seen[p] = true
		out = append(out, p)
		if !strings.HasSuffix(p, ".js") && !strings.HasSuffix(p, ".mjs") {
			return
		}
		src, err := fs.ReadFile(sub, p)
		if err != nil {
			t.Errorf("the app refers to %s, which it does not have", p)
			return
		}
		if !strings.HasPrefix(p, "vendor/") {
			if m := rootAbsolute.Find(src); m != nil {
				t.Errorf("%s has a root-absolute URL %s…: it breaks under --base-path", p, m)
			}
		}
		for _, m := range imports.FindAllSubmatch(src, -1) {
			visit(path.Join(path.Dir(p), string(m[1])))
		}
	}
	for _, m := range attr.FindAllSubmatch(page, -1) {
		visit(string(m[1]))
	}
	for _, m := range importMap.FindAllSubmatch(page, -1) {
		visit(string(m[2]))
	}
	if rootAbsolute.Match(page) {
		t.Errorf("index.html has a root-absolute URL: it breaks under --base-path")
	}
	if len(out) < 5 {
		t.Fatalf("found only %v in the app; the patterns are broken", out)
	}
	return out
}

// TestManyCitiesOneDatabase serves two cities from one scenario database
// behind one proxy, each replica at its prefix: each sees its own
// scenarios only, so a province can keep every city in one database.
func TestManyCitiesOneDatabase(t *testing.T) {
	db := filepath.Join(t.TempDir(), "province.db")
	_, a := configuredServer(t, db, "城市甲", func(c *Config) { c.BasePath = "/a/" })
	_, b := configuredServer(t, db, "城市乙", func(c *Config) { c.BasePath = "/b/" })
	proxy := pathProxy(t, "", map[string]string{"/a/": a.URL, "/b/": b.URL})
	for _, city := range []string{"a", "b"} {
		req, _ := http.NewRequest(http.MethodPost, proxy.URL+"/"+city+"/api/v1/scenarios", strings.NewReader(`{"name":"plan of `+city+`"}`))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("create in %s: %d", city, resp.StatusCode)
		}
	}
	for _, city := range []string{"a", "b"} {
		var list []struct{ Name string }
		_, body := get(t, proxy.URL+"/"+city+"/api/v1/scenarios")
		if err := json.Unmarshal(body, &list); err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, s := range list {
			names = append(names, s.Name)
		}
		if len(list) != 2 || list[1].Name != "plan of "+city {
			t.Errorf("city %s lists %q, want the baseline and its own plan only", city, names)
		}
	}
}

func TestNormalizeBasePath(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "/"}, {"/", "/"}, {"cq", "/cq/"}, {"/cq", "/cq/"}, {"/cq/", "/cq/"}, {"/sichuan/cd/", "/sichuan/cd/"},
		{"/a b/", ""}, {"/../", ""}, {"/cq//x/", ""}, {"/cq/?x=1", ""}, {"/%2e%2e/", ""}, {"/./", ""},
	} {
		got, err := NormalizeBasePath(tc.in)
		if tc.want == "" && err == nil {
			t.Errorf("NormalizeBasePath(%q) = %q, want an error", tc.in, got)
		}
		if tc.want != "" && (err != nil || got != tc.want) {
			t.Errorf("NormalizeBasePath(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func FuzzNormalizeBasePath(f *testing.F) {
	for _, s := range []string{"", "/", "/cq/", "a/b", "/../", "//", "/a b/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := NormalizeBasePath(s)
		if err != nil {
			return
		}
		if !basePathRE.MatchString(got) || strings.Contains(got, "/../") || strings.Contains(got, "/./") {
			t.Fatalf("NormalizeBasePath(%q) = %q: not a clean path", s, got)
		}
		if again, err := NormalizeBasePath(got); err != nil || again != got {
			t.Fatalf("NormalizeBasePath is not idempotent on %q: %q, %v", got, again, err)
		}
	})
}

// FuzzPublicURL feeds arbitrary Host and X-Forwarded-* values to a
// trusting server: what it would write into TileJSON and Location headers
// is always a plain origin and a clean path, never a quote, space, line
// break or dot segment from the request.
func FuzzPublicURL(f *testing.F) {
	f.Add("example.org", "https", "maps.example.gov.cn:8443", "/province")
	f.Add("a b", "javascript", "evil\r\nX: y", "/../x")
	f.Add("[::1]:8080", "HTTP", "cq_1:8080", "//x//")
	s := &Server{basePath: "/cq/", trustProxy: true}
	clean := regexp.MustCompile(`^(https?://[A-Za-z0-9._:\[\]-]+)?/([A-Za-z0-9._~-]+/)*$`)
	f.Fuzz(func(t *testing.T, host, proto, fwdHost, fwdPrefix string) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Host = host
		r.Header.Set("X-Forwarded-Proto", proto)
		r.Header.Set("X-Forwarded-Host", fwdHost)
		r.Header.Set("X-Forwarded-Prefix", fwdPrefix)
		u := s.publicOrigin(r) + s.publicBase(r)
		if !clean.MatchString(u) || strings.Contains(u, "/../") || strings.HasSuffix(u, "/..") {
			t.Fatalf("host %q, proto %q, forwarded host %q, prefix %q: public URL %q", host, proto, fwdHost, fwdPrefix, u)
		}
	})
}
