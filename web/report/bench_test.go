package report

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/carecircle/carecircle/data"
	"github.com/carecircle/carecircle/planner"
)

// BenchmarkReportCity writes the gap report of the city demo (≈10 M
// residents, 5,000 communities, 320 streets, ≈5,400 facilities): the XLSX
// workbook, the HTML file, and both after a fresh assessment (the whole
// "full gap report" of DESIGN.md, whose budget is < 5 s). Generating the
// city and its model (≈13 s) is setup, not timed. Run with -benchtime 1x.
func BenchmarkReportCity(b *testing.B) {
	ctx := context.Background()
	start := time.Now()
	bundle, err := data.DemoBundle(ctx, "city", 1)
	if err != nil {
		b.Fatal(err)
	}
	m, err := planner.NewModel(ctx, bundle.City, bundle.Profile, bundle.Index)
	if err != nil {
		b.Fatal(err)
	}
	opt := data.ReportOptions{Regions: bundle.City.Regions, Source: "demo city seed 1", Date: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)}
	a, err := m.Baseline().Clone().Assess(ctx, "baseline")
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("setup (generate, model, assess): %s; %d regions, %d facilities, %d gaps", time.Since(start).Round(time.Millisecond), len(a.Regions), len(a.Facilities), len(a.Gaps))
	in := Input{Assessment: a, Eval: m.Baseline(), Options: opt}
	write := func(b *testing.B, format string, in Input) int {
		var buf bytes.Buffer
		if err := Write(ctx, &buf, format, in); err != nil {
			b.Fatal(err)
		}
		return buf.Len()
	}
	for _, format := range []string{"xlsx", "html"} {
		b.Run(format, func(b *testing.B) {
			n := 0
			for i := 0; i < b.N; i++ {
				n = write(b, format, in)
			}
			b.ReportMetric(float64(n)/1e6, "MB")
		})
	}
	b.Run("assess+xlsx+html", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			e := m.Baseline().Clone()
			a, err := e.Assess(ctx, "baseline")
			if err != nil {
				b.Fatal(err)
			}
			in := Input{Assessment: a, Eval: e, Options: opt}
			write(b, "xlsx", in)
			write(b, "html", in)
		}
	})
	// One district of the city, as a bureau asks for it.
	var district string
	for _, r := range a.Regions {
		if r.Level == planner.LevelDistrict {
			district = r.Code
			break
		}
	}
	scoped := in
	scoped.Options.Region = district
	b.Run("district-xlsx+html", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			write(b, "xlsx", scoped)
			write(b, "html", scoped)
		}
	})
}
