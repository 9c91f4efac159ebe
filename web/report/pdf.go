package report

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// ErrNoChromium is returned (wrapped; test with errors.Is) when no
// Chromium is found to print a PDF.
var ErrNoChromium = errors.New("install Chromium (Debian: apt-get install chromium) to make PDFs, or use --format html and print from a browser")

// chromiumNames are the browser commands looked for on PATH, in order.
var chromiumNames = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// FindChromium returns the path of a headless-capable Chromium: $CHROMIUM
// when set, else the first of chromium, chromium-browser, google-chrome
// on PATH, else /usr/bin/chromium. It fails with ErrNoChromium.
func FindChromium() (string, error) {
	if p := os.Getenv("CHROMIUM"); p != "" {
		if _, err := exec.LookPath(p); err != nil {
			return "", fmt.Errorf("CHROMIUM=%s: %v: %w", p, err, ErrNoChromium)
		}
		return p, nil
	}
	for _, n := range chromiumNames {
		if p, err := exec.LookPath(n); err == nil {
			return p, nil
		}
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium", nil
	}
	return "", ErrNoChromium
}

// ChromiumFlags are the flags every headless run gets: no GPU, and no
// background networking, so the browser asks nothing of the network (it
// has none here). The sandbox is left on; SandboxFlags says when not.
var ChromiumFlags = []string{
	"--headless", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
	"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
	"--disable-default-apps", "--mute-audio", "--hide-scrollbars",
}

// SandboxFlags are the flags that turn Chromium's sandbox off when it
// cannot run: Chromium refuses to start sandboxed as root, so a run as
// root gets --no-sandbox (a server should not run as root; containers
// often do). A run as another user keeps the sandbox, and PrintPDF
// retries without it only when Chromium says no sandbox is usable
// (a container without user namespaces).
func SandboxFlags() []string {
	if os.Geteuid() == 0 {
		return []string{"--no-sandbox"}
	}
	return nil
}

// noSandboxMessages are what Chromium says when it cannot sandbox itself.
var noSandboxMessages = []string{"No usable sandbox", "setuid sandbox"}

// pdfTimeout bounds one print: the city's report prints in seconds.
const pdfTimeout = 3 * time.Minute

// PDF writes the report as PDF: the HTML report printed by headless
// Chromium (A4, the page's own header and footer). Without Chromium it
// fails with ErrNoChromium, which says how to install it.
func PDF(ctx context.Context, w io.Writer, in Input) error {
	browser := in.Chromium
	if browser == "" {
		var err error
		if browser, err = FindChromium(); err != nil {
			return err
		}
	}
	dir, err := os.MkdirTemp("", "carecircle-report-")
	if err != nil {
		return fmt.Errorf("pdf report: %w", err)
	}
	defer os.RemoveAll(dir)
	htmlPath := filepath.Join(dir, "report.html")
	var buf bytes.Buffer
	if err := renderHTML(&buf, &in); err != nil {
		return err
	}
	if err := os.WriteFile(htmlPath, buf.Bytes(), 0o600); err != nil {
		return fmt.Errorf("pdf report: %w", err)
	}
	pdfPath := filepath.Join(dir, "report.pdf")
	if err := PrintPDF(ctx, browser, htmlPath, pdfPath); err != nil {
		return err
	}
	f, err := os.Open(pdfPath)
	if err != nil {
		return fmt.Errorf("pdf report: %w", err)
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}

// PrintPDF prints the local HTML file htmlPath to pdfPath with the
// Chromium at browser, in a fresh profile.
func PrintPDF(ctx context.Context, browser, htmlPath, pdfPath string) error {
	abs, err := filepath.Abs(htmlPath)
	if err != nil {
		return fmt.Errorf("pdf report: %w", err)
	}
	profile, err := os.MkdirTemp("", "carecircle-chromium-")
	if err != nil {
		return fmt.Errorf("pdf report: %w", err)
	}
	defer os.RemoveAll(profile)
	ctx, cancel := context.WithTimeout(ctx, pdfTimeout)
	defer cancel()
	run := func(sandbox []string) ([]byte, error) {
		args := append(append(append([]string(nil), ChromiumFlags...), sandbox...),
			"--user-data-dir="+profile, "--no-pdf-header-footer", "--print-to-pdf="+pdfPath,
			(&url.URL{Scheme: "file", Path: abs}).String())
		cmd := exec.CommandContext(ctx, browser, args...)
		cmd.WaitDelay = 5 * time.Second
		return cmd.CombinedOutput()
	}
	sandbox := SandboxFlags()
	out, err := run(sandbox)
	if err != nil && sandbox == nil && ctx.Err() == nil && containsAny(string(out), noSandboxMessages) {
		out, err = run([]string{"--no-sandbox"}) // this machine allows no sandbox
	}
	if ctx.Err() != nil {
		return fmt.Errorf("pdf report: %s did not finish printing %s within %s", browser, htmlPath, pdfTimeout)
	}
	if err != nil {
		return fmt.Errorf("pdf report: %s failed printing %s: %v\n%s", browser, htmlPath, err, tail(out, 2000))
	}
	if fi, err := os.Stat(pdfPath); err != nil || fi.Size() == 0 {
		return fmt.Errorf("pdf report: %s wrote no PDF for %s\n%s", browser, htmlPath, tail(out, 2000))
	}
	return nil
}

// containsAny tells whether s contains one of subs.
func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// tail returns the last n bytes of b.
func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
