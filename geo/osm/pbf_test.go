package osm

import (
	"bufio"
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"

	"github.com/paulmach/osm"
	"github.com/paulmach/osm/osmpbf"
)

// TestPBFMatchesOsmpbf reads every node and way of the real extracts with
// our PBF reader and with github.com/paulmach/osm/osmpbf, which it replaced,
// and wants the same ids, locations, node references and tags in the same
// order.
func TestPBFMatchesOsmpbf(t *testing.T) {
	for _, name := range []string{"heidelberg.osm.pbf", "monaco.osm.pbf", "helsinki.osm.pbf", "../poa/porto_alegre.osm.pbf"} {
		t.Run(filepath.Base(name), func(t *testing.T) {
			path := dataFile(t, name)
			ours := readAllPBF(t, path)
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			sc := osmpbf.New(context.Background(), f, runtime.GOMAXPROCS(0))
			defer sc.Close()
			sc.SkipRelations = true
			var nodes, ways int
			for sc.Scan() {
				switch o := sc.Object().(type) {
				case *osm.Node:
					if nodes >= len(ours.nodes) {
						t.Fatalf("osmpbf has more than our %d nodes", len(ours.nodes))
					}
					if got := ours.nodes[nodes]; got.id != int64(o.ID) || got.p[0] != o.Lon || got.p[1] != o.Lat {
						t.Fatalf("node %d: ours %d at %v, osmpbf %d at %v, %v", nodes, got.id, got.p, o.ID, o.Lon, o.Lat)
					}
					nodes++
				case *osm.Way:
					if ways >= len(ours.ways) {
						t.Fatalf("osmpbf has more than our %d ways", len(ours.ways))
					}
					got := ours.ways[ways]
					if got.ID != o.ID || !slices.Equal(got.Tags, o.Tags) || len(got.Nodes) != len(o.Nodes) {
						t.Fatalf("way %d: ours %d %v with %d nodes, osmpbf %d %v with %d", ways, got.ID, got.Tags, len(got.Nodes), o.ID, o.Tags, len(o.Nodes))
					}
					for i, n := range got.Nodes {
						if m := o.Nodes[i]; n.ID != m.ID || n.Lat != m.Lat || n.Lon != m.Lon {
							t.Fatalf("way %d node %d: ours %+v, osmpbf %+v", o.ID, i, n, m)
						}
					}
					ways++
				}
			}
			if err := sc.Err(); err != nil {
				t.Fatal(err)
			}
			if nodes != len(ours.nodes) || ways != len(ours.ways) {
				t.Errorf("ours %d nodes and %d ways, osmpbf %d and %d", len(ours.nodes), len(ours.ways), nodes, ways)
			}
			t.Logf("%d nodes, %d ways equal", nodes, ways)
		})
	}
}

// readAllPBF decodes every node and way of a PBF file, in file order.
func readAllPBF(t *testing.T, path string) pbfResult {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	blocks := &pbfBlocks{r: bufio.NewReader(f)}
	var all pbfResult
	for {
		b, err := blocks.next()
		if err == io.EOF {
			return all
		}
		if err != nil {
			t.Fatal(err)
		}
		if b.typ == "OSMHeader" {
			continue
		}
		r := decodeFileBlock(b, func(osm.Tags) bool { return true })
		if r.err != nil {
			t.Fatal(r.err)
		}
		all.nodes = append(all.nodes, r.nodes...)
		all.ways = append(all.ways, r.ways...)
	}
}
