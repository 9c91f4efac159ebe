package data

import (
	"fmt"
	"strings"

	"github.com/paulmach/orb"
	"github.com/uber/h3-go/v4"

	"github.com/carecircle/carecircle/data/crs"
	"github.com/carecircle/carecircle/planner"
)

// populationColumns are the columns of population.csv. A cell is located
// by its H3 id or by lon/lat; "id" and "population" are accepted for the
// grids of other projects (e.g. the Ipea hexgrids: id,lon,lat,population).
var populationColumns = []column{
	{key: "h3", aliases: []string{"id", "cell", "h3_index", "h3_id", "网格编号"}},
	{key: "lon", aliases: []string{"经度", "lng", "longitude"}},
	{key: "lat", aliases: []string{"纬度", "latitude"}},
	{key: "residents", aliases: []string{"population", "常住人口", "人口"}, required: true},
	{key: "households", aliases: []string{"户数", "家庭户数"}},
	{key: "elders_60", aliases: []string{"60岁以上", "60岁及以上", "60岁及以上人口", "60岁以上人口"}},
	{key: "elders_80", aliases: []string{"80岁以上", "80岁及以上", "80岁及以上人口", "80岁以上人口"}},
	{key: "community_code", aliases: []string{"所属社区", "社区代码", "所属社区代码", "community"}},
}

// populationGrid is a population file as read.
type populationGrid struct {
	file  string
	cells []planner.PopulationCell // Community -1 where the file names none
	lines []int                    // per cell, its row
	// cohorts says which of residents, households, elders_60, elders_80
	// the file has columns for.
	cohorts [4]bool
}

// readPopulation reads a population grid. H3 ids are WGS84 by definition;
// lon/lat are converted from sys.
func readPopulation(path, name string, sys crs.System, regions *regionSet, lim Limits) (*populationGrid, []Problem, []Problem) {
	t, probs, warns := readTable(path, name, lim)
	if t == nil {
		return nil, probs, warns
	}
	cellsOrPoints := alternative{missing: func(b *binding) string {
		if b.has("h3") || (b.has("lon") && b.has("lat")) {
			return ""
		}
		return "h3, or lon and lat"
	}}
	b, bp := bind(t, populationColumns, cellsOrPoints)
	if len(bp) > 0 {
		return nil, append(probs, bp...), warns
	}
	// "id" is accepted for the H3 column because other projects' grids
	// call it so, but in many files it is a plain row number: when it is
	// not all H3 ids and lon/lat are there, the cells are located by lon/lat.
	if i, ok := b.idx["h3"]; ok && normaliseHeader(t.headers[i]) == "id" && b.has("lon") && b.has("lat") {
		for k := range t.rows {
			if v := b.row(&t.rows[k]).text("h3"); v != "" && !h3.CellFromString(strings.ToLower(v)).IsValid() {
				delete(b.idx, "h3")
				warns = append(warns, Problem{File: name, Line: 1, Field: t.headers[i],
					Message: fmt.Sprintf("not H3 cell ids (row %d has %q); cells are located by lon/lat", t.rows[k].line, v)})
				break
			}
		}
	}
	g := &populationGrid{file: name}
	for k, key := range []string{"residents", "households", "elders_60", "elders_80"} {
		g.cohorts[k] = b.has(key)
	}
	seen := map[h3.Cell]int{}
	for i := range t.rows {
		rec := &t.rows[i]
		rw := b.row(rec)
		n := len(rw.errs)
		c := planner.PopulationCell{Community: -1}
		if s := rw.text("h3"); s != "" {
			rw.id = fmt.Sprintf("h3 %q", s)
			cell := h3.CellFromString(strings.ToLower(s))
			switch {
			case !cell.IsValid():
				rw.fail("h3", "%q is not an H3 cell id (15 hex digits, e.g. 8a309a62a4b7fff)", s)
			case seen[cell] > 0:
				rw.fail("h3", "cell %s is listed twice, also on row %d", s, seen[cell])
			default:
				seen[cell] = rec.line
				ll, err := h3.CellToLatLng(cell)
				if err != nil {
					rw.fail("h3", "centre of cell %s: %v", s, err)
				}
				c.Location = orb.Point{ll.Lng, ll.Lat}
			}
		} else {
			lon, ok1 := rw.coordinate("lon", 180)
			lat, ok2 := rw.coordinate("lat", 90)
			if ok1 && ok2 {
				c.Location = crs.ToWGS84(sys, orb.Point{lon, lat})
			}
		}
		var given [4]bool
		for k, f := range c.Population.NumberFields() {
			v, gv, ok := rw.number(f.Name, f.Range)
			*f.Value, given[k] = v, gv && ok
		}
		if !given[0] && len(rw.errs) == n {
			rw.fail("residents", "missing; want the number of residents of the cell (0 if none)")
		}
		checkCohorts(rw, c.Population, given)
		if s := rw.text("community_code"); s != "" && regions != nil {
			if ci, why := regions.community(s); ci < 0 {
				rw.fail("community_code", "%s", why)
			} else {
				c.Community = ci
			}
		}
		probs = append(probs, rw.errs...)
		if len(rw.errs) == n {
			g.cells = append(g.cells, c)
			g.lines = append(g.lines, rec.line)
		}
	}
	return g, probs, warns
}
