package data

import (
	"fmt"
	"runtime"
	"strings"
	"sync"

	"github.com/paulmach/orb"

	"github.com/carecircle/carecircle/geo"
	"github.com/carecircle/carecircle/geo/osm"
	"github.com/carecircle/carecircle/planner"
)

// residentialKinds are the OSM building values known to be homes. Of the
// rest, only building=yes (use unknown) is used, and only in communities
// with no building known to be residential; shops, schools, garages and
// the like never hold demand.
var residentialKinds = map[string]bool{
	"residential": true, "apartments": true, "house": true, "detached": true,
	"semidetached_house": true, "terrace": true, "dormitory": true, "bungalow": true,
	"farm": true, "cabin": true, "static_caravan": true, "stilt_house": true,
}

// demandBuildings picks the buildings that may hold demand; see
// residentialKinds.
func demandBuildings(bs []osm.Building) []planner.Building {
	var out []planner.Building
	for _, b := range bs {
		res := residentialKinds[b.Kind]
		if !res && b.Kind != "yes" {
			continue
		}
		out = append(out, planner.Building{Footprint: b.Footprint, Levels: b.Levels, Residential: res})
	}
	return out
}

// placedDemand is the city's demand points with their snaps.
type placedDemand struct {
	points  []planner.DemandPoint
	methods []planner.CommunityDemand
	snaps   []geo.Snap
	far     []geo.SnapFailure
	cells   int // grid cells used (those in a community)
}

// placeDemand completes the regions' numbers and places demand:
//
//  1. grid cells that name no community go to the community containing
//     them; cells in none are left out, with a warning;
//  2. a community that gives no numbers takes the sums of its cells;
//  3. streets, districts and the city get the sums of their children;
//  4. planner.SpreadDemand places every community's population;
//  5. every point is snapped to the network; points beyond the limit are
//     kept (they count as uncovered) and reported per community.
//
// Problems are input errors (a community with no numbers and no cells);
// warnings are kept with the bundle.
func placeDemand(rs *regionSet, grid *populationGrid, buildings []osm.Building, na *networkArea) (*placedDemand, []Problem, []Problem, error) {
	var probs, warns []Problem
	var cells []planner.PopulationCell
	if grid != nil {
		var pts []orb.Point
		var idx []int
		for i, c := range grid.cells {
			if c.Community < 0 {
				pts = append(pts, c.Location)
				idx = append(idx, i)
			}
		}
		assigned := planner.AssignCommunities(rs.regions, pts)
		for k, c := range assigned {
			grid.cells[idx[k]].Community = c
		}
		var outside int
		var lost planner.Population
		first := 0
		for i, c := range grid.cells {
			if c.Community < 0 {
				if outside == 0 {
					first = grid.lines[i]
				}
				outside++
				lost = lost.Add(c.Population)
				continue
			}
			cells = append(cells, c)
		}
		if outside > 0 {
			warns = append(warns, Problem{File: grid.file, Line: first, Message: fmt.Sprintf(
				"%d cells (first on row %d; %s residents, %s elders 60+ in all) lie in no community and name none; they are left out",
				outside, first, formatNumber(lost.Residents), formatNumber(lost.Elders60))})
		}

		// Communities that give no numbers take their cells' sums.
		sums := make(map[int32]planner.Population)
		for _, c := range cells {
			sums[c.Community] = sums[c.Community].Add(c.Population)
		}
		fromGrid := 0
		for i := range rs.regions {
			r := &rs.regions[i]
			if r.Level != planner.LevelCommunity || rs.given[i] != [4]bool{} {
				continue
			}
			s, ok := sums[int32(i)]
			if !ok {
				probs = append(probs, Problem{File: rs.file, Feature: rs.feature[i], ID: fmt.Sprintf("code %q", r.Code), Field: "residents",
					Message: fmt.Sprintf("missing, and %s has no cell in community %s; give its numbers", grid.file, r.Name)})
				continue
			}
			r.Population = s
			fromGrid++
		}
		var absent []string
		for k, key := range []string{"households", "elders_60", "elders_80"} {
			if !grid.cohorts[k+1] {
				absent = append(absent, key)
			}
		}
		if fromGrid > 0 && len(absent) > 0 {
			warns = append(warns, Problem{File: grid.file, Message: fmt.Sprintf(
				"%d communities take their numbers from this file, which has no %s column; those counts are 0",
				fromGrid, strings.Join(absent, ", "))})
		}
		if len(probs) > 0 {
			return nil, probs, warns, nil
		}
	}
	warns = append(warns, sumChildren(rs)...)

	points, methods, err := planner.SpreadDemand(rs.regions, demandBuildings(buildings), cells, planner.SpreadOptions{})
	if err != nil {
		return nil, nil, warns, err
	}
	pd := &placedDemand{points: points, methods: methods, cells: len(cells)}
	locs := make([]orb.Point, len(points))
	for i, p := range points {
		locs[i] = p.Location
	}
	pd.snaps, pd.far = snapAll(na, locs)

	// One warning per community with points off the network.
	type farTally struct {
		n   int
		pop planner.Population
	}
	byCommunity := map[int32]*farTally{}
	var order []int32
	for _, f := range pd.far {
		c := points[f.Index].Community
		t := byCommunity[c]
		if t == nil {
			t = &farTally{}
			byCommunity[c] = t
			order = append(order, c)
		}
		t.n++
		t.pop = t.pop.Add(points[f.Index].Population)
	}
	for _, c := range order {
		r, t := &rs.regions[c], byCommunity[c]
		warns = append(warns, Problem{File: rs.file, Feature: rs.feature[c], ID: fmt.Sprintf("code %q", r.Code), Message: fmt.Sprintf(
			"%d demand points of community %s (%s residents, %s elders 60+) are more than %.0f m from any walkway; they stay in the city and count as uncovered",
			t.n, r.Name, formatNumber(round2(t.pop.Residents)), formatNumber(round2(t.pop.Elders60)), na.limit)})
	}
	return pd, nil, warns, nil
}

// snapAll snaps pts on all cores: a city has millions of demand points
// and one snap costs microseconds. The index is safe for concurrent
// readers; failures are reported in point order.
func snapAll(na *networkArea, pts []orb.Point) ([]geo.Snap, []geo.SnapFailure) {
	workers := min(runtime.GOMAXPROCS(0), len(pts)/4096+1)
	if workers <= 1 {
		return na.index.SnapAll(pts, na.limit)
	}
	snaps := make([]geo.Snap, len(pts))
	fails := make([][]geo.SnapFailure, workers)
	chunk := (len(pts) + workers - 1) / workers
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*chunk, min((w+1)*chunk, len(pts))
		if lo >= hi {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, f := na.index.SnapAll(pts[lo:hi], na.limit)
			copy(snaps[lo:hi], s)
			for i := range f {
				f[i].Index += lo
			}
			fails[w] = f
		}()
	}
	wg.Wait()
	var all []geo.SnapFailure
	for _, f := range fails {
		all = append(all, f...)
	}
	return snaps, all
}

// round2 rounds to two decimals for messages: spread counts are fractions.
func round2(v float64) float64 {
	return float64(int64(v*100+0.5)) / 100
}
