package data

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/uber/h3-go/v4"

	"github.com/carecircle/carecircle/data/crs"
	"github.com/carecircle/carecircle/geo"
	"github.com/carecircle/carecircle/geo/osm"
	"github.com/carecircle/carecircle/planner"
)

// ImportOptions names the tables a bureau has and where the city bundle
// goes; see docs/data-format.md, "Import your city".
type ImportOptions struct {
	// Name is the city's name; default: the base name of Out.
	Name string
	// OSM is the OSM extract (PBF or XML): walking network, buildings,
	// addresses, names, boundaries drawn as closed ways. Required.
	OSM string
	// Communities is the community table (CSV, XLSX or GeoJSON). Required.
	Communities string
	// Boundaries is an optional GeoJSON of community boundaries matched to
	// the table by code, else by name.
	Boundaries string
	// Facilities and Health are facility lists whose rows give
	// coordinates or only an address; both optional.
	Facilities, Health string
	// Population is an optional population grid (H3 cells or points).
	Population string
	// Streets and Districts are optional tables of streets and districts
	// (names, numbers, WKT boundaries).
	Streets, Districts string
	// Locations is an import report of an earlier run whose 经度/纬度
	// the bureau filled in: those rows are placed there.
	Locations string
	// CRS is the coordinate system of every lon/lat in the tables.
	CRS crs.System
	// Profile is a built-in profile name or a profile file; default
	// DefaultProfile.
	Profile string
	// Out is the bundle folder to write. Required.
	Out string
}

// ImportResult is what Import wrote.
type ImportResult struct {
	// Bundle is the written bundle, loaded back with LoadBundle.
	Bundle *Bundle
	// Issues is the import report: rows placed by address (with their
	// confidence), rows not placed, and doubts about the tables.
	Issues []ImportIssue
	// Boundaries counts communities by where their boundary came from.
	Boundaries map[string]int
	// Duration is the wall time of the import, load-back included.
	Duration time.Duration
}

// Boundary sources, as the regions GeoJSON property boundary_source says.
const (
	BoundaryGiven   = "given"   // from the tables or the boundaries file
	BoundaryOSM     = "osm"     // an administrative boundary of the OSM extract matched by name or code
	BoundaryDerived = "derived" // derived by Import from the community points and the walking network
)

// The files Import writes besides the bundle's own.
const (
	ImportReportCSV  = "import-report.csv"
	ImportReportXLSX = "import-report.xlsx"
)

// ImportError lists the problems that stopped an import; nothing is
// written.
type ImportError struct {
	Problems []Problem
	More     int
}

func (e *ImportError) Error() string {
	var b strings.Builder
	n := len(e.Problems) + e.More
	if n == 1 {
		return "import: " + e.Problems[0].String()
	}
	fmt.Fprintf(&b, "import: %d problems, nothing written:", n)
	for _, p := range e.Problems {
		b.WriteString("\n  " + p.String())
	}
	if e.More > 0 {
		fmt.Fprintf(&b, "\n  ... and %d more", e.More)
	}
	return b.String()
}

// importer holds one import's state.
type importer struct {
	opt    ImportOptions
	log    *slog.Logger
	ex     *osm.Extract
	index  *geo.EdgeIndex
	na     *networkArea
	feats  []osm.Feature
	addrs  *addressIndex
	issues []ImportIssue
	probs  problems
	fills  map[string]orb.Point // "kind\x00id" → WGS84, from Locations
	// part is the derived partition; partRegion maps its sites to
	// hierarchy regions.
	part      *areaPartition
	partCodes []string
}

func (im *importer) addProblems(ps []Problem) {
	for _, p := range ps {
		im.probs.add(p)
	}
}

