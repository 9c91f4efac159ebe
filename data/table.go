package data

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/twpayne/go-geom"
	"github.com/twpayne/go-geom/encoding/wkt"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// This file reads the bundle's tables (CSV, the first sheet of an XLSX
// workbook, or the properties of a GeoJSON FeatureCollection) into rows of
// text cells, matches their headers to the columns a loader wants, and
// parses cells, so that every loader reports problems the same way.

// table is one file of records as text cells.
type table struct {
	file    string   // the file's name in errors
	headers []string // as written; for GeoJSON, every property key in first-seen order
	rows    []record
	geojson bool
}

// record is one row or feature.
type record struct {
	line    int          // CSV/XLSX row, header = 1
	feature int          // GeoJSON feature, first = 1
	cells   []string     // by header index; may be shorter than headers
	geom    orb.Geometry // GeoJSON only; nil for a null geometry
}

// problem returns a Problem with the record's position filled in.
func (r *record) problem(file string) Problem {
	return Problem{File: file, Line: r.line, Feature: r.feature}
}

// readTable reads path by its extension: .csv, .xlsx or .geojson/.json.
// name is how errors call the file. A file that cannot be read at all is
// returned as problems (and a nil table); warnings say how a file was read
// when that was not plain UTF-8.
func readTable(path, name string) (*table, []Problem, []Problem) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return readCSV(path, name)
	case ".xlsx":
		t, probs := readXLSX(path, name)
		return t, probs, nil
	case ".geojson", ".json":
		t, probs := readGeoJSON(path, name)
		return t, probs, nil
	case ".xls":
		return nil, []Problem{{File: name, Message: "old Excel .xls files are not read; save the sheet as .xlsx or CSV UTF-8"}}, nil
	}
	return nil, []Problem{{File: name, Message: "unknown file type; want .csv, .xlsx or .geojson"}}, nil
}

// readCSV reads a CSV file. UTF-8 with or without a byte-order mark is
// read as is; a file that is not valid UTF-8 is read as GB18030 (which
// includes GBK, what Chinese Excel writes for "CSV"), with a warning.
func readCSV(path, name string) (*table, []Problem, []Problem) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, []Problem{{File: name, Message: fileError(err)}}, nil
	}
	var warns []Problem
	src = bytes.TrimPrefix(src, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(src) {
		dec, err := simplifiedchinese.GB18030.NewDecoder().Bytes(src)
		if err != nil || !utf8.Valid(dec) {
			return nil, []Problem{{File: name, Message: "not UTF-8 text, nor GBK/GB18030; save it as CSV UTF-8"}}, nil
		}
		src = dec
		warns = append(warns, Problem{File: name, Message: "not UTF-8; read as GBK/GB18030 (save as CSV UTF-8 to avoid this guess)"})
	}
	cr := csv.NewReader(bytes.NewReader(src))
	cr.FieldsPerRecord = -1 // short rows are padded with empty cells
	t := &table{file: name}
	var probs []Problem
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				probs = append(probs, Problem{File: name, Line: pe.StartLine, Message: "not valid CSV: " + pe.Err.Error()})
			} else {
				probs = append(probs, Problem{File: name, Message: "not valid CSV: " + err.Error()})
			}
			return nil, probs, warns
		}
		line, _ := cr.FieldPos(0)
		if t.headers == nil {
			t.headers = rec
			continue
		}
		if blank(rec) {
			continue
		}
		t.rows = append(t.rows, record{line: line, cells: rec})
	}
	if t.headers == nil {
		return nil, []Problem{{File: name, Message: "empty file: want a header row, then one row per record"}}, warns
	}
	return t, nil, warns
}

