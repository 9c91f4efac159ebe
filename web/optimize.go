package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/carecircle/carecircle/data"
	"github.com/carecircle/carecircle/planner"
	"github.com/carecircle/carecircle/planner/siting"
	"github.com/go-chi/chi/v5"
)

// Siting runs: POST /scenarios/{id}/optimize starts the optimiser on a
// snapshot of the scenario and answers at once if it finishes within
// ?wait, else with the run to poll. Runs go one at a time (each uses
// every core), keep their progress, can be cancelled, and stay in memory
// (not the store: they are computations, redone in seconds) until
// deleted or crowded out. Accepting suggestions is an ordinary, durable
// scenario edit.

// Limits on runs.
const (
	maxQueuedRuns  = 4                // runs waiting behind the running one
	maxKeptRuns    = 32               // finished runs kept for GET, oldest dropped first
	defaultRunWait = 2 * time.Second  // how long POST waits before answering with a run to poll
	maxRunWait     = 60 * time.Second // the longest ?wait
)

// Run statuses.
const (
	runQueued    = "queued"
	runRunning   = "running"
	runDone      = "done"
	runFailed    = "failed"
	runCancelled = "cancelled"
)

// Decisions on a suggested site.
const (
	siteAccepted = "accepted"
	siteRejected = "rejected"
)

// optimizeRun is one optimiser run on one scenario version.
type optimizeRun struct {
	id       string
	scenario string
	version  int64                  // the scenario version it was asked on
	request  siting.OptimizeRequest // as asked, candidates and all
	given    int                    // candidates given in the request (0: generated)
	created  time.Time
	cancel   context.CancelFunc
	finished chan struct{} // closed when the run ends, whatever the outcome

	mu        sync.Mutex
	status    string
	done      int
	total     int
	started   time.Time
	ended     time.Time
	result    *siting.OptimizeResult
	err       *apiError
	decisions map[string]siteDecision // by suggested site id
	// accepted is the scenario version after this run's last accept:
	// further accepts may follow on from it.
	accepted int64
}

// siteDecision is what a planner made of one suggestion.
type siteDecision struct {
	Decision string `json:"decision"`
	// FacilityID is the id the accepted site has in the scenario: the
	// suggestion's own, unless the scenario already has a facility by it.
	FacilityID string `json:"facility_id,omitempty"`
}

// runProgress is how far a run is: work done of the work known so far
// (total can grow while a target is not yet reached).
type runProgress struct {
	Done  int `json:"done"`
	Total int `json:"total"`
}

// runBody is a run as the API shows it.
type runBody struct {
	ID              string                  `json:"id"`
	Scenario        string                  `json:"scenario"`
	ScenarioVersion int64                   `json:"scenario_version"`
	Status          string                  `json:"status"`
	Progress        runProgress             `json:"progress"`
	Request         siting.OptimizeRequest  `json:"request"`
	CandidatesGiven int                     `json:"candidates_given"`
	CreatedAt       time.Time               `json:"created_at"`
	StartedAt       *time.Time              `json:"started_at,omitempty"`
	FinishedAt      *time.Time              `json:"finished_at,omitempty"`
	Result          *siting.OptimizeResult  `json:"result,omitempty"`
	Decisions       map[string]siteDecision `json:"decisions"`
	Error           *apiError               `json:"error,omitempty"`
}

// body is the run as the API shows it; withResult false leaves the result
// out (lists).
func (run *optimizeRun) body(withResult bool) runBody {
	run.mu.Lock()
	defer run.mu.Unlock()
	b := runBody{ID: run.id, Scenario: run.scenario, ScenarioVersion: run.version, Status: run.status,
		Progress: runProgress{run.done, run.total}, Request: run.request, CandidatesGiven: run.given,
		CreatedAt: run.created, Error: run.err, Decisions: map[string]siteDecision{}}
	if !run.started.IsZero() {
		t := run.started
		b.StartedAt = &t
	}
	if !run.ended.IsZero() {
		t := run.ended
		b.FinishedAt = &t
	}
	b.Request.Candidates = nil // echoed without the list, which may be long
	if withResult {
		b.Result = run.result
	}
	for k, v := range run.decisions {
		b.Decisions[k] = v
	}
	return b
}

