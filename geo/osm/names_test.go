package osm

import (
	"context"
	"strings"
	"testing"
)

// Named walkable ways become Roads with their Chinese and Latin names;
// unnamed ones, and non-walkable named ones, do not.
func TestReadRoadNames(t *testing.T) {
	const doc = `<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6">
 <node id="1" lat="29.55" lon="106.57"/><node id="2" lat="29.55" lon="106.58"/>
 <node id="3" lat="29.56" lon="106.58"/><node id="4" lat="29.56" lon="106.57"/>
 <way id="10"><nd ref="1"/><nd ref="2"/><tag k="highway" v="residential"/><tag k="name" v="民族路"/><tag k="name:en" v="Minzu Road"/></way>
 <way id="11"><nd ref="2"/><nd ref="3"/><tag k="highway" v="footway"/></way>
 <way id="12"><nd ref="3"/><nd ref="4"/><nd ref="99"/><tag k="highway" v="steps"/><tag k="name" v="十八梯"/></way>
 <way id="13"><nd ref="4"/><nd ref="1"/><tag k="highway" v="motorway"/><tag k="name" v="内环快速路"/></way>
</osm>`
	for _, names := range []bool{false, true} {
		ex, err := Read(context.Background(), strings.NewReader(doc), "names.osm", Options{Names: names})
		if err != nil {
			t.Fatal(err)
		}
		if !names {
			if len(ex.Roads) != 0 {
				t.Errorf("without Options.Names: %d roads, want none", len(ex.Roads))
			}
			continue
		}
		if len(ex.Roads) != 2 {
			t.Fatalf("%d roads, want 2 (民族路, 十八梯): %+v", len(ex.Roads), ex.Roads)
		}
		r := ex.Roads[0]
		if r.Name != "民族路" || r.NameLatin != "Minzu Road" || r.Highway != "residential" || len(r.Lines) != 1 || len(r.Lines[0]) != 2 {
			t.Errorf("road 0 = %+v", r)
		}
		if r := ex.Roads[1]; r.Name != "十八梯" || r.NameLatin != "" || len(r.Lines) != 1 || len(r.Lines[0]) != 2 {
			t.Errorf("road 1 = %+v (the missing node 99 ends its line)", r)
		}
	}
}
