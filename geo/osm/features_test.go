package osm

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

const featuresXML = `<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6">
 <node id="1" lat="32.0" lon="120.0"/>
 <node id="2" lat="32.0" lon="120.001"/>
 <node id="3" lat="32.001" lon="120.001"/>
 <node id="4" lat="32.001" lon="120.0"><tag k="name" v="北园"/><tag k="place" v="neighbourhood"/></node>
 <node id="5" lat="32.0005" lon="120.0005"><tag k="amenity" v="bench"/></node>
 <way id="10"><nd ref="1"/><nd ref="2"/><nd ref="3"/><nd ref="4"/><nd ref="1"/>
  <tag k="building" v="residential"/><tag k="addr:street" v="工农路"/><tag k="addr:housenumber" v="88号"/><tag k="colour" v="red"/></way>
 <way id="11"><nd ref="1"/><nd ref="2"/><tag k="highway" v="residential"/><tag k="name" v="横一路"/></way>
 <way id="12"><nd ref="1"/><nd ref="99"/><tag k="highway" v="footway"/></way>
 <way id="13"><nd ref="98"/><nd ref="99"/><tag k="name" v="outside"/></way>
 <way id="14"><nd ref="1"/><nd ref="2"/><nd ref="3"/><nd ref="1"/><tag k="boundary" v="administrative"/><tag k="ref" v="320602001"/></way>
</osm>`

func TestReadFeatures(t *testing.T) {
	fs, err := ReadFeatures(context.Background(), strings.NewReader(featuresXML), "f.osm")
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]Feature{}
	for _, f := range fs {
		got[f.ID] = f
	}
	if len(fs) != 4 {
		t.Errorf("%d features, want 4 (place node, building, named road, boundary): %+v", len(fs), fs)
	}
	if f := got[4]; f.Type != "node" || f.Tags["name"] != "北园" || f.Point[0] != 120.0 {
		t.Errorf("place node: %+v", f)
	}
	if f := got[10]; f.Ring == nil || f.Tags["addr:housenumber"] != "88号" || f.Tags["colour"] != "" || f.Point[0] != 120.0005 || f.Point[1] != 32.0005 {
		t.Errorf("building: %+v", f)
	}
	if f := got[11]; f.Line == nil || f.Ring != nil {
		t.Errorf("road: %+v", f)
	}
	if f := got[14]; f.Ring == nil || f.Tags["ref"] != "320602001" {
		t.Errorf("boundary: %+v", f)
	}
	if _, ok := got[13]; ok {
		t.Error("a way with no located node is kept")
	}
}

func TestReadFeaturesMonaco(t *testing.T) {
	pbf := dataFile(t, "monaco.osm.pbf")
	fs, err := LoadFeatures(t.Context(), pbf)
	if err != nil {
		t.Fatal(err)
	}
	var addrs, named, ways int
	for _, f := range fs {
		if f.Tags["addr:housenumber"] != "" {
			addrs++
		}
		if f.Tags["name"] != "" {
			named++
		}
		if f.Type == "way" {
			ways++
		}
		if f.Point[0] < 7.3 || f.Point[0] > 7.5 || f.Point[1] < 43.6 || f.Point[1] > 43.8 {
			t.Fatalf("feature %s %d at %v, outside Monaco", f.Type, f.ID, f.Point)
		}
	}
	t.Logf("%d features: %d with a house number, %d named, %d ways", len(fs), addrs, named, ways)
	if addrs == 0 || named == 0 || ways == 0 {
		t.Error("Monaco has addresses, names and named ways")
	}
}

func FuzzReadFeatures(f *testing.F) {
	f.Add([]byte(featuresXML))
	f.Add([]byte(`<osm><way id="1"><nd ref="1"/><tag k="name" v="x"/></way></osm>`))
	f.Fuzz(func(t *testing.T, src []byte) {
		fs, err := ReadFeatures(context.Background(), bytes.NewReader(src), "f.osm")
		if err != nil && !strings.HasPrefix(err.Error(), "f.osm: ") {
			t.Errorf("error does not name the file: %v", err)
		}
		for _, x := range fs {
			if x.Type != "node" && x.Type != "way" {
				t.Errorf("feature type %q", x.Type)
			}
		}
	})
}
