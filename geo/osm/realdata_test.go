package osm

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"strings"
	"testing"

	"github.com/carecircle/carecircle/geo"
	"github.com/paulmach/orb"
	"github.com/paulmach/osm"
)

// refWalkable restates the walk rules of the brief a second way, with sets
// over a tag map, so that a slip in Walkable shows up as a count mismatch.
func refWalkable(m map[string]string) (bool, geo.EdgeKind) {
	set := func(vs ...string) map[string]bool {
		s := map[string]bool{}
		for _, v := range vs {
			s[v] = true
		}
		return s
	}
	always := set("footway", "pedestrian", "path", "steps", "living_street", "residential",
		"service", "unclassified", "tertiary", "tertiary_link", "secondary", "secondary_link",
		"primary", "primary_link", "track", "corridor", "road")
	withFoot := set("cycleway", "bridleway", "trunk", "trunk_link")
	footOK := set("yes", "designated", "permissive")[m["foot"]]
	hw := m["highway"]

	if !always[hw] && !(withFoot[hw] && footOK) {
		return false, 0
	}
	if m["area"] == "yes" || m["foot"] == "no" {
		return false, 0
	}
	closed := m["access"] == "private" || m["access"] == "no" || m["service"] == "private"
	if closed && !footOK {
		return false, 0
	}
	if hw == "steps" {
		return true, geo.EdgeSteps
	}
	if set("footway", "path", "cycleway", "bridleway")[hw] && m[hw] == "crossing" || m["footway"] == "crossing" {
		return true, geo.EdgeCrossing
	}
	return true, geo.EdgeOther
}

// refWalkableArea restates the walkable-area rule a second way: a closed
// way or multipolygon whose highway is pedestrian or footway and which is
// an area, or whose area:highway is, and which feet may enter.
func refWalkableArea(m map[string]string, relation bool) bool {
	ped := map[string]bool{"pedestrian": true, "footway": true}
	if relation && m["type"] != "multipolygon" {
		return false
	}
	if !ped[m["area:highway"]] && !(ped[m["highway"]] && (relation || m["area"] == "yes")) {
		return false
	}
	footOK := map[string]bool{"yes": true, "designated": true, "permissive": true}[m["foot"]]
	closed := m["access"] == "private" || m["access"] == "no" || m["service"] == "private"
	return m["foot"] != "no" && !(closed && !footOK)
}

// walkAreaWays returns, per walkable area of raw, the node ids of its
// ways: the closed way itself, or the relation's member ways in the file.
func walkAreaWays(raw rawExtract) [][][]int64 {
	byID := map[int64][]int64{}
	var out [][][]int64
	refsOf := func(w *osm.Way) []int64 {
		ids := make([]int64, len(w.Nodes))
		for i, n := range w.Nodes {
			ids[i] = int64(n.ID)
		}
		return ids
	}
	for _, w := range raw.ways {
		byID[int64(w.ID)] = refsOf(w)
		closed := len(w.Nodes) >= 4 && w.Nodes[0].ID == w.Nodes[len(w.Nodes)-1].ID
		if closed && refWalkableArea(w.Tags.Map(), false) {
			out = append(out, [][]int64{refsOf(w)})
		}
	}
	for _, r := range raw.relations {
		if !refWalkableArea(r.Tags.Map(), true) {
			continue
		}
		var ways [][]int64
		for _, m := range r.Members {
			if refs, ok := byID[m.Ref]; ok && m.Type == osm.TypeWay {
				ways = append(ways, refs)
			}
		}
		if len(ways) > 0 {
			out = append(out, ways)
		}
	}
	return out
}

// expected is what a real file should give, worked out from rawExtract.
type expected struct {
	stats Stats
	// pairs holds every walkable segment between two located nodes, with
	// the kinds of the ways it lies on.
	pairs     map[[2]int64]map[geo.EdgeKind]bool
	buildings int
}

