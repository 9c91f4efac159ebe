package osm

import (
	"bufio"
	"context"
	"os"
	"runtime"
	"testing"

	"github.com/paulmach/osm/osmpbf"
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

// BenchmarkScanPBFHeidelberg decodes every node (with tags), way and
// relation of the Heidelberg extract, with our scanner and, for
// comparison, with github.com/paulmach/osm/osmpbf.
func BenchmarkScanPBFHeidelberg(b *testing.B) {
	path := dataFile(b, "heidelberg.osm.pbf")
	scan := func(b *testing.B, sc interface {
		Scan() bool
		Err() error
		Close() error
	}) {
		n := 0
		for sc.Scan() {
			n++
		}
		if err := sc.Err(); err != nil {
			b.Fatal(err)
		}
		sc.Close()
		b.ReportMetric(float64(n), "objects")
	}
	b.Run("ours", func(b *testing.B) {
		for b.Loop() {
			f, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			scan(b, newPBFScanner(context.Background(), bufio.NewReader(f), path))
			f.Close()
		}
	})
	b.Run("osmpbf", func(b *testing.B) {
		for b.Loop() {
			f, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			scan(b, osmpbf.New(context.Background(), f, runtime.GOMAXPROCS(0)))
			f.Close()
		}
	})
}
