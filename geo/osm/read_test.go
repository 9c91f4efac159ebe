package osm

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"os/exec"
	"slices"
	"testing"

	"github.com/carecircle/carecircle/geo"
	"github.com/paulmach/orb"
)

// town is a small hand-made extract; its walking graph is known:
//
//	1 - 2 - (3 missing) - 4 - 5      way 100, cut at node 3
//	    2 - 6 - 4                    way 101 joins the two halves
//	                      5 = 7      way 102, steps
//	        6 x 8                    way 103, footway=crossing
//	                      7 - 9      way 104, access=private: left out
//	            8 - 10               way 105, access=private but foot=yes
//	11 - 12 - 13 - 11                way 106, a pedestrian area: its outline,
//	                                 a second piece (no entrance, no bend)
//	9 - 10                           way 107, motorway: left out
//
// plus buildings 200 (kept), 201 (building=no), 202 (a node missing) and
// water 300 (a lake) and 301 (a river cut at missing node 35).
func town() fixture {
	at := func(id int64, x, y float64) tNode { return tNode{id, 8.69 + x*0.001, 49.41 + y*0.001} }
	return fixture{
		nodes: []tNode{
			at(1, 0, 0), at(2, 1, 0), at(4, 3, 0), at(5, 4, 0),
			at(6, 2, 1), at(7, 4, 1), at(8, 2, 2), at(9, 5, 1), at(10, 3, 2),
			at(11, 0, 5), at(12, 1, 5), at(13, 1, 6),
			// Building 200 runs up, right, down: clockwise, to be reversed.
			at(20, 0, 8), at(21, 0, 9), at(22, 1, 9), at(23, 1, 8),
			at(24, 2, 8), at(25, 2, 9), at(26, 3, 9),
			at(27, 4, 8), at(28, 4, 9), at(29, 5, 9),
			at(30, 6, 0), at(31, 7, 0), at(32, 7, 1),
			at(33, 6, 3), at(34, 7, 3), at(36, 9, 3), at(37, 10, 3),
		},
		ways: []tWay{
			{id: 100, refs: []int64{1, 2, 3, 4, 5}, tags: []string{"highway", "residential", "name", "Hauptstraße"}},
			{id: 101, refs: []int64{2, 6, 4}, tags: []string{"highway", "footway"}},
			{id: 102, refs: []int64{5, 7}, tags: []string{"highway", "steps"}},
			{id: 103, refs: []int64{6, 8}, tags: []string{"highway", "footway", "footway", "crossing"}},
			{id: 104, refs: []int64{7, 9}, tags: []string{"highway", "service", "access", "private"}},
			{id: 105, refs: []int64{8, 10}, tags: []string{"highway", "service", "access", "private", "foot", "yes"}},
			{id: 106, refs: []int64{11, 12, 13, 11}, tags: []string{"highway", "pedestrian", "area", "yes"}},
			{id: 107, refs: []int64{9, 10}, tags: []string{"highway", "motorway"}},
			{id: 200, refs: []int64{20, 21, 22, 23, 20}, tags: []string{"building", "house", "building:levels", "2.5"}},
			{id: 201, refs: []int64{24, 25, 26, 24}, tags: []string{"building", "no"}},
			{id: 202, refs: []int64{27, 28, 29, 99, 27}, tags: []string{"building", "yes"}},
			{id: 300, refs: []int64{30, 31, 32, 30}, tags: []string{"natural", "water"}},
			{id: 301, refs: []int64{33, 34, 35, 36, 37}, tags: []string{"waterway", "river"}},
		},
	}
}

// townEdges lists the expected graph edges as OSM node id pairs.
var townEdges = map[[2]int64]geo.EdgeKind{
	{1, 2}: geo.EdgeOther, {4, 5}: geo.EdgeOther,
	{2, 6}: geo.EdgeOther, {4, 6}: geo.EdgeOther,
	{5, 7}:   geo.EdgeSteps,
	{6, 8}:   geo.EdgeCrossing,
	{8, 10}:  geo.EdgeOther,
	{11, 12}: geo.EdgeOther, {12, 13}: geo.EdgeOther, {11, 13}: geo.EdgeOther,
}

