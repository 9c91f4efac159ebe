package web

import (
	"net/http"
	"time"
)

// Timeouts bound each part of an HTTP exchange, so slow or idle clients
// cannot hold connections (and memory) for ever.
type Timeouts struct {
	ReadHeader time.Duration // the request line and headers
	Read       time.Duration // the whole request, body included: a body trickled in is cut
	Write      time.Duration // from the end of the request to the end of the answer; long handlers extend it (longAnswer)
	Idle       time.Duration // a kept-alive connection waiting for its next request
}

// DefaultTimeouts are what serve uses. The 1 MiB largest body arrives
// within Read at 35 KB/s; Write covers every answer but the optimiser's
// long poll and a PDF, which extend their own.
func DefaultTimeouts() Timeouts {
	return Timeouts{ReadHeader: 10 * time.Second, Read: 30 * time.Second, Write: 2 * time.Minute, Idle: 60 * time.Second}
}

// NewHTTPServer returns an http.Server for h with the timeouts t.
func NewHTTPServer(h http.Handler, t Timeouts) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: t.ReadHeader, ReadTimeout: t.Read, WriteTimeout: t.Write, IdleTimeout: t.Idle,
		MaxHeaderBytes: 64 << 10}
}

// longAnswer gives the answer being written on w d more time (and a
// margin to write it) than the server's write timeout would: for a long
// poll or a render that are known to take that long.
func longAnswer(w http.ResponseWriter, d time.Duration) {
	// An error means the writer cannot say (a test recorder): no deadline to move.
	http.NewResponseController(w).SetWriteDeadline(time.Now().Add(d + 30*time.Second))
}
