package data

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/carecircle/carecircle/planner"
	"github.com/paulmach/orb/geojson"
	"github.com/xuri/excelize/v2"
)

var (
	districtOnce   sync.Once
	districtBundle *Bundle
	districtModel  *planner.Model
	districtErr    error
)

// reportDistrict is the district demo judged by its profile, shared by
// the report tests.
func reportDistrict(t testing.TB) (*Bundle, *planner.Model) {
	t.Helper()
	districtOnce.Do(func() {
		ctx := context.Background()
		if districtBundle, districtErr = DemoBundle(ctx, "district", 1); districtErr == nil {
			districtModel, districtErr = planner.NewModel(ctx, districtBundle.City, districtBundle.Profile, districtBundle.Index)
		}
	})
	if districtErr != nil {
		t.Fatal(districtErr)
	}
	return districtBundle, districtModel
}

var reportDate = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

func assessDistrict(t testing.TB) (*Bundle, *planner.Model, *planner.Assessment) {
	b, m := reportDistrict(t)
	a, err := m.Baseline().Clone().Assess(context.Background(), "baseline")
	if err != nil {
		t.Fatal(err)
	}
	return b, m, a
}

func writeXLSX(t *testing.T, a *planner.Assessment, opt ReportOptions) *excelize.File {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteReport(&buf, "xlsx", a, opt); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatalf("the XLSX does not open: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// sheetTable reads a sheet as its header row and the rows under it.
func sheetTable(t *testing.T, f *excelize.File, sheet string) ([]string, [][]string) {
	t.Helper()
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatalf("sheet %s: %v", sheet, err)
	}
	if len(rows) == 0 {
		t.Fatalf("sheet %s is empty", sheet)
	}
	return rows[0], rows[1:]
}

// col finds a header's column (0-based), failing the test without it.
func col(t *testing.T, header []string, name string) int {
	t.Helper()
	i := slices.Index(header, name)
	if i < 0 {
		t.Fatalf("no column %q in %q", name, header)
	}
	return i
}

// number reads cell (col, row) (0-based col, 1-based row) and checks that
// it is stored as a number.
func number(t *testing.T, f *excelize.File, sheet string, c, row int) float64 {
	t.Helper()
	ref, _ := excelize.CoordinatesToCellName(c+1, row)
	typ, err := f.GetCellType(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	if typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		t.Fatalf("%s!%s is of type %v, want a number", sheet, ref, typ)
	}
	raw, err := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	v, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		t.Fatalf("%s!%s = %q: not a number", sheet, ref, raw)
	}
	return v
}

// sameNum compares a figure read back with the assessment's: the sheet
// keeps six decimals.
func sameNum(a, b float64) bool { return math.Abs(a-b) <= 1e-6*math.Max(1, math.Abs(b)) }

