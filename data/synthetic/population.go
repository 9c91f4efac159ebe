package synthetic

import (
	"cmp"
	"context"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	care "github.com/carecircle/carecircle/planner"
	"github.com/paulmach/orb"
	"github.com/uber/h3-go/v4"
)

// Census figures the demo city's people are drawn around: the 2020 census
// (第七次全国人口普查) for Chongqing, from the municipal census yearbook
// table by district (shared/data/china/chongqing_districts_census2020.csv,
// row 500000 重庆市). They are only targets of the draws below; the
// generator never reads the file.
const (
	censusResidents     = 32_054_159 // 常住人口
	censusElders60      = 7_010_440  // aged 60+: 21.9 % of residents
	censusElders80      = 1_003_921  // aged 80+: 14.3 % of those 60+
	censusHouseholdSize = 2.45       // persons per family household
)

// residentWeight is the raw number of residents of a neighbourhood: its
// area times a density that rises with the urbanity field, from about
// 1,000 per km² in the villages of the city's hilly fringe to 32,000 in the
// densest cores (渝中区 had 588,717 residents on about 23 km² in 2020,
// 25,000 per km²). The layout scales it: old towns are packed, hillsides
// and parks less so. populate scales the city's total to
// DemoParams.Residents (by 1.25 for the district preset, whose every
// neighbourhood is in the dense class, and 0.75 for the city), so only the
// ratios matter.
func residentWeight(nb *Neighbourhood) float64 {
	u := nb.Urbanity
	dens := 2_000 + 30_000*u*u // per km²
	if !nb.Urban {
		dens = 900 + 1_500*u
	}
	switch nb.Layout {
	case LayoutOrganic:
		dens *= 1.1
	case LayoutHillside:
		dens *= 0.75
	case LayoutPark:
		dens = 0
	}
	return dens * nb.AreaM2 / 1e6
}

// oldShare is the share of urban residents who live in old residential
// areas. Old areas are older (25–30 % aged 60+), new ones younger (15–18 %),
// so that half of each gives the census's 21.9 %.
const oldShare = 0.5

// cohort holds the ranges a community's shares are drawn from.
type cohort struct {
	elders60, elders80of60, householdSize [2]float64
}

// cohortOf is the constant table of cohorts: old and new urban areas and
// villages, whose young have left for the cities. Averaged over the
// residents the draws give the census's shares: 60+ 21.9 %, 80+ 14.3 % of
// 60+, 2.45 persons per household.
func cohortOf(village, old bool) cohort {
	switch {
	case village:
		return cohort{elders60: [2]float64{0.24, 0.31}, elders80of60: [2]float64{0.12, 0.17}, householdSize: [2]float64{2.35, 2.75}}
	case old:
		return cohort{elders60: [2]float64{0.25, 0.30}, elders80of60: [2]float64{0.145, 0.18}, householdSize: [2]float64{2.25, 2.50}}
	default:
		return cohort{elders60: [2]float64{0.15, 0.18}, elders80of60: [2]float64{0.11, 0.14}, householdSize: [2]float64{2.40, 2.70}}
	}
}

// populate gives every community its residents, households and elders.
//
// Raw residents (residentWeight, split between the parts of a cut
// neighbourhood by their street nodes) get ±15 % of noise, and the city's
// total is scaled to DemoParams.Residents ±3 %: a preset stays "like
// 渝中区" even if the network's density classes are retuned. Old areas
// lie near the centres: communities are ranked by their distance to the
// nearest centre, blurred by noise, and the nearest holding half the urban
// residents are old. Counts are whole numbers, as in a census table.
func (b *demoBuild) populate(context.Context) error {
	n := len(b.communities)
	noise := make([]float64, n)
	draws := make([]*rand.Rand, n)
	for ci := range b.communities {
		draws[ci] = newStream(b.seed, streamPeople, uint64(ci))
		noise[ci] = math.Exp(0.15 * draws[ci].NormFloat64())
	}

	// Old near the centres, with noise of a third of a centre's spread, so
	// that old and new areas interleave at the edge.
	type ranked struct {
		ci    int
		score float64
	}
	var urban []ranked
	var urbanTotal float64
	spread := b.d.Network.CentreSpreadM
	for ci := range b.communities {
		c := &b.communities[ci]
		if c.village {
			c.old = true // village houses are old; their norms are the old areas'
			continue
		}
		at := b.net.frame.metres(c.centroid)
		d := math.Inf(1)
		for _, ctr := range b.net.Centres {
			d = min(d, at.dist(b.net.frame.metres(ctr)))
		}
		urban = append(urban, ranked{ci, d/spread + draws[ci].NormFloat64()/3})
		urbanTotal += c.weight * noise[ci]
	}
	slices.SortFunc(urban, func(x, y ranked) int { return cmp.Compare(x.score, y.score) })
	var cum float64
	for _, u := range urban {
		c := &b.communities[u.ci]
		c.old = cum < oldShare*urbanTotal
		cum += c.weight * noise[u.ci]
	}

	var raw float64
	for ci := range b.communities {
		raw += b.communities[ci].weight * noise[ci]
	}
	total := b.d.Residents * uniform(newStream(b.seed, streamTotal, 0), 0.97, 1.03)
	scale := 0.0
	if raw > 0 {
		scale = total / raw
	}
	for ci := range b.communities {
		c, r := &b.communities[ci], draws[ci]
		co := cohortOf(c.village, c.old)
		res := math.Round(c.weight * noise[ci] * scale)
		e60 := math.Round(res * between(r, co.elders60))
		c.pop = care.Population{
			Residents:  res,
			Households: math.Round(res / between(r, co.householdSize)),
			Elders60:   e60,
			Elders80:   math.Round(e60 * between(r, co.elders80of60)),
		}
	}
	return nil
}

