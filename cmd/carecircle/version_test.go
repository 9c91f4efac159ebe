package main

import (
	"bytes"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestVersionCommand checks `carecircle version` in-process: the Go
// version is always known, and link-time values win.
func TestVersionCommand(t *testing.T) {
	var out bytes.Buffer
	root := newRootCmd()
	root.SetOut(&out)
	root.SetArgs([]string{"version"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); !strings.HasPrefix(got, "carecircle ") || !strings.Contains(got, runtime.Version()) {
		t.Errorf("version printed %q, want carecircle … %s", got, runtime.Version())
	}
}

// TestVersionAndBasePathOfBinary builds the binary with link-time
// version, commit and date, checks `carecircle version`, and serves the
// tiny demo under --base-path /cq/ to ask for its readiness, metrics and
// API spec there.
func TestVersionAndBasePathOfBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped in -short mode")
	}
	bin := filepath.Join(t.TempDir(), "carecircle")
	ld := "-X main.version=v1.2.3 -X main.commit=0123456789abcdef -X main.buildDate=2026-12-07T00:00:00Z"
	if out, err := exec.Command("go", "build", "-ldflags", ld, "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	want := "carecircle v1.2.3 (commit 0123456789abcdef, built 2026-12-07T00:00:00Z, " + runtime.Version() + ")\n"
	if string(out) != want {
		t.Errorf("version: %q, want %q", out, want)
	}

	_, url := startServer(t, bin, "--demo", "tiny", "--db", filepath.Join(t.TempDir(), "s.db"), "--base-path", "cq")
	if !strings.HasSuffix(url, "/cq") {
		t.Fatalf("server announced %s, want …/cq", url)
	}
	for _, p := range []string{"/readyz", "/metrics", "/openapi.json", "/api/v1/city", "/"} {
		if code, _ := getURL(t, url+p); code != 200 {
			t.Errorf("GET %s: %d, want 200", url+p, code)
		}
	}
	_, metrics := getURL(t, url+"/metrics")
	if !strings.Contains(metrics, `version="v1.2.3+0123456789ab"`) {
		t.Errorf("/metrics does not name the build v1.2.3+0123456789ab")
	}
	if code, _ := getURL(t, strings.TrimSuffix(url, "/cq")+"/api/v1/city"); code != 404 {
		t.Errorf("GET /api/v1/city outside the base path: %d, want 404", code)
	}
}

// getURL is a GET's status and body.
func getURL(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
