package data

import (
	"container/heap"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/carecircle/carecircle/data/sharedtest"
	"github.com/carecircle/carecircle/geo"
	"github.com/carecircle/carecircle/planner"
	"github.com/paulmach/orb"
)

// TestPortoAlegreCoverageMatchesBruteForce runs the engine end to end on
// real data: the central Porto Alegre OSM extract, its real H3 population
// grid, and its real healthcare counts standing in for elder-care stations.
// Every walking time and the coverage it adds up to are checked against a
// brute-force computation that shares nothing with the engine but the
// graph's nodes and edges: its own CSV reader, its own snapping by scanning
// every edge, and a textbook Dijkstra over the whole graph with no budget.
func TestPortoAlegreCoverageMatchesBruteForce(t *testing.T) {
	pbf := sharedtest.Path(t, "poa", "porto_alegre.osm.pbf")
	gridFile := sharedtest.Path(t, "poa", "porto_alegre_hexgrid.csv")

	start := time.Now()
	net, err := LoadNetwork(t.Context(), NetworkSource{OSM: pbf}, nil)
	if err != nil {
		t.Fatal(err)
	}
	g := net.Graph
	t.Logf("network: %d nodes, %d edges, %.0f km, built in %v", g.NumNodes(), g.NumEdges(), g.TotalLength()/1000, time.Since(start).Round(time.Millisecond))

	cells := poaReadGrid(t, gridFile)
	if len(cells) != 1227 {
		t.Fatalf("%s: %d cells, want the 1,227 H3 cells the data README lists", gridFile, len(cells))
	}

	// Every profile below differs from cn-default only in the urban circle,
	// so walking is priced the same in every case and the brute force is
	// computed once.
	base, err := BuiltinProfile("cn-default")
	if err != nil {
		t.Fatal(err)
	}
	bf := newPoaBrute(g, base.Walking.SpeedMPS.Value, base.Walking.StepsFactor.Value)

	// The brute force takes edge lengths from the graph, as the engine
	// does; check they are the Haversine lengths of the edges' ends.
	for e := range g.EdgeU {
		if l := poaHaversine(g.Points[g.EdgeU[e]], g.Points[g.EdgeV[e]]); math.Abs(l-g.EdgeLen[e]) > 1e-6 {
			t.Fatalf("edge %d: length %.9f m, Haversine of its ends %.9f m", e, g.EdgeLen[e], l)
		}
	}

	city, people, cellOf := poaCity(g, cells)
	t.Logf("grid: %d cells, %d with people (%.0f people), %d with healthcare (%d units) as facilities",
		len(cells), len(city.Demand), poaSum(people), len(city.Facilities), poaHealthcare(cells))

	start = time.Now()
	demandSnaps := make([]poaSnap, len(city.Demand))
	var lost float64 // people too far from any walkway: never covered
	unsnapped := 0
	for i, d := range city.Demand {
		demandSnaps[i] = bf.snap(d.Location)
		if !demandSnaps[i].ok {
			lost += people[i]
			unsnapped++
		}
	}
	// NewModel refuses a facility farther than geo.DefaultMaxSnap from
	// the network (it cannot be walked to), so such a facility is left
	// out of the city and of the brute force alike; each subtest checks
	// that the engine's index refuses it too.
	var facilitySnaps []poaSnap
	var offNetwork []planner.Facility
	kept := city.Facilities[:0]
	for _, f := range city.Facilities {
		s := bf.snap(f.Location)
		if !s.ok {
			offNetwork = append(offNetwork, f)
			t.Logf("facility %s (%s) left out: %.0f m from the network, more than %.0f m", f.ID, f.Name, s.access, geo.DefaultMaxSnap)
			continue
		}
		kept = append(kept, f)
		facilitySnaps = append(facilitySnaps, s)
	}
	city.Facilities = kept
	snapTime := time.Since(start)

	// Nearest facility of every demand point over the whole graph.
	start = time.Now()
	best := make([]float64, len(city.Demand))
	for i := range best {
		best[i] = math.Inf(1)
	}
	for _, fs := range facilitySnaps {
		dist := bf.dijkstra(fs)
		for i, ds := range demandSnaps {
			if ds.ok {
				best[i] = min(best[i], bf.pointSeconds(dist, fs, ds))
			}
		}
	}
	t.Logf("brute force: snapped %d points by scanning all %d edges in %v (%d off the network, %.0f people); %d full-graph Dijkstras in %v",
		len(demandSnaps)+len(facilitySnaps)+len(offNetwork), g.NumEdges(), snapTime.Round(time.Millisecond), unsnapped, lost,
		len(facilitySnaps), time.Since(start).Round(time.Millisecond))

	total := poaSum(people)
	for _, minutes := range []float64{10, 15, 20} {
		t.Run(fmt.Sprintf("%gmin", minutes), func(t *testing.T) {
			p, err := BuiltinProfile("cn-default")
			if err != nil {
				t.Fatal(err)
			}
			p.ServiceCircle.UrbanMinutes.Value = minutes
			p.ServiceCircle.MiddleBandMinutes.Value = min(p.ServiceCircle.MiddleBandMinutes.Value, minutes)
			circle := minutes * 60

			start := time.Now()
			m, err := planner.NewModel(t.Context(), city, p, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range offNetwork {
				var tooFar *geo.TooFarError
				if _, err := m.Edges.Snap(f.Location, geo.DefaultMaxSnap); !errors.As(err, &tooFar) {
					t.Errorf("facility %s: the engine snaps it (err %v), the brute force finds it off the network", f.ID, err)
				}
			}
			eval := m.Baseline()
			if len(eval.Facilities) != len(facilitySnaps) {
				t.Fatalf("engine has %d facilities, brute force %d", len(eval.Facilities), len(facilitySnaps))
			}
			ind := eval.Summary().City
			modelTime := time.Since(start)

			// Points off the network: the same ones on both sides.
			var engineOff []int
			for _, f := range m.Unsnapped {
				engineOff = append(engineOff, f.Index)
			}
			var bruteOff []int
			for i, s := range demandSnaps {
				if !s.ok {
					bruteOff = append(bruteOff, i)
				}
			}
			slices.Sort(engineOff)
			if !slices.Equal(engineOff, bruteOff) {
				t.Errorf("points off the network: engine %v, brute force %v", engineOff, bruteOff)
			}

			// Per point: the engine's time must equal the brute force's
			// wherever either is within the engine's budget; beyond it the
			// engine knows only +Inf.
			index := make(map[*planner.DemandPoint]int, len(city.Demand))
			for i := range city.Demand {
				index[&city.Demand[i]] = i
			}
			bands := []float64{p.ServiceCircle.InnerBandMinutes.Value * 60, p.ServiceCircle.MiddleBandMinutes.Value * 60, circle}
			var covered [3]float64
			var ties []string // classification differences at a threshold
			compared, bad, maxDiff := 0, 0, 0.0
			var samples []int32
			for k := range int32(m.Demand.Len()) {
				i := index[m.DemandPoint(k)]
				eng, want := eval.ServedSeconds(k), best[i]
				if eng <= m.Budget || want <= m.Budget {
					compared++
					maxDiff = max(maxDiff, math.Abs(eng-want))
					if !(math.Abs(eng-want) <= 1e-3) {
						bad++
						if bad <= 10 {
							es := m.Demand.Snap(k)
							t.Errorf("cell %s (%.0f people): engine %.4f s, brute force %.4f s (engine snap edge %d t %.6f access %.3f m; brute force edge %d t %.6f access %.3f m)",
								cells[cellOf[i]].id, people[i], eng, want, es.Edge, es.T, es.Access,
								demandSnaps[i].edge, demandSnaps[i].t, demandSnaps[i].access)
						}
					}
				} else if !math.IsInf(eng, 1) {
					t.Errorf("cell %s: engine %.4f s beyond its budget %.0f s, want +Inf", cells[cellOf[i]].id, eng, m.Budget)
				}
				for b, limit := range bands {
					in := want <= limit
					// The engine keeps times as float32, so a time within
					// the tolerance of a threshold may land on its other
					// side. Such a point already passed the per-point
					// check; count it as the engine does and say so, so the
					// totals still test everything else exactly. (There is
					// none on this data.)
					if (eng <= limit) != in && math.Abs(want-limit) <= 1e-3 {
						in = eng <= limit
						ties = append(ties, fmt.Sprintf("cell %s at %.6f s vs %.0f s", cells[cellOf[i]].id, want, limit))
					}
					if in {
						covered[b] += people[i]
					}
				}
				if len(samples) < 3 && want > 0.6*circle && want <= circle {
					samples = append(samples, k)
				}
			}
			if bad > 0 {
				t.Errorf("%d of %d points within the %.0f s budget disagree", bad, compared, m.Budget)
			}
			if len(ties) > 0 {
				t.Logf("times within 1 ms of a threshold (compared with the engine's float32 rounding): %v", ties)
			}

			if !poaClose(ind.Elders60, total, 1e-9) {
				t.Errorf("engine counts %.0f people, the grid %.0f", ind.Elders60, total)
			}
			if !poaClose(ind.EldersUnsnapped, lost, 1e-9) {
				t.Errorf("people off the network: engine %.0f, brute force %.0f", ind.EldersUnsnapped, lost)
			}
			engCovered := []float64{ind.EldersCovered5, ind.EldersCovered10, ind.EldersCovered15}
			for b := range bands {
				if !poaClose(engCovered[b], covered[b], 1e-6) {
					t.Errorf("people within %.0f s: engine %.0f, brute force %.0f", bands[b], engCovered[b], covered[b])
				}
			}
			if want := covered[2] / total; !poaClose(ind.Coverage15, want, 1e-6) {
				t.Errorf("coverage: engine %.6f, brute force %.6f", ind.Coverage15, want)
			}

			t.Logf("%g-minute circle (%.0f s, engine budget %.0f s): model built in %v; %d points compared, largest difference %.2g s",
				minutes, circle, m.Budget, modelTime.Round(time.Millisecond), compared, maxDiff)
			t.Logf("  covered within 5/10/%g min: engine %.0f / %.0f / %.0f, brute force %.0f / %.0f / %.0f of %.0f people; coverage engine %.4f, brute force %.4f",
				minutes, engCovered[0], engCovered[1], engCovered[2], covered[0], covered[1], covered[2], total, ind.Coverage15, covered[2]/total)
			for _, k := range samples {
				i := index[m.DemandPoint(k)]
				d := city.Demand[i]
				t.Logf("  cell %s at (%.6f, %.6f), %.0f people: engine %.4f s, brute force %.6f s",
					cells[cellOf[i]].id, d.Location[0], d.Location[1], people[i], eval.ServedSeconds(k), best[i])
			}
		})
	}
}

// poaCell is one row of the hexgrid CSV.
type poaCell struct {
	id         string
	lon, lat   float64
	population float64
	healthcare int
}

// poaReadGrid reads the hexgrid CSV with encoding/csv rather than the
// product's loaders, so the expected side does not inherit their mistakes.
func poaReadGrid(t testing.TB, path string) []poaCell {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	head, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"id", "lon", "lat", "population", "schools", "jobs", "healthcare"}
	if !slices.Equal(head, want) {
		t.Fatalf("%s: header %v, want %v", path, head, want)
	}
	var cells []poaCell
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		var c poaCell
		c.id = rec[0]
		nums := make([]float64, 4)
		for j, col := range []int{1, 2, 3, 6} {
			// Five cells (all unpopulated, on the Guaíba shore) leave jobs
			// and healthcare empty: no count, so no facility there.
			if col == 6 && rec[col] == "" {
				continue
			}
			if nums[j], err = strconv.ParseFloat(rec[col], 64); err != nil {
				t.Fatalf("%s: cell %s: %s %q: %v", path, c.id, want[col], rec[col], err)
			}
		}
		c.lon, c.lat, c.population, c.healthcare = nums[0], nums[1], nums[2], int(nums[3])
		cells = append(cells, c)
	}
	return cells
}

