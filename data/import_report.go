package data

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"path/filepath"
	"strconv"

	"github.com/paulmach/orb"
	"github.com/xuri/excelize/v2"

	"github.com/carecircle/carecircle/data/crs"
)

// ImportIssue is one row of the import report: a row placed by its address
// (with the match's confidence), a row not placed, or a doubt about the
// tables.
type ImportIssue struct {
	// Kind is facility, health, community, street or district.
	Kind string
	// File and Row say where the row is (Row is the feature for GeoJSON).
	File string
	Row  int
	// ID is the facility's id or the region's code; Name and Address as
	// the row gives them.
	ID, Name, Address string
	// Status is a MatchStatus (exact, fuzzy, ambiguous, missing) or one of
	// the Status constants.
	Status string
	// Confidence of a match: 1 exact … 0.6 by name alone; 0 not placed.
	Confidence float64
	// Placed says whether the row is in the bundle.
	Placed bool
	// Message says what happened and what to do.
	Message string
	// Candidates are the places an ambiguous address matches.
	Candidates string
	// Point is where the row was placed, in the import's crs; nil when not
	// placed. The bureau fills 经度/纬度 of unplaced rows and re-runs with
	// the report as --locations.
	Point *orb.Point
}

// Statuses of import report rows besides the MatchStatus values.
const (
	StatusFilledIn       = "filled_in"        // placed at the lon/lat of the --locations file
	StatusFarFromWalkway = "far_from_walkway" // more than the snapping limit from any walkway; left out
	StatusOutsideStreet  = "outside_street"   // a community point outside its street's boundary
	StatusDuplicateCode  = "duplicate_code"   // a code used twice; the later row is left out
	StatusSumMismatch    = "sum_mismatch"     // a street's or district's numbers differ from its communities' sum
	StatusNoArea         = "no_area"          // a community point that got no built-up area
)

// importReportColumns are the report's columns; 经度 and 纬度 are what the
// bureau fills in, and the columns read back by --locations.
var importReportColumns = []column{
	{key: "kind", aliases: []string{"类别"}, required: true},
	{key: "file", aliases: []string{"文件"}},
	{key: "row", aliases: []string{"行"}},
	{key: "id", aliases: []string{"编号或代码", "编号", "代码"}, required: true},
	{key: "name", aliases: []string{"名称"}},
	{key: "address", aliases: []string{"地址"}},
	{key: "status", aliases: []string{"结果"}},
	{key: "confidence", aliases: []string{"可信度"}},
	{key: "placed", aliases: []string{"已放置"}},
	{key: "message", aliases: []string{"说明"}},
	{key: "candidates", aliases: []string{"候选位置"}},
	{key: "lon", aliases: []string{"经度"}},
	{key: "lat", aliases: []string{"纬度"}},
}

func importReportHeader() []string {
	h := make([]string, len(importReportColumns))
	for i, c := range importReportColumns {
		h[i] = c.aliases[0]
	}
	return h
}

func (is ImportIssue) cells() []string {
	placed := "否 no"
	if is.Placed {
		placed = "是 yes"
	}
	conf, lon, lat := "", "", ""
	if is.Confidence > 0 {
		conf = strconv.FormatFloat(is.Confidence, 'f', 2, 64)
	}
	if is.Point != nil {
		lon, lat = strconv.FormatFloat(is.Point[0], 'f', 7, 64), strconv.FormatFloat(is.Point[1], 'f', 7, 64)
	}
	row := ""
	if is.Row > 0 {
		row = strconv.Itoa(is.Row)
	}
	return []string{is.Kind, is.File, row, is.ID, is.Name, is.Address, is.Status, conf, placed, is.Message, is.Candidates, lon, lat}
}

// writeImportReport writes the report as CSV (UTF-8 with a byte-order
// mark, so Excel shows the Chinese) and as XLSX, always, so a clean import
// says so with an empty report.
func writeImportReport(dir string, issues []ImportIssue) error {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	cw := csv.NewWriter(&buf)
	cw.Write(importReportHeader())
	for _, is := range issues {
		cw.Write(is.cells())
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(dir, ImportReportCSV), func(w io.Writer) error {
		_, err := w.Write(buf.Bytes())
		return err
	}); err != nil {
		return err
	}
	f := excelize.NewFile()
	defer f.Close()
	sheet := "导入报告"
	f.SetSheetName("Sheet1", sheet)
	put := func(r int, cells []string) error {
		for c, v := range cells {
			ref, err := excelize.CoordinatesToCellName(c+1, r)
			if err != nil {
				return err
			}
			if err := f.SetCellStr(sheet, ref, v); err != nil {
				return err
			}
		}
		return nil
	}
	if err := put(1, importReportHeader()); err != nil {
		return err
	}
	for i, is := range issues {
		if err := put(i+2, is.cells()); err != nil {
			return err
		}
	}
	return writeFileAtomic(filepath.Join(dir, ImportReportXLSX), func(w io.Writer) error { return f.Write(w) })
}

// readLocations reads a filled-in import report (CSV or XLSX): every row
// with 经度 and 纬度 places the facility or community it names, in the
// import's crs. Rows left empty are skipped.
func (im *importer) readLocations(path string) map[string]orb.Point {
	name := filepath.Base(path)
	t, ps, ws := readTable(path, name)
	im.addProblems(ps)
	im.warn(ws)
	if t == nil {
		return nil
	}
	b, bp := bind(t, importReportColumns)
	if len(bp) > 0 {
		for i := range bp {
			bp[i].Message += "; --locations reads an import report (" + ImportReportCSV + " or " + ImportReportXLSX + ") with 经度/纬度 filled in"
		}
		im.addProblems(bp)
		return nil
	}
	out := map[string]orb.Point{}
	for i := range t.rows {
		rec := &t.rows[i]
		rw := b.row(rec)
		kind, id := rw.text("kind"), rw.text("id")
		rw.id = fmt.Sprintf("id %q", id)
		if rw.text("lon") == "" && rw.text("lat") == "" {
			continue
		}
		lon, ok1 := rw.coordinate("lon", 180)
		lat, ok2 := rw.coordinate("lat", 90)
		if ok1 && ok2 && id != "" {
			out[kind+"\x00"+id] = crs.ToWGS84(im.opt.CRS, orb.Point{lon, lat})
		}
		im.addProblems(rw.errs)
	}
	return out
}
