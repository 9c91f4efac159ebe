package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
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

// writeJSON sends v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.Encode(v)
}

// writeError sends err as the API's error body. Errors that are not
// apiErrors are internal: the client gets a generic message, the log the
// real one.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
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