// addPairs records the segments between consecutive located nodes of refs.
func (ex *expected) addPairs(raw rawExtract, refs []int64, kind geo.EdgeKind) {
	for i := 1; i < len(refs); i++ {
		a, b := refs[i-1], refs[i]
		_, okA := raw.nodes[a]
		_, okB := raw.nodes[b]
		if !okA || !okB || a == b {
			continue
		}
		pair := [2]int64{min(a, b), max(a, b)}
		if ex.pairs[pair] == nil {
			ex.pairs[pair] = map[geo.EdgeKind]bool{}
		}
		ex.pairs[pair][kind] = true
	}
}

func expect(raw rawExtract) expected {
	ex := expected{pairs: make(map[[2]int64]map[geo.EdgeKind]bool)}
	ex.stats.Nodes = len(raw.nodes)
	ex.stats.Ways = len(raw.ways)
	for _, w := range raw.ways {
		m := w.Tags.Map()
		if b := m["building"]; b != "" && b != "no" && len(w.Nodes) >= 4 && w.Nodes[0].ID == w.Nodes[len(w.Nodes)-1].ID {
			all := true
			for _, n := range w.Nodes {
				_, ok := raw.nodes[int64(n.ID)]
				all = all && ok
			}
			if all {
				ex.buildings++
			}
		}
		ok, kind := refWalkable(m)
		if !ok {
			continue
		}
		ex.stats.WalkableWays++
		ex.stats.WalkableRefs += len(w.Nodes)
		missing := 0
		for i, n := range w.Nodes {
			if _, ok := raw.nodes[int64(n.ID)]; !ok {
				missing++
				continue
			}
			if i == 0 {
				continue
			}
			prev := int64(w.Nodes[i-1].ID)
			if _, ok := raw.nodes[prev]; !ok || prev == int64(n.ID) {
				continue
			}
			pair := [2]int64{min(prev, int64(n.ID)), max(prev, int64(n.ID))}
			if ex.pairs[pair] == nil {
				ex.pairs[pair] = map[geo.EdgeKind]bool{}
			}
			ex.pairs[pair][kind] = true
		}
		ex.stats.MissingRefs += missing
		if missing > 0 {
			ex.stats.CutWays++
		}
	}
	// Pedestrian areas are walked along their outlines (the straight
	// edges across them are checked by TestHelsinkiSquares).
	for _, ways := range walkAreaWays(raw) {
		ex.stats.WalkableAreas++
		for _, refs := range ways {
			ex.addPairs(raw, refs, geo.EdgeOther)
		}
	}
	return ex
}

