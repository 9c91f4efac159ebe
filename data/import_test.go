package data

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/carecircle/carecircle/planner"
)

// The hand-made extract: a 6 × 6 grid of footways 0.001° apart near
// Nantong, a residential building in each of the 25 blocks, some with
// addresses, a named home for the elderly, and the address 人民路1号 on
// two buildings far apart.
const (
	fxLon, fxLat = 120.85, 32.0
	fxStep       = 0.001
)

func fxNode(i, j int) (int, float64, float64) {
	return 1 + i*6 + j, fxLon + float64(j)*fxStep, fxLat + float64(i)*fxStep
}

// fxBlockCentre is the centre of block (i, j), 0 ≤ i, j < 5.
func fxBlockCentre(i, j int) orb.Point {
	return orb.Point{fxLon + (float64(j)+0.5)*fxStep, fxLat + (float64(i)+0.5)*fxStep}
}

// importFixtureOSM writes the extract; addr maps a block to its addr:* tags.
func importFixtureOSM(t testing.TB, path string) {
	t.Helper()
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<osm version=\"0.6\">\n")
	for i := range 6 {
		for j := range 6 {
			id, lon, lat := fxNode(i, j)
			fmt.Fprintf(&b, `<node id="%d" lat="%.7f" lon="%.7f"/>`+"\n", id, lat, lon)
		}
	}
	way := 1000
	for i := range 6 { // rows and columns
		fmt.Fprintf(&b, `<way id="%d">`, way)
		for j := range 6 {
			id, _, _ := fxNode(i, j)
			fmt.Fprintf(&b, `<nd ref="%d"/>`, id)
		}
		fmt.Fprintf(&b, `<tag k="highway" v="residential"/><tag k="name" v="横%d路"/></way>`+"\n", i)
		way++
		fmt.Fprintf(&b, `<way id="%d">`, way)
		for j := range 6 {
			id, _, _ := fxNode(j, i)
			fmt.Fprintf(&b, `<nd ref="%d"/>`, id)
		}
		fmt.Fprintf(&b, `<tag k="highway" v="footway"/></way>`+"\n")
		way++
	}
	addr := map[[2]int]string{
		{0, 0}: `<tag k="addr:street" v="工农路"/><tag k="addr:housenumber" v="88号"/>`,
		{1, 1}: `<tag k="addr:street" v="人民路"/><tag k="addr:housenumber" v="1号"/>`,
		{4, 4}: `<tag k="addr:street" v="人民路"/><tag k="addr:housenumber" v="1号"/>`,
		{2, 3}: `<tag k="addr:street" v="Rua da Praia"/><tag k="addr:housenumber" v="1500"/>`,
	}
	node := 5000
	for i := range 5 {
		for j := range 5 {
			c := fxBlockCentre(i, j)
			d := 0.0003
			ids := []int{}
			for _, p := range []orb.Point{{c[0] - d, c[1] - d}, {c[0] + d, c[1] - d}, {c[0] + d, c[1] + d}, {c[0] - d, c[1] + d}} {
				fmt.Fprintf(&b, `<node id="%d" lat="%.7f" lon="%.7f"/>`+"\n", node, p[1], p[0])
				ids = append(ids, node)
				node++
			}
			fmt.Fprintf(&b, `<way id="%d">`, way)
			for _, id := range append(ids, ids[0]) {
				fmt.Fprintf(&b, `<nd ref="%d"/>`, id)
			}
			fmt.Fprintf(&b, `<tag k="building" v="residential"/><tag k="building:levels" v="%d"/>%s</way>`+"\n", 1+(i+j)%4, addr[[2]int{i, j}])
			way++
		}
	}
	c := fxBlockCentre(3, 1)
	fmt.Fprintf(&b, `<node id="9000" lat="%.7f" lon="%.7f"><tag k="amenity" v="social_facility"/><tag k="name" v="南园养老院"/></node>`+"\n", c[1]+0.0001, c[0])
	c = fxBlockCentre(2, 2)
	fmt.Fprintf(&b, `<node id="9001" lat="%.7f" lon="%.7f"><tag k="place" v="neighbourhood"/><tag k="name" v="北园"/></node>`+"\n", c[1], c[0])
	b.WriteString("</osm>\n")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeGBK writes rows as CSV in GBK, as Chinese Excel saves "CSV".