// Import reads a bureau's tables and the OSM extract and writes a city
// bundle to opt.Out that LoadBundle reads, plus the import report
// (import-report.csv and .xlsx). Communities without a boundary get one
// derived from their points and the walking network, labelled derived;
// rows that give only an address are matched against the extract, and
// those that match nothing or several places are not placed but listed in
// the report. Bad input fails the import with an *ImportError naming file,
// row and field; nothing is written then.
func Import(ctx context.Context, opt ImportOptions, log *slog.Logger) (*ImportResult, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	start := time.Now()
	switch {
	case opt.OSM == "":
		return nil, errors.New("import: the OSM extract (--osm) is required")
	case opt.Communities == "":
		return nil, errors.New("import: the community table (--communities) is required")
	case opt.Out == "":
		return nil, errors.New("import: the bundle folder (--out) is required")
	case !opt.CRS.Valid():
		return nil, fmt.Errorf("import: crs %q: want wgs84, gcj02 or bd09", opt.CRS)
	}
	if opt.Name == "" {
		opt.Name = filepath.Base(filepath.Clean(opt.Out))
	}
	im := &importer{opt: opt, log: log}

	ex, err := osm.Load(ctx, opt.OSM, osm.Options{Buildings: true, Water: true})
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	im.ex = ex
	im.index = geo.NewEdgeIndex(ex.Graph)
	im.na = newNetworkArea(ex.Graph, im.index, geo.DefaultMaxSnap)
	if im.feats, err = osm.LoadFeatures(ctx, opt.OSM); err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	im.addrs = newAddressIndex(im.feats)
	log.Info("OSM extract read", "file", opt.OSM, "nodes", ex.Graph.NumNodes(), "buildings", len(ex.Buildings), "named_or_addressed", len(im.feats))

	if opt.Locations != "" {
		im.fills = im.readLocations(opt.Locations)
	}
	comms, ps, ws := readRegionTable(opt.Communities, filepath.Base(opt.Communities), planner.LevelCommunity, opt.CRS)
	im.addProblems(ps)
	im.warn(ws)
	var streets, districts []tableRegion
	if opt.Streets != "" {
		streets, ps, ws = readRegionTable(opt.Streets, filepath.Base(opt.Streets), planner.LevelStreet, opt.CRS)
		im.addProblems(ps)
		im.warn(ws)
	}
	if opt.Districts != "" {
		districts, ps, ws = readRegionTable(opt.Districts, filepath.Base(opt.Districts), planner.LevelDistrict, opt.CRS)
		im.addProblems(ps)
		im.warn(ws)
	}
	var bounds map[string]orb.Geometry
	if opt.Boundaries != "" {
		bounds = im.readBoundaries(opt.Boundaries)
	}
	var grid *populationGrid
	if opt.Population != "" {
		grid, ps, ws = readPopulation(opt.Population, filepath.Base(opt.Population), opt.CRS, nil)
		im.addProblems(ps)
		im.warn(ws)
	}
	facs := im.locateFacilities(opt.Facilities, "facility")
	health := im.locateFacilities(opt.Health, "health")
	if im.probs.any() {
		return nil, &ImportError{Problems: im.probs.list, More: im.probs.more}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	h := im.buildHierarchy(comms, streets, districts, bounds, grid != nil)
	if im.probs.any() {
		return nil, &ImportError{Problems: im.probs.list, More: im.probs.more}
	}
	if err := im.deriveAreas(ctx, h, grid, facs, health); err != nil {
		return nil, fmt.Errorf("import: deriving community areas: %w", err)
	}
	im.checkSums(h)

	rs := h.regionSet()
	if err := im.write(rs, grid, facs, health); err != nil {
		return nil, err
	}
	if im.probs.any() {
		return nil, &ImportError{Problems: im.probs.list, More: im.probs.more}
	}
	if err := writeImportReport(opt.Out, im.issues); err != nil {
		return nil, fmt.Errorf("import: writing the import report: %w", err)
	}
	b, err := LoadBundle(ctx, opt.Out, log)
	if err != nil {
		// A bundle that does not load is not left looking like one.
		os.Remove(filepath.Join(opt.Out, ConfigFile))
		return nil, fmt.Errorf("import: the written bundle does not load: %w", err)
	}
	res := &ImportResult{Bundle: b, Issues: im.issues, Boundaries: map[string]int{}, Duration: time.Since(start)}
	for _, r := range h.regions {
		if r.Level == planner.LevelCommunity {
			res.Boundaries[r.BoundarySource]++
		}
	}
	log.Info("city imported", "dir", opt.Out, "communities", b.Stats.Regions[planner.LevelCommunity], "facilities", len(b.City.Facilities),
		"health", len(b.City.Health), "report_rows", len(im.issues), "derived", res.Boundaries[BoundaryDerived],
		"duration", res.Duration.Round(time.Millisecond))
	return res, nil
}

func (im *importer) warn(ws []Problem) {
	for _, w := range ws {
		im.log.Warn(w.String())
	}
}

// readBoundaries reads a GeoJSON of boundaries keyed by code and by name.
func (im *importer) readBoundaries(path string) map[string]orb.Geometry {
	name := filepath.Base(path)
	t, ps := readGeoJSON(path, name)
	im.addProblems(ps)
	if t == nil {
		return nil
	}
	b, bp := bind(t, []column{
		{key: "code", aliases: []string{"代码", "区划代码", "编码", "统计用区划代码", "社区代码"}},
		{key: "name", aliases: []string{"名称", "社区名称", "社区"}},
	}, alternative{missing: func(b *binding) string {
		if b.has("code") || b.has("name") {
			return ""
		}
		return "code (代码) or name (名称)"
	}})
	im.addProblems(bp)
	if len(bp) > 0 {
		return nil
	}
	out := map[string]orb.Geometry{}
	for i := range t.rows {
		rec := &t.rows[i]
		rw := b.row(rec)
		var g orb.Geometry
		switch rec.geom.(type) {
		case orb.Polygon, orb.MultiPolygon:
			tr := tableRegion{}
			readRegionPlace(rw, rec, &tr, im.opt.CRS)
			g = tr.boundary
		default:
			rw.fail("geometry", "want a Polygon or MultiPolygon boundary")
		}
		im.addProblems(rw.errs)
		if g == nil {
			continue
		}
		if c := normaliseCode(rw.text("code")); c != "" {
			out["code\x00"+c] = g
		}
		if n := rw.text("name"); n != "" {
			out["name\x00"+n] = g
		}
	}
	return out
}

// locatedFacility is one facility row with its place settled.
type locatedFacility struct {
	t     *table
	b     *binding
	rec   *record
	where orb.Point // WGS84
}

// facilityImportColumns are the facility columns plus an address.
var facilityImportColumns = append(slices.Clone(facilityColumns),
	column{key: "address", aliases: []string{"地址", "详细地址", "机构地址", "设施地址", "位置"}})

// facilityFile is a facility file whose rows are placed.
type facilityFile struct {
	name string
	t    *table
	rows []locatedFacility
}

// locateFacilities reads a facility file and settles each row's place:
// its coordinates, a place filled into the Locations file, or a match of
// its address. Rows that cannot be placed, or are far from any walkway,
// go to the import report and not into the bundle.
func (im *importer) locateFacilities(path, kind string) *facilityFile {
	if path == "" {
		return nil
	}
	name := filepath.Base(path)
	t, ps, ws := readTable(path, name)
	im.addProblems(ps)
	im.warn(ws)
	if t == nil {
		return nil
	}
	if len(t.rows) > MaxImportRows {
		im.probs.add(Problem{File: name, Message: fmt.Sprintf("%d rows; at most %d are read", len(t.rows), MaxImportRows)})
		return nil
	}
	cols := slices.Clone(facilityImportColumns)
	if kind == "health" {
		for i := range cols {
			if cols[i].key == "type" {
				cols[i].required = false
			}
		}
	}
	placeable := alternative{missing: func(b *binding) string {
		if located.missing(b) == "" || b.has("address") {
			return ""
		}
		return "lon (经度), lat (纬度), wkt, or address (地址)"
	}}
	b, bp := bind(t, cols, placeable)
	im.addProblems(bp)
	if len(bp) > 0 {
		return nil
	}
	ff := &facilityFile{name: name, t: t}
	for i := range t.rows {
		rec := &t.rows[i]
		rw := b.row(rec)
		id, fname, addr := rw.text("id"), rw.text("name"), rw.text("address")
		rw.id = fmt.Sprintf("id %q", id)
		issue := ImportIssue{Kind: kind, File: name, Row: rec.line, ID: id, Name: fname, Address: addr}
		var where orb.Point
		hasPlace := rec.geom != nil || rw.text("wkt") != "" || rw.text("lon") != "" || rw.text("lat") != ""
		fill, filled := im.fills[kind+"\x00"+id]
		switch {
		case hasPlace:
			p, ok := rw.location(rec.geom, "facility")
			if !ok {
				im.addProblems(rw.errs)
				continue
			}
			where = crs.ToWGS84(im.opt.CRS, p)
		case filled:
			where = fill
			issue.Status, issue.Confidence, issue.Placed = StatusFilledIn, 1, true
			issue.Message = "placed at the lon/lat filled into " + filepath.Base(im.opt.Locations)
			issue.Point = pointIn(im.opt.CRS, where)
			im.issues = append(im.issues, issue)
		case addr == "" && fname == "":
			rw.fail("address", "missing; a row without lon/lat (or wkt) needs an address")
			im.addProblems(rw.errs)
			continue
		default:
			m := im.addrs.match(addr, fname)
			issue.Status, issue.Confidence = string(m.Status), m.Confidence
			issue.Candidates = strings.Join(m.Candidates, "; ")
			switch m.Status {
			case MatchExact, MatchFuzzy:
				where = m.Point
				issue.Placed = true
				issue.Point = pointIn(im.opt.CRS, where)
				issue.Message = "placed by matching " + m.Source
				im.issues = append(im.issues, issue)
			case MatchAmbiguous:
				issue.Message = "the address matches several places; not placed: fill in 经度/纬度 and re-run with --locations"
				im.issues = append(im.issues, issue)
				continue
			default:
				issue.Message = "nothing in the OSM extract matches the address or name; not placed: fill in 经度/纬度 and re-run with --locations"
				im.issues = append(im.issues, issue)
				continue
			}
		}
		if _, why := im.na.snap(where); why != "" {
			issue.Status, issue.Placed, issue.Point = StatusFarFromWalkway, false, pointIn(im.opt.CRS, where)
			issue.Message = fmt.Sprintf("WGS84 (%.6f, %.6f) %s; left out of the bundle: check the place, or the walkways of the extract", where[0], where[1], why)
			im.issues = append(im.issues, issue)
			continue
		}
		ff.rows = append(ff.rows, locatedFacility{t: t, b: b, rec: rec, where: where})
	}
	return ff
}

// pointIn converts a WGS84 point to sys for the import report.
func pointIn(sys crs.System, p orb.Point) *orb.Point {
	q := crs.FromWGS84(sys, p)
	return &q
}

// hierarchy is the regions being built.
type hierarchy struct {
	regions []planner.Region // districts, streets, communities
	byCode  map[string]int
	rows    []*tableRegion // per region, its table row (nil when made up)
	given   [][4]bool
	point   []*orb.Point // per community, its point (WGS84)
}

func (h *hierarchy) add(r planner.Region, row *tableRegion) int {
	h.byCode[r.Code] = len(h.regions)
	h.regions = append(h.regions, r)
	h.rows = append(h.rows, row)
	var g [4]bool
	if row != nil {
		g = row.given
	}
	h.given = append(h.given, g)
	h.point = append(h.point, nil)
	return len(h.regions) - 1
}

// regionSet orders the regions parents first, as LoadBundle does.
func (h *hierarchy) regionSet() *regionSet {
	order := make([]int, len(h.regions))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return levelRank(h.regions[a].Level) - levelRank(h.regions[b].Level) })
	rs := &regionSet{file: RegionsFile, byCode: map[string]int32{}, byName: map[string][]int32{}}
	for k, i := range order {
		r := h.regions[i]
		rs.regions = append(rs.regions, r)
		rs.feature = append(rs.feature, k+1)
		rs.given = append(rs.given, h.given[i])
		rs.byCode[r.Code] = int32(k)
		if r.Level == planner.LevelCommunity {
			rs.byName[r.Name] = append(rs.byName[r.Name], int32(k))
		}
	}
	return rs
}