// graphEdges returns g's edges keyed by their ordered OSM node ids.
func graphEdges(g *geo.Graph) map[[2]int64]geo.EdgeKind {
	out := make(map[[2]int64]geo.EdgeKind)
	for e := range g.NumEdges() {
		a, b := g.OSMIDs[g.EdgeU[e]], g.OSMIDs[g.EdgeV[e]]
		out[[2]int64{min(a, b), max(a, b)}] = g.EdgeKind[e]
	}
	return out
}

func checkTown(t *testing.T, ex *Extract, opt Options) {
	t.Helper()
	g := ex.Graph
	if got := graphEdges(g); !mapsEqual(got, townEdges) {
		t.Errorf("edges = %v, want %v", got, townEdges)
	}
	ids := slices.Sorted(slices.Values(g.OSMIDs))
	if want := []int64{1, 2, 4, 5, 6, 7, 8, 10, 11, 12, 13}; !slices.Equal(ids, want) {
		t.Errorf("graph nodes = %v, want %v", ids, want)
	}
	for i, id := range g.OSMIDs {
		want := town().nodes[slices.IndexFunc(town().nodes, func(n tNode) bool { return n.id == id })]
		if p := g.Points[i]; math.Abs(p[0]-want.lon) > 1e-9 || math.Abs(p[1]-want.lat) > 1e-9 {
			t.Errorf("node %d at %v, want %v,%v", id, p, want.lon, want.lat)
		}
	}
	for e, l := range g.EdgeLen {
		if want := geo.Haversine(g.Points[g.EdgeU[e]], g.Points[g.EdgeV[e]]); l != want || l <= 0 {
			t.Errorf("edge %d length %v, want %v", e, l, want)
		}
	}
	st := ex.Stats
	wantStats := Stats{Nodes: len(town().nodes), Ways: 13, WalkableWays: 5, WalkableRefs: 14, MissingRefs: 1, CutWays: 1,
		WalkableAreas: 1, UnjoinedAreas: 1, Pieces: 2, OffMainNodes: 3}
	if opt.Buildings {
		wantStats.IncompleteAreas = 1 // building 202; a river line is cut, not skipped
	}
	st.Duration = 0
	if st != wantStats {
		t.Errorf("stats = %+v, want %+v", st, wantStats)
	}

	if !opt.Buildings && ex.Buildings != nil {
		t.Errorf("buildings collected without Options.Buildings: %v", ex.Buildings)
	}
	if opt.Buildings {
		if len(ex.Buildings) != 1 {
			t.Fatalf("buildings = %+v, want only way 200", ex.Buildings)
		}
		b := ex.Buildings[0]
		if b.ID != 200 || b.Kind != "house" || b.Levels != 2.5 {
			t.Errorf("building = %+v, want way 200, house, 2.5 levels", b)
		}
		ring := b.Footprint[0]
		if len(b.Footprint) != 1 || len(ring) != 5 || !ring.Closed() || ring.Orientation() != orb.CCW {
			t.Errorf("footprint %v: want one closed counter-clockwise ring of 5 points", b.Footprint)
		}
	}
	if !opt.Water && (ex.Water != nil || ex.Waterways != nil) {
		t.Errorf("water collected without Options.Water")
	}
	if opt.Water {
		if len(ex.Water) != 1 || len(ex.Water[0][0]) != 4 || ex.Water[0][0].Orientation() != orb.CCW {
			t.Errorf("water = %v, want the lake as one counter-clockwise ring of 4 points", ex.Water)
		}
		if len(ex.Waterways) != 2 || len(ex.Waterways[0]) != 2 || len(ex.Waterways[1]) != 2 {
			t.Errorf("waterways = %v, want the river cut in two lines of 2 points", ex.Waterways)
		}
	}
}

