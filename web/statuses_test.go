package web

import (
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestWrongInputIsA4xx sends what used to answer 500 or plain text: each
// answer has its 4xx status and the JSON error body.
func TestWrongInputIsA4xx(t *testing.T) {
	ts, _ := testServer(t, "")
	for _, c := range []struct {
		name, method, path string
		body               any
		status             int
	}{
		{"name over 200 characters", "POST", "/api/v1/scenarios", map[string]any{"name": strings.Repeat("养", 201)}, 400},
		{"upload name with NUL", "POST", "/api/v1/candidates?filename=a%00b.csv", "name,lon,lat\n", 400},
		{"upload name over 255 bytes", "POST", "/api/v1/candidates?filename=" + strings.Repeat("a", 252) + ".csv", "name,lon,lat\n", 400},
		{"static path not UTF-8", "GET", "/%ff%fe.js", nil, 404},
		{"static file missing", "GET", "/nothing.js", nil, 404},
		{"static write", "POST", "/index.html", map[string]any{}, 405},
		{"tile layer missing", "GET", "/tiles/nothing.json", nil, 404},
		{"tile write", "DELETE", "/tiles/coverage.json", nil, 405},
	} {
		t.Run(c.name, func(t *testing.T) {
			errorCode(t, call(t, ts, c.method, c.path, c.body), c.status)
		})
	}
	// The file server's own errors have the JSON body too.
	r := call(t, ts, "GET", "/index.html", nil, "Range", "bytes=999999-")
	if errorCode(t, r, 416) == "" || strings.Contains(string(r.raw), "invalid range") {
		t.Fatalf("bad range: %s", r.raw)
	}
	// A long name that fits is kept.
	if r := call(t, ts, "POST", "/api/v1/scenarios", map[string]any{"name": strings.Repeat("养", 200)}); r.status != 201 {
		t.Fatalf("200 characters: %d %s", r.status, r.raw)
	}
	// The app itself is still served.
	if r := call(t, ts, "GET", "/", nil); r.status != 200 || !strings.Contains(string(r.raw), "<html") {
		t.Fatalf("GET /: %d", r.status)
	}
}

// TestUnencodableAnswerIsALogged500: a handler whose answer holds +Inf
// gets a 500 with the error body, and the log says why.
func TestUnencodableAnswerIsALogged500(t *testing.T) {
	var log bytes.Buffer
	s := &Server{log: slog.New(slog.NewTextHandler(&log, nil))}
	h := s.logRequests(s.handle(func(w http.ResponseWriter, _ *http.Request) error {
		writeJSON(w, http.StatusOK, map[string]float64{"beds": math.Inf(1)})
		return nil
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/scenarios/x/summary", nil))
	if rec.Code != 500 || !strings.Contains(rec.Body.String(), `"code":"internal"`) {
		t.Fatalf("got %d %q, want 500 with the error body", rec.Code, rec.Body)
	}
	if !strings.Contains(log.String(), "level=ERROR") || !strings.Contains(log.String(), "+Inf") {
		t.Fatalf("log does not say what failed: %s", log.String())
	}
}

// TestFullDiskIs507: the store's SQLite running out of room (a real
// SQLITE_FULL, made with max_page_count) and a file write's ENOSPC both
// answer 507 saying the disk is full.
func TestFullDiskIs507(t *testing.T) {
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "full.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var full error
	for _, q := range []string{"CREATE TABLE t (v BLOB)", "PRAGMA max_page_count = 3"} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 100 && full == nil; i++ {
		_, full = db.Exec("INSERT INTO t VALUES (zeroblob(4000))")
	}
	if full == nil {
		t.Fatal("SQLite never filled up")
	}
	s := &Server{log: slog.New(slog.DiscardHandler)}
	for _, err := range []error{
		fmt.Errorf("saving scenario s-1: %w", full),
		&os.PathError{Op: "write", Path: "/tmp/x", Err: syscall.ENOSPC},
	} {
		rec := httptest.NewRecorder()
		s.writeError(rec, httptest.NewRequest("POST", "/api/v1/scenarios", nil), err)
		if rec.Code != 507 || !strings.Contains(rec.Body.String(), "disk is full") {
			t.Errorf("%v: got %d %s, want 507 saying the disk is full", err, rec.Code, rec.Body)
		}
	}
	if diskFull(errors.New("database is locked")) {
		t.Error("any error taken for a full disk")
	}
}
