package report

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/carecircle/carecircle/data"
	"github.com/carecircle/carecircle/planner"
	"github.com/paulmach/orb"
)

//go:embed template.html report.css
var assets embed.FS

var (
	pageTemplate = template.Must(template.New("template.html").ParseFS(assets, "template.html"))
	pageCSS      = func() template.CSS {
		b, err := assets.ReadFile("report.css")
		if err != nil {
			panic(err)
		}
		return template.CSS(b)
	}()
)

// Row limits of the printed tables: beyond them a table lists the rows
// that matter most and says how many it left out (the XLSX has them all).
const (
	maxCommunityRows = 400
	maxFacilityRows  = 400
	maxGapRows       = 300
	maxChartBars     = 40
	maxMapLabels     = 40
)

// head is a table column's header.
type head struct {
	Label string
	Unit  string
	Num   bool
}

// cell is a table cell; Name cells (names of places and facilities)
// do not wrap.
type cell struct {
	Text string
	Num  bool
	Name bool
	Bad  bool
	Good bool
}

// table is a printed table.
type table struct {
	Heads []head
	Rows  [][]cell
	Note  string
}

// card is a headline figure.
type card struct {
	Label  string
	Value  string
	Unit   string
	Note   string
	Before string
	Bad    bool
}

// legendItem is one entry of a map legend.
type legendItem struct {
	Swatch template.HTML
	Label  string
}

// page is everything the template shows.
type page struct {
	Lang        string
	T           map[string]string
	Sec         map[string]string
	CSS         template.CSS
	Title       string
	City        string
	Scope       string
	Profile     string
	Scenario    string
	Date        string
	Source      string
	Running     string
	Overview    []string
	Cards       []card
	HasScenario bool

	CoverageMap     template.HTML
	UncoveredMap    template.HTML
	CoverageLegend  []legendItem
	FacilityLegend  []legendItem
	StatusLegend    []legendItem
	SupplyLegend    []legendItem
	UncoveredLegend []legendItem
	UncoveredNote   string
	MapNote         string

	ChartUnit     string
	CoverageChart template.HTML
	FloorChart    template.HTML
	ChartNote     string

	Streets     *table
	Communities *table
	Facilities  *table
	Gaps        *table
	Compare     *table
	Proposals   *table
	Standards   *table
	Method      []string
	Attribution string
}