// readXLSX reads the first sheet of a workbook; row numbers are the
// sheet's, so they match what Excel or WPS shows.
func readXLSX(path, name string) (*table, []Problem) {
	f, err := excelize.OpenFile(path)
	if err != nil {
		return nil, []Problem{{File: name, Message: "not a readable .xlsx workbook: " + fileError(err)}}
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, []Problem{{File: name, Message: "the workbook has no sheets"}}
	}
	// Raw values, so numbers are not formatted ("1.5E+03", "12%").
	rows, err := f.GetRows(sheets[0], excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, []Problem{{File: name, Message: fmt.Sprintf("reading sheet %q: %v", sheets[0], err)}}
	}
	t := &table{file: name}
	for i, row := range rows {
		if t.headers == nil {
			if blank(row) {
				continue // leading empty rows above the header
			}
			t.headers = row
			continue
		}
		if blank(row) {
			continue
		}
		t.rows = append(t.rows, record{line: i + 1, cells: row})
	}
	if t.headers == nil {
		return nil, []Problem{{File: name, Message: fmt.Sprintf("sheet %q is empty: want a header row, then one row per record", sheets[0])}}
	}
	return t, nil
}

// readGeoJSON reads a FeatureCollection; each feature's properties become
// cells and its geometry is kept. Features are decoded one by one so that a
// bad one is reported by its number.
func readGeoJSON(path, name string) (*table, []Problem) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, []Problem{{File: name, Message: fileError(err)}}
	}
	var doc struct {
		Type     string            `json:"type"`
		Features []json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal(src, &doc); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, []Problem{{File: name, Line: lineAt(src, se.Offset), Message: "not valid JSON: " + se.Error()}}
		}
		return nil, []Problem{{File: name, Message: "not a GeoJSON FeatureCollection: " + err.Error()}}
	}
	if doc.Type != "FeatureCollection" {
		return nil, []Problem{{File: name, Message: fmt.Sprintf("type %q: want a GeoJSON FeatureCollection", doc.Type)}}
	}
	t := &table{file: name, geojson: true}
	col := map[string]int{}
	var probs []Problem
	for i, raw := range doc.Features {
		rec := record{feature: i + 1}
		f, err := geojson.UnmarshalFeature(raw)
		if err != nil {
			probs = append(probs, Problem{File: name, Feature: i + 1, Message: "not a valid GeoJSON feature: " + err.Error()})
			continue
		}
		rec.geom = f.Geometry
		for k, v := range f.Properties {
			j, ok := col[k]
			if !ok {
				j = len(t.headers)
				col[k] = j
				t.headers = append(t.headers, k)
			}
			for len(rec.cells) <= j {
				rec.cells = append(rec.cells, "")
			}
			s, ok := propertyText(v)
			if !ok {
				probs = append(probs, Problem{File: name, Feature: i + 1, Field: k, Message: fmt.Sprintf("want text or a number, got %s", jsonText(v))})
				continue
			}
			rec.cells[j] = s
		}
		t.rows = append(t.rows, rec)
	}
	return t, probs
}

// propertyText turns a GeoJSON property value into a cell: numbers are
// written in full ("320602001001", not "3.20602001001e+11").
func propertyText(v any) (string, bool) {
	switch v := v.(type) {
	case nil:
		return "", true
	case string:
		return v, true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	case json.Number:
		return v.String(), true
	}
	return "", false
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	if len(b) > 40 {
		return string(b[:40]) + "…"
	}
	return string(b)
}

// lineAt returns the 1-based line of byte offset off in src.
func lineAt(src []byte, off int64) int {
	if off > int64(len(src)) {
		off = int64(len(src))
	}
	return bytes.Count(src[:off], []byte("\n")) + 1
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// fileError shortens an os error: the path is already in the Problem.
func fileError(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		if errors.Is(pe.Err, os.ErrNotExist) {
			return "no such file"
		}
		return pe.Err.Error()
	}
	return err.Error()
}

// column is one column a loader reads: its canonical (English) name, the
// other names accepted in headers, and whether the file must have it.
type column struct {
	key      string
	aliases  []string
	required bool
}

// normaliseHeader folds the ways people write one header: case, spaces,
// '_', '-', a '*' marking a required column, a UTF-8 byte-order mark, and
// a unit in parentheses ("建筑面积（㎡）", "floor area (m2)").
func normaliseHeader(h string) string {
	h = strings.TrimPrefix(h, "\ufeff")
	h = strings.ToLower(strings.TrimSpace(h))
	if i := strings.IndexAny(h, "(（"); i > 0 {
		h = h[:i]
	}
	return strings.NewReplacer(" ", "", "\u3000", "", "*", "", "_", "", "-", "").Replace(h)
}

