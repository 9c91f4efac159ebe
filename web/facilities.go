package web

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"math"
	"net/http"
	"strings"

	"github.com/carecircle/carecircle/geo"
	"github.com/carecircle/carecircle/planner"
	"github.com/go-chi/chi/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// facilityInput is a facility as a client sends it. Pointers tell a field
// left out from a zero, so PATCH changes only what it names.
type facilityInput struct {
	ID          *string  `json:"id"`
	Name        *string  `json:"name"`
	Type        *string  `json:"type"`
	Status      *string  `json:"status"`
	Lon         *float64 `json:"lon"`
	Lat         *float64 `json:"lat"`
	FloorArea   *float64 `json:"floor_area_m2"`
	LandArea    *float64 `json:"land_area_m2"`
	Beds        *float64 `json:"beds"`
	NursingBeds *float64 `json:"nursing_beds"`
	Operator    *string  `json:"operator"`
	Community   *string  `json:"community_code"`
}

// apply writes the fields given onto f, checking each.
func (in *facilityInput) apply(f *planner.Facility) error {
	if in.Name != nil {
		f.Name = strings.TrimSpace(*in.Name)
	}
	if in.Type != nil {
		t, err := planner.ParseFacilityType(*in.Type)
		if err != nil {
			return unprocessable("type", "type: %v", err)
		}
		f.Type = t
	}
	if in.Status != nil {
		st, err := planner.ParseFacilityStatus(*in.Status)
		if err != nil {
			return unprocessable("status", "status: %v", err)
		}
		f.Status = st
	}
	if in.Operator != nil {
		if *in.Operator == "" {
			f.Operator = ""
		} else {
			op, err := planner.ParseOperatorModel(*in.Operator)
			if err != nil {
				return unprocessable("operator", "operator: %v", err)
			}
			f.Operator = op
		}
	}
	if in.Community != nil {
		f.Community = *in.Community
	}
	if in.Lon != nil {
		f.Location[0] = *in.Lon
	}
	if in.Lat != nil {
		f.Location[1] = *in.Lat
	}
	for _, n := range []struct {
		field string
		in    *float64
		out   *float64
	}{{"floor_area_m2", in.FloorArea, &f.FloorArea}, {"land_area_m2", in.LandArea, &f.LandArea}, {"beds", in.Beds, &f.Beds}, {"nursing_beds", in.NursingBeds, &f.NursingBeds}} {
		if n.in == nil {
			continue
		}
		if !(*n.in >= 0) || math.IsInf(*n.in, 0) {
			return unprocessable(n.field, "%s: want a number ≥ 0, got %v", n.field, *n.in)
		}
		*n.out = *n.in
	}
	return nil
}

// checkPlace refuses sites outside the city (with a small margin): a lon/lat
// swapped or typed wrong should say so, not snap 40 km away.
func (s *Server) checkPlace(p orb.Point) error {
	b := s.bundle.City.Network.Bound().Pad(0.01)
	if !b.Contains(p) {
		return unprocessable("lon", "lon/lat (%.6f, %.6f) is outside the city (lon %.4f..%.4f, lat %.4f..%.4f)",
			p[0], p[1], b.Min[0], b.Max[0], b.Min[1], b.Max[1])
	}
	return nil
}

func (s *Server) addFacility(w http.ResponseWriter, r *http.Request) error {
	var in facilityInput
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	for _, req := range []struct {
		field string
		ok    bool
	}{{"type", in.Type != nil}, {"lon", in.Lon != nil}, {"lat", in.Lat != nil}} {
		if !req.ok {
			return badRequest(req.field, "%s: required", req.field)
		}
	}
	f := planner.Facility{Status: planner.Proposed}
	if err := in.apply(&f); err != nil {
		return err
	}
	if in.ID != nil && strings.TrimSpace(*in.ID) != "" {
		f.ID = strings.TrimSpace(*in.ID)
	} else {
		f.ID = newFacilityID()
	}
	if f.Name == "" {
		f.Name = "拟建" + f.Type.Label().ZH
	}
	if f.Community == "" {
		f.Community = s.model.CommunityAt(f.Location) // recorded, as a bundle's facility would be
	}
	return s.edit(w, r, planner.Edit{Op: planner.OpAdd, Facility: f}, http.StatusCreated)
}

