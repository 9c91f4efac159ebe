package geo

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"
)

// randomGraph makes a connected random graph of n nodes in a ~1 km square
// near Chongqing: a random spanning tree plus extra edges, some of them steps.
func randomGraph(t testing.TB, rng *rand.Rand, n, extra int) *Graph {
	t.Helper()
	var b GraphBuilder
	for i := 0; i < n; i++ {
		b.Node(int64(1000+i), orb.Point{106.55 + rng.Float64()*0.01, 29.56 + rng.Float64()*0.01})
	}
	kind := func() EdgeKind {
		switch rng.IntN(6) {
		case 0:
			return EdgeSteps
		case 1:
			return EdgeCrossing
		}
		return EdgeOther
	}
	for i := 1; i < n; i++ {
		b.Edge(int32(i), int32(rng.IntN(i)), kind())
	}
	for k := 0; k < extra; k++ {
		b.Edge(int32(rng.IntN(n)), int32(rng.IntN(n)), kind())
	}
	g, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// allPairs is Floyd–Warshall over edge times: the brute force the searches
// are checked against.
func allPairs(r *Router) [][]float64 {
	g := r.Graph
	n := g.NumNodes()
	d := make([][]float64, n)
	for i := range d {
		d[i] = make([]float64, n)
		for j := range d[i] {
			d[i][j] = math.Inf(1)
		}
		d[i][i] = 0
	}
	for e := range g.EdgeU {
		u, v, c := g.EdgeU[e], g.EdgeV[e], r.EdgeSeconds(int32(e))
		d[u][v] = math.Min(d[u][v], c)
		d[v][u] = math.Min(d[v][u], c)
	}
	for k := 0; k < n; k++ {
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				if d[i][k]+d[k][j] < d[i][j] {
					d[i][j] = d[i][k] + d[k][j]
				}
			}
		}
	}
	return d
}

// bruteTime is the walking time between two snapped points through the
// all-pairs table, or along their shared edge.
func bruteTime(r *Router, d [][]float64, a, b Snap) float64 {
	g := r.Graph
	best := r.Direct(a, b)
	ca, cb := r.EdgeSeconds(a.Edge), r.EdgeSeconds(b.Edge)
	ends := func(s Snap, c float64) [2]Source {
		return [2]Source{{g.EdgeU[s.Edge], s.T * c}, {g.EdgeV[s.Edge], (1 - s.T) * c}}
	}
	for _, x := range ends(a, ca) {
		for _, y := range ends(b, cb) {
			best = math.Min(best, x.Seconds+d[x.Node][y.Node]+y.Seconds+
				r.Profile.AccessSeconds(a.Access)+r.Profile.AccessSeconds(b.Access))
		}
	}
	return best
}

func randomPoint(rng *rand.Rand) orb.Point {
	return orb.Point{106.549 + rng.Float64()*0.012, 29.559 + rng.Float64()*0.012}
}

func TestSearchMatchesBruteForce(t *testing.T) {
	for _, tc := range []struct {
		name     string
		n, extra int
		profile  WalkProfile
		budget   float64
	}{
		{"tree plain unbounded", 30, 0, PlainDistance(), math.Inf(1)},
		{"dense elder", 60, 120, DefaultWalk(), math.Inf(1)},
		{"dense elder bounded", 60, 120, DefaultWalk(), 400},
		{"sparse bounded", 80, 20, PlainDistance(), 300},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(tc.n), uint64(tc.extra)))
			g := randomGraph(t, rng, tc.n, tc.extra)
			r, err := NewRouter(g, tc.profile)
			if err != nil {
				t.Fatal(err)
			}
			d := allPairs(r)
			s := r.NewSearch()
			for src := int32(0); src < int32(g.NumNodes()); src++ {
				s.Run([]Source{{src, 0}}, tc.budget)
				for v := int32(0); v < int32(g.NumNodes()); v++ {
					want := d[src][v]
					if want > tc.budget {
						want = math.Inf(1)
					}
					if got := s.Seconds(v); math.Abs(got-want) > 1e-9 && !(math.IsInf(got, 1) && math.IsInf(want, 1)) {
						t.Fatalf("from %d to %d: got %v, want %v", src, v, got, want)
					}
				}
				if len(s.Settled()) != countFinite(d[src], tc.budget) {
					t.Fatalf("from %d: settled %d nodes, want %d", src, len(s.Settled()), countFinite(d[src], tc.budget))
				}
			}
		})
	}
}