// poaCity builds the city by hand: one district, one street and one
// community whose boundary is the grid's bounding box with a margin, so
// every cell and facility lies in it. Every cell with people is a demand
// point, wherever it is: one too far from the network is the engine's to
// report as unsnapped, and both sides count it uncovered. Every cell with
// healthcare is a community station of 100 m² per healthcare unit. It
// returns the city, the people of each demand point and each demand
// point's cell.
//
// The grid has no ages, so its whole population is counted as Residents
// and as Elders60 ("people"): coverage of elders is then coverage of
// people.
func poaCity(g *geo.Graph, cells []poaCell) (*planner.City, []float64, []int) {
	b := orb.Bound{Min: orb.Point{cells[0].lon, cells[0].lat}, Max: orb.Point{cells[0].lon, cells[0].lat}}
	for _, c := range cells {
		b = b.Extend(orb.Point{c.lon, c.lat})
	}
	const margin = 0.01 // degrees, about 1 km: a cell centre on the box's edge is still inside
	lo, hi := orb.Point{b.Min[0] - margin, b.Min[1] - margin}, orb.Point{b.Max[0] + margin, b.Max[1] + margin}
	boundary := orb.Polygon{{lo, {hi[0], lo[1]}, hi, {lo[0], hi[1]}, lo}}

	c := &planner.City{Name: "Porto Alegre (r5r example)", Network: g}
	var people []float64
	var cellOf []int
	var total float64
	for i, cell := range cells {
		loc := orb.Point{cell.lon, cell.lat}
		if cell.population > 0 {
			// Community is the index of the one community in Regions.
			c.Demand = append(c.Demand, planner.DemandPoint{Location: loc, Community: 2,
				Population: planner.Population{Residents: cell.population, Elders60: cell.population}})
			people = append(people, cell.population)
			cellOf = append(cellOf, i)
			total += cell.population
		}
		if cell.healthcare > 0 {
			c.Facilities = append(c.Facilities, planner.Facility{
				ID: "poa-" + cell.id, Name: fmt.Sprintf("healthcare ×%d in %s", cell.healthcare, cell.id),
				Type: planner.CommunityStation, Status: planner.Operating,
				Location: loc, FloorArea: 100 * float64(cell.healthcare),
			})
		}
	}
	pop := planner.Population{Residents: total, Elders60: total}
	c.Regions = []planner.Region{
		{Code: "4314902", Name: "Porto Alegre", Level: planner.LevelDistrict, Population: pop},
		{Code: "4314902001", Name: "Centro", Level: planner.LevelStreet, Parent: "4314902", Population: pop},
		{Code: "4314902001001", Name: "Grade H3", Level: planner.LevelCommunity, Parent: "4314902001",
			Boundary: boundary, AreaType: planner.Urban, Age: planner.OldResidential, Population: pop},
	}
	return c, people, cellOf
}

