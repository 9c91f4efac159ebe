package web

import (
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
)

// Defences against other web pages. A page on another site can make a
// browser send requests here (a form or fetch with a "simple" content
// type needs no CORS preflight), and a page on a name that the attacker
// points at this machine (DNS rebinding) is "same-origin" to the browser.
// So: a request must name in Host a host the server serves; a write must
// come from the server's own pages (Origin, else Sec-Fetch-Site, else
// Referer; a client that sends none of them, like curl, is no browser),
// and a write's body must be typed JSON (or, on the upload route, a file
// type), which a foreign page cannot send without a CORS preflight the
// server never grants.

// uploadTypes are the media types the upload route takes besides JSON
// (GeoJSON): what browsers label CSV, XLSX and GeoJSON files, and the
// generic type the web app sends.
var uploadTypes = []string{"application/octet-stream", "text/csv", "application/geo+json",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}

// uploadRoute is the one route that takes a file instead of JSON.
const uploadRoute = "/api/v1/candidates"

// hostPolicy says which Host headers the server answers.
type hostPolicy struct {
	listen  string   // the host of the listen address: an IP (0.0.0.0 or :: for all), a name, or "" (loopback only)
	allowed []string // further names (a reverse proxy's public name), lower case
}

func newHostPolicy(addr string, allowed []string) hostPolicy {
	h, _, err := net.SplitHostPort(addr)
	if err != nil {
		h = addr
	}
	if addr != "" && h == "" {
		h = "0.0.0.0" // ":8080" listens on every address
	}
	p := hostPolicy{listen: normalHost(h)}
	for _, a := range allowed {
		if a = normalHost(strings.TrimSpace(a)); a != "" {
			p.allowed = append(p.allowed, a)
		}
	}
	return p
}

// normalHost is a Host header's or URL's host without port, brackets
// and trailing dot, in lower case.
func normalHost(h string) string {
	if host, _, err := net.SplitHostPort(h); err == nil {
		h = host
	}
	return strings.TrimSuffix(strings.ToLower(strings.Trim(h, "[]")), ".")
}

// serves tells whether the server answers requests for host: loopback
// names and addresses, the listen address (any IP address of the machine
// when it listens on all of them: an address, unlike a name, cannot be
// rebound to it) and the allowed names.
func (p hostPolicy) serves(host string) bool {
	h := normalHost(host)
	if h == "" {
		return false
	}
	if h == "localhost" || strings.HasSuffix(h, ".localhost") || h == p.listen || slices.Contains(p.allowed, h) {
		return true
	}
	ip := net.ParseIP(h)
	if ip == nil {
		return false
	}
	if ip.IsLoopback() {
		return true
	}
	l := net.ParseIP(p.listen)
	return l != nil && (l.IsUnspecified() || l.Equal(ip))
}

// guard refuses requests for foreign hosts and writes from foreign pages
// or without a JSON (or upload) body.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Frame-Options", "DENY") // no foreign page frames the map to steer clicks
		if !s.hosts.serves(r.Host) {
			s.writeError(w, r, &apiError{Status: http.StatusMisdirectedRequest, Code: "unknown_host",
				Message: fmt.Sprintf("this server does not serve the host %q; a reverse proxy's name must be given to serve --allowed-hosts", r.Host)})
			return
		}
		if r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodOptions {
			next.ServeHTTP(w, r)
			return
		}
		if from, ok := s.sameOrigin(r); !ok {
			s.writeError(w, r, &apiError{Status: http.StatusForbidden, Code: "cross_origin",
				Message: fmt.Sprintf("writes come only from this server's own pages, not from %s", from)})
			return
		}
		if r.ContentLength == 0 {
			next.ServeHTTP(w, r) // no body to type (a DELETE); an empty one fails as bad JSON
			return
		}
		want := []string{"application/json"}
		if path.Clean(r.URL.Path) == uploadRoute {
			want = append(want, uploadTypes...)
		}
		mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || !slices.Contains(want, mt) {
			s.writeError(w, r, &apiError{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type",
				Message: fmt.Sprintf("Content-Type %q: want %s", r.Header.Get("Content-Type"), strings.Join(want, " or "))})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// sameOrigin tells whether a write comes from the server's own pages,
// and if not, from where. Browsers send Origin on every cross-origin
// write; older ones only Referer; Sec-Fetch-Site says it outright.
func (s *Server) sameOrigin(r *http.Request) (from string, ok bool) {
	if o := r.Header.Get("Origin"); o != "" {
		return "Origin " + o, s.ownPage(r, o)
	}
	switch site := r.Header.Get("Sec-Fetch-Site"); site {
	case "same-origin", "none": // none: typed by the user
		return "", true
	case "":
	default:
		return "Sec-Fetch-Site " + site, false
	}
	if ref := r.Header.Get("Referer"); ref != "" {
		return "Referer " + ref, s.ownPage(r, ref)
	}
	return "", true // no browser: a script or curl, which the token guards
}

// ownPage tells whether the page at URL u (an Origin or Referer) is one
// of this server's: the same host and port as the request, the host the
// browser sees behind a trusted proxy (publicOrigin), or a name the
// server is allowed to answer to behind a reverse proxy.
func (s *Server) ownPage(r *http.Request, u string) bool {
	p, err := url.Parse(u)
	if err != nil || p.Host == "" || p.Scheme != "http" && p.Scheme != "https" {
		return false // "null" (sandboxed frames, file: pages) included
	}
	if strings.EqualFold(p.Host, r.Host) || slices.Contains(s.hosts.allowed, normalHost(p.Host)) {
		return true
	}
	return s.trustProxy && strings.EqualFold(p.Scheme+"://"+p.Host, s.publicOrigin(r))
}