// buildHierarchy joins the tables into districts, streets and communities:
// codes imply parents, names are matched, what no table lists is made up
// from what the rows say. Boundaries come from the tables, the boundaries
// file, or OSM; communities without one and without a point are placed by
// their address or name, or left out and reported.
func (im *importer) buildHierarchy(comms, streets, districts []tableRegion, bounds map[string]orb.Geometry, haveGrid bool) *hierarchy {
	h := &hierarchy{byCode: map[string]int{}}
	osmAreas := im.osmAreas()
	boundaryOf := func(r *tableRegion) (orb.Geometry, string) {
		if r.boundary != nil {
			return r.boundary, BoundaryGiven
		}
		if g, ok := bounds["code\x00"+r.code]; ok && r.code != "" {
			return g, BoundaryGiven
		}
		if g, ok := bounds["name\x00"+r.name]; ok {
			return g, BoundaryGiven
		}
		if g, ok := osmAreas["code\x00"+r.code]; ok && r.code != "" {
			return g, BoundaryOSM
		}
		if g, ok := osmAreas["name\x00"+NormaliseAddress(r.name)]; ok {
			return g, BoundaryOSM
		}
		return nil, ""
	}
	byName := map[planner.Level]map[string]string{planner.LevelDistrict: {}, planner.LevelStreet: {}}
	addTable := func(rows []tableRegion, level planner.Level) {
		for i := range rows {
			r := &rows[i]
			code := r.code
			if code == "" {
				code = r.name
			}
			if j, dup := h.byCode[code]; dup {
				im.issues = append(im.issues, ImportIssue{Kind: string(level), File: r.file, Row: r.line, ID: code, Name: r.name, Status: StatusDuplicateCode,
					Message: fmt.Sprintf("code %s is already used by %s %s; this row is left out", code, h.regions[j].Level, h.regions[j].Name)})
				continue
			}
			reg := planner.Region{Code: code, Name: r.name, Level: level, AreaType: r.areaType, Age: r.age, Population: r.pop}
			reg.Boundary, reg.BoundarySource = boundaryOf(r)
			h.add(reg, r)
			byName[level][r.name] = code
		}
	}
	addTable(districts, planner.LevelDistrict)
	addTable(streets, planner.LevelStreet)
	// ensure returns the code of the region of level named by code or ref,
	// adding it when no table lists it.
	ensure := func(level planner.Level, code, ref string) string {
		if code != "" {
			if _, ok := h.byCode[code]; !ok {
				name := ref
				if name == "" || allDigits(name) {
					name = code
				}
				h.add(planner.Region{Code: code, Name: name, Level: level}, nil)
			} else if ref != "" && !allDigits(ref) && h.rows[h.byCode[code]] == nil {
				h.regions[h.byCode[code]].Name = ref
			}
			return code
		}
		if ref == "" {
			ref = im.opt.Name
		}
		if c, ok := byName[level][ref]; ok {
			return c
		}
		c := ref
		if _, taken := h.byCode[c]; taken {
			c = string(level) + ":" + ref
		}
		h.add(planner.Region{Code: c, Name: ref, Level: level}, nil)
		byName[level][ref] = c
		return c
	}
	// Streets' districts.
	for i := range h.regions {
		if h.regions[i].Level != planner.LevelStreet {
			continue
		}
		r := h.rows[i]
		dc := r.parentCode
		if dc == "" && r.parentRef == "" && len(r.code) == 12 && allDigits(r.code) {
			dc = r.code[:6] + "000000"
		}
		h.regions[i].Parent = ensure(planner.LevelDistrict, dc, r.parentRef)
	}
	for i := range comms {
		r := &comms[i]
		code := r.code
		if code == "" {
			code = r.name
		}
		if j, dup := h.byCode[code]; dup {
			im.issues = append(im.issues, ImportIssue{Kind: "community", File: r.file, Row: r.line, ID: code, Name: r.name, Status: StatusDuplicateCode,
				Message: fmt.Sprintf("code %s is already used by %s %s (%s row %d); this row is left out", code, h.regions[j].Level, h.regions[j].Name, r.file, rowOf(h.rows[j]))})
			continue
		}
		if !haveGrid && r.given == [4]bool{} {
			im.probs.add(Problem{File: r.file, Line: r.line, Feature: r.feature, ID: r.idText(), Field: "residents",
				Message: "missing; a community must give residents (常住人口) and elders 60+ (60岁以上人口), or the import a population grid (--population)"})
			continue
		}
		street := ensure(planner.LevelStreet, r.parentCode, strings.TrimSpace(r.parentRef))
		si := h.byCode[street]
		if h.regions[si].Parent == "" {
			dref := r.grandRef
			h.regions[si].Parent = ensure(planner.LevelDistrict, r.grandCode, dref)
		}
		reg := planner.Region{Code: code, Name: r.name, Level: planner.LevelCommunity, Parent: street, AreaType: r.areaType, Age: r.age, Population: r.pop}
		reg.Boundary, reg.BoundarySource = boundaryOf(r)
		pt := r.point
		if pt != nil && reg.Boundary == nil && !im.na.padded.Contains(*pt) {
			im.probs.add(Problem{File: r.file, Line: r.line, Feature: r.feature, ID: r.idText(), Field: "lon, lat",
				Message: fmt.Sprintf("WGS84 (%.6f, %.6f) lies outside the walking network's area %s%s", (*pt)[0], (*pt)[1], boundText(im.na.bound), swapHint(*pt, im.na.padded))})
			continue
		}
		if reg.Boundary == nil && pt == nil {
			pt = im.placeCommunity(r, code)
			if pt == nil {
				continue
			}
		}
		k := h.add(reg, r)
		h.point[k] = pt
	}
	return h
}

