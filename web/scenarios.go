package web

import (
	"context"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/carecircle/carecircle/data"
	"github.com/carecircle/carecircle/planner"
	"github.com/go-chi/chi/v5"
)

// BaselineID names today's city among the scenarios. It is read-only.
const BaselineID = "baseline"

// scenarioState is a scenario with its evaluation. mu serialises edits
// and reads of one scenario; eval is nil until first needed, and after a
// failed save, so it is rebuilt from the stored scenario.
type scenarioState struct {
	mu   sync.Mutex
	sc   *planner.Scenario
	eval *planner.Evaluation
	sum  *planner.Summary
}

// evaluation returns the scenario's evaluation and summary, building them
// if needed. Call with st.mu held.
func (s *Server) evaluation(st *scenarioState) (*planner.Evaluation, *planner.Summary, error) {
	if st.eval == nil {
		e, err := st.sc.Apply(s.model.Baseline())
		if err != nil {
			// A stored edit the planner now refuses (an older store may
			// hold beds: 1e308): say which scenario and facility.
			return nil, nil, unprocessable("", "the stored %v", err)
		}
		st.eval, st.sum = e, nil
	}
	if st.sum == nil {
		st.sum = st.eval.Summary()
	}
	s.evals.use(st, st.eval.Bytes())
	return st.eval, st.sum, nil
}

// withEvaluation runs fn with scenario id locked and its evaluation and
// summary ready.
func (s *Server) withEvaluation(ctx context.Context, id string, fn func(st *scenarioState, e *planner.Evaluation, sum *planner.Summary) error) error {
	st, err := s.state(ctx, id)
	if err != nil {
		return err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	e, sum, err := s.evaluation(st)
	if err != nil {
		return err
	}
	return fn(st, e, sum)
}

// state returns the cached state of scenario id, loading it from the store
// the first time and checking it against the store every time, since
// another replica on the same database may have changed or deleted it.
func (s *Server) state(ctx context.Context, id string) (*scenarioState, error) {
	s.mu.Lock()
	st := s.scenarios[id]
	if st == nil && id == BaselineID {
		st = &scenarioState{sc: &planner.Scenario{ID: BaselineID, Name: "现状 / baseline", Version: 1}, eval: s.model.Baseline().Clone()}
		s.scenarios[id] = st
	}
	s.mu.Unlock()
	if id == BaselineID {
		return st, nil
	}
	if st != nil {
		return st, s.refresh(ctx, st)
	}
	sc, err := s.load(ctx, id)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur := s.scenarios[id]; cur != nil {
		return cur, nil // loaded meanwhile by another request
	}
	st = &scenarioState{sc: sc}
	s.scenarios[id] = st
	return st, nil
}

// load reads scenario id from the store; a scenario that is gone is
// forgotten here too.
func (s *Server) load(ctx context.Context, id string) (*planner.Scenario, error) {
	sc, err := s.store.Get(ctx, id)
	if errors.Is(err, data.ErrScenarioNotFound) {
		s.gone(id)
		return nil, notFound("no scenario %q", id)
	}
	return sc, err
}

// refresh brings a cached scenario up to its stored version: a cheap
// version check, and a reload with its evaluation rebuilt when another
// replica has written it. The tiles of an older version are dropped by
// the tile cache itself, which sees the version jump.
func (s *Server) refresh(ctx context.Context, st *scenarioState) error {
	id := st.id()
	v, err := s.store.Version(ctx, id)
	if errors.Is(err, data.ErrScenarioNotFound) {
		s.gone(id)
		return notFound("no scenario %q", id)
	}
	if err != nil {
		return err
	}
	st.mu.Lock()
	cur := st.sc.Version
	st.mu.Unlock()
	if v <= cur {
		return nil
	}
	sc, err := s.load(ctx, id)
	if err != nil {
		return err
	}
	st.mu.Lock()
	if sc.Version > st.sc.Version { // versions only grow: never go back to an older read
		st.sc, st.eval, st.sum = sc, nil, nil
	}
	st.mu.Unlock()
	return nil
}

// id is the scenario's id, which never changes.
func (st *scenarioState) id() string {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.sc.ID
}

// forget drops a scenario's cached state (deleted, or its save failed).
func (s *Server) forget(id string) {
	s.mu.Lock()
	st := s.scenarios[id]
	delete(s.scenarios, id)
	s.mu.Unlock()
	if st != nil {
		s.evals.forget(st)
	}
}

// gone forgets everything this replica holds of a deleted scenario.
func (s *Server) gone(id string) {
	s.forget(id)
	s.tiles.Drop(id)
	s.runs.dropScenario(id)
}

// changed is told by a store that notifies (PostgreSQL) that some
// replica wrote scenario id at version (0: deleted), and drops what is
// cached of an older version at once, rather than at its next request.
func (s *Server) changed(id string, version int64) {
	if version == 0 {
		s.gone(id)
		return
	}
	s.mu.Lock()
	st := s.scenarios[id]
	s.mu.Unlock()
	if st == nil {
		return
	}
	go func() { // never hold up the store's listener behind an evaluation
		st.mu.Lock()
		stale := st.sc.Version < version
		st.mu.Unlock()
		if stale {
			s.mu.Lock()
			if s.scenarios[id] == st {
				delete(s.scenarios, id)
			}
			s.mu.Unlock()
			s.tiles.Drop(id)
		}
	}()
}

// scenarioBrief is a scenario in lists: its edits counted.
type scenarioBrief struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Version int64  `json:"version"`
	Added   int    `json:"added"`
	Changed int    `json:"changed"`
	Closed  int    `json:"closed"`
	// Unreadable says why a stored scenario cannot be read (a damaged
	// row); it is listed so that planners see it is there.
	Unreadable string `json:"unreadable,omitempty"`
}

