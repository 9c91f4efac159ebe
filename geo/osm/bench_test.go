package osm

import (
	"context"
	"testing"
)

// BenchmarkLoadHeidelberg measures the whole load of the Heidelberg
// extract (2.5 MB PBF, 221k nodes) into a walking graph; the budget is
// 2 s on two cores.
func BenchmarkLoadHeidelberg(b *testing.B) {
	path := dataFile(b, "heidelberg.osm.pbf")
	for b.Loop() {
		ex, err := Load(context.Background(), path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(ex.Graph.NumNodes()), "graph-nodes")
	}
}

// BenchmarkLoadMonacoBuildings measures a load that also collects the 23k
// building footprints of Monaco.
func BenchmarkLoadMonacoBuildings(b *testing.B) {
	path := dataFile(b, "monaco.osm.pbf")
	for b.Loop() {
		if _, err := Load(context.Background(), path, Options{Buildings: true, Water: true}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadNantongXML measures the XML path on the small Nantong
// download.
func BenchmarkLoadNantongXML(b *testing.B) {
	path := dataFile(b, "nantong.osm")
	for b.Loop() {
		if _, err := Load(context.Background(), path, Options{Buildings: true}); err != nil {
			b.Fatal(err)
		}
	}
}