func rowOf(r *tableRegion) int {
	if r == nil {
		return 0
	}
	return r.line
}

// placeCommunity finds a community's point from the Locations file, or
// its address or name in the extract; nil (and a report row) when none.
func (im *importer) placeCommunity(r *tableRegion, code string) *orb.Point {
	issue := ImportIssue{Kind: "community", File: r.file, Row: r.line, ID: code, Name: r.name, Address: r.address}
	if p, ok := im.fills["community\x00"+code]; ok {
		issue.Status, issue.Confidence, issue.Placed, issue.Point = StatusFilledIn, 1, true, pointIn(im.opt.CRS, p)
		issue.Message = "placed at the lon/lat filled into " + filepath.Base(im.opt.Locations)
		im.issues = append(im.issues, issue)
		return &p
	}
	m := im.addrs.match(r.address, r.name)
	issue.Status, issue.Confidence, issue.Candidates = string(m.Status), m.Confidence, strings.Join(m.Candidates, "; ")
	switch m.Status {
	case MatchExact, MatchFuzzy:
		issue.Placed, issue.Point = true, pointIn(im.opt.CRS, m.Point)
		issue.Message = "no point or boundary in the table; placed by matching " + m.Source + "; its area is derived"
		im.issues = append(im.issues, issue)
		p := m.Point
		return &p
	case MatchAmbiguous:
		issue.Message = "no point or boundary in the table, and its name or address matches several places; left out: fill in 经度/纬度 and re-run with --locations"
	default:
		issue.Message = "no point or boundary in the table, and nothing in the OSM extract matches its name or address; left out: fill in 经度/纬度 and re-run with --locations"
	}
	im.issues = append(im.issues, issue)
	return nil
}

