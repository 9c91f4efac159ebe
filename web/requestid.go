package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"regexp"
)

// requestIDHeader names a request for the logs of the proxy, the server and
// the client alike.
const requestIDHeader = "X-Request-ID"

// saneRequestID is an incoming X-Request-ID worth keeping: short, and of
// characters that cannot forge a log line.
var saneRequestID = regexp.MustCompile(`^[A-Za-z0-9._:+/=-]{1,128}$`)

type requestIDKey struct{}

// RequestID is the ID of the request ctx belongs to, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// withRequestID keeps a sane X-Request-ID from the client or proxy, or
// makes one, puts it in the request's context (for the logs) and echoes it
// in the response.
func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(requestIDHeader)
		if !saneRequestID.MatchString(id) {
			id = newRequestID()
		}
		w.Header().Set(requestIDHeader, id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
	})
}

// newRequestID is 16 random hex digits.
func newRequestID() string {
	var b [8]byte
	rand.Read(b[:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:])
}

// requestIDLogs adds the request's ID to every record logged with the
// request's context, whichever handler logs it.
type requestIDLogs struct{ slog.Handler }

func (h requestIDLogs) Handle(ctx context.Context, rec slog.Record) error {
	if id := RequestID(ctx); id != "" {
		rec.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, rec)
}

func (h requestIDLogs) WithAttrs(as []slog.Attr) slog.Handler {
	return requestIDLogs{h.Handler.WithAttrs(as)}
}

func (h requestIDLogs) WithGroup(name string) slog.Handler {
	return requestIDLogs{h.Handler.WithGroup(name)}
}