// poaBrute is the brute-force side: its own adjacency lists built from
// the graph's edge arrays (not the engine's CSR), its own projection and
// its own Dijkstra.
type poaBrute struct {
	g       *geo.Graph
	speed   float64
	cost    []float64 // seconds per edge
	adj     [][]poaArc
	kx, ky  float64 // plane metres per degree
	xy      [][2]float64
	maxSnap float64
}

type poaArc struct {
	to   int32
	cost float64
}

// poaSnap is a point joined to the network: the edge, the position along
// it (0 at EdgeU) and the access leg in metres; ok is false beyond the
// snapping limit.
type poaSnap struct {
	edge   int32
	t      float64
	access float64
	ok     bool
}

func newPoaBrute(g *geo.Graph, speed, stepsFactor float64) *poaBrute {
	bf := &poaBrute{g: g, speed: speed, maxSnap: geo.DefaultMaxSnap,
		cost: make([]float64, g.NumEdges()), adj: make([][]poaArc, g.NumNodes())}
	for e := range g.EdgeU {
		c := g.EdgeLen[e] / speed
		if g.EdgeKind[e] == geo.EdgeSteps {
			c *= stepsFactor
		}
		bf.cost[e] = c
		u, v := g.EdgeU[e], g.EdgeV[e]
		bf.adj[u] = append(bf.adj[u], poaArc{v, c})
		bf.adj[v] = append(bf.adj[v], poaArc{u, c})
	}
	// The plane's reference latitude is the middle of the network's
	// bounding box, as in geo.NewEdgeIndex: the snap is defined as the
	// nearest position in that plane. A plane at another latitude is a
	// slightly different metric: one at the grid's centre, 0.002° away,
	// moves projections enough to change times here by up to ~4 ms,
	// above the 1 ms tolerance, and could pick the other of two nearly
	// equidistant streets.
	latMin, latMax := g.Points[0][1], g.Points[0][1]
	for _, p := range g.Points {
		latMin, latMax = min(latMin, p[1]), max(latMax, p[1])
	}
	bf.ky = poaEarthRadius * math.Pi / 180
	bf.kx = bf.ky * math.Cos((latMin+latMax)/2*math.Pi/180)
	bf.xy = make([][2]float64, g.NumNodes())
	for i, p := range g.Points {
		bf.xy[i] = [2]float64{p[0] * bf.kx, p[1] * bf.ky}
	}
	return bf
}

