package web

import (
	"context"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"time"
)

// PDF renders start a Chromium each (hundreds of MB): a few run at a
// time, a few more wait for a turn, and the rest are told to come back.
const (
	pdfWaiting      = 4               // renders that may wait for a turn
	pdfMaxWait      = time.Minute     // the longest wait for a turn
	pdfRenderTime   = 2 * time.Minute // the longest render
	pdfRetryAfterS  = 30              // Retry-After of a refused render, in seconds
	pdfMaxAtOnceCap = 2               // renders at once on a machine with many cores
)

// renderQueue hands out turns to render. It is safe for concurrent use.
type renderQueue struct {
	turns   chan struct{} // one token per render that may run
	maxWait time.Duration

	mu      sync.Mutex
	waiting int
	limit   int // of waiting
	running int
	peak    int // the most renders that ran at once, for tests
}

// newRenderQueue lets atOnce renders run and waiting wait up to maxWait.
func newRenderQueue(atOnce, waiting int, maxWait time.Duration) *renderQueue {
	return &renderQueue{turns: make(chan struct{}, atOnce), limit: waiting, maxWait: maxWait}
}

// pdfAtOnce is how many renders run at once: one on a small machine, two
// on one with more than two cores.
func pdfAtOnce() int { return min(pdfMaxAtOnceCap, max(1, runtime.NumCPU()/2)) }

// turn waits for a turn to render and returns the function that ends it.
// When too many wait, or the wait is too long, it answers 503 with
// Retry-After.
func (q *renderQueue) turn(ctx context.Context, w http.ResponseWriter) (release func(), err error) {
	busy := func(why string) error {
		w.Header().Set("Retry-After", strconv.Itoa(pdfRetryAfterS))
		return &apiError{Status: http.StatusServiceUnavailable, Code: "busy",
			Message: why + "; try again in a minute, or download gap.html and print it from a browser"}
	}
	q.mu.Lock()
	if q.waiting >= q.limit && len(q.turns) == cap(q.turns) {
		q.mu.Unlock()
		return nil, busy("the server is already making as many PDFs as it can")
	}
	q.waiting++
	q.mu.Unlock()
	t := time.NewTimer(q.maxWait)
	defer t.Stop()
	select {
	case q.turns <- struct{}{}:
	case <-t.C:
		q.leave(false)
		return nil, busy("the PDFs before this one took too long")
	case <-ctx.Done():
		q.leave(false)
		return nil, ctx.Err()
	}
	q.leave(true)
	return func() {
		q.mu.Lock()
		q.running--
		q.mu.Unlock()
		<-q.turns
	}, nil
}

// leave takes a render off the waiting list, running it or not.
func (q *renderQueue) leave(running bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.waiting--
	if running {
		q.running++
		q.peak = max(q.peak, q.running)
	}
}