func countFinite(row []float64, budget float64) int {
	n := 0
	for _, x := range row {
		if x <= budget {
			n++
		}
	}
	return n
}

func TestMultiSourceIsMinimumOfSingleSources(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	g := randomGraph(t, rng, 200, 150)
	r, _ := NewRouter(g, DefaultWalk())
	multi, single := r.NewSearch(), r.NewSearch()
	for trial := 0; trial < 20; trial++ {
		var srcs []Source
		for k := 0; k < 1+rng.IntN(6); k++ {
			srcs = append(srcs, Source{int32(rng.IntN(g.NumNodes())), rng.Float64() * 100})
		}
		budget := 200 + rng.Float64()*600
		multi.Run(srcs, budget)
		best := make([]float64, g.NumNodes())
		for i := range best {
			best[i] = math.Inf(1)
		}
		for _, src := range srcs {
			single.Run([]Source{src}, budget)
			for v := range best {
				best[v] = math.Min(best[v], single.Seconds(int32(v)))
			}
		}
		for v, want := range best {
			if got := multi.Seconds(int32(v)); got != want && !(math.Abs(got-want) < 1e-9) {
				t.Fatalf("trial %d node %d: multi %v, min of singles %v", trial, v, got, want)
			}
			if o := multi.Origin(int32(v)); o >= 0 {
				single.Run([]Source{srcs[o]}, budget)
				if math.Abs(single.Seconds(int32(v))-want) > 1e-9 {
					t.Fatalf("trial %d node %d: origin %d is not a nearest source", trial, v, o)
				}
			}
		}
	}
}

func TestSnapMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	g := randomGraph(t, rng, 300, 200)
	ix := NewEdgeIndex(g)
	for i := 0; i < 500; i++ {
		p := randomPoint(rng)
		s, err := ix.Snap(p, 0)
		if err != nil {
			t.Fatal(err)
		}
		// Brute force in the same plane, then the same Haversine access.
		q := ix.plane.Project(p)
		bestD2 := math.Inf(1)
		for e := range g.EdgeU {
			_, d2 := projectOnSegment(q, ix.xy[g.EdgeU[e]], ix.xy[g.EdgeV[e]])
			bestD2 = math.Min(bestD2, d2)
		}
		_, gotD2 := projectOnSegment(q, ix.xy[g.EdgeU[s.Edge]], ix.xy[g.EdgeV[s.Edge]])
		if math.Abs(gotD2-bestD2) > 1e-6 {
			t.Fatalf("point %v: snapped at %.3f m, nearest edge is %.3f m", p, math.Sqrt(gotD2), math.Sqrt(bestD2))
		}
		if math.Abs(s.Access-math.Sqrt(bestD2)) > 0.005*math.Sqrt(bestD2)+0.01 {
			t.Fatalf("point %v: access %.3f m, plane distance %.3f m", p, s.Access, math.Sqrt(bestD2))
		}
		if s.T < 0 || s.T > 1 {
			t.Fatalf("T = %v", s.T)
		}
	}
}