func (run *optimizeRun) progress(done, total int) {
	run.mu.Lock()
	run.done, run.total = done, total
	run.mu.Unlock()
}

// finish records how the run ended.
func (run *optimizeRun) finish(res *siting.OptimizeResult, err error) {
	run.mu.Lock()
	defer run.mu.Unlock()
	run.ended = time.Now()
	var re *siting.RequestError
	switch {
	case err == nil:
		run.status, run.result = runDone, res
	case errors.Is(err, context.Canceled):
		run.status = runCancelled
		run.err = &apiError{Status: http.StatusConflict, Code: "cancelled", Message: "the run was cancelled"}
	case errors.As(err, &re):
		run.status, run.err = runFailed, unprocessable("", "%v", err)
	default:
		run.status = runFailed
		run.err = &apiError{Status: http.StatusInternalServerError, Code: "internal", Message: "the run failed; the server log has the details"}
	}
}

// outcome is the run's status and error, read together.
func (run *optimizeRun) outcome() (string, *apiError) {
	run.mu.Lock()
	defer run.mu.Unlock()
	return run.status, run.err
}

// optimizeRuns holds a server's runs and lets one run at a time.
type optimizeRuns struct {
	replica string          // this process's replica id, part of every run id
	ctx     context.Context // cancelled when the server closes
	cancel  context.CancelFunc
	slot    chan struct{} // holds a token while a run runs
	wg      sync.WaitGroup

	mu     sync.Mutex
	closed bool
	byID   map[string]*optimizeRun
	list   []*optimizeRun // oldest first
}

func newOptimizeRuns(replica string) *optimizeRuns {
	ctx, cancel := context.WithCancel(context.Background())
	return &optimizeRuns{replica: replica, ctx: ctx, cancel: cancel, slot: make(chan struct{}, 1), byID: map[string]*optimizeRun{}}
}

// get returns run rid of scenario id.
func (rs *optimizeRuns) get(id, rid string) (*optimizeRun, error) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	run := rs.byID[rid]
	if run == nil || run.scenario != id {
		if other := runReplica(rid); other != "" && other != rs.replica {
			return nil, notFound("optimiser run %q of scenario %s belongs to replica %s, and this is replica %s: runs live in the memory of the serve process that started them; ask that one (a proxy should keep a planner on one replica), or start a new run here", rid, id, other, rs.replica)
		}
		return nil, notFound("scenario %s has no optimiser run %q (runs are kept in memory: a restart forgets them)", id, rid)
	}
	return run, nil
}

// of returns the runs of scenario id, newest first.
func (rs *optimizeRuns) of(id string) []*optimizeRun {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	var out []*optimizeRun
	for i := len(rs.list) - 1; i >= 0; i-- {
		if rs.list[i].scenario == id {
			out = append(out, rs.list[i])
		}
	}
	return out
}

// add registers a new run, refusing it when too many wait or the server
// is closing, and drops the oldest finished runs beyond maxKeptRuns. The
// caller must then start it (startRun), which close waits for.
func (rs *optimizeRuns) add(run *optimizeRun) error {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.closed {
		return &apiError{Status: http.StatusServiceUnavailable, Code: "shutting_down", Message: "the server is shutting down; try again when it is back"}
	}
	waiting := 0
	for _, r := range rs.list {
		if st, _ := r.outcome(); st == runQueued {
			waiting++
		}
	}
	if waiting >= maxQueuedRuns {
		return &apiError{Status: http.StatusTooManyRequests, Code: "too_many_runs",
			Message: fmt.Sprintf("%d optimiser runs are already waiting; wait for them or cancel one (DELETE its run)", waiting)}
	}
	rs.byID[run.id] = run
	rs.list = append(rs.list, run)
	rs.wg.Add(1)
	for kept := len(rs.list); kept > maxKeptRuns; kept-- {
		i := slices.IndexFunc(rs.list, func(r *optimizeRun) bool {
			st, _ := r.outcome()
			return st != runQueued && st != runRunning
		})
		if i < 0 {
			break
		}
		delete(rs.byID, rs.list[i].id)
		rs.list = slices.Delete(rs.list, i, i+1)
	}
	return nil
}