func brief(sc *planner.Scenario) scenarioBrief {
	return scenarioBrief{ID: sc.ID, Name: sc.Name, Version: sc.Version, Added: len(sc.Added), Changed: len(sc.Changed), Closed: len(sc.Closed)}
}

func (s *Server) listScenarios(w http.ResponseWriter, r *http.Request) error {
	list, bad, err := s.store.List(r.Context())
	if err != nil {
		return err
	}
	out := []scenarioBrief{{ID: BaselineID, Name: "现状 / baseline", Version: 1}}
	for _, sc := range list {
		out = append(out, brief(sc))
	}
	for _, u := range bad {
		s.log.Error("scenario store: a stored scenario cannot be read; listing the others", "db", s.store.String(), "scenario", u.ID, "problem", u.Problem)
		out = append(out, scenarioBrief{ID: u.ID, Name: u.Name, Version: u.Version, Unreadable: u.Problem})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) createScenario(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name *string `json:"name"`
		From string  `json:"from"`
	}
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	if in.Name == nil || strings.TrimSpace(*in.Name) == "" {
		return badRequest("name", "name: required, a non-empty string")
	}
	var from *planner.Scenario
	if in.From != "" && in.From != BaselineID {
		st, err := s.state(r.Context(), in.From)
		if err != nil {
			return err
		}
		st.mu.Lock()
		from = st.sc.Clone()
		st.mu.Unlock()
	}
	sc, err := s.store.Create(r.Context(), strings.TrimSpace(*in.Name), from)
	if err != nil {
		return storeError(err)
	}
	w.Header().Set("ETag", etag(sc.Version))
	writeJSON(w, http.StatusCreated, brief(sc))
	return nil
}

func (s *Server) getScenario(w http.ResponseWriter, r *http.Request) error {
	st, err := s.state(r.Context(), chi.URLParam(r, "id"))
	if err != nil {
		return err
	}
	st.mu.Lock()
	sc := st.sc.Clone()
	st.mu.Unlock()
	w.Header().Set("ETag", etag(sc.Version))
	writeJSON(w, http.StatusOK, scenarioBody(sc))
	return nil
}

// scenarioBody is the scenario as the API shows it; empty lists are [] not
// null, so clients need no special case.
func scenarioBody(sc *planner.Scenario) *planner.Scenario {
	out := sc.Clone()
	if out.Added == nil {
		out.Added = []planner.Facility{}
	}
	if out.Changed == nil {
		out.Changed = []planner.Facility{}
	}
	if out.Closed == nil {
		out.Closed = []string{}
	}
	return out
}

func (s *Server) renameScenario(w http.ResponseWriter, r *http.Request) error {
	id := chi.URLParam(r, "id")
	if id == BaselineID {
		return forbidden("the baseline is today's city and cannot be renamed")
	}
	var in struct {
		Name *string `json:"name"`
	}
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	if in.Name == nil || strings.TrimSpace(*in.Name) == "" {
		return badRequest("name", "name: required, a non-empty string")
	}
	return s.withScenario(r, id, func(st *scenarioState, expect int64) error {
		sc, err := s.store.Rename(r.Context(), id, strings.TrimSpace(*in.Name), expect)
		if err != nil {
			return storeError(err)
		}
		st.sc.Name, st.sc.Version = sc.Name, sc.Version
		w.Header().Set("ETag", etag(sc.Version))
		writeJSON(w, http.StatusOK, scenarioBody(st.sc))
		return nil
	})
}

func (s *Server) deleteScenario(w http.ResponseWriter, r *http.Request) error {
	id := chi.URLParam(r, "id")
	if id == BaselineID {
		return forbidden("the baseline is today's city and cannot be deleted")
	}
	if _, err := s.state(r.Context(), id); err != nil {
		return err
	}
	if err := s.store.Delete(r.Context(), id); err != nil {
		return storeError(err)
	}
	s.gone(id)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) getAssessment(w http.ResponseWriter, r *http.Request) error {
	return s.withEvaluation(r.Context(), chi.URLParam(r, "id"), func(st *scenarioState, e *planner.Evaluation, _ *planner.Summary) error {
		a, err := e.Assess(r.Context(), st.sc.ID)
		if err != nil {
			return err
		}
		w.Header().Set("ETag", etag(st.sc.Version))
		writeJSON(w, http.StatusOK, a)
		return nil
	})
}

