package synthetic

import (
	"strings"

	"github.com/paulmach/orb"
)

// streamRoadNames draws the main roads' names; a stream of its own, so naming
// roads moves nothing else in the city.
const streamRoadNames uint64 = 90

// Road is one named main road of the city, for the map's street-name
// labels: a lattice row (路, west to east) or column (街, south to north)
// of one bank, unbroken by a stretch without road.
type Road struct {
	Name string
	Line orb.LineString
}

// roads names the main roads: each run of road sides along a lattice row
// or column of a bank is one road, drawn through the nodes emitted on it.
func (g *gen) roads(e *emitter) []Road {
	n := newNamer(newStream(g.seed, streamRoadNames, 0))
	name := func(unit string) string {
		for {
			s := n.stem()
			// A stem that already ends in a road word would read 金街路.
			if !strings.HasSuffix(s, "路") && !strings.HasSuffix(s, "街") {
				return s + unit
			}
		}
	}
	var out []Road
	var run orb.LineString
	flush := func(unit string) {
		if len(run) >= 2 {
			out = append(out, Road{Name: name(unit), Line: run})
		}
		run = nil
	}
	add := func(s *side, unit string) {
		if !s.road || len(s.nodes) < 2 {
			flush(unit)
			return
		}
		for k, bi := range s.nodes {
			if k == 0 && len(run) > 0 {
				continue // the junction ends the previous side
			}
			run = append(run, g.frame.lonLat(e.pos[bi]))
		}
	}
	for ri := range g.regions {
		rg := &g.regions[ri]
		for j := 0; j <= rg.rows; j++ {
			for i := 0; i < rg.cols; i++ {
				add(&g.sides[rg.hside(j, i)], "路")
			}
			flush("路")
		}
		for i := 0; i <= rg.cols; i++ {
			for j := 0; j < rg.rows; j++ {
				add(&g.sides[rg.vside(j, i)], "街")
			}
			flush("街")
		}
	}
	return out
}