// TestSnapWhereMatchesBruteForce: SnapWhere finds the nearest edge that
// keep accepts (here: edges with an even id), and none past twice the
// limit.
func TestSnapWhereMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	g := randomGraph(t, rng, 300, 200)
	ix := NewEdgeIndex(g)
	keep := func(e int32) bool { return e%2 == 0 }
	for i := 0; i < 500; i++ {
		p := randomPoint(rng)
		q := ix.plane.Project(p)
		bestD2 := math.Inf(1)
		for e := range g.EdgeU {
			if keep(int32(e)) {
				_, d2 := projectOnSegment(q, ix.xy[g.EdgeU[e]], ix.xy[g.EdgeV[e]])
				bestD2 = math.Min(bestD2, d2)
			}
		}
		s, err := ix.SnapWhere(p, 0, keep)
		if err != nil {
			t.Fatal(err)
		}
		_, gotD2 := projectOnSegment(q, ix.xy[g.EdgeU[s.Edge]], ix.xy[g.EdgeV[s.Edge]])
		if !keep(s.Edge) || math.Abs(gotD2-bestD2) > 1e-6 {
			t.Fatalf("point %v: snapped to edge %d at %.3f m, nearest kept edge is %.3f m", p, s.Edge, math.Sqrt(gotD2), math.Sqrt(bestD2))
		}
		limit := 0.5 * math.Sqrt(bestD2)
		if _, err := ix.SnapWhere(p, limit, keep); err == nil && limit > 1 {
			t.Fatalf("point %v: a kept edge %.3f m away found within %.3f m", p, math.Sqrt(bestD2), limit)
		}
	}
}

func TestSnapTooFarIsReported(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	g := randomGraph(t, rng, 50, 10)
	ix := NewEdgeIndex(g)
	far := orb.Point{106.60, 29.60} // ~5 km away
	_, err := ix.Snap(far, DefaultMaxSnap)
	var tf *TooFarError
	if err == nil || !asTooFar(err, &tf) || tf.Distance < 4000 {
		t.Fatalf("want TooFarError > 4 km, got %v", err)
	}
	snaps, fails := ix.SnapAll([]orb.Point{g.Points[0], far}, DefaultMaxSnap)
	if len(snaps) != 2 || len(fails) != 1 || fails[0].Index != 1 {
		t.Fatalf("SnapAll: %d snaps, failures %+v", len(snaps), fails)
	}
}

func asTooFar(err error, out **TooFarError) bool {
	tf, ok := err.(*TooFarError)
	*out = tf
	return ok
}

func TestCatchmentsMatchBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	g := randomGraph(t, rng, 120, 100)
	r, _ := NewRouter(g, DefaultWalk())
	ix := NewEdgeIndex(g)
	pts := make([]orb.Point, 400)
	for i := range pts {
		pts[i] = randomPoint(rng)
	}
	snaps, _ := ix.SnapAll(pts, 0)
	ps := NewPointSet(g, snaps)
	var sites []Snap
	for i := 0; i < 25; i++ {
		s, _ := ix.Snap(randomPoint(rng), 0)
		sites = append(sites, s)
	}
	// One site on the same edge as a point, to exercise the direct path.
	sites = append(sites, Snap{Edge: snaps[0].Edge, T: math.Mod(snaps[0].T+0.3, 1), Access: 5})
	d := allPairs(r)
	const budget = 600.0
	got, err := r.Catchments(context.Background(), sites, ps, budget)
	if err != nil {
		t.Fatal(err)
	}
	for si, site := range sites {
		var wantPts []int32
		for p := range snaps {
			if bruteTime(r, d, site, snaps[p]) <= budget {
				wantPts = append(wantPts, int32(p))
			}
		}
		if !slices.Equal(got[si].Points, wantPts) {
			t.Fatalf("site %d: reached %d points, brute force %d", si, got[si].Len(), len(wantPts))
		}
		for k, p := range got[si].Points {
			want := bruteTime(r, d, site, snaps[p])
			if math.Abs(float64(got[si].Seconds[k])-want) > 1e-3 {
				t.Fatalf("site %d point %d: %v s, brute force %v s", si, p, got[si].Seconds[k], want)
			}
		}
	}

	// Nearest of many equals the minimum over single catchments.
	secs, from := r.NewSearch().NearestSites(sites, ps, budget)
	for p := range snaps {
		want, wantFrom := math.Inf(1), int32(-1)
		for si, site := range sites {
			if t := bruteTime(r, d, site, snaps[p]); t <= budget && t < want {
				want, wantFrom = t, int32(si)
			}
		}
		if math.Abs(secs[p]-want) > 1e-6 && !(math.IsInf(want, 1) && math.IsInf(secs[p], 1)) {
			t.Fatalf("point %d: nearest %v s, brute force %v s", p, secs[p], want)
		}
		if wantFrom >= 0 && math.Abs(bruteTime(r, d, sites[from[p]], snaps[p])-want) > 1e-6 {
			t.Fatalf("point %d: nearest site %d is not at the nearest time", p, from[p])
		}
	}
}

