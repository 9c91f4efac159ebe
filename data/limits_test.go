package data

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// bombXLSX writes a workbook whose shared strings (or sheet) unzip to about
// size bytes from a file of a few hundred KiB: a spreadsheet bomb.
func bombXLSX(t *testing.T, part string, size int) string {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestSpeed) })
	add := func(name, body string) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	add("[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`)
	add("_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)
	add("xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`)
	add("xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`)
	big := func(head, unit, tail string) {
		w, err := zw.Create(part)
		if err != nil {
			t.Fatal(err)
		}
		chunk := []byte(strings.Repeat(unit, (1<<20)/len(unit)))
		w.Write([]byte(head))
		for n := 0; n < size; n += len(chunk) {
			w.Write(chunk)
		}
		w.Write([]byte(tail))
	}
	switch part {
	case "xl/sharedStrings.xml":
		add("xl/worksheets/sheet1.xml", `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>`)
		big(`<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`, "<si><t>name</t></si>", "</sst>")
	default:
		add("xl/sharedStrings.xml", `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>name</t></si></sst>`)
		big(`<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`, `<row><c t="s"><v>0</v></c><c><v>1</v></c></row>`, "</sheetData></worksheet>")
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "facilities.xlsx")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestSpreadsheetBomb: workbooks of under 1 MiB that unzip to hundreds of
// MiB are refused with an error naming the file, the limit and the flag,
// without reading them into memory.
func TestSpreadsheetBomb(t *testing.T) {
	for _, c := range []struct {
		part string
		size int
		lim  Limits
		want string
	}{
		{"xl/sharedStrings.xml", 300 << 20, Limits{}, "facilities.xlsx: the workbook's part xl/sharedStrings.xml unzips to more than 8 MiB, the limit for parts other than sheets; if the file is right, raise the limit with --max-file-mb"},
		{"xl/worksheets/sheet1.xml", 300 << 20, Limits{}, "facilities.xlsx: the workbook unzips to more than 64 MiB, the limit; if the file is right, raise the limit with --max-file-mb"},
		// Within the unzipped limit, the row limit stops the stream.
		{"xl/worksheets/sheet1.xml", 20 << 20, Limits{Rows: 1000}, "facilities.xlsx: has more than 1000 rows, the limit; if the file is right, raise the limit with --max-rows"},
	} {
		t.Run(c.part, func(t *testing.T) {
			p := bombXLSX(t, c.part, c.size)
			if fi, _ := os.Stat(p); fi.Size() > 4<<20 {
				t.Fatalf("the bomb is %d bytes; want a small file", fi.Size())
			}
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			tb, probs, _ := readTable(p, "facilities.xlsx", c.lim)
			runtime.ReadMemStats(&after)
			if tb != nil || len(probs) != 1 {
				t.Fatalf("table %v, problems %v; want one problem", tb != nil, probs)
			}
			if got := probs[0].String(); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
			if grew := after.TotalAlloc - before.TotalAlloc; grew > 100<<20 {
				t.Errorf("reading the bomb allocated %d MiB; want well under the %d MiB it unzips to", grew>>20, c.size>>20)
			}
		})
	}
}

// TestTableLimits: every table reader stops at the size, row and cell
// limits, naming the file and the flag.
func TestTableLimits(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var csvRows, features strings.Builder
	csvRows.WriteString("id,name,lon,lat\n")
	for i := range 20 {
		fmt.Fprintf(&csvRows, "F%d,home,106.5,29.5\n", i)
		if i > 0 {
			features.WriteString(",")
		}
		features.WriteString(`{"type":"Feature","properties":{"id":"x"},"geometry":null}`)
	}
	wide := "a" + strings.Repeat(",b", 99) + "\n" + "1" + strings.Repeat(",2", 99) + "\n"
	cases := []struct {
		path string
		lim  Limits
		want string
	}{
		{write("big.csv", csvRows.String()), Limits{FileBytes: 100}, "big.csv: is 406 bytes, over the limit of 100 bytes; if the file is right, raise the limit with --max-file-mb"},
		{write("rows.csv", csvRows.String()), Limits{Rows: 10}, "rows.csv: has more than 10 rows, the limit; if the file is right, raise the limit with --max-rows"},
		{write("wide.csv", wide), Limits{Rows: 1, Cells: 50}, "wide.csv: has more than 50 cells, the limit (20 per row allowed); if the file is right, raise the limit with --max-rows"},
		{write("rows.geojson", `{"type":"FeatureCollection","features":[`+features.String()+`]}`), Limits{Rows: 10}, "rows.geojson: has more than 10 features, the limit; if the file is right, raise the limit with --max-rows"},
		{write("rows.xlsx", string(xlsxBytes(t, csvTable(csvRows.String())))), Limits{Rows: 10}, "rows.xlsx: has more than 10 rows, the limit; if the file is right, raise the limit with --max-rows"},
		{"/dev/zero", Limits{}, "zero.csv: is a device, not a file"},
		{dir, Limits{}, "folder.csv: is a folder, not a file"},
	}
	for _, c := range cases {
		name := filepath.Base(c.path)
		switch c.path {
		case "/dev/zero":
			name = "zero.csv"
		case dir:
			name = "folder.csv"
		}
		t.Run(name, func(t *testing.T) {
			if _, err := os.Stat(c.path); err != nil {
				t.Skip(err)
			}
			path := c.path
			if c.path == "/dev/zero" || c.path == dir {
				// readTable goes by the extension; link the name to the target.
				path = filepath.Join(t.TempDir(), name)
				if err := os.Symlink(c.path, path); err != nil {
					t.Skip(err)
				}
			}
			tb, probs, _ := readTable(path, name, c.lim)
			if tb != nil || len(probs) != 1 {
				t.Fatalf("table %v, problems %v; want one problem", tb != nil, probs)
			}
			if got := probs[0].String(); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

func csvTable(s string) [][]string {
	var rows [][]string
	for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
		rows = append(rows, strings.Split(line, ","))
	}
	return rows
}

// TestProfileDevZero: city.yaml naming /dev/zero as its profile fails at
// once, saying it is not a file, rather than reading forever.
func TestProfileDevZero(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip(err)
	}
	f := newFixture()
	f.config = strings.Replace(f.config, "profile: cn-default", "profile: /dev/zero", 1)
	_, err := LoadBundle(context.Background(), f.write(t), nil)
	if err == nil || !strings.Contains(err.Error(), "city.yaml: line 4: profile: standards profile: open /dev/zero: is a device, not a file") {
		t.Errorf("err = %v; want one saying /dev/zero is a device", err)
	}
}

// TestCandidateRowLimit: candidate files, which the web map takes as
// uploads, get a tenth of the row limit.
func TestCandidateRowLimit(t *testing.T) {
	b := *tinyDemo(t)
	b.Limits = Limits{Rows: 100}
	var body strings.Builder
	body.WriteString("lon,lat\n")
	for range 11 {
		body.WriteString("106.5,29.5\n")
	}
	_, err := LoadCandidates(writeCandidates(t, "sites.csv", body.String()), &b, nil)
	if err == nil || !strings.Contains(err.Error(), "sites.csv: has more than 10 rows, the limit; if the file is right, raise the limit with --max-rows") {
		t.Errorf("err = %v; want the row limit of 10", err)
	}
}