// demandRes is the H3 resolution of demand points: res-10 cells are about
// 15,000 m², some 130 m across, so a community has a few to a few dozen.
const demandRes = 10

// placeDemand spreads each community's people over demand points: one per
// H3 res-10 cell that holds street nodes of the community, weighted by the
// number of those nodes, so that people live along streets and not in parks
// or water. A point stands at its cell's centre when that lies in the
// community, else at the mean of the cell's nodes, else on one of them: it
// is always inside the community. Shares are exact: each community's points
// sum to its counts (the last point takes the remainder of rounding).
func (b *demoBuild) placeDemand(ctx context.Context) error {
	nd := len(b.districts) + len(b.streets)
	per := make([][]care.DemandPoint, len(b.communities))
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, runtime.GOMAXPROCS(0))
	for w := range errs {
		wg.Go(func() {
			for {
				ci := int(next.Add(1) - 1)
				if ci >= len(b.communities) {
					return
				}
				if err := ctx.Err(); err != nil {
					errs[w] = err
					return
				}
				pts, err := b.communityDemand(&b.communities[ci], int32(nd+ci))
				if err != nil {
					errs[w] = err
					return
				}
				per[ci] = pts
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	n := 0
	for _, p := range per {
		n += len(p)
	}
	b.demand = make([]care.DemandPoint, 0, n)
	for _, p := range per {
		b.demand = append(b.demand, p...)
	}
	return nil
}

// communityDemand returns community c's demand points; region is its index
// in City.Regions.
func (b *demoBuild) communityDemand(c *community, region int32) ([]care.DemandPoint, error) {
	type cellAcc struct {
		cell   h3.Cell
		nodes  int
		sum    orb.Point
		inside int32 // a node of the cell inside the community, or -1
	}
	pts := b.net.Graph.Points
	var cells []cellAcc
	index := map[h3.Cell]int{}
	for _, n := range c.homes {
		p := pts[n]
		cell, err := h3.LatLngToCell(h3.NewLatLng(p[1], p[0]), demandRes)
		if err != nil {
			return nil, err
		}
		k, ok := index[cell]
		if !ok {
			k = len(cells)
			index[cell] = k
			cells = append(cells, cellAcc{cell: cell, inside: -1})
		}
		a := &cells[k]
		a.nodes++
		a.sum = orb.Point{a.sum[0] + p[0], a.sum[1] + p[1]}
		if a.inside < 0 && geometryContains(c.boundary, p) {
			a.inside = n
		}
	}
	var out []care.DemandPoint
	var weights []float64
	for _, a := range cells {
		if a.inside < 0 {
			continue // nodes of a door path poking out of the outline
		}
		ll, err := h3.CellToLatLng(a.cell)
		if err != nil {
			return nil, err
		}
		loc := orb.Point{ll.Lng, ll.Lat}
		if !geometryContains(c.boundary, loc) {
			loc = orb.Point{a.sum[0] / float64(a.nodes), a.sum[1] / float64(a.nodes)}
			if !geometryContains(c.boundary, loc) {
				loc = pts[a.inside]
			}
		}
		out = append(out, care.DemandPoint{Location: loc, Community: region})
		weights = append(weights, float64(a.nodes))
	}
	if len(out) == 0 {
		if c.pop.Residents > 0 {
			// Only a community without street nodes inside it gets here; its
			// people stand at its centroid, or else on its outline's first
			// vertex, so that none are lost.
			loc := c.centroid
			if !geometryContains(c.boundary, loc) {
				loc = firstVertex(c.boundary)
			}
			out = append(out, care.DemandPoint{Location: loc, Community: region, Population: c.pop})
		}
		return out, nil
	}
	var total float64
	for _, w := range weights {
		total += w
	}
	left := c.pop
	for i := range out {
		if i == len(out)-1 {
			out[i].Population = left
			break
		}
		out[i].Population = c.pop.Scale(weights[i] / total)
		left = left.Add(out[i].Population.Scale(-1))
	}
	return out, nil
}

// firstVertex returns the first vertex of a Polygon or MultiPolygon.
func firstVertex(g orb.Geometry) orb.Point {
	switch g := g.(type) {
	case orb.Polygon:
		return g[0][0]
	case orb.MultiPolygon:
		return g[0][0][0]
	}
	return orb.Point{}
}
