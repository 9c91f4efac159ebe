package web

import (
	"regexp"
	"strings"
	"testing"
)

// API answers cite documents, never CareCircle's notes: the demo's gaps
// (chongqing profile) cite 渝民函〔2020〕245号 for the 0.2 m² land norm.
func TestAssessmentCitesDocuments(t *testing.T) {
	ts, _ := testServer(t, "")
	r := call(t, ts, "GET", "/api/v1/scenarios/baseline/assessment", nil)
	if r.status != 200 {
		t.Fatalf("assessment: %d %s", r.status, r.raw)
	}
	body := string(r.raw)
	if m := regexp.MustCompile(`(?i)seed 0|para[p]hrase|standards[.]md`).FindString(body); m != "" {
		t.Errorf("the assessment says %q", m)
	}
	if !strings.Contains(body, "渝民函〔2020〕245号") {
		t.Error("the assessment does not cite 渝民函〔2020〕245号")
	}
}
