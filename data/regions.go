package data

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/carecircle/carecircle/data/crs"
	"github.com/carecircle/carecircle/planner"
)

// regionColumns are the properties of regions.geojson.
var regionColumns = []column{
	{key: "code", aliases: []string{"代码", "区划代码", "编码", "统计用区划代码"}, required: true},
	{key: "name", aliases: []string{"名称"}, required: true},
	{key: "level", aliases: []string{"级别", "层级"}, required: true},
	{key: "parent", aliases: []string{"上级", "上级代码", "parent_code"}},
	{key: "residents", aliases: []string{"常住人口", "人口", "population"}},
	{key: "households", aliases: []string{"户数", "家庭户数"}},
	{key: "elders_60", aliases: []string{"60岁以上", "60岁及以上", "60岁及以上人口", "60岁以上人口"}},
	{key: "elders_80", aliases: []string{"80岁以上", "80岁及以上", "80岁及以上人口", "80岁以上人口"}},
	{key: "area_type", aliases: []string{"城乡类型", "城乡"}},
	{key: "residential_age", aliases: []string{"小区类型", "新老小区"}},
	{key: "boundary_source", aliases: []string{"边界来源"}},
}

// levelNames maps the ways a level is written to levels.
var levelNames = map[string]planner.Level{
	"city": planner.LevelCity, "市": planner.LevelCity, "城市": planner.LevelCity,
	"district": planner.LevelDistrict, "区": planner.LevelDistrict, "县": planner.LevelDistrict, "区县": planner.LevelDistrict,
	"市辖区": planner.LevelDistrict, "县级市": planner.LevelDistrict, "旗": planner.LevelDistrict,
	"street": planner.LevelStreet, "town": planner.LevelStreet, "街道": planner.LevelStreet, "乡镇": planner.LevelStreet,
	"镇": planner.LevelStreet, "乡": planner.LevelStreet,
	"community": planner.LevelCommunity, "village": planner.LevelCommunity, "社区": planner.LevelCommunity,
	"村": planner.LevelCommunity, "居委会": planner.LevelCommunity, "村委会": planner.LevelCommunity,
}

var areaTypeNames = map[string]planner.AreaType{
	"urban": planner.Urban, "城市": planner.Urban, "城镇": planner.Urban, "城区": planner.Urban,
	"rural": planner.Rural, "农村": planner.Rural, "乡村": planner.Rural,
}

var residentialAgeNames = map[string]planner.ResidentialAge{
	"new": planner.NewResidential, "新": planner.NewResidential, "新建": planner.NewResidential, "新区": planner.NewResidential, "新建小区": planner.NewResidential,
	"old": planner.OldResidential, "老": planner.OldResidential, "旧": planner.OldResidential, "老旧": planner.OldResidential, "老旧小区": planner.OldResidential,
}

// areaType reads the optional area_type column into *at, which stays as
// it is when the cell is empty.
func (rw *row) areaType(at *planner.AreaType) {
	if s := rw.text("area_type"); s != "" {
		if a, known := areaTypeNames[strings.ToLower(s)]; known {
			*at = a
		} else {
			rw.fail("area_type", "%q: want urban or rural (城镇, 农村)", s)
		}
	}
}

// residentialAge reads the optional residential_age column into *age, as
// areaType does.
func (rw *row) residentialAge(age *planner.ResidentialAge) {
	if s := rw.text("residential_age"); s != "" {
		if a, known := residentialAgeNames[strings.ToLower(s)]; known {
			*age = a
		} else {
			rw.fail("residential_age", "%q: want new or old (新建, 老旧)", s)
		}
	}
}

// parentLevel is the level a region's parent must have.
var parentLevel = map[planner.Level]planner.Level{
	planner.LevelStreet:    planner.LevelDistrict,
	planner.LevelCommunity: planner.LevelStreet,
	planner.LevelDistrict:  planner.LevelCity,
}