// binding maps a table's headers to the columns of a loader.
type binding struct {
	t    *table
	idx  map[string]int    // canonical key → header index
	name map[string]string // canonical key → field name for errors
	// alts are further GeoJSON properties naming a key, read where the
	// first is empty (no feature gives two of them).
	alts map[string][]int
}

// bothGiven returns the first feature with cells in both columns i and
// j, or 0.
func bothGiven(t *table, i, j int) int {
	for _, r := range t.rows {
		if i < len(r.cells) && j < len(r.cells) && strings.TrimSpace(r.cells[i]) != "" && strings.TrimSpace(r.cells[j]) != "" {
			return r.feature
		}
	}
	return 0
}

// bind matches t's headers to cols. Unknown headers are ignored, so a
// bureau's list may carry extra columns (联系电话, 备注 ...). Two headers
// naming one column, or required columns missing, are problems; missing
// ones are listed together with the headers found. alternatives, when
// given, is one more requirement that some column set must meet, checked
// by the caller's function and described by its text (population: "h3, or
// lon and lat").
func bind(t *table, cols []column, alternatives ...alternative) (*binding, []Problem) {
	lookup := map[string]string{}
	for _, c := range cols {
		lookup[normaliseHeader(c.key)] = c.key
		for _, a := range c.aliases {
			lookup[normaliseHeader(a)] = c.key
		}
	}
	b := &binding{t: t, idx: map[string]int{}, name: map[string]string{}}
	var probs []Problem
	headerRow := Problem{File: t.file}
	if !t.geojson {
		headerRow.Line = 1
	}
	for i, h := range t.headers {
		key, ok := lookup[normaliseHeader(h)]
		if !ok {
			continue
		}
		if j, dup := b.idx[key]; dup {
			// GeoJSON features written by different tools may name one
			// property differently ("code" in some, "代码" in others);
			// that is fine while no feature gives both.
			if t.geojson {
				if f := bothGiven(t, j, i); f == 0 {
					if b.alts == nil {
						b.alts = map[string][]int{}
					}
					b.alts[key] = append(b.alts[key], i)
					continue
				} else {
					probs = append(probs, Problem{File: t.file, Feature: f, Field: key,
						Message: fmt.Sprintf("gives both %q and %q, which are both %s; keep one", t.headers[j], h, key)})
					continue
				}
			}
			p := headerRow
			p.Field = key
			p.Message = fmt.Sprintf("columns %q and %q both give %s; keep one", t.headers[j], h, key)
			probs = append(probs, p)
			continue
		}
		b.idx[key] = i
		if h == key {
			b.name[key] = key
		} else {
			b.name[key] = fmt.Sprintf("%s (%s)", strings.TrimSpace(h), key)
		}
	}
	var missing []string
	for _, c := range cols {
		if _, ok := b.idx[c.key]; c.required && !ok {
			missing = append(missing, describeColumn(c))
		}
	}
	for _, alt := range alternatives {
		if m := alt.missing(b); m != "" {
			missing = append(missing, m)
		}
	}
	if len(missing) > 0 {
		p := headerRow
		what := "columns"
		if t.geojson {
			what = "properties"
		}
		found := make([]string, len(t.headers))
		for i, h := range t.headers {
			found[i] = strings.TrimSpace(h)
		}
		p.Message = fmt.Sprintf("missing %s %s; found %s", what, strings.Join(missing, ", "), quoteList(found))
		probs = append(probs, p)
	}
	return b, probs
}

// alternative is a column requirement that is not one column: "h3, or lon
// and lat". missing says what the binding lacks, "" when it is met.
type alternative struct {
	missing func(*binding) string
}

