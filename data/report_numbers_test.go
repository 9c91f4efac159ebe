package data

import (
	"bytes"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/carecircle/carecircle/planner"
)

// A value that meets the standard as shown is never marked as failing it.
func TestIndicatorFailsAsShown(t *testing.T) {
	cases := []struct {
		key       string
		in        planner.Indicators
		wantFails bool
	}{
		{"coverage_15min", planner.Indicators{Coverage15: 1, EldersUncovered: 0}, false},
		{"coverage_15min", planner.Indicators{Coverage15: 0.99962, EldersUncovered: 1}, false}, // shows 100.0 %
		{"coverage_15min", planner.Indicators{Coverage15: 0.9994, EldersUncovered: 2}, true},   // shows 99.9 %
		{"coverage_15min", planner.Indicators{Coverage15: 0.5, EldersUncovered: 300}, true},
		{"elders_uncovered_15min", planner.Indicators{Coverage15: 0.99962, EldersUncovered: 1}, true},
		{"elders_uncovered_15min", planner.Indicators{EldersUncovered: 0.4}, false}, // shows 0
		{"floor_gap_m2", planner.Indicators{FloorGap: 0.4}, false},
		{"floor_gap_m2", planner.Indicators{FloorGap: 12}, true},
	}
	for _, c := range cases {
		if got := IndicatorFails(c.key, planner.LevelCommunity, &c.in, &planner.ProfileSummary{}); got != c.wantFails {
			t.Errorf("%s %+v: fails = %v, want %v", c.key, c.in, got, c.wantFails)
		}
	}
}

// Each gap's value and standard share one unit and format, and counts are
// whole numbers.
func TestGapValueUnits(t *testing.T) {
	cases := []struct {
		indicator string
		figure    string
		unit      string
		kind      NumberKind
	}{
		{"no_health_nearby", "", "米", KindArea}, // metres against metres, not minutes
		{"community_stations", "", "个", KindCount},
		{"street_centers", "", "个", KindCount},
		{"facilities_idle", "", "个", KindCount},
		{"coverage_15min", "", "%", KindShare},
		{"beds_per_1000_elders", "", "张/千名老人", KindRate},
		{"floor_provided_m2", "", "m²", KindArea},
		{"facilities_undersized", "community_station.min_floor_m2", "m²", KindArea},
		{"facilities_undersized", "street_center.min_beds", "张", KindCount},
	}
	for _, c := range cases {
		u, k := GapValueUnit(c.indicator, c.figure, "zh")
		if u != c.unit || k != c.kind {
			t.Errorf("%s: unit %q kind %v, want %q %v", c.indicator, u, k, c.unit, c.kind)
		}
	}
	for unit, want := range map[string]NumberKind{"elders": KindCount, "facilities": KindCount, "beds": KindCount, "m2": KindArea, "share": KindShare} {
		if got := gapShortfallKind(unit); got != want {
			t.Errorf("shortfall in %s: kind %v, want %v", unit, got, want)
		}
	}
}

// Numbers in CSV have no float noise, and coordinates keep 7 decimals.
func TestCSVNumbersClean(t *testing.T) {
	cases := []struct {
		v    float64
		want string
	}{
		{120917.00000000003, "120917"},
		{0.1 + 0.2, "0.3"},
		{106.52360912345, "106.5236091"},
		{-0.00000000001, "0"},
		{3, "3"},
		{0.9733650649690806, "0.9733651"},
	}
	for _, c := range cases {
		if got := num(c.v); got != c.want {
			t.Errorf("num(%v) = %q, want %q", c.v, got, c.want)
		}
	}
}