// osmAreas returns the extract's closed administrative boundaries and
// place areas, by ref (code) and by normalised name; a name used by
// several areas is left out.
func (im *importer) osmAreas() map[string]orb.Geometry {
	out := map[string]orb.Geometry{}
	seen := map[string]int{}
	for _, f := range im.feats {
		if f.Ring == nil || (f.Tags["boundary"] != "administrative" && f.Tags["place"] == "") {
			continue
		}
		poly := orb.Polygon{f.Ring}
		for _, key := range []string{"code\x00" + normaliseCode(f.Tags["ref"]), "name\x00" + NormaliseAddress(f.Tags["name"]), "name\x00" + NormaliseAddress(f.Tags["name:zh"])} {
			if strings.HasSuffix(key, "\x00") {
				continue
			}
			seen[key]++
			out[key] = poly
		}
	}
	for k, n := range seen {
		if n > 1 {
			delete(out, k)
		}
	}
	return out
}

// deriveAreas gives every community without a boundary an area cut from
// the built-up area, and every street and district without one the union
// of its communities' areas.
func (im *importer) deriveAreas(ctx context.Context, h *hierarchy, grid *populationGrid, facs ...*facilityFile) error {
	var in partitionInput
	in.graph, in.index = im.ex.Graph, im.index
	var siteRegion []int
	groupOf := map[string]int{} // street code → group
	for _, r := range h.regions {
		if r.Level == planner.LevelStreet && r.Boundary != nil && r.BoundarySource != BoundaryDerived {
			groupOf[r.Code] = len(in.groupAreas)
			in.groupAreas = append(in.groupAreas, r.Boundary)
		}
	}
	var given []orb.Geometry
	for i, r := range h.regions {
		if r.Level != planner.LevelCommunity {
			continue
		}
		if r.Boundary != nil {
			given = append(given, r.Boundary)
			continue
		}
		p := *h.point[i]
		siteRegion = append(siteRegion, i)
		in.sites = append(in.sites, p)
		g, ok := groupOf[r.Parent]
		if !ok {
			g = -1
		} else if !geometryContains(in.groupAreas[g], p) {
			row := h.rows[i]
			im.issues = append(im.issues, ImportIssue{Kind: "community", File: row.file, Row: row.line, ID: r.Code, Name: r.Name, Status: StatusOutsideStreet,
				Placed: true, Point: pointIn(im.opt.CRS, p), Message: fmt.Sprintf("its point (WGS84 %.6f, %.6f) lies outside the boundary of its street %s; its area is still cut from that street", p[0], p[1], h.regions[h.byCode[r.Parent]].Name)})
		}
		in.group = append(in.group, g)
	}
	for _, b := range im.ex.Buildings {
		in.builtUp = append(in.builtUp, b.Footprint.Bound().Center())
	}
	if grid != nil {
		for _, c := range grid.cells {
			in.builtUp = append(in.builtUp, c.Location)
		}
	}
	for _, ff := range facs {
		if ff != nil {
			for _, r := range ff.rows {
				in.builtUp = append(in.builtUp, r.where)
			}
		}
	}
	if len(in.builtUp) == 0 {
		in.builtUp = im.ex.Graph.Points
	}
	if len(given) > 0 {
		in.taken = func(p orb.Point) bool {
			return slices.ContainsFunc(given, func(g orb.Geometry) bool { return geometryContains(g, p) })
		}
	}
	part, err := partitionBuiltUp(ctx, in)
	if err != nil {
		return err
	}
	im.part = part
	for _, i := range siteRegion {
		im.partCodes = append(im.partCodes, h.regions[i].Code)
	}
	// Communities: the union of their cells.
	cellsOf := map[string][]h3.Cell{} // region code → cells (derived only)
	for s, i := range siteRegion {
		r := &h.regions[i]
		r.BoundarySource = BoundaryDerived
		if len(part.cells[s]) == 0 {
			r.Boundary = *h.point[i]
			row := h.rows[i]
			im.issues = append(im.issues, ImportIssue{Kind: "community", File: row.file, Row: row.line, ID: r.Code, Name: r.Name, Status: StatusNoArea, Placed: true,
				Message: "no built-up area is nearer to it than to another community; it is kept as a point"})
			continue
		}
		g, err := cellsArea(part.cells[s])
		if err != nil {
			return fmt.Errorf("community %s: %w", r.Code, err)
		}
		r.Boundary = g
		cellsOf[r.Code] = part.cells[s]
	}
	// Streets, then districts, without a boundary: the union of their
	// children, when every child's area is derived.
	for _, level := range []planner.Level{planner.LevelStreet, planner.LevelDistrict} {
		union := map[string][]h3.Cell{}
		complete := map[string]bool{}
		for _, r := range h.regions {
			if parentLevel[r.Level] != level {
				continue
			}
			if _, ok := complete[r.Parent]; !ok {
				complete[r.Parent] = true
			}
			cs, ok := cellsOf[r.Code]
			if !ok {
				complete[r.Parent] = false
			}
			union[r.Parent] = append(union[r.Parent], cs...)
		}
		for i := range h.regions {
			r := &h.regions[i]
			if r.Level != level || r.Boundary != nil || !complete[r.Code] || len(union[r.Code]) == 0 {
				continue
			}
			g, err := cellsArea(union[r.Code])
			if err != nil {
				return fmt.Errorf("%s %s: %w", r.Level, r.Code, err)
			}
			r.Boundary, r.BoundarySource = g, BoundaryDerived
			cellsOf[r.Code] = union[r.Code]
		}
	}
	return nil
}

