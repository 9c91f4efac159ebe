package data

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/carecircle/carecircle/planner"
	"github.com/xuri/excelize/v2"
)

// Sheet names of the XLSX report, Chinese and English.
var xlsxSheets = struct{ summary, streets, communities, facilities, gaps, proposals planner.Text }{
	summary:     planner.Text{ZH: "汇总", EN: "Summary"},
	streets:     planner.Text{ZH: "街道", EN: "Streets"},
	communities: planner.Text{ZH: "社区", EN: "Communities"},
	facilities:  planner.Text{ZH: "设施", EN: "Facilities"},
	gaps:        planner.Text{ZH: "缺口", EN: "Gaps"},
	proposals:   planner.Text{ZH: "方案", EN: "Proposals"},
}

// XLSXSheets lists the sheet names of the XLSX report in lang, in order;
// the last (方案) is there only when the report is of a scenario.
func XLSXSheets(lang string) []string {
	s := xlsxSheets
	out := []string{}
	for _, t := range []planner.Text{s.summary, s.streets, s.communities, s.facilities, s.gaps, s.proposals} {
		out = append(out, pick(t, lang))
	}
	return out
}

// Number formats by kind (Excel format codes).
var kindFormats = map[NumberKind]string{
	KindCount:  "0",
	KindPeople: "#,##0",
	KindArea:   "#,##0",
	KindShare:  "0.0%",
	KindRate:   "0.0",
	KindFine:   "0.00",
	KindCoord:  "0.000000",
}

// kindText marks a text column.
const kindText NumberKind = -1

// xcol is one column of a sheet: its header and how its cells read.
type xcol struct {
	head planner.Text
	unit planner.Text // "" for none
	kind NumberKind
	wrap bool    // wrap long text (messages, clauses)
	max  float64 // widest it may grow, in characters; 0: 40
}

// xcell is one cell: a float64 or string value (nil for empty), and
// whether it falls short of the standard.
type xcell struct {
	v   any
	bad bool
	// kind, when set, overrides the column's number format: a column of
	// several indicators' values shows each in its own unit's format.
	kind *NumberKind
}

// xtable is a sheet's table: one header row, then rows.
type xtable struct {
	cols []xcol
	rows [][]xcell
}

// xlsxWriter builds the workbook and keeps its styles.
type xlsxWriter struct {
	f      *excelize.File
	lang   string
	styles map[string]int
	cells  map[cellStyle]int
}

// cellStyle is what decides a data cell's style.
type cellStyle struct {
	kind      NumberKind
	bad, wrap bool
}

func (x *xlsxWriter) t(t planner.Text) string { return pick(t, x.lang) }

// style returns the id of the style for a kind, highlighted when bad.
func (x *xlsxWriter) style(kind NumberKind, bad, wrap bool) (int, error) {
	key := cellStyle{kind, bad, wrap}
	if id, ok := x.cells[key]; ok {
		return id, nil
	}
	st := &excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: wrap}}
	if kind != kindText {
		code := kindFormats[kind]
		st.CustomNumFmt = &code
	}
	if bad {
		st.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFC7CE"}}
		st.Font = &excelize.Font{Color: "9C0006"}
	}
	id, err := x.f.NewStyle(st)
	if err != nil {
		return 0, fmt.Errorf("xlsx report: style: %w", err)
	}
	x.cells[key] = id
	return id, nil
}

func (x *xlsxWriter) namedStyle(name string, st *excelize.Style) (int, error) {
	if id, ok := x.styles[name]; ok {
		return id, nil
	}
	id, err := x.f.NewStyle(st)
	if err != nil {
		return 0, fmt.Errorf("xlsx report: style %s: %w", name, err)
	}
	x.styles[name] = id
	return id, nil
}

func (x *xlsxWriter) headerStyle() (int, error) {
	return x.namedStyle("header", &excelize.Style{
		Font:      &excelize.Font{Bold: true, Color: "1F2937"},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DCE6F1"}},
		Alignment: &excelize.Alignment{Vertical: "center", Horizontal: "center", WrapText: true},
		Border:    []excelize.Border{{Type: "bottom", Color: "7F8FA6", Style: 1}},
	})
}

// displayWidth is how many character widths s takes in a sheet: Chinese
// characters count two.
func displayWidth(s string) float64 {
	var w float64
	for _, r := range s {
		if r >= 0x2E80 && !unicode.IsSpace(r) {
			w += 2
		} else {
			w++
		}
	}
	return w
}

// cellWidth estimates the shown width of a cell's value.
func cellWidth(c xcell, kind NumberKind) float64 {
	switch v := c.v.(type) {
	case string:
		return displayWidth(v)
	case float64:
		switch kind {
		case KindShare:
			return 7
		case KindCoord:
			return 11
		}
		s := strconv.FormatFloat(math.Abs(v), 'f', 0, 64)
		return float64(len(s)+(len(s)-1)/3) + 3
	}
	return 0
}

// header is a column's header: its name and unit, "名称（单位）".
func (x *xlsxWriter) header(c xcol) string {
	h := x.t(c.head)
	if u := x.t(c.unit); u != "" {
		if x.lang == "en" {
			h += " (" + u + ")"
		} else {
			h += "（" + u + "）"
		}
	}
	return h
}