// regionSet is the regions of a bundle, ordered parents before children
// (city, districts, streets, communities; file order within a level).
type regionSet struct {
	file    string
	regions []planner.Region
	feature []int     // per region, its feature number in the file
	given   [][4]bool // per region, which of residents, households, elders_60, elders_80 the file gives
	byCode  map[string]int32
	byName  map[string][]int32 // communities by name, for facility lists that name them
}

// community finds a community by code or, failing that, by name (facility
// lists often name the community rather than code it). It returns an
// explanation when there is none or the name is ambiguous.
func (rs *regionSet) community(s string) (int32, string) {
	if i, ok := rs.byCode[s]; ok {
		if rs.regions[i].Level != planner.LevelCommunity {
			return -1, fmt.Sprintf("%q is a %s, not a community", s, rs.regions[i].Level)
		}
		return i, ""
	}
	switch ids := rs.byName[s]; len(ids) {
	case 0:
		return -1, fmt.Sprintf("%q is not the code or name of a community in %s", s, rs.file)
	case 1:
		return ids[0], ""
	default:
		codes := make([]string, len(ids))
		for k, i := range ids {
			codes[k] = rs.regions[i].Code
		}
		return -1, fmt.Sprintf("%d communities are called %q (%s); give the code", len(ids), s, strings.Join(codes, ", "))
	}
}

// regionInput is a region as read, before ordering.
type regionInput struct {
	r       planner.Region
	feature int
	given   [4]bool
}

// readRegions reads regions.geojson, converts its coordinates from sys to
// WGS84 and checks every feature: properties, geometry, the hierarchy,
// head counts, and (when the network could be read, na not nil) that
// communities lie within its area. haveGrid says a population file may
// supply the numbers of communities that give none.
func readRegions(path, name string, sys crs.System, na *networkArea, haveGrid bool, lim Limits) (*regionSet, []Problem) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv", ".xlsx", ".xls", ".txt":
		// A bureau's community list is a table; the bundle wants the
		// regions with their boundaries, which import makes from it.
		return nil, []Problem{{File: name, Message: fmt.Sprintf(
			"a table, not a GeoJSON FeatureCollection; communities are read from a table with %s by `carecircle import --communities %s`, or a GeoJSON FeatureCollection here",
			describeColumns(communityTableColumns), name)}}
	}
	t, probs := readGeoJSON(path, name, lim)
	if t == nil {
		return nil, probs
	}
	b, bp := bind(t, regionColumns)
	probs = append(probs, bp...)
	if len(bp) > 0 {
		return nil, probs
	}
	var inputs []regionInput
	seen := map[string]int{}    // code → feature
	broken := map[string]bool{} // codes of features with problems, so children do not repeat them
	for i := range t.rows {
		rec := &t.rows[i]
		rw := b.row(rec)
		in, ok := parseRegion(rw, rec, sys, na, haveGrid)
		if !ok && in.r.Code != "" {
			broken[in.r.Code] = true
		}
		if ok {
			if f, dup := seen[in.r.Code]; dup {
				rw.fail("code", "code %q is already used by feature %d; codes must be unique", in.r.Code, f)
			} else {
				seen[in.r.Code] = rec.feature
				inputs = append(inputs, in)
			}
		}
		probs = append(probs, rw.errs...)
	}
	if len(t.rows) == 0 {
		probs = append(probs, Problem{File: name, Message: "no features; want districts, streets and communities"})
	}

	// Order by level, then check each parent: it must be listed, and be
	// one level up.
	slices.SortStableFunc(inputs, func(a, b regionInput) int { return levelRank(a.r.Level) - levelRank(b.r.Level) })
	rs := &regionSet{file: name, byCode: map[string]int32{}, byName: map[string][]int32{}}
	for i, in := range inputs {
		rs.byCode[in.r.Code] = int32(i)
	}
	communities := 0
	for i := range inputs {
		in := &inputs[i]
		r := &in.r
		if r.Parent == "" && r.Level != planner.LevelDistrict {
			r.Parent = containingParent(inputs, r)
		}
		fail := func(format string, args ...any) {
			probs = append(probs, Problem{File: name, Feature: in.feature, ID: fmt.Sprintf("code %q", r.Code), Field: "parent", Message: fmt.Sprintf(format, args...)})
		}
		want, needsParent := parentLevel[r.Level]
		j, found := rs.byCode[r.Parent]
		switch {
		case r.Level == planner.LevelCity:
			r.Parent = ""
		case r.Level == planner.LevelDistrict && (r.Parent == "" || !found):
			// A district's parent is usually the city's code, which need
			// not be a feature: districts are then the top.
			r.Parent = ""
		case r.Parent == "":
			fail("missing, and no %s's boundary contains this %s; a %s needs the code of its %s", want, r.Level, r.Level, want)
		case !found && broken[r.Parent]:
			// The parent's own problems are reported.
		case !found:
			fail("%q is not the code of any region in %s; want the code of this %s's %s", r.Parent, name, r.Level, want)
		case needsParent && inputs[j].r.Level != want:
			fail("%q is a %s; a %s's parent must be a %s", r.Parent, inputs[j].r.Level, r.Level, want)
		}
		if r.Level == planner.LevelCommunity {
			communities++
			rs.byName[r.Name] = append(rs.byName[r.Name], int32(i))
		}
	}
	if communities == 0 && len(inputs) > 0 {
		probs = append(probs, Problem{File: name, Field: "level", Message: "no feature is a community; demand is placed community by community"})
	}
	if len(probs) > 0 {
		return nil, probs
	}

	// Area type and residential age pass down to children that do not give
	// their own; an area type known nowhere is urban, the stricter circle.
	for i := range inputs {
		r := &inputs[i].r
		if p, ok := rs.byCode[r.Parent]; ok {
			if r.AreaType == "" {
				r.AreaType = inputs[p].r.AreaType
			}
			if r.Age == "" {
				r.Age = inputs[p].r.Age
			}
		}
	}
	for i := range inputs {
		if inputs[i].r.AreaType == "" {
			inputs[i].r.AreaType = planner.Urban
		}
		rs.regions = append(rs.regions, inputs[i].r)
		rs.feature = append(rs.feature, inputs[i].feature)
		rs.given = append(rs.given, inputs[i].given)
	}
	return rs, nil
}

