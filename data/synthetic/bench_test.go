package synthetic

import (
	"context"
	"testing"
)

// benchmarkPreset generates a preset b.N times and reports its size, so
// that ns/op can be read per node.
func benchmarkPreset(b *testing.B, name string) {
	p, err := Preset(name)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var nodes, edges int
	for i := 0; b.Loop(); i++ {
		c, err := Generate(context.Background(), p, uint64(i+1))
		if err != nil {
			b.Fatal(err)
		}
		nodes, edges = c.Graph.NumNodes(), c.Graph.NumEdges()
	}
	b.ReportMetric(float64(nodes), "nodes")
	b.ReportMetric(float64(edges), "edges")
}

// BenchmarkGenerateCity is the 2-million-node city.
func BenchmarkGenerateCity(b *testing.B) { benchmarkPreset(b, "city") }

// BenchmarkGenerateDistrict is the Yuzhong-sized district.
func BenchmarkGenerateDistrict(b *testing.B) { benchmarkPreset(b, "district") }

// BenchmarkGenerateTiny is the unit-test city.
func BenchmarkGenerateTiny(b *testing.B) { benchmarkPreset(b, "tiny") }
