package report

import (
	"fmt"
	"html/template"
	"math"
	"sort"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/uber/h3-go/v4"

	"github.com/carecircle/carecircle/data"
	"github.com/carecircle/carecircle/planner"
)

// coverageClasses colour a region by its 15-minute coverage, worst first;
// a region with no elders is grey.
var coverageClasses = []struct {
	min   float64
	color string
	label string
}{
	{0, "#d73027", "< 50%"},
	{0.5, "#fc8d59", "50–70%"},
	{0.7, "#fee08b", "70–85%"},
	{0.85, "#91cf60", "85–99.9%"},
	{0.9995, "#1a9850", "100%"},
}

const noEldersColor = "#e5e7eb"

func coverageColor(in *planner.Indicators) string {
	if in.Elders60 <= 0 {
		return noEldersColor
	}
	c := coverageClasses[0].color
	for _, k := range coverageClasses {
		if in.Coverage15 >= k.min {
			c = k.color
		}
	}
	return c
}

func coverageLegend(lang string) []legendItem {
	var out []legendItem
	for i := len(coverageClasses) - 1; i >= 0; i-- {
		k := coverageClasses[i]
		out = append(out, legendItem{Swatch: swatch(k.color), Label: k.label})
	}
	out = append(out, legendItem{Swatch: swatch(noEldersColor), Label: map[string]string{"zh": "无老人", "en": "no elders"}[lang]})
	return out
}

func swatch(color string) template.HTML {
	return template.HTML(`<span class="swatch" style="background:` + color + `"></span>`)
}

// facilityShapes draw each facility type.
var facilityShapes = map[planner.FacilityType]string{
	planner.StreetCenter:     "square",
	planner.CommunityStation: "circle",
	planner.DayCare:          "triangle",
	planner.Canteen:          "diamond",
	planner.RuralPoint:       "circle",
	planner.Institution:      "cross",
}

// statusStyles fill a facility symbol by its status.
var statusStyles = []struct {
	statuses     []planner.FacilityStatus
	fill, stroke string
	label        planner.Text
}{
	{[]planner.FacilityStatus{planner.Operating}, "#1f4e9c", "#ffffff", planner.Text{ZH: "运营中", EN: "operating"}},
	{[]planner.FacilityStatus{planner.Idle}, "#ffffff", "#d9480f", planner.Text{ZH: "闲置", EN: "idle"}},
	{[]planner.FacilityStatus{planner.UnderConstruction, planner.Planned}, "#adb5bd", "#495057", planner.Text{ZH: "在建/规划", EN: "under construction / planned"}},
	{[]planner.FacilityStatus{planner.Proposed}, "#c2255c", "#ffffff", planner.Text{ZH: "拟建（方案）", EN: "proposed (scenario)"}},
}

func statusStyle(s planner.FacilityStatus) (fill, stroke string, order int) {
	for i, st := range statusStyles {
		for _, x := range st.statuses {
			if x == s {
				// Draw operating over the rest, proposed on top.
				return st.fill, st.stroke, map[int]int{0: 2, 1: 1, 2: 0, 3: 3}[i]
			}
		}
	}
	return "#868e96", "#fff", 0
}

func facilityLegend(lang string) (types, statuses []legendItem) {
	for _, t := range planner.ElderCareTypes() {
		if t == planner.RuralPoint {
			continue // drawn as a station
		}
		types = append(types, legendItem{Swatch: legendSymbol(facilityShapes[t], "#1f4e9c", "#1f4e9c"), Label: data.TypeLabel(t, lang)})
	}
	for _, st := range statusStyles {
		statuses = append(statuses, legendItem{Swatch: legendSymbol("circle", st.fill, st.stroke), Label: data.Pick(st.label, lang)})
	}
	return types, statuses
}

// mapFrame opens a map's SVG.
func mapFrame(b *strings.Builder, p *projection, title string) {
	fmt.Fprintf(b, `<svg class="map" viewBox="0 0 %s %s" role="img" aria-label="%s" preserveAspectRatio="xMidYMid meet">`, f1(p.w), f1(p.h), esc(title))
	fmt.Fprintf(b, `<rect width="%s" height="%s" fill="#f8fafc"/>`, f1(p.w), f1(p.h))
}

