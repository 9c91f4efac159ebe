package report

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/carecircle/carecircle/data"
	"github.com/carecircle/carecircle/planner"
)

var (
	districtOnce   sync.Once
	districtBundle *data.Bundle
	districtModel  *planner.Model
	districtErr    error
)

// district is the district demo judged by its profile.
func district(t testing.TB) (*data.Bundle, *planner.Model) {
	t.Helper()
	districtOnce.Do(func() {
		ctx := context.Background()
		if districtBundle, districtErr = data.DemoBundle(ctx, "district", 1); districtErr == nil {
			districtModel, districtErr = planner.NewModel(ctx, districtBundle.City, districtBundle.Profile, districtBundle.Index)
		}
	})
	if districtErr != nil {
		t.Fatal(districtErr)
	}
	return districtBundle, districtModel
}

var reportDate = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

// baselineInput is the report input of the district demo today.
func baselineInput(t testing.TB) Input {
	b, m := district(t)
	e := m.Baseline().Clone()
	a, err := e.Assess(context.Background(), "baseline")
	if err != nil {
		t.Fatal(err)
	}
	return Input{Assessment: a, Eval: e, Options: data.ReportOptions{Regions: b.City.Regions, Date: reportDate, Source: "demo district seed 1"}}
}

// scenarioInput adds two proposed stations where elders are uncovered.
func scenarioInput(t testing.TB) Input {
	b, m := district(t)
	base := m.Baseline()
	var added []planner.Facility
	used := map[int32]bool{}
	for n := 0; n < 2; n++ {
		best, at := 0.0, int32(-1)
		for k := 0; k < m.Demand.Len(); k++ {
			if d := m.DemandPoint(int32(k)); !used[d.Community] && base.ServedSeconds(int32(k)) > 900 && d.Elders60 > best {
				best, at = d.Elders60, int32(k)
			}
		}
		if at < 0 {
			t.Fatal("the district demo has no uncovered elders")
		}
		d := m.DemandPoint(at)
		used[d.Community] = true
		added = append(added, planner.Facility{ID: "P-" + string(rune('1'+n)), Name: []string{"拟建平溪社区养老服务站", "拟建凤田社区养老服务站"}[n],
			Type: planner.CommunityStation, Status: planner.Proposed, Location: d.Location, FloorArea: 300, Beds: 10})
	}
	sc := &planner.Scenario{ID: "s-demo1", Name: "补短板方案", Version: 4, Added: added}
	e, err := sc.Apply(base)
	if err != nil {
		t.Fatal(err)
	}
	a, err := e.Assess(context.Background(), sc.ID)
	if err != nil {
		t.Fatal(err)
	}
	fx, err := planner.ProposalEffects(base, sc)
	if err != nil {
		t.Fatal(err)
	}
	return Input{Assessment: a, Eval: e, Options: data.ReportOptions{Regions: b.City.Regions, Date: reportDate, Source: "demo district seed 1",
		Scenario: sc, Proposals: fx, Before: base.Clone().Summary()}}
}

