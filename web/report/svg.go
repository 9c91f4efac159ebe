package report

import (
	"fmt"
	"html/template"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/simplify"
)

// mapWidth is the width of a map's SVG viewBox, in its own units; maps
// are drawn at the page's full text width, so a unit is about 0.18 mm.
const mapWidth = 1000.0

// projection maps WGS84 to the SVG page: Web Mercator (as the tiles),
// scaled and translated so a bound fills the map with a margin.
type projection struct {
	scale, x0, y0 float64 // page = (merc - (x0, y0)) * scale, y down
	w, h          float64 // viewBox size
	metresPerUnit float64 // at the bound's middle latitude
}

// mercator projects lon/lat to Web Mercator metres.
func mercator(p orb.Point) (x, y float64) {
	const r = 6378137.0
	lat := math.Max(-85.05112878, math.Min(85.05112878, p[1]))
	return r * p[0] * math.Pi / 180, r * math.Log(math.Tan(math.Pi/4+lat*math.Pi/360))
}

// newProjection fits b into a map mapWidth wide whose height follows the
// bound's shape, between 0.5 and 1.3 of the width; a bound of another
// shape is centred.
func newProjection(b orb.Bound) *projection {
	const pad = 26.0 // room for symbols and cells at the edge
	x0, y0 := mercator(b.Min)
	x1, y1 := mercator(b.Max)
	dx, dy := math.Max(x1-x0, 1), math.Max(y1-y0, 1)
	w := mapWidth
	h := math.Min(math.Max(w*dy/dx, 0.5*w), 1.3*w)
	scale := math.Min((w-2*pad)/dx, (h-2*pad)/dy)
	p := &projection{scale: scale, w: w, h: h}
	// Centre the bound.
	p.x0 = x0 - ((w/scale)-dx)/2
	p.y0 = y1 + ((h/scale)-dy)/2 // top edge in mercator y
	midLat := (b.Min[1] + b.Max[1]) / 2
	p.metresPerUnit = math.Cos(midLat*math.Pi/180) / scale
	return p
}

// pt projects a lon/lat point onto the page.
func (p *projection) pt(q orb.Point) orb.Point {
	x, y := mercator(q)
	return orb.Point{(x - p.x0) * p.scale, (p.y0 - y) * p.scale}
}

// geometry projects a polygon or multipolygon and simplifies it to what
// shows at this scale (a third of a unit).
func (p *projection) geometry(g orb.Geometry) orb.MultiPolygon {
	var mp orb.MultiPolygon
	switch g := g.(type) {
	case orb.Polygon:
		mp = orb.MultiPolygon{g}
	case orb.MultiPolygon:
		mp = g
	default:
		return nil
	}
	out := make(orb.MultiPolygon, 0, len(mp))
	for _, poly := range mp {
		var pp orb.Polygon
		for _, ring := range poly {
			r := make(orb.Ring, len(ring))
			for i, q := range ring {
				r[i] = p.pt(q)
			}
			pp = append(pp, r)
		}
		out = append(out, pp)
	}
	s, ok := simplify.DouglasPeucker(0.35).Simplify(out).(orb.MultiPolygon)
	if !ok {
		return out
	}
	return s
}

// f1 formats a page coordinate with one decimal, without trailing zeros.
func f1(v float64) string {
	s := strconv.FormatFloat(math.Round(v*10)/10, 'f', 1, 64)
	return strings.TrimSuffix(strings.TrimSuffix(s, "0"), ".")
}

// pathData is the SVG path of a projected multipolygon; holes are drawn
// with the even-odd rule by the caller.
func pathData(mp orb.MultiPolygon) string {
	var b strings.Builder
	for _, poly := range mp {
		for _, ring := range poly {
			if len(ring) < 3 {
				continue
			}
			for i, q := range ring {
				if i == len(ring)-1 && q == ring[0] {
					break
				}
				if i == 0 {
					b.WriteByte('M')
				} else {
					b.WriteByte('L')
				}
				b.WriteString(f1(q[0]))
				b.WriteByte(' ')
				b.WriteString(f1(q[1]))
			}
			b.WriteByte('Z')
		}
	}
	return b.String()
}