// regionPaths draws the regions of level l in the scope, fill decided per
// region ("" for none).
func (r *renderer) regionPaths(b *strings.Builder, p *projection, l planner.Level, fill func(*planner.RegionResult) string, stroke string, width float64) {
	fmt.Fprintf(b, `<g fill-rule="evenodd" stroke="%s" stroke-width="%s" stroke-linejoin="round">`, stroke, f1(width))
	for i := range r.a.Regions {
		rr := &r.a.Regions[i]
		if rr.Level != l {
			continue
		}
		g, ok := r.geom[rr.Code]
		if !ok {
			continue
		}
		d := pathData(p.geometry(g.Boundary))
		if d == "" {
			continue
		}
		f := "none"
		if fill != nil {
			f = fill(rr)
		}
		fmt.Fprintf(b, `<path d="%s" fill="%s"><title>%s</title></path>`, d, f, esc(rr.Name))
	}
	b.WriteString(`</g>`)
}

// outlines draws the boundaries of the scope's regions: communities thin,
// streets thicker, districts and the scope thickest.
func (r *renderer) outlines(b *strings.Builder, p *projection, color string) {
	for _, o := range []struct {
		l planner.Level
		w float64
	}{{planner.LevelStreet, 1.6}, {planner.LevelDistrict, 2.6}} {
		if r.level == o.l || levelRank(r.level) < levelRank(o.l) {
			r.regionPaths(b, p, o.l, nil, color, o.w)
		}
	}
	if g, ok := r.geom[r.opt.Region]; ok && r.opt.Region != "" {
		if d := pathData(p.geometry(g.Boundary)); d != "" {
			fmt.Fprintf(b, `<path d="%s" fill="none" stroke="#111" stroke-width="3"/>`, d)
		}
	}
}

func levelRank(l planner.Level) int {
	switch l {
	case planner.LevelCity:
		return 0
	case planner.LevelDistrict:
		return 1
	case planner.LevelStreet:
		return 2
	}
	return 3
}

// labels writes the names of the regions one level below the scope (or
// the districts of a large city) at their centres, when there are few
// enough to read.
func (r *renderer) labels(b *strings.Builder, p *projection) {
	var pick []*planner.RegionResult
	for _, l := range []planner.Level{planner.LevelDistrict, planner.LevelStreet, planner.LevelCommunity} {
		if levelRank(l) <= levelRank(r.level) {
			continue
		}
		pick = pick[:0]
		for i := range r.a.Regions {
			if r.a.Regions[i].Level == l {
				pick = append(pick, &r.a.Regions[i])
			}
		}
		if len(pick) > 1 {
			break
		}
	}
	if len(pick) == 0 || len(pick) > maxMapLabels {
		return
	}
	size := 15.0
	if len(pick) > 20 {
		size = 12
	}
	b.WriteString(`<g class="labels" text-anchor="middle" paint-order="stroke" stroke="#fff" stroke-width="3.5" stroke-linejoin="round" fill="#111">`)
	for _, rr := range pick {
		g, ok := r.geom[rr.Code]
		if !ok {
			continue
		}
		mp := p.geometry(g.Boundary)
		if len(mp) == 0 {
			continue
		}
		// The largest part's centroid.
		best, area := mp[0], 0.0
		for _, poly := range mp {
			if a := math.Abs(planar.Area(poly)); a > area {
				best, area = poly, a
			}
		}
		c, _ := planar.CentroidArea(best)
		fmt.Fprintf(b, `<text x="%s" y="%s" font-size="%s" font-weight="bold">%s</text>`, f1(c[0]), f1(c[1]+size/3), f1(size), esc(clip(rr.Name, 10)))
	}
	b.WriteString(`</g>`)
}

// facilities draws the scope's facilities, not-open ones under operating
// ones and proposed on top; r is the symbol radius. onlySupply keeps the
// facilities that serve.
func (r *renderer) facilities(b *strings.Builder, p *projection, radius float64, onlySupply bool) {
	fs := make([]*planner.FacilityResult, 0, len(r.a.Facilities))
	for i := range r.a.Facilities {
		f := &r.a.Facilities[i]
		if onlySupply && !f.Supply {
			continue
		}
		fs = append(fs, f)
	}
	sort.SliceStable(fs, func(i, j int) bool {
		_, _, a := statusStyle(fs[i].Status)
		_, _, b := statusStyle(fs[j].Status)
		return a < b
	})
	if len(fs) > 1500 {
		radius *= 0.55
	}
	b.WriteString(`<g class="facilities">`)
	for _, f := range fs {
		fill, stroke, _ := statusStyle(f.Status)
		shape := facilityShapes[f.Type]
		rad := radius
		if f.Type == planner.StreetCenter || f.Type == planner.Institution {
			rad *= 1.2
		}
		symbol(b, shape, p.pt(orb.Point{f.Lon, f.Lat}), rad, fill, stroke, f.Name)
	}
	b.WriteString(`</g>`)
}

