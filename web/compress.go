package web

import (
	"bufio"
	"compress/gzip"
	"errors"
	"io"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// Responses are gzipped when the client accepts it and they are text the
// size of which gzip pays for: JSON, GeoJSON, KML, HTML, CSS, JavaScript,
// SVG, CSV. Tiles and static files carry their own Content-Encoding (gzipped
// once, kept) and pass through untouched; so do PDF and XLSX, which are
// compressed already.

// minGzip is the smallest body worth gzipping: below it the gzip header
// and a round of CPU cost more than they save.
const minGzip = 1024

// compressible are the media types gzipped on the way out.
var compressible = map[string]bool{
	"application/json": true, "application/geo+json": true, "application/javascript": true,
	"text/javascript": true, "text/css": true, "text/html": true, "text/plain": true, "text/csv": true,
	"image/svg+xml": true, "application/xml": true, "text/xml": true, "application/yaml": true,
	"application/vnd.google-earth.kml+xml": true, "application/openmetrics-text": true,
}

// isCompressible says whether a Content-Type is worth gzipping.
func isCompressible(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && compressible[mt]
}

// acceptsGzip says whether the request's Accept-Encoding allows gzip
// (and does not refuse it with q=0).
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") && strings.TrimSpace(coding) != "*" {
			continue
		}
		if q, ok := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q="); ok {
			if v, err := strconv.ParseFloat(q, 64); err == nil && v == 0 {
				return false
			}
		}
		return true
	}
	return false
}

// gzipLevel is the compression of dynamic responses: on the district's
// 297 KB assessment JSON level 2 gives 44 KB in 1.9 ms, the default (6)
// 37 KB in 4.9 ms (docs/BENCHMARKS.md); the bytes saved by going higher
// are not worth the CPU on every request.
const gzipLevel = 2

// gzipWriters are reused: a gzip.Writer holds some 800 KB of tables.
var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(io.Discard, gzipLevel)
	return zw
}}

// compress gzips compressible responses for clients that accept gzip, and
// says "Vary: Accept-Encoding" on every response, compressed or not, so
// caches keep the two apart.
func compress(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Accept-Encoding")
		if !acceptsGzip(r) || r.Method == http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		gw := &gzipResponseWriter{ResponseWriter: w}
		defer gw.close()
		next.ServeHTTP(gw, r)
	})
}

// gzipResponseWriter holds back the head of a response until it knows
// whether to gzip it: the headers say it is compressible and the body
// reaches minGzip bytes (or the handler flushes).
type gzipResponseWriter struct {
	http.ResponseWriter
	status  int
	decided bool
	buf     []byte
	zw      *gzip.Writer // when gzipping
}

func (g *gzipResponseWriter) WriteHeader(status int) {
	if g.decided || g.status != 0 {
		if g.decided && g.zw == nil {
			g.ResponseWriter.WriteHeader(status) // let net/http report the misuse
		}
		return
	}
	if status < 200 || status == http.StatusNoContent || status == http.StatusNotModified {
		// 1xx are sent as they come; 204 and 304 have no body.
		if status >= 200 {
			g.decided = true
		}
		g.ResponseWriter.WriteHeader(status)
		return
	}
	g.status = status
	if !g.worthIt() {
		g.decide(false)
	}
}

// worthIt says from the headers alone whether the body may be gzipped.
func (g *gzipResponseWriter) worthIt() bool {
	h := g.Header()
	if h.Get("Content-Encoding") != "" || h.Get("Content-Range") != "" || !isCompressible(h.Get("Content-Type")) {
		return false
	}
	if n, err := strconv.Atoi(h.Get("Content-Length")); err == nil && n < minGzip {
		return false
	}
	return true
}

func (g *gzipResponseWriter) Write(p []byte) (int, error) {
	if !g.decided {
		if g.status == 0 {
			if g.Header().Get("Content-Type") == "" {
				g.Header().Set("Content-Type", http.DetectContentType(p))
			}
			g.WriteHeader(http.StatusOK)
		}
	}
	if !g.decided {
		if len(g.buf)+len(p) < minGzip {
			g.buf = append(g.buf, p...)
			return len(p), nil
		}
		// Enough to gzip: send what was held back, then p itself, uncopied.
		if err := g.decide(true); err != nil {
			return 0, err
		}
	}
	if g.zw != nil {
		return g.zw.Write(p)
	}
	return g.ResponseWriter.Write(p)
}

// decide sends the held-back head of the response, gzipped or not.
func (g *gzipResponseWriter) decide(zip bool) error {
	g.decided = true
	h := g.Header()
	if zip {
		h.Set("Content-Encoding", "gzip")
		h.Del("Content-Length")
		// An API ETag names the scenario's version, which If-Match sends
		// back: it stays as it is, gzipped or not.
		g.zw = gzipWriters.Get().(*gzip.Writer)
		g.zw.Reset(g.ResponseWriter)
	}
	status := g.status
	if status == 0 {
		status = http.StatusOK
	}
	g.ResponseWriter.WriteHeader(status)
	buf := g.buf
	g.buf = nil
	if len(buf) == 0 {
		return nil
	}
	var err error
	if g.zw != nil {
		_, err = g.zw.Write(buf)
	} else {
		_, err = g.ResponseWriter.Write(buf)
	}
	return err
}

// close ends the response: a short body goes out as it is, a gzipped one
// gets its trailer and its writer goes back to the pool.
func (g *gzipResponseWriter) close() {
	if !g.decided {
		if g.status == 0 && len(g.buf) == 0 {
			return // the handler wrote nothing: net/http sends its 200
		}
		g.decide(false)
	}
	if g.zw != nil {
		g.zw.Close()
		g.zw.Reset(io.Discard)
		gzipWriters.Put(g.zw)
		g.zw = nil
	}
}

// Flush sends what is held back, so a long poll's or a stream's bytes go
// out when the handler says so.
func (g *gzipResponseWriter) Flush() {
	if !g.decided && (g.status != 0 || len(g.buf) > 0) {
		g.decide(g.worthIt())
	}
	if g.zw != nil {
		g.zw.Flush()
	}
	http.NewResponseController(g.ResponseWriter).Flush()
}

// Hijack hands the connection over (not for gzipped responses).
func (g *gzipResponseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if g.zw != nil {
		return nil, nil, errors.New("web: cannot hijack a gzipped response")
	}
	return http.NewResponseController(g.ResponseWriter).Hijack()
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (g *gzipResponseWriter) Unwrap() http.ResponseWriter { return g.ResponseWriter }
