package web

import (
	"bytes"
	"context"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/carecircle/carecircle/web/report"
)

// TestRenderQueueRefusesWhenFull holds the turns by hand: one runs, one
// waits, the next is refused at once with Retry-After, and a wait that
// lasts too long is refused too.
func TestRenderQueueRefusesWhenFull(t *testing.T) {
	q := newRenderQueue(1, 1, 50*time.Millisecond)
	ctx := context.Background()
	release, err := q.turn(ctx, httptest.NewRecorder())
	if err != nil {
		t.Fatal(err)
	}
	waited := make(chan error)
	go func() {
		rel, err := q.turn(ctx, httptest.NewRecorder()) // waits, then gives up
		if rel != nil {
			rel()
		}
		waited <- err
	}()
	for {
		q.mu.Lock()
		n := q.waiting
		q.mu.Unlock()
		if n == 1 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	rec := httptest.NewRecorder()
	if _, err := q.turn(ctx, rec); err == nil || err.(*apiError).Status != 503 || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("full queue: %v, Retry-After %q", err, rec.Header().Get("Retry-After"))
	}
	if err := <-waited; err == nil || err.(*apiError).Status != 503 {
		t.Fatalf("a wait past maxWait: %v", err)
	}
	release()
	rel, err := q.turn(ctx, httptest.NewRecorder())
	if err != nil {
		t.Fatalf("a turn after release: %v", err)
	}
	rel()
}

// TestConcurrentPDFsAreQueued asks for six PDFs at once of a server that
// renders one at a time with one waiting, with the real Chromium: each
// answer is a PDF or a 503 with Retry-After, and no two Chromiums ran at
// once.
func TestConcurrentPDFsAreQueued(t *testing.T) {
	if _, err := report.FindChromium(); err != nil {
		t.Skipf("PDF queue test skipped: %v", err)
	}
	srv, ts, _ := testServerOf(t, "")
	srv.pdf = newRenderQueue(1, 1, 5*time.Minute)
	const n = 6
	var wg sync.WaitGroup
	replies := make([]reply, n)
	for i := range n {
		wg.Go(func() { replies[i] = call(t, ts, "GET", "/api/v1/reports/gap.pdf", nil) })
	}
	wg.Wait()
	pdfs, busy := 0, 0
	for _, r := range replies {
		switch {
		case r.status == 200 && bytes.HasPrefix(r.raw, []byte("%PDF-")):
			pdfs++
		case r.status == 503 && r.header.Get("Retry-After") != "" && errorCode(t, r, 503) == "busy":
			busy++
		default:
			t.Errorf("got %d %.200s, want a PDF or 503 with Retry-After", r.status, r.raw)
		}
	}
	srv.pdf.mu.Lock()
	peak := srv.pdf.peak
	srv.pdf.mu.Unlock()
	if pdfs == 0 || busy == 0 || peak != 1 {
		t.Fatalf("%d PDFs, %d refused, %d rendered at once: want some of each, one at once", pdfs, busy, peak)
	}
	t.Logf("%d PDFs, %d refused with 503", pdfs, busy)
}
