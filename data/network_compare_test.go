package data

import (
	"bufio"
	"cmp"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/carecircle/carecircle/geo"
)

// compareSources are the 1,000 nodes docs/bench/dijkstra_compare.py walks
// from, drawn in source-id order so that they do not depend on how the
// graph numbers its nodes.
func compareSources(g *geo.Graph) []int32 {
	byID := make([]int32, g.NumNodes())
	for i := range byID {
		byID[i] = int32(i)
	}
	slices.SortFunc(byID, func(a, b int32) int { return cmp.Compare(g.OSMIDs[a], g.OSMIDs[b]) })
	rng := rand.New(rand.NewPCG(3, 4))
	out := make([]int32, 1000)
	for i := range out {
		out[i] = byID[rng.IntN(len(byID))]
	}
	return out
}

// BenchmarkBoundedDijkstraHeidelberg is the bare 15-minute bounded
// Dijkstra (the walk under a catchment, without collecting points) from
// compareSources, the figure docs/bench/dijkstra_compare.py sets beside
// networkx and scipy.
func BenchmarkBoundedDijkstraHeidelberg(b *testing.B) {
	g := heidelberg(b)
	r, err := geo.NewRouter(g, geo.DefaultWalk())
	if err != nil {
		b.Fatal(err)
	}
	src := compareSources(g)
	s := r.NewSearch()
	settled := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.Run([]geo.Source{{Node: src[i%len(src)]}}, fifteenMinutes)
		settled += len(s.Settled())
	}
	b.ReportMetric(float64(settled)/float64(b.N), "nodes/search")
}

// TestExportHeidelbergForComparison writes, when CARECIRCLE_COMPARE_DIR
// names a folder, the Heidelberg walking graph as edges.csv (source ids of
// both ends and the elder's walking seconds, exact to the last bit) and
// sources.csv (compareSources and how many nodes each search settles), the
// input of docs/bench/dijkstra_compare.py.
func TestExportHeidelbergForComparison(t *testing.T) {
	dir := os.Getenv("CARECIRCLE_COMPARE_DIR")
	if dir == "" {
		t.Skip("set CARECIRCLE_COMPARE_DIR to a folder to export the graph for docs/bench/dijkstra_compare.py")
	}
	if err := writeCompareFiles(dir, heidelberg(t)); err != nil {
		t.Fatal(err)
	}
}

func writeCompareFiles(dir string, g *geo.Graph) error {
	prof := geo.DefaultWalk()
	write := func(name string, fill func(w *bufio.Writer)) error {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		w := bufio.NewWriter(f)
		fill(w)
		if err := w.Flush(); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	if err := write("edges.csv", func(w *bufio.Writer) {
		w.WriteString("u,v,seconds\n")
		for e := range g.NumEdges() {
			fmt.Fprintf(w, "%d,%d,%s\n", g.OSMIDs[g.EdgeU[e]], g.OSMIDs[g.EdgeV[e]],
				strconv.FormatFloat(prof.EdgeSeconds(g.EdgeLen[e], g.EdgeKind[e]), 'g', -1, 64))
		}
	}); err != nil {
		return err
	}
	r, err := geo.NewRouter(g, prof)
	if err != nil {
		return err
	}
	s := r.NewSearch()
	return write("sources.csv", func(w *bufio.Writer) {
		w.WriteString("source,settled\n")
		for _, u := range compareSources(g) {
			s.Run([]geo.Source{{Node: u}}, fifteenMinutes)
			fmt.Fprintf(w, "%d,%d\n", g.OSMIDs[u], len(s.Settled()))
		}
	})
}