// CSV reports end lines with CRLF, as Excel writes them, and write region
// codes as the plain digits they are; GeoJSON coordinates have at most 7
// decimals; the XLSX prints on A4 landscape with its header row repeated,
// and carries the report's date as its creation date.
func TestReportFileConventions(t *testing.T) {
	b, _, a := assessDistrict(t)
	var buf bytes.Buffer
	if err := WriteReport(&buf, "csv", a, ReportOptions{Table: "regions", Regions: b.City.Regions}); err != nil {
		t.Fatal(err)
	}
	body := buf.String()
	if n, crlf := strings.Count(body, "\n"), strings.Count(body, "\r\n"); n == 0 || n != crlf {
		t.Errorf("CSV: %d line ends, %d of them CRLF", n, crlf)
	}
	var code string
	for _, r := range a.Regions {
		if r.Level == planner.LevelCommunity {
			code = r.Code
			break
		}
	}
	if !strings.Contains(body, "\r\n"+code+",") {
		t.Errorf("CSV: community code %s not written as its digits at a row's start", code)
	}

	buf.Reset()
	if err := WriteReport(&buf, "geojson", a, ReportOptions{Regions: b.City.Regions}); err != nil {
		t.Fatal(err)
	}
	if m := regexp.MustCompile(`\d+\.\d{8,}`).FindString(buf.String()); m != "" {
		t.Errorf("GeoJSON has a number with more than 7 decimals: %s", m)
	}

	f := writeXLSX(t, a, ReportOptions{Regions: b.City.Regions, Date: reportDate})
	for _, sheet := range f.GetSheetList() {
		pl, err := f.GetPageLayout(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if pl.Size == nil || *pl.Size != a4 || pl.Orientation == nil || *pl.Orientation != "landscape" {
			t.Errorf("sheet %s: page size %v orientation %v, want A4 landscape", sheet, pl.Size, pl.Orientation)
		}
	}
	titles := 0
	for _, dn := range f.GetDefinedName() {
		if dn.Name == "_xlnm.Print_Titles" && strings.HasSuffix(dn.RefersTo, "!$1:$1") {
			titles++
		}
	}
	if want := len(f.GetSheetList()) - 1; titles != want {
		t.Errorf("%d sheets repeat their header row when printed, want %d (all but 汇总)", titles, want)
	}
	props, err := f.GetDocProps()
	if err != nil {
		t.Fatal(err)
	}
	if want := reportDate.UTC().Format(time.RFC3339); props.Created != want {
		t.Errorf("created %q, want the report's date %q", props.Created, want)
	}
}

// Every unit a standards figure has is said in Chinese in a Chinese report.
func TestFigureUnitsInChinese(t *testing.T) {
	p, err := BuiltinProfile("cn-default")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range p.Figures() {
		got := FigureValueText(f.Value, f.Unit, "zh")
		if regexp.MustCompile(`[A-Za-z]`).MatchString(got) {
			t.Errorf("%s: %q has English in the Chinese report", f.Key, got)
		}
	}
	if got := FigureValueText(0.55, "share", "zh"); got != "55%" {
		t.Errorf("share 0.55 reads %q, want 55%%", got)
	}
}

// A change in the 汇总 sheet is the difference of the figures as shown.
func TestShownChange(t *testing.T) {
	cases := []struct {
		kind          NumberKind
		before, after float64
		want          float64
	}{
		{KindShare, 0.9733650649690806, 0.9795421682399524, 0.007}, // 97.3% → 98.0%: +0.7%, not +0.6%
		{KindShare, 0.99951, 1, 0},                                 // 100.0% → 100.0%
		{KindPeople, 3534.4, 2988.6, -545},                         // 3,534 → 2,989
		{KindRate, 28.44, 28.46, 0.1},                              // 28.4 → 28.5
		{KindFine, 0.355, 0.364, 0.0},                              // 0.36 → 0.36
		{KindArea, 16076.2, 15676.4, -400},
	}
	for _, c := range cases {
		if got := shownChange(c.kind, c.before, c.after); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("kind %v %v → %v: change %v, want %v", c.kind, c.before, c.after, got, c.want)
		}
	}
}