func TestCatchmentsCancel(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	g := randomGraph(t, rng, 50, 10)
	r, _ := NewRouter(g, DefaultWalk())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := r.Catchments(ctx, make([]Snap, 10), NewPointSet(g, nil), 100); err == nil {
		t.Fatal("want context error")
	}
}

// lineGraph is a straight east-west street of n edges of about step metres.
func lineGraph(t *testing.T, n int, step float64) *Graph {
	var b GraphBuilder
	dLon := step / (EarthRadius * math.Pi / 180 * math.Cos(29.56*math.Pi/180))
	for i := 0; i <= n; i++ {
		b.Node(int64(i+1), orb.Point{106.55 + float64(i)*dLon, 29.56})
	}
	for i := 0; i < n; i++ {
		b.Edge(int32(i), int32(i+1), EdgeOther)
	}
	g, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestServiceAreaWalkwayLength(t *testing.T) {
	g := lineGraph(t, 10, 100)
	r, _ := NewRouter(g, PlainDistance())
	site := Snap{Edge: 0, T: 0, On: g.Points[0]}
	area, err := r.NewSearch().ServiceArea(site, 350, DefaultServiceAreaRes)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(area.WalkwayM-350) > 0.5 {
		t.Fatalf("walkway %.2f m, want 350", area.WalkwayM)
	}
	if area.ReachableNodes != 4 { // nodes at 0, 100, 200, 300 m
		t.Fatalf("reachable nodes %d, want 4", area.ReachableNodes)
	}
	if len(area.Area) != 1 {
		t.Fatalf("%d polygons, want one strip", len(area.Area))
	}
}

func TestServiceAreaKeepsBlockInteriorAsHole(t *testing.T) {
	// A 400 m square block with walkways only round its edge.
	var b GraphBuilder
	const side = 400.0
	ky := EarthRadius * math.Pi / 180
	kx := ky * math.Cos(29.56*math.Pi/180)
	corner := func(x, y float64) orb.Point { return orb.Point{106.55 + x/kx, 29.56 + y/ky} }
	var ring []int32
	for i := 0; i < 16; i++ { // 25 m edges: 4 sides × 4 pieces... of 100 m
		var x, y float64
		s := float64(i%4) * side / 4
		switch i / 4 {
		case 0:
			x, y = s, 0
		case 1:
			x, y = side, s
		case 2:
			x, y = side-s, side
		case 3:
			x, y = 0, side-s
		}
		ring = append(ring, b.Node(int64(i+1), corner(x, y)))
	}
	for i := range ring {
		b.Edge(ring[i], ring[(i+1)%len(ring)], EdgeOther)
	}
	g, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	r, _ := NewRouter(g, PlainDistance())
	area, err := r.NewSearch().ServiceArea(Snap{Edge: 0, On: g.Points[0]}, 10000, DefaultServiceAreaRes)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(area.WalkwayM-4*side) > 1 {
		t.Fatalf("walkway %.1f m, want %.0f", area.WalkwayM, 4*side)
	}
	if len(area.Area) != 1 || len(area.Area[0]) < 2 {
		t.Fatalf("want one polygon with a hole, got %d polygons, rings %v", len(area.Area), ringCounts(area.Area))
	}
	if !pointInPolygon(area.Area[0][0], corner(side/2, side/2)) {
		t.Fatal("outer ring does not enclose the block centre")
	}
	inHole := false
	for _, h := range area.Area[0][1:] {
		inHole = inHole || pointInPolygon(h, corner(side/2, side/2))
	}
	if !inHole {
		t.Fatal("block centre is not in a hole")
	}
}

func ringCounts(mp orb.MultiPolygon) []int {
	var n []int
	for _, p := range mp {
		n = append(n, len(p))
	}
	return n
}

func pointInPolygon(r orb.Ring, p orb.Point) bool {
	in := false
	for i, j := 0, len(r)-1; i < len(r); j, i = i, i+1 {
		if (r[i][1] > p[1]) != (r[j][1] > p[1]) &&
			p[0] < (r[j][0]-r[i][0])*(p[1]-r[i][1])/(r[j][1]-r[i][1])+r[i][0] {
			in = !in
		}
	}
	return in
}

func TestBuilderKeepsLargestComponent(t *testing.T) {
	var b GraphBuilder
	p := func(i int) orb.Point { return orb.Point{106.55 + float64(i)*0.001, 29.56} }
	for i := 0; i < 5; i++ {
		b.Node(int64(i+1), p(i))
	}
	b.Node(100, p(10))
	b.Node(101, p(11))
	b.Edge(0, 1, EdgeOther)
	b.Edge(1, 2, EdgeSteps)
	b.Edge(2, 3, EdgeOther)
	b.Edge(3, 4, EdgeOther)
	b.Edge(1, 0, EdgeOther) // repeated edge, kept once
	b.Edge(2, 1, EdgeOther) // repeats a steps edge: steps win
	b.Edge(2, 2, EdgeOther) // self-loop, ignored
	b.Edge(5, 6, EdgeOther) // a second component
	g, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	if g.NumNodes() != 7 || g.NumEdges() != 5 {
		t.Fatalf("%d nodes %d edges, want 7 and 5 (both pieces kept)", g.NumNodes(), g.NumEdges())
	}
	if g.NumPieces() != 2 || g.PieceNodes(0) != 5 || g.PieceNodes(1) != 2 || g.OffMainNodes() != 2 {
		t.Fatalf("%d pieces of %d and %d nodes, %d off the main one; want 2 of 5 and 2, 2 off",
			g.NumPieces(), g.PieceNodes(0), g.PieceNodes(1), g.OffMainNodes())
	}
	for u := range int32(7) {
		if want := int32(min(u/5, 1)); g.Piece(u) != want {
			t.Errorf("node %d on piece %d, want %d", u, g.Piece(u), want)
		}
	}
	if g.EdgeKind[1] != EdgeSteps {
		t.Fatalf("repeated steps segment kept as %v", g.EdgeKind[1])
	}
	if n, ok := g.NodeByOSMID(3); !ok || g.OSMIDs[n] != 3 {
		t.Fatal("OSM id lookup failed")
	}
	if n, ok := g.NodeByOSMID(100); !ok || g.Piece(n) != 1 {
		t.Fatal("the small piece's node is not found on piece 1")
	}
	if err := g.validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := new(GraphBuilder).Build(); err != ErrEmptyGraph {
		t.Fatalf("empty builder: %v", err)
	}
}

func TestStepsCostElders(t *testing.T) {
	var b GraphBuilder
	b.Node(1, orb.Point{106.55, 29.56})
	b.Node(2, orb.Point{106.551, 29.56})
	b.Edge(0, 1, EdgeSteps)
	g, _ := b.Build()
	r, _ := NewRouter(g, DefaultWalk())
	want := g.EdgeLen[0] / 0.9 * 2
	if got := r.EdgeSeconds(0); math.Abs(got-want) > 1e-9 {
		t.Fatalf("steps edge %v s, want %v", got, want)
	}
	if _, err := NewRouter(g, WalkProfile{SpeedMPS: 0}); err == nil {
		t.Fatal("zero speed accepted")
	}
}
