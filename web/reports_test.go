package web

import (
	"bytes"
	"encoding/csv"
	"mime"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/carecircle/carecircle/web/report"
	"github.com/paulmach/orb/geojson"
	"github.com/xuri/excelize/v2"
)

// downloadName returns the UTF-8 file name of a Content-Disposition.
func downloadName(t *testing.T, r reply, kind string) string {
	t.Helper()
	cd := r.header.Get("Content-Disposition")
	got, params, err := mime.ParseMediaType(cd)
	if err != nil || got != kind {
		t.Fatalf("Content-Disposition %q: %v", cd, err)
	}
	// Old clients read the plain ASCII name.
	if m := regexp.MustCompile(`filename="(gap-report-[A-Za-z0-9._-]+)"`).FindStringSubmatch(cd); m == nil {
		t.Fatalf("no ASCII file name in %q", cd)
	}
	_, enc, ok := strings.Cut(cd, "filename*=UTF-8''")
	if !ok {
		t.Fatalf("no RFC 5987 filename* in %q", cd)
	}
	name, err := url.PathUnescape(enc)
	if err != nil {
		t.Fatal(err)
	}
	// Go's own parser (as browsers) prefers the UTF-8 name.
	if params["filename"] != name {
		t.Fatalf("mime.ParseMediaType reads %q, want %q", params["filename"], name)
	}
	return name
}

func TestReportDownloads(t *testing.T) {
	ts, _ := testServer(t, "")
	city := tinyBundle.City.Name
	for _, tc := range []struct {
		format, ctype string
	}{
		{"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
		{"html", "text/html; charset=utf-8"},
		{"csv", "text/csv; charset=utf-8"},
		{"geojson", "application/geo+json"},
		{"json", "application/json; charset=utf-8"},
	} {
		r := call(t, ts, "GET", "/api/v1/reports/gap."+tc.format, nil)
		if r.status != 200 {
			t.Fatalf("gap.%s: %d %s", tc.format, r.status, r.raw)
		}
		if got := r.header.Get("Content-Type"); got != tc.ctype {
			t.Fatalf("gap.%s Content-Type %q, want %q", tc.format, got, tc.ctype)
		}
		name := downloadName(t, r, "attachment")
		if !strings.HasPrefix(name, "缺口报告-"+sanitized(city)+"-现状-") || !strings.HasSuffix(name, "."+tc.format) {
			t.Fatalf("gap.%s is named %q", tc.format, name)
		}
		switch tc.format {
		case "xlsx":
			f, err := excelize.OpenReader(bytes.NewReader(r.raw))
			if err != nil {
				t.Fatalf("gap.xlsx does not open: %v", err)
			}
			if got := f.GetSheetList(); !slices.Equal(got, []string{"汇总", "街道", "社区", "设施", "缺口"}) {
				t.Fatalf("gap.xlsx sheets %q", got)
			}
			f.Close()
		case "csv":
			if !bytes.HasPrefix(r.raw, []byte("\ufeff")) {
				t.Fatal("gap.csv has no byte-order mark")
			}
			if _, err := csv.NewReader(bytes.NewReader(r.raw[3:])).ReadAll(); err != nil {
				t.Fatalf("gap.csv: %v", err)
			}
		case "geojson":
			if _, err := geojson.UnmarshalFeatureCollection(r.raw); err != nil {
				t.Fatalf("gap.geojson: %v", err)
			}
		case "html":
			html := string(r.raw)
			if !strings.Contains(html, "养老服务设施缺口评估报告") || strings.Contains(html, "<script") || strings.Contains(html, "https://") {
				t.Fatal("gap.html is not the self-contained report")
			}
			if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
				t.Fatalf("gap.html CSP %q", csp)
			}
		}
	}
	// Shown in the browser, in English, for one region, as a gaps table.
	var street string
	for _, r := range tinyBundle.City.Regions {
		if r.Level == "street" {
			street = r.Code
			break
		}
	}
	r := call(t, ts, "GET", "/api/v1/reports/gap.html?inline=1&lang=en&region="+street, nil)
	if r.status != 200 || !strings.Contains(string(r.raw), "Elder-care coverage-gap report") {
		t.Fatalf("English street report: %d", r.status)
	}
	if name := downloadName(t, r, "inline"); !strings.HasPrefix(name, "gap-report-") {
		t.Fatalf("English report named %q", name)
	}
	r = call(t, ts, "GET", "/api/v1/reports/gap.csv?table=gaps", nil)
	if r.status != 200 || !bytes.Contains(r.raw, []byte("rank,region,region_name")) {
		t.Fatalf("gaps CSV: %d %.80s", r.status, r.raw)
	}
}

