package data

import (
	"bytes"
	"context"
	"encoding/csv"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestSafeCells: text a spreadsheet would run as a formula gets a leading
// quote; numbers and other text are kept.
func TestSafeCells(t *testing.T) {
	in := []string{"=1+2", "+cmd", "-x", "@SUM(A1)", "\tTAB", "\rCR", "-3.5", "+7", "1e3", "普通", "", "a=b"}
	want := []string{"'=1+2", "'+cmd", "'-x", "'@SUM(A1)", "'\tTAB", "'\rCR", "-3.5", "+7", "1e3", "普通", "", "a=b"}
	orig := slices.Clone(in)
	if got := safeCells(in); !slices.Equal(got, want) {
		t.Errorf("safeCells = %q, want %q", got, want)
	}
	if !slices.Equal(in, orig) {
		t.Error("safeCells changed its argument")
	}
}

// TestReportFormulaInjection: a facility named and numbered like formulas
// comes out of the CSV report neutralised, and out of the XLSX report as a
// text cell showing the same text, never a formula.
func TestReportFormulaInjection(t *testing.T) {
	b, m := reportDistrict(t)
	sc := proposedScenario(t, m)
	const name, id = `=HYPERLINK("http://example.com","点此")`, "@P-1"
	sc.Added[0].Name, sc.Added[0].ID = name, id
	e, err := sc.Apply(m.Baseline())
	if err != nil {
		t.Fatal(err)
	}
	a, err := e.Assess(context.Background(), sc.ID)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteReport(&buf, "csv", a, ReportOptions{Table: "facilities", Regions: b.City.Regions, Date: reportDate}); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), utf8BOM))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range recs {
		for _, c := range r {
			if c == name || c == id {
				t.Errorf("CSV cell %q is not neutralised", c)
			}
			found = found || c == "'"+name
		}
	}
	if !found {
		t.Errorf("CSV has no cell %q", "'"+name)
	}

	f := writeXLSX(t, a, ReportOptions{Regions: b.City.Regions, Date: reportDate})
	sheet := XLSXSheets("zh")[3]
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	found = false
	for ri, r := range rows {
		for ci, c := range r {
			if c != name && c != id {
				continue
			}
			found = true
			cell, _ := excelize.CoordinatesToCellName(ci+1, ri+1)
			if fx, _ := f.GetCellFormula(sheet, cell); fx != "" {
				t.Errorf("%s!%s is a formula %q", sheet, cell, fx)
			}
			if typ, _ := f.GetCellType(sheet, cell); typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString {
				t.Errorf("%s!%s has type %v, want a text cell", sheet, cell, typ)
			}
		}
	}
	if !found {
		t.Errorf("sheet %s does not show %q as written", sheet, name)
	}
}