// writeTable writes t as sheet with the stream writer: a frozen header
// row (and freezeCols columns), a filter over the table, widths from the
// content, numbers as numbers in their unit's format, and failing cells
// highlighted.
func (x *xlsxWriter) writeTable(sheet string, t *xtable, freezeCols int) error {
	if _, err := x.f.NewSheet(sheet); err != nil {
		return fmt.Errorf("xlsx report: sheet %s: %w", sheet, err)
	}
	sw, err := x.f.NewStreamWriter(sheet)
	if err != nil {
		return fmt.Errorf("xlsx report: sheet %s: %w", sheet, err)
	}
	if err := x.printSetup(sheet, 1); err != nil {
		return err
	}
	heads := make([]any, len(t.cols))
	hs, err := x.headerStyle()
	if err != nil {
		return err
	}
	lines := 1.0
	for i, c := range t.cols {
		h := x.header(c)
		w := displayWidth(h)
		for _, r := range t.rows {
			w = math.Max(w, cellWidth(r[i], c.kind))
		}
		limit := c.max
		if limit == 0 {
			limit = 40
		}
		// Headers wrap: a column need not be as wide as its header.
		w = math.Min(math.Max(w, math.Min(displayWidth(h), 12)), limit) + 2
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return fmt.Errorf("xlsx report: sheet %s: %w", sheet, err)
		}
		lines = math.Max(lines, math.Ceil(displayWidth(h)/(w-1)))
		heads[i] = excelize.Cell{StyleID: hs, Value: h}
	}
	last, _ := excelize.CoordinatesToCellName(len(t.cols), len(t.rows)+1)
	if err := x.f.AutoFilter(sheet, "A1:"+last, nil); err != nil {
		return fmt.Errorf("xlsx report: sheet %s: filter: %w", sheet, err)
	}
	topLeft, _ := excelize.CoordinatesToCellName(freezeCols+1, 2)
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, XSplit: freezeCols, YSplit: 1, TopLeftCell: topLeft, ActivePane: "bottomRight"}); err != nil {
		return fmt.Errorf("xlsx report: sheet %s: panes: %w", sheet, err)
	}
	if err := sw.SetRow("A1", heads, excelize.RowOpts{Height: 15 * math.Min(lines, 4)}); err != nil {
		return fmt.Errorf("xlsx report: sheet %s: %w", sheet, err)
	}
	row := make([]any, len(t.cols))
	for ri, r := range t.rows {
		for i, c := range r {
			kind := t.cols[i].kind
			if c.kind != nil {
				kind = *c.kind
			}
			id, err := x.style(kind, c.bad, t.cols[i].wrap)
			if err != nil {
				return err
			}
			v := c.v
			if f, ok := v.(float64); ok {
				v = clean(f)
			}
			row[i] = excelize.Cell{StyleID: id, Value: v}
		}
		cell, _ := excelize.CoordinatesToCellName(1, ri+2)
		if err := sw.SetRow(cell, row); err != nil {
			return fmt.Errorf("xlsx report: sheet %s, row %d: %w", sheet, ri+2, err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("xlsx report: sheet %s: %w", sheet, err)
	}
	return nil
}

// clean rounds away the float noise of sums (829.999999999999, 1e-13)
// at six decimals, so that a cell showing 0 is 0 to a filter too.
func clean(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > 1e12 {
		return v
	}
	r := math.Round(v*1e6) / 1e6
	if r == 0 {
		return 0 // not -0
	}
	return r
}

// writeReportXLSX writes the workbook: 汇总, 街道, 社区, 设施, 缺口 and,
// for a scenario, 方案. a is already scoped.
func writeReportXLSX(w io.Writer, a *planner.Assessment, opt *ReportOptions) error {
	f := excelize.NewFile()
	defer f.Close()
	x := &xlsxWriter{f: f, lang: opt.Lang, styles: map[string]int{}, cells: map[cellStyle]int{}}
	rx := newRegionLookup(a, opt.Regions)
	summary := x.t(xlsxSheets.summary)
	if err := f.SetSheetName("Sheet1", summary); err != nil {
		return fmt.Errorf("xlsx report: %w", err)
	}
	if err := x.printSetup(summary, 0); err != nil {
		return err
	}
	if err := x.writeSummary(summary, a, opt, rx); err != nil {
		return err
	}
	if err := x.writeTable(x.t(xlsxSheets.streets), x.regionTable(a, planner.LevelStreet, rx), 2); err != nil {
		return err
	}
	if err := x.writeTable(x.t(xlsxSheets.communities), x.regionTable(a, planner.LevelCommunity, rx), 2); err != nil {
		return err
	}
	if err := x.writeTable(x.t(xlsxSheets.facilities), x.facilityTable(a, rx), 2); err != nil {
		return err
	}
	if err := x.writeTable(x.t(xlsxSheets.gaps), x.gapTable(a), 1); err != nil {
		return err
	}
	if opt.IsScenario() {
		if err := x.writeTable(x.t(xlsxSheets.proposals), x.proposalTable(opt.Proposals, rx), 2); err != nil {
			return err
		}
	}
	// The summary is the first sheet and already the active one. (Do not
	// call SetActiveSheet: it reads every streamed sheet back into memory
	// and costs seconds for a city.)
	title := x.t(ReportTitle)
	if err := f.SetDocProps(&excelize.DocProperties{Title: title + " " + a.City.Name, Creator: "CareCircle", Language: map[string]string{"zh": "zh-CN", "en": "en"}[opt.Lang],
		Description: fmt.Sprintf("%s, %s", a.Profile.Name, opt.Date.Format("2006-01-02")), Created: createdStamp(opt.Date), Modified: createdStamp(opt.Date)}); err != nil {
		return fmt.Errorf("xlsx report: %w", err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("xlsx report: %w", err)
	}
	return nil
}

// ReportTitle is the title of the gap report.
var ReportTitle = planner.Text{ZH: "养老服务设施缺口评估报告", EN: "Elder-care coverage-gap report"}

// regionLookup finds regions of the city by code.
type regionLookup struct {
	byCode map[string]planner.RegionResult
	region map[string]planner.Region
}

func newRegionLookup(a *planner.Assessment, regions []planner.Region) *regionLookup {
	rx := &regionLookup{byCode: map[string]planner.RegionResult{}, region: map[string]planner.Region{}}
	for _, r := range a.Regions {
		rx.byCode[r.Code] = r
	}
	for _, r := range regions {
		rx.region[r.Code] = r
		if _, ok := rx.byCode[r.Code]; !ok {
			rx.byCode[r.Code] = planner.RegionResult{Code: r.Code, Name: r.Name, Level: r.Level, Parent: r.Parent, AreaType: r.AreaType}
		}
	}
	return rx
}

// ancestor returns the name of code's ancestor at level l, or "".
func (rx *regionLookup) ancestor(code string, l planner.Level) string {
	for i := 0; code != "" && i < 8; i++ {
		r, ok := rx.byCode[code]
		if !ok {
			return ""
		}
		if r.Level == l {
			return r.Name
		}
		code = r.Parent
	}
	return ""
}

// name returns the name of region code, or "".
func (rx *regionLookup) name(code string) string { return rx.byCode[code].Name }

// ScopeLabel names what a report covers in lang: the city, or a region
// with its level and the regions above it ("示范区 凤田湾街道").
func ScopeLabel(a *planner.Assessment, region, lang string) string {
	if region == "" {
		return a.City.Name + " · " + LevelLabel(planner.LevelCity, lang)
	}
	r, ok := a.ScopeRegion(region)
	if !ok {
		return region
	}
	return fmt.Sprintf("%s (%s, %s)", r.Name, LevelLabel(r.Level, lang), r.Code)
}

// ScenarioLabel names the scenario of a report in lang.
func ScenarioLabel(opt *ReportOptions) string {
	if !opt.IsScenario() {
		return pick(planner.Text{ZH: "现状", EN: "baseline (today)"}, opt.Lang)
	}
	sc := opt.Scenario
	return fmt.Sprintf("%s (%s, v%d)", sc.Name, sc.ID, sc.Version)
}

// summaryIndicators are the indicators the summary lists first, in order;
// the rest follow in report order.
var summaryIndicators = []string{
	"elders_60", "elders_80", "elders_covered_15min", "elders_uncovered_15min", "coverage_15min", "coverage_5min", "coverage_10min",
	"floor_required_m2", "floor_provided_m2", "floor_gap_m2", "land_required_m2", "land_provided_m2", "land_gap_m2",
	"beds", "beds_required", "beds_gap", "beds_per_1000_elders", "nursing_bed_share",
	"streets", "streets_with_center", "communities", "communities_with_station", "station_community_share", "day_care_community_share",
	"street_centers", "community_stations", "facilities_operating", "facilities_idle", "facilities_undersized", "facilities_not_open",
	"facilities_proposed", "access_2sfca_m2_per_elder",
}

// SummaryIndicators lists every indicator in the order a report's
// summary shows them: the headline ones first.
func SummaryIndicators() []string {
	seen := map[string]bool{}
	out := append([]string(nil), summaryIndicators...)
	for _, k := range out {
		seen[k] = true
	}
	for _, k := range planner.IndicatorNames() {
		if !seen[k] {
			out = append(out, k)
		}
	}
	return out
}

// indicatorValue returns indicator key of in.
func indicatorValue(in *planner.Indicators, key string) float64 {
	names := planner.IndicatorNames()
	vals := in.Values()
	for i, n := range names {
		if n == key {
			return vals[i]
		}
	}
	return math.NaN()
}

// IndicatorValue returns the indicator named by its JSON key.
func IndicatorValue(in *planner.Indicators, key string) float64 { return indicatorValue(in, key) }

// BaselineOf returns the baseline's indicators of the report's scope from
// opt.Before, or nil.
func BaselineOf(opt *ReportOptions) *planner.Indicators {
	if opt.Before == nil || !opt.IsScenario() {
		return nil
	}
	if opt.Region == "" {
		return &opt.Before.City
	}
	for i, r := range opt.Regions {
		if r.Code == opt.Region && i < opt.Before.Len() {
			return opt.Before.Region(i)
		}
	}
	return nil
}

// writeSummary fills the 汇总 sheet: what the report covers, every
// indicator of the scope (with the baseline's and the change for a
// scenario), and every figure of the standard with its clause and source.
func (x *xlsxWriter) writeSummary(sheet string, a *planner.Assessment, opt *ReportOptions, rx *regionLookup) error {
	f := x.f
	set := func(cell string, v any, style int) error {
		if x, ok := v.(float64); ok {
			v = clean(x)
		}
		if err := f.SetCellValue(sheet, cell, v); err != nil {
			return fmt.Errorf("xlsx report: %s!%s: %w", sheet, cell, err)
		}
		if style > 0 {
			return f.SetCellStyle(sheet, cell, cell, style)
		}
		return nil
	}
	titleStyle, err := x.namedStyle("title", &excelize.Style{Font: &excelize.Font{Bold: true, Size: 16}})
	if err != nil {
		return err
	}
	sectionStyle, err := x.namedStyle("section", &excelize.Style{Font: &excelize.Font{Bold: true, Size: 12, Color: "1F4E79"}})
	if err != nil {
		return err
	}
	labelStyle, err := x.namedStyle("label", &excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{Vertical: "top"}})
	if err != nil {
		return err
	}
	dateStyle, err := x.namedStyle("date", &excelize.Style{CustomNumFmt: ptr("yyyy-mm-dd"), Alignment: &excelize.Alignment{Horizontal: "left"}})
	if err != nil {
		return err
	}
	textStyle, err := x.style(kindText, false, true)
	if err != nil {
		return err
	}
	hs, err := x.headerStyle()
	if err != nil {
		return err
	}
	for col, w := range []float64{34, 16, 14, 16, 16, 44, 60, 12} {
		name, _ := excelize.ColumnNumberToName(col + 1)
		if err := f.SetColWidth(sheet, name, name, w); err != nil {
			return fmt.Errorf("xlsx report: %s: %w", sheet, err)
		}
	}
	if err := set("A1", x.t(ReportTitle)+" · "+a.City.Name, titleStyle); err != nil {
		return err
	}
	row := 3
	scopeLevel := planner.LevelCity
	if opt.Region != "" {
		if r, ok := a.ScopeRegion(opt.Region); ok {
			scopeLevel = r.Level
		}
	}
	info := []struct {
		label planner.Text
		value any
	}{
		{planner.Text{ZH: "城市", EN: "City"}, a.City.Name},
		{planner.Text{ZH: "范围", EN: "Scope"}, ScopeLabel(a, opt.Region, x.lang)},
		{planner.Text{ZH: "评估标准", EN: "Standards profile"}, fmt.Sprintf("%s (%s)", x.t(a.Profile.Title), a.Profile.Name)},
		{planner.Text{ZH: "方案", EN: "Scenario"}, ScenarioLabel(opt)},
		{planner.Text{ZH: "报告日期", EN: "Date"}, opt.Date},
		{planner.Text{ZH: "数据来源", EN: "Data"}, opt.Source},
		{planner.Text{ZH: "缺口条数", EN: "Gaps listed"}, float64(len(a.Gaps))},
	}
	if opt.IsScenario() {
		sc := opt.Scenario
		info = append(info, struct {
			label planner.Text
			value any
		}{planner.Text{ZH: "方案修改", EN: "Scenario edits"}, fmt.Sprintf(x.t(planner.Text{ZH: "新增%d处，调整%d处，关闭%d处", EN: "%d added, %d changed, %d closed"}), len(sc.Added), len(sc.Changed), len(sc.Closed))})
	}
	for _, in := range info {
		st := 0
		switch v := in.value.(type) {
		case time.Time:
			st = dateStyle
		case string:
			if v == "" {
				continue
			}
		}
		if err := set("A"+strconv.Itoa(row), x.t(in.label), labelStyle); err != nil {
			return err
		}
		if err := set("B"+strconv.Itoa(row), in.value, st); err != nil {
			return err
		}
		row++
	}

	// Every indicator of the scope.
	row++
	if err := set("A"+strconv.Itoa(row), x.t(planner.Text{ZH: "主要指标", EN: "Indicators"}), sectionStyle); err != nil {
		return err
	}
	row++
	before := BaselineOf(opt)
	heads := []planner.Text{{ZH: "指标", EN: "Indicator"}, {ZH: "数值", EN: "Value"}, {ZH: "单位", EN: "Unit"}, {ZH: "标准", EN: "Standard"}}
	if before != nil {
		heads = append(heads, planner.Text{ZH: "现状", EN: "Baseline"}, planner.Text{ZH: "变化", EN: "Change"})
	} else {
		heads = append(heads, planner.Text{}, planner.Text{})
	}
	heads = append(heads, planner.Text{ZH: "代码", EN: "Key"})
	for i, h := range heads {
		c, _ := excelize.CoordinatesToCellName(i+1, row)
		if err := set(c, x.t(h), hs); err != nil {
			return err
		}
	}
	row++
	in := &a.City.Indicators
	for _, k := range SummaryIndicators() {
		kind := IndicatorKind(k)
		v := indicatorValue(in, k)
		bad := IndicatorFails(k, scopeLevel, in, &a.Profile)
		vs, err := x.style(kind, bad, false)
		if err != nil {
			return err
		}
		plain, err := x.style(kind, false, false)
		if err != nil {
			return err
		}
		r := strconv.Itoa(row)
		if err := set("A"+r, IndicatorLabel(k, x.lang), 0); err != nil {
			return err
		}
		if err := set("B"+r, v, vs); err != nil {
			return err
		}
		if err := set("C"+r, IndicatorUnit(k, x.lang), 0); err != nil {
			return err
		}
		if std, ok := IndicatorStandard(k, scopeLevel, in, &a.Profile); ok {
			if err := set("D"+r, std, plain); err != nil {
				return err
			}
		}
		if before != nil {
			b := indicatorValue(before, k)
			if err := set("E"+r, b, plain); err != nil {
				return err
			}
			if err := set("F"+r, shownChange(kind, b, v), plain); err != nil {
				return err
			}
		}
		if err := set("G"+r, k, 0); err != nil {
			return err
		}
		row++
	}

	// The standard: every figure with its clause and source.
	row++
	if err := set("A"+strconv.Itoa(row), x.t(planner.Text{ZH: "评估标准条款及来源", EN: "The standard: clauses and sources"}), sectionStyle); err != nil {
		return err
	}
	row++
	for i, h := range []planner.Text{{ZH: "标准项", EN: "Figure"}, {ZH: "数值", EN: "Value"}, {ZH: "单位", EN: "Unit"}, {ZH: "可信度", EN: "Confidence"}, {ZH: "代码", EN: "Key"}, {ZH: "条款", EN: "Clause"}, {ZH: "来源", EN: "Source"}} {
		c, _ := excelize.CoordinatesToCellName(i+1, row)
		if err := set(c, x.t(h), hs); err != nil {
			return err
		}
	}
	row++
	generalNum, err := x.namedStyle("general", &excelize.Style{NumFmt: 0, Alignment: &excelize.Alignment{Vertical: "top", Horizontal: "left"}})
	if err != nil {
		return err
	}
	for _, fg := range a.Profile.Figures {
		r := strconv.Itoa(row)
		for _, c := range []struct {
			col string
			v   any
			st  int
		}{
			{"A", x.t(fg.Label), textStyle}, {"B", fg.Value, generalNum}, {"C", FigureUnitLabel(fg.Unit, x.lang), textStyle},
			{"D", ConfidenceLabel(fg.Confidence, x.lang), textStyle}, {"E", fg.Key, textStyle},
			{"F", fg.Clause, textStyle}, {"G", fg.Source, textStyle},
		} {
			if err := set(c.col+r, c.v, c.st); err != nil {
				return err
			}
		}
		row++
	}
	return nil
}

func ptr[T any](v T) *T { return &v }

// reportRegionColumns are the indicator columns of the 街道 and 社区 sheets.
var reportRegionColumns = map[planner.Level][]string{
	planner.LevelStreet: {"communities", "residents", "elders_60", "elders_80", "elders_covered_15min", "elders_uncovered_15min",
		"coverage_15min", "coverage_5min", "coverage_10min", "street_centers", "community_stations", "communities_with_station",
		"station_community_share", "floor_required_m2", "floor_provided_m2", "floor_gap_m2", "land_required_m2", "land_provided_m2",
		"beds", "beds_per_1000_elders", "facilities_operating", "facilities_idle", "facilities_undersized", "access_2sfca_m2_per_elder"},
	planner.LevelCommunity: {"residents", "households", "elders_60", "elders_80", "elders_covered_15min", "elders_uncovered_15min",
		"coverage_15min", "coverage80_15min", "community_stations", "floor_required_m2", "floor_provided_m2", "floor_gap_m2",
		"land_required_m2", "land_provided_m2", "beds", "facilities_operating", "facilities_idle", "facilities_undersized",
		"access_2sfca_m2_per_elder", "elders_off_network", "elders_on_detached_walkways"},
}

// RegionColumns lists the indicator columns the report's street or
// community table shows, by JSON key.
func RegionColumns(l planner.Level) []string { return reportRegionColumns[l] }

func indicatorCol(k string) xcol {
	in := indicatorInfos[k]
	return xcol{head: in.label, unit: in.unit, kind: in.kind, max: 18}
}

// regionTable is one row per region of level l: its code, name, the
// regions above it and its indicators.
func (x *xlsxWriter) regionTable(a *planner.Assessment, l planner.Level, rx *regionLookup) *xtable {
	t := &xtable{cols: []xcol{
		{head: planner.Text{ZH: "代码", EN: "Code"}, kind: kindText},
		{head: planner.Text{ZH: "名称", EN: "Name"}, kind: kindText, max: 30},
	}}
	if l == planner.LevelCommunity {
		t.cols = append(t.cols, xcol{head: planner.Text{ZH: "街道(乡镇)", EN: "Street"}, kind: kindText, max: 24})
	}
	t.cols = append(t.cols, xcol{head: planner.Text{ZH: "区县", EN: "District"}, kind: kindText, max: 24})
	if l == planner.LevelCommunity {
		t.cols = append(t.cols, xcol{head: planner.Text{ZH: "城乡", EN: "Urban/rural"}, kind: kindText},
			xcol{head: planner.Text{ZH: "新建/老旧", EN: "New/old"}, kind: kindText},
			xcol{head: planner.Text{ZH: "边界", EN: "Boundary"}, kind: kindText})
	}
	keys := reportRegionColumns[l]
	for _, k := range keys {
		t.cols = append(t.cols, indicatorCol(k))
	}
	gapsOf := map[string]int{}
	if l == planner.LevelCommunity {
		t.cols = append(t.cols, xcol{head: planner.Text{ZH: "缺口条数", EN: "Gaps"}, unit: unitFacilities, kind: KindCount})
		for _, g := range a.Gaps {
			gapsOf[g.Region]++
		}
	}
	for i := range a.Regions {
		r := &a.Regions[i]
		if r.Level != l {
			continue
		}
		row := []xcell{{v: r.Code}, {v: r.Name}}
		if l == planner.LevelCommunity {
			row = append(row, xcell{v: rx.ancestor(r.Parent, planner.LevelStreet)})
		}
		row = append(row, xcell{v: rx.ancestor(r.Parent, planner.LevelDistrict)})
		if l == planner.LevelCommunity {
			row = append(row, xcell{v: AreaTypeLabel(r.AreaType, x.lang)}, xcell{v: AgeLabel(rx.region[r.Code].Age, x.lang)},
				xcell{v: BoundaryLabel(rx.region[r.Code].BoundarySource, x.lang)})
		}
		for _, k := range keys {
			row = append(row, xcell{v: indicatorValue(&r.Indicators, k), bad: IndicatorFails(k, l, &r.Indicators, &a.Profile)})
		}
		if l == planner.LevelCommunity {
			row = append(row, xcell{v: float64(gapsOf[r.Code]), bad: gapsOf[r.Code] > 0})
		}
		t.rows = append(t.rows, row)
	}
	return t
}

// FacilityFlags are the flags the facility tables show as columns.
var FacilityFlags = []planner.Flag{planner.FlagIdle, planner.FlagNotOpen, planner.FlagUndersized, planner.FlagCouldMerge, planner.FlagNoCenter, planner.FlagNoHealthNearby, planner.FlagDetached}

// facilityTable is one row per facility with its findings.
func (x *xlsxWriter) facilityTable(a *planner.Assessment, rx *regionLookup) *xtable {
	yes := x.t(planner.Text{ZH: "是", EN: "yes"})
	no := x.t(planner.Text{ZH: "否", EN: "no"})
	t := &xtable{cols: []xcol{
		{head: planner.Text{ZH: "编号", EN: "ID"}, kind: kindText},
		{head: planner.Text{ZH: "名称", EN: "Name"}, kind: kindText, max: 34},
		{head: planner.Text{ZH: "类型", EN: "Type"}, kind: kindText, max: 26},
		{head: planner.Text{ZH: "状态", EN: "Status"}, kind: kindText},
		{head: planner.Text{ZH: "运营方式", EN: "Operator"}, kind: kindText},
		{head: planner.Text{ZH: "社区代码", EN: "Community code"}, kind: kindText},
		{head: planner.Text{ZH: "社区", EN: "Community"}, kind: kindText, max: 24},
		{head: planner.Text{ZH: "街道(乡镇)", EN: "Street"}, kind: kindText, max: 24},
		{head: planner.Text{ZH: "建筑面积", EN: "Floor area"}, unit: unitM2, kind: KindArea},
		{head: planner.Text{ZH: "用地面积", EN: "Land area"}, unit: unitM2, kind: KindArea},
		{head: planner.Text{ZH: "床位", EN: "Beds"}, unit: unitBeds, kind: KindPeople},
		{head: planner.Text{ZH: "护理型床位", EN: "Nursing beds"}, unit: unitBeds, kind: KindPeople},
		{head: planner.Text{ZH: "15分钟服务圈内老人", EN: "Elders within 15 min"}, unit: unitPeople, kind: KindPeople, max: 16},
		{head: planner.Text{ZH: "圈内未被服务老人", EN: "Unserved elders in circle"}, unit: unitPeople, kind: KindPeople, max: 16},
		{head: planner.Text{ZH: "至最近卫生设施步行", EN: "Walk to nearest health facility"}, unit: planner.Text{ZH: "分钟", EN: "min"}, kind: KindRate, max: 16},
		{head: planner.Text{ZH: "计入供给", EN: "Counts as supply"}, kind: kindText},
	}}
	for _, fl := range FacilityFlags {
		t.cols = append(t.cols, xcol{head: flagLabels[fl], kind: kindText, max: 14})
	}
	t.cols = append(t.cols,
		xcol{head: planner.Text{ZH: "可合并站点", EN: "Could merge with"}, kind: kindText, max: 24},
		xcol{head: planner.Text{ZH: "所属街道中心", EN: "Run by centre"}, kind: kindText},
		xcol{head: planner.Text{ZH: "经度", EN: "Longitude"}, kind: KindCoord},
		xcol{head: planner.Text{ZH: "纬度", EN: "Latitude"}, kind: KindCoord},
	)
	for i := range a.Facilities {
		f := &a.Facilities[i]
		health := xcell{v: nil}
		if f.HealthMinutes >= 0 {
			health.v = f.HealthMinutes
		}
		health.bad = hasFlag(f.Flags, planner.FlagNoHealthNearby)
		supply := no
		if f.Supply {
			supply = yes
		}
		row := []xcell{{v: f.ID}, {v: f.Name}, {v: TypeLabel(f.Type, x.lang)}, {v: StatusLabel(f.Status, x.lang), bad: f.Status == planner.Idle},
			{v: OperatorLabel(f.Operator, x.lang)}, {v: f.Community}, {v: rx.name(f.Community)}, {v: rx.ancestor(f.Community, planner.LevelStreet)},
			{v: f.FloorArea, bad: hasFlag(f.Flags, planner.FlagUndersized)}, {v: f.LandArea}, {v: f.Beds, bad: hasFlag(f.Flags, planner.FlagUndersized)}, {v: f.NursingBeds},
			{v: f.Elders15}, {v: f.EldersUnserved, bad: f.EldersUnserved > 0.5}, health, {v: supply}}
		for _, fl := range FacilityFlags {
			c := xcell{v: ""}
			if hasFlag(f.Flags, fl) {
				c = xcell{v: yes, bad: fl != planner.FlagNotOpen && fl != planner.FlagCouldMerge}
			}
			row = append(row, c)
		}
		row = append(row, xcell{v: strings.Join(f.MergeWith, ", ")}, xcell{v: f.Center}, xcell{v: f.Lon}, xcell{v: f.Lat})
		t.rows = append(t.rows, row)
	}
	return t
}

func hasFlag(fs []planner.Flag, f planner.Flag) bool {
	for _, x := range fs {
		if x == f {
			return true
		}
	}
	return false
}

// gapTable is the ranked gap list.
func (x *xlsxWriter) gapTable(a *planner.Assessment) *xtable {
	t := &xtable{cols: []xcol{
		{head: planner.Text{ZH: "排名", EN: "Rank"}, kind: KindCount},
		{head: planner.Text{ZH: "地区代码", EN: "Region code"}, kind: kindText},
		{head: planner.Text{ZH: "地区", EN: "Region"}, kind: kindText, max: 24},
		{head: planner.Text{ZH: "层级", EN: "Level"}, kind: kindText},
		{head: planner.Text{ZH: "设施编号", EN: "Facility"}, kind: kindText},
		{head: planner.Text{ZH: "指标", EN: "Indicator"}, kind: kindText, max: 24},
		{head: planner.Text{ZH: "现状值", EN: "Value"}, kind: KindFine},
		{head: planner.Text{ZH: "标准值", EN: "Standard"}, kind: KindFine},
		{head: planner.Text{ZH: "现状值、标准值单位", EN: "Unit of value and standard"}, kind: kindText},
		{head: planner.Text{ZH: "缺口", EN: "Shortfall"}, kind: KindFine},
		{head: planner.Text{ZH: "缺口单位", EN: "Unit of shortfall"}, kind: kindText},
		{head: planner.Text{ZH: "涉及老人", EN: "Elders affected"}, unit: unitPeople, kind: KindPeople},
		{head: planner.Text{ZH: "说明", EN: "Finding"}, kind: kindText, wrap: true, max: 60},
		{head: planner.Text{ZH: "标准条款", EN: "Clause"}, kind: kindText, wrap: true, max: 50},
		{head: planner.Text{ZH: "来源", EN: "Source"}, kind: kindText, wrap: true, max: 40},
		{head: planner.Text{ZH: "标准项", EN: "Figure"}, kind: kindText, max: 36},
	}}
	for _, g := range a.Gaps {
		vu, vk := GapValueUnit(g.Indicator, g.FigureKey, x.lang)
		sk := gapShortfallKind(g.Unit)
		var value any = g.Value
		if g.Value < 0 {
			value = nil // no value: e.g. no health facility within reach at all
		}
		t.rows = append(t.rows, []xcell{{v: float64(g.Rank)}, {v: g.Region}, {v: g.RegionName}, {v: LevelLabel(g.Level, x.lang)}, {v: g.Facility},
			{v: GapIndicatorLabel(g.Indicator, x.lang)}, {v: value, bad: true, kind: &vk}, {v: g.Standard, kind: &vk}, {v: vu},
			{v: g.Shortfall, bad: true, kind: &sk}, {v: GapUnitLabel(g.Unit, x.lang)},
			{v: g.EldersAffected}, {v: pick(g.Message, x.lang)}, {v: g.Clause}, {v: g.Source}, {v: g.FigureKey}})
	}
	return t
}

// gapIndicatorLabels name the gap indicators that are not indicators of a
// region.
var gapIndicatorLabels = map[string]planner.Text{
	"stations_without_center": {ZH: "无中心带站的站点", EN: "Stations without a centre"},
	"no_health_nearby":        {ZH: "附近无卫生设施", EN: "No health facility nearby"},
	"facilities_idle":         {ZH: "闲置设施", EN: "Idle facility"},
	"facilities_undersized":   {ZH: "面积或床位不达标", EN: "Undersized facility"},
	"coverage_15min":          {ZH: "15分钟服务圈覆盖", EN: "15-minute coverage"},
	"community_stations":      {ZH: "社区养老服务站", EN: "Community station"},
	"street_centers":          {ZH: "街道养老服务中心", EN: "Street centre"},
	"floor_provided_m2":       {ZH: "社区养老服务设施建筑面积", EN: "Community elder-care floor area"},
	"land_provided_m2":        {ZH: "养老服务设施用地", EN: "Elder-care land"},
}

// GapIndicatorLabel names the indicator a gap is filed under in lang.
func GapIndicatorLabel(key, lang string) string {
	if t, ok := gapIndicatorLabels[key]; ok {
		return pick(t, lang)
	}
	return IndicatorLabel(key, lang)
}

// proposalTable is one row per scenario edit with what it brings.
func (x *xlsxWriter) proposalTable(ps []planner.ProposalEffect, rx *regionLookup) *xtable {
	t := &xtable{cols: []xcol{
		{head: planner.Text{ZH: "编号", EN: "ID"}, kind: kindText},
		{head: planner.Text{ZH: "名称", EN: "Name"}, kind: kindText, max: 34},
		{head: planner.Text{ZH: "修改", EN: "Edit"}, kind: kindText},
		{head: planner.Text{ZH: "类型", EN: "Type"}, kind: kindText, max: 26},
		{head: planner.Text{ZH: "状态", EN: "Status"}, kind: kindText},
		{head: planner.Text{ZH: "社区代码", EN: "Community code"}, kind: kindText},
		{head: planner.Text{ZH: "社区", EN: "Community"}, kind: kindText, max: 24},
		{head: planner.Text{ZH: "街道(乡镇)", EN: "Street"}, kind: kindText, max: 24},
		{head: planner.Text{ZH: "建筑面积", EN: "Floor area"}, unit: unitM2, kind: KindArea},
		{head: planner.Text{ZH: "床位", EN: "Beds"}, unit: unitBeds, kind: KindPeople},
		{head: planner.Text{ZH: "15分钟服务圈内老人", EN: "Elders within 15 min"}, unit: unitPeople, kind: KindPeople, max: 16},
		{head: planner.Text{ZH: "新增覆盖老人", EN: "Elders newly covered"}, unit: unitPeople, kind: KindPeople, max: 16},
		{head: planner.Text{ZH: "新增覆盖80岁以上老人", EN: "Elders 80+ newly covered"}, unit: unitPeople, kind: KindPeople, max: 16},
		{head: planner.Text{ZH: "覆盖率变化", EN: "Coverage change"}, unit: unitShare, kind: KindShare, max: 14},
		{head: planner.Text{ZH: "建筑面积变化", EN: "Floor area change"}, unit: unitM2, kind: KindArea, max: 14},
		{head: planner.Text{ZH: "建筑面积缺口变化", EN: "Floor-gap change"}, unit: unitM2, kind: KindArea, max: 14},
		{head: planner.Text{ZH: "床位变化", EN: "Beds change"}, unit: unitBeds, kind: KindPeople, max: 14},
		{head: planner.Text{ZH: "有站社区变化", EN: "Communities with a station, change"}, unit: unitFacilities, kind: KindCount, max: 14},
		{head: planner.Text{ZH: "有中心街道变化", EN: "Streets with a centre, change"}, unit: unitFacilities, kind: KindCount, max: 14},
		{head: planner.Text{ZH: "经度", EN: "Longitude"}, kind: KindCoord},
		{head: planner.Text{ZH: "纬度", EN: "Latitude"}, kind: KindCoord},
	}}
	for _, p := range ps {
		f := &p.Facility
		t.rows = append(t.rows, []xcell{{v: f.ID}, {v: f.Name}, {v: EditLabel(p.Op, x.lang)}, {v: TypeLabel(f.Type, x.lang)}, {v: StatusLabel(f.Status, x.lang)},
			{v: p.Community}, {v: rx.name(p.Community)}, {v: rx.ancestor(p.Community, planner.LevelStreet)},
			{v: f.FloorArea}, {v: f.Beds}, {v: p.Elders15}, {v: p.EldersCovered, bad: p.EldersCovered < -0.5}, {v: p.Elders80Covered, bad: p.Elders80Covered < -0.5},
			{v: p.Coverage15, bad: p.Coverage15 < 0}, {v: p.FloorProvided}, {v: p.FloorGap, bad: p.FloorGap > 0.5}, {v: p.Beds},
			{v: p.CommunitiesWithStation, bad: p.CommunitiesWithStation < 0}, {v: p.StreetsWithCenter, bad: p.StreetsWithCenter < 0},
			{v: f.Location[0]}, {v: f.Location[1]}})
	}
	return t
}
