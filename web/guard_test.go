package web

import (
	"testing"
)

// TestForeignPagesCannotWrite plays the pages of other sites: a
// text/plain or form POST (no preflight), a write from a foreign Origin
// or Referer, and a request naming a foreign Host (DNS rebinding). Each
// is refused and changes nothing; the web app's own requests pass.
func TestForeignPagesCannotWrite(t *testing.T) {
	ts, store := testServer(t, "")
	own := ts.URL // http://127.0.0.1:port
	create := `{"name":"x"}`
	for _, c := range []struct {
		name   string
		method string
		path   string
		body   any
		header []string
		status int
	}{
		{"text/plain POST", "POST", "/api/v1/scenarios", create, []string{"Content-Type", "text/plain"}, 415},
		{"form POST", "POST", "/api/v1/scenarios", create, []string{"Content-Type", "application/x-www-form-urlencoded"}, 415},
		{"no content type", "POST", "/api/v1/scenarios", create, []string{"Content-Type", ""}, 415},
		{"upload as text/plain", "POST", "/api/v1/candidates?filename=a.csv", "name,lon,lat\n", []string{"Content-Type", "text/plain"}, 415},
		{"CSV to a JSON route", "POST", "/api/v1/scenarios", create, []string{"Content-Type", "text/csv"}, 415},
		{"foreign Origin", "POST", "/api/v1/scenarios", create, []string{"Origin", "https://evil.example"}, 403},
		{"null Origin", "POST", "/api/v1/scenarios", create, []string{"Origin", "null"}, 403},
		{"other port on loopback", "POST", "/api/v1/scenarios", create, []string{"Origin", "http://127.0.0.1:1"}, 403},
		{"cross-site fetch", "POST", "/api/v1/scenarios", create, []string{"Sec-Fetch-Site", "cross-site"}, 403},
		{"foreign Referer", "POST", "/api/v1/scenarios", create, []string{"Referer", "https://evil.example/page"}, 403},
		{"foreign Host DELETE", "DELETE", "/api/v1/scenarios/s-x", nil, []string{"Host", "evil.example"}, 421},
		{"foreign Host read", "GET", "/api/v1/scenarios", nil, []string{"Host", "rebound.evil.example:80"}, 421},
		{"foreign IP Host", "GET", "/api/v1/city", nil, []string{"Host", "10.1.2.3"}, 421},
	} {
		t.Run(c.name, func(t *testing.T) {
			errorCode(t, call(t, ts, c.method, c.path, c.body, c.header...), c.status)
		})
	}
	if list, _, err := store.List(t.Context()); err != nil || len(list) != 0 {
		t.Fatalf("a refused write made scenarios: %v %v", list, err)
	}
	// What the web app sends.
	for _, h := range [][]string{
		{"Origin", own, "Sec-Fetch-Site", "same-origin"},
		{"Referer", own + "/"},
		{"Host", "localhost"},
		{}, // curl
	} {
		if r := call(t, ts, "POST", "/api/v1/scenarios", create, h...); r.status != 201 {
			t.Fatalf("own write %v: %d %s", h, r.status, r.raw)
		}
	}
	if r := call(t, ts, "POST", "/api/v1/candidates?filename=a.csv", "名称,经度,纬度\n", "Content-Type", "application/octet-stream", "Origin", own); r.status >= 500 || r.status == 415 || r.status == 403 {
		t.Fatalf("own upload: %d %s", r.status, r.raw)
	}
}

// TestHostPolicy checks which Host headers each listen address serves.
func TestHostPolicy(t *testing.T) {
	for _, c := range []struct {
		addr    string
		allowed []string
		host    string
		want    bool
	}{
		{"127.0.0.1:8080", nil, "127.0.0.1:8080", true},
		{"127.0.0.1:8080", nil, "localhost:8080", true},
		{"127.0.0.1:8080", nil, "[::1]:8080", true},
		{"127.0.0.1:8080", nil, "evil.example:8080", false},
		{"127.0.0.1:8080", nil, "192.168.1.5:8080", false},
		{"127.0.0.1:8080", nil, "", false},
		{"0.0.0.0:8080", nil, "192.168.1.5:8080", true},
		{":8080", nil, "192.168.1.5:8080", true},
		{"", nil, "192.168.1.5:8080", false},
		{"0.0.0.0:8080", nil, "carecircle.example.org", false},
		{"0.0.0.0:8080", []string{"CareCircle.example.org"}, "carecircle.example.org.", true},
		{"127.0.0.1:8080", []string{"a.example", " planner.example.org "}, "planner.example.org:443", true},
		{"192.168.1.5:8080", nil, "192.168.1.5", true},
		{"192.168.1.5:8080", nil, "192.168.1.6", false},
		{"planner.lan:8080", nil, "Planner.LAN:8080", true},
	} {
		if got := newHostPolicy(c.addr, c.allowed).serves(c.host); got != c.want {
			t.Errorf("listen %s allowed %v: serves(%q) = %v, want %v", c.addr, c.allowed, c.host, got, c.want)
		}
	}
}

// TestProxiedPagesCanWrite: behind a proxy that rewrites Host to the
// backend, the page's Origin is the proxy's; it counts as the server's own
// only when the server trusts the proxy's X-Forwarded-Host.
func TestProxiedPagesCanWrite(t *testing.T) {
	for _, trust := range []bool{false, true} {
		_, ts := configuredServer(t, "", "", func(c *Config) { c.TrustProxy = trust })
		r := call(t, ts, "POST", "/api/v1/scenarios", map[string]any{"name": "proxied"},
			"Origin", "https://planning.example", "X-Forwarded-Host", "planning.example", "X-Forwarded-Proto", "https")
		want := 403
		if trust {
			want = 201
		}
		if r.status != want {
			t.Errorf("trust proxy %v: POST from the proxy's page: %d %s, want %d", trust, r.status, r.raw, want)
		}
		// A forwarded host does not make another page the server's own.
		r = call(t, ts, "POST", "/api/v1/scenarios", map[string]any{"name": "foreign"},
			"Origin", "https://evil.example", "X-Forwarded-Host", "planning.example", "X-Forwarded-Proto", "https")
		if r.status != 403 {
			t.Errorf("trust proxy %v: POST from a foreign page: %d, want 403", trust, r.status)
		}
	}
}