func describeColumn(c column) string {
	for _, a := range c.aliases {
		if !isASCII(a) {
			return fmt.Sprintf("%s (%s)", c.key, a)
		}
	}
	return c.key
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func quoteList(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	q := make([]string, len(s))
	for i, x := range s {
		q[i] = strconv.Quote(x)
	}
	return strings.Join(q, ", ")
}

// has reports whether the table has the column.
func (b *binding) has(key string) bool { _, ok := b.idx[key]; return ok }

// row reads one record through the binding, collecting its problems.
type row struct {
	b    *binding
	r    *record
	id   string // set once known, for Problem.ID
	errs []Problem
}

func (b *binding) row(r *record) *row { return &row{b: b, r: r} }

// text returns the trimmed cell of column key; "" when the column or cell
// is absent.
func (rw *row) text(key string) string {
	i, ok := rw.b.idx[key]
	if !ok {
		return ""
	}
	if i < len(rw.r.cells) {
		if v := strings.TrimSpace(rw.r.cells[i]); v != "" {
			return v
		}
	}
	for _, j := range rw.b.alts[key] {
		if j < len(rw.r.cells) {
			if v := strings.TrimSpace(rw.r.cells[j]); v != "" {
				return v
			}
		}
	}
	return ""
}

// field is how errors name column key.
func (rw *row) field(key string) string {
	if n, ok := rw.b.name[key]; ok {
		return n
	}
	return key
}

// fail records a problem with column key of this record.
func (rw *row) fail(key, format string, args ...any) {
	p := rw.r.problem(rw.b.t.file)
	p.ID = rw.id
	if key != "" {
		p.Field = rw.field(key)
	}
	p.Message = fmt.Sprintf(format, args...)
	rw.errs = append(rw.errs, p)
}

// required returns the cell of key, or records that it is missing.
func (rw *row) required(key, what string) (string, bool) {
	s := rw.text(key)
	if s == "" {
		rw.fail(key, "missing; want %s", what)
		return "", false
	}
	return s, true
}

// number reads a number ≥ 0 from column key; an empty cell is 0 and not
// given. See parseNumber for what is accepted.
func (rw *row) number(key string) (v float64, given, ok bool) {
	s := rw.text(key)
	if isEmptyNumber(s) {
		return 0, false, true
	}
	v, err := parseNumber(s)
	if err != nil {
		rw.fail(key, "want a number, got %q", s)
		return 0, true, false
	}
	if v < 0 {
		rw.fail(key, "want a number ≥ 0, got %s", s)
		return 0, true, false
	}
	return v, true, true
}

// coordinate reads a required longitude or latitude in degrees.
func (rw *row) coordinate(key string, limit float64) (float64, bool) {
	s, ok := rw.required(key, fmt.Sprintf("degrees, -%g to %g", limit, limit))
	if !ok {
		return 0, false
	}
	v, err := parseNumber(s)
	if err != nil {
		rw.fail(key, "want degrees as a decimal number, got %q", s)
		return 0, false
	}
	if math.Abs(v) > limit {
		rw.fail(key, "%s is outside -%g to %g degrees", s, limit, limit)
		return 0, false
	}
	return v, true
}

// isEmptyNumber reports cells that mean "no number": empty, or the marks
// Chinese spreadsheets use for "not applicable".
func isEmptyNumber(s string) bool {
	switch s {
	case "", "-", "—", "/", "无":
		return true
	}
	return false
}

// numberUnits are the units a number cell may end in; they are dropped,
// not checked against the column (a bed count in "㎡" is the writer's
// slip, and the column says what is meant).
var numberUnits = []string{"平方米", "平米", "m²", "m2", "㎡", "张", "床", "人", "户"}

// parseNumber reads a number written the ways facility lists write them:
// "1500", "1500.5", "1,500" (commas between groups of three digits),
// "1500㎡", "1500 平方米", "50张". NaN and infinities are refused.
func parseNumber(s string) (float64, error) {
	s = strings.TrimSpace(s)
	for _, u := range numberUnits {
		if t, ok := strings.CutSuffix(s, u); ok {
			s = strings.TrimSpace(t)
			break
		}
	}
	if strings.Contains(s, ",") {
		if !thousands(s) {
			return 0, fmt.Errorf("misplaced comma in %q", s)
		}
		s = strings.ReplaceAll(s, ",", "")
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("not a number: %q", s)
	}
	return v, nil
}

// thousands reports whether the commas of s separate groups of three
// digits before any decimal point: "1,234", "12,345.5", "-1,000".
func thousands(s string) bool {
	s = strings.TrimPrefix(s, "-")
	intPart, _, _ := strings.Cut(s, ".")
	groups := strings.Split(intPart, ",")
	for i, g := range groups {
		if g == "" || len(g) > 3 || (i > 0 && len(g) != 3) {
			return false
		}
		for _, c := range g {
			if c < '0' || c > '9' {
				return false
			}
		}
	}
	return true
}

// formatNumber writes a float64 so that parseNumber reads back the same
// value, without an exponent: the shortest decimal that round-trips.
func formatNumber(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// locationColumns are how a row of a facility or candidate file says
// where it is: lon and lat, or a WKT point (what GIS tools export, e.g.
// QGIS's "WKT" column), or in GeoJSON the feature's Point geometry.
var locationColumns = []column{
	{key: "lon", aliases: []string{"经度", "lng", "longitude"}},
	{key: "lat", aliases: []string{"纬度", "latitude"}},
	{key: "wkt", aliases: []string{"geometry", "geom", "the_geom", "shape", "几何", "空间位置", "坐标"}},
}

// located is the requirement that a table can place its rows.
var located = alternative{missing: func(b *binding) string {
	switch {
	case b.t.geojson || b.has("wkt") || (b.has("lon") && b.has("lat")):
		return ""
	case b.has("lon"):
		return "lat (纬度)"
	case b.has("lat"):
		return "lon (经度)"
	}
	return "lon (经度), lat (纬度) (or wkt: a POINT)"
}}

// location reads a row's place: its GeoJSON Point geometry, its WKT cell,
// or its lon/lat columns, the first of these the row has. what names the
// thing located in the problem ("facility", "site").
func (rw *row) location(geom orb.Geometry, what string) (orb.Point, bool) {
	if geom != nil || (rw.b.t.geojson && !rw.b.has("lon") && !rw.b.has("wkt")) {
		if pt, ok := geom.(orb.Point); ok && validPoint(pt) {
			return pt, true
		}
		got := "no geometry"
		if geom != nil {
			got = geom.GeoJSONType()
		}
		rw.fail("geometry", "%s; want a Point with the %s's lon/lat", got, what)
		return orb.Point{}, false
	}
	if s := rw.text("wkt"); s != "" || !rw.b.has("lon") {
		return rw.wktPoint(s, what)
	}
	lon, ok1 := rw.coordinate("lon", 180)
	lat, ok2 := rw.coordinate("lat", 90)
	return orb.Point{lon, lat}, ok1 && ok2
}

// wktPoint reads a WKT POINT (with or without an SRID= prefix).
func (rw *row) wktPoint(s, what string) (orb.Point, bool) {
	if s == "" {
		rw.fail("wkt", "missing; want the %s's place as a WKT point, e.g. POINT (106.55 29.56)", what)
		return orb.Point{}, false
	}
	text := s
	if i := strings.IndexByte(text, ';'); i >= 0 && strings.HasPrefix(strings.ToUpper(text), "SRID=") {
		text = text[i+1:]
	}
	g, err := wkt.Unmarshal(text)
	if err != nil {
		rw.fail("wkt", "%q is not WKT (%v); want a point, e.g. POINT (106.55 29.56)", s, err)
		return orb.Point{}, false
	}
	pt, ok := g.(*geom.Point)
	if !ok || pt.Empty() {
		rw.fail("wkt", "%q is not a point; want the %s's place as POINT (lon lat)", s, what)
		return orb.Point{}, false
	}
	p := orb.Point{pt.X(), pt.Y()}
	if !validPoint(p) {
		rw.fail("wkt", "%q: lon must be within -180..180 and lat within -90..90 degrees", s)
		return orb.Point{}, false
	}
	return p, true
}

// locationField is how problems with a row's place name the field.
func (rw *row) locationField() string {
	switch {
	case rw.r.geom != nil:
		return "geometry"
	case rw.text("wkt") != "" || !rw.b.has("lon"):
		return rw.field("wkt")
	}
	return rw.field("lon") + ", " + rw.field("lat")
}