// containingParent returns the code of the region one level above r whose
// Polygon or MultiPolygon boundary contains r's location (its Point, or an
// interior point of its boundary), or "" when there is none or r has no
// location. The first such region in file order wins.
func containingParent(inputs []regionInput, r *planner.Region) string {
	want, ok := parentLevel[r.Level]
	if !ok || r.Boundary == nil {
		return ""
	}
	p := planner.InteriorPoint(r.Boundary)
	for _, in := range inputs {
		if in.r.Level != want || in.r.Boundary == nil || !in.r.Boundary.Bound().Contains(p) {
			continue
		}
		switch g := in.r.Boundary.(type) {
		case orb.Polygon:
			if planar.PolygonContains(g, p) {
				return in.r.Code
			}
		case orb.MultiPolygon:
			if planar.MultiPolygonContains(g, p) {
				return in.r.Code
			}
		}
	}
	return ""
}

func levelRank(l planner.Level) int {
	switch l {
	case planner.LevelCity:
		return 0
	case planner.LevelDistrict:
		return 1
	case planner.LevelStreet:
		return 2
	}
	return 3
}

// parseRegion reads one feature; problems go to rw.
func parseRegion(rw *row, rec *record, sys crs.System, na *networkArea, haveGrid bool) (regionInput, bool) {
	in := regionInput{feature: rec.feature}
	r := &in.r
	n := len(rw.errs)
	var ok bool
	if r.Code, ok = rw.required("code", "the region's code, e.g. its 12-digit 统计用区划代码"); ok {
		rw.id = fmt.Sprintf("code %q", r.Code)
	}
	r.Name, _ = rw.required("name", "the region's name")
	if s, ok := rw.required("level", "district, street or community"); ok {
		if l, known := levelNames[strings.ToLower(s)]; known {
			r.Level = l
		} else {
			rw.fail("level", "%q: want district, street or community (区/县, 街道/乡镇, 社区/村)", s)
		}
	}
	r.Parent = rw.text("parent")
	rw.areaType(&r.AreaType)
	rw.residentialAge(&r.Age)

	// present: the cell has something, even if it is not a number (that
	// is reported as such, not as missing).
	var present [4]bool
	for k, f := range r.Population.NumberFields() {
		v, given, ok := rw.number(f.Name, f.Range)
		*f.Value, in.given[k], present[k] = v, given && ok, given
	}
	anyGiven := present[0] || present[1] || present[2] || present[3]
	switch {
	case r.Level == planner.LevelCommunity && !anyGiven && !haveGrid:
		rw.fail("residents", "missing; a community must give residents and elders_60 (or the bundle a population file)")
	case anyGiven && !present[0]:
		rw.fail("residents", "missing; a region that gives any head count must give residents")
	case r.Level == planner.LevelCommunity && anyGiven && !present[2]:
		rw.fail("elders_60", "missing; a community that gives residents must give elders 60+")
	}
	checkCohorts(rw, r.Population, in.given)

	switch s := strings.ToLower(rw.text("boundary_source")); s {
	case "", "given", "derived", "osm":
		if s != "given" {
			r.BoundarySource = s
		}
	default:
		rw.fail("boundary_source", "%q: want given, osm or derived", s)
	}
	r.Boundary = regionGeometry(rw, rec.geom, r.Level, sys, na)
	return in, len(rw.errs) == n
}

