package data

import (
	"fmt"
	"slices"
	"strings"

	"github.com/paulmach/orb"
	"github.com/twpayne/go-geom"
	"github.com/twpayne/go-geom/encoding/wkt"

	"github.com/carecircle/carecircle/data/crs"
	"github.com/carecircle/carecircle/planner"
)

// This file reads the tables a bureau keeps of its communities, streets and
// districts: one row per region, Chinese or English headers in any mix,
// with the synonyms bureaus use, and at most a point or a WKT polygon.

// communityTableColumns are the columns of a community table.
var communityTableColumns = []column{
	{key: "code", aliases: []string{"社区代码", "统计用区划代码", "区划代码", "代码", "编码", "社区编码", "村居代码", "community_code"}},
	{key: "name", aliases: []string{"社区名称", "社区", "名称", "社区(村)", "村(居)委会", "村居名称", "community", "community_name"}, required: true},
	{key: "street", aliases: []string{"所属街道", "街道", "乡镇", "街道(乡镇)", "街镇", "所属乡镇", "所属街镇", "town"}},
	{key: "street_code", aliases: []string{"街道代码", "所属街道代码", "乡镇代码", "街道编码"}},
	{key: "district", aliases: []string{"所属区县", "区县", "所属区", "区", "县", "区(县)"}},
	{key: "district_code", aliases: []string{"区县代码", "所属区县代码", "区代码", "area_code"}},
	{key: "residents", aliases: []string{"常住人口", "总人口", "人口", "人口数", "population"}},
	{key: "households", aliases: []string{"户数", "家庭户数", "总户数", "households_family"}},
	{key: "elders_60", aliases: []string{"60岁以上人口", "60周岁以上老年人口", "60岁以上", "60岁及以上", "60岁及以上人口", "60周岁及以上人口", "60周岁以上人口", "老年人口", "elders60", "pop_60plus"}},
	{key: "elders_80", aliases: []string{"80岁以上人口", "80周岁以上老年人口", "80岁以上", "80岁及以上", "80岁及以上人口", "80周岁及以上人口", "80周岁以上人口", "高龄老人", "elders80", "pop_80plus"}},
	{key: "area_type", aliases: []string{"城乡", "城乡类型", "城乡属性", "urban_rural"}},
	{key: "residential_age", aliases: []string{"新旧小区", "新老小区", "小区类型", "新建或老旧"}},
	{key: "address", aliases: []string{"地址", "社区地址", "详细地址", "办公地址"}},
	{key: "level", aliases: []string{"级别", "层级"}},
	{key: "parent", aliases: []string{"上级", "上级代码", "parent_code"}},
	locationColumns[0], locationColumns[1], locationColumns[2],
}

// streetTableColumns are the columns of a street table.
var streetTableColumns = []column{
	{key: "code", aliases: []string{"代码", "统计用区划代码", "区划代码", "编码", "街道代码", "乡镇代码"}},
	{key: "name", aliases: []string{"名称", "街道", "街道名称", "乡镇", "乡镇名称", "street"}, required: true},
	{key: "parent", aliases: []string{"上级", "上级代码", "所属区县", "所属区", "区县代码", "parent_code", "district", "area_code"}},
	{key: "residents", aliases: []string{"常住人口", "总人口", "人口", "population"}},
	{key: "households", aliases: []string{"户数", "家庭户数", "总户数", "households_family"}},
	{key: "elders_60", aliases: []string{"60岁以上人口", "60周岁以上老年人口", "60岁以上", "60岁及以上", "60岁及以上人口", "pop_60plus"}},
	{key: "elders_80", aliases: []string{"80岁以上人口", "80周岁以上老年人口", "80岁以上", "80岁及以上", "80岁及以上人口", "pop_80plus"}},
	{key: "area_type", aliases: []string{"城乡", "城乡类型", "urban_rural"}},
	locationColumns[0], locationColumns[1], locationColumns[2],
}

// districtTableColumns are the columns of a district table: as a street
// table's, with "district" the name rather than the parent.
var districtTableColumns = func() []column {
	cols := slices.Clone(streetTableColumns)
	for i := range cols {
		switch cols[i].key {
		case "code":
			cols[i].aliases = []string{"代码", "统计用区划代码", "区划代码", "编码", "区县代码"}
		case "name":
			cols[i].aliases = []string{"名称", "区县", "区县名称", "区", "县", "district"}
		case "parent":
			cols[i].aliases = []string{"上级", "上级代码", "parent_code"}
		}
	}
	return cols
}()

// MaxImportRows bounds the rows of one imported table: a city has tens of
// thousands of communities at most.
const MaxImportRows = 500_000

// tableRegion is one row of a community, street or district table.
type tableRegion struct {
	file    string
	line    int // row, or feature for GeoJSON
	feature int
	code    string
	name    string
	// parentRef and grandRef are the street and district as written
	// (code or name); parentCode and grandCode the codes, when known.
	parentRef, parentCode string
	grandRef, grandCode   string
	pop                   planner.Population
	given                 [4]bool
	areaType              planner.AreaType
	age                   planner.ResidentialAge
	address               string
	point                 *orb.Point   // WGS84
	boundary              orb.Geometry // Polygon or MultiPolygon, WGS84
}

