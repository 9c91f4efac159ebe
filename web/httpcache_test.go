package web

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/carecircle/carecircle/data"
	"github.com/paulmach/orb/maptile"
)

// tileURLOf is the tile template of layer from its TileJSON, z/x/y filled.
func tileURLOf(t *testing.T, ts *httptest.Server, layer, scenario string, z, x, y string) string {
	t.Helper()
	var tj struct{ Tiles []string }
	_, b := get(t, ts.URL+"/tiles/"+layer+".json?scenario="+scenario)
	if err := json.Unmarshal(b, &tj); err != nil || len(tj.Tiles) != 1 {
		t.Fatalf("TileJSON of %s: %s", layer, b)
	}
	return strings.NewReplacer("{z}", z, "{x}", x, "{y}", y).Replace(tj.Tiles[0])
}

// TestTileCaching follows a tile through revalidation: its ETag gives 304,
// a URL at the scenario's version is immutable, an edit makes the old ETag
// stale, HEAD answers like GET, and an empty tile is 204.
func TestTileCaching(t *testing.T) {
	_, ts := configuredServer(t, "", "", nil)
	c := tinyBundle.City.Network.Bound().Center()
	// The tile holding the city's centre at z14.
	tile := maptile.At(c, 14)
	z, x, y := "14", strconv.Itoa(int(tile.X)), strconv.Itoa(int(tile.Y))

	sc := call(t, ts, "POST", "/api/v1/scenarios", map[string]any{"name": "cache test"})
	id := sc.body["id"].(string)

	base := tileURLOf(t, ts, "facilities", id, z, x, y)
	resp, first := get(t, base+"&v=1", "Accept-Encoding", "gzip")
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != 200 || etag == "" || resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("tile: %d, ETag %q, Content-Encoding %q", resp.StatusCode, etag, resp.Header.Get("Content-Encoding"))
	}
	if cc := resp.Header.Get("Cache-Control"); cc != immutable {
		t.Errorf("tile at its version: Cache-Control %q, want %q", cc, immutable)
	}
	if v := resp.Header.Get("Vary"); !strings.Contains(v, "Accept-Encoding") {
		t.Errorf("tile: Vary %q, want Accept-Encoding", v)
	}
	if resp, _ := get(t, base+"&v=0"); resp.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("tile at another version: Cache-Control %q, want no-cache", resp.Header.Get("Cache-Control"))
	}
	resp, b304 := get(t, base+"&v=1", "If-None-Match", etag, "Accept-Encoding", "gzip")
	if resp.StatusCode != http.StatusNotModified || len(b304) != 0 || resp.Header.Get("ETag") != etag {
		t.Errorf("If-None-Match the ETag: %d (%d bytes), want 304 with no body", resp.StatusCode, len(b304))
	}
	req, _ := http.NewRequest(http.MethodHead, base+"&v=1", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	head, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	head.Body.Close()
	if head.StatusCode != 200 || head.Header.Get("ETag") != etag || head.ContentLength != int64(len(first)) {
		t.Errorf("HEAD tile: %d, ETag %q, length %d; want 200, %s, %d", head.StatusCode, head.Header.Get("ETag"), head.ContentLength, etag, len(first))
	}

	// An edit: the scenario is at version 2, and the version-1 ETag is stale.
	add := call(t, ts, "POST", "/api/v1/scenarios/"+id+"/facilities",
		map[string]any{"type": "community_station", "lon": c[0], "lat": c[1], "floor_area_m2": 300}, "If-Match", `"1"`)
	if add.status != http.StatusCreated {
		t.Fatalf("add facility: %d %s", add.status, add.raw)
	}
	resp, _ = get(t, base+"&v=2", "If-None-Match", etag)
	if resp.StatusCode != 200 || resp.Header.Get("ETag") == etag {
		t.Errorf("after an edit, If-None-Match the old ETag: %d, ETag %q; want 200 and a new ETag", resp.StatusCode, resp.Header.Get("ETag"))
	}

	// The basemap's TileJSON URL carries its version, so it is immutable.
	bm := tileURLOf(t, ts, "basemap", "baseline", z, x, y)
	if !strings.Contains(bm, "?v=") {
		t.Errorf("basemap TileJSON URL %q has no v=", bm)
	}
	if resp, _ := get(t, bm); resp.StatusCode != 200 && resp.StatusCode != 204 || resp.Header.Get("Cache-Control") != immutable {
		t.Errorf("basemap tile at its version: %d, Cache-Control %q, want %q", resp.StatusCode, resp.Header.Get("Cache-Control"), immutable)
	}

	// Far from the city there is nothing: 204, no body, no Content-Type.
	resp, empty := get(t, tileURLOf(t, ts, "communities", "baseline", "14", "0", "0"), "Accept-Encoding", "gzip")
	if resp.StatusCode != http.StatusNoContent || len(empty) != 0 {
		t.Errorf("empty tile: %d with %d bytes, want 204 and none", resp.StatusCode, len(empty))
	}
}