func mapsEqual[K comparable, V comparable](a, b map[K]V) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestReadTown(t *testing.T) {
	f := town()
	xmlDoc := f.xmlDoc(false)
	// Nodes out of id order exercise the store's sort.
	shuffled := f
	shuffled.nodes = slices.Clone(f.nodes)
	slices.Reverse(shuffled.nodes)

	cases := []struct {
		name string
		data []byte
	}{
		{"town.osm", xmlDoc},
		{"town-ways-first.osm", f.xmlDoc(true)},
		{"town.osm.gz", gzipBytes(t, xmlDoc)},
		{"town-gzip-without-suffix.osm", gzipBytes(t, xmlDoc)},
		{"town.osm.pbf", f.pbf(pbfOptions{})},
		{"town-unsorted.osm.pbf", shuffled.pbf(pbfOptions{})},
		{"town-plain-nodes.osm.pbf", f.pbf(pbfOptions{plainNodes: true})},
		{"town-raw-blocks.osm.pbf", f.pbf(pbfOptions{raw: true})},
		{"upload", f.pbf(pbfOptions{})}, // no suffix: content decides
	}
	// Go has no bzip2 writer, so the .bz2 case needs the bzip2 command.
	if _, err := exec.LookPath("bzip2"); err == nil {
		cmd := exec.Command("bzip2", "-c")
		cmd.Stdin = bytes.NewReader(xmlDoc)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("bzip2: %v", err)
		}
		cases = append(cases, struct {
			name string
			data []byte
		}{"town.osm.bz2", out})
	} else {
		t.Log("bzip2 command not found: the .osm.bz2 case is skipped")
	}

	for _, c := range cases {
		for optName, opt := range map[string]Options{
			"graph":           {},
			"buildings":       {Buildings: true},
			"buildings+water": {Buildings: true, Water: true},
		} {
			t.Run(c.name+"/"+optName, func(t *testing.T) {
				ex, err := Read(context.Background(), bytes.NewReader(c.data), c.name, opt)
				if err != nil {
					t.Fatal(err)
				}
				checkTown(t, ex, opt)
			})
		}
	}
}

func TestLoadTown(t *testing.T) {
	p := writeFile(t, "town.osm", town().xmlDoc(false))
	ex, err := Load(context.Background(), p, Options{Buildings: true, Water: true})
	if err != nil {
		t.Fatal(err)
	}
	checkTown(t, ex, Options{Buildings: true, Water: true})
	if ex.Stats.Duration <= 0 {
		t.Errorf("Duration = %v, want it measured", ex.Stats.Duration)
	}
}

// A missing node whose location the way carries (osmium
// add-locations-to-ways) is not missing after all.
func TestLocationsOnWays(t *testing.T) {
	f := town()
	f.ways[0].refLocs = map[int64][2]float64{3: {8.692, 49.41}}
	ex, err := Read(context.Background(), bytes.NewReader(f.xmlDoc(false)), "town.osm", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if ex.Stats.MissingRefs != 0 || ex.Stats.CutWays != 0 {
		t.Errorf("stats = %+v, want no missing refs", ex.Stats)
	}
	edges := graphEdges(ex.Graph)
	for _, pair := range [][2]int64{{2, 3}, {3, 4}} {
		if _, ok := edges[pair]; !ok {
			t.Errorf("edge %v missing; the way's own location for node 3 was not used", pair)
		}
	}
}

func TestReadCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for name, data := range map[string][]byte{
		"town.osm":     town().xmlDoc(false),
		"town.osm.pbf": town().pbf(pbfOptions{}),
	} {
		_, err := Read(ctx, bytes.NewReader(data), name, Options{})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s: err = %v, want context.Canceled", name, err)
		}
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(context.Background(), "/nonexistent/heidelberg.osm.pbf", Options{})
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("err = %v, want not-exist naming the path", err)
	}
}
