package data

import (
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"

	"github.com/carecircle/carecircle/data/crs"
	"github.com/carecircle/carecircle/geo"
	"github.com/carecircle/carecircle/planner"
)

// facilityColumns are the columns of facilities.csv (and .xlsx, and the
// properties of .geojson) and of health.csv.
var facilityColumns = []column{
	{key: "id", aliases: []string{"编号", "设施编号", "机构编号"}, required: true},
	{key: "name", aliases: []string{"名称", "设施名称", "机构名称"}, required: true},
	{key: "type", aliases: []string{"类型", "设施类型"}, required: true},
	{key: "status", aliases: []string{"状态", "运营状态"}, required: true},
	{key: "floor_area_m2", aliases: []string{"建筑面积", "floor_area"}},
	{key: "land_area_m2", aliases: []string{"用地面积", "占地面积", "land_area"}},
	{key: "beds", aliases: []string{"床位数", "床位"}},
	{key: "nursing_beds", aliases: []string{"护理型床位数", "护理床位数", "护理型床位"}},
	{key: "operator", aliases: []string{"运营方式", "运营模式"}},
	{key: "community_code", aliases: []string{"所属社区", "社区代码", "所属社区代码", "community"}},
	locationColumns[0], locationColumns[1], locationColumns[2],
}

// networkArea checks that points can be attached to the walking network.
type networkArea struct {
	bound  orb.Bound // the nodes' bounding box
	padded orb.Bound // bound grown by the snap limit
	index  *geo.EdgeIndex
	limit  float64 // metres
}

func newNetworkArea(g *geo.Graph, index *geo.EdgeIndex, limit float64) *networkArea {
	b := g.Bound()
	// Metres to degrees at the area's latitude: the padding only has to be
	// about right, the snap below is exact.
	dLat := limit / (geo.EarthRadius * math.Pi / 180)
	dLon := dLat / math.Max(0.01, math.Cos(b.Center()[1]*math.Pi/180))
	padded := orb.Bound{Min: orb.Point{b.Min[0] - dLon, b.Min[1] - dLat}, Max: orb.Point{b.Max[0] + dLon, b.Max[1] + dLat}}
	return &networkArea{bound: b, padded: padded, index: index, limit: limit}
}

// snap attaches p to the network, or says why it cannot be, as a phrase
// that follows the point's coordinates.
func (na *networkArea) snap(p orb.Point) (geo.Snap, string) {
	if !na.padded.Contains(p) {
		return geo.Snap{}, fmt.Sprintf("lies outside the walking network's area %s%s", boundText(na.bound), swapHint(p, na.padded))
	}
	s, err := na.index.Snap(p, na.limit)
	var far *geo.TooFarError
	if errors.As(err, &far) {
		return geo.Snap{}, fmt.Sprintf("is %.0f m from the nearest walkway, more than the %.0f m limit", far.Distance, far.Limit)
	}
	if err != nil {
		return geo.Snap{}, err.Error()
	}
	return s, ""
}

// facilityList is what one facility file gave.
type facilityList struct {
	elder, health           []planner.Facility
	elderSnaps, healthSnaps []geo.Snap
}

// facilityReader reads facility files against the bundle's regions and
// network; ids must be unique across all of them.
type facilityReader struct {
	sys     crs.System
	regions *regionSet   // nil when the regions could not be read
	net     *networkArea // nil when the network could not be read
	ids     map[string]string
	lim     Limits
}

// read reads one facility file. In the health file (healthFile true) the
// type column may be left out and must say health if given; in the
// facility file, rows of type health go to the health list, so a bureau
// may keep one list.
func (fr *facilityReader) read(path, name string, healthFile bool) (*facilityList, []Problem, []Problem) {
	t, probs, warns := readTable(path, name, fr.lim)
	if t == nil {
		return nil, probs, warns
	}
	cols := facilityColumns
	if healthFile {
		cols = make([]column, len(facilityColumns))
		copy(cols, facilityColumns)
		for i := range cols {
			if cols[i].key == "type" {
				cols[i].required = false
			}
		}
	}
	b, bp := bind(t, cols, located)
	if len(bp) > 0 {
		return nil, append(probs, bp...), warns
	}
	if len(t.rows) == 0 && !healthFile {
		// A city may be planned from scratch, but an empty list is more
		// often the wrong file or sheet: say so.
		warns = append(warns, Problem{File: name, Message: "no facilities listed; the city is judged with none"})
	}

	out := &facilityList{}
	var unassigned []int // facilities without a community, by index in out.elder (or -1-index in out.health)
	for i := range t.rows {
		rec := &t.rows[i]
		rw := b.row(rec)
		f, snap, ok := fr.parse(rw, rec, healthFile)
		probs = append(probs, rw.errs...)
		if !ok {
			continue
		}
		if f.Type == planner.Health {
			if f.Community == "" {
				unassigned = append(unassigned, -1-len(out.health))
			}
			out.health = append(out.health, f)
			out.healthSnaps = append(out.healthSnaps, snap)
		} else {
			if f.Community == "" {
				unassigned = append(unassigned, len(out.elder))
			}
			out.elder = append(out.elder, f)
			out.elderSnaps = append(out.elderSnaps, snap)
		}
	}
	// Facilities that name no community belong to the one they stand in.
	if fr.regions != nil && len(unassigned) > 0 {
		pts := make([]orb.Point, len(unassigned))
		at := func(k int) *planner.Facility {
			if k < 0 {
				return &out.health[-1-k]
			}
			return &out.elder[k]
		}
		for i, k := range unassigned {
			pts[i] = at(k).Location
		}
		for i, c := range planner.AssignCommunities(fr.regions.regions, pts) {
			if c >= 0 {
				at(unassigned[i]).Community = fr.regions.regions[c].Code
			}
		}
	}
	return out, probs, warns
}