func renderString(t *testing.T, in Input) string {
	t.Helper()
	var buf bytes.Buffer
	if err := HTML(&buf, in); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// osmAttribution is the one place a report may name a web address: as
// text, never a link.
const osmAttribution = "openstreetmap.org/copyright"

// checkSelfContained fails when the HTML could load anything: a src,
// href or url() to anything but a fragment or data:, a script, a link
// element, an @import, or a web address other than the OSM attribution
// text.
func checkSelfContained(t *testing.T, html string) {
	t.Helper()
	for _, re := range []*regexp.Regexp{
		regexp.MustCompile(`(?i)\b(src|href|xlink:href|action|poster|srcset)\s*=\s*["']?([^"'\s>]*)`),
		regexp.MustCompile(`(?i)url\(\s*["']?([^"')]*)`),
	} {
		for _, m := range re.FindAllStringSubmatch(html, -1) {
			target := m[len(m)-1]
			if !strings.HasPrefix(target, "#") && !strings.HasPrefix(target, "data:") {
				t.Fatalf("the report refers to %q (%s): it must load nothing", target, m[0])
			}
		}
	}
	for _, bad := range []string{"<script", "<link", "@import", "<iframe", "<img", "@font-face"} {
		if strings.Contains(strings.ToLower(html), bad) {
			t.Fatalf("the report contains %s", bad)
		}
	}
	for _, m := range regexp.MustCompile(`(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}[^\s"'<]*|www\.[a-z0-9.-]+`).FindAllString(html, -1) {
		if !strings.Contains(m, "openstreetmap.org") {
			t.Fatalf("the report names the address %q", m)
		}
		if strings.HasPrefix(strings.ToLower(m), "http") {
			t.Fatalf("the attribution is a link (%q); it must be text", m)
		}
	}
	if !strings.Contains(html, "OpenStreetMap") || !strings.Contains(html, osmAttribution) {
		t.Fatal("the report lacks the OpenStreetMap attribution")
	}
}

func TestHTMLReportIsSelfContainedAndComplete(t *testing.T) {
	in := baselineInput(t)
	html := renderString(t, in)
	checkSelfContained(t, html)
	a := in.Assessment
	for _, want := range []string{
		"养老服务设施缺口评估报告", a.City.Name, "重庆市标准", "2026-11-23", "现状",
		`<svg class="map"`, `<svg class="chart"`, `class="uncovered"`, `class="facilities"`,
		"15分钟养老服务圈覆盖情况", "未覆盖老人分布", "街道情况", "社区情况", "设施情况", "缺口清单", "评估标准条款及来源",
		a.Gaps[0].Message.ZH, a.Gaps[0].Source, a.Profile.Figures[0].Clause, "@page", "size: A4",
		`"Noto Sans CJK SC", "WenQuanYi Zen Hei", "Microsoft YaHei", sans-serif`,
	} {
		if !strings.Contains(html, want) && !strings.Contains(html, htmlText(want)) {
			t.Errorf("the report lacks %q", want)
		}
	}
	if n := strings.Count(html, `<svg class="map"`); n != 2 {
		t.Errorf("%d maps, want 2", n)
	}
	if n := strings.Count(html, `<svg class="chart"`); n != 2 {
		t.Errorf("%d charts, want 2", n)
	}
	// Every facility is on the coverage map.
	if n := strings.Count(html, "<title>"+htmlText(a.Facilities[0].Name)+"</title>"); n < 1 {
		t.Errorf("facility %s is not on the maps", a.Facilities[0].Name)
	}
	if strings.Contains(html, "方案及效果") {
		t.Error("a baseline report has a scenario section")
	}
}

// htmlText escapes s as html/template writes text.
func htmlText(s string) string {
	return strings.NewReplacer(`"`, "&#34;", "'", "&#39;", "&", "&amp;", "<", "&lt;", ">", "&gt;", "+", "&#43;").Replace(s)
}

func TestHTMLReportOfAScenarioInEnglishAndScoped(t *testing.T) {
	in := scenarioInput(t)
	html := renderString(t, in)
	checkSelfContained(t, html)
	for _, want := range []string{"方案及效果", "补短板方案", "拟建平溪社区养老服务站", "方案实施前后对比", "新增覆盖老人"} {
		if !strings.Contains(html, want) {
			t.Errorf("the scenario report lacks %q", want)
		}
	}
	fx := in.Options.Proposals
	if len(fx) != 2 || fx[0].EldersCovered <= 0 {
		t.Fatalf("proposal effects %+v", fx)
	}
	if !strings.Contains(html, htmlText("+"+group(fx[0].EldersCovered, 0))) {
		t.Errorf("the report does not show what %s adds (+%s)", fx[0].Facility.Name, group(fx[0].EldersCovered, 0))
	}

	in.Options.Lang = "en"
	html = renderString(t, in)
	for _, want := range []string{"Elder-care coverage-gap report", "The scenario and its effect", "Gap list", "Where uncovered elders live", "© OpenStreetMap contributors"} {
		if !strings.Contains(html, htmlText(want)) {
			t.Errorf("the English report lacks %q", want)
		}
	}
	if strings.Contains(html, "缺口清单") {
		t.Error("the English report has Chinese section titles")
	}

	// One street: its communities only; a community: a map still drawn.
	var street, community planner.RegionResult
	for _, r := range in.Assessment.Regions {
		if r.Level == planner.LevelStreet && street.Code == "" {
			street = r
		}
		if r.Level == planner.LevelCommunity && community.Code == "" {
			community = r
		}
	}
	in = baselineInput(t)
	in.Options.Region = street.Code
	html = renderString(t, in)
	if !strings.Contains(html, htmlText(street.Name)) || strings.Contains(html, "街道情况") && !strings.Contains(html, street.Name) {
		t.Fatalf("the street report does not name %s", street.Name)
	}
	for _, r := range in.Assessment.Regions {
		if r.Level == planner.LevelStreet && r.Code != street.Code && strings.Contains(html, ">"+r.Name+"<") {
			t.Fatalf("the report of %s lists street %s", street.Name, r.Name)
		}
	}
	in.Options.Region = community.Code
	if html = renderString(t, in); !strings.Contains(html, `<svg class="map"`) {
		t.Fatal("a community's report has no map")
	}
	in.Options.Region = "500199999999"
	if err := HTML(&bytes.Buffer{}, in); err == nil || !strings.Contains(err.Error(), "500199999999") {
		t.Fatalf("unknown region: %v", err)
	}
}

func TestWriteDispatchesEveryFormat(t *testing.T) {
	in := baselineInput(t)
	for _, f := range Formats() {
		if f == "pdf" {
			continue
		}
		var buf bytes.Buffer
		if err := Write(context.Background(), &buf, f, in); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if buf.Len() == 0 {
			t.Fatalf("%s: empty", f)
		}
		if ContentType(f) == "application/octet-stream" {
			t.Fatalf("%s has no media type", f)
		}
	}
	if err := Write(context.Background(), &bytes.Buffer{}, "docx", in); err == nil || !strings.Contains(err.Error(), "docx") {
		t.Fatalf("docx: %v", err)
	}
	if got := FileName(&in, "xlsx"); !strings.HasPrefix(got, "缺口报告-") || !strings.HasSuffix(got, "-现状-2026-11-23.xlsx") || strings.ContainsAny(got, `/\:*?"<>| `) {
		t.Fatalf("file name %q", got)
	}
	sc := scenarioInput(t)
	sc.Options.Lang = "en"
	if got := FileName(&sc, "pdf"); !strings.HasPrefix(got, "gap-report-") || !strings.Contains(got, "补短板方案") {
		t.Fatalf("file name %q", got)
	}
}

func TestPDFWithoutChromiumSaysHowToInstallIt(t *testing.T) {
	t.Setenv("CHROMIUM", filepath.Join(t.TempDir(), "no-such-chromium"))
	_, err := FindChromium()
	if !errors.Is(err, ErrNoChromium) || !strings.Contains(err.Error(), "apt-get install chromium") || !strings.Contains(err.Error(), "--format html") {
		t.Fatalf("FindChromium: %v", err)
	}
	err = PDF(context.Background(), &bytes.Buffer{}, baselineInput(t))
	if !errors.Is(err, ErrNoChromium) {
		t.Fatalf("PDF without Chromium: %v", err)
	}
}

// chromium returns the browser for the browser tests, or skips.
func chromium(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	p, err := FindChromium()
	if err != nil {
		t.Skipf("browser test skipped: %v", err)
	}
	return p
}

// artefacts is where the browser tests leave their screenshots and PDFs
// (gitignored).
func artefacts(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("testdata", "artefacts"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// rendered is what testdata/render.mjs reports.
type rendered struct {
	Requests      []string `json:"requests"`
	ConsoleErrors []string `json:"consoleErrors"`
	Info          struct {
		H1              string   `json:"h1"`
		Maps            int      `json:"maps"`
		Charts          int      `json:"charts"`
		RegionPaths     int      `json:"regionPaths"`
		FacilitySymbols int      `json:"facilitySymbols"`
		UncoveredCells  int      `json:"uncoveredCells"`
		Bars            int      `json:"bars"`
		MapSizes        [][2]int `json:"mapSizes"`
	} `json:"info"`
	Fonts map[string][]struct {
		Family string `json:"family"`
		Glyphs int    `json:"glyphs"`
	} `json:"fonts"`
}

// TestHTMLRendersInChromium opens the district's report in headless
// Chromium (driven by playwright-core from web/e2e/node_modules): the page
// requests nothing but its own file, both maps and both charts are drawn
// at a readable size, and a CJK font draws the Chinese. The full-page
// screenshot is left in testdata/artefacts. Without node or playwright-core
// it still takes a screenshot with Chromium alone and checks the HTML for
// anything it could load.
func TestHTMLRendersInChromium(t *testing.T) {
	browser := chromium(t)
	out := artefacts(t)
	for _, tc := range []struct {
		name string
		in   Input
	}{{"report-district", baselineInput(t)}, {"report-district-scenario", scenarioInput(t)}} {
		html := filepath.Join(out, tc.name+".html")
		var buf bytes.Buffer
		if err := HTML(&buf, tc.in); err != nil {
			t.Fatal(err)
		}
		checkSelfContained(t, buf.String())
		if err := os.WriteFile(html, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		shot := filepath.Join(out, tc.name+".png")
		os.Remove(shot)
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		node, nodeErr := exec.LookPath("node")
		pw, _ := filepath.Abs(filepath.Join("..", "e2e", "node_modules", "playwright-core"))
		_, pwErr := os.Stat(filepath.Join(pw, "index.mjs"))
		if nodeErr != nil || pwErr != nil {
			t.Logf("node or %s missing: screenshot with chromium alone, no request log", pw)
			cmd := exec.CommandContext(ctx, browser, append(append(append([]string(nil), ChromiumFlags...), SandboxFlags()...),
				"--user-data-dir="+t.TempDir(), "--window-size=900,6000", "--screenshot="+shot, "file://"+html)...)
			if b, err := cmd.CombinedOutput(); err != nil {
				cancel()
				t.Fatalf("chromium screenshot: %v\n%s", err, tail(b, 2000))
			}
			cancel()
			checkScreenshot(t, shot)
			continue
		}
		cmd := exec.CommandContext(ctx, node, filepath.Join("testdata", "render.mjs"), pw, browser, html, shot)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		raw, err := cmd.Output()
		cancel()
		if err != nil {
			t.Fatalf("node render.mjs: %v\n%s", err, tail(stderr.Bytes(), 3000))
		}
		var r rendered
		if err := json.Unmarshal(raw, &r); err != nil {
			t.Fatalf("render.mjs printed %q: %v", raw, err)
		}
		// Its own file only (Chromium may load it twice, e.g. on a slow
		// start); nothing else.
		own := func(u string) bool {
			return strings.HasPrefix(u, "file://") && strings.HasSuffix(u, "/"+tc.name+".html")
		}
		if len(r.Requests) == 0 || !slices.ContainsFunc(r.Requests, own) || slices.ContainsFunc(r.Requests, func(u string) bool { return !own(u) }) {
			t.Fatalf("the report made requests outside its file: %q", r.Requests)
		}
		if len(r.ConsoleErrors) > 0 {
			t.Fatalf("console errors: %q", r.ConsoleErrors)
		}
		in := r.Info
		if in.H1 != "养老服务设施缺口评估报告" || in.Maps != 2 || in.Charts != 2 || in.UncoveredCells == 0 || in.Bars < 10 ||
			in.FacilitySymbols < len(tc.in.Assessment.Facilities) {
			t.Fatalf("rendered %+v", in)
		}
		for _, s := range in.MapSizes {
			if s[0] < 600 || s[1] < 250 {
				t.Fatalf("a map is drawn %dx%d px; too small to read", s[0], s[1])
			}
		}
		if len(r.Fonts) < 4 {
			t.Fatalf("fonts of only %d text kinds found: %v", len(r.Fonts), r.Fonts)
		}
		for sel, fs := range r.Fonts {
			cjk := false
			for _, f := range fs {
				if regexp.MustCompile(`(?i)CJK|WenQuanYi|Noto Sans SC|Source Han|YaHei|Droid Sans Fallback|AR PL`).MatchString(f.Family) && f.Glyphs > 0 {
					cjk = true
				}
			}
			if !cjk {
				if out, _ := exec.Command("fc-list", ":lang=zh", "family").Output(); len(bytes.TrimSpace(out)) == 0 {
					t.Skipf("no CJK font installed (apt-get install fonts-noto-cjk; .ci/run does): %s is drawn in %v", sel, fs)
				}
				t.Fatalf("%s is drawn in %v, not a CJK font", sel, fs)
			}
		}
		checkScreenshot(t, shot)
		t.Logf("%s: screenshot %s; %d region shapes, %d facility symbols, %d uncovered cells, fonts %v", tc.name, shot, in.RegionPaths, in.FacilitySymbols, in.UncoveredCells, r.Fonts["h1"])
	}
}

// checkScreenshot fails on a missing or blank screenshot: a drawn report
// has the colours of its maps.
func checkScreenshot(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot %s: %v", path, err)
	}
	b := img.Bounds()
	if b.Dx() < 800 || b.Dy() < 3000 {
		t.Fatalf("screenshot %s is %dx%d", path, b.Dx(), b.Dy())
	}
	colours := map[[3]uint32]bool{}
	for y := b.Min.Y; y < b.Max.Y; y += 7 {
		for x := b.Min.X; x < b.Max.X; x += 7 {
			r, g, bl, _ := img.At(x, y).RGBA()
			colours[[3]uint32{r >> 12, g >> 12, bl >> 12}] = true
		}
	}
	if len(colours) < 40 {
		t.Fatalf("screenshot %s has %d colours: blank?", path, len(colours))
	}
}

// pdfPages counts the pages of a PDF Chromium wrote (its page objects are
// not compressed).
func pdfPages(b []byte) int {
	return len(regexp.MustCompile(`/Type\s*/Page[^s]`).FindAll(b, -1))
}

// TestPDFOfTheDistrict prints the district's report with Chromium: a PDF
// of a sane number of A4 pages, left in testdata/artefacts.
func TestPDFOfTheDistrict(t *testing.T) {
	chromium(t)
	in := scenarioInput(t)
	var buf bytes.Buffer
	start := time.Now()
	if err := PDF(context.Background(), &buf, in); err != nil {
		t.Fatal(err)
	}
	raw := buf.Bytes()
	if !bytes.HasPrefix(raw, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", raw[:min(len(raw), 20)])
	}
	path := filepath.Join(artefacts(t), "report-district-scenario.pdf")
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	n := pdfPages(raw)
	// Cover, overview, two maps, charts, streets, ~3 of communities, ~3 of
	// facilities, ~6 of gaps, the scenario, ~2 of the standard.
	if n < 10 || n > 40 {
		t.Fatalf("%s has %d pages; want 10–40 for the district", path, n)
	}
	// A4 is 595 × 842 points.
	if m := regexp.MustCompile(`/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)`).FindSubmatch(raw); m == nil ||
		math.Abs(atof(string(m[1]))-595) > 2 || math.Abs(atof(string(m[2]))-842) > 2 {
		t.Fatalf("page size %q, want A4", m)
	}
	t.Logf("%s: %d pages, %d KB, printed in %s", path, n, len(raw)/1024, time.Since(start).Round(time.Millisecond))
}

func atof(s string) float64 {
	var v float64
	json.Unmarshal([]byte(s), &v)
	return v
}