// remove cancels run and forgets it.
func (rs *optimizeRuns) remove(run *optimizeRun) {
	run.cancel()
	rs.mu.Lock()
	defer rs.mu.Unlock()
	delete(rs.byID, run.id)
	rs.list = slices.DeleteFunc(rs.list, func(r *optimizeRun) bool { return r == run })
}

// dropScenario cancels and forgets the runs of a deleted scenario.
func (rs *optimizeRuns) dropScenario(id string) {
	for _, run := range rs.of(id) {
		rs.remove(run)
	}
}

// close refuses new runs, cancels every run and waits for them to stop.
func (rs *optimizeRuns) close() {
	rs.mu.Lock()
	rs.closed = true
	rs.mu.Unlock()
	rs.cancel()
	rs.wg.Wait()
}

// startRun runs the optimiser on e in the background when the slot is
// free; ctx is the run's, cancelled by run.cancel.
func (s *Server) startRun(ctx context.Context, run *optimizeRun, e *planner.Evaluation) {
	rs := s.runs
	go func() {
		defer rs.wg.Done()
		defer close(run.finished)
		defer run.cancel()
		select {
		case rs.slot <- struct{}{}:
			defer func() { <-rs.slot }()
		case <-ctx.Done():
			run.finish(nil, ctx.Err())
			return
		}
		run.mu.Lock()
		run.status, run.started = runRunning, time.Now()
		run.mu.Unlock()
		defer raiseMemoryLimit(s.optimiserMemory.Load())()
		res, err := func() (res *siting.OptimizeResult, err error) {
			defer func() {
				if v := recover(); v != nil {
					s.log.Error("panic in optimiser run", "run", run.id, "panic", v, "stack", string(debug.Stack()))
					err = fmt.Errorf("panic: %v", v)
				}
			}()
			return siting.Optimize(ctx, e, run.request, run.progress)
		}()
		if err != nil && ctx.Err() != nil {
			err = context.Canceled
		}
		run.finish(res, err)
		status, _ := run.outcome()
		attrs := []any{"run", run.id, "scenario", run.scenario, "problem", run.request.Problem, "status", status,
			"took", time.Since(run.started).Round(time.Millisecond)}
		if res != nil {
			attrs = append(attrs, "sites", len(res.Sites), "gain_elders", int(res.TotalGain+0.5), "bound_gap", fmt.Sprintf("%.2f%%", 100*res.BoundGap))
		}
		if err != nil && status == runFailed {
			attrs = append(attrs, "err", err)
		}
		s.log.Info("optimiser run ended", attrs...)
	}()
}

// waitParam reads ?wait: how long to wait for a run to end, in seconds
// ("5") or as a duration ("1500ms"), at most maxRunWait.
func waitParam(r *http.Request, def time.Duration) (time.Duration, error) {
	v := r.URL.Query().Get("wait")
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		secs, err2 := strconv.ParseFloat(v, 64)
		if err2 != nil {
			return 0, badRequest("wait", "wait %q: want seconds (e.g. 5) or a duration (e.g. 1500ms)", v)
		}
		d = time.Duration(secs * float64(time.Second))
	}
	if d < 0 {
		return 0, badRequest("wait", "wait %q: want a duration ≥ 0", v)
	}
	return min(d, maxRunWait), nil
}

// waitFor waits until run ends, d passes or the request goes away.
func waitFor(r *http.Request, run *optimizeRun, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-run.finished:
	case <-t.C:
	case <-r.Context().Done():
	}
}

