package web

import "testing"

// TestReadsNeedTheToken: with a token, everything that shows the city
// (API reads, tiles, TileJSON, reports) needs it; the health check and
// the web app's files do not.
func TestReadsNeedTheToken(t *testing.T) {
	ts, _ := testServer(t, "s3cret")
	for _, path := range []string{
		"/api/v1/city", "/api/v1/scenarios", "/api/v1/scenarios/baseline", "/api/v1/scenarios/baseline/assessment",
		"/api/v1/scenarios/baseline/summary", "/api/v1/reports/gap.csv", "/api/v1/nearest?lon=106.55&lat=29.56",
		"/tiles/communities.json", "/tiles/communities/14/13229/6865.mvt", "/api/v1/nothing", "/nothing", "/metrics",
		"/api/../api/v1/city", "//api/v1/city",
	} {
		if r := call(t, ts, "GET", path, nil); r.status != 401 || r.header.Get("WWW-Authenticate") == "" {
			t.Errorf("GET %s without the token: %d, want 401 with WWW-Authenticate", path, r.status)
		}
		if r := call(t, ts, "GET", path, nil, "Authorization", "Bearer s3cret"); r.status == 401 || r.status >= 500 {
			t.Errorf("GET %s with the token: %d %s", path, r.status, r.raw)
		}
	}
	for _, path := range []string{"/healthz", "/readyz", "/", "/index.html", "/app.js", "/i18n.js", "/app.css"} {
		if r := call(t, ts, "GET", path, nil); r.status != 200 {
			t.Errorf("GET %s needs no token: %d", path, r.status)
		}
	}
}