// checkSums lists streets and districts whose own numbers differ from the
// sum of their communities by more than 1%.
func (im *importer) checkSums(h *hierarchy) {
	sums := map[string]planner.Population{}
	complete := map[string]bool{}
	// Communities first, then streets: levels are summed bottom-up.
	for _, level := range []planner.Level{planner.LevelCommunity, planner.LevelStreet} {
		for i, r := range h.regions {
			if r.Level != level {
				continue
			}
			p := r.Population
			full := h.given[i][0] && h.given[i][2]
			if level == planner.LevelStreet {
				p, full = sums[r.Code], complete[r.Code]
			}
			if _, ok := complete[r.Parent]; !ok {
				complete[r.Parent] = true
			}
			complete[r.Parent] = complete[r.Parent] && full
			sums[r.Parent] = sums[r.Parent].Add(p)
		}
	}
	for i, r := range h.regions {
		row := h.rows[i]
		if row == nil || r.Level == planner.LevelCommunity || !complete[r.Code] {
			continue
		}
		s := sums[r.Code]
		for _, c := range []struct {
			key       string
			own, summ float64
			given     bool
		}{
			{"residents", r.Residents, s.Residents, row.given[0]}, {"households", r.Households, s.Households, row.given[1]},
			{"elders_60", r.Elders60, s.Elders60, row.given[2]}, {"elders_80", r.Elders80, s.Elders80, row.given[3]},
		} {
			if c.given && math.Abs(c.own-c.summ) > 0.01*math.Max(c.own, c.summ) {
				im.issues = append(im.issues, ImportIssue{Kind: string(r.Level), File: row.file, Row: row.line, ID: r.Code, Name: r.Name, Status: StatusSumMismatch,
					Message: fmt.Sprintf("%s %s differs from the sum of its %s, %s, by more than 1%%; the bundle uses the sum", c.key, formatNumber(c.own), childrenOf(r.Level), formatNumber(c.summ))})
			}
		}
	}
}

// copyFile copies src to dst through a temporary file.
func copyFile(dst, src string) error {
	return writeFileAtomic(dst, func(w io.Writer) error {
		f, err := os.Open(src)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(w, f)
		return err
	})
}