// highlighted reports whether a cell has the failing fill.
func highlighted(t *testing.T, f *excelize.File, sheet string, c, row int) bool {
	t.Helper()
	ref, _ := excelize.CoordinatesToCellName(c+1, row)
	id, err := f.GetCellStyle(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	return slices.Contains(st.Fill.Color, "FFC7CE")
}

func TestXLSXReportMatchesTheAssessment(t *testing.T) {
	b, _, a := assessDistrict(t)
	f := writeXLSX(t, a, ReportOptions{Regions: b.City.Regions, Date: reportDate, Source: "demo district seed 1"})

	if got, want := f.GetSheetList(), XLSXSheets("zh")[:5]; !slices.Equal(got, want) {
		t.Fatalf("sheets %q, want %q (no 方案 without a scenario)", got, want)
	}

	// 社区: one row per community, figures as numbers, Chinese headers
	// with units, failing cells highlighted.
	head, rows := sheetTable(t, f, "社区")
	byCode := map[string]planner.RegionResult{}
	nComm := 0
	for _, r := range a.Regions {
		byCode[r.Code] = r
		if r.Level == planner.LevelCommunity {
			nComm++
		}
	}
	if len(rows) != nComm {
		t.Fatalf("社区 has %d rows, want %d communities", len(rows), nComm)
	}
	elders := col(t, head, "60岁以上老人（人）")
	cov := col(t, head, "15分钟覆盖率（%）")
	gap := col(t, head, "建筑面积缺口（m²）")
	stations := col(t, head, "社区养老服务站（个）")
	col(t, head, "街道(乡镇)")
	sawBad := false
	for i, row := range rows {
		r, ok := byCode[row[0]]
		if !ok || r.Level != planner.LevelCommunity || row[1] != r.Name {
			t.Fatalf("社区 row %d: code %q name %q is not a community", i+2, row[0], row[1])
		}
		in := r.Indicators
		for _, c := range []struct {
			col  int
			want float64
		}{{elders, in.Elders60}, {cov, in.Coverage15}, {gap, in.FloorGap}, {stations, in.Stations}} {
			if got := number(t, f, "社区", c.col, i+2); !sameNum(got, c.want) {
				t.Fatalf("社区 row %d (%s) column %q = %v, want %v", i+2, r.Name, head[c.col], got, c.want)
			}
		}
		bad := highlighted(t, f, "社区", cov, i+2)
		if bad != (in.EldersUncovered > 0.5) {
			t.Fatalf("%s: coverage %v (uncovered %v) highlighted %v", r.Name, in.Coverage15, in.EldersUncovered, bad)
		}
		sawBad = sawBad || bad
		if highlighted(t, f, "社区", gap, i+2) != (in.FloorGap > 0.5) {
			t.Fatalf("%s: floor gap %v highlighted wrongly", r.Name, in.FloorGap)
		}
	}
	if !sawBad {
		t.Fatal("no community's coverage is highlighted; the district demo has uncovered elders")
	}
	// The percentage format on a share.
	ref, _ := excelize.CoordinatesToCellName(cov+1, 2)
	id, _ := f.GetCellStyle("社区", ref)
	if st, _ := f.GetStyle(id); st.CustomNumFmt == nil || *st.CustomNumFmt != "0.0%" {
		t.Fatalf("coverage cells are not formatted as percentages: %+v", st.CustomNumFmt)
	}
	// Frozen header and a filter on every table sheet.
	names := f.GetDefinedName()
	for _, sheet := range []string{"街道", "社区", "设施", "缺口"} {
		panes, err := f.GetPanes(sheet)
		if err != nil || !panes.Freeze || panes.YSplit != 1 {
			t.Fatalf("sheet %s: header row not frozen: %+v %v", sheet, panes, err)
		}
		found := false
		for _, n := range names {
			if n.Name == "_xlnm._FilterDatabase" && strings.Contains(n.RefersTo, "'"+sheet+"'!") {
				found = true
			}
		}
		if !found {
			t.Fatalf("sheet %s has no filter (defined names %+v)", sheet, names)
		}
		if w, err := f.GetColWidth(sheet, "B"); err != nil || w < 8 || w > 60 {
			t.Fatalf("sheet %s: column B width %v", sheet, w)
		}
	}

	// 街道: one row per street, with its centres.
	head, rows = sheetTable(t, f, "街道")
	centres := col(t, head, "街道养老服务中心（个）")
	nStreet := 0
	for _, r := range a.Regions {
		if r.Level == planner.LevelStreet {
			nStreet++
		}
	}
	if len(rows) != nStreet {
		t.Fatalf("街道 has %d rows, want %d", len(rows), nStreet)
	}
	for i, row := range rows {
		r := byCode[row[0]]
		if got := number(t, f, "街道", centres, i+2); got != r.Indicators.Centres {
			t.Fatalf("街道 %s centres %v, want %v", r.Name, got, r.Indicators.Centres)
		}
		if highlighted(t, f, "街道", centres, i+2) != (r.Indicators.Centres < 1) {
			t.Fatalf("街道 %s: centres %v highlighted wrongly", r.Name, r.Indicators.Centres)
		}
	}

	// 设施: every facility with its catchment's elders and flags.
	head, rows = sheetTable(t, f, "设施")
	if len(rows) != len(a.Facilities) {
		t.Fatalf("设施 has %d rows, want %d", len(rows), len(a.Facilities))
	}
	e15 := col(t, head, "15分钟服务圈内老人（人）")
	idle := col(t, head, "闲置")
	merge := col(t, head, "可合并")
	col(t, head, "附近无卫生设施")
	col(t, head, "无中心带站")
	col(t, head, "面积或床位不达标")
	floor := col(t, head, "建筑面积（m²）")
	for i, row := range rows {
		fr := a.Facilities[i]
		if row[0] != fr.ID || row[1] != fr.Name {
			t.Fatalf("设施 row %d is %s %s, want %s %s", i+2, row[0], row[1], fr.ID, fr.Name)
		}
		if got := number(t, f, "设施", e15, i+2); !sameNum(got, fr.Elders15) {
			t.Fatalf("%s elders within 15 min %v, want %v", fr.ID, got, fr.Elders15)
		}
		if got := number(t, f, "设施", floor, i+2); got != fr.FloorArea {
			t.Fatalf("%s floor %v, want %v", fr.ID, got, fr.FloorArea)
		}
		isIdle := slices.Contains(fr.Flags, planner.FlagIdle)
		if (len(row) > idle && row[idle] == "是") != isIdle {
			t.Fatalf("%s idle column %q, flags %v", fr.ID, row[idle], fr.Flags)
		}
		if (len(row) > merge && row[merge] == "是") != slices.Contains(fr.Flags, planner.FlagCouldMerge) {
			t.Fatalf("%s could-merge column wrong, flags %v", fr.ID, fr.Flags)
		}
	}

	// 缺口: the ranked list with clause and source.
	head, rows = sheetTable(t, f, "缺口")
	if len(rows) != len(a.Gaps) {
		t.Fatalf("缺口 has %d rows, want %d", len(rows), len(a.Gaps))
	}
	clause, source, msg := col(t, head, "标准条款"), col(t, head, "来源"), col(t, head, "说明")
	affected := col(t, head, "涉及老人（人）")
	for i, row := range rows {
		g := a.Gaps[i]
		if number(t, f, "缺口", 0, i+2) != float64(g.Rank) || row[msg] != g.Message.ZH || row[clause] != g.Clause || row[source] != g.Source {
			t.Fatalf("缺口 row %d does not match gap %+v", i+2, g)
		}
		if got := number(t, f, "缺口", affected, i+2); !sameNum(got, g.EldersAffected) {
			t.Fatalf("gap %d elders affected %v, want %v", g.Rank, got, g.EldersAffected)
		}
	}

	// 汇总: the city's figures, the profile and its sources, the date.
	all, err := f.GetRows("汇总", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	find := func(label string) int {
		for i, r := range all {
			if len(r) > 0 && r[0] == label {
				return i + 1
			}
		}
		t.Fatalf("汇总 has no row %q", label)
		return 0
	}
	if got := number(t, f, "汇总", 1, find("15分钟覆盖率")); !sameNum(got, a.City.Indicators.Coverage15) {
		t.Fatalf("汇总 coverage %v, want %v", got, a.City.Indicators.Coverage15)
	}
	if got := number(t, f, "汇总", 1, find("未覆盖老人")); !sameNum(got, a.City.Indicators.EldersUncovered) {
		t.Fatalf("汇总 uncovered %v, want %v", got, a.City.Indicators.EldersUncovered)
	}
	if d, _ := f.GetCellValue("汇总", "B"+strconv.Itoa(find("报告日期"))); d != "2026-11-23" {
		t.Fatalf("汇总 date shows %q", d)
	}
	text := ""
	for _, r := range all {
		text += strings.Join(r, "|") + "\n"
	}
	for _, want := range append([]string{a.Profile.Name, "评估标准条款及来源"}, a.Profile.Sources[:3]...) {
		if !strings.Contains(text, want) {
			t.Fatalf("汇总 does not name %q", want)
		}
	}
}

func TestXLSXReportInEnglishScopedToAStreet(t *testing.T) {
	b, _, a := assessDistrict(t)
	var street planner.RegionResult
	for _, r := range a.Regions {
		if r.Level == planner.LevelStreet {
			street = r
			break
		}
	}
	f := writeXLSX(t, a, ReportOptions{Lang: "en", Region: street.Code, Regions: b.City.Regions, Date: reportDate})
	if got := f.GetSheetList(); !slices.Equal(got, []string{"Summary", "Streets", "Communities", "Facilities", "Gaps"}) {
		t.Fatalf("English sheets %q", got)
	}
	head, rows := sheetTable(t, f, "Streets")
	if len(rows) != 1 || rows[0][0] != street.Code {
		t.Fatalf("a street's report lists streets %v", rows)
	}
	cov := col(t, head, "Coverage, 15 min (%)")
	if got := number(t, f, "Streets", cov, 2); !sameNum(got, street.Indicators.Coverage15) {
		t.Fatalf("street coverage %v, want %v", got, street.Indicators.Coverage15)
	}
	_, rows = sheetTable(t, f, "Communities")
	if int(street.Indicators.Communities) != len(rows) {
		t.Fatalf("%d communities listed, the street has %v", len(rows), street.Indicators.Communities)
	}
	_, gaps := sheetTable(t, f, "Gaps")
	for _, g := range gaps {
		if g[3] == "district" {
			t.Fatalf("a street's report lists a district gap: %v", g)
		}
	}
	if _, err := a.Scope("nope", b.City.Regions); err == nil {
		t.Fatal("unknown region accepted")
	}
	var buf bytes.Buffer
	if err := WriteReport(&buf, "xlsx", a, ReportOptions{Region: "nope", Regions: b.City.Regions}); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Fatalf("unknown region: %v", err)
	}
	if err := WriteReport(&buf, "xlsx", a, ReportOptions{Lang: "fr"}); err == nil || !strings.Contains(err.Error(), "fr") {
		t.Fatalf("unknown language: %v", err)
	}
}

// proposedScenario adds a station where elders are uncovered: in the
// community with the most uncovered elders, at its demand point farthest
// from service.
func proposedScenario(t *testing.T, m *planner.Model) *planner.Scenario {
	t.Helper()
	base := m.Baseline()
	best, at := -1.0, int32(-1)
	for k := 0; k < m.Demand.Len(); k++ {
		s := base.ServedSeconds(int32(k))
		if d := m.DemandPoint(int32(k)); s > 900 && !math.IsInf(s, 1) && d.Elders60 > best {
			best, at = d.Elders60, int32(k)
		}
	}
	if at < 0 {
		for k := 0; k < m.Demand.Len(); k++ {
			if d := m.DemandPoint(int32(k)); base.ServedSeconds(int32(k)) > 900 && d.Elders60 > best {
				best, at = d.Elders60, int32(k)
			}
		}
	}
	if at < 0 {
		t.Fatal("the district demo has no uncovered demand point")
	}
	loc := m.DemandPoint(at).Location
	return &planner.Scenario{ID: "s-test1", Name: "补站方案", Version: 3, Added: []planner.Facility{
		{ID: "P-1", Name: "拟建社区养老服务站", Type: planner.CommunityStation, Status: planner.Proposed, Location: loc, FloorArea: 300, Beds: 10},
	}}
}

func TestXLSXReportOfAScenarioHasItsProposals(t *testing.T) {
	b, m := reportDistrict(t)
	base := m.Baseline()
	sc := proposedScenario(t, m)
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
	if len(fx) != 1 || fx[0].EldersCovered <= 0 {
		t.Fatalf("effects %+v: the station should cover elders", fx)
	}
	f := writeXLSX(t, a, ReportOptions{Regions: b.City.Regions, Scenario: sc, Proposals: fx, Before: base.Clone().Summary(), Date: reportDate})
	if got := f.GetSheetList(); !slices.Equal(got, XLSXSheets("zh")) {
		t.Fatalf("sheets %q, want %q", got, XLSXSheets("zh"))
	}
	head, rows := sheetTable(t, f, "方案")
	if len(rows) != 1 || rows[0][0] != "P-1" || rows[0][col(t, head, "修改")] != "新增" {
		t.Fatalf("方案 rows %v", rows)
	}
	if got := number(t, f, "方案", col(t, head, "新增覆盖老人（人）"), 2); !sameNum(got, fx[0].EldersCovered) {
		t.Fatalf("方案 newly covered %v, want %v", got, fx[0].EldersCovered)
	}
	// The summary shows the baseline and the change.
	all, _ := f.GetRows("汇总", excelize.Options{RawCellValue: true})
	for i, r := range all {
		if len(r) > 0 && r[0] == "15分钟服务圈覆盖老人" {
			before, after := number(t, f, "汇总", 4, i+1), number(t, f, "汇总", 1, i+1)
			change := number(t, f, "汇总", 5, i+1)
			// The change is that of the figures as shown (whole people).
			if !sameNum(math.Round(after)-math.Round(before), change) || change <= 0 {
				t.Fatalf("汇总 covered elders: before %v after %v change %v", before, after, change)
			}
			return
		}
	}
	t.Fatal("汇总 has no covered-elders row")
}

func TestCSVReportsHaveABOMAndParse(t *testing.T) {
	b, _, a := assessDistrict(t)
	for _, tc := range []struct {
		table string
		rows  int
		first string
	}{
		{"regions", len(a.Regions) + 1, "code"},
		{"gaps", len(a.Gaps), "rank"},
		{"facilities", len(a.Facilities), "id"},
	} {
		var buf bytes.Buffer
		if err := WriteReport(&buf, "csv", a, ReportOptions{Table: tc.table, Regions: b.City.Regions}); err != nil {
			t.Fatal(err)
		}
		raw := buf.Bytes()
		if !bytes.HasPrefix(raw, []byte{0xEF, 0xBB, 0xBF}) {
			t.Fatalf("%s CSV has no UTF-8 byte-order mark", tc.table)
		}
		recs, err := csv.NewReader(bytes.NewReader(raw[3:])).ReadAll()
		if err != nil {
			t.Fatalf("%s CSV: %v", tc.table, err)
		}
		if recs[0][0] != tc.first || len(recs)-1 != tc.rows {
			t.Fatalf("%s CSV: header %v, %d rows, want %d", tc.table, recs[0][:3], len(recs)-1, tc.rows)
		}
		if tc.table == "gaps" && recs[1][11] != a.Gaps[0].Message.ZH {
			t.Fatalf("gaps CSV message %q", recs[1][11])
		}
	}
	var buf bytes.Buffer
	if err := WriteReport(&buf, "csv", a, ReportOptions{Table: "beds"}); err == nil {
		t.Fatal("unknown CSV table accepted")
	}
}

func TestGeoJSONAndJSONReportsParse(t *testing.T) {
	b, _, a := assessDistrict(t)
	var buf bytes.Buffer
	if err := WriteReport(&buf, "geojson", a, ReportOptions{Regions: b.City.Regions}); err != nil {
		t.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(buf.Bytes())
	if err != nil {
		t.Fatalf("GeoJSON report does not parse: %v", err)
	}
	if len(fc.Features) != len(a.Regions) {
		t.Fatalf("%d features, want %d regions", len(fc.Features), len(a.Regions))
	}
	if _, ok := fc.Features[0].Properties["coverage_15min"].(float64); !ok {
		t.Fatalf("feature properties lack coverage: %v", fc.Features[0].Properties)
	}
	// Scoped to a street, the JSON is the street's.
	var street string
	for _, r := range a.Regions {
		if r.Level == planner.LevelStreet {
			street = r.Code
			break
		}
	}
	buf.Reset()
	if err := WriteReport(&buf, "json", a, ReportOptions{Region: street, Regions: b.City.Regions}); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Region  string `json:"region"`
		Regions []struct {
			Code string `json:"code"`
		} `json:"regions"`
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Region != street || got.Regions[0].Code != street {
		t.Fatalf("scoped JSON: region %q, first region %v", got.Region, got.Regions[0])
	}
}