func (s *Server) getSummary(w http.ResponseWriter, r *http.Request) error {
	return s.withEvaluation(r.Context(), chi.URLParam(r, "id"), func(st *scenarioState, _ *planner.Evaluation, sum *planner.Summary) error {
		regions := make(map[string]*planner.Indicators, sum.Len())
		for i, reg := range s.bundle.City.Regions {
			regions[reg.Code] = sum.Region(i)
		}
		w.Header().Set("ETag", etag(st.sc.Version))
		writeJSON(w, http.StatusOK, map[string]any{"id": st.sc.ID, "version": st.sc.Version, "city": sum.City, "regions": regions})
		return nil
	})
}

func (s *Server) compareScenario(w http.ResponseWriter, r *http.Request) error {
	with := r.URL.Query().Get("with")
	if with == "" {
		with = BaselineID
	}
	summary := func(id string) (sum *planner.Summary, err error) {
		err = s.withEvaluation(r.Context(), id, func(_ *scenarioState, _ *planner.Evaluation, s *planner.Summary) error {
			sum = s
			return nil
		})
		return sum, err
	}
	before, err := summary(with)
	if err != nil {
		return err
	}
	after, err := summary(chi.URLParam(r, "id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.delta(before, after))
	return nil
}

// expectedVersion is the version an edit was made on: If-Match when given,
// else the current one.
func expectedVersion(r *http.Request, sc *planner.Scenario) (int64, error) {
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	if h == "" || h == "*" {
		return sc.Version, nil
	}
	h = strings.Trim(strings.TrimPrefix(h, "W/"), `"`)
	v, err := strconv.ParseInt(h, 10, 64)
	if err != nil {
		return 0, badRequest("If-Match", "If-Match %q: want the scenario version, e.g. \"3\"", r.Header.Get("If-Match"))
	}
	if v != sc.Version {
		return 0, conflict(sc.Version, "scenario %s is at version %d, the edit was made on version %d; reload it and try again", sc.ID, sc.Version, v)
	}
	return v, nil
}

func etag(v int64) string { return `"` + strconv.FormatInt(v, 10) + `"` }

// storeError maps the store's errors to API errors.
func storeError(err error) error {
	var vc *data.VersionConflictError
	switch {
	case errors.Is(err, data.ErrScenarioNotFound):
		return notFound("%v", err)
	case errors.Is(err, data.ErrInvalidScenarioName):
		return badRequest("name", "name: %v", err)
	case errors.As(err, &vc):
		return conflict(vc.Current, "%v", err)
	}
	return err
}

// change is an indicator before and after.
type change struct {
	Before float64 `json:"before"`
	After  float64 `json:"after"`
	Change float64 `json:"change"`
}

// headline lists the city indicators every delta reports.
var headline = []string{"elders_covered_15min", "coverage_15min", "elders_uncovered_15min", "floor_gap_m2", "land_gap_m2",
	"beds", "beds_per_1000_elders", "access_2sfca_m2_per_elder", "community_stations", "street_centers", "communities_with_station"}

// delta compares two summaries: the headline indicators of the city and
// every indicator that changed in each region.
func (s *Server) delta(before, after *planner.Summary) map[string]any {
	names := planner.IndicatorNames()
	out := map[string]any{}
	bv, av := before.City.Values(), after.City.Values()
	for i, n := range names {
		for _, h := range headline {
			if n == h {
				out[n] = change{bv[i], av[i], av[i] - bv[i]}
			}
		}
	}
	type regionChange struct {
		Code    string            `json:"code"`
		Name    string            `json:"name"`
		Level   planner.Level     `json:"level"`
		Changes map[string]change `json:"changes"`
	}
	regions := []regionChange{}
	// Only the pages of regions an edit touched are compared: most
	// regions are shared, unchanged, between the two summaries.
	after.Changed(before, func(i int) {
		reg := &s.bundle.City.Regions[i]
		b, a := before.Region(i).Values(), after.Region(i).Values()
		var ch map[string]change
		for k := range b {
			if math.Abs(a[k]-b[k]) > 1e-9*math.Max(1, math.Abs(b[k])) {
				if ch == nil {
					ch = map[string]change{}
				}
				ch[names[k]] = change{b[k], a[k], a[k] - b[k]}
			}
		}
		if ch != nil {
			regions = append(regions, regionChange{reg.Code, reg.Name, reg.Level, ch})
		}
	})
	out["regions"] = regions
	return out
}
