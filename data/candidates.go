package data

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/paulmach/orb"

	"github.com/carecircle/carecircle/data/crs"
	"github.com/carecircle/carecircle/geo"
	"github.com/carecircle/carecircle/planner"
	"github.com/carecircle/carecircle/planner/siting"
)

// candidateColumns are the columns of a candidate-site file (.csv, .xlsx,
// or the properties of a .geojson): the facility columns, of which only
// the location is required, plus the most floor area the building can
// hold and what the building is.
var candidateColumns = []column{
	{key: "id", aliases: []string{"编号", "设施编号", "房屋编号", "场所编号"}},
	{key: "name", aliases: []string{"名称", "设施名称", "房屋名称", "场所名称", "地址"}},
	{key: "kind", aliases: []string{"用房类型", "房屋类型", "场所类型", "房屋用途", "用途"}},
	{key: "type", aliases: []string{"类型", "设施类型"}},
	{key: "floor_area_m2", aliases: []string{"建筑面积", "floor_area"}},
	{key: "max_floor_area_m2", aliases: []string{"最大建筑面积", "可用建筑面积", "最大面积", "max_floor_area"}},
	{key: "community_code", aliases: []string{"所属社区", "社区代码", "所属社区代码", "community"}},
	locationColumns[0], locationColumns[1], locationColumns[2],
}

// CandidatesError reports a candidate-site file that could not be used:
// every problem found, up to MaxProblems, each naming the row or feature
// and the field. No candidate of the file is used.
type CandidatesError struct {
	// File is the path as given.
	File string
	// Problems lists the problems in file order.
	Problems []Problem
	// More counts problems beyond MaxProblems.
	More int
}

// Error lists the problems, one per line after the first when there are
// several.
func (e *CandidatesError) Error() string {
	var b strings.Builder
	n := len(e.Problems) + e.More
	if n == 1 {
		return "candidate sites " + e.Problems[0].String()
	}
	fmt.Fprintf(&b, "candidate sites %s: %d problems, no candidate used:", e.File, n)
	for _, p := range e.Problems {
		b.WriteString("\n  " + p.String())
	}
	if e.More > 0 {
		fmt.Fprintf(&b, "\n  ... and %d more", e.More)
	}
	return b.String()
}