func TestRealData(t *testing.T) {
	cases := []struct {
		file string
		opt  Options
		// Facts known of the file beyond the cross-check.
		minNodes  int
		steps     bool // has steps edges
		buildings int  // at least this many buildings (with opt.Buildings)
	}{
		{file: "heidelberg.osm.pbf", minNodes: 100000, steps: true},
		{file: "helsinki.osm.pbf", opt: Options{Buildings: true, Water: true}, minNodes: 3000},
		{file: "monaco.osm.pbf", opt: Options{Buildings: true, Water: true}, minNodes: 10000, steps: true, buildings: 20000},
		{file: "nantong.osm", opt: Options{Buildings: true}, minNodes: 50},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			path := dataFile(t, c.file)
			got, err := Load(context.Background(), path, c.opt)
			if err != nil {
				t.Fatal(err)
			}
			raw := readRaw(t, path)
			want := expect(raw)
			g := got.Graph
			t.Logf("%s: %d nodes, %d edges, %.0f km; stats %+v; %d pieces; %d buildings, %d water, %d waterways",
				c.file, g.NumNodes(), g.NumEdges(), g.TotalLength()/1000, got.Stats, g.NumPieces(),
				len(got.Buildings), len(got.Water), len(got.Waterways))

			st := got.Stats
			if st.Duration <= 0 {
				t.Errorf("Duration %v not measured", st.Duration)
			}
			if st.Pieces != g.NumPieces() || st.OffMainNodes != g.OffMainNodes() {
				t.Errorf("Stats say %d pieces, %d nodes off the main one; the graph has %d and %d", st.Pieces, st.OffMainNodes, g.NumPieces(), g.OffMainNodes())
			}
			st.Duration, st.Pieces, st.OffMainNodes, st.IncompleteAreas = 0, 0, 0, 0
			st.AreaEdges, st.PartialAreas, st.StepAreas, st.UnjoinedAreas = 0, 0, 0, 0
			if st != want.stats {
				t.Errorf("stats = %+v\nwant    %+v (counted independently)", st, want.stats)
			}

			if g.NumNodes() < c.minNodes || g.NumNodes() > len(raw.nodes) {
				t.Errorf("%d graph nodes, want between %d and the file's %d nodes", g.NumNodes(), c.minNodes, len(raw.nodes))
			}
			if main := float64(g.PieceNodes(0)) / float64(g.NumNodes()); main < 0.9 {
				t.Errorf("the main piece holds %.0f%% of the nodes, want most", 100*main)
			}
			// Every walkable segment and outline side is an edge; the other
			// edges cross pedestrian areas.
			have := map[[2]int64]bool{}
			for e := range g.NumEdges() {
				a, b := g.OSMIDs[g.EdgeU[e]], g.OSMIDs[g.EdgeV[e]]
				have[[2]int64{min(a, b), max(a, b)}] = true
			}
			for pair := range want.pairs {
				if !have[pair] {
					t.Fatalf("walkable segment %v is not an edge", pair)
				}
			}
			if across := g.NumEdges() - len(want.pairs); across < 0 || across > got.Stats.AreaEdges+got.Stats.StepAreas {
				t.Errorf("%d edges for %d walkable segments and outline sides: %d across areas or steps onto them, want 0 to %d",
					g.NumEdges(), len(want.pairs), across, got.Stats.AreaEdges+got.Stats.StepAreas)
			}
			onArea := map[int64]bool{}
			for _, ways := range walkAreaWays(raw) {
				for _, refs := range ways {
					for _, id := range refs {
						onArea[id] = true
					}
				}
			}
			steps := 0
			for i, id := range g.OSMIDs {
				if p, ok := raw.nodes[id]; !ok || p != g.Points[i] {
					t.Fatalf("graph node %d has OSM id %d at %v; file has it at %v (present %v)", i, id, g.Points[i], p, ok)
				}
			}
			kinds := map[geo.EdgeKind]int{}
			for e := range g.NumEdges() {
				u, v := g.EdgeU[e], g.EdgeV[e]
				a, b := g.OSMIDs[u], g.OSMIDs[v]
				pair := [2]int64{min(a, b), max(a, b)}
				wantKinds := want.pairs[pair]
				// A step onto an area mapped beside its walkway: at most
				// 25 m, from its outline.
				step := wantKinds == nil && g.EdgeKind[e] == geo.EdgeOther && g.EdgeLen[e] <= 25 && (onArea[a] || onArea[b])
				if step {
					steps++
				}
				if wantKinds != nil && !wantKinds[g.EdgeKind[e]] || wantKinds == nil && g.EdgeKind[e] != geo.EdgeAcross && !step {
					t.Fatalf("edge %d (%d-%d, %v, %.1f m) is not a walkable segment of that kind, a walk across an area nor a step onto one: %v",
						e, a, b, g.EdgeKind[e], g.EdgeLen[e], wantKinds)
				}
				// Two OSM nodes may share a spot (duplicate nodes happen), so
				// length 0 is allowed only there.
				if l := g.EdgeLen[e]; l > 5000 || l < 0 || l == 0 && g.Points[u] != g.Points[v] {
					t.Errorf("edge %d (%d-%d) is %.1f m long", e, a, b, l)
				}
				kinds[g.EdgeKind[e]]++
			}
			t.Logf("edge kinds: %v", kinds)
			if steps > got.Stats.StepAreas {
				t.Errorf("%d steps onto areas, but %d areas joined by one", steps, got.Stats.StepAreas)
			}
			if c.steps && kinds[geo.EdgeSteps] == 0 {
				t.Error("no steps edges")
			}

			if c.opt.Buildings {
				if len(got.Buildings) != want.buildings || len(got.Buildings) < c.buildings {
					t.Errorf("%d buildings, want %d (counted independently) and at least %d", len(got.Buildings), want.buildings, c.buildings)
				}
				checkBuildings(t, got.Buildings)
			} else if got.Buildings != nil {
				t.Error("buildings collected without Options.Buildings")
			}
			for _, w := range got.Water {
				if len(w) != 1 || !w[0].Closed() || len(w[0]) < 4 {
					t.Fatalf("water polygon %v: want one closed ring", w)
				}
			}
		})
	}
}

