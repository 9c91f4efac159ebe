package web

import (
	"bytes"
	"compress/gzip"
	"embed"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"strconv"
)

// app is the web map: static files, vendored libraries included, so it
// works on an intranet with no internet.
//
//go:embed all:app
var app embed.FS

// appHandler serves the embedded web app. What it does not hold (a
// path that is no file, not valid UTF-8, or a method other than GET and
// HEAD) gets the API's JSON error, like every other error.
func (s *Server) appHandler() http.Handler {
	sf, err := newStaticFiles(appFiles())
	if err != nil {
		panic(err) // reading embedded files cannot fail
	}
	sf.notFound, sf.methodNotAllowed = s.notFound, s.methodNotAllowed
	sf.wrap = func(w http.ResponseWriter, r *http.Request) http.ResponseWriter {
		return &fileErrors{ResponseWriter: w, s: s, r: r}
	}
	return sf
}

// fileErrors turns the file server's own plain-text errors (a bad
// Range, say) into the API's JSON error.
type fileErrors struct {
	http.ResponseWriter
	s      *Server
	r      *http.Request
	failed bool
}

func (f *fileErrors) WriteHeader(code int) {
	if code < 400 {
		f.ResponseWriter.WriteHeader(code)
		return
	}
	f.failed = true
	h := f.Header()
	h.Del("Content-Length")
	h.Del("X-Content-Type-Options")
	kind := "bad_request"
	if code >= 500 {
		kind = "internal"
	}
	f.s.writeError(f.ResponseWriter, f.r, &apiError{Status: code, Code: kind,
		Message: fmt.Sprintf("%s: %s", strconv.QuoteToGraphic(f.r.URL.Path), http.StatusText(code))})
}

func (f *fileErrors) Write(b []byte) (int, error) {
	if f.failed {
		return len(b), nil // the plain-text body, replaced
	}
	return f.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (f *fileErrors) Unwrap() http.ResponseWriter { return f.ResponseWriter }

// appFiles is the web app's folder.
func appFiles() fs.FS {
	sub, err := fs.Sub(app, "app")
	if err != nil {
		panic(err) // the embed pattern guarantees the folder
	}
	return sub
}

// notFound answers a path the server has nothing at.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.writeError(w, r, notFound("nothing at %s %s", r.Method, strconv.QuoteToGraphic(r.URL.Path)))
}

// methodNotAllowed answers a method a path does not take.
func (s *Server) methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	s.writeError(w, r, &apiError{Status: http.StatusMethodNotAllowed, Code: "method_not_allowed",
		Message: fmt.Sprintf("%s is not allowed on %s", r.Method, strconv.QuoteToGraphic(r.URL.Path))})
}

func gunzip(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}