func writeGBK(t testing.TB, path string, rows [][]string) {
	t.Helper()
	var b bytes.Buffer
	for _, r := range rows {
		b.WriteString(strings.Join(r, ",") + "\r\n")
	}
	enc, err := simplifiedchinese.GBK.NewEncoder().Bytes(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, enc, 0o644); err != nil {
		t.Fatal(err)
	}
}

// fixtureTables writes the extract, a GBK community table of points only
// (four communities in two streets, 12-digit codes, one without a point
// that is found by its name) and a facility list with addresses.
func fixtureTables(t testing.TB, dir string) ImportOptions {
	t.Helper()
	osmPath := filepath.Join(dir, "city.osm")
	importFixtureOSM(t, osmPath)
	p := func(i, j int) (string, string) {
		c := fxBlockCentre(i, j)
		return ftoa(c[0] + 0.0004), ftoa(c[1] + 0.0004)
	}
	rows := [][]string{{"统计用区划代码", "社区", "街道", "区县", "总人口", "户数", "60周岁以上老年人口", "80岁以上人口", "城乡", "新旧小区", "经度", "纬度"}}
	add := func(code, name, street string, lon, lat string) {
		rows = append(rows, []string{code, name, street, "崇川区", "3000", "1000", "600", "90", "城镇", "老旧", lon, lat})
	}
	lon, lat := p(0, 0)
	add("320602001001", "南园社区", "城东街道", lon, lat)
	lon, lat = p(4, 4)
	add("320602001002", "东园社区", "城东街道", lon, lat)
	lon, lat = p(4, 0)
	add("320602002001", "西园社区", "城西街道", lon, lat)
	add("320602002002", "北园社区", "城西街道", "", "")
	comm := filepath.Join(dir, "communities.csv")
	writeGBK(t, comm, rows)

	fac := filepath.Join(dir, "facilities.csv")
	writeTestCSV(t, fac, [][]string{
		{"编号", "名称", "类型", "状态", "地址", "经度", "纬度"},
		{"F1", "城东街道养老服务中心", "街道养老服务中心", "运营中", "工农路88号", "", ""},
		{"F2", "南园站", "社区养老服务站", "运营中", "江苏省南通市崇川区工农路８８号楼", "", ""},
		{"F3", "南园养老院", "养老院", "运营中", "", "", ""},
		{"F4", "人民路站", "社区养老服务站", "运营中", "人民路1号", "", ""},
		{"F5", "无名站", "社区养老服务站", "闲置", "不存在路9号", "", ""},
		{"F6", "有坐标站", "社区养老服务站", "运营中", "", ftoa(fxLon + 0.0025), ftoa(fxLat + 0.0021)},
		{"F7", "巴西站", "社区养老服务站", "运营中", "RUA DA PRAIA 1500", "", ""},
	})
	return ImportOptions{OSM: osmPath, Communities: comm, Facilities: fac, CRS: "wgs84", Out: filepath.Join(dir, "bundle"), Name: "崇川区"}
}

