package data

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/carecircle/carecircle/planner"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// ReportFormats lists the report formats this package writes. The
// printable formats (html, pdf) are written by package web/report.
func ReportFormats() []string { return []string{"json", "csv", "geojson", "xlsx"} }

// CSVTables lists the tables a CSV report can hold (ReportOptions.Table).
func CSVTables() []string { return []string{"regions", "gaps", "facilities"} }

// ReportOptions say what a report covers and how it reads. The zero value
// is the whole city in Chinese, dated today.
type ReportOptions struct {
	// Lang is the language of headers and labels: "zh" (the default) or
	// "en".
	Lang string
	// Region scopes the report to a district, street or community and
	// everything in it (planner.Assessment.Scope); "" is the whole city.
	Region string
	// Regions is the city's region list the assessment was made from:
	// boundaries for GeoJSON and maps, residential age for tables.
	Regions []planner.Region
	// Scenario is the scenario assessed; nil (or the id "baseline") is
	// today's city.
	Scenario *planner.Scenario
	// Proposals are the effects of the scenario's edits
	// (planner.ProposalEffects): the 方案 sheet.
	Proposals []planner.ProposalEffect
	// Before is the baseline's summary, aligned with Regions; with a
	// scenario it adds the baseline's figures and the change to the
	// summary. Optional.
	Before *planner.Summary
	// Date is the report's date; zero means today.
	Date time.Time
	// Source says where the city's data came from (a bundle folder, or
	// "demo district seed 1"), for the summary.
	Source string
	// FromOSM says the walking network and base map are OpenStreetMap
	// data, which the report must credit.
	FromOSM bool
	// Table picks the table of a CSV report: "regions" (the default, one
	// row per region with every indicator), "gaps" (the ranked gap list)
	// or "facilities".
	Table string
}

// Normalize checks the options and fills in their defaults: the language
// (zh), the date (today) and the CSV table (regions).
func (o *ReportOptions) Normalize() error {
	switch strings.ToLower(o.Lang) {
	case "", "zh", "zh-cn", "cn":
		o.Lang = "zh"
	case "en":
		o.Lang = "en"
	default:
		return fmt.Errorf("language %q: want zh or en", o.Lang)
	}
	if o.Date.IsZero() {
		o.Date = time.Now()
	}
	if o.Table == "" {
		o.Table = "regions"
	}
	for _, t := range CSVTables() {
		if o.Table == t {
			return nil
		}
	}
	return fmt.Errorf("CSV table %q: want one of %s", o.Table, strings.Join(CSVTables(), ", "))
}

// IsScenario reports whether the options name a scenario other than the
// baseline.
func (o *ReportOptions) IsScenario() bool {
	return o.Scenario != nil && o.Scenario.ID != "" && o.Scenario.ID != "baseline"
}

// ScopeProposals returns the proposals whose facility lies in a region
// of the scoped assessment a (all of them when a covers the whole city).
func ScopeProposals(a *planner.Assessment, region string, ps []planner.ProposalEffect) []planner.ProposalEffect {
	if region == "" {
		return ps
	}
	in := map[string]bool{}
	for _, r := range a.Regions {
		in[r.Code] = true
	}
	var out []planner.ProposalEffect
	for _, p := range ps {
		if in[p.Community] {
			out = append(out, p)
		}
	}
	return out
}

// WriteReport writes an assessment in format: "json" (the whole
// assessment, with the scenario's proposals when given), "csv" (one
// table, UTF-8 with a byte-order mark so Excel reads Chinese: by default
// one row per region with every indicator), "geojson" (the regions'
// boundaries with their indicators) or "xlsx" (the workbook of
// docs/reports.md). a is the whole city's assessment; opt.Region scopes
// it.
func WriteReport(w io.Writer, format string, a *planner.Assessment, opt ReportOptions) error {
	if err := opt.Normalize(); err != nil {
		return err
	}
	a, err := a.Scope(opt.Region, opt.Regions)
	if err != nil {
		return err
	}
	opt.Proposals = ScopeProposals(a, opt.Region, opt.Proposals)
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			*planner.Assessment
			Region    string                   `json:"region,omitempty"`
			Proposals []planner.ProposalEffect `json:"proposals,omitempty"`
		}{a, opt.Region, opt.Proposals})
	case "csv":
		switch opt.Table {
		case "gaps":
			return writeGapsCSV(w, a, opt.Lang)
		case "facilities":
			return writeFacilitiesCSV(w, a)
		}
		return writeReportCSV(w, a, opt.Region != "")
	case "geojson":
		return writeReportGeoJSON(w, a, opt.Regions)
	case "xlsx":
		return writeReportXLSX(w, a, &opt)
	}
	return fmt.Errorf("report format %q: want one of %v", format, ReportFormats())
}

// utf8BOM makes Excel open a CSV as UTF-8 rather than the local code page.
const utf8BOM = "\ufeff"

