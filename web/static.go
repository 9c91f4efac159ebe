package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"
)

// staticFiles serves the embedded web app with an ETag from each file's
// content hash, so a browser revalidates with If-None-Match and gets 304
// until the binary changes, and with the compressible files gzipped once,
// on first request, and kept.
type staticFiles struct {
	files map[string]*staticFile // by path, "index.html" for the root

	// What a request for no file or with another method than GET or
	// HEAD gets, and how a file's own errors (a bad Range) are written;
	// nil: net/http's plain text.
	notFound, methodNotAllowed http.HandlerFunc
	wrap                       func(http.ResponseWriter, *http.Request) http.ResponseWriter
}

type staticFile struct {
	name        string
	data        []byte
	etag        string // strong, of the plain bytes
	contentType string

	gzOnce sync.Once
	gz     []byte // nil when gzip does not pay
}

// newStaticFiles reads every file of fsys into memory (the embedded app is
// a few MB, already in the binary).
func newStaticFiles(fsys fs.FS) (*staticFiles, error) {
	sf := &staticFiles{files: map[string]*staticFile{}}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		ct := mime.TypeByExtension(path.Ext(p))
		if ct == "" {
			ct = http.DetectContentType(b)
		}
		sf.files[p] = &staticFile{name: p, data: b, contentType: ct,
			etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`}
		return nil
	})
	return sf, err
}

func (f *staticFile) gzipped() []byte {
	f.gzOnce.Do(func() {
		if !isCompressible(f.contentType) || len(f.data) < minGzip {
			return
		}
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		zw.Write(f.data)
		zw.Close()
		if buf.Len() < len(f.data) {
			f.gz = buf.Bytes()
		}
	})
	return f.gz
}

// ServeHTTP answers GET and HEAD for the app's files; a directory's path
// serves its index.html.
func (sf *staticFiles) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		if sf.methodNotAllowed != nil {
			sf.methodNotAllowed(w, r)
			return
		}
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if name == "" || strings.HasSuffix(r.URL.Path, "/") {
		name = path.Join(name, "index.html")
	}
	f := sf.files[name]
	if f == nil {
		if sf.notFound != nil {
			sf.notFound(w, r)
			return
		}
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.contentType)
	// Revalidate every time: the URLs carry no version, and a 304 costs a
	// round trip, not the bytes.
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	body, etag := f.data, f.etag
	if gz := f.gzipped(); gz != nil && acceptsGzip(r) {
		// The compress middleware has said Vary: Accept-Encoding.
		body, etag = gz, strings.TrimSuffix(f.etag, `"`)+`-gz"`
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("ETag", etag)
	// ServeContent answers If-None-Match (304), HEAD and ranges.
	if sf.wrap != nil {
		w = sf.wrap(w, r)
	}
	http.ServeContent(w, r, f.name, time.Time{}, bytes.NewReader(body))
}