// sanitized is the city's name as a file name has it.
func sanitized(s string) string {
	return strings.NewReplacer(" ", "_", "/", "_", ":", "_").Replace(s)
}

func TestReportOfAScenario(t *testing.T) {
	ts, _ := testServer(t, "")
	created := call(t, ts, "POST", "/api/v1/scenarios", map[string]any{"name": "新建站点方案"})
	if created.status != 201 {
		t.Fatalf("create: %d %s", created.status, created.raw)
	}
	id := created.body["id"].(string)
	lon, lat := uncoveredSpot(t, ts)
	if r := call(t, ts, "POST", "/api/v1/scenarios/"+id+"/facilities",
		map[string]any{"name": "拟建站", "type": "community_station", "lon": lon, "lat": lat, "floor_area_m2": 300, "beds": 12}); r.status != 201 {
		t.Fatalf("add: %d %s", r.status, r.raw)
	}
	r := call(t, ts, "GET", "/api/v1/reports/gap.xlsx?scenario="+id, nil)
	if r.status != 200 {
		t.Fatalf("scenario report: %d %s", r.status, r.raw)
	}
	if name := downloadName(t, r, "attachment"); !strings.Contains(name, "-新建站点方案-") {
		t.Fatalf("scenario report named %q", name)
	}
	f, err := excelize.OpenReader(bytes.NewReader(r.raw))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("方案")
	if err != nil || len(rows) != 2 || rows[1][1] != "拟建站" || rows[1][2] != "新增" {
		t.Fatalf("方案 sheet %q (%v)", rows, err)
	}
	// The HTML has the scenario's section.
	if r := call(t, ts, "GET", "/api/v1/reports/gap.html?scenario="+id, nil); r.status != 200 || !strings.Contains(string(r.raw), "方案及效果") {
		t.Fatalf("scenario html: %d", r.status)
	}
}

func TestReportErrors(t *testing.T) {
	ts, _ := testServer(t, "")
	for _, tc := range []struct {
		path   string
		status int
		code   string
	}{
		{"/api/v1/reports/gap.docx", 404, "not_found"},
		{"/api/v1/reports/gap.xlsx?scenario=s-nope", 404, "not_found"},
		{"/api/v1/reports/gap.xlsx?region=999", 400, "bad_request"},
		{"/api/v1/reports/gap.xlsx?lang=fr", 400, "bad_request"},
		{"/api/v1/reports/gap.csv?table=beds", 400, "bad_request"},
		{"/api/v1/reports/gap.html?inline=maybe", 400, "bad_request"},
	} {
		r := call(t, ts, "GET", tc.path, nil)
		if code := errorCode(t, r, tc.status); code != tc.code {
			t.Fatalf("%s: code %q, want %q", tc.path, code, tc.code)
		}
	}
	r := call(t, ts, "GET", "/api/v1/reports/gap.xlsx?region=999", nil)
	if e := r.body["error"].(map[string]any); !strings.Contains(e["message"].(string), `"999"`) || e["details"].(map[string]any)["field"] != "region" {
		t.Fatalf("unknown region: %s", r.raw)
	}
}

func TestReportPDF(t *testing.T) {
	ts, _ := testServer(t, "")
	// Without Chromium: 501, saying how to install it.
	t.Run("no chromium", func(t *testing.T) {
		t.Setenv("CHROMIUM", filepath.Join(t.TempDir(), "none"))
		r := call(t, ts, "GET", "/api/v1/reports/gap.pdf", nil)
		if code := errorCode(t, r, 501); code != "pdf_unavailable" || !strings.Contains(string(r.raw), "apt-get install chromium") {
			t.Fatalf("pdf without chromium: %s", r.raw)
		}
	})
	t.Run("chromium", func(t *testing.T) {
		if testing.Short() {
			t.Skip("PDF skipped in -short mode")
		}
		if _, err := report.FindChromium(); err != nil {
			t.Skipf("PDF skipped: %v", err)
		}
		r := call(t, ts, "GET", "/api/v1/reports/gap.pdf", nil)
		if r.status != 200 || r.header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(r.raw, []byte("%PDF-")) {
			t.Fatalf("gap.pdf: %d %q %.20q", r.status, r.header.Get("Content-Type"), r.raw)
		}
		if name := downloadName(t, r, "attachment"); !strings.HasSuffix(name, ".pdf") {
			t.Fatalf("pdf named %q", name)
		}
	})
}