// TestCompression checks gzip on JSON and static files, the Vary header on
// all, ETag revalidation of static files, HEAD, and logs the app's cold
// load with and without gzip.
func TestCompression(t *testing.T) {
	_, ts := configuredServer(t, "", "", nil)
	plain, err := io.ReadAll(mustGet(t, ts.URL+"/api/v1/city", "Accept-Encoding", "identity"))
	if err != nil {
		t.Fatal(err)
	}
	resp, zipped := get(t, ts.URL+"/api/v1/city", "Accept-Encoding", "gzip, deflate, br")
	if resp.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
		t.Fatalf("city JSON: Content-Encoding %q, Vary %q; want gzip and Accept-Encoding", resp.Header.Get("Content-Encoding"), resp.Header.Get("Vary"))
	}
	if un, err := gunzip(zipped); err != nil || !bytes.Equal(un, plain) {
		t.Errorf("gzipped city JSON does not unpack to the plain one (%v)", err)
	}
	if resp, _ := get(t, ts.URL+"/api/v1/city", "Accept-Encoding", "gzip;q=0"); resp.Header.Get("Content-Encoding") != "" {
		t.Errorf("gzip;q=0 got Content-Encoding %q", resp.Header.Get("Content-Encoding"))
	}
	if resp, _ := get(t, ts.URL+"/healthz", "Accept-Encoding", "gzip"); resp.Header.Get("Content-Encoding") != "" || !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
		t.Errorf("a tiny body: Content-Encoding %q (want none), Vary %q", resp.Header.Get("Content-Encoding"), resp.Header.Get("Vary"))
	}

	resp, js := get(t, ts.URL+"/app.js", "Accept-Encoding", "gzip")
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "gzip" || etag == "" || resp.Header.Get("Cache-Control") != "no-cache" {
		t.Fatalf("app.js: %d, Content-Encoding %q, ETag %q, Cache-Control %q", resp.StatusCode, resp.Header.Get("Content-Encoding"), etag, resp.Header.Get("Cache-Control"))
	}
	if _, err := gunzip(js); err != nil {
		t.Fatalf("app.js does not gunzip: %v", err)
	}
	if resp, b := get(t, ts.URL+"/app.js", "Accept-Encoding", "gzip", "If-None-Match", etag); resp.StatusCode != http.StatusNotModified || len(b) != 0 {
		t.Errorf("app.js If-None-Match its ETag: %d, want 304", resp.StatusCode)
	}
	if resp, _ := get(t, ts.URL+"/app.js", "Accept-Encoding", "identity", "If-None-Match", etag); resp.StatusCode != 200 {
		t.Errorf("app.js plain with the gzipped one's ETag: %d, want 200 (another representation)", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodHead, ts.URL+"/api/v1/city", nil)
	head, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	head.Body.Close()
	if head.StatusCode != 200 || !strings.HasPrefix(head.Header.Get("Content-Type"), "application/json") {
		t.Errorf("HEAD /api/v1/city: %d %q, want 200 JSON", head.StatusCode, head.Header.Get("Content-Type"))
	}

	var raw, gz int
	for _, u := range append([]string{""}, appURLs(t)...) {
		_, p := get(t, ts.URL+"/"+u, "Accept-Encoding", "identity")
		_, z := get(t, ts.URL+"/"+u, "Accept-Encoding", "gzip")
		raw += len(p)
		gz += len(z)
	}
	t.Logf("the app's cold load (page, CSS, scripts; no tiles or API): %d bytes plain, %d gzipped", raw, gz)
	if gz*2 > raw {
		t.Errorf("cold load gzipped is %d of %d bytes: gzip is not applied to the app's files", gz, raw)
	}
}