// snap scans every edge for the one nearest to p in the plane, then
// measures the access leg to the projection with Haversine.
func (bf *poaBrute) snap(p orb.Point) poaSnap {
	q := [2]float64{p[0] * bf.kx, p[1] * bf.ky}
	best, bestT, bestD2 := int32(-1), 0.0, math.Inf(1)
	for e := range bf.g.EdgeU {
		a, b := bf.xy[bf.g.EdgeU[e]], bf.xy[bf.g.EdgeV[e]]
		dx, dy := b[0]-a[0], b[1]-a[1]
		t := 0.0
		if l2 := dx*dx + dy*dy; l2 > 0 {
			t = math.Max(0, math.Min(1, ((q[0]-a[0])*dx+(q[1]-a[1])*dy)/l2))
		}
		ex, ey := a[0]+t*dx-q[0], a[1]+t*dy-q[1]
		if d2 := ex*ex + ey*ey; d2 < bestD2 {
			best, bestT, bestD2 = int32(e), t, d2
		}
	}
	u, v := bf.g.Points[bf.g.EdgeU[best]], bf.g.Points[bf.g.EdgeV[best]]
	on := orb.Point{u[0] + bestT*(v[0]-u[0]), u[1] + bestT*(v[1]-u[1])}
	access := poaHaversine(p, on)
	return poaSnap{edge: best, t: bestT, access: access, ok: access <= bf.maxSnap}
}

