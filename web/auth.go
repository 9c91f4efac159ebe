package web

import (
	"crypto/subtle"
	"net/http"
	"strings"
)

// authorize asks for the server's bearer token, when it has one, on
// everything that shows or changes the city: the API (reads too, since
// population figures and plans are not for everyone) and the map tiles.
// The health check and the web app's own files stay open, so a load
// balancer can probe the server and the app can load to ask for the
// token.
func (s *Server) authorize(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.token == "" || !needsToken(r.URL.Path) {
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

// needsToken tells whether a path shows or changes the city's data.
func needsToken(path string) bool {
	return strings.HasPrefix(path, "/api/") || strings.HasPrefix(path, "/tiles/")
}
