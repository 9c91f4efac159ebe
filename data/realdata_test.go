package data

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/carecircle/carecircle/planner"
)

// TestBundleNantongOSM loads a bundle around the real Nantong extract
// (OSM XML with Chinese names; terraces, commercial buildings and
// buildings of unknown use) and writes it back.
func TestBundleNantongOSM(t *testing.T) {
	osmFile := filepath.Join(sharedData(t), "osm", "nantong.osm")
	if _, err := os.Stat(osmFile); err != nil {
		t.Skipf("%s absent; skipping", osmFile)
	}
	dir := t.TempDir()
	files := map[string]string{
		"city.yaml": "name: 南通叠石桥\ncrs: wgs84\nprofile: cn-default\nosm: " + osmFile + "\nregions: regions.geojson\nfacilities: facilities.csv\n",
		"regions.geojson": `{"type":"FeatureCollection","features":[
{"type":"Feature","geometry":null,"properties":{"code":"320684000000","name":"海门区","level":"district"}},
{"type":"Feature","geometry":null,"properties":{"code":"320684100000","name":"三星镇","level":"乡镇","parent":"320684000000"}},
{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[121.0627,31.9548],[121.0750,31.9548],[121.0750,31.9673],[121.0627,31.9673],[121.0627,31.9548]]]},
 "properties":{"code":"320684100001","name":"西村","level":"村","parent":"320684100000","residents":2400,"households":900,"elders_60":700,"elders_80":120,"area_type":"rural"}},
{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[121.0750,31.9548],[121.0874,31.9548],[121.0874,31.9673],[121.0750,31.9673],[121.0750,31.9548]]]},
 "properties":{"code":"320684100002","name":"东社区","level":"社区","parent":"320684100000","residents":3100,"households":1200,"elders_60":800,"elders_80":100}}]}`,
		"facilities.csv": "编号,名称,类型,状态,经度,纬度,建筑面积,床位数\nN1,叠石桥社区养老服务站,社区养老服务站,运营中,121.0756078,31.9622372,300,12\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b := load(t, dir)
	c := b.City
	if c.Network.NumNodes() < 50 || len(b.Basemap.Buildings) < 80 {
		t.Errorf("network %d nodes, %d buildings; want the extract's ~98 nodes and ~87 buildings", c.Network.NumNodes(), len(b.Basemap.Buildings))
	}
	// Every building of the extract is in the west: terraces (homes),
	// commercial buildings and buildings of unknown use. Only the terraces
	// hold demand; the east, with no buildings, is spread over H3 cells.
	terraces := 0
	for _, bl := range b.Basemap.Buildings {
		if bl.Kind == "terrace" {
			terraces++
		}
	}
	west, east := b.DemandMethods[0], b.DemandMethods[1]
	if west.Method != planner.DemandFromBuildings || west.Points != terraces || terraces < 30 {
		t.Errorf("西村: %d points from %s, want one per terrace (%d)", west.Points, west.Method, terraces)
	}
	if east.Method != planner.DemandFromH3 {
		t.Errorf("东社区: demand from %s, want h3", east.Method)
	}
	checkConservation(t, c)
	if c.Facilities[0].Community != "320684100002" {
		t.Errorf("facility in community %q, want 东社区 by its location", c.Facilities[0].Community)
	}
	t.Logf("Nantong: %d nodes, %d edges, %d buildings, %d demand points (%d off the network), %d warnings",
		c.Network.NumNodes(), c.Network.NumEdges(), len(b.Basemap.Buildings), len(c.Demand), len(b.Unsnapped), len(b.Warnings))

	// Round trip through network.osm.gz: real ways, chains of many nodes.
	out := filepath.Join(t.TempDir(), "nantong")
	if err := WriteBundle(out, b); err != nil {
		t.Fatal(err)
	}
	back := load(t, out)
	if !reflect.DeepEqual(edgeSet(c.Network), edgeSet(back.City.Network)) || c.Network.NumNodes() != back.City.Network.NumNodes() {
		t.Errorf("network changed in the round trip")
	}
	if !reflect.DeepEqual(b.Basemap, back.Basemap) {
		t.Errorf("base map changed in the round trip")
	}
	if !reflect.DeepEqual(c.Regions, back.City.Regions) || !reflect.DeepEqual(c.Facilities, back.City.Facilities) {
		t.Errorf("regions or facilities changed in the round trip")
	}
	if len(c.Demand) != len(back.City.Demand) {
		t.Fatalf("%d demand points, back %d", len(c.Demand), len(back.City.Demand))
	}
	for i, d := range c.Demand {
		e := back.City.Demand[i]
		if d.Location != e.Location || !samePopulation(d.Population, e.Population, 1e-12) {
			t.Errorf("demand point %d = %+v, back %+v", i, d, e)
		}
	}
}