// writeCSV writes a header and rows as CSV, UTF-8 with a byte-order mark
// and CRLF line ends, as Excel writes CSV. Region codes are written as the
// plain digits they are, so programs read them unchanged; Excel shows a
// 12-digit code in scientific notation when it opens a CSV by double
// click, which is why the XLSX report (codes stored as text) is the one
// for Excel (docs/reports.md).
func writeCSV(w io.Writer, header []string, rows func(emit func([]string) error) error) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(utf8BOM)
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	if err := cw.Write(header); err != nil {
		return err
	}
	if err := rows(func(rec []string) error { return cw.Write(safeCells(rec)) }); err != nil {
		return err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// safeCells returns rec with every text cell that a spreadsheet would run
// as a formula (one starting with =, +, -, @, a tab or a carriage return:
// a facility named "=HYPERLINK(...)") prefixed with a single quote, as
// OWASP advises against CSV injection; numbers such as "-3.5" are kept.
func safeCells(rec []string) []string {
	var out []string
	for i, s := range rec {
		if s == "" || !strings.ContainsRune("=+-@\t\r", rune(s[0])) {
			continue
		}
		if _, err := strconv.ParseFloat(s, 64); err == nil && s[0] != '=' && s[0] != '@' {
			continue
		}
		if out == nil {
			out = slices.Clone(rec)
		}
		out[i] = "'" + s
	}
	if out == nil {
		return rec
	}
	return out
}

// num writes a number without float noise: 120917.00000000003 is 120917.
// Seven decimals keep coordinates to about a centimetre.
func num(v float64) string { return strconv.FormatFloat(round7(v), 'f', -1, 64) }

// round7 rounds v to 7 decimals (not -0); huge, NaN and infinite values
// pass unchanged.
func round7(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > 1e11 {
		return v
	}
	r := math.Round(v*1e7) / 1e7
	if r == 0 {
		return 0
	}
	return r
}

// writeReportCSV writes one row per region; the whole city's report
// starts with the city's totals, a scoped one with the scope's region.
func writeReportCSV(w io.Writer, a *planner.Assessment, scoped bool) error {
	header := append([]string{"code", "name", "level", "parent"}, planner.IndicatorNames()...)
	return writeCSV(w, header, func(emit func([]string) error) error {
		row := func(code, name string, level planner.Level, parent string, in planner.Indicators) error {
			rec := []string{code, name, string(level), parent}
			for _, v := range in.Values() {
				rec = append(rec, num(v))
			}
			return emit(rec)
		}
		if !scoped {
			if err := row("", a.City.Name, planner.LevelCity, "", a.City.Indicators); err != nil {
				return err
			}
		}
		for _, r := range a.Regions {
			if err := row(r.Code, r.Name, r.Level, r.Parent, r.Indicators); err != nil {
				return err
			}
		}
		return nil
	})
}

// writeGapsCSV writes the ranked gap list, one row per gap, with the
// message in lang.
func writeGapsCSV(w io.Writer, a *planner.Assessment, lang string) error {
	header := []string{"rank", "region", "region_name", "level", "facility", "indicator", "value", "standard", "shortfall", "unit",
		"elders_affected", "message", "figure", "clause", "source"}
	return writeCSV(w, header, func(emit func([]string) error) error {
		for _, g := range a.Gaps {
			msg := g.Message.ZH
			if lang == "en" {
				msg = g.Message.EN
			}
			if err := emit([]string{strconv.Itoa(g.Rank), g.Region, g.RegionName, string(g.Level), g.Facility, g.Indicator,
				num(g.Value), num(g.Standard), num(g.Shortfall), g.Unit, num(g.EldersAffected), msg, g.FigureKey, g.Clause, g.Source}); err != nil {
				return err
			}
		}
		return nil
	})
}

// writeFacilitiesCSV writes every facility with its findings.
func writeFacilitiesCSV(w io.Writer, a *planner.Assessment) error {
	header := []string{"id", "name", "type", "status", "operator", "community_code", "lon", "lat", "floor_area_m2", "land_area_m2",
		"beds", "nursing_beds", "counts_as_supply", "elders_15min", "elders_unserved_in_circle", "health_minutes", "center", "merge_with", "flags"}
	return writeCSV(w, header, func(emit func([]string) error) error {
		for _, f := range a.Facilities {
			flags := make([]string, len(f.Flags))
			for i, fl := range f.Flags {
				flags[i] = string(fl)
			}
			if err := emit([]string{f.ID, f.Name, string(f.Type), string(f.Status), string(f.Operator), f.Community, num(f.Lon), num(f.Lat),
				num(f.FloorArea), num(f.LandArea), num(f.Beds), num(f.NursingBeds), strconv.FormatBool(f.Supply), num(f.Elders15),
				num(f.EldersUnserved), num(f.HealthMinutes), f.Center, strings.Join(f.MergeWith, " "), strings.Join(flags, " ")}); err != nil {
				return err
			}
		}
		return nil
	})
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
		// Coordinates at 7 decimals (≈1 cm); the city's own geometry is
		// left as it is.
		f := geojson.NewFeature(orb.Round(orb.Clone(g), 1e7))
		f.Properties = geojson.Properties{"code": r.Code, "name": r.Name, "level": string(r.Level), "parent": r.Parent}
		for i, v := range r.Indicators.Values() {
			f.Properties[names[i]] = round7(v)
		}
		fc.Append(f)
	}
	enc := json.NewEncoder(w)
	return enc.Encode(fc)
}
