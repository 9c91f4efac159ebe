package osm

import (
	"bytes"
	"context"
	"math"
	"strings"
	"testing"

	"github.com/carecircle/carecircle/geo"
)

// FuzzReadPBF feeds mutated PBF files to Read and to the PBF scanner with
// nothing filtered out (so that node tags and relations are decoded too):
// any input must give an extract or objects, or an error naming the file,
// never a panic (our decoder runs on worker goroutines, where a panic would
// end the process; one caught there is reported as a decoder failure,
// which fails this test too).
func FuzzReadPBF(f *testing.F) {
	f.Add(town().pbf(pbfOptions{}))
	f.Add(town().pbf(pbfOptions{plainNodes: true}))
	f.Add(town().pbf(pbfOptions{raw: true}))
	f.Add(plaza().pbf(pbfOptions{}))
	f.Add(craftedBlock("OSMData", pbfOptions{raw: true}, primitive([]string{"", "highway", "footway"},
		dense([]int64{1, 1}, []int64{494100000, 10}, []int64{86900000, 10}),
		way(7, []uint64{1}, []uint64{2}, []int64{1, 1}))))
	f.Add(craftedBlock("OSMData", pbfOptions{raw: true}, scanTestBlock()))
	f.Add(craftedBlock("OSMData", pbfOptions{raw: true}, primitive(scanTestStrings,
		denseWithInfo([]int64{10, 1}, []int64{1, 1}, []int64{1, 1}, tDenseInfo{versions: []uint64{1, 2}, timestamps: []int64{5, 1}, usids: []int64{1, 1}, visibles: []uint64{1, 0}}.encode()),
		wayWithInfo(20, infoMessage(2, 1600000000, 5, 8, 4, false)))))
	f.Fuzz(func(t *testing.T, data []byte) {
		readFuzz(t, "fuzz.osm.pbf", data)
		_, err := scanBytes(context.Background(), data, nil)
		if err != nil {
			if msg := err.Error(); !strings.HasPrefix(msg, "test.osm.pbf: ") || strings.Contains(msg, "decoder failure") {
				t.Fatalf("scanner error %q", msg)
			}
		}
	})
}

// FuzzReadXML does the same for OSM XML. Both also check what Read built
// from the hand-made extracts' ways and pedestrian areas (readFuzz).
func FuzzReadXML(f *testing.F) {
	f.Add(town().xmlDoc(false))
	f.Add(town().xmlDoc(true))
	f.Add(plaza().xmlDoc(false))
	f.Add([]byte(`<osm><node id="1" lat="1" lon="2"/><way id="2"><nd ref="1"/><tag k="highway" v="path"/></way></osm>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		readFuzz(t, "fuzz.osm", data)
	})
}

func readFuzz(t *testing.T, name string, data []byte) {
	ex, err := Read(context.Background(), bytes.NewReader(data), name, Options{Buildings: true, Water: true})
	if err != nil {
		if msg := err.Error(); len(msg) < len(name) || msg[:len(name)] != name || strings.Contains(msg, "decoder failure") {
			t.Fatalf("error %q does not name the file or reports a decoder bug", msg)
		}
		return
	}
	if ex == nil {
		t.Fatal("no extract and no error")
	}
	// Whatever was read, pedestrian areas included, no walk is shorter
	// than the great circle, and there is a main network.
	g := ex.Graph
	for e := range g.NumEdges() {
		l, h := g.EdgeLen[e], geo.Haversine(g.Points[g.EdgeU[e]], g.Points[g.EdgeV[e]])
		if math.IsNaN(l) || l < h-1e-6 {
			t.Fatalf("edge %d is %v m, the great circle %v m", e, l, h)
		}
	}
	if g.NumPieces() < 1 || g.PieceNodes(0) < 2 {
		t.Fatalf("%d pieces, the main one of %d nodes", g.NumPieces(), g.PieceNodes(0))
	}
}