// newRunID is "opt-", the replica id, "-" and 8 random characters.
func (rs *optimizeRuns) newRunID() string {
	var b [5]byte
	rand.Read(b[:])
	return "opt-" + rs.replica + "-" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

func (s *Server) startOptimize(w http.ResponseWriter, r *http.Request) error {
	id := chi.URLParam(r, "id")
	wait, err := waitParam(r, defaultRunWait)
	if err != nil {
		return err
	}
	var req siting.OptimizeRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	if err := req.Validate(); err != nil {
		return unprocessable("", "%v", err)
	}
	run := &optimizeRun{id: s.runs.newRunID(), scenario: id, request: req, given: len(req.Candidates), created: time.Now(),
		finished: make(chan struct{}), status: runQueued, decisions: map[string]siteDecision{}}
	// The run works on a snapshot, so edits need not wait for it.
	var snapshot *planner.Evaluation
	err = s.withEvaluation(r.Context(), id, func(st *scenarioState, e *planner.Evaluation, _ *planner.Summary) error {
		snapshot, run.version = e.Clone(), st.sc.Version
		return nil
	})
	if err != nil {
		return err
	}
	// The run can be cancelled from the moment it is listed.
	ctx, cancel := context.WithCancel(s.runs.ctx)
	run.cancel = cancel
	if err := s.runs.add(run); err != nil {
		cancel()
		return err
	}
	s.startRun(ctx, run, snapshot)
	longAnswer(w, wait)
	waitFor(r, run, wait)
	if status, apiErr := run.outcome(); status == runFailed && apiErr.Status < 500 {
		// A question that cannot be answered is the request's fault: say so
		// now, and keep no run for it.
		s.runs.remove(run)
		return apiErr
	}
	w.Header().Set("Location", s.publicPath(r, fmt.Sprintf("api/v1/scenarios/%s/optimize/%s", id, run.id)))
	writeJSON(w, http.StatusCreated, run.body(true))
	return nil
}

func (s *Server) listRuns(w http.ResponseWriter, r *http.Request) error {
	id := chi.URLParam(r, "id")
	if _, err := s.state(r.Context(), id); err != nil {
		return err
	}
	out := []runBody{}
	for _, run := range s.runs.of(id) {
		out = append(out, run.body(false))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) getRun(w http.ResponseWriter, r *http.Request) error {
	run, err := s.runs.get(chi.URLParam(r, "id"), chi.URLParam(r, "run"))
	if err != nil {
		return err
	}
	wait, err := waitParam(r, 0)
	if err != nil {
		return err
	}
	longAnswer(w, wait)
	waitFor(r, run, wait)
	writeJSON(w, http.StatusOK, run.body(true))
	return nil
}

func (s *Server) deleteRun(w http.ResponseWriter, r *http.Request) error {
	run, err := s.runs.get(chi.URLParam(r, "id"), chi.URLParam(r, "run"))
	if err != nil {
		return err
	}
	s.runs.remove(run)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// getRunSites downloads a finished run's suggestions.
func (s *Server) getRunSites(w http.ResponseWriter, r *http.Request) error {
	run, res, err := s.finishedRun(r)
	if err != nil {
		return err
	}
	format := chi.URLParam(r, "format")
	if !slices.Contains(data.SuggestionFormats, format) {
		return notFound("no suggestions format %q: want one of %s", format, strings.Join(data.SuggestionFormats, ", "))
	}
	var buf bytes.Buffer // whole before any byte goes: a failure is an error, not a cut file
	if err := data.WriteSuggestions(&buf, format, res); err != nil {
		return err
	}
	ctype := map[string]string{"json": "application/json", "geojson": "application/geo+json", "kml": "application/vnd.google-earth.kml+xml"}[format]
	w.Header().Set("Content-Type", ctype+"; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="suggestions-%s-%s.%s"`, run.scenario, run.id, format))
	_, err = w.Write(buf.Bytes())
	return err
}

// finishedRun is the run a request names, which must have ended with an
// answer.
func (s *Server) finishedRun(r *http.Request) (*optimizeRun, *siting.OptimizeResult, error) {
	run, err := s.runs.get(chi.URLParam(r, "id"), chi.URLParam(r, "run"))
	if err != nil {
		return nil, nil, err
	}
	run.mu.Lock()
	defer run.mu.Unlock()
	if run.status != runDone {
		return nil, nil, &apiError{Status: http.StatusConflict, Code: "run_not_done",
			Message: fmt.Sprintf("optimiser run %s is %s, not done: its suggestions are not ready", run.id, run.status)}
	}
	return run, run.result, nil
}

// siteSelection is the body of accept and reject: suggested site ids.
type siteSelection struct {
	Sites []string `json:"sites"`
}

// pickSites reads the selection of a done run's suggestions and returns
// the run, its answer and the positions of the sites chosen in the order
// the optimiser chose them, checking each is a suggestion of the run not
// yet accepted.
func (s *Server) pickSites(r *http.Request) (*optimizeRun, *siting.OptimizeResult, []int, error) {
	run, res, err := s.finishedRun(r)
	if err != nil {
		return nil, nil, nil, err
	}
	at, err := pick(r, run, res)
	return run, res, at, err
}

func pick(r *http.Request, run *optimizeRun, res *siting.OptimizeResult) ([]int, error) {
	var sel siteSelection
	if err := decodeBody(r, &sel); err != nil {
		return nil, err
	}
	if len(sel.Sites) == 0 {
		return nil, badRequest("sites", "sites: required, the ids of suggested sites (e.g. [%q])", firstSiteID(res))
	}
	want := map[string]bool{}
	for _, id := range sel.Sites {
		if !slices.ContainsFunc(res.Sites, func(s siting.SuggestedSite) bool { return s.ID == id }) {
			return nil, unprocessable("sites", "sites: %q is not a suggestion of run %s", id, run.id)
		}
		want[id] = true
	}
	run.mu.Lock()
	defer run.mu.Unlock()
	var at []int
	for i, s := range res.Sites {
		if !want[s.ID] {
			continue
		}
		if d := run.decisions[s.ID]; d.Decision == siteAccepted {
			return nil, unprocessable("sites", "sites: %q was already accepted, as facility %s; delete that facility to undo it", s.ID, d.FacilityID)
		}
		at = append(at, i)
	}
	return at, nil
}

func firstSiteID(res *siting.OptimizeResult) string {
	if len(res.Sites) == 0 {
		return "node-123"
	}
	return res.Sites[0].ID
}

// acceptSites adds suggested sites to the scenario as proposed facilities,
// in the order the optimiser chose them, as one edit: evaluated, saved,
// then acknowledged. The scenario must still be as the run saw it (or as
// this run's last accept left it), so the reported gains hold.
func (s *Server) acceptSites(w http.ResponseWriter, r *http.Request) error {
	id := chi.URLParam(r, "id")
	if id == BaselineID {
		return forbidden("the baseline is today's city and cannot be edited; create a scenario (POST /api/v1/scenarios), run the optimiser on it and accept there")
	}
	run, res, at, err := s.pickSites(r)
	if err != nil {
		return err
	}
	run.mu.Lock()
	follows := run.accepted
	run.mu.Unlock()
	return s.withScenario(r, id, func(st *scenarioState, expect int64) error {
		if expect != run.version && expect != follows {
			return conflict(st.sc.Version, "scenario %s changed since run %s was asked (version %d, now %d): its gains may no longer hold; run the optimiser again",
				id, run.id, run.version, st.sc.Version)
		}
		base := s.bundle.City.Facilities
		all := res.Facilities(s.model.Profile)
		edits := make([]planner.Edit, len(at))
		for k, i := range at {
			f := all[i]
			same := func(g planner.Facility) bool { return g.ID == f.ID }
			if slices.ContainsFunc(base, same) || slices.ContainsFunc(st.sc.Added, same) {
				f.ID = newFacilityID()
			}
			edits[k] = planner.Edit{Op: planner.OpAdd, Facility: f}
		}
		version, delta, err := s.applyEdits(r.Context(), st, expect, edits)
		if err != nil {
			return err
		}
		facilities := make([]planner.Facility, len(edits))
		run.mu.Lock()
		for k, i := range at {
			facilities[k] = edits[k].Facility
			run.decisions[res.Sites[i].ID] = siteDecision{Decision: siteAccepted, FacilityID: edits[k].Facility.ID}
		}
		run.accepted = version
		run.mu.Unlock()
		w.Header().Set("ETag", etag(version))
		writeJSON(w, http.StatusOK, map[string]any{"version": version, "facilities": facilities, "delta": delta, "run": run.body(false)})
		return nil
	})
}

// rejectSites marks suggestions as rejected, so the panel can set them
// aside; a rejected site can still be accepted later.
func (s *Server) rejectSites(w http.ResponseWriter, r *http.Request) error {
	run, res, at, err := s.pickSites(r)
	if err != nil {
		return err
	}
	run.mu.Lock()
	for _, i := range at {
		run.decisions[res.Sites[i].ID] = siteDecision{Decision: siteRejected}
	}
	run.mu.Unlock()
	writeJSON(w, http.StatusOK, run.body(false))
	return nil
}
