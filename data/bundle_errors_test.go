package data

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/xuri/excelize/v2"
)

// setCell sets the cell of column header in row (0 = header) of rows.
func setCell(rows [][]string, row int, header, value string) {
	for k, h := range rows[0] {
		if h == header {
			rows[row][k] = value
			return
		}
	}
	panic("no column " + header)
}

// dropColumn removes column header from rows.
func dropColumn(rows [][]string, header string) {
	for k, h := range rows[0] {
		if h == header {
			for i := range rows {
				rows[i] = append(rows[i][:k:k], rows[i][k+1:]...)
			}
			return
		}
	}
	panic("no column " + header)
}

// xlsxBytes renders rows as the first sheet of a workbook.
func xlsxBytes(t testing.TB, rows [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	for i, r := range rows {
		cells := make([]any, len(r))
		for k, c := range r {
			cells[k] = c
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(sheet, cell, &cells); err != nil {
			t.Fatal(err)
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// facilitiesGeoJSON renders facility rows as Point features; the lon/lat
// columns become the geometry.
func facilitiesGeoJSON(t testing.TB, rows [][]string) []byte {
	t.Helper()
	fc := geojson.NewFeatureCollection()
	for _, r := range rows[1:] {
		var lon, lat float64
		props := map[string]any{}
		for k, h := range rows[0] {
			switch h {
			case "经度":
				fmt.Sscan(r[k], &lon)
			case "纬度":
				fmt.Sscan(r[k], &lat)
			default:
				props[h] = r[k]
			}
		}
		feat := geojson.NewFeature(orb.Point{lon, lat})
		feat.Properties = props
		fc.Append(feat)
	}
	b, err := json.Marshal(fc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// facilitiesWKT renders facility rows as CSV with the place as one WKT
// column, as GIS tools export it, instead of lon/lat.
func facilitiesWKT(t testing.TB, rows [][]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	lon, lat := slices.Index(rows[0], "经度"), slices.Index(rows[0], "纬度")
	for i, r := range rows {
		out := []string{"WKT"}
		if i > 0 {
			out[0] = fmt.Sprintf("POINT (%s %s)", r[lon], r[lat])
		}
		for k, c := range r {
			if k != lon && k != lat {
				out = append(out, c)
			}
		}
		w.Write(out)
	}
	w.Flush()
	return buf.Bytes()
}

func TestFacilityFormatsAgree(t *testing.T) {
	base := load(t, newFixture().write(t))
	tests := []struct {
		name, file string
		render     func(testing.TB, [][]string) []byte
	}{
		{"xlsx", "facilities.xlsx", xlsxBytes},
		{"geojson", "facilities.geojson", facilitiesGeoJSON},
		{"wkt", "facilities-wkt.csv", facilitiesWKT},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture()
			f.config = strings.Replace(f.config, "facilities: facilities.csv", "facilities: "+tt.file, 1)
			f.extra = map[string][]byte{tt.file: tt.render(t, f.table(f.facilities))}
			b := load(t, f.write(t))
			if !reflect.DeepEqual(b.City.Facilities, base.City.Facilities) || !reflect.DeepEqual(b.City.Health, base.City.Health) {
				t.Errorf("facilities from %s:\n%+v\nfrom CSV:\n%+v", tt.file, b.City.Facilities, base.City.Facilities)
			}
		})
	}
}

func TestLoadBundleBadInput(t *testing.T) {
	withPopulation := func(f *fixture, rows [][]string) {
		f.config += "population: population.csv\n"
		f.population = rows
	}
	goodPopulation := func() [][]string {
		return [][]string{
			{"h3", "residents", "elders_60"},
			{"8a309a62a4b7fff", "10", "2"},
		}
	}
	tests := []struct {
		name   string
		mutate func(f *fixture)
		want   []string
	}{
		// facilities.csv
		{"missing column", func(f *fixture) { dropColumn(f.facilities, "纬度") },
			[]string{"facilities.csv: row 1: missing columns lat (纬度); found \"编号\", \"名称\""}},
		{"not a number", func(f *fixture) { setCell(f.facilities, 2, "床位数", "很多") },
			[]string{`facilities.csv: row 3 (id "F2"): 床位数 (beds): want a number, got "很多"`}},
		{"negative area", func(f *fixture) { setCell(f.facilities, 1, "建筑面积", "-5") },
			[]string{`facilities.csv: row 2 (id "F1"): 建筑面积 (floor_area_m2): want a number ≥ 0, got -5`}},
		{"beds 1e308", func(f *fixture) { setCell(f.facilities, 2, "床位数", "1e308") },
			[]string{`facilities.csv: row 3 (id "F2"): 床位数 (beds): 1e+308 is outside the plausible range 0 to 100000 beds`}},
		{"floor area 1.797e308", func(f *fixture) { setCell(f.facilities, 1, "建筑面积", "1.797e308") },
			[]string{`facilities.csv: row 2 (id "F1"): 建筑面积 (floor_area_m2): 1.797e+308 is outside the plausible range 0 to 1000000 m²`}},
		{"misplaced comma", func(f *fixture) { setCell(f.facilities, 1, "用地面积", "8,00") },
			[]string{`row 2 (id "F1"): 用地面积 (land_area_m2): want a number, got "8,00"`}},
		{"duplicate id", func(f *fixture) { setCell(f.facilities, 3, "编号", "F1") },
			[]string{`facilities.csv: row 4 (id "F1"): 编号 (id): "F1" is already used in facilities.csv row 2; ids must be unique`}},
		{"missing id", func(f *fixture) {
			setCell(f.facilities, 3, "编号", "")
			setCell(f.facilities, 3, "经度", "120.862")
			setCell(f.facilities, 3, "纬度", "32.008")
		},
			[]string{`facilities.csv: row 4: 编号 (id): missing`}},
		{"unknown type", func(f *fixture) { setCell(f.facilities, 2, "类型", "养鸡场") },
			[]string{`facilities.csv: row 3 (id "F2"): 类型 (type): unknown facility type "养鸡场"`}},
		{"unknown status", func(f *fixture) { setCell(f.facilities, 2, "状态", "也许") },
			[]string{`facilities.csv: row 3 (id "F2"): 状态 (status): unknown facility status "也许"`}},
		{"unknown operator", func(f *fixture) { setCell(f.facilities, 2, "运营方式", "外包") },
			[]string{`row 3 (id "F2"): 运营方式 (operator): unknown operator model "外包"`}},
		{"nursing beds above beds", func(f *fixture) { setCell(f.facilities, 1, "护理型床位数", "60") },
			[]string{`facilities.csv: row 2 (id "F1"): 护理型床位数 (nursing_beds): 60 nursing beds are more than the 50 beds`}},
		{"community code unknown", func(f *fixture) { setCell(f.facilities, 1, "所属社区", "999") },
			[]string{`facilities.csv: row 2 (id "F1"): 所属社区 (community_code): "999" is not the code or name of a community in regions.geojson`}},
		{"community code of a street", func(f *fixture) { setCell(f.facilities, 1, "所属社区", "320602001000") },
			[]string{`row 2 (id "F1"): 所属社区 (community_code): "320602001000" is a street, not a community`}},
		{"outside the network", func(f *fixture) {
			setCell(f.facilities, 3, "经度", "121.5")
			setCell(f.facilities, 3, "纬度", "31.2")
		}, []string{`facilities.csv: row 4 (id "F3"): 经度 (lon), 纬度 (lat): (121.500000, 31.200000) in gcj02, WGS84 (121.495555, 31.202019), lies outside the walking network's area (lon 120.8560–120.8850, lat 32.0060–32.0140)`}},
		{"latitude out of range", func(f *fixture) { setCell(f.facilities, 3, "纬度", "120.86") },
			[]string{`row 4 (id "F3"): 纬度 (lat): 120.86 is outside -90 to 90 degrees`}},
		{"far from any walkway", func(f *fixture) {
			q := f.to(orb.Point{120.86824, 32.0176}) // 400 m east and north of the grid's corner
			setCell(f.facilities, 3, "经度", formatNumber(q[0]))
			setCell(f.facilities, 3, "纬度", formatNumber(q[1]))
		}, []string{`row 4 (id "F3"): 经度 (lon), 纬度 (lat): (120.872481, 32.015443) in gcj02, WGS84 (120.868240, 32.017600), is 566 m from the nearest walkway, more than the 500 m limit`}},
		{"many problems", func(f *fixture) {
			for i := range 60 {
				f.facilities = append(f.facilities, []string{fmt.Sprintf("X%d", i), "站", "社区养老服务站", "运营中", "120.86", "32.01", "-1", "", "", "", "", "", ""})
			}
		}, []string{"60 problems, nothing loaded", "facilities.csv: row 55 (id \"X49\")", "... and 10 more"}},

		// health.csv
		{"health type", func(f *fixture) {
			f.health = [][]string{{"id", "name", "type", "status", "lon", "lat"}, {"H1", "敬老院", "敬老院", "运营中", "{lon}", "{lat}"}}
		}, []string{`health.csv: row 2 (id "H1"): type: "敬老院" is institution; the health file lists community health facilities`}},
		{"health id used by a facility", func(f *fixture) { setCell(f.health, 1, "id", "F1") },
			[]string{`health.csv: row 2 (id "F1"): id: "F1" is already used in facilities.csv row 2`}},

		// regions.geojson
		{"duplicate code", func(f *fixture) { f.regions[1].props["code"] = "320602001001" },
			[]string{`regions.geojson: feature 2 (code "320602001001"): code: code "320602001001" is already used by feature 1; codes must be unique`}},
		{"parent unknown", func(f *fixture) { f.regions[0].props["parent"] = "320602009000" },
			[]string{`regions.geojson: feature 1 (code "320602001001"): parent: "320602009000" is not the code of any region in regions.geojson; want the code of this community's street`}},
		{"parent at the wrong level", func(f *fixture) { f.regions[0].props["parent"] = "320602000000" },
			[]string{`regions.geojson: feature 1 (code "320602001001"): parent: "320602000000" is a district; a community's parent must be a street`}},
		{"street without parent", func(f *fixture) { delete(f.regions[4].props, "parent") },
			[]string{`regions.geojson: feature 5 (code "320602001000"): parent: missing, and no district's boundary contains this street; a street needs the code of its district`}},
		{"community without numbers", func(f *fixture) {
			for _, k := range []string{"residents", "households", "elders_60", "elders_80"} {
				delete(f.regions[1].props, k)
			}
		}, []string{`regions.geojson: feature 2 (code "320602001002"): residents: missing; a community must give residents and elders_60`}},
		{"community without elders", func(f *fixture) { delete(f.regions[1].props, "elders_60") },
			[]string{`feature 2 (code "320602001002"): elders_60: missing; a community that gives residents must give elders 60+`}},
		{"80+ above 60+", func(f *fixture) { f.regions[0].props["elders_80"] = 800.0 },
			[]string{`regions.geojson: feature 1 (code "320602001001"): elders_80: 800 is more than the 700 elders 60+`}},
		{"60+ above residents", func(f *fixture) { f.regions[0].props["elders_60"] = 3500.0 },
			[]string{`feature 1 (code "320602001001"): elders_60: 3500 is more than the 3000 residents`}},
		{"residents not a number", func(f *fixture) { f.regions[0].props["residents"] = "很多" },
			[]string{`city bundle`, `: regions.geojson: feature 1 (code "320602001001"): residents: want a number, got "很多"`}},
		{"residents negative", func(f *fixture) { f.regions[0].props["residents"] = -3.0 },
			[]string{`feature 1 (code "320602001001"): residents: want a number ≥ 0, got -3`}},
		{"residents 1e308", func(f *fixture) { f.regions[0].props["residents"] = 1e308 },
			[]string{`feature 1 (code "320602001001"): residents: 1e+308 is outside the plausible range 0 to 100000000 people`}},
		{"property of the wrong type", func(f *fixture) { f.regions[0].props["households"] = true },
			[]string{`regions.geojson: feature 1: households: want text or a number, got true`}},
		{"unknown level", func(f *fixture) { f.regions[0].props["level"] = "province" },
			[]string{`feature 1 (code "320602001001"): level: "province": want district, street or community`}},
		{"bad area type", func(f *fixture) { f.regions[0].props["area_type"] = "suburb" },
			[]string{`feature 1 (code "320602001001"): area_type: "suburb": want urban or rural`}},
		{"line as a boundary", func(f *fixture) { f.regions[0].geom = orb.LineString{{120.857, 32.007}, {120.858, 32.008}} },
			[]string{`feature 1 (code "320602001001"): geometry: LineString: want a Polygon, MultiPolygon or Point`}},
		{"community without geometry", func(f *fixture) { f.regions[0].geom = nil },
			[]string{`feature 1 (code "320602001001"): geometry: missing; a community needs a Polygon or MultiPolygon boundary`}},
		{"community outside the network", func(f *fixture) { f.regions[3].geom = orb.Point{121.5, 31.2} },
			[]string{`regions.geojson: feature 4 (code "320602002002"): geometry: at WGS84 (121.500000, 31.200000) lies outside the walking network's area (lon 120.8560–120.8850, lat 32.0060–32.0140)`}},
		{"community with swapped lon/lat", func(f *fixture) { f.regions[3].geom = orb.Point{32.012, 120.862} },
			[]string{`feature 4 (code "320602002002"): geometry: point (32.012`, "is not lon/lat in degrees"}},
		{"not a FeatureCollection", func(f *fixture) { f.extra = map[string][]byte{"regions.geojson": []byte(`{"type":"Feature"}`)} },
			[]string{`regions.geojson: type "Feature": want a GeoJSON FeatureCollection`}},
		{"not JSON", func(f *fixture) {
			f.extra = map[string][]byte{"regions.geojson": []byte("{\"type\":\"FeatureCollection\",\n\"features\":[\n{\"type\":\"Feature\",}]}")}
		}, []string{"regions.geojson: line 3: not valid JSON"}},

		// city.yaml
		{"unknown key", func(f *fixture) { f.config += "colour: red\n" },
			[]string{"city.yaml: line 9: colour: unknown key; want one of name, crs, profile"}},
		{"unknown crs", func(f *fixture) { f.config = strings.Replace(f.config, "crs: {crs}", "crs: utm50n", 1) },
			[]string{`city.yaml: line 3: crs: unknown coordinate system "utm50n"`}},
		{"missing key", func(f *fixture) { f.config = strings.Replace(f.config, "facilities: facilities.csv\n", "", 1) },
			[]string{"city.yaml: facilities: missing"}},
		{"walk speed zero", func(f *fixture) { f.config += "walk:\n  speed_mps: 0\n" },
			[]string{"city.yaml: line 10: walk.speed_mps: must be > 0, got 0"}},
		{"walk speed not a number", func(f *fixture) { f.config += "walk:\n  speed_mps: fast\n" },
			[]string{`city.yaml: line 10: walk.speed_mps: want a number, got "fast"`}},
		{"unknown walk key", func(f *fixture) { f.config += "walk:\n  speed: 1\n" },
			[]string{"city.yaml: line 10: walk.speed: unknown key; want one of speed_mps, steps_factor"}},
		{"unknown profile", func(f *fixture) { f.config = strings.Replace(f.config, "profile: cn-default", "profile: shanghai", 1) },
			[]string{`city.yaml: line 4: profile: "shanghai" is not a built-in profile (`, `) and there is no file of that name in the bundle`}},
		{"not YAML", func(f *fixture) { f.config = "name: [unclosed\n" },
			[]string{"city.yaml: line 1: not valid YAML: did not find expected ',' or ']'"}},

		// the OSM extract
		{"OSM file missing", func(f *fixture) { f.config = strings.Replace(f.config, "osm: map.osm", "osm: none.osm", 1) },
			[]string{"none.osm: no such file"}},
		{"OSM file not OSM", func(f *fixture) { f.osm = "id,name\n1,x\n" },
			[]string{"map.osm: not an OSM XML file"}},

		// population.csv
		{"bad H3 id", func(f *fixture) {
			rows := goodPopulation()
			rows[1][0] = "zzz"
			withPopulation(f, rows)
		}, []string{`population.csv: row 2 (h3 "zzz"): h3: "zzz" is not an H3 cell id`}},
		{"duplicate H3 id", func(f *fixture) {
			rows := goodPopulation()
			rows = append(rows, []string{"8A309A62A4B7FFF", "3", "1"})
			withPopulation(f, rows)
		}, []string{`population.csv: row 3 (h3 "8A309A62A4B7FFF"): h3: cell 8A309A62A4B7FFF is listed twice, also on row 2`}},
		{"population without location", func(f *fixture) {
			withPopulation(f, [][]string{{"residents", "lon"}, {"3", "120.86"}})
		}, []string{`population.csv: row 1: missing columns h3, or lon and lat; found "residents", "lon"`}},
		{"population negative", func(f *fixture) {
			rows := goodPopulation()
			rows[1][1] = "-10"
			withPopulation(f, rows)
		}, []string{`population.csv: row 2 (h3 "8a309a62a4b7fff"): residents: want a number ≥ 0, got -10`}},
		{"population 1e308", func(f *fixture) {
			rows := goodPopulation()
			rows[1][2] = "1e308"
			withPopulation(f, rows)
		}, []string{`population.csv: row 2 (h3 "8a309a62a4b7fff"): elders_60: 1e+308 is outside the plausible range 0 to 100000000 people`}},
		{"population community unknown", func(f *fixture) {
			withPopulation(f, [][]string{{"lon", "lat", "residents", "community_code"}, {"120.86", "32.01", "5", "nope"}})
		}, []string{`population.csv: row 2: community_code: "nope" is not the code or name of a community`}},
		{"community with no numbers and no cells", func(f *fixture) {
			for _, k := range []string{"residents", "households", "elders_60", "elders_80"} {
				delete(f.regions[1].props, k)
			}
			withPopulation(f, [][]string{{"lon", "lat", "residents", "community_code"}, {"120.86", "32.01", "5", "320602001001"}})
		}, []string{`regions.geojson: feature 2 (code "320602001002"): residents: missing, and population.csv has no cell in community 北园社区`}},

		// several files at once: all are reported
		{"problems in several files", func(f *fixture) {
			setCell(f.facilities, 1, "建筑面积", "-5")
			f.regions[0].props["elders_80"] = 800.0
			setCell(f.health, 1, "floor_area_m2", "big")
		}, []string{"3 problems, nothing loaded", "regions.geojson: feature 1", "facilities.csv: row 2", "health.csv: row 2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture()
			tt.mutate(f)
			b, err := LoadBundle(context.Background(), f.write(t), nil)
			if b != nil {
				t.Errorf("LoadBundle returned a bundle with error %v", err)
			}
			var be *BundleError
			if !errors.As(err, &be) {
				t.Fatalf("error %v (%T), want a *BundleError", err, err)
			}
			// One broken thing is one problem, not a cascade.
			if n := len(be.Problems) + be.More; n > 1 && !strings.Contains(tt.want[0], "problems") {
				t.Errorf("%d problems, want 1:\n%v", n, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%v\nlacks %q", err, w)
				}
			}
		})
	}
}

func TestLoadBundleBadOtherFormats(t *testing.T) {
	tests := []struct {
		name, file string
		content    func(f *fixture) []byte
		want       []string
	}{
		{"xlsx row", "facilities.xlsx", func(f *fixture) []byte {
			rows := f.table(f.facilities)
			setCell(rows, 2, "床位数", "很多")
			return xlsxBytes(t, rows)
		}, []string{`facilities.xlsx: row 3 (id "F2"): 床位数 (beds): want a number, got "很多"`}},
		{"xlsx missing column", "facilities.xlsx", func(f *fixture) []byte {
			rows := f.table(f.facilities)
			dropColumn(rows, "类型")
			return xlsxBytes(t, rows)
		}, []string{`facilities.xlsx: row 1: missing columns type (类型)`}},
		{"not a workbook", "facilities.xlsx", func(f *fixture) []byte { return []byte("id,name\n") },
			[]string{"facilities.xlsx: not a readable .xlsx workbook"}},
		{"geojson line", "facilities.geojson", func(f *fixture) []byte {
			var fc geojson.FeatureCollection
			if err := json.Unmarshal(facilitiesGeoJSON(t, f.table(f.facilities)), &fc); err != nil {
				t.Fatal(err)
			}
			fc.Features[1].Geometry = orb.LineString{{120.86, 32.01}, {120.861, 32.011}}
			b, _ := json.Marshal(fc)
			return b
		}, []string{`facilities.geojson: feature 2 (id "F2"): geometry: LineString; want a Point with the facility's lon/lat`}},
		{"csv syntax", "facilities.csv", func(f *fixture) []byte {
			return []byte("编号,名称,类型,状态,经度,纬度\nF1,\"unclosed,街道养老服务中心,运营中,120.86,32.01\n")
		}, []string{`facilities.csv: row 2: not valid CSV`}},
		{"unknown extension", "facilities.dbf", func(f *fixture) []byte { return []byte("x") },
			[]string{"facilities.dbf: unknown file type; want .csv, .xlsx or .geojson"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture()
			f.config = strings.Replace(f.config, "facilities: facilities.csv", "facilities: "+tt.file, 1)
			f.extra = map[string][]byte{tt.file: tt.content(f)}
			b, err := LoadBundle(context.Background(), f.write(t), nil)
			if b != nil || err == nil {
				t.Fatalf("LoadBundle = %v, %v; want an error", b, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%v\nlacks %q", err, w)
				}
			}
		})
	}
}
