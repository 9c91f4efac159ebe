package data

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/carecircle/carecircle/planner"
	"github.com/carecircle/carecircle/planner/siting"
)

var (
	tinyOnce   sync.Once
	tinyBundle *Bundle
	tinyErr    error
)

// tinyDemo is the tiny demo city, generated once for these tests.
func tinyDemo(t *testing.T) *Bundle {
	t.Helper()
	tinyOnce.Do(func() { tinyBundle, tinyErr = DemoBundle(context.Background(), "tiny", 1) })
	if tinyErr != nil {
		t.Fatal(tinyErr)
	}
	return tinyBundle
}

func writeCandidates(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadCandidates(t *testing.T) {
	b := tinyDemo(t)
	g := b.City.Network
	p1, p2 := g.Points[10], g.Points[g.NumNodes()/2]
	var comm planner.Region
	for _, r := range b.City.Regions {
		if r.Level == planner.LevelCommunity {
			comm = r
			break
		}
	}
	csv := "编号,名称,用房类型,经度,纬度,建筑面积（㎡）,最大建筑面积,所属社区\n" +
		fmt.Sprintf("B1,城南闲置厂房,闲置厂房,%.7f,%.7f,\"1,200\",2000,%s\n", p1[0], p1[1], comm.Code) +
		fmt.Sprintf("B2,社区公共用房,公共用房,%.7f,%.7f,,,\n", p2[0], p2[1])
	cs, err := LoadCandidates(writeCandidates(t, "sites.csv", csv), b, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 || cs[0].ID != "B1" || cs[0].Kind != "闲置厂房" || cs[0].FloorArea != 1200 || cs[0].MaxFloorArea != 2000 || cs[0].Community != comm.Code {
		t.Fatalf("read %+v", cs)
	}
	if cs[1].Community == "" {
		t.Errorf("B2 was not placed in the community holding it")
	}
	geo := fmt.Sprintf(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[%.7f,%.7f]},"properties":{"name":"商业用房","max_floor_area_m2":500}}]}`, p1[0], p1[1])
	cs, err = LoadCandidates(writeCandidates(t, "sites.geojson", geo), b, nil)
	if err != nil || len(cs) != 1 || cs[0].MaxFloorArea != 500 || cs[0].Name != "商业用房" {
		t.Fatalf("geojson: %+v, %v", cs, err)
	}

	// A GIS export: the place as WKT (QGIS "WKT", PostGIS EWKT), no lon/lat.
	wktCSV := "id,name,WKT\n" +
		fmt.Sprintf("W1,粮站,POINT (%.7f %.7f)\n", p1[0], p1[1]) +
		fmt.Sprintf("W2,仓库,\"SRID=4326;POINT(%.7f %.7f)\"\n", p2[0], p2[1])
	cs, err = LoadCandidates(writeCandidates(t, "qgis.csv", wktCSV), b, nil)
	if err != nil || len(cs) != 2 || !near(cs[0].Location, p1, 1e-7) || !near(cs[1].Location, p2, 1e-7) {
		t.Fatalf("wkt: %+v, %v", cs, err)
	}

	m, err := planner.NewModel(context.Background(), b.City, b.Profile, nil)
	if err != nil {
		t.Fatal(err)
	}
	cs, err = LoadCandidates(writeCandidates(t, "sites.csv", csv), b, m.Edges)
	if err != nil {
		t.Fatal(err)
	}
	res, err := siting.Optimize(context.Background(), m.Baseline(), siting.OptimizeRequest{Sites: 1, Candidates: cs}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Stats.Candidates != 2 {
		t.Errorf("optimised over %d candidates", res.Stats.Candidates)
	}
}

func TestLoadCandidatesBadInput(t *testing.T) {
	b := tinyDemo(t)
	bd := b.City.Network.Bound()
	p := b.City.Network.Points[3]
	corner := fmt.Sprintf("%.7f,%.7f", bd.Min[0]-0.004, bd.Min[1]-0.004) // ≈ 590 m from the network's corner
	for _, tc := range []struct {
		name, file, body string
		want             []string
	}{
		{"empty", "sites.csv", "名称,经度,纬度\n", []string{"sites.csv: no candidate sites listed"}},
		{"no location column", "sites.csv", "名称,面积\nA,100\n", []string{"missing columns lon (经度), lat (纬度)"}},
		{"outside the city", "sites.csv", fmt.Sprintf("编号,经度,纬度\nA,%.7f,%.7f\nB,116.4,39.9\n", p[0], p[1]),
			[]string{"sites.csv: row 3 (id \"B\"): 经度 (lon), 纬度 (lat): (116.400000, 39.900000) lies outside the walking network's area"}},
		{"off the network", "sites.csv", "编号,经度,纬度\nA," + corner + "\n",
			[]string{"row 2 (id \"A\")", "m from the nearest walkway, more than the 500 m limit"}},
		{"bad number", "sites.csv", fmt.Sprintf("编号,经度,纬度,最大建筑面积\nA,%.7f,%.7f,很大\n", p[0], p[1]),
			[]string{"row 2 (id \"A\"): 最大建筑面积 (max_floor_area_m2): want a number, got \"很大\""}},
		{"floor area 1e308", "sites.csv", fmt.Sprintf("编号,经度,纬度,建筑面积\nA,%.7f,%.7f,1e308\n", p[0], p[1]),
			[]string{"row 2 (id \"A\"): 建筑面积 (floor_area_m2): 1e+308 is outside the plausible range 0 to 1000000 m²"}},
		{"max below floor", "sites.csv", fmt.Sprintf("编号,经度,纬度,建筑面积,最大建筑面积\nA,%.7f,%.7f,500,300\n", p[0], p[1]),
			[]string{"max_floor_area_m2", "less than the floor area 500"}},
		{"duplicate id", "sites.csv", fmt.Sprintf("编号,经度,纬度\nA,%.7f,%.7f\nA,%.7f,%.7f\n", p[0], p[1], p[0], p[1]),
			[]string{"row 3 (id \"A\"): 编号 (id): \"A\" is already used in row 2"}},
		{"unknown community", "sites.csv", fmt.Sprintf("编号,经度,纬度,所属社区\nA,%.7f,%.7f,火星社区\n", p[0], p[1]),
			[]string{"所属社区 (community_code)", "火星社区"}},
		{"not a table", "sites.txt", "x", []string{"unknown file type"}},
		{"only lon", "sites.csv", "名称,经度\nA,106.5\n", []string{"missing columns lat (纬度)"}},
		{"wkt not a point", "sites.csv", fmt.Sprintf("id,WKT\nA,\"LINESTRING (%.7f %.7f, 106.56 29.56)\"\n", p[0], p[1]),
			[]string{"row 2 (id \"A\"): WKT (wkt): \"LINESTRING", "is not a point"}},
		{"wkt garbled", "sites.csv", "id,geometry\nA,POINT (abc def)\n", []string{"row 2 (id \"A\"): geometry (wkt): \"POINT (abc def)\" is not WKT"}},
		{"wkt empty", "sites.csv", "id,geometry\nA,\n", []string{"row 2 (id \"A\"): geometry (wkt): missing; want the site's place as a WKT point"}},
		{"wkt outside the city", "sites.csv", "id,geometry\nA,POINT (116.4 39.9)\n", []string{"row 2 (id \"A\"): geometry (wkt): (116.400000, 39.900000) lies outside"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadCandidates(writeCandidates(t, tc.file, tc.body), b, nil)
			var ce *CandidatesError
			if !errors.As(err, &ce) {
				t.Fatalf("error %v (%T), want a *CandidatesError", err, err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}