// parse reads one facility; problems go to rw.
func (fr *facilityReader) parse(rw *row, rec *record, healthFile bool) (planner.Facility, geo.Snap, bool) {
	var f planner.Facility
	n := len(rw.errs)
	if id, ok := rw.required("id", "the facility's id, unique in the bundle"); ok {
		f.ID = id
		rw.id = fmt.Sprintf("id %q", id)
		if prev, dup := fr.ids[id]; dup {
			rw.fail("id", "%q is already used in %s; ids must be unique", id, prev)
		} else if rec.feature > 0 {
			fr.ids[id] = fmt.Sprintf("%s feature %d", rw.b.t.file, rec.feature)
		} else {
			fr.ids[id] = fmt.Sprintf("%s row %d", rw.b.t.file, rec.line)
		}
	}
	f.Name, _ = rw.required("name", "the facility's name")

	switch s := rw.text("type"); {
	case s == "" && healthFile:
		f.Type = planner.Health
	case s == "":
		rw.fail("type", "missing; want a facility type such as 社区养老服务站 or community_station")
	default:
		t, err := planner.ParseFacilityType(s)
		switch {
		case err != nil:
			rw.fail("type", "%v", err)
		case healthFile && t != planner.Health:
			rw.fail("type", "%q is %s; the health file lists community health facilities (社区卫生服务中心/站, 村卫生室)", s, t)
		default:
			f.Type = t
		}
	}
	if s, ok := rw.required("status", "a status such as 运营中, 闲置 or operating"); ok {
		st, err := planner.ParseFacilityStatus(s)
		if err != nil {
			rw.fail("status", "%v", err)
		}
		f.Status = st
	}
	if s := rw.text("operator"); s != "" {
		m, err := planner.ParseOperatorModel(s)
		if err != nil {
			rw.fail("operator", "%v", err)
		}
		f.Operator = m
	}
	for _, c := range f.NumberFields() {
		*c.Value, _, _ = rw.number(c.Name, c.Range)
	}
	if f.NursingBeds > f.Beds {
		rw.fail("nursing_beds", "%s nursing beds are more than the %s beds; nursing beds are counted among beds", formatNumber(f.NursingBeds), formatNumber(f.Beds))
	}

	if s := rw.text("community_code"); s != "" && fr.regions != nil {
		if c, why := fr.regions.community(s); c < 0 {
			rw.fail("community_code", "%s", why)
		} else {
			f.Community = fr.regions.regions[c].Code
		}
	}

	p0, located := rw.location(rec.geom, "facility") // as written, in the bundle's crs
	var snap geo.Snap
	if located {
		f.Location = crs.ToWGS84(fr.sys, p0)
		if fr.net != nil {
			s, why := fr.net.snap(f.Location)
			if why != "" {
				p := rec.problem(rw.b.t.file)
				p.ID, p.Message, p.Field = rw.id, locationMessage(why, fr.sys, p0, f.Location), rw.locationField()
				rw.errs = append(rw.errs, p)
			}
			snap = s
		}
	}
	if len(rw.errs) == n {
		// A last guard: the planner's own rules.
		if err := f.Validate(); err != nil {
			rw.fail("", "%v", err)
		}
	}
	return f, snap, len(rw.errs) == n
}

// locationMessage puts the coordinates before a phrase about the WGS84
// point: as written, and converted when the bundle is not WGS84, so the row
// can be found in the file and the conversion checked.
func locationMessage(why string, sys crs.System, in, wgs orb.Point) string {
	if sys == crs.WGS84 {
		return fmt.Sprintf("(%.6f, %.6f) %s", in[0], in[1], why)
	}
	return fmt.Sprintf("(%.6f, %.6f) in %s, WGS84 (%.6f, %.6f), %s", in[0], in[1], sys, wgs[0], wgs[1], why)
}
