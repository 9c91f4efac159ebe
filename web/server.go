package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/carecircle/carecircle/data"
	"github.com/carecircle/carecircle/planner"
	"github.com/carecircle/carecircle/web/tiles"
	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
)

// maxBody caps request bodies: the largest legitimate one is a facility.
const maxBody = 1 << 20

// Config is what a Server serves.
type Config struct {
	Bundle *data.Bundle       // the city
	Model  *planner.Model     // the city judged under its profile
	Store  data.ScenarioStore // saved scenarios
	Token  string             // when set, the API and tiles need "Authorization: Bearer Token" (auth.go)
	Logger *slog.Logger       // nil: slog.Default()

	// EvaluationBytes bounds the memory of scenario evaluations kept
	// built; the least recently used are dropped and rebuilt from the
	// store when asked for again. 0: DefaultEvaluationBytes.
	EvaluationBytes int64
	// TileCacheBytes bounds the built tiles kept. 0: tiles.DefaultCacheBytes.
	TileCacheBytes int64

	BasePath   string // path prefix the server is mounted at, e.g. "/cq/" (basepath.go); "" is "/"
	TrustProxy bool   // build public URLs from X-Forwarded-Proto/Host/Prefix
	Version    string // the build's version, for /metrics and tile ETags ("" is "dev")

	Addr         string   // the listen address, whose host requests may name (guard.go)
	AllowedHosts []string // further host names requests may name: a reverse proxy's
}

// Server is the HTTP face of one city. It is safe for concurrent use.
type Server struct {
	bundle *data.Bundle
	model  *planner.Model
	store  *timedStore // Config.Store, timed (storetimer.go)
	tiles  *tiles.Server
	token  string
	hosts  hostPolicy
	log    *slog.Logger

	basePath   string
	trustProxy bool
	metrics    *metrics
	spec       *apiSpec
	tileTag    string // ETag prefix of tiles: changes with the build and the city

	runs            *optimizeRuns // siting optimiser runs
	optimiserMemory atomic.Int64  // raise of the memory limit while a run works (memory.go)
	pdf             *renderQueue  // turns to render PDF reports

	mu        sync.Mutex
	scenarios map[string]*scenarioState // evaluations of scenarios asked about
	evals     *evalCache                // bounds the evaluations kept built
}