func checkBuildings(t *testing.T, bs []Building) {
	t.Helper()
	seen := map[int64]bool{}
	for _, b := range bs {
		ring := b.Footprint[0]
		switch {
		case seen[b.ID]:
			t.Fatalf("building %d listed twice", b.ID)
		case b.Kind == "" || b.Kind == "no":
			t.Fatalf("building %d has kind %q", b.ID, b.Kind)
		case b.Levels < 0 || b.Levels > 200:
			t.Fatalf("building %d has %v levels", b.ID, b.Levels)
		case len(b.Footprint) != 1 || len(ring) < 4 || !ring.Closed():
			t.Fatalf("building %d footprint %v: want one closed ring", b.ID, b.Footprint)
		case ring.Orientation() == orb.CW:
			t.Fatalf("building %d ring is clockwise", b.ID)
		}
		seen[b.ID] = true
	}
}

// TestDamagedPBF cuts and corrupts a real PBF file: every result must be an
// error naming the file, or a graph, and never a panic (which would kill the
// test binary).
func TestDamagedPBF(t *testing.T) {
	path := dataFile(t, "helsinki.osm.pbf")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, cut := range []int{len(data) / 2, len(data) - 1, 100} {
		_, err := Read(context.Background(), bytes.NewReader(data[:cut]), "helsinki.osm.pbf", Options{})
		if err == nil || !strings.HasPrefix(err.Error(), "helsinki.osm.pbf: PBF file truncated") {
			t.Errorf("cut at %d: err = %v, want a truncation error naming the file", cut, err)
		}
	}
	// Flip bytes throughout the file, in the zlib streams, whose checksums
	// should catch them, and every byte of the first block and the framing
	// of the second.
	var positions []int
	for i := 1; i < 16; i++ {
		positions = append(positions, i*len(data)/16)
	}
	first := 4 + int(binary.BigEndian.Uint32(data)) + 100 // the header block is about this long
	for pos := range first {
		positions = append(positions, pos)
	}
	for _, pos := range positions {
		bad := bytes.Clone(data)
		bad[pos] ^= 0x5a
		ex, err := Read(context.Background(), bytes.NewReader(bad), "helsinki.osm.pbf", Options{})
		switch {
		case err != nil && !strings.HasPrefix(err.Error(), "helsinki.osm.pbf: "):
			t.Errorf("byte %d flipped: error %q does not name the file", pos, err)
		case err != nil:
			t.Logf("byte %d flipped: %v", pos, err)
		default:
			t.Logf("byte %d flipped: read anyway, %d nodes", pos, ex.Graph.NumNodes())
		}
	}
}

// The truncation test on the brief's own example, Heidelberg.
func TestTruncatedHeidelberg(t *testing.T) {
	path := dataFile(t, "heidelberg.osm.pbf")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p := writeFile(t, "heidelberg.osm.pbf", data[:len(data)*2/3])
	_, err = Load(context.Background(), p, Options{})
	if err == nil || !strings.HasPrefix(err.Error(), p+": PBF file truncated: data ends inside a block at byte ") {
		t.Errorf("err = %v, want a truncation error naming %s", err, p)
	}
}
