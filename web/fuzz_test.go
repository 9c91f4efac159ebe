package web

import (
	"bytes"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/carecircle/carecircle/planner"
	"github.com/carecircle/carecircle/planner/siting"
)

// Fuzz targets for the request bodies the API decodes. Each asserts the
// server never panics and answers a body either with a valid value or a
// 4xx error; their seed corpora are in testdata/fuzz/. Run one with
// `go test ./web -run '^$' -fuzz FuzzFacilityBody -fuzztime 30s`.

// decodeAs decodes body as the API does (size cap included) into v.
func decodeAs(body []byte, v any) error {
	rec := httptest.NewRecorder()
	r := httptest.NewRequest("POST", "/api/v1/x", bytes.NewReader(body))
	r.Body = http.MaxBytesReader(rec, r.Body, maxBody)
	return decodeBody(r, v)
}

// want4xx fails unless err is an API error with a 4xx status.
func want4xx(t *testing.T, body []byte, err error) {
	t.Helper()
	var ae *apiError
	if !errors.As(err, &ae) || ae.Status < 400 || ae.Status > 499 || ae.Message == "" {
		t.Fatalf("body %q: error %v (%T) is not a 4xx API error", body, err, err)
	}
}

// FuzzFacilityBody decodes a facility as POST and PATCH
// /scenarios/{id}/facilities take it and applies it to a facility.
func FuzzFacilityBody(f *testing.F) {
	f.Add([]byte(`{"type":"community_station","lon":106.55,"lat":29.56,"floor_area_m2":350,"beds":10}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var in facilityInput
		if err := decodeAs(body, &in); err != nil {
			want4xx(t, body, err)
			return
		}
		fac := planner.Facility{Status: planner.Proposed, Type: planner.CommunityStation}
		if err := in.apply(&fac); err != nil {
			want4xx(t, body, err)
			return
		}
		for _, x := range []float64{fac.FloorArea, fac.LandArea, fac.Beds, fac.NursingBeds} {
			if !(x >= 0) || math.IsInf(x, 0) {
				t.Fatalf("body %q: applied a number %v", body, x)
			}
		}
		if _, err := planner.ParseFacilityType(string(fac.Type)); err != nil {
			t.Fatalf("body %q: applied type %q: %v", body, fac.Type, err)
		}
	})
}

// FuzzScenarioBody creates a scenario from the body, then renames it
// with the body, through the real handlers and store: each answers a
// scenario or a 4xx, and a stored name is valid UTF-8 of at most 200
// characters.
func FuzzScenarioBody(f *testing.F) {
	f.Add([]byte(`{"name":"新建养老站点方案"}`))
	srv, _, _ := testServerOf(f, "")
	h := srv.Handler()
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, c := range []struct{ method, path string }{{"POST", "/api/v1/scenarios"}, {"PATCH", "/api/v1/scenarios/" + fuzzScenario(t, h)}} {
			rec := httptest.NewRecorder()
			r := httptest.NewRequest(c.method, "http://127.0.0.1"+c.path, bytes.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			h.ServeHTTP(rec, r)
			if rec.Code >= 500 {
				t.Fatalf("%s %s %q: %d %s", c.method, c.path, body, rec.Code, rec.Body)
			}
			if rec.Code >= 300 {
				continue
			}
			var got struct{ Name string }
			if err := decodeAs(rec.Body.Bytes(), &got); err != nil && !strings.Contains(err.Error(), "unknown field") {
				t.Fatalf("answer %s: %v", rec.Body, err)
			}
			if n := utf8.RuneCountInString(got.Name); !utf8.ValidString(got.Name) || n == 0 && got.Name != "" || n > 200 {
				t.Fatalf("%s %q stored name %q", c.method, body, got.Name)
			}
		}
	})
}

// fuzzScenario makes a scenario to rename.
func fuzzScenario(t *testing.T, h http.Handler) string {
	rec := httptest.NewRecorder()
	r := httptest.NewRequest("POST", "http://127.0.0.1/api/v1/scenarios", strings.NewReader(`{"name":"改名前"}`))
	r.Header.Set("Content-Type", "application/json")
	h.ServeHTTP(rec, r)
	if rec.Code != 201 {
		t.Fatalf("creating a scenario: %d %s", rec.Code, rec.Body)
	}
	var sc struct{ ID string }
	if err := decodeAs(rec.Body.Bytes(), &sc); err != nil && sc.ID == "" {
		t.Fatalf("created %s: %v", rec.Body, err)
	}
	return sc.ID
}

// FuzzOptimizeBody decodes and checks an optimiser request as POST
// /scenarios/{id}/optimize does.
func FuzzOptimizeBody(f *testing.F) {
	f.Add([]byte(`{"sites":2,"type":"community_station"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var req siting.OptimizeRequest
		if err := decodeAs(body, &req); err != nil {
			want4xx(t, body, err)
			return
		}
		if err := req.Validate(); err != nil {
			var re *siting.RequestError
			if !errors.As(err, &re) {
				t.Fatalf("body %q: Validate's error %v (%T) is not a request error (422)", body, err, err)
			}
			return
		}
		if req.Problem == "" || req.Sites < 0 || math.IsNaN(req.Target) || math.IsInf(req.Budget, 0) {
			t.Fatalf("body %q: valid request %+v", body, req)
		}
	})
}
