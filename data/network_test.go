package data

import (
	"bytes"
	"container/heap"
	"context"
	"log/slog"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/carecircle/carecircle/data/sharedtest"
	"github.com/carecircle/carecircle/geo"
)

func TestLoadNetworkCachesAndRebuilds(t *testing.T) {
	src := sharedtest.Path(t, "osm", "helsinki.osm.pbf")
	dir := t.TempDir()
	osmCopy := filepath.Join(dir, "helsinki.osm.pbf")
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(osmCopy, b, 0o644)
	cache := filepath.Join(dir, "cache")
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	ns := NetworkSource{OSM: osmCopy, CacheDir: cache}

	first, err := LoadNetwork(context.Background(), ns, log)
	if err != nil || first.FromCache {
		t.Fatalf("first load: %v, from cache %v", err, first != nil && first.FromCache)
	}
	second, err := LoadNetwork(context.Background(), ns, log)
	if err != nil || !second.FromCache {
		t.Fatalf("second load: %v, from cache %v", err, second != nil && second.FromCache)
	}
	if second.Graph.NumNodes() != first.Graph.NumNodes() || second.Graph.NumEdges() != first.Graph.NumEdges() {
		t.Fatal("cached graph differs from the built one")
	}

	// Corrupt the cache: it is rebuilt with a warning, never trusted.
	files, _ := filepath.Glob(filepath.Join(cache, "*.ccgraph"))
	if len(files) != 1 {
		t.Fatalf("want one cache file, found %v", files)
	}
	c, _ := os.ReadFile(files[0])
	c[len(c)/2] ^= 0xff
	os.WriteFile(files[0], c, 0o644)
	third, err := LoadNetwork(context.Background(), ns, log)
	if err != nil || third.FromCache {
		t.Fatalf("corrupt cache: %v, from cache %v", err, third != nil && third.FromCache)
	}
	if !strings.Contains(logs.String(), "corrupt") {
		t.Fatalf("no warning about the corrupt cache in the log:\n%s", logs.String())
	}

	// A changed extract makes the cache stale.
	later := time.Now().Add(time.Hour)
	os.Chtimes(osmCopy, later, later)
	logs.Reset()
	fourth, err := LoadNetwork(context.Background(), ns, log)
	if err != nil || fourth.FromCache || !strings.Contains(logs.String(), "stale") {
		t.Fatalf("stale cache: %v, from cache %v, log:\n%s", err, fourth != nil && fourth.FromCache, logs.String())
	}
}

func TestLoadNetworkErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  NetworkSource
		want string
	}{
		{"nothing", NetworkSource{}, "no network source"},
		{"missing file", NetworkSource{OSM: "/no/such/file.osm.pbf"}, "/no/such/file.osm.pbf"},
		{"unknown preset", NetworkSource{Synthetic: "metropolis"}, "metropolis"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadNetwork(context.Background(), tc.src, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error mentioning %q", err, tc.want)
			}
		})
	}
}

// textbookDijkstra is an independent shortest-path implementation (binary
// heap from container/heap, adjacency rebuilt from the edge list) that the
// engine is checked against on real data.
func textbookDijkstra(g *geo.Graph, src int32, limit float64) map[int32]float64 {
	adj := make([][]struct {
		to int32
		w  float64
	}, g.NumNodes())
	for e := range g.EdgeU {
		u, v, w := g.EdgeU[e], g.EdgeV[e], g.EdgeLen[e]
		adj[u] = append(adj[u], struct {
			to int32
			w  float64
		}{v, w})
		adj[v] = append(adj[v], struct {
			to int32
			w  float64
		}{u, w})
	}
	dist := map[int32]float64{src: 0}
	pq := &pqueue{{src, 0}}
	for pq.Len() > 0 {
		it := heap.Pop(pq).(pqItem)
		if it.d > dist[it.n] {
			continue
		}
		for _, a := range adj[it.n] {
			d := it.d + a.w
			if d > limit {
				continue
			}
			if old, ok := dist[a.to]; !ok || d < old {
				dist[a.to] = d
				heap.Push(pq, pqItem{a.to, d})
			}
		}
	}
	return dist
}

type pqItem struct {
	n int32
	d float64
}
type pqueue []pqItem

func (q pqueue) Len() int           { return len(q) }
func (q pqueue) Less(i, j int) bool { return q[i].d < q[j].d }
func (q pqueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *pqueue) Push(x any)        { *q = append(*q, x.(pqItem)) }
func (q *pqueue) Pop() any {
	old := *q
	it := old[len(old)-1]
	*q = old[:len(old)-1]
	return it
}

func TestReachMatchesTextbookDijkstraOnHeidelberg(t *testing.T) {
	path := sharedtest.Path(t, "osm", "heidelberg.osm.pbf")
	n, err := LoadNetwork(context.Background(), NetworkSource{OSM: path}, nil)
	if err != nil {
		t.Fatal(err)
	}
	g := n.Graph
	r, _ := geo.NewRouter(g, geo.PlainDistance())
	s := r.NewSearch()
	rng := rand.New(rand.NewPCG(2026, 11))
	for trial := 0; trial < 10; trial++ {
		src := int32(rng.IntN(g.NumNodes()))
		const limit = 1500.0
		want := textbookDijkstra(g, src, limit)
		s.Run([]geo.Source{{Node: src}}, limit)
		if len(s.Settled()) != len(want) {
			t.Fatalf("from OSM node %d: reached %d nodes, textbook %d", g.OSMIDs[src], len(s.Settled()), len(want))
		}
		for v, d := range want {
			if math.Abs(s.Seconds(v)-d) > 1e-6 {
				t.Fatalf("from %d to %d: %.6f m, textbook %.6f m", g.OSMIDs[src], g.OSMIDs[v], s.Seconds(v), d)
			}
		}
	}
}
