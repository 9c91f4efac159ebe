package main

import (
	"context"
	"io"
	"math"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestParseBytes(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"1024", 1024, true},
		{"512MiB", 512 << 20, true},
		{"6GiB", 6 << 30, true},
		{"1.5G", 3 << 29, true},
		{" 8 gb ", 8 << 30, true},
		{"", 0, false},
		{"lots", 0, false},
		{"5 parsecs", 0, false},
		{"-1GiB", 0, false},
		{"99999999999TiB", 0, false},
	} {
		got, err := parseBytes(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseBytes(%q) = %d, %v; want %d (ok %v)", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

// TestServeSetsMemoryLimit starts serve in this process and reads the
// soft limit it set once the city was loaded: 'auto' sizes it to the city
// (well under the 3/4 of the machine it holds while building), a size is
// kept as given.
func TestServeSetsMemoryLimit(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "")
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	machine := physicalMemory()
	for _, tc := range []struct {
		flag     string
		min, max int64 // the limit set
	}{
		// The tiny demo's live heap plus the caches' floors and the
		// headroom (112 MiB), and less than a GiB.
		{"auto", 112 << 20, 1 << 30},
		{"800MiB", 800 << 20, 800 << 20},
	} {
		t.Run(tc.flag, func(t *testing.T) {
			debug.SetMemoryLimit(math.MaxInt64)
			limit := serveAndReadLimit(t, "--memory-limit", tc.flag)
			if limit < tc.min || limit > tc.max || (machine > 0 && limit >= machine/4*3) {
				t.Errorf("--memory-limit %s: limit %d MiB; want %d to %d MiB, below 3/4 of the machine (%d MiB)",
					tc.flag, limit>>20, tc.min>>20, tc.max>>20, machine/4*3>>20)
			}
		})
	}
}

// serveAndReadLimit runs serve on the tiny demo until it listens, reads
// the memory limit then, and stops it.
func serveAndReadLimit(t *testing.T, args ...string) int64 {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	root := newRootCmd()
	out := &lineWaiter{want: "CareCircle serving", seen: make(chan struct{})}
	root.SetOut(out)
	root.SetErr(io.Discard)
	root.SetArgs(append([]string{"--log-level", "error", "serve", "--demo", "tiny", "--addr", "127.0.0.1:0",
		"--db", filepath.Join(t.TempDir(), "s.db")}, args...))
	errc := make(chan error, 1)
	go func() { errc <- root.ExecuteContext(ctx) }()
	select {
	case <-out.seen:
	case err := <-errc:
		t.Fatalf("serve ended before listening: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not listen within 60 s")
	}
	limit := debug.SetMemoryLimit(-1)
	cancel()
	if err := <-errc; err != nil {
		t.Errorf("serve: %v", err)
	}
	return limit
}

// lineWaiter is a writer that closes seen once want was written.
type lineWaiter struct {
	mu   sync.Mutex
	buf  strings.Builder
	want string
	seen chan struct{}
	done bool
}

func (w *lineWaiter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if !w.done && strings.Contains(w.buf.String(), w.want) {
		w.done = true
		close(w.seen)
	}
	return len(p), nil
}
