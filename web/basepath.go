package web

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
)

// A base path puts the whole server (app, API, tiles, TileJSON, health and
// metrics) under a prefix such as /cq/, so that one reverse proxy can route
// many cities by path to one replica each. The server strips the prefix
// before routing; the app asks for everything by relative URL, so it works
// under any prefix; what the server writes into responses (TileJSON tile
// URLs, layer links, Location headers) carries the prefix back.

// basePathRE is what a base path may look like once normalised: segments
// of URL-safe characters, each between slashes.
var basePathRE = regexp.MustCompile(`^/([A-Za-z0-9._~-]+/)*$`)

// NormalizeBasePath returns p with one leading and one trailing slash ("/"
// for ""), or an error saying what is wrong with it.
func NormalizeBasePath(p string) (string, error) {
	p = strings.TrimSpace(p)
	if p == "" || p == "/" {
		return "/", nil
	}
	n := "/" + strings.Trim(p, "/") + "/"
	if !basePathRE.MatchString(n) || strings.Contains(n, "//") {
		return "", fmt.Errorf("base path %q: want a URL path of letters, digits and . _ ~ - between slashes, e.g. /cq/", p)
	}
	for _, seg := range strings.Split(strings.Trim(n, "/"), "/") {
		if seg == "." || seg == ".." {
			return "", fmt.Errorf("base path %q: no . or .. segments", p)
		}
	}
	return n, nil
}

// underBase serves next with the base path stripped from the request's
// path. The base path without its slash redirects to it; anything outside
// it is a 404.
func (s *Server) underBase(next http.Handler) http.Handler {
	if s.basePath == "/" {
		return next
	}
	trimmed := strings.TrimSuffix(s.basePath, "/")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if p == trimmed {
			http.Redirect(w, r, s.publicBase(r)+queryOf(r), http.StatusMovedPermanently)
			return
		}
		rest, ok := strings.CutPrefix(p, trimmed)
		if !ok || !strings.HasPrefix(rest, "/") {
			s.writeError(w, r, notFound("nothing at %s: this server is mounted at %s", p, s.basePath))
			return
		}
		r2 := r.Clone(r.Context())
		r2.URL.Path = rest
		if r.URL.RawPath != "" {
			if raw, ok := strings.CutPrefix(r.URL.RawPath, trimmed); ok {
				r2.URL.RawPath = raw
			} else {
				r2.URL.RawPath = ""
			}
		}
		next.ServeHTTP(w, r2)
	})
}

func queryOf(r *http.Request) string {
	if r.URL.RawQuery == "" {
		return ""
	}
	return "?" + r.URL.RawQuery
}

// forwardedPrefixRE is a sane X-Forwarded-Prefix: a path without dot
// segments, quotes or spaces.
var forwardedPrefixRE = regexp.MustCompile(`^(/[A-Za-z0-9._~-]+)*/?$`)

// publicBase is the path, ending in "/", at which browsers reach this
// server: a trusted proxy's X-Forwarded-Prefix (the part it stripped)
// followed by the base path.
func (s *Server) publicBase(r *http.Request) string {
	prefix := ""
	if s.trustProxy {
		if p := strings.TrimSpace(firstValue(r.Header.Get("X-Forwarded-Prefix"))); p != "" && forwardedPrefixRE.MatchString(p) && !strings.Contains(p, "/../") && !strings.HasSuffix(p, "/..") {
			prefix = strings.TrimSuffix(p, "/")
		}
	}
	return prefix + s.basePath
}

// publicPath is p (relative, like "tiles/basemap.json") as a path from the
// root of the browser's origin.
func (s *Server) publicPath(r *http.Request, p string) string {
	return s.publicBase(r) + strings.TrimPrefix(p, "/")
}

// hostRE is a sane Host or X-Forwarded-Host: a DNS name (underscores too,
// as container names have them), an IPv4 address or a bracketed IPv6
// address, with an optional port.
var hostRE = regexp.MustCompile(`^([A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?$`)

// publicOrigin is scheme://host as the browser sees this server: from the
// request itself, or from X-Forwarded-Proto and X-Forwarded-Host when the
// server trusts its proxy (--trust-proxy). A Host that is not a plain host
// name falls back to a path-only URL (empty origin).
func (s *Server) publicOrigin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host := r.Host
	if s.trustProxy {
		switch p := strings.ToLower(strings.TrimSpace(firstValue(r.Header.Get("X-Forwarded-Proto")))); p {
		case "http", "https":
			scheme = p
		}
		if h := strings.TrimSpace(firstValue(r.Header.Get("X-Forwarded-Host"))); h != "" && hostRE.MatchString(h) {
			host = h
		}
	}
	if !hostRE.MatchString(host) {
		return ""
	}
	return scheme + "://" + host
}

// firstValue is the first of a comma-separated header value (proxies set
// these headers, and a chain of them lists the outermost first).
func firstValue(v string) string {
	first, _, _ := strings.Cut(v, ",")
	return first
}
