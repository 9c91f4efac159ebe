package web

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestCompressResponses runs handlers of every shape through the gzip
// middleware and checks the status, the encoding and that the body the
// client unpacks is the body the handler wrote.
func TestCompressResponses(t *testing.T) {
	big := `{"x":"` + strings.Repeat("城市 coverage ", 400) + `"}`
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
		status  int
		gzipped bool
		body    string
	}{
		{"small JSON", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"ok":true}`))
		}, 200, false, `{"ok":true}`},
		{"big JSON in small writes", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(http.StatusCreated)
			for i := 0; i < len(big); i += 100 {
				w.Write([]byte(big[i:min(i+100, len(big))]))
			}
		}, 201, true, big},
		{"status only", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusAccepted)
		}, 202, false, ""},
		{"no content", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }, 204, false, ""},
		{"nothing written", func(http.ResponseWriter, *http.Request) {}, 200, false, ""},
		{"already encoded", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Encoding", "br")
			w.Write([]byte(big))
		}, 200, false, big},
		{"not text", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/pdf")
			w.Write([]byte(big))
		}, 200, false, big},
		{"sniffed HTML", func(w http.ResponseWriter, _ *http.Request) {
			w.Write([]byte("<!doctype html><html>" + big))
		}, 200, true, "<!doctype html><html>" + big},
		{"flushed midway", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/csv")
			w.Write([]byte(big[:500]))
			w.(http.Flusher).Flush()
			w.Write([]byte(big[500:]))
		}, 200, true, big},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.Header.Set("Accept-Encoding", "gzip")
			compress(tc.handler).ServeHTTP(rec, r)
			body := rec.Body.Bytes()
			gz := rec.Header().Get("Content-Encoding") == "gzip"
			if gz {
				var err error
				if body, err = gunzip(body); err != nil {
					t.Fatalf("gzipped body does not unpack: %v", err)
				}
			}
			if rec.Code != tc.status || gz != tc.gzipped || string(body) != tc.body {
				t.Errorf("status %d, gzipped %v, body %d bytes; want %d, %v, %d bytes", rec.Code, gz, len(body), tc.status, tc.gzipped, len(tc.body))
			}
			if !strings.Contains(rec.Header().Get("Vary"), "Accept-Encoding") {
				t.Errorf("no Vary: Accept-Encoding")
			}
			if gz && rec.Header().Get("Content-Length") != "" {
				t.Errorf("gzipped with the plain Content-Length %s", rec.Header().Get("Content-Length"))
			}
		})
	}
}

// BenchmarkCompressAssessment gzips a JSON body the size of the district's
// assessment (≈300 KB) through the middleware with pooled writers.
func BenchmarkCompressAssessment(b *testing.B) {
	body := bytes.Repeat([]byte(`{"code":"500199001005","name":"望龙港社区","coverage_15min":0.9733650649690806,"gaps":[]},`), 3300)
	h := compress(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Accept-Encoding", "gzip")
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
}