// checkCohorts checks that cohorts nest: 80+ ⊂ 60+ ⊂ residents, and
// households ≤ residents.
func checkCohorts(rw *row, p planner.Population, given [4]bool) {
	if given[3] && given[2] && p.Elders80 > p.Elders60 {
		rw.fail("elders_80", "%s is more than the %s elders 60+; 80+ are counted among 60+", formatNumber(p.Elders80), formatNumber(p.Elders60))
	}
	if given[2] && given[0] && p.Elders60 > p.Residents {
		rw.fail("elders_60", "%s is more than the %s residents", formatNumber(p.Elders60), formatNumber(p.Residents))
	}
	if given[1] && given[0] && p.Households > p.Residents {
		rw.fail("households", "%s is more than the %s residents", formatNumber(p.Households), formatNumber(p.Residents))
	}
}

// regionGeometry checks a feature's geometry and converts it to WGS84.
// Communities need a Polygon, MultiPolygon or Point; streets and districts
// may have none. Rings that are not closed are closed, as GeoJSON writers
// differ on that.
func regionGeometry(rw *row, g orb.Geometry, level planner.Level, sys crs.System, na *networkArea) orb.Geometry {
	const field = "geometry"
	var out orb.Geometry
	switch g := g.(type) {
	case nil:
		if level == planner.LevelCommunity {
			rw.fail(field, "missing; a community needs a Polygon or MultiPolygon boundary, or a Point when the boundary is unknown")
		}
		return nil
	case orb.Point:
		if !validPoint(g) {
			rw.fail(field, "point (%v, %v) is not lon/lat in degrees", g[0], g[1])
			return nil
		}
		out = crs.ToWGS84(sys, g)
	case orb.Polygon:
		p, msg := convertPolygon(g, sys)
		if msg != "" {
			rw.fail(field, "%s", msg)
			return nil
		}
		out = p
	case orb.MultiPolygon:
		mp := make(orb.MultiPolygon, len(g))
		for i, poly := range g {
			p, msg := convertPolygon(poly, sys)
			if msg != "" {
				rw.fail(field, "polygon %d: %s", i+1, msg)
				return nil
			}
			mp[i] = p
		}
		if len(mp) == 0 {
			rw.fail(field, "empty MultiPolygon")
			return nil
		}
		out = mp
	default:
		rw.fail(field, "%s: want a Polygon, MultiPolygon or Point", g.GeoJSONType())
		return nil
	}
	if level == planner.LevelCommunity && na != nil && !out.Bound().Intersects(na.padded) {
		c := out.Bound().Center()
		rw.fail(field, "at WGS84 (%.6f, %.6f) lies outside the walking network's area %s%s", c[0], c[1], boundText(na.bound), swapHint(c, na.padded))
		return nil
	}
	return out
}

