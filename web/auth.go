package web

import (
	"crypto/subtle"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

// authorize asks for the server's bearer token, when it has one, on
// everything but the health checks and the web app's own files: the API
// (reads too, since population figures and plans are not for everyone),
// the map tiles, and whatever is added later (closed unless opened here).
// The open paths let a load balancer probe the server and the app load
// to ask for the token.
func (s *Server) authorize(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.token == "" || openPath(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(s.token)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="carecircle"`)
			s.writeError(w, r, &apiError{Status: http.StatusUnauthorized, Code: "unauthorized",
				Message: "this server needs Authorization: Bearer <token> (its --token or CARECIRCLE_TOKEN)"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// openPath tells whether a path needs no token: the health checks (a
// load balancer's probes) and the web app's files, which hold no data.
// /metrics does need it: Prometheus sends one (bearer_token_file).
func openPath(p string) bool {
	if p == "/healthz" || p == "/readyz" {
		return true
	}
	name := strings.TrimPrefix(path.Clean("/"+p), "/")
	if name == "" {
		return true // the app's index.html
	}
	if strings.HasPrefix(name, "api/") || strings.HasPrefix(name, "tiles/") {
		return false
	}
	_, err := fs.Stat(appFiles(), name)
	return err == nil
}