func (s *Server) changeFacility(w http.ResponseWriter, r *http.Request) error {
	var in facilityInput
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	if in.ID != nil && *in.ID != chi.URLParam(r, "fid") {
		return badRequest("id", "id: a facility's id cannot change")
	}
	st, err := s.state(r.Context(), chi.URLParam(r, "id"))
	if err != nil {
		return err
	}
	st.mu.Lock()
	f, open := st.sc.Facility(s.bundle.City.Facilities, chi.URLParam(r, "fid"))
	st.mu.Unlock()
	if !open {
		return notFound("scenario %s has no facility %q", chi.URLParam(r, "id"), chi.URLParam(r, "fid"))
	}
	if err := in.apply(&f); err != nil {
		return err
	}
	return s.edit(w, r, planner.Edit{Op: planner.OpChange, Facility: f}, http.StatusOK)
}

func (s *Server) closeFacility(w http.ResponseWriter, r *http.Request) error {
	return s.edit(w, r, planner.Edit{Op: planner.OpClose, Facility: planner.Facility{ID: chi.URLParam(r, "fid")}}, http.StatusOK)
}

// edit makes one edit to a scenario: checked, evaluated incrementally,
// saved durably, and only then acknowledged.
func (s *Server) edit(w http.ResponseWriter, r *http.Request, ed planner.Edit, status int) error {
	id := chi.URLParam(r, "id")
	if id == BaselineID {
		return forbidden("the baseline is today's city and cannot be edited; create a scenario (POST /api/v1/scenarios) and edit that")
	}
	if ed.Op != planner.OpClose {
		if err := ed.Facility.Validate(); err != nil {
			return unprocessable("", "facility: %v", err)
		}
		if err := s.checkPlace(ed.Facility.Location); err != nil {
			return err
		}
	}
	return s.withScenario(r, id, func(st *scenarioState, expect int64) error {
		if _, open := st.sc.Facility(s.bundle.City.Facilities, ed.Facility.ID); ed.Op != planner.OpAdd && !open {
			return notFound("scenario %s has no facility %q", id, ed.Facility.ID)
		}
		version, delta, err := s.applyEdits(r.Context(), st, expect, []planner.Edit{ed})
		if err != nil {
			return err
		}
		resp := map[string]any{"version": version, "delta": delta}
		if ed.Op != planner.OpClose {
			resp["facility"] = ed.Facility
		}
		w.Header().Set("ETag", etag(version))
		writeJSON(w, status, resp)
		return nil
	})
}