// New makes a server for cfg.
func New(cfg Config) (*Server, error) {
	if cfg.Bundle == nil || cfg.Model == nil || cfg.Store == nil {
		return nil, fmt.Errorf("web: a server needs a city bundle, its model and a scenario store")
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	log = slog.New(requestIDLogs{log.Handler()})
	base, err := NormalizeBasePath(cfg.BasePath)
	if err != nil {
		return nil, err
	}
	spec, err := loadAPISpec()
	if err != nil {
		return nil, err
	}
	t, err := tiles.NewBounded(cfg.Bundle, cfg.Model, cfg.TileCacheBytes)
	if err != nil {
		return nil, err
	}
	evalBytes := cfg.EvaluationBytes
	if evalBytes <= 0 {
		evalBytes = DefaultEvaluationBytes
	}
	s := &Server{bundle: cfg.Bundle, model: cfg.Model, tiles: t, token: cfg.Token, log: log,
		hosts: newHostPolicy(cfg.Addr, cfg.AllowedHosts), pdf: newRenderQueue(pdfAtOnce(), pdfWaiting, pdfMaxWait),
		runs: newOptimizeRuns(newReplicaID()), scenarios: map[string]*scenarioState{}, evals: newEvalCache(evalBytes),
		basePath: base, trustProxy: cfg.TrustProxy, spec: spec, tileTag: tileTag(cfg.Version, cfg.Bundle)}
	s.store = &timedStore{ScenarioStore: cfg.Store, s: s}
	s.metrics = newMetrics(s, versionOrDev(cfg.Version))
	s.watchStore()
	return s, nil
}

// Handler returns the server's routes with their middleware.
func (s *Server) Handler() http.Handler {
	r := chi.NewRouter()
	r.Use(s.recoverPanics, s.logRequests, s.measure, s.guard, middleware.GetHead, compress, limitBodies, s.authorize)
	s.routes(r)
	return withRequestID(s.underBase(r))
}

// routesOnly is the router without middleware, for checking the routes
// against docs/openapi.yaml.
func (s *Server) routesOnly() chi.Router {
	r := chi.NewRouter()
	s.routes(r)
	return r
}

// routes mounts every endpoint on r.
func (s *Server) routes(r chi.Router) {
	r.Get("/healthz", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, map[string]string{"status": "ok"}) })
	r.Get("/readyz", s.readyz)
	r.Get("/metrics", s.serveMetrics)
	r.Get("/openapi.json", s.serveOpenAPI)
	r.Get("/api/docs", s.serveAPIDocs)
	r.Route("/api/v1", func(r chi.Router) {
		r.Get("/city", s.handle(s.getCity))
		r.Get("/scenarios", s.handle(s.listScenarios))
		r.Post("/scenarios", s.handle(s.createScenario))
		r.Route("/scenarios/{id}", func(r chi.Router) {
			r.Get("/", s.handle(s.getScenario))
			r.Patch("/", s.handle(s.renameScenario))
			r.Delete("/", s.handle(s.deleteScenario))
			r.Get("/assessment", s.handle(s.getAssessment))
			r.Get("/summary", s.handle(s.getSummary))
			r.Get("/compare", s.handle(s.compareScenario))
			r.Post("/facilities", s.handle(s.addFacility))
			r.Get("/facilities/{fid}", s.handle(s.getFacility))
			r.Patch("/facilities/{fid}", s.handle(s.changeFacility))
			r.Delete("/facilities/{fid}", s.handle(s.closeFacility))
			r.Get("/optimize", s.handle(s.listRuns))
			r.Post("/optimize", s.handle(s.startOptimize))
			r.Get("/optimize/{run}", s.handle(s.getRun))
			r.Delete("/optimize/{run}", s.handle(s.deleteRun))
			r.Get("/optimize/{run}/sites.{format}", s.handle(s.getRunSites))
			r.Post("/optimize/{run}/accept", s.handle(s.acceptSites))
			r.Post("/optimize/{run}/reject", s.handle(s.rejectSites))
		})
		r.Post("/candidates", s.handle(s.readCandidates))
		r.Post("/isochrone", s.handle(s.isochrone))
		r.Get("/nearest", s.handle(s.nearest))
		r.Get("/reports/gap.{format}", s.handle(s.getReport))
		r.NotFound(func(w http.ResponseWriter, r *http.Request) {
			s.writeError(w, r, notFound("no API endpoint %s %s", r.Method, r.URL.Path))
		})
		r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
			s.writeError(w, r, &apiError{Status: http.StatusMethodNotAllowed, Code: "method_not_allowed", Message: fmt.Sprintf("%s is not allowed on %s", r.Method, r.URL.Path)})
		})
	})
	r.Get("/tiles/{layer}.json", s.handle(s.tileJSON))
	r.Get("/tiles/{layer}/{z}/{x}/{y}.mvt", s.serveTile)
	r.Get("/*", s.appHandler().ServeHTTP)
	r.NotFound(s.notFound)
	r.MethodNotAllowed(s.methodNotAllowed)
}

// handle adapts a handler that returns an error to http.HandlerFunc.
func (s *Server) handle(h func(http.ResponseWriter, *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	}
}

// recoverPanics turns a panic in a handler into a 500 with the API's error
// body and a logged stack, so one bad request never takes the server down.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic serving request", "method", r.Method, "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
				s.writeError(w, r, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	err    error // a failure found while answering (noteFailure)
}

func (r *statusRecorder) WriteHeader(code int) { r.status = code; r.ResponseWriter.WriteHeader(code) }

// Unwrap lets http.ResponseController reach the connection through the
// status recorders of the logging and metrics middleware (its deadlines,
// or to flush a long poll).
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: 200}
		next.ServeHTTP(rec, r)
		level := slog.LevelInfo
		if strings.HasPrefix(r.URL.Path, "/tiles/") || r.Method == http.MethodGet && rec.status < 400 {
			level = slog.LevelDebug
		}
		if rec.err != nil {
			s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "status", rec.status, "err", rec.err)
			return
		}
		s.log.Log(r.Context(), level, "request", "method", r.Method, "path", r.URL.Path, "status", rec.status, "took", time.Since(start))
	})
}

func limitBodies(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		next.ServeHTTP(w, r)
	})
}

// WarmUp computes in the background what the first map views would
// otherwise wait for (every baseline facility's service area), until ctx
// ends.
func (s *Server) WarmUp(ctx context.Context) {
	go func() {
		if err := s.tiles.WarmServiceAreas(ctx, s.model.Baseline()); err != nil && ctx.Err() == nil {
			s.log.Warn("warming service areas", "err", err)
		}
	}()
}

// Close cancels optimiser runs and waits for them to stop, and releases
// what else the server holds (not the store, which the caller opened).
func (s *Server) Close(context.Context) error {
	s.runs.close()
	return nil
}
