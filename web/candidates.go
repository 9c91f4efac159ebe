package web

import (
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/carecircle/carecircle/data"
)

// maxFileName is the longest upload file name, in bytes: what Linux and
// most file systems allow.
const maxFileName = 255

// readCandidates reads an uploaded candidate-site file (the buildings a
// bureau could use: CSV, XLSX or GeoJSON, as `carecircle optimize
// --candidates` takes) and answers the candidates as the optimise request
// takes them. Nothing is stored. ?filename names the upload: its
// extension says the format, and problems name it with the row or
// feature and field.
func (s *Server) readCandidates(w http.ResponseWriter, r *http.Request) error {
	raw := r.URL.Query().Get("filename")
	if strings.ContainsRune(raw, 0) || len(raw) > maxFileName {
		return badRequest("filename", "filename: want a file name of at most %d bytes with no NUL character", maxFileName)
	}
	name := filepath.Base(strings.TrimSpace(raw))
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv", ".xlsx", ".geojson", ".json":
	default:
		return badRequest("filename", "filename %q: want the uploaded file's name, ending .csv, .xlsx or .geojson", r.URL.Query().Get("filename"))
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &apiError{Status: http.StatusRequestEntityTooLarge, Code: "too_large", Message: "candidate file is over 1 MiB; split it, or run carecircle optimize --candidates FILE"}
		}
		return badRequest("", "reading the upload: %v", err)
	}
	// The readers take a path: the upload goes to a private folder under
	// its own name, so messages name the file the planner chose.
	dir, err := os.MkdirTemp("", "carecircle-candidates-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, body, 0o600); err != nil {
		return err
	}
	cands, err := data.LoadCandidates(path, s.bundle, s.model.Edges)
	var ce *data.CandidatesError
	if errors.As(err, &ce) {
		problems := make([]string, len(ce.Problems))
		for i, p := range ce.Problems {
			problems[i] = strings.ReplaceAll(p.String(), path, name)
		}
		e := unprocessable("", "%s", strings.ReplaceAll(err.Error(), path, name))
		e.Details = map[string]any{"problems": problems, "more": ce.More}
		return e
	} else if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"filename": name, "count": len(cands), "candidates": cands})
	return nil
}