// coverageMap colours the scope's communities by 15-minute coverage and
// draws the facilities on them.
func (r *renderer) coverageMap(p *projection) template.HTML {
	var b strings.Builder
	mapFrame(&b, p, uiText(r.lang)["coverage_map"])
	r.regionPaths(&b, p, planner.LevelCommunity, func(rr *planner.RegionResult) string { return coverageColor(&rr.Indicators) }, "#ffffff", 0.8)
	if r.level == planner.LevelCommunity {
		r.regionPaths(&b, p, planner.LevelCommunity, nil, "#111", 3)
	}
	r.outlines(&b, p, "#333")
	r.facilities(&b, p, 6.5, false)
	r.labels(&b, p)
	p.scaleBar(&b)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// h3EdgeMetres is the mean edge length of H3 cells by resolution.
var h3EdgeMetres = map[int]float64{6: 3725, 7: 1406, 8: 531, 9: 201, 10: 75.9}

// h3AreaKm2 is the mean area of H3 cells by resolution.
var h3AreaKm2 = map[int]float64{6: 36.1, 7: 5.16, 8: 0.737, 9: 0.105, 10: 0.015}

// cellResolution picks the finest H3 resolution (as the demand tiles
// draw) at which the scope is at most about 120 cells across.
func (p *projection) cellResolution() int {
	width := p.w * p.metresPerUnit
	for _, res := range []int{10, 9, 8, 7} {
		if width/(math.Sqrt(3)*h3EdgeMetres[res]) <= 120 {
			return res
		}
	}
	return 6
}

// uncoveredCells sums the elders 60+ whom no supplying facility serves
// within their community's circle, per H3 cell, over the demand points of
// the scope's communities. Points off the walking network count as
// uncovered.
func (r *renderer) uncoveredCells(res int) (map[h3.Cell]float64, float64, error) {
	e := r.eval
	m := e.Model()
	inScope := make([]bool, len(m.City.Regions))
	for i, reg := range m.City.Regions {
		_, inScope[i] = r.names[reg.Code]
	}
	cells := map[h3.Cell]float64{}
	var total float64
	add := func(d *planner.DemandPoint) error {
		c, err := h3.LatLngToCell(h3.NewLatLng(d.Location[1], d.Location[0]), res)
		if err != nil {
			return fmt.Errorf("html report: demand point at (%v, %v): %w", d.Location[0], d.Location[1], err)
		}
		cells[c] += d.Elders60
		total += d.Elders60
		return nil
	}
	for k := 0; k < m.Demand.Len(); k++ {
		d := m.DemandPoint(int32(k))
		if d.Elders60 <= 0 || int(d.Community) >= len(inScope) || d.Community < 0 || !inScope[d.Community] {
			continue
		}
		if e.ServedSeconds(int32(k)) <= m.CircleSeconds(m.City.Regions[d.Community].AreaType) {
			continue
		}
		if err := add(d); err != nil {
			return nil, 0, err
		}
	}
	for _, u := range m.Unsnapped {
		d := &m.City.Demand[u.Index]
		if d.Elders60 > 0 && d.Community >= 0 && int(d.Community) < len(inScope) && inScope[d.Community] {
			if err := add(d); err != nil {
				return nil, 0, err
			}
		}
	}
	return cells, total, nil
}

// uncoveredClasses colour cells of uncovered elders, fewest first.
var uncoveredColors = []string{"#fdd0a2", "#fdae6b", "#f16913", "#d94801", "#7f2704"}

// uncoveredMap draws where the uncovered elders live: H3 cells shaded by
// their uncovered elders over the scope's communities, with the
// facilities that serve.
func (r *renderer) uncoveredMap(p *projection) (template.HTML, []legendItem, string) {
	if r.eval == nil {
		return "", nil, ""
	}
	res := p.cellResolution()
	cells, total, err := r.uncoveredCells(res)
	if err != nil {
		return template.HTML(`<p class="note">` + esc(err.Error()) + `</p>`), nil, ""
	}
	var b strings.Builder
	mapFrame(&b, p, uiText(r.lang)["uncovered_map"])
	r.regionPaths(&b, p, planner.LevelCommunity, func(*planner.RegionResult) string { return "#eef1f4" }, "#c5ccd3", 0.8)
	r.outlines(&b, p, "#7b8794")
	ids := make([]h3.Cell, 0, len(cells))
	vals := make([]float64, 0, len(cells))
	for c, v := range cells {
		if v > 0 {
			ids = append(ids, c)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, c := range ids {
		vals = append(vals, cells[c])
	}
	limits := breaks(vals, len(uncoveredColors))
	b.WriteString(`<g class="uncovered" stroke="#fff" stroke-width="0.4">`)
	for i, c := range ids {
		bd, err := h3.CellToBoundary(c)
		if err != nil {
			continue
		}
		ring := make(orb.Ring, 0, len(bd)+1)
		for _, ll := range bd {
			ring = append(ring, p.pt(orb.Point{ll.Lng, ll.Lat}))
		}
		ring = append(ring, ring[0])
		fmt.Fprintf(&b, `<path d="%s" fill="%s"/>`, pathData(orb.MultiPolygon{{ring}}), uncoveredColors[min(classOf(vals[i], limits), len(uncoveredColors)-1)])
	}
	b.WriteString(`</g>`)
	r.facilities(&b, p, 4.5, true)
	r.labels(&b, p)
	p.scaleBar(&b)
	b.WriteString(`</svg>`)

	var legend []legendItem
	lo := 0.0
	for i := 0; i <= len(limits); i++ {
		var label string
		switch {
		case len(limits) == 0:
			label = "> 0"
		case i == 0:
			label = fmt.Sprintf("< %s", group(limits[0], 0))
		case i == len(limits):
			label = fmt.Sprintf("≥ %s", group(lo, 0))
		default:
			label = fmt.Sprintf("%s – %s", group(lo, 0), group(limits[i], 0))
		}
		if i < len(limits) {
			lo = limits[i]
		}
		legend = append(legend, legendItem{Swatch: swatch(uncoveredColors[min(i, len(uncoveredColors)-1)]), Label: label})
	}
	note := fmt.Sprintf(r.tr("每个六边形为一个 H3 第%d级网格（约%g平方公里），颜色表示格内未被15分钟服务圈覆盖的60岁以上老人数；共%s人，分布于%d个网格。",
		"Each hexagon is an H3 cell of resolution %d (about %g km²), shaded by the elders 60+ in it whom no service reaches within the circle: %s elders in %d cells."),
		res, h3AreaKm2[res], group(total, 0), len(ids))
	if len(ids) == 0 {
		note = r.tr("本范围内所有老人均在服务圈内。", "Every elder of this scope is within a service circle.")
	}
	return template.HTML(b.String()), legend, note
}

// charts draws coverage and floor-area gap by street (by community when
// the scope has fewer than two streets).
func (r *renderer) charts() (unit string, coverage, floor template.HTML, note string) {
	l := planner.LevelStreet
	unit = r.tr("街道", "street")
	var rows []*planner.RegionResult
	collect := func(l planner.Level) {
		rows = rows[:0]
		for i := range r.a.Regions {
			if r.a.Regions[i].Level == l {
				rows = append(rows, &r.a.Regions[i])
			}
		}
	}
	collect(l)
	if len(rows) < 2 {
		l, unit = planner.LevelCommunity, r.tr("社区", "community")
		collect(l)
	}
	if len(rows) == 0 {
		return unit, "", "", ""
	}
	byCov := append([]*planner.RegionResult(nil), rows...)
	sort.SliceStable(byCov, func(i, j int) bool { return byCov[i].Indicators.Coverage15 < byCov[j].Indicators.Coverage15 })
	byGap := append([]*planner.RegionResult(nil), rows...)
	sort.SliceStable(byGap, func(i, j int) bool { return byGap[i].Indicators.FloorGap > byGap[j].Indicators.FloorGap })
	if len(rows) > maxChartBars {
		note = fmt.Sprintf(r.tr("共%d个%s，图中列出覆盖率最低和缺口最大的各%d个。", "%d %ss in all; the charts show the %d with the lowest coverage and the largest gap."), len(rows), unit, maxChartBars)
		byCov, byGap = byCov[:maxChartBars], byGap[:maxChartBars]
	}
	var bars []bar
	for _, rr := range byCov {
		bars = append(bars, bar{label: rr.Name, value: rr.Indicators.Coverage15, text: pct(rr.Indicators.Coverage15), color: coverageColor(&rr.Indicators)})
	}
	coverage = barChart(bars, 1, 1, r.tr("标准 100%", "standard 100%"), "%")
	bars = bars[:0]
	maxGap := 0.0
	for _, rr := range byGap {
		maxGap = math.Max(maxGap, rr.Indicators.FloorGap)
		bars = append(bars, bar{label: rr.Name, value: rr.Indicators.FloorGap, text: group(rr.Indicators.FloorGap, 0) + " m²", color: "#d6604d"})
	}
	floor = barChart(bars, niceCeil(maxGap), math.NaN(), "", "m²")
	return unit, coverage, floor, note
}

// niceCeil rounds v up to 1, 2, 2.5 or 5 times a power of ten.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	e := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*e >= v {
			return m * e
		}
	}
	return 10 * e
}