// dijkstra returns the walking time from facility snap f to every node,
// over the whole graph: both ends of f's edge are seeded with the access
// leg plus the walk along the edge to that end.
func (bf *poaBrute) dijkstra(f poaSnap) []float64 {
	dist := make([]float64, bf.g.NumNodes())
	for i := range dist {
		dist[i] = math.Inf(1)
	}
	a, c := f.access/bf.speed, bf.cost[f.edge]
	var pq poaQueue
	for _, s := range []poaItem{{bf.g.EdgeU[f.edge], a + f.t*c}, {bf.g.EdgeV[f.edge], a + (1-f.t)*c}} {
		if s.d < dist[s.node] {
			dist[s.node] = s.d
			heap.Push(&pq, s)
		}
	}
	for pq.Len() > 0 {
		it := heap.Pop(&pq).(poaItem)
		if it.d > dist[it.node] {
			continue
		}
		for _, arc := range bf.adj[it.node] {
			if d := it.d + arc.cost; d < dist[arc.to] {
				dist[arc.to] = d
				heap.Push(&pq, poaItem{arc.to, d})
			}
		}
	}
	return dist
}

// pointSeconds is the walk from facility f to demand point p given the
// node times from f: in through either end of p's edge, or along the
// edge directly when both sit on the same one. The direct case is no
// corner case here: a cell with both people and healthcare puts the
// demand point and the facility at the same spot, whose walk is just the
// access leg twice.
func (bf *poaBrute) pointSeconds(dist []float64, f, p poaSnap) float64 {
	c := bf.cost[p.edge]
	t := math.Min(dist[bf.g.EdgeU[p.edge]]+p.t*c, dist[bf.g.EdgeV[p.edge]]+(1-p.t)*c) + p.access/bf.speed
	if f.edge == p.edge {
		t = math.Min(t, math.Abs(f.t-p.t)*c+f.access/bf.speed+p.access/bf.speed)
	}
	return t
}

type poaItem struct {
	node int32
	d    float64
}

// poaQueue is a container/heap min-queue with lazy deletion.
type poaQueue []poaItem

func (q poaQueue) Len() int           { return len(q) }
func (q poaQueue) Less(i, j int) bool { return q[i].d < q[j].d }
func (q poaQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *poaQueue) Push(x any)        { *q = append(*q, x.(poaItem)) }
func (q *poaQueue) Pop() any {
	old := *q
	it := old[len(old)-1]
	*q = old[:len(old)-1]
	return it
}

// poaEarthRadius is the IUGG mean radius, the one the engine documents.
const poaEarthRadius = 6371008.8

// poaHaversine is the great-circle distance in metres.
func poaHaversine(a, b orb.Point) float64 {
	const rad = math.Pi / 180
	dLat, dLon := (b[1]-a[1])*rad, (b[0]-a[0])*rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(a[1]*rad)*math.Cos(b[1]*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * poaEarthRadius * math.Asin(math.Min(1, math.Sqrt(h)))
}

// poaHealthcare counts the healthcare units of the grid.
func poaHealthcare(cells []poaCell) int {
	n := 0
	for _, c := range cells {
		n += c.healthcare
	}
	return n
}

func poaSum(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s
}

func poaClose(a, b, tol float64) bool {
	return math.Abs(a-b) <= tol*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}