// LoadCandidates reads a file of candidate sites for the optimiser
// (available buildings: 闲置厂房, 公共用房, 商业用房 ...): CSV, XLSX or
// GeoJSON with the facility file's columns (docs/data-format.md; the candidate columns are in docs/optimizer.md), of
// which only the location is required, plus max_floor_area_m2
// (最大建筑面积) and kind (用房类型). Coordinates are in the bundle's crs
// and are converted to WGS84; a community may be named by code or name,
// and a site naming none belongs to the community whose boundary holds
// it. index snaps to the bundle's network (nil: the bundle's own, else
// one is built).
//
// A file with no rows, a bad cell, a duplicate id, a site outside the
// city's walking network or more than 500 m from any walkway is a
// *CandidatesError naming the file, row (or feature) and field.
func LoadCandidates(path string, b *Bundle, index *geo.EdgeIndex) ([]siting.Candidate, error) {
	name := filepath.Base(path)
	var probs problems
	fail := func(ps []Problem) error {
		for _, p := range ps {
			probs.add(p)
		}
		return &CandidatesError{File: path, Problems: probs.list, More: probs.more}
	}
	t, ps, _ := readTable(path, name, b.Limits.forCandidates())
	if t == nil {
		return nil, fail(ps)
	}
	bd, bp := bind(t, candidateColumns, located)
	if len(ps)+len(bp) > 0 {
		return nil, fail(append(ps, bp...))
	}
	if len(t.rows) == 0 {
		return nil, fail([]Problem{{File: name, Message: "no candidate sites listed; want one row per available building, with its lon/lat (经度, 纬度)"}})
	}
	if index == nil || index.Graph() != b.City.Network {
		index = b.Index
	}
	if index == nil || index.Graph() != b.City.Network {
		index = geo.NewEdgeIndex(b.City.Network)
	}
	na := newNetworkArea(b.City.Network, index, snapLimit(b.Profile))
	rs := &regionSet{file: b.Config.Regions, regions: b.City.Regions, byCode: map[string]int32{}, byName: map[string][]int32{}}
	if rs.file == "" {
		rs.file = "the city's regions"
	}
	for i, r := range b.City.Regions {
		rs.byCode[r.Code] = int32(i)
		if r.Level == planner.LevelCommunity {
			rs.byName[r.Name] = append(rs.byName[r.Name], int32(i))
		}
	}

	var out []siting.Candidate
	var unplaced []int
	ids := map[string]string{}
	for i := range t.rows {
		rec := &t.rows[i]
		rw := bd.row(rec)
		c, ok := parseCandidate(rw, rec, b.Config.CRS, na, rs, ids)
		for _, p := range rw.errs {
			probs.add(p)
		}
		if !ok {
			continue
		}
		if c.Community == "" {
			unplaced = append(unplaced, len(out))
		}
		out = append(out, c)
	}
	if probs.any() {
		return nil, &CandidatesError{File: path, Problems: probs.list, More: probs.more}
	}
	if len(unplaced) > 0 {
		pts := make([]orb.Point, len(unplaced))
		for k, i := range unplaced {
			pts[k] = out[i].Location
		}
		for k, c := range planner.AssignCommunities(b.City.Regions, pts) {
			if c >= 0 {
				out[unplaced[k]].Community = b.City.Regions[c].Code
			}
		}
	}
	return out, nil
}

// parseCandidate reads one row; problems go to rw.
func parseCandidate(rw *row, rec *record, sys crs.System, na *networkArea, rs *regionSet, ids map[string]string) (siting.Candidate, bool) {
	var c siting.Candidate
	n := len(rw.errs)
	where := fmt.Sprintf("row %d", rec.line)
	if rec.feature > 0 {
		where = fmt.Sprintf("feature %d", rec.feature)
	}
	if id := rw.text("id"); id != "" {
		c.ID = id
		rw.id = fmt.Sprintf("id %q", id)
		if prev, dup := ids[id]; dup {
			rw.fail("id", "%q is already used in %s; ids must be unique", id, prev)
		}
		ids[id] = where
	}
	c.Name = rw.text("name")
	c.Kind = rw.text("kind")
	if s := rw.text("type"); s != "" {
		t, err := planner.ParseFacilityType(s)
		switch {
		case err != nil:
			rw.fail("type", "%v", err)
		case t == planner.Health:
			rw.fail("type", "%q is a health facility; a candidate site is for elder care (leave the type empty for any)", s)
		default:
			c.Type = t
		}
	}
	for _, f := range c.NumberFields() {
		*f.Value, _, _ = rw.number(f.Name, f.Range)
	}
	if c.MaxFloorArea > 0 && c.FloorArea > c.MaxFloorArea {
		rw.fail("max_floor_area_m2", "%s m² is less than the floor area %s m² of the same row", formatNumber(c.MaxFloorArea), formatNumber(c.FloorArea))
	}
	if s := rw.text("community_code"); s != "" {
		if i, why := rs.community(s); i < 0 {
			rw.fail("community_code", "%s", why)
		} else {
			c.Community = rs.regions[i].Code
		}
	}

	p0, located := rw.location(rec.geom, "site") // as written, in the bundle's crs
	if located {
		c.Location = crs.ToWGS84(sys, p0)
		if _, why := na.snap(c.Location); why != "" {
			p := rec.problem(rw.b.t.file)
			p.ID, p.Message, p.Field = rw.id, locationMessage(why, sys, p0, c.Location), rw.locationField()
			rw.errs = append(rw.errs, p)
		}
	}
	return c, len(rw.errs) == n
}
