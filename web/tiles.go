package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/carecircle/carecircle/planner"
	"github.com/go-chi/chi/v5"
	"github.com/paulmach/orb/maptile"
)

// scenarioParam is the ?scenario= of tile requests; baseline by default.
func scenarioParam(r *http.Request) string {
	if id := r.URL.Query().Get("scenario"); id != "" {
		return id
	}
	return BaselineID
}

func (s *Server) tileJSON(w http.ResponseWriter, r *http.Request) error {
	layer := chi.URLParam(r, "layer")
	if !slices.Contains(s.tiles.Layers(), layer) {
		return notFound("no tile layer %q; layers: %s", layer, strings.Join(s.tiles.Layers(), ", "))
	}
	id := scenarioParam(r)
	if _, err := s.state(r.Context(), id); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.tileJSONDoc(r, layer, id))
	return nil
}

// serveTile answers /tiles/{layer}/{z}/{x}/{y}.mvt (caching and encoding:
// httpcache.go). Tiles are gzipped once when built; a client that does not
// accept gzip gets them unpacked.
func (s *Server) serveTile(w http.ResponseWriter, r *http.Request) {
	layer := chi.URLParam(r, "layer")
	z, errZ := strconv.ParseUint(chi.URLParam(r, "z"), 10, 8)
	x, errX := strconv.ParseUint(chi.URLParam(r, "x"), 10, 32)
	y, errY := strconv.ParseUint(chi.URLParam(r, "y"), 10, 32)
	if errZ != nil || errX != nil || errY != nil || z > 22 || x >= 1<<z || y >= 1<<z {
		s.writeError(w, r, badRequest("", "tile %s/%s/%s: want z 0–22 and x, y in 0..2^z−1", chi.URLParam(r, "z"), chi.URLParam(r, "x"), chi.URLParam(r, "y")))
		return
	}
	if !slices.Contains(s.tiles.Layers(), layer) {
		s.writeError(w, r, notFound("no tile layer %q; layers: %s", layer, strings.Join(s.tiles.Layers(), ", ")))
		return
	}
	id := scenarioParam(r)
	var body []byte
	var version int64
	notModified := false
	err := s.withEvaluation(r.Context(), id, func(st *scenarioState, e *planner.Evaluation, sum *planner.Summary) (err error) {
		version = st.sc.Version
		if notModified = s.tileHeaders(w, r, layer, id, version); notModified {
			return nil // the client's copy is current: build nothing
		}
		body, err = s.tiles.Tile(r.Context(), layer, id, version, e, sum, maptile.New(uint32(x), uint32(y), maptile.Zoom(z)))
		return err
	})
	if err != nil {
		w.Header().Del("ETag")
		w.Header().Del("Cache-Control")
		s.writeError(w, r, err)
		return
	}
	if notModified {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	s.writeTile(w, r, body)
}
