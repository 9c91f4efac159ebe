package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"syscall"
)

// apiError is an error with its HTTP status and the body the API sends:
// {"error": {"code", "message", "details"}}.
type apiError struct {
	Status  int            `json:"-"`
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Details map[string]any `json:"details,omitempty"`
}

func (e *apiError) Error() string { return e.Message }

func badRequest(field, format string, args ...any) *apiError {
	e := &apiError{Status: http.StatusBadRequest, Code: "bad_request", Message: fmt.Sprintf(format, args...)}
	if field != "" {
		e.Details = map[string]any{"field": field}
	}
	return e
}

func unprocessable(field, format string, args ...any) *apiError {
	e := &apiError{Status: http.StatusUnprocessableEntity, Code: "unprocessable", Message: fmt.Sprintf(format, args...)}
	if field != "" {
		e.Details = map[string]any{"field": field}
	}
	return e
}

func notFound(format string, args ...any) *apiError {
	return &apiError{Status: http.StatusNotFound, Code: "not_found", Message: fmt.Sprintf(format, args...)}
}

func conflict(current int64, format string, args ...any) *apiError {
	return &apiError{Status: http.StatusConflict, Code: "version_conflict", Message: fmt.Sprintf(format, args...),
		Details: map[string]any{"current_version": current}}
}

func forbidden(format string, args ...any) *apiError {
	return &apiError{Status: http.StatusForbidden, Code: "read_only", Message: fmt.Sprintf(format, args...)}
}

// writeJSON sends v with status. It encodes to a buffer first, so a value
// that cannot be encoded (an indicator that overflowed to +Inf) is a 500
// with the error body, noted for the request log, never a 200 with an
// empty or cut body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		noteFailure(w, fmt.Errorf("encoding the %d answer as JSON: %w", status, err))
		status = http.StatusInternalServerError
		buf.Reset()
		json.NewEncoder(&buf).Encode(map[string]*apiError{"error": {Code: "internal",
			Message: "the answer could not be encoded as JSON (a figure is not a finite number); the server log has the details"}})
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// noteFailure hands err to the request log (logRequests) through the
// writers wrapped around w, for failures found after the handler chose
// its answer.
func noteFailure(w http.ResponseWriter, err error) {
	for {
		switch x := w.(type) {
		case *statusRecorder:
			x.err = err
			return
		case interface{ Unwrap() http.ResponseWriter }:
			w = x.Unwrap()
		default:
			return
		}
	}
}

// diskFull tells whether err is the store or a file running out of disk:
// ENOSPC from the system, or SQLite's SQLITE_FULL (13, the low byte of
// its extended codes).
func diskFull(err error) bool {
	var coded interface{ Code() int }
	return errors.Is(err, syscall.ENOSPC) || errors.As(err, &coded) && coded.Code()&0xff == 13
}

// writeError sends err as the API's error body. Errors that are not
// apiErrors are internal: the client gets a generic message, the log the
// real one.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	if !errors.As(err, &ae) && diskFull(err) {
		s.log.ErrorContext(r.Context(), "request failed: the disk is full", "method", r.Method, "path", r.URL.Path, "err", err)
		ae = &apiError{Status: http.StatusInsufficientStorage, Code: "disk_full",
			Message: "the server's disk is full, so the change was not saved; free some space on it and try again"}
	}
	if ae == nil {
		s.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		ae = &apiError{Status: http.StatusInternalServerError, Code: "internal", Message: "internal error; the server log has the details"}
	}
	writeJSON(w, ae.Status, map[string]*apiError{"error": ae})
}

// decodeBody reads a JSON body of at most maxBody bytes into v, rejecting
// unknown fields so a misspelt field is an error, not silently ignored.
func decodeBody(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		var syntax *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &tooBig):
			return &apiError{Status: http.StatusRequestEntityTooLarge, Code: "too_large", Message: fmt.Sprintf("request body is over %d bytes", tooBig.Limit)}
		case errors.As(err, &syntax):
			return badRequest("", "body is not valid JSON: %v (at byte %d)", err, syntax.Offset)
		case errors.As(err, &typ):
			return badRequest(typ.Field, "field %q: want a %s, got %s", typ.Field, typ.Type, typ.Value)
		case err.Error() == "EOF":
			return badRequest("", "body is empty; want a JSON object")
		default:
			return badRequest("", "body: %v", err)
		}
	}
	if dec.More() {
		return badRequest("", "body has more than one JSON value")
	}
	return nil
}