func TestImportHandMadeCity(t *testing.T) {
	dir := t.TempDir()
	opt := fixtureTables(t, dir)
	res, err := Import(t.Context(), opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	b := res.Bundle

	// Address matching: exact, fuzzy (normalised, by name), ambiguous,
	// missing.
	want := map[string]struct {
		status string
		placed bool
	}{
		"F1": {"exact", true}, "F2": {"fuzzy", true}, "F3": {"fuzzy", true},
		"F4": {"ambiguous", false}, "F5": {"missing", false}, "F7": {"fuzzy", true},
	}
	got := map[string]ImportIssue{}
	for _, is := range res.Issues {
		if is.Kind == "facility" {
			got[is.ID] = is
		}
	}
	for id, w := range want {
		is, ok := got[id]
		if !ok {
			t.Errorf("%s: not in the import report", id)
			continue
		}
		if is.Status != w.status || is.Placed != w.placed {
			t.Errorf("%s: %s placed=%v (%s), want %s placed=%v", id, is.Status, is.Placed, is.Message, w.status, w.placed)
		}
		if w.placed && (is.Confidence <= 0 || is.Confidence > 1) {
			t.Errorf("%s: confidence %v", id, is.Confidence)
		}
	}
	if got["F4"].Candidates == "" {
		t.Error("F4: an ambiguous match lists no candidates")
	}
	ids := map[string]orb.Point{}
	for _, f := range b.City.Facilities {
		ids[f.ID] = f.Location
	}
	for _, id := range []string{"F1", "F2", "F3", "F6", "F7"} {
		if _, ok := ids[id]; !ok {
			t.Errorf("%s: not in the bundle", id)
		}
	}
	for _, id := range []string{"F4", "F5"} {
		if _, ok := ids[id]; ok {
			t.Errorf("%s: placed at a guess", id)
		}
	}
	if ids["F1"] != ids["F2"] {
		t.Errorf("F1 and F2 have one address, placed at %v and %v", ids["F1"], ids["F2"])
	}

	// The hierarchy: streets and the district implied by the codes, the
	// community without a point found by its name.
	byCode := map[string]planner.Region{}
	for _, r := range b.City.Regions {
		byCode[r.Code] = r
	}
	for code, name := range map[string]string{"320602001000": "城东街道", "320602002000": "城西街道", "320602000000": "崇川区"} {
		if r, ok := byCode[code]; !ok || r.Name != name {
			t.Errorf("region %s: %+v, want %s", code, r.Name, name)
		}
	}
	if r := byCode["320602002002"]; r.Parent != "320602002000" || r.BoundarySource != BoundaryDerived {
		t.Errorf("北园社区: parent %q, boundary %q", r.Parent, r.BoundarySource)
	}
	if r := byCode["320602001001"]; r.Elders80 != 90 || r.Households != 1000 || r.AreaType != planner.Urban || r.Age != planner.OldResidential {
		t.Errorf("南园社区: %+v", r)
	}

	// Derived areas cover every building without overlap, and demand sits
	// on the buildings.
	var centres []orb.Point
	for _, bl := range b.Basemap.Buildings {
		centres = append(centres, bl.Footprint.Bound().Center())
	}
	checkDerivedCover(t, b, centres)
	for _, m := range b.DemandMethods {
		if m.Method != planner.DemandFromBuildings {
			t.Errorf("community %d: demand placed by %s, want buildings", m.Region, m.Method)
		}
	}

	// The report is written, and the bureau's filled-in copy places the
	// rest on a re-run.
	for _, f := range []string{ImportReportCSV, ImportReportXLSX} {
		if _, err := os.Stat(filepath.Join(opt.Out, f)); err != nil {
			t.Error(err)
		}
	}
	rep, err := os.ReadFile(filepath.Join(opt.Out, ImportReportCSV))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(rep), "\n")
	for i, l := range lines {
		for id, at := range map[string]orb.Point{"F4": fxBlockCentre(1, 2), "F5": fxBlockCentre(3, 3)} {
			if strings.HasPrefix(l, "facility,facilities.csv,") && strings.Contains(l, ","+id+",") {
				lines[i] = strings.TrimSuffix(l, ",,") + "," + ftoa(at[0]) + "," + ftoa(at[1])
			}
		}
	}
	filled := filepath.Join(dir, "filled.csv")
	if err := os.WriteFile(filled, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	opt.Locations = filled
	res2, err := Import(t.Context(), opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(res2.Bundle.City.Facilities); n != 7 {
		t.Errorf("re-run with the filled-in report: %d facilities, want 7", n)
	}
}

func TestImportWithXLSXLocations(t *testing.T) {
	dir := t.TempDir()
	opt := fixtureTables(t, dir)
	if _, err := Import(t.Context(), opt, nil); err != nil {
		t.Fatal(err)
	}
	// The XLSX report reads back too (nothing filled: nothing changes).
	opt.Locations = filepath.Join(opt.Out, ImportReportXLSX)
	res, err := Import(t.Context(), opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(res.Bundle.City.Facilities); n != 5 {
		t.Errorf("%d facilities, want 5", n)
	}
}

// TestImportReportsDoubts: a street with a boundary and numbers that do
// not add up, a community point outside it, a duplicate code.
func TestImportReportsDoubts(t *testing.T) {
	dir := t.TempDir()
	opt := fixtureTables(t, dir)
	// 城东街道 is the lower half of the grid; 东园社区's point is in the
	// upper right, outside it.
	poly := fmt.Sprintf("POLYGON ((%[1]f %[2]f, %[3]f %[2]f, %[3]f %[4]f, %[1]f %[4]f, %[1]f %[2]f))", fxLon-0.001, fxLat-0.001, fxLon+0.006, fxLat+0.0025)
	streets := filepath.Join(dir, "streets.csv")
	writeTestCSV(t, streets, [][]string{
		{"街道代码", "街道名称", "所属区县", "常住人口", "60岁以上人口", "WKT"},
		{"320602001", "城东街道", "320602", "9000", "1200", poly},
	})
	opt.Streets = streets
	rows := readTestCSV(t, opt.Communities)
	rows = append(rows, rows[1]) // 南园社区 again
	writeGBK(t, opt.Communities, rows)
	res, err := Import(t.Context(), opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, is := range res.Issues {
		seen[is.Status]++
		t.Logf("%s %s row %d %s: %s", is.Status, is.File, is.Row, is.ID, is.Message)
	}
	for _, s := range []string{StatusOutsideStreet, StatusDuplicateCode, StatusSumMismatch} {
		if seen[s] == 0 {
			t.Errorf("no %s row in the import report", s)
		}
	}
	// Cells inside 城东街道's boundary go only to its communities.
	var east orb.Geometry
	for _, r := range res.Bundle.City.Regions {
		if r.Code == "320602001000" {
			east = r.Boundary
		}
	}
	for _, r := range res.Bundle.City.Regions {
		if r.Level == planner.LevelCommunity && r.Parent != "320602001000" && geometryContains(east, planner.InteriorPoint(r.Boundary)) {
			t.Errorf("community %s of %s lies in 城东街道's boundary", r.Code, r.Parent)
		}
	}
}

func readTestCSV(t testing.TB, path string) [][]string {
	t.Helper()
	tb, probs, _ := readCSV(path, filepath.Base(path))
	if tb == nil {
		t.Fatal(probs)
	}
	rows := [][]string{tb.headers}
	for _, r := range tb.rows {
		rows = append(rows, r.cells)
	}
	return rows
}

// TestImportRefusesBadTables: every refusal names file, row and field.
func TestImportRefusesBadTables(t *testing.T) {
	dir := t.TempDir()
	opt := fixtureTables(t, dir)
	bad := filepath.Join(dir, "bad.csv")
	writeTestCSV(t, bad, [][]string{
		{"社区代码", "社区名称", "所属街道", "常住人口", "60岁以上人口", "经度", "纬度"},
		{"320602001001", "南园社区", "城东街道", "3000", "多", "120.851", "32.001"},
		{"320602001002", "东园社区", "城东街道", "3000", "4000", "120.851", "32.001"},
		{"320602001003", "西园社区", "城东街道", "3000", "400", "220.851", "32.001"},
	})
	opt.Communities = bad
	_, err := Import(t.Context(), opt, nil)
	var ie *ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("err = %v, want an ImportError", err)
	}
	msg := err.Error()
	for _, want := range []string{
		`bad.csv: row 2 (code "320602001001"): 60岁以上人口 (elders_60): want a number, got "多"`,
		`bad.csv: row 3 (code "320602001002"): 60岁以上人口 (elders_60): 4000 is more than the 3000 residents`,
		`bad.csv: row 4 (code "320602001003"): 经度 (lon): 220.851 is outside -180 to 180 degrees`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if _, err := os.Stat(opt.Out); err == nil {
		t.Error("a refused import wrote the bundle folder")
	}

	// A table without a name column says what a community table has.
	writeTestCSV(t, bad, [][]string{{"foo", "bar"}, {"1", "2"}})
	_, err = Import(t.Context(), opt, nil)
	if err == nil || !strings.Contains(err.Error(), "bad.csv: row 1: missing columns name (社区名称)") || !strings.Contains(err.Error(), "communities are read from a table with") {
		t.Errorf("err = %v", err)
	}
}

// TestRegionsTableWhereGeoJSONIsExpected: city.yaml naming a CSV as its
// regions says how communities are read.
func TestRegionsTableWhereGeoJSONIsExpected(t *testing.T) {
	dir := t.TempDir()
	opt := fixtureTables(t, dir)
	if _, err := Import(t.Context(), opt, nil); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(opt.Out, ConfigFile)
	src, _ := os.ReadFile(cfg)
	os.WriteFile(cfg, bytes.Replace(src, []byte("regions: regions.geojson"), []byte("regions: communities.csv"), 1), 0o644)
	copyFile(filepath.Join(opt.Out, "communities.csv"), opt.Communities)
	_, err := LoadBundle(t.Context(), opt.Out, nil)
	if err == nil || !strings.Contains(err.Error(), "communities are read from a table with") || !strings.Contains(err.Error(), "or a GeoJSON") {
		t.Errorf("err = %v", err)
	}
}

// TestRegionsGeoJSONMixingCodeAnd代码: features written by different tools
// may name a property in English or Chinese.
func TestRegionsGeoJSONMixingCodeAnd代码(t *testing.T) {
	dir := t.TempDir()
	opt := fixtureTables(t, dir)
	if _, err := Import(t.Context(), opt, nil); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(opt.Out, RegionsFile)
	src, _ := os.ReadFile(path)
	// Half the features say 代码 and 名称.
	lines := strings.Split(string(src), "\n")
	for i := 1; i < len(lines); i += 2 {
		lines[i] = strings.Replace(strings.Replace(lines[i], `"code":`, `"代码":`, 1), `"name":`, `"名称":`, 1)
	}
	os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644)
	b, err := LoadBundle(t.Context(), opt.Out, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := b.Stats.Regions[planner.LevelCommunity]; n != 4 {
		t.Errorf("%d communities, want 4", n)
	}
	// A feature that gives both is refused, naming it.
	lines[1] = strings.Replace(lines[1], `"代码":`, `"code":"x","代码":`, 1)
	os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644)
	if _, err := LoadBundle(t.Context(), opt.Out, nil); err == nil || !strings.Contains(err.Error(), "feature 1") || !strings.Contains(err.Error(), "keep one") {
		t.Errorf("err = %v", err)
	}
}

func TestNormaliseAddress(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"工农路88号", "工农路88"},
		{"江苏省南通市崇川区工农路８８号", "工农路88"},
		{"南通市 工农路 88 号楼", "工农路88"},
		{"崇川区工农路88号院", "工农路88"},
		{"新区路5号", "新区路5"},
		{"Rua da Praia, 1500", "ruadapraia1500"},
		{"ＲＵＡ　ＤＡ　ＰＲＡＩＡ １５００", "ruadapraia1500"},
		{"", ""},
	} {
		if got := NormaliseAddress(c.in); got != c.want {
			t.Errorf("NormaliseAddress(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func FuzzNormaliseAddress(f *testing.F) {
	for _, s := range []string{"江苏省南通市崇川区工农路８８号", "Rua da Praia, 1500", "市区县", "号号号1号楼"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := NormaliseAddress(s)
		if NormaliseAddress(n) != n && len(s) < MaxAddressLength {
			// Normalising twice may strip one more prefix; it must not
			// grow.
			if len(NormaliseAddress(n)) > len(n) {
				t.Errorf("normalising %q again grew it", n)
			}
		}
	})
}

func FuzzCommunityTable(f *testing.F) {
	f.Add([]byte("社区代码,社区名称,所属街道,常住人口,60岁以上人口,经度,纬度\n320602001001,南园社区,城东街道,3000,600,120.85,32.0\n"))
	f.Add([]byte("code,name,street,wkt\n1,a,b,\"POLYGON ((0 0, 1 0, 1 1, 0 0))\"\n"))
	f.Add([]byte("name,wkt\nx,MULTIPOLYGON EMPTY\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		path := filepath.Join(t.TempDir(), "c.csv")
		if err := os.WriteFile(path, src, 0o644); err != nil {
			t.Fatal(err)
		}
		rows, probs, _ := readRegionTable(path, "c.csv", planner.LevelCommunity, "gcj02")
		if rows == nil && len(probs) == 0 {
			t.Error("no rows and no problem")
		}
		for _, p := range probs {
			if p.File != "c.csv" || p.Message == "" {
				t.Errorf("problem without file or message: %+v", p)
			}
		}
	})
}

func TestImportRefusesCommunityOutsideTheExtract(t *testing.T) {
	dir := t.TempDir()
	opt := fixtureTables(t, dir)
	rows := readTestCSV(t, opt.Communities)
	rows[1][10], rows[1][11] = "121.5", "31.2" // Shanghai
	writeGBK(t, opt.Communities, rows)
	_, err := Import(t.Context(), opt, nil)
	if err == nil || !strings.Contains(err.Error(), `communities.csv: row 2 (code "320602001001"): lon, lat: WGS84 (121.500000, 31.200000) lies outside the walking network's area`) {
		t.Errorf("err = %v", err)
	}
}
