package data

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"1500", 1500, true},
		{" 1500.5 ", 1500.5, true},
		{"1,500", 1500, true},
		{"12,345,678.25", 12345678.25, true},
		{"-1,000", -1000, true},
		{"1500㎡", 1500, true},
		{"1500 平方米", 1500, true},
		{"1500m²", 1500, true},
		{"1500m2", 1500, true},
		{"50张", 50, true},
		{"1.5e3", 1500, true},
		{"0", 0, true},
		{"1,50", 0, false},
		{"15,00.5", 0, false},
		{",100", 0, false},
		{"abc", 0, false},
		{"约500", 0, false},
		{"NaN", 0, false},
		{"Inf", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, err := parseNumber(tt.in)
		if (err == nil) != tt.ok || (tt.ok && got != tt.want) {
			t.Errorf("parseNumber(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestNormaliseHeader(t *testing.T) {
	tests := []struct{ in, want string }{
		{"建筑面积（㎡）", "建筑面积"},
		{"建筑面积(平方米)", "建筑面积"},
		{" Floor_Area_m2 ", "flooraream2"},
		{"floor area (m2)", "floorarea"},
		{"*名称", "名称"},
		{"\ufeffid", "id"},
		{"elders-60", "elders60"},
	}
	for _, tt := range tests {
		if got := normaliseHeader(tt.in); got != tt.want {
			t.Errorf("normaliseHeader(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestReadCSVEncodings(t *testing.T) {
	text := "编号,名称\nF1,南园养老服务站\n\nF2,\"北园,站\"\n"
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, content string
		warn          bool
	}{
		{"utf-8", text, false},
		{"utf-8 with BOM", "\ufeff" + text, false},
		{"gbk", gbk, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "f.csv")
			if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			tb, probs, warns := readCSV(path, "f.csv", Limits{}.withDefaults())
			if len(probs) > 0 {
				t.Fatal(probs)
			}
			if (len(warns) > 0) != tt.warn {
				t.Errorf("warnings %v, want some: %v", warns, tt.warn)
			}
			if tb.headers[0] != "编号" || len(tb.rows) != 2 || tb.rows[0].cells[1] != "南园养老服务站" || tb.rows[1].cells[1] != "北园,站" {
				t.Errorf("table %+v", tb)
			}
			// Rows are file lines: the blank line 3 is skipped, not renumbered.
			if tb.rows[0].line != 2 || tb.rows[1].line != 4 {
				t.Errorf("rows on lines %d and %d, want 2 and 4", tb.rows[0].line, tb.rows[1].line)
			}
		})
	}
}

func TestReadXLSXRowNumbers(t *testing.T) {
	// A title row left empty and a blank row between records: row numbers
	// stay those Excel shows.
	rows := [][]string{{}, {"id", "name"}, {"F1", "甲"}, {}, {"F2", "乙"}}
	path := filepath.Join(t.TempDir(), "f.xlsx")
	if err := os.WriteFile(path, xlsxBytes(t, rows), 0o644); err != nil {
		t.Fatal(err)
	}
	tb, probs := readXLSX(path, "f.xlsx", Limits{}.withDefaults())
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	if len(tb.rows) != 2 || tb.rows[0].line != 3 || tb.rows[1].line != 5 || tb.rows[1].cells[1] != "乙" {
		t.Errorf("rows %+v, want F1 on row 3 and F2 on row 5", tb.rows)
	}
}

func TestProblemString(t *testing.T) {
	tests := []struct {
		p    Problem
		want string
	}{
		{Problem{File: "facilities.csv", Line: 7, ID: `id "F07"`, Field: "床位数 (beds)", Message: "want a number"},
			`facilities.csv: row 7 (id "F07"): 床位数 (beds): want a number`},
		{Problem{File: "facilities.xlsx", Line: 1, Message: "missing columns"}, "facilities.xlsx: row 1: missing columns"},
		{Problem{File: "regions.geojson", Feature: 3, Field: "parent", Message: "x"}, "regions.geojson: feature 3: parent: x"},
		{Problem{File: "city.yaml", Line: 4, Field: "crs", Message: "x"}, "city.yaml: line 4: crs: x"},
		{Problem{File: "map.osm", Message: "no such file"}, "map.osm: no such file"},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
	err := &BundleError{Dir: "d", Problems: []Problem{tests[0].p}}
	if !strings.HasPrefix(err.Error(), "city bundle d: facilities.csv: row 7") {
		t.Errorf("Error() = %q", err.Error())
	}
}