// where is the row's position as a Problem.
func (r *tableRegion) where() Problem {
	return Problem{File: r.file, Line: r.line, Feature: r.feature, ID: r.idText()}
}

func (r *tableRegion) idText() string {
	if r.code != "" {
		return fmt.Sprintf("code %q", r.code)
	}
	return fmt.Sprintf("name %q", r.name)
}

// normaliseCode writes the 6-, 9- and 12-digit 统计用区划代码 of
// districts, streets and communities as 12 digits, as regions.geojson
// holds them; other codes are kept as written.
func normaliseCode(s string) string {
	s = strings.TrimSpace(s)
	if !allDigits(s) {
		return s
	}
	switch len(s) {
	case 6:
		return s + "000000"
	case 9:
		return s + "000"
	}
	return s
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// impliedParents returns the street and district codes a 12-digit
// community code implies: its first 9 and 6 digits.
func impliedParents(code string) (street, district string) {
	if len(code) == 12 && allDigits(code) {
		return code[:9] + "000", code[:6] + "000000"
	}
	return "", ""
}

// readRegionTable reads a community table (level community) or a street
// or district table. Rows are checked one by one; problems name the file,
// row and field.
func readRegionTable(path, name string, level planner.Level, sys crs.System, lim Limits) ([]tableRegion, []Problem, []Problem) {
	t, probs, warns := readTable(path, name, lim)
	if t == nil {
		return nil, probs, warns
	}
	if len(t.rows) > MaxImportRows {
		return nil, append(probs, Problem{File: name, Message: fmt.Sprintf("%d rows; at most %d are read", len(t.rows), MaxImportRows)}), warns
	}
	cols := streetTableColumns
	switch level {
	case planner.LevelCommunity:
		cols = communityTableColumns
	case planner.LevelDistrict:
		cols = districtTableColumns
	}
	b, bp := bind(t, cols)
	if len(bp) > 0 {
		for i := range bp {
			bp[i].Message += fmt.Sprintf("; %s are read from a table with %s, or a GeoJSON FeatureCollection", plural(level), describeColumns(cols))
		}
		return nil, append(probs, bp...), warns
	}
	if len(t.rows) == 0 {
		return nil, append(probs, Problem{File: name, Message: fmt.Sprintf("no rows; want one row per %s", level)}), warns
	}
	var out []tableRegion
	for i := range t.rows {
		rec := &t.rows[i]
		rw := b.row(rec)
		r := tableRegion{file: name, line: rec.line, feature: rec.feature}
		r.code = normaliseCode(rw.text("code"))
		r.name, _ = rw.required("name", "the "+string(level)+"'s name")
		rw.id = r.idText()
		switch level {
		case planner.LevelCommunity:
			r.parentRef = firstNonEmpty(rw.text("street_code"), rw.text("street"), rw.text("parent"))
			r.grandRef = firstNonEmpty(rw.text("district_code"), rw.text("district"))
			if s := rw.text("level"); s != "" {
				if l, ok := levelNames[strings.ToLower(s)]; ok && l != planner.LevelCommunity {
					rw.fail("level", "%q: this table lists communities (社区/村); streets and districts go in --streets and --districts", s)
				}
			}
		default:
			r.parentRef = rw.text("parent")
		}
		if allDigits(r.parentRef) {
			r.parentCode = normaliseCode(r.parentRef)
		}
		if allDigits(r.grandRef) {
			r.grandCode = normaliseCode(r.grandRef)
		}
		if st, di := impliedParents(r.code); st != "" && level == planner.LevelCommunity {
			if r.parentCode != "" && r.parentCode != st {
				rw.fail(firstKey(rw, "street_code", "street", "parent"), "%q, but the community code %s implies street %s; correct one of them", r.parentRef, r.code, st)
			}
			r.parentCode = st
			if r.grandCode == "" {
				r.grandCode = di
			}
		}
		if len(r.code) == 12 && allDigits(r.code) && level == planner.LevelStreet && r.parentCode == "" {
			r.parentCode = r.code[:6] + "000000"
		}
		counts := []*float64{&r.pop.Residents, &r.pop.Households, &r.pop.Elders60, &r.pop.Elders80}
		for k, key := range []string{"residents", "households", "elders_60", "elders_80"} {
			v, given, ok := rw.number(key, planner.PeopleRange())
			*counts[k], r.given[k] = v, given && ok
		}
		if level == planner.LevelCommunity && r.given != [4]bool{} && !r.given[0] {
			rw.fail("residents", "missing; a community that gives any head count must give residents")
		}
		if level == planner.LevelCommunity && r.given[0] && !r.given[2] {
			rw.fail("elders_60", "missing; a community that gives residents must give elders 60+ (60岁以上人口)")
		}
		checkCohorts(rw, r.pop, r.given)
		rw.areaType(&r.areaType)
		rw.residentialAge(&r.age)
		r.address = rw.text("address")
		readRegionPlace(rw, rec, &r, sys)
		if len(rw.errs) > 0 {
			probs = append(probs, rw.errs...)
			continue
		}
		out = append(out, r)
	}
	return out, probs, warns
}

// readRegionPlace reads a row's point (lon/lat or WKT POINT) or boundary
// (WKT POLYGON or MULTIPOLYGON, or a GeoJSON feature's geometry), if it
// gives one, and converts it to WGS84.
func readRegionPlace(rw *row, rec *record, r *tableRegion, sys crs.System) {
	var g orb.Geometry
	switch {
	case rec.geom != nil:
		g = rec.geom
	case rw.text("wkt") != "":
		g = rw.wktGeometry(rw.text("wkt"))
		if g == nil {
			return
		}
	case rw.text("lon") != "" || rw.text("lat") != "":
		lon, ok1 := rw.coordinate("lon", 180)
		lat, ok2 := rw.coordinate("lat", 90)
		if !ok1 || !ok2 {
			return
		}
		g = orb.Point{lon, lat}
	default:
		return
	}
	switch g := g.(type) {
	case orb.Point:
		if !validPoint(g) {
			rw.fail(rw.locationKey(), "(%v, %v) is not lon/lat in degrees", g[0], g[1])
			return
		}
		p := crs.ToWGS84(sys, g)
		r.point = &p
	case orb.Polygon:
		p, msg := convertPolygon(g, sys)
		if msg != "" {
			rw.fail(rw.locationKey(), "%s", msg)
			return
		}
		r.boundary = p
	case orb.MultiPolygon:
		mp := make(orb.MultiPolygon, 0, len(g))
		for i, poly := range g {
			p, msg := convertPolygon(poly, sys)
			if msg != "" {
				rw.fail(rw.locationKey(), "polygon %d: %s", i+1, msg)
				return
			}
			mp = append(mp, p)
		}
		if len(mp) == 0 {
			rw.fail(rw.locationKey(), "empty MultiPolygon")
			return
		}
		r.boundary = mp
	default:
		rw.fail(rw.locationKey(), "%s: want a point, a Polygon or a MultiPolygon", g.GeoJSONType())
	}
}

// locationKey is the column a row's place came from.
func (rw *row) locationKey() string {
	switch {
	case rw.r.geom != nil:
		return "geometry"
	case rw.text("wkt") != "":
		return "wkt"
	}
	return "lon"
}

// wktGeometry reads a WKT POINT, POLYGON or MULTIPOLYGON (with or without
// an SRID= prefix); nil after recording a problem.
func (rw *row) wktGeometry(s string) orb.Geometry {
	text := s
	if i := strings.IndexByte(text, ';'); i >= 0 && strings.HasPrefix(strings.ToUpper(text), "SRID=") {
		text = text[i+1:]
	}
	g, err := wkt.Unmarshal(text)
	if err != nil {
		rw.fail("wkt", "%q is not WKT (%v); want POINT (lon lat) or POLYGON ((lon lat, ...))", shorten(s), err)
		return nil
	}
	switch g := g.(type) {
	case *geom.Point:
		if g.Empty() {
			break
		}
		return orb.Point{g.X(), g.Y()}
	case *geom.Polygon:
		if g.Empty() {
			break
		}
		return polygonFromGeom(g)
	case *geom.MultiPolygon:
		mp := orb.MultiPolygon{}
		for i := range g.NumPolygons() {
			mp = append(mp, polygonFromGeom(g.Polygon(i)))
		}
		return mp
	}
	rw.fail("wkt", "%q: want a POINT, POLYGON or MULTIPOLYGON", shorten(s))
	return nil
}

func polygonFromGeom(p *geom.Polygon) orb.Polygon {
	out := orb.Polygon{}
	for i := range p.NumLinearRings() {
		lr := p.LinearRing(i)
		ring := orb.Ring{}
		for _, c := range lr.Coords() {
			ring = append(ring, orb.Point{c.X(), c.Y()})
		}
		out = append(out, ring)
	}
	return out
}

func shorten(s string) string {
	if r := []rune(s); len(r) > 60 {
		return string(r[:60]) + "…"
	}
	return s
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// firstKey returns the first of keys the row's table has.
func firstKey(rw *row, keys ...string) string {
	for _, k := range keys {
		if rw.b.has(k) {
			return k
		}
	}
	return keys[0]
}

// describeColumns lists the columns a table may have, with a Chinese name
// where there is one.
func describeColumns(cols []column) string {
	var names []string
	for _, c := range cols {
		if c.key == "wkt" || c.key == "level" || c.key == "parent" {
			continue
		}
		names = append(names, describeColumn(c))
	}
	return strings.Join(names, ", ")
}

// plural names regions of level l in the plural.
func plural(l planner.Level) string {
	switch l {
	case planner.LevelCommunity:
		return "communities"
	case planner.LevelStreet:
		return "streets"
	case planner.LevelDistrict:
		return "districts"
	}
	return string(l) + "s"
}