// HTML writes the printable report: one self-contained HTML file.
func HTML(w io.Writer, in Input) error {
	var buf bytes.Buffer
	if err := renderHTML(&buf, &in); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

func renderHTML(w io.Writer, in *Input) error {
	if in.Assessment == nil {
		return fmt.Errorf("html report: no assessment")
	}
	opt := in.Options
	if err := opt.Normalize(); err != nil {
		return fmt.Errorf("html report: %w", err)
	}
	a, err := in.Assessment.Scope(opt.Region, opt.Regions)
	if err != nil {
		return fmt.Errorf("html report: %w", err)
	}
	opt.Proposals = data.ScopeProposals(a, opt.Region, opt.Proposals)
	r := &renderer{a: a, opt: &opt, lang: opt.Lang, eval: in.Eval}
	r.init()
	p, err := r.page()
	if err != nil {
		return err
	}
	if err := pageTemplate.Execute(w, p); err != nil {
		return fmt.Errorf("html report: %w", err)
	}
	return nil
}

// renderer builds the page of one report.
type renderer struct {
	a     *planner.Assessment // scoped
	opt   *data.ReportOptions
	lang  string
	eval  *planner.Evaluation
	level planner.Level // of the scope
	geom  map[string]planner.Region
	names map[string]planner.RegionResult
}

func (r *renderer) init() {
	r.level = planner.LevelCity
	if rr, ok := r.a.ScopeRegion(r.opt.Region); ok && r.opt.Region != "" {
		r.level = rr.Level
	}
	r.geom = map[string]planner.Region{}
	for _, g := range r.opt.Regions {
		r.geom[g.Code] = g
	}
	r.names = map[string]planner.RegionResult{}
	for _, rr := range r.a.Regions {
		r.names[rr.Code] = rr
	}
}

// tr picks the language.
func (r *renderer) tr(zh, en string) string {
	if r.lang == "en" {
		return en
	}
	return zh
}

// group formats v with thousands separators and d decimals.
func group(v float64, d int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "–"
	}
	s := strconv.FormatFloat(math.Abs(v), 'f', d, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	if v < 0 && s != strings.Repeat("0", len(intPart)) && strings.Trim(s, "0.") != "" {
		b.WriteByte('-')
	}
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if frac != "" {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}

// pct formats a share as a percentage with one decimal.
func pct(v float64) string { return strconv.FormatFloat(v*100, 'f', 1, 64) + "%" }

// signed formats a change with its sign.
func signed(s string, v float64) string {
	if v > 0 {
		return "+" + s
	}
	return s
}

// fmtIndicator formats indicator key's value v for a table.
func fmtIndicator(key string, v float64) string {
	switch data.IndicatorKind(key) {
	case data.KindShare:
		return pct(v)
	case data.KindRate:
		return group(v, 1)
	case data.KindFine:
		return group(v, 2)
	}
	return group(v, 0)
}

// figure returns the value of a profile figure.
func (r *renderer) figure(key string) float64 {
	for _, f := range r.a.Profile.Figures {
		if f.Key == key {
			return f.Value
		}
	}
	return math.NaN()
}

// chineseNumerals number the sections.
var chineseNumerals = []string{"一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四", "十五"}

func (r *renderer) page() (*page, error) {
	a, opt := r.a, r.opt
	p := &page{Lang: r.lang, CSS: pageCSS, T: uiText(r.lang), City: a.City.Name,
		Title:    data.Pick(data.ReportTitle, r.lang),
		Scope:    data.ScopeLabel(a, opt.Region, r.lang),
		Profile:  fmt.Sprintf("%s (%s)", data.Pick(a.Profile.Title, r.lang), a.Profile.Name),
		Scenario: data.ScenarioLabel(opt),
		Date:     opt.Date.Format("2006-01-02"),
		Source:   opt.Source, HasScenario: opt.IsScenario()}
	p.Running = p.Title + " · " + a.City.Name
	if opt.Region != "" {
		if rr, ok := a.ScopeRegion(opt.Region); ok {
			p.Running += " · " + rr.Name
		}
	}
	keys := []string{"overview", "figures", "coverage_map", "uncovered_map", "charts", "streets", "communities", "facilities", "gaps"}
	if p.HasScenario {
		keys = append(keys, "scenario")
	}
	keys = append(keys, "standards", "notes")
	p.Sec = map[string]string{}
	for i, k := range keys {
		if r.lang == "en" {
			p.Sec[k] = strconv.Itoa(i+1) + "."
		} else {
			p.Sec[k] = chineseNumerals[i] + "、"
		}
	}
	p.Overview = r.overview()
	p.Cards = r.cards()
	proj := newProjection(r.bound())
	p.CoverageMap = r.coverageMap(proj)
	p.CoverageLegend = coverageLegend(r.lang)
	p.FacilityLegend, p.StatusLegend = facilityLegend(r.lang)
	p.SupplyLegend = []legendItem{p.StatusLegend[0], p.StatusLegend[len(p.StatusLegend)-1]}
	um, legend, note := r.uncoveredMap(proj)
	p.UncoveredMap, p.UncoveredLegend, p.UncoveredNote = um, legend, note
	p.ChartUnit, p.CoverageChart, p.FloorChart, p.ChartNote = r.charts()
	p.Streets = r.regionTable(planner.LevelStreet)
	p.Communities = r.regionTable(planner.LevelCommunity)
	p.Facilities = r.facilityTable()
	refs := map[string]int{}
	p.Standards = r.standardsTable(refs)
	p.Gaps = r.gapTable(refs)
	if p.HasScenario {
		p.Compare = r.compareTable()
		p.Proposals = r.proposalTable()
	}
	p.Method = r.method()
	p.Attribution = r.attribution()
	return p, nil
}

// bound is the extent the maps show: the scope's.
func (r *renderer) bound() orb.Bound {
	b := r.a.City.Bound
	return orb.Bound{Min: orb.Point{b[0], b[1]}, Max: orb.Point{b[2], b[3]}}
}

// overview is the report's opening paragraphs, in the words of a
// bureau's reply letter.
func (r *renderer) overview() []string {
	a, in := r.a, &r.a.City.Indicators
	name := a.City.Name
	if rr, ok := a.ScopeRegion(r.opt.Region); ok && r.opt.Region != "" {
		name = rr.Name
	}
	minutes := r.figure("service_circle.urban_minutes")
	var out []string
	if r.lang == "en" {
		out = append(out, fmt.Sprintf("%s has %s residents, %s of them aged 60 or over (%s aged 80 or over). It has %s elder-care facilities in operation, among them %s street centres and %s community stations; %s are idle and %s under construction or planned.",
			name, group(in.Residents, 0), group(in.Elders60, 0), group(in.Elders80, 0), group(in.Operating, 0), group(in.Centres, 0), group(in.Stations, 0), group(in.Idle, 0), group(in.NotOpen, 0)))
		s := fmt.Sprintf("Within a %g-minute walk of elder-care services live %s elders 60+, %s of them; %s are not covered.", minutes, group(in.EldersCovered15, 0), pct(in.Coverage15), group(in.EldersUncovered, 0))
		if in.Streets > 0 {
			s += fmt.Sprintf(" %s of %s streets have a street centre;", group(in.WithCentre, 0), group(in.Streets, 0))
		}
		s += fmt.Sprintf(" %s of %s communities have a community station (%s).", group(in.WithStation, 0), group(in.Communities, 0), pct(in.StationShare))
		out = append(out, s)
		s = fmt.Sprintf("Community elder-care facilities have %s m² of floor area against %s m² the standard asks; the communities short of it lack %s m² in all. Elder-care land is %s m² against %s m² required",
			group(in.FloorProvided, 0), group(in.FloorRequired, 0), group(in.FloorGap, 0), group(in.LandProvided, 0), group(in.LandRequired, 0))
		if in.LandGap > 0.5 {
			s += fmt.Sprintf(", %s m² short.", group(in.LandGap, 0))
		} else {
			s += ", which meets it."
		}
		s += fmt.Sprintf(" There are %s beds, %s per 1000 elders (standard: %g).", group(in.Beds, 0), group(in.BedsPer1000, 1), r.figure("beds.per_1000_elders"))
		out = append(out, s)
		s = fmt.Sprintf("Judged by the %s standard, the report lists %d gaps.", data.Pick(a.Profile.Title, "en"), len(a.Gaps))
		if len(a.Gaps) > 0 {
			s += " Those affecting most elders: " + r.topGaps(3) + "."
		}
		out = append(out, s)
	} else {
		out = append(out, fmt.Sprintf("%s常住人口%s人，其中60岁以上老人%s人（80岁以上%s人）。现有运营中养老服务设施%s个，其中街道养老服务中心%s个、社区养老服务站%s个；闲置设施%s个，在建及规划设施%s个。",
			name, group(in.Residents, 0), group(in.Elders60, 0), group(in.Elders80, 0), group(in.Operating, 0), group(in.Centres, 0), group(in.Stations, 0), group(in.Idle, 0), group(in.NotOpen, 0)))
		s := fmt.Sprintf("步行%g分钟养老服务圈覆盖60岁以上老人%s人，覆盖率%s，尚有%s名老人未被覆盖。", minutes, group(in.EldersCovered15, 0), pct(in.Coverage15), group(in.EldersUncovered, 0))
		if in.Streets > 0 {
			s += fmt.Sprintf("%s个街道（乡镇）中%s个建有街道养老服务中心；", group(in.Streets, 0), group(in.WithCentre, 0))
		}
		s += fmt.Sprintf("%s个社区（村）中%s个建有社区养老服务站（%s）。", group(in.Communities, 0), group(in.WithStation, 0), pct(in.StationShare))
		out = append(out, s)
		s = fmt.Sprintf("社区养老服务设施建筑面积%s平方米，按标准应有%s平方米，未达标社区合计缺口%s平方米；养老服务设施用地%s平方米，按人均%g平方米应有%s平方米",
			group(in.FloorProvided, 0), group(in.FloorRequired, 0), group(in.FloorGap, 0), group(in.LandProvided, 0), r.figure("area.land_per_resident_m2"), group(in.LandRequired, 0))
		if in.LandGap > 0.5 {
			s += fmt.Sprintf("，缺口%s平方米。", group(in.LandGap, 0))
		} else {
			s += "，已达标。"
		}
		s += fmt.Sprintf("养老床位%s张，每千名老年人%s张（标准%g张）。", group(in.Beds, 0), group(in.BedsPer1000, 1), r.figure("beds.per_1000_elders"))
		out = append(out, s)
		s = fmt.Sprintf("按%s评估，共有缺口%d条。", data.Pick(a.Profile.Title, "zh"), len(a.Gaps))
		if len(a.Gaps) > 0 {
			s += "涉及老人最多的是：" + r.topGaps(3) + "。"
		}
		out = append(out, s)
	}
	if r.opt.IsScenario() {
		out = append(out, r.scenarioSentence())
	}
	return out
}

// topGaps joins the messages of the first n gaps.
func (r *renderer) topGaps(n int) string {
	var parts []string
	for i := 0; i < n && i < len(r.a.Gaps); i++ {
		parts = append(parts, strings.TrimRight(data.Pick(r.a.Gaps[i].Message, r.lang), "。."))
	}
	return strings.Join(parts, r.tr("；", "; "))
}

// scenarioSentence says what the scenario changes against the baseline.
func (r *renderer) scenarioSentence() string {
	sc := r.opt.Scenario
	in := &r.a.City.Indicators
	before := data.BaselineOf(r.opt)
	if r.lang == "en" {
		s := fmt.Sprintf("Scenario “%s” %s.", sc.Name, editCounts(sc, "en"))
		if before != nil {
			s += fmt.Sprintf(" With it, 15-minute coverage goes from %s to %s (%s elders newly covered) and the floor-area gap from %s m² to %s m².",
				pct(before.Coverage15), pct(in.Coverage15), group(in.EldersCovered15-before.EldersCovered15, 0), group(before.FloorGap, 0), group(in.FloorGap, 0))
		}
		return s
	}
	s := fmt.Sprintf("方案“%s”%s。", sc.Name, editCounts(sc, "zh"))
	if before != nil {
		s += fmt.Sprintf("实施后15分钟覆盖率由%s变为%s（新增覆盖老人%s人），建筑面积缺口由%s平方米变为%s平方米。",
			pct(before.Coverage15), pct(in.Coverage15), group(in.EldersCovered15-before.EldersCovered15, 0), group(before.FloorGap, 0), group(in.FloorGap, 0))
	}
	return s
}

// editCounts says what a scenario changes: "新增设施2处、关闭1处".
func editCounts(sc *planner.Scenario, lang string) string {
	var parts []string
	for _, c := range []struct {
		n      int
		zh, en string
	}{{len(sc.Added), "新增设施%d处", "adds %d facilities"}, {len(sc.Changed), "调整%d处", "changes %d"}, {len(sc.Closed), "关闭%d处", "closes %d"}} {
		if c.n > 0 {
			parts = append(parts, fmt.Sprintf(map[string]string{"zh": c.zh, "en": c.en}[lang], c.n))
		}
	}
	if len(parts) == 0 {
		return map[string]string{"zh": "没有修改", "en": "makes no edit"}[lang]
	}
	if lang == "en" {
		return strings.Join(parts, ", ")
	}
	return strings.Join(parts, "、")
}

// cards are the headline figures.
func (r *renderer) cards() []card {
	in := &r.a.City.Indicators
	before := data.BaselineOf(r.opt)
	fails := func(k string) bool { return data.IndicatorFails(k, r.level, in, &r.a.Profile) }
	// was shows the baseline's figure where a scenario changed it.
	was := func(k string) string {
		if before == nil {
			return ""
		}
		b := data.IndicatorValue(before, k)
		if math.Abs(b-data.IndicatorValue(in, k)) < 1e-9*math.Max(1, math.Abs(b)) {
			return ""
		}
		return fmtIndicator(k, b)
	}
	cs := []card{
		{Label: r.tr("60岁以上老人", "Elders 60+"), Value: group(in.Elders60, 0), Unit: r.tr("人", "people"),
			Note: r.tr("其中80岁以上 ", "80+: ") + group(in.Elders80, 0), Before: was("elders_60")},
		{Label: r.tr("15分钟服务圈覆盖率", "15-minute coverage"), Value: pct(in.Coverage15), Bad: fails("coverage_15min"),
			Note: r.tr("未覆盖老人 ", "not covered: ") + group(in.EldersUncovered, 0) + r.tr("人", ""), Before: was("coverage_15min")},
		{Label: r.tr("社区养老建筑面积缺口", "Floor-area gap"), Value: group(in.FloorGap, 0), Unit: "m²", Bad: fails("floor_gap_m2"),
			Note: r.tr("应有 ", "required ") + group(in.FloorRequired, 0) + r.tr("，现有 ", ", provided ") + group(in.FloorProvided, 0), Before: was("floor_gap_m2")},
		{Label: r.tr("养老用地缺口", "Land gap"), Value: group(in.LandGap, 0), Unit: "m²", Bad: fails("land_gap_m2"),
			Note: r.tr("应有 ", "required ") + group(in.LandRequired, 0) + r.tr("，现有 ", ", provided ") + group(in.LandProvided, 0), Before: was("land_gap_m2")},
		{Label: r.tr("每千名老人床位", "Beds per 1000 elders"), Value: group(in.BedsPer1000, 1), Unit: r.tr("张", "beds"), Bad: fails("beds_per_1000_elders"),
			Note: r.tr("标准 ", "standard ") + group(r.figure("beds.per_1000_elders"), 0) + r.tr("张；床位 ", "; beds ") + group(in.Beds, 0), Before: was("beds_per_1000_elders")},
		{Label: r.tr("有养老服务站的社区", "Communities with a station"), Value: group(in.WithStation, 0) + " / " + group(in.Communities, 0), Bad: fails("communities_with_station"),
			Note: pct(in.StationShare), Before: was("communities_with_station")},
	}
	if in.Streets > 0 {
		cs = append(cs, card{Label: r.tr("有养老服务中心的街道", "Streets with a centre"), Value: group(in.WithCentre, 0) + " / " + group(in.Streets, 0), Bad: fails("streets_with_center"),
			Note: r.tr("街道养老服务中心 ", "street centres: ") + group(in.Centres, 0), Before: was("streets_with_center")})
	}
	cs = append(cs, card{Label: r.tr("闲置设施", "Idle facilities"), Value: group(in.Idle, 0), Unit: r.tr("个", ""), Bad: in.Idle > 0,
		Note: r.tr("运营中 ", "operating: ") + group(in.Operating, 0), Before: was("facilities_idle")},
		card{Label: r.tr("缺口条数", "Gaps"), Value: strconv.Itoa(len(r.a.Gaps)), Unit: r.tr("条", ""), Bad: len(r.a.Gaps) > 0,
			Note: r.tr("见缺口清单", "see the gap list")})
	return cs
}

// regionTable is the printed table of the streets or communities of the
// scope.
func (r *renderer) regionTable(l planner.Level) *table {
	var rows []*planner.RegionResult
	for i := range r.a.Regions {
		if r.a.Regions[i].Level == l {
			rows = append(rows, &r.a.Regions[i])
		}
	}
	if len(rows) == 0 {
		return nil
	}
	t := &table{}
	name := r.tr("街道(乡镇)", "Street")
	parentLevel := planner.LevelDistrict
	keys := []string{"communities", "elders_60", "coverage_15min", "elders_uncovered_15min", "street_centers", "communities_with_station",
		"floor_required_m2", "floor_provided_m2", "floor_gap_m2", "beds_per_1000_elders"}
	if l == planner.LevelCommunity {
		name = r.tr("社区(村)", "Community")
		parentLevel = planner.LevelStreet
		keys = []string{"elders_60", "elders_80", "coverage_15min", "elders_uncovered_15min", "community_stations",
			"floor_required_m2", "floor_provided_m2", "floor_gap_m2", "beds"}
	}
	t.Heads = append(t.Heads, head{Label: name})
	parents := map[string]bool{}
	for _, rr := range rows {
		if n := r.ancestorName(rr.Parent, parentLevel); n != "" {
			parents[n] = true
		}
	}
	showParent := len(parents) > 1
	if showParent {
		t.Heads = append(t.Heads, head{Label: data.LevelLabel(parentLevel, r.lang)})
	}
	for _, k := range keys {
		t.Heads = append(t.Heads, head{Label: data.IndicatorLabel(k, r.lang), Unit: data.IndicatorUnit(k, r.lang), Num: true})
	}
	// Where communities' boundaries were derived by import, say so.
	showBoundary := false
	for _, rr := range rows {
		showBoundary = showBoundary || r.geom[rr.Code].BoundarySource != ""
	}
	if showBoundary {
		t.Heads = append(t.Heads, head{Label: r.tr("边界", "Boundary")})
	}
	if len(rows) > maxCommunityRows {
		sort.SliceStable(rows, func(i, j int) bool {
			return rows[i].Indicators.EldersUncovered+rows[i].Indicators.FloorGap > rows[j].Indicators.EldersUncovered+rows[j].Indicators.FloorGap
		})
		t.Note = fmt.Sprintf(r.tr("共%d个，此处列出未覆盖老人与建筑面积缺口最大的%d个；全部见 XLSX 报告。", "%d in all; the %d with the most uncovered elders and floor gap are listed here, all of them in the XLSX report."), len(rows), maxCommunityRows)
		rows = rows[:maxCommunityRows]
	}
	for _, rr := range rows {
		row := []cell{{Text: rr.Name, Name: true}}
		if showParent {
			row = append(row, cell{Text: r.ancestorName(rr.Parent, parentLevel), Name: true})
		}
		for _, k := range keys {
			v := data.IndicatorValue(&rr.Indicators, k)
			row = append(row, cell{Text: fmtIndicator(k, v), Num: true, Bad: data.IndicatorFails(k, l, &rr.Indicators, &r.a.Profile)})
		}
		if showBoundary {
			row = append(row, cell{Text: data.BoundaryLabel(r.geom[rr.Code].BoundarySource, r.lang)})
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// ancestorName is the name of code's ancestor (or itself) at level l.
func (r *renderer) ancestorName(code string, l planner.Level) string {
	for i := 0; code != "" && i < 8; i++ {
		rr, ok := r.names[code]
		if !ok {
			g, ok := r.geom[code]
			if !ok {
				return ""
			}
			rr = planner.RegionResult{Code: g.Code, Name: g.Name, Level: g.Level, Parent: g.Parent}
		}
		if rr.Level == l {
			return rr.Name
		}
		code = rr.Parent
	}
	return ""
}

// facilityTable lists the facilities with their findings.
func (r *renderer) facilityTable() *table {
	fs := r.a.Facilities
	if len(fs) == 0 {
		return nil
	}
	t := &table{Heads: []head{{Label: r.tr("名称", "Name")}, {Label: r.tr("类型", "Type")}, {Label: r.tr("状态", "Status")}, {Label: r.tr("社区", "Community")},
		{Label: r.tr("建筑面积", "Floor area"), Unit: "m²", Num: true}, {Label: r.tr("床位", "Beds"), Unit: r.tr("张", "beds"), Num: true},
		{Label: r.tr("15分钟服务圈内老人", "Elders within 15 min"), Unit: r.tr("人", "people"), Num: true}, {Label: r.tr("发现的问题", "Findings")}}}
	idx := make([]int, len(fs))
	for i := range idx {
		idx[i] = i
	}
	if len(fs) > maxFacilityRows {
		flagged := func(f *planner.FacilityResult) bool {
			for _, fl := range f.Flags {
				if fl != planner.FlagNotOpen {
					return true
				}
			}
			return false
		}
		sort.SliceStable(idx, func(i, j int) bool { return flagged(&fs[idx[i]]) && !flagged(&fs[idx[j]]) })
		t.Note = fmt.Sprintf(r.tr("共%d处，此处先列有问题的设施，共列%d处；全部见 XLSX 报告。", "%d in all; facilities with findings come first, %d are listed here, all of them in the XLSX report."), len(fs), maxFacilityRows)
		idx = idx[:maxFacilityRows]
	}
	for _, i := range idx {
		f := &fs[i]
		var flags []string
		for _, fl := range f.Flags {
			flags = append(flags, data.FlagLabel(fl, r.lang))
		}
		undersized := hasFlag(f.Flags, planner.FlagUndersized)
		t.Rows = append(t.Rows, []cell{{Text: f.Name, Name: true}, {Text: data.TypeLabel(f.Type, r.lang)}, {Text: data.StatusLabel(f.Status, r.lang), Bad: f.Status == planner.Idle},
			{Text: r.names[f.Community].Name, Name: true}, {Text: group(f.FloorArea, 0), Num: true, Bad: undersized}, {Text: group(f.Beds, 0), Num: true, Bad: undersized},
			{Text: group(f.Elders15, 0), Num: true}, {Text: strings.Join(flags, r.tr("、", ", ")), Bad: len(flags) > 0 && !(len(flags) == 1 && f.Flags[0] == planner.FlagNotOpen)}})
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

// standardsTable lists every figure of the profile with its clause and
// source, numbered; refs receives each figure key's number, and figures
// a gap cites that the profile's list lacks are added at the end.
func (r *renderer) standardsTable(refs map[string]int) *table {
	t := &table{Heads: []head{{Label: "#", Num: true}, {Label: r.tr("标准项", "Figure")}, {Label: r.tr("数值", "Value"), Num: true},
		{Label: r.tr("条款", "Clause")}, {Label: r.tr("来源", "Source")}, {Label: r.tr("可信度", "Confidence")}}}
	for _, f := range r.a.Profile.Figures {
		refs[f.Key] = len(t.Rows) + 1
		t.Rows = append(t.Rows, []cell{{Text: strconv.Itoa(len(t.Rows) + 1), Num: true}, {Text: data.Pick(f.Label, r.lang)},
			{Text: data.FigureValueText(f.Value, f.Unit, r.lang), Num: true},
			{Text: f.Clause}, {Text: f.Source}, {Text: data.ConfidenceLabel(f.Confidence, r.lang), Name: true}})
	}
	for _, g := range r.a.Gaps {
		if _, ok := refs[g.FigureKey]; ok || g.FigureKey == "" {
			continue
		}
		refs[g.FigureKey] = len(t.Rows) + 1
		label := g.FigureKey
		if g.FigureKey == "supply.statuses" {
			label = r.tr("计入供给的设施状态", "Statuses that count as supply")
		}
		t.Rows = append(t.Rows, []cell{{Text: strconv.Itoa(len(t.Rows) + 1), Num: true}, {Text: label}, {Text: ""}, {Text: g.Clause}, {Text: g.Source}, {Text: ""}})
	}
	return t
}

// gapTable is the ranked gap list; each gap cites its figure's number in
// the standards table.
func (r *renderer) gapTable(refs map[string]int) *table {
	gs := r.a.Gaps
	if len(gs) == 0 {
		return nil
	}
	t := &table{Heads: []head{{Label: r.tr("序号", "Rank"), Num: true}, {Label: r.tr("地区", "Region")}, {Label: r.tr("缺口说明", "Finding")},
		{Label: r.tr("缺口", "Shortfall"), Num: true}, {Label: r.tr("涉及老人", "Elders affected"), Unit: r.tr("人", "people"), Num: true}, {Label: r.tr("依据", "Standard")}}}
	if len(gs) > maxGapRows {
		t.Note = fmt.Sprintf(r.tr("共%d条，此处列出涉及老人最多的%d条；全部见 XLSX 或 CSV 报告。", "%d in all; the %d affecting most elders are listed here, all of them in the XLSX or CSV report."), len(gs), maxGapRows)
		gs = gs[:maxGapRows]
	}
	for _, g := range gs {
		short := group(g.Shortfall, 0)
		switch g.Unit {
		case "share":
			short = pct(g.Shortfall)
		case "m2":
			short += " m²"
		default:
			short += " " + data.GapUnitLabel(g.Unit, r.lang)
		}
		basis := data.GapIndicatorLabel(g.Indicator, r.lang)
		if n, ok := refs[g.FigureKey]; ok {
			basis = fmt.Sprintf("[%d] %s", n, basis)
		}
		t.Rows = append(t.Rows, []cell{{Text: strconv.Itoa(g.Rank), Num: true}, {Text: g.RegionName, Name: true}, {Text: data.Pick(g.Message, r.lang)},
			{Text: short, Num: true, Bad: true}, {Text: group(g.EldersAffected, 0), Num: true}, {Text: basis}})
	}
	return t
}

// compareTable sets the scenario's headline figures beside the baseline's.
func (r *renderer) compareTable() *table {
	before := data.BaselineOf(r.opt)
	if before == nil {
		return nil
	}
	in := &r.a.City.Indicators
	t := &table{Heads: []head{{Label: r.tr("指标", "Indicator")}, {Label: r.tr("现状", "Baseline"), Num: true}, {Label: r.tr("方案", "Scenario"), Num: true}, {Label: r.tr("变化", "Change"), Num: true}}}
	for _, k := range []string{"elders_covered_15min", "elders_uncovered_15min", "coverage_15min", "floor_provided_m2", "floor_gap_m2", "land_gap_m2",
		"beds", "beds_per_1000_elders", "communities_with_station", "streets_with_center", "facilities_proposed", "access_2sfca_m2_per_elder"} {
		b, v := data.IndicatorValue(before, k), data.IndicatorValue(in, k)
		change := fmtIndicator(k, v-b)
		if data.IndicatorKind(k) == data.KindShare {
			change = strconv.FormatFloat((v-b)*100, 'f', 1, 64) + r.tr("个百分点", " points")
		}
		good := (v > b) != (k == "elders_uncovered_15min" || k == "floor_gap_m2" || k == "land_gap_m2")
		t.Rows = append(t.Rows, []cell{{Text: data.IndicatorLabel(k, r.lang) + unitSuffix(data.IndicatorUnit(k, r.lang)), Name: true},
			{Text: fmtIndicator(k, b), Num: true}, {Text: fmtIndicator(k, v), Num: true, Bad: data.IndicatorFails(k, r.level, in, &r.a.Profile)},
			{Text: signed(change, v-b), Num: true, Good: math.Abs(v-b) > 1e-9 && good, Bad: math.Abs(v-b) > 1e-9 && !good}})
	}
	return t
}

func unitSuffix(u string) string {
	if u == "" || u == "%" {
		return ""
	}
	return " (" + u + ")"
}

// proposalTable lists the scenario's edits and what each brings, judged
// as the last edit made.
func (r *renderer) proposalTable() *table {
	t := &table{Heads: []head{{Label: r.tr("名称", "Name")}, {Label: r.tr("修改", "Edit")}, {Label: r.tr("类型", "Type")}, {Label: r.tr("社区", "Community")},
		{Label: r.tr("建筑面积", "Floor area"), Unit: "m²", Num: true}, {Label: r.tr("床位", "Beds"), Unit: r.tr("张", "beds"), Num: true},
		{Label: r.tr("服务圈内老人", "Elders in circle"), Unit: r.tr("人", "people"), Num: true},
		{Label: r.tr("新增覆盖老人", "Newly covered"), Unit: r.tr("人", "people"), Num: true},
		{Label: r.tr("覆盖率变化", "Coverage change"), Unit: r.tr("百分点", "points"), Num: true},
		{Label: r.tr("面积缺口变化", "Floor-gap change"), Unit: "m²", Num: true}}}
	for _, p := range r.opt.Proposals {
		f := &p.Facility
		t.Rows = append(t.Rows, []cell{{Text: f.Name, Name: true}, {Text: data.EditLabel(p.Op, r.lang)}, {Text: data.TypeLabel(f.Type, r.lang)},
			{Text: r.names[p.Community].Name, Name: true}, {Text: group(f.FloorArea, 0), Num: true}, {Text: group(f.Beds, 0), Num: true},
			{Text: group(p.Elders15, 0), Num: true},
			{Text: signed(group(p.EldersCovered, 0), p.EldersCovered), Num: true, Good: p.EldersCovered > 0.5, Bad: p.EldersCovered < -0.5},
			{Text: signed(strconv.FormatFloat(p.Coverage15*100, 'f', 2, 64), p.Coverage15), Num: true},
			{Text: signed(group(p.FloorGap, 0), p.FloorGap), Num: true, Good: p.FloorGap < -0.5, Bad: p.FloorGap > 0.5}})
	}
	if len(t.Rows) == 0 {
		t.Note = r.tr("方案在本范围内没有修改。", "The scenario makes no edit in this scope.")
	}
	return t
}

// method explains how the figures were made.
func (r *renderer) method() []string {
	speed := r.figure("walking.speed_mps")
	minutes := r.figure("service_circle.urban_minutes")
	rural := r.figure("service_circle.rural_m")
	steps := r.figure("walking.steps_factor")
	snap := r.figure("walking.max_snap_m")
	if r.lang == "en" {
		return []string{
			fmt.Sprintf("Walks follow the real walking network, never straight lines, at an elder's %g m/s; steps take %g times as long. Elders in towns count as covered within a %g-minute walk of an operating facility, in villages within %g m. A home more than %g m from every walkway counts as not covered; walks stay on the piece of walkway a home or facility is on, so a piece not connected to the main network is served only from itself.", speed, steps, minutes, rural, snap),
			"Idle, planned and under-construction facilities are listed but serve no one; a scenario's proposed facilities are judged as if built. Streets, districts and the city hold the sums of their communities.",
			"Each gap names the clause and source of the figure it breaks (section “The standard”). Figures marked “setting” are CareCircle's modelling choices, not figures of a standard.",
		}
	}
	return []string{
		fmt.Sprintf("步行时间沿真实步行网络计算，不用直线距离；老年人步速按%g米/秒，台阶路段按%g倍时间计。城镇老人在运营中设施%g分钟步行范围内、农村老人在%g米范围内，计为已覆盖。距任何步行道超过%g米的住户计为未覆盖；步行只在住户或设施所在的连通路网内进行，与主路网不连通的路段只能由其上的设施服务。", speed, steps, minutes, rural, snap),
		"闲置、在建和规划设施列入清单但不计供给；方案中的拟建设施按建成后计算。街道、区县和全市的数值为其所辖社区之和。",
		"每条缺口均注明所依据的标准条款及来源（见“评估标准条款及来源”）；可信度为“模型设定”的数值为本系统的计算设定，并非标准原文规定。",
	}
}

// attribution credits the map data.
func (r *renderer) attribution() string {
	if r.opt.FromOSM {
		return r.tr("地图数据：步行网络与底图 © OpenStreetMap 贡献者，依开放数据库许可（ODbL）使用，详见 openstreetmap.org/copyright。",
			"Map data: walking network and base map © OpenStreetMap contributors, available under the Open Database License (ODbL); see openstreetmap.org/copyright.")
	}
	return r.tr("本报告的城市为 CareCircle 生成的合成演示城市，地图并非真实地理数据。用于真实城市时，步行网络与底图来自 OpenStreetMap：© OpenStreetMap 贡献者，依开放数据库许可（ODbL）使用，详见 openstreetmap.org/copyright。",
		"The city of this report is a synthetic demo city made by CareCircle's generator, not real map data. For real cities the walking network and base map come from OpenStreetMap: © OpenStreetMap contributors, available under the Open Database License (ODbL); see openstreetmap.org/copyright.")
}

// uiText is the page's fixed wording.
func uiText(lang string) map[string]string {
	zh := map[string]string{
		"cover_kicker": "养老服务设施规划评估", "city": "城市", "scope": "评估范围", "profile": "评估标准", "scenario": "方案", "date": "报告日期",
		"source": "数据来源", "made_by": "由 CareCircle 根据步行网络计算生成", "overview": "概况", "figures": "主要指标",
		"before": "现状", "coverage_map": "15分钟养老服务圈覆盖情况", "coverage_map_note": "社区按60岁以上老人15分钟步行覆盖率着色，符号为养老服务设施。",
		"uncovered_map": "未覆盖老人分布", "coverage_legend": "覆盖率", "facility_legend": "设施类型", "status_legend": "设施状态",
		"uncovered_legend": "未覆盖老人（人/格）", "supply_legend": "提供服务的设施", "charts": "分街道覆盖率与建筑面积缺口", "coverage_chart": "15分钟服务圈覆盖率",
		"floor_chart": "社区养老服务设施建筑面积缺口（m²）", "streets": "街道情况", "communities": "社区情况", "facilities": "设施情况",
		"gaps": "缺口清单", "gaps_note": "按涉及老人数排序；“依据”中的编号对应“评估标准条款及来源”。", "scenario_title": "方案及效果",
		"compare": "方案实施前后对比", "proposals": "方案修改及各自效果", "proposals_note": "每处修改的效果按“最后实施”计算：方案全部修改与撤销该处修改之差；多处修改服务同一批老人时，各自效果之和小于方案整体效果。",
		"standards": "评估标准条款及来源", "notes": "数据与方法说明", "no_rows": "无", "none_gaps": "未发现缺口。",
	}
	en := map[string]string{
		"cover_kicker": "Elder-care facility planning assessment", "city": "City", "scope": "Scope", "profile": "Standards profile", "scenario": "Scenario", "date": "Date",
		"source": "Data", "made_by": "Made by CareCircle from walks on the street network", "overview": "Overview", "figures": "Headline figures",
		"before": "baseline", "coverage_map": "15-minute service-circle coverage", "coverage_map_note": "Communities are coloured by the share of their elders 60+ within a 15-minute walk; symbols are elder-care facilities.",
		"uncovered_map": "Where uncovered elders live", "coverage_legend": "Coverage", "facility_legend": "Facility type", "status_legend": "Status",
		"uncovered_legend": "Uncovered elders per cell", "supply_legend": "Facilities that serve", "charts": "Coverage and floor-area gap by street", "coverage_chart": "15-minute coverage",
		"floor_chart": "Community elder-care floor-area gap (m²)", "streets": "Streets", "communities": "Communities", "facilities": "Facilities",
		"gaps": "Gap list", "gaps_note": "Ranked by elders affected; the number under “Standard” refers to “The standard: clauses and sources”.", "scenario_title": "The scenario and its effect",
		"compare": "Before and after", "proposals": "Edits and what each brings", "proposals_note": "Each edit is judged as if made last: the scenario against the scenario without that edit. Edits serving the same elders each add little last, so their effects need not add up to the whole.",
		"standards": "The standard: clauses and sources", "notes": "Data and method", "no_rows": "none", "none_gaps": "No gaps found.",
	}
	if lang == "en" {
		return en
	}
	return zh
}