// withScenario runs fn with scenario id locked and the version an edit is
// made on (see expectedVersion).
func (s *Server) withScenario(r *http.Request, id string, fn func(st *scenarioState, expect int64) error) error {
	st, err := s.state(r.Context(), id)
	if err != nil {
		return err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	expect, err := expectedVersion(r, st.sc)
	if err != nil {
		return err
	}
	return fn(st, expect)
}

// applyEdits makes edits to a locked scenario as one change, one version
// up: evaluated incrementally, saved durably, the tiles they touch
// invalidated. It returns the new version and the delta against the
// scenario before. If anything fails the cached evaluation is dropped, so
// the stored scenario stays the truth.
func (s *Server) applyEdits(ctx context.Context, st *scenarioState, expect int64, edits []planner.Edit) (int64, map[string]any, error) {
	base := s.bundle.City.Facilities
	next := st.sc
	areas := make([]orb.Bound, len(edits))
	stored := make([]planner.Edit, len(edits)) // as the store keeps them: a close with the facility closed
	for i, ed := range edits {
		old, wasOpen := next.Facility(base, ed.Facility.ID)
		areas[i] = s.affected(old, wasOpen, ed)
		stored[i] = ed
		if ed.Op == planner.OpClose && wasOpen {
			stored[i].Facility = old
		}
		var err error
		if next, err = next.With(base, ed); err != nil {
			return 0, nil, unprocessable("id", "%v", err)
		}
	}
	next.Version = st.sc.Version + 1
	e, before, err := s.evaluation(st)
	if err != nil {
		return 0, nil, err
	}
	for _, ed := range edits {
		if err := planner.ApplyEdit(e, ed); err != nil {
			st.eval, st.sum = nil, nil // perhaps part applied: rebuild from the stored scenario
			var far *geo.TooFarError
			if errors.As(err, &far) {
				return 0, nil, unprocessable("lon", "the site is %.0f m from the nearest walkway, more than %.0f m: place it on or near a street", far.Distance, far.Limit)
			}
			return 0, nil, unprocessable("", "%v", err)
		}
	}
	if err := s.store.Save(ctx, next, expect, stored...); err != nil {
		st.eval, st.sum = nil, nil
		return 0, nil, storeError(err)
	}
	after := e.Summary()
	st.sc, st.sum = next, after

	delta := s.delta(before, after)
	area := areas[0]
	for _, a := range areas {
		area = area.Union(a)
		s.tiles.Invalidate(st.sc.ID, a)
	}
	delta["bbox"] = [4]float64{area.Min[0], area.Min[1], area.Max[0], area.Max[1]}
	return next.Version, delta, nil
}

// affected is the area an edit can change: within the longest walk of the
// facility's old and new places.
func (s *Server) affected(old planner.Facility, wasOpen bool, ed planner.Edit) orb.Bound {
	reach := s.model.Budget * s.model.Profile.Walking.SpeedMPS.Value
	var b orb.Bound
	first := true
	for _, p := range []struct {
		ok bool
		at orb.Point
	}{{wasOpen, old.Location}, {ed.Op != planner.OpClose, ed.Facility.Location}} {
		if !p.ok {
			continue
		}
		if first {
			b, first = orb.Bound{Min: p.at, Max: p.at}, false
		} else {
			b = b.Extend(p.at)
		}
	}
	dLat := reach / (geo.EarthRadius * math.Pi / 180)
	dLon := dLat / math.Cos(b.Center()[1]*math.Pi/180)
	return orb.Bound{Min: orb.Point{b.Min[0] - dLon, b.Min[1] - dLat}, Max: orb.Point{b.Max[0] + dLon, b.Max[1] + dLat}}
}

func (s *Server) getFacility(w http.ResponseWriter, r *http.Request) error {
	return s.withEvaluation(r.Context(), chi.URLParam(r, "id"), func(st *scenarioState, e *planner.Evaluation, _ *planner.Summary) error {
		return s.writeFacility(w, r, st, e)
	})
}

func (s *Server) writeFacility(w http.ResponseWriter, r *http.Request, st *scenarioState, e *planner.Evaluation) error {
	i := e.Index(chi.URLParam(r, "fid"))
	if i < 0 {
		return notFound("scenario %s has no facility %q", st.sc.ID, chi.URLParam(r, "fid"))
	}
	res := e.FacilityResult(i)
	// A rural point's area is its rural circle, walked at elders' speed.
	minutes := s.model.FacilityCircleSeconds(&e.Facilities[i]) / 60
	area, _, err := s.model.ServiceArea(e.Facilities[i].Location, minutes*60, geo.DefaultServiceAreaRes)
	if err != nil {
		return err
	}
	feat := geojson.NewFeature(area.Area)
	feat.Properties = geojson.Properties{"id": res.ID, "minutes": minutes, "reachable_nodes": area.ReachableNodes, "walkway_m": math.Round(area.WalkwayM)}
	writeJSON(w, http.StatusOK, map[string]any{"facility": res, "service_area": feat})
	return nil
}

// newFacilityID makes an id for a proposed facility: short, random and
// unlike any bureau's numbering.
func newFacilityID() string {
	var b [5]byte
	rand.Read(b[:])
	return "P-" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}
