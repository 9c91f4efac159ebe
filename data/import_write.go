package data

import (
	"encoding/csv"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"

	"github.com/paulmach/orb"

	"github.com/carecircle/carecircle/data/crs"
	"github.com/carecircle/carecircle/geo"
	"github.com/carecircle/carecircle/planner"
)

// write writes the bundle: the OSM extract (copied), regions.geojson,
// facilities.csv, health.csv, population.csv, the profile when it is a
// file, and city.yaml last. Facility rows are checked here, against the
// regions, by the bundle's own facility reader; their problems name the
// imported file and row.
func (im *importer) write(rs *regionSet, grid *populationGrid, facs, health *facilityFile) error {
	out := im.opt.Out
	fr := &facilityReader{sys: crs.WGS84, regions: rs, net: im.na, ids: map[string]string{}}
	var elder, hlth []planner.Facility
	for _, ff := range []*facilityFile{facs, health} {
		if ff == nil {
			continue
		}
		list := im.parseFacilities(fr, ff, ff == health)
		elder = append(elder, list.elder...)
		hlth = append(hlth, list.health...)
	}
	var cells []planner.PopulationCell
	if grid != nil {
		g, ps, _ := readPopulation(im.opt.Population, filepath.Base(im.opt.Population), im.opt.CRS, rs)
		im.addProblems(ps)
		if g != nil {
			cells = im.assignCells(g, rs)
			grid = g
		}
	}
	if im.probs.any() {
		return nil
	}

	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("import: %w", err)
	}
	cfg := Config{Name: im.opt.Name, CRS: crs.WGS84, OSM: filepath.Base(im.opt.OSM), Regions: RegionsFile, Facilities: FacilitiesFile}
	type file struct {
		name  string
		write func(io.Writer) error
	}
	files := []file{
		{RegionsFile, func(w io.Writer) error { return writeRegions(w, rs.regions, rs.given) }},
		{FacilitiesFile, func(w io.Writer) error { return writeFacilities(w, elder) }},
	}
	if len(hlth) > 0 {
		cfg.Health = HealthFile
		files = append(files, file{HealthFile, func(w io.Writer) error { return writeFacilities(w, hlth) }})
	}
	if grid != nil {
		cfg.Population = PopulationFile
		files = append(files, file{PopulationFile, func(w io.Writer) error { return writeImportedPopulation(w, cells, grid.cohorts, rs) }})
	}
	switch p := im.opt.Profile; {
	case p == "":
	case isBuiltinName(p):
		cfg.Profile = p
	default:
		if _, err := LoadProfile(p); err != nil {
			return fmt.Errorf("import: --profile %s: %w", p, err)
		}
		cfg.Profile = ProfileFile
		src := p
		files = append(files, file{ProfileFile, func(w io.Writer) error {
			b, err := os.ReadFile(src)
			if err != nil {
				return err
			}
			_, err = w.Write(b)
			return err
		}})
	}
	if err := copyFile(filepath.Join(out, cfg.OSM), im.opt.OSM); err != nil {
		return fmt.Errorf("import: copying the OSM extract: %w", err)
	}
	files = append(files, file{ConfigFile, func(w io.Writer) error { return writeConfig(w, &cfg) }})
	for _, f := range files {
		if err := writeFileAtomic(filepath.Join(out, f.name), f.write); err != nil {
			return fmt.Errorf("import: writing %s: %w", f.name, err)
		}
	}
	return nil
}

// parseFacilities checks the placed rows of a facility file with the
// bundle's facility reader, their place given as WGS84 lon/lat.
func (im *importer) parseFacilities(fr *facilityReader, ff *facilityFile, healthFile bool) *facilityList {
	out := &facilityList{}
	if len(ff.rows) == 0 {
		return out
	}
	t := ff.t
	t2 := &table{file: t.file, headers: append(slices2(t.headers), "lon", "lat")}
	b := ff.rows[0].b
	b2 := &binding{t: t2, idx: maps.Clone(b.idx), name: maps.Clone(b.name)}
	delete(b2.idx, "wkt")
	b2.idx["lon"], b2.idx["lat"] = len(t.headers), len(t.headers)+1
	b2.name["lon"], b2.name["lat"] = "lon", "lat"
	for _, r := range ff.rows {
		cells := make([]string, len(t.headers), len(t.headers)+2)
		copy(cells, r.rec.cells)
		rec := record{line: r.rec.line, feature: r.rec.feature, cells: append(cells, formatNumber(r.where[0]), formatNumber(r.where[1]))}
		rw := b2.row(&rec)
		f, _, ok := fr.parse(rw, &rec, healthFile)
		im.addProblems(rw.errs)
		if !ok {
			continue
		}
		// A facility naming no community is given the one it stands in
		// when the bundle is loaded.
		if f.Type == planner.Health {
			out.health = append(out.health, f)
		} else {
			out.elder = append(out.elder, f)
		}
	}
	return out
}

func slices2(s []string) []string { return append([]string(nil), s...) }

// assignCells gives every grid cell that names no community the
// community whose area holds it: a given boundary, else the derived area
// of its H3 cell, else the nearest community point.
func (im *importer) assignCells(g *populationGrid, rs *regionSet) []planner.PopulationCell {
	var pts []orb.Point
	var idx []int
	for i, c := range g.cells {
		if c.Community >= 0 {
			continue
		}
		if s := im.part.siteOf(c.Location); s >= 0 {
			g.cells[i].Community = rs.byCode[im.partCodes[s]]
			continue
		}
		pts = append(pts, c.Location)
		idx = append(idx, i)
	}
	for k, c := range planner.AssignCommunities(rs.regions, pts) {
		if c < 0 {
			c = nearestCommunity(rs, pts[k])
		}
		g.cells[idx[k]].Community = c
	}
	return g.cells
}

// nearestCommunity returns the community whose interior point is nearest
// to p.
func nearestCommunity(rs *regionSet, p orb.Point) int32 {
	best, bestD := int32(-1), 0.0
	for i, r := range rs.regions {
		if r.Level != planner.LevelCommunity || r.Boundary == nil {
			continue
		}
		if d := geo.Haversine(p, planner.InteriorPoint(r.Boundary)); best < 0 || d < bestD {
			best, bestD = int32(i), d
		}
	}
	return best
}

// writeImportedPopulation writes the grid with every cell's community and
// only the cohorts the grid gave, so that communities with their own
// numbers share them out as LoadBundle documents.
func writeImportedPopulation(w io.Writer, cells []planner.PopulationCell, cohorts [4]bool, rs *regionSet) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	head := []string{"lon", "lat", "community_code", "residents"}
	for k, key := range []string{"households", "elders_60", "elders_80"} {
		if cohorts[k+1] {
			head = append(head, key)
		}
	}
	cw.Write(head)
	for _, c := range cells {
		if c.Community < 0 {
			continue
		}
		row := []string{formatNumber(c.Location[0]), formatNumber(c.Location[1]), rs.regions[c.Community].Code, formatNumber(c.Residents)}
		for k, v := range []float64{c.Households, c.Elders60, c.Elders80} {
			if cohorts[k+1] {
				row = append(row, formatNumber(v))
			}
		}
		cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}
