package data

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/carecircle/carecircle/data/crs"
)

// gridBundle writes a bundle whose OSM extract is a 5 × 5 street grid of
// 0.003° around centre (WGS84), with one street of one district, one
// community given as a Point and one facility, both at in (coordinates in
// sys, as written in the files).
func gridBundle(t *testing.T, centre orb.Point, sys crs.System, in orb.Point) string {
	t.Helper()
	dir := t.TempDir()
	var osm strings.Builder
	osm.WriteString("<?xml version=\"1.0\"?>\n<osm version=\"0.6\">\n")
	id := func(i, j int) int { return 100 + j*5 + i }
	for j := range 5 {
		for i := range 5 {
			fmt.Fprintf(&osm, " <node id=\"%d\" lon=\"%.6f\" lat=\"%.6f\"/>\n", id(i, j), centre[0]+0.003*float64(i-2), centre[1]+0.003*float64(j-2))
		}
	}
	way := 1
	for k := range 5 {
		for _, horizontal := range []bool{true, false} {
			fmt.Fprintf(&osm, " <way id=\"%d\">", way)
			way++
			for m := range 5 {
				if horizontal {
					fmt.Fprintf(&osm, "<nd ref=\"%d\"/>", id(m, k))
				} else {
					fmt.Fprintf(&osm, "<nd ref=\"%d\"/>", id(k, m))
				}
			}
			osm.WriteString("<tag k=\"highway\" v=\"residential\"/></way>\n")
		}
	}
	osm.WriteString("</osm>\n")
	lon, lat := formatNumber(in[0]), formatNumber(in[1])
	files := map[string]string{
		"city.yaml": "name: test\ncrs: " + string(sys) + "\nosm: map.osm\nregions: regions.geojson\nfacilities: facilities.csv\n",
		"map.osm":   osm.String(),
		"regions.geojson": `{"type":"FeatureCollection","features":[
{"type":"Feature","geometry":null,"properties":{"code":"D","name":"区","level":"district"}},
{"type":"Feature","geometry":null,"properties":{"code":"S","name":"街道","level":"street","parent":"D"}},
{"type":"Feature","geometry":{"type":"Point","coordinates":[` + lon + `,` + lat + `]},"properties":{"code":"C","name":"社区","level":"community","parent":"S","residents":100,"elders_60":20}}]}`,
		"facilities.csv": "id,name,type,status,lon,lat\nF,站,community_station,operating," + lon + "," + lat + "\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestPublishedCoordinatePairs loads inputs given in GCJ-02 and BD-09 at
// published coordinate pairs (see data/crs's tests for their sources) and
// checks that facilities and regions land on the published WGS84 point.
func TestPublishedCoordinatePairs(t *testing.T) {
	tests := []struct {
		name string
		sys  crs.System
		in   orb.Point
		// check is what the loaded WGS84 point must satisfy.
		check func(wgs orb.Point) (orb.Point, orb.Point)
	}{
		{
			// coordtransform README: wgs84togcj02(116.404, 39.915).
			"gcj02 tiananmen", crs.GCJ02, orb.Point{116.41024449916938, 39.91640428150164},
			func(wgs orb.Point) (orb.Point, orb.Point) { return wgs, orb.Point{116.404, 39.915} },
		},
		{
			// eviltransform: Shanghai, WGS84 → GCJ-02.
			"gcj02 shanghai", crs.GCJ02, orb.Point{121.531541859215, 31.17530398364597},
			func(wgs orb.Point) (orb.Point, orb.Point) { return wgs, orb.Point{121.5272106, 31.1774276} },
		},
		{
			// coordtransform README: gcj02tobd09(116.404, 39.915); the
			// loaded point must be the WGS84 whose GCJ-02 is (116.404,
			// 39.915).
			"bd09 tiananmen", crs.BD09, orb.Point{116.41036949371029, 39.92133699351021},
			func(wgs orb.Point) (orb.Point, orb.Point) {
				return crs.FromWGS84(crs.GCJ02, wgs), orb.Point{116.404, 39.915}
			},
		},
		{
			"wgs84 unchanged", crs.WGS84, orb.Point{116.404, 39.915},
			func(wgs orb.Point) (orb.Point, orb.Point) { return wgs, orb.Point{116.404, 39.915} },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The network is centred on the WGS84 answer.
			centre := crs.ToWGS84(tt.sys, tt.in)
			b := load(t, gridBundle(t, centre, tt.sys, tt.in))
			for what, p := range map[string]orb.Point{
				"facility":  b.City.Facilities[0].Location,
				"community": b.City.Regions[2].Boundary.(orb.Point),
			} {
				got, want := tt.check(p)
				if !near(got, want, 1e-6) {
					t.Errorf("%s at %.9f → %.9f, want %.9f", what, p, got, want)
				}
			}
		})
	}
}
