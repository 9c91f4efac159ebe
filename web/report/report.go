// Package report renders the coverage-gap report for print: one
// self-contained HTML file (A4 print CSS, maps and charts as inline SVG,
// no request outside the file) and, through headless Chromium, PDF. The
// data formats (json, csv, geojson, xlsx) are package data's; Write
// serves every format through one call.
package report

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/carecircle/carecircle/data"
	"github.com/carecircle/carecircle/planner"
)

// Formats lists every report format, data's and the printable ones.
func Formats() []string { return append(data.ReportFormats(), "html", "pdf") }

// Input is what a report is made from.
type Input struct {
	// Assessment is the whole city's assessment (Options.Region scopes it).
	Assessment *planner.Assessment
	// Eval is the evaluation that was assessed: the map of uncovered
	// elders reads it. nil leaves that map out.
	Eval *planner.Evaluation
	// Options say what the report covers and how it reads.
	Options data.ReportOptions
	// Chromium is the browser that prints PDFs; "" looks for one
	// (FindChromium).
	Chromium string
}

// Write writes the report in format: html and pdf here, the others by
// data.WriteReport.
func Write(ctx context.Context, w io.Writer, format string, in Input) error {
	in = forPlanners(in)
	switch format {
	case "html":
		return HTML(w, in)
	case "pdf":
		return PDF(ctx, w, in)
	}
	if !slices.Contains(data.ReportFormats(), format) {
		return fmt.Errorf("report format %q: want one of %s", format, strings.Join(Formats(), ", "))
	}
	return data.WriteReport(w, format, in.Assessment, in.Options)
}

// ContentType is the media type of a report format.
func ContentType(format string) string {
	switch format {
	case "xlsx":
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case "html":
		return "text/html; charset=utf-8"
	case "pdf":
		return "application/pdf"
	case "csv":
		return "text/csv; charset=utf-8"
	case "geojson":
		return "application/geo+json"
	case "json":
		return "application/json; charset=utf-8"
	}
	return "application/octet-stream"
}

// FileName is the name a report is saved under:
// 缺口报告-<city>[-<region>]-<scenario>-<date>.<format> (gap-report-… in
// English), with characters that file systems refuse replaced.
func FileName(in *Input, format string) string {
	o := &in.Options
	parts := []string{data.Pick(planner.Text{ZH: "缺口报告", EN: "gap-report"}, o.Lang)}
	if in.Assessment != nil {
		parts = append(parts, in.Assessment.City.Name)
		if r, ok := in.Assessment.ScopeRegion(o.Region); ok && o.Region != "" {
			parts = append(parts, r.Name)
		}
	}
	if o.IsScenario() {
		name := o.Scenario.Name
		if name == "" {
			name = o.Scenario.ID
		}
		parts = append(parts, name)
	} else {
		parts = append(parts, data.Pick(planner.Text{ZH: "现状", EN: "baseline"}, o.Lang))
	}
	if !o.Date.IsZero() {
		parts = append(parts, o.Date.Format("2006-01-02"))
	}
	return sanitizeName(strings.Join(parts, "-")) + "." + format
}

// sanitizeName keeps a file name to characters every file system takes.
func sanitizeName(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r < 0x20, strings.ContainsRune(`/\:*?"<>|`, r):
			return '_'
		case r == ' ':
			return '_'
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 150 {
		s = string(r[:150])
	}
	return s
}

// forPlanners is in with the city's display name and data source, so no
// "(synthetic district, seed 1)" reaches a report; the assessment is
// copied, not changed.
func forPlanners(in Input) Input {
	if in.Assessment != nil {
		a := *in.Assessment
		a.City.Name = data.DisplayName(a.City.Name)
		in.Assessment = &a
	}
	in.Options.Source = data.DisplaySource(in.Options.Source, in.Options.FromOSM, in.Options.Lang)
	return in
}