// esc escapes text for SVG.
func esc(s string) string { return template.HTMLEscapeString(s) }

// scaleBar draws a scale bar of a round length near the bottom left.
func (p *projection) scaleBar(b *strings.Builder) {
	target := 160 * p.metresPerUnit // metres in about 160 units
	nice := 1.0
	for _, m := range []float64{1, 2, 5} {
		for e := 1.0; e <= 1e6; e *= 10 {
			if m*e <= target {
				nice = math.Max(nice, m*e)
			}
		}
	}
	length := nice / p.metresPerUnit
	x, y := 20.0, p.h-20
	label := fmt.Sprintf("%g m", nice)
	if nice >= 1000 {
		label = fmt.Sprintf("%g km", nice/1000)
	}
	fmt.Fprintf(b, `<g class="scalebar"><rect x="%s" y="%s" width="%s" height="26" fill="#fff" fill-opacity="0.8"/>`, f1(x-6), f1(y-18), f1(length+12))
	fmt.Fprintf(b, `<path d="M%s %sv5h%sv-5" fill="none" stroke="#222" stroke-width="2"/>`, f1(x), f1(y), f1(length))
	fmt.Fprintf(b, `<text x="%s" y="%s" font-size="13" fill="#222">%s</text>`, f1(x+length/2-16), f1(y-5), esc(label))
	fmt.Fprintf(b, `<text x="%s" y="30" font-size="16" font-weight="bold" fill="#222" text-anchor="middle">N</text><path d="M%s 36l-6 14h12z" fill="#222"/></g>`, f1(p.w-30), f1(p.w-30))
}

// symbol draws a facility symbol of radius r at q: shape by type, fill by
// status.
func symbol(b *strings.Builder, shape string, q orb.Point, r float64, fill, stroke string, title string) {
	x, y := q[0], q[1]
	open := `<g><title>` + esc(title) + `</title>`
	switch shape {
	case "square":
		fmt.Fprintf(b, `%s<rect x="%s" y="%s" width="%s" height="%s" fill="%s" stroke="%s" stroke-width="1.2"/></g>`, open, f1(x-r), f1(y-r), f1(2*r), f1(2*r), fill, stroke)
	case "triangle":
		fmt.Fprintf(b, `%s<path d="M%s %sL%s %sL%s %sZ" fill="%s" stroke="%s" stroke-width="1.2"/></g>`, open, f1(x), f1(y-1.2*r), f1(x+1.1*r), f1(y+0.8*r), f1(x-1.1*r), f1(y+0.8*r), fill, stroke)
	case "diamond":
		fmt.Fprintf(b, `%s<path d="M%s %sL%s %sL%s %sL%s %sZ" fill="%s" stroke="%s" stroke-width="1.2"/></g>`, open, f1(x), f1(y-1.2*r), f1(x+1.2*r), f1(y), f1(x), f1(y+1.2*r), f1(x-1.2*r), f1(y), fill, stroke)
	case "cross":
		fmt.Fprintf(b, `%s<path d="M%s %sh%sv%sh%sv%sh%sv%sh%sv%sh%sz" fill="%s" stroke="%s" stroke-width="1"/></g>`, open,
			f1(x-r*0.4), f1(y-r*1.1), f1(r*0.8), f1(r*0.7), f1(r*0.7), f1(r*0.8), f1(-r*0.7), f1(r*0.7), f1(-r*0.8), f1(-r*0.7), f1(-r*0.7), fill, stroke)
	default:
		fmt.Fprintf(b, `%s<circle cx="%s" cy="%s" r="%s" fill="%s" stroke="%s" stroke-width="1.2"/></g>`, open, f1(x), f1(y), f1(r), fill, stroke)
	}
}

