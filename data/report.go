package data

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/carecircle/carecircle/planner"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// ReportFormats lists the report formats this package writes.
func ReportFormats() []string { return []string{"json", "csv", "geojson"} }

// WriteReport writes an assessment in format: "json" (the whole
// assessment), "csv" (one row per region with every indicator, UTF-8 with
// a byte-order mark so Excel reads Chinese) or "geojson" (the regions'
// boundaries with their indicators). regions supplies the boundaries for
// GeoJSON; it is the city's region list the assessment was made from.
func WriteReport(w io.Writer, format string, a *planner.Assessment, regions []planner.Region) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(a)
	case "csv":
		return writeReportCSV(w, a)
	case "geojson":
		return writeReportGeoJSON(w, a, regions)
	}
	return fmt.Errorf("report format %q: want one of %v", format, ReportFormats())
}

// utf8BOM makes Excel open a CSV as UTF-8 rather than the local code page.
const utf8BOM = "\ufeff"

func writeReportCSV(w io.Writer, a *planner.Assessment) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(utf8BOM)
	cw := csv.NewWriter(bw)
	header := append([]string{"code", "name", "level", "parent"}, planner.IndicatorNames()...)
	if err := cw.Write(header); err != nil {
		return err
	}
	row := func(code, name string, level planner.Level, parent string, in planner.Indicators) error {
		rec := []string{code, name, string(level), parent}
		for _, v := range in.Values() {
			rec = append(rec, strconv.FormatFloat(v, 'f', -1, 64))
		}
		return cw.Write(rec)
	}
	if err := row("", a.City.Name, planner.LevelCity, "", a.City.Indicators); err != nil {
		return err
	}
	for _, r := range a.Regions {
		if err := row(r.Code, r.Name, r.Level, r.Parent, r.Indicators); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

func writeReportGeoJSON(w io.Writer, a *planner.Assessment, regions []planner.Region) error {
	bound := map[string]orb.Geometry{}
	for _, r := range regions {
		bound[r.Code] = r.Boundary
	}
	fc := geojson.NewFeatureCollection()
	names := planner.IndicatorNames()
	for _, r := range a.Regions {
		g := bound[r.Code]
		if g == nil {
			continue // streets and districts given without boundaries
		}
		f := geojson.NewFeature(g)
		f.Properties = geojson.Properties{"code": r.Code, "name": r.Name, "level": string(r.Level), "parent": r.Parent}
		for i, v := range r.Indicators.Values() {
			f.Properties[names[i]] = v
		}
		fc.Append(f)
	}
	enc := json.NewEncoder(w)
	return enc.Encode(fc)
}