func mustGet(t *testing.T, u string, header ...string) io.Reader {
	t.Helper()
	_, b := get(t, u, header...)
	return bytes.NewReader(b)
}

// TestRequestIDs checks that a sane X-Request-ID is kept and echoed, an
// insane one replaced, and that the ID is in the request's log line.
func TestRequestIDs(t *testing.T) {
	var logs bytes.Buffer
	_, ts := configuredServer(t, "", "", func(c *Config) {
		c.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	resp, _ := get(t, ts.URL+"/api/v1/scenarios/nope", "X-Request-ID", "proxy-7f3a")
	if got := resp.Header.Get("X-Request-ID"); got != "proxy-7f3a" {
		t.Errorf("a sane X-Request-ID came back as %q", got)
	}
	if !strings.Contains(logs.String(), "request_id=proxy-7f3a") {
		t.Errorf("the log has no request_id=proxy-7f3a:\n%s", logs.String())
	}
	resp, _ = get(t, ts.URL+"/healthz", "X-Request-ID", `has space "and quotes"`)
	if got := resp.Header.Get("X-Request-ID"); len(got) != 16 || strings.ContainsAny(got, ` "`) {
		t.Errorf("an insane X-Request-ID was answered with %q, want a new 16-digit one", got)
	}
	resp, _ = get(t, ts.URL+"/healthz")
	if resp.Header.Get("X-Request-ID") == "" {
		t.Errorf("no X-Request-ID made for a request without one")
	}
}

func TestAcceptsGzip(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   bool
	}{
		{"", false}, {"gzip", true}, {"gzip, deflate, br", true}, {"br;q=1.0, gzip;q=0.8", true}, {"GZIP", true},
		{"gzip;q=0", false}, {"gzip; q=0", false}, {"identity", false}, {"*", true}, {"deflate", false}, {"x-gzip", false},
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Accept-Encoding", tc.header)
		if got := acceptsGzip(r); got != tc.want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", tc.header, got, tc.want)
		}
	}
}

func TestETagMatches(t *testing.T) {
	for _, tc := range []struct {
		header, etag string
		want         bool
	}{
		{"", `"a"`, false}, {`"a"`, `"a"`, true}, {`W/"a"`, `"a"`, true}, {`"b", "a"`, `"a"`, true}, {"*", `"a"`, true}, {`"ab"`, `"a"`, false},
	} {
		if got := etagMatches(tc.header, tc.etag); got != tc.want {
			t.Errorf("etagMatches(%q, %q) = %v, want %v", tc.header, tc.etag, got, tc.want)
		}
	}
}

func TestIdentifiedBuild(t *testing.T) {
	for _, tc := range []struct {
		version string
		want    bool
	}{
		{"", false}, {"dev", false}, {"(devel)", false}, {"(devel)+0123456789ab", true}, {"v1.2.3", true},
		{"v1.2.3+0123456789ab", true}, {"(devel)+0123456789ab-dirty", false}, {"v0.0.0-20261207-abcdef+dirty", false},
	} {
		if got := identifiedBuild(tc.version); got != tc.want {
			t.Errorf("identifiedBuild(%q) = %v, want %v", tc.version, got, tc.want)
		}
	}
	if tileTag("v1.2.3", tinyCity(t)) != tileTag("v1.2.3", tinyBundle) {
		t.Errorf("two servers of one release on one city disagree on the tile tag")
	}
	if tileTag("dev", tinyBundle) == tileTag("dev", tinyBundle) {
		t.Errorf("a dev build's tile tag is the same at every start")
	}
}

// tinyCity is the tiny demo city, built once.
func tinyCity(t *testing.T) *data.Bundle {
	t.Helper()
	testServerOf(t, "")
	return tinyBundle
}