// convertPolygon checks rings and converts them to WGS84; it returns a
// message when the polygon is unusable.
func convertPolygon(p orb.Polygon, sys crs.System) (orb.Polygon, string) {
	if len(p) == 0 {
		return nil, "empty Polygon"
	}
	out := make(orb.Polygon, len(p))
	for i, ring := range p {
		if len(ring) > 0 && ring[0] != ring[len(ring)-1] {
			ring = append(slices.Clone(ring), ring[0])
		}
		if len(ring) < 4 {
			return nil, fmt.Sprintf("ring %d has %d points; a ring needs at least 3 corners", i+1, len(ring))
		}
		r := make(orb.Ring, len(ring))
		for j, pt := range ring {
			if !validPoint(pt) {
				return nil, fmt.Sprintf("ring %d point %d (%v, %v) is not lon/lat in degrees", i+1, j+1, pt[0], pt[1])
			}
			r[j] = crs.ToWGS84(sys, pt)
		}
		out[i] = r
	}
	return out, ""
}

func validPoint(p orb.Point) bool {
	return math.Abs(p[0]) <= 180 && math.Abs(p[1]) <= 90
}

func boundText(b orb.Bound) string {
	return fmt.Sprintf("(lon %.4f–%.4f, lat %.4f–%.4f)", b.Min[0], b.Max[0], b.Min[1], b.Max[1])
}

// swapHint suggests that lon and lat were swapped when swapping them puts
// the point in the area: a common slip in hand-made lists.
func swapHint(p orb.Point, area orb.Bound) string {
	if area.Contains(orb.Point{p[1], p[0]}) {
		return "; longitude and latitude look swapped"
	}
	return "; check the crs in city.yaml and the coordinates"
}

// sumChildren fills every street, district and city with the sum of its
// children and returns warnings where a region's own numbers differ from
// that sum by more than 1%. The sum wins, so the hierarchy adds up. A
// region with no children keeps its own numbers, with a warning.
func sumChildren(rs *regionSet) []Problem {
	var warns []Problem
	regions := rs.regions
	sums := make([]planner.Population, len(regions))
	children := make([]int, len(regions))
	// Children come after parents, so one backward pass sums bottom-up.
	for i := len(regions) - 1; i >= 0; i-- {
		r := &regions[i]
		if r.Level != planner.LevelCommunity {
			if children[i] == 0 {
				warns = append(warns, Problem{File: rs.file, Feature: rs.feature[i], ID: fmt.Sprintf("code %q", r.Code),
					Message: fmt.Sprintf("%s %s has no %s in the file; its own numbers are kept", r.Level, r.Name, childrenOf(r.Level))})
			} else {
				own := r.Population
				r.Population = sums[i]
				given := rs.given[i]
				for k, c := range []struct {
					key       string
					own, summ float64
				}{
					{"residents", own.Residents, sums[i].Residents}, {"households", own.Households, sums[i].Households},
					{"elders_60", own.Elders60, sums[i].Elders60}, {"elders_80", own.Elders80, sums[i].Elders80},
				} {
					if given[k] && math.Abs(c.own-c.summ) > 0.01*math.Max(c.own, c.summ) {
						warns = append(warns, Problem{File: rs.file, Feature: rs.feature[i], ID: fmt.Sprintf("code %q", r.Code), Field: c.key,
							Message: fmt.Sprintf("%s differs from the sum of its %s, %s, by more than 1%%; the sum is used", formatNumber(c.own), childrenOf(r.Level), formatNumber(c.summ))})
					}
				}
			}
		}
		if p, ok := rs.byCode[r.Parent]; ok {
			sums[p] = sums[p].Add(r.Population)
			children[p]++
		}
	}
	return warns
}

// childrenOf names the children of a region of level l, in the plural.
func childrenOf(l planner.Level) string {
	switch l {
	case planner.LevelCity:
		return "districts"
	case planner.LevelDistrict:
		return "streets"
	}
	return "communities"
}
