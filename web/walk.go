package web

import (
	"errors"
	"math"
	"net/http"
	"strconv"

	"github.com/carecircle/carecircle/geo"
	"github.com/carecircle/carecircle/planner"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// maxIsochroneMinutes bounds a service-area request: a walk of an hour
// already covers a district.
const maxIsochroneMinutes = 60

func (s *Server) isochrone(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Lon     *float64 `json:"lon"`
		Lat     *float64 `json:"lat"`
		Minutes *float64 `json:"minutes"`
	}
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	if in.Lon == nil || in.Lat == nil {
		return badRequest("lon", "lon and lat: required")
	}
	minutes := s.model.Profile.ServiceCircle.UrbanMinutes.Value
	if in.Minutes != nil {
		minutes = *in.Minutes
	}
	if !(minutes > 0 && minutes <= maxIsochroneMinutes) {
		return unprocessable("minutes", "minutes: want a time in (0, %d], got %v", maxIsochroneMinutes, minutes)
	}
	p := orb.Point{*in.Lon, *in.Lat}
	if err := s.checkPlace(p); err != nil {
		return err
	}
	area, snap, err := s.model.ServiceArea(p, minutes*60, geo.DefaultServiceAreaRes)
	if err != nil {
		return offNetwork(err)
	}
	f := geojson.NewFeature(area.Area)
	f.Properties = geojson.Properties{
		"minutes":         minutes,
		"speed_mps":       s.model.Profile.Walking.SpeedMPS.Value,
		"steps_factor":    s.model.Profile.Walking.StepsFactor.Value,
		"reachable_nodes": area.ReachableNodes,
		"walkway_m":       math.Round(area.WalkwayM),
		"snap_m":          math.Round(snap.Access),
	}
	writeJSON(w, http.StatusOK, f)
	return nil
}

// offNetwork explains a point too far from any walkway.
func offNetwork(err error) error {
	var far *geo.TooFarError
	if errors.As(err, &far) {
		return unprocessable("lon", "the point is %.0f m from the nearest walkway, more than %.0f m", far.Distance, far.Limit)
	}
	return err
}

func (s *Server) nearest(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	num := func(name string, def float64) (float64, error) {
		v := q.Get(name)
		if v == "" {
			if math.IsNaN(def) {
				return 0, badRequest(name, "%s: required", name)
			}
			return def, nil
		}
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return 0, badRequest(name, "%s %q: want a number", name, v)
		}
		return x, nil
	}
	lon, err := num("lon", math.NaN())
	if err != nil {
		return err
	}
	lat, err := num("lat", math.NaN())
	if err != nil {
		return err
	}
	limit, err := num("limit", 5)
	if err != nil {
		return err
	}
	if limit < 1 || limit > 100 || limit != math.Trunc(limit) {
		return badRequest("limit", "limit: want a whole number from 1 to 100")
	}
	var t planner.FacilityType
	if v := q.Get("type"); v != "" {
		if t, err = planner.ParseFacilityType(v); err != nil {
			return unprocessable("type", "type: %v", err)
		}
	}
	p := orb.Point{lon, lat}
	if err := s.checkPlace(p); err != nil {
		return err
	}
	id := q.Get("scenario")
	if id == "" {
		id = BaselineID
	}
	return s.withEvaluation(r.Context(), id, func(_ *scenarioState, e *planner.Evaluation, _ *planner.Summary) error {
		res, err := e.Nearest(p, t, int(limit), maxIsochroneMinutes*60)
		if err != nil {
			return offNetwork(err)
		}
		if res == nil {
			res = []planner.NearestFacility{}
		}
		writeJSON(w, http.StatusOK, map[string]any{"results": res})
		return nil
	})
}