// legendSymbol is a facility symbol as a small inline SVG for a legend.
func legendSymbol(shape, fill, stroke string) template.HTML {
	var b strings.Builder
	b.WriteString(`<svg class="sym" viewBox="0 0 20 20" width="14" height="14" aria-hidden="true">`)
	symbol(&b, shape, orb.Point{10, 10}, 6.5, fill, stroke, "")
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// bar is one bar of a bar chart.
type bar struct {
	label string
	value float64
	text  string // the value as shown
	color string
}

// barChart draws a horizontal bar chart: one row per bar, labels on the
// left, values at the bar's end, and an optional target line at target
// (on the same scale as the values; NaN for none).
func barChart(bars []bar, max, target float64, targetLabel, unit string) template.HTML {
	const (
		w      = 1000.0
		rowH   = 22.0
		labelW = 240.0
		valueW = 110.0
		top    = 28.0
	)
	if max <= 0 {
		max = 1
	}
	plotW := w - labelW - valueW
	h := top + rowH*float64(len(bars)) + 10
	if targetLabel != "" && !math.IsNaN(target) {
		h += 16 // a row under the bars for the target's label
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %s %s" role="img" preserveAspectRatio="xMinYMin meet">`, f1(w), f1(h))
	// Grid: quarters of the scale.
	for i := 0; i <= 4; i++ {
		x := labelW + plotW*float64(i)/4
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#ddd" stroke-width="1"/>`, f1(x), f1(top-6), f1(x), f1(h-8))
		fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="12" fill="#555" text-anchor="middle">%s</text>`, f1(x), f1(top-10), esc(axisLabel(max*float64(i)/4, unit)))
	}
	for i, br := range bars {
		y := top + rowH*float64(i)
		fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="13" fill="#222" text-anchor="end">%s</text>`, f1(labelW-8), f1(y+rowH*0.68), esc(clip(br.label, 16)))
		bw := math.Max(0, math.Min(br.value/max, 1)) * plotW
		if bw > 0 {
			fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s"/>`, f1(labelW), f1(y+3), f1(bw), f1(rowH-6), br.color)
		}
		fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="12" fill="#222">%s</text>`, f1(labelW+bw+5), f1(y+rowH*0.68), esc(br.text))
	}
	if !math.IsNaN(target) && target > 0 && target <= max {
		x := labelW + plotW*target/max
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#1a7f37" stroke-width="2" stroke-dasharray="6 4"/>`, f1(x), f1(top-4), f1(x), f1(h-8))
		if targetLabel != "" {
			fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="12" fill="#1a7f37" text-anchor="end">%s</text>`, f1(x-4), f1(h-4), esc(targetLabel))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// axisLabel formats a chart axis value.
func axisLabel(v float64, unit string) string {
	if unit == "%" {
		return fmt.Sprintf("%.0f%%", v*100)
	}
	return group(v, 0)
}

// clip shortens s to n runes with an ellipsis.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// breaks returns up to n−1 increasing class limits for positive values:
// rounded quantiles, so each colour holds a fair share of the cells.
func breaks(vals []float64, n int) []float64 {
	var pos []float64
	for _, v := range vals {
		if v > 0 {
			pos = append(pos, v)
		}
	}
	if len(pos) == 0 {
		return nil
	}
	sort.Float64s(pos)
	var out []float64
	for i := 1; i < n; i++ {
		q := pos[int(float64(len(pos)-1)*float64(i)/float64(n))]
		q = roundNice(q)
		if q > 0 && (len(out) == 0 || q > out[len(out)-1]) {
			out = append(out, q)
		}
	}
	return out
}

// roundNice rounds v to one or two significant figures.
func roundNice(v float64) float64 {
	if v <= 0 {
		return 0
	}
	e := math.Pow(10, math.Floor(math.Log10(v)))
	if v/e < 3 {
		e /= 2
	}
	return math.Max(1, math.Round(v/e)*e)
}

// classOf is the class of v among limits: 0 below the first limit.
func classOf(v float64, limits []float64) int {
	c := 0
	for _, l := range limits {
		if v >= l {
			c++
		}
	}
	return c
}
