package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"log/slog"

	"github.com/carecircle/carecircle/data"
	"github.com/spf13/cobra"
)

func newReportCmd() *cobra.Command {
	var cf cityFlags
	var format, out string
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Judge a city against its standards profile and write the coverage-gap report",
		Long: "Judges every community, street and district against the standards profile and\n" +
			"writes the report: json (everything: indicators, facilities, ranked gaps with\n" +
			"clause and source), csv (one row per region, UTF-8 with BOM) or geojson\n" +
			"(region boundaries with their indicators). See docs/indicators.md.",
		Example: "  carecircle report --demo --format json --out report.json\n" +
			"  carecircle report --city ./mycity --profile chongqing --format csv --out regions.csv",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cf.args(cmd, args); err != nil {
				return err
			}
			if out != "" && format == "" {
				format = strings.TrimPrefix(filepath.Ext(out), ".")
			}
			if format == "" {
				format = "json"
			}
			if !slices.Contains(data.ReportFormats(), format) {
				return fmt.Errorf("--format %q: want one of %s", format, strings.Join(data.ReportFormats(), ", "))
			}
			b, err := cf.load(cmd.Context())
			if err != nil {
				return err
			}
			m, err := buildModel(cmd.Context(), b)
			if err != nil {
				return err
			}
			start := time.Now()
			a, err := m.Baseline().Assess(cmd.Context(), "baseline")
			if err != nil {
				return err
			}
			slog.Info("assessed", "regions", len(a.Regions), "gaps", len(a.Gaps), "took", time.Since(start).Round(time.Millisecond))
			write := func(w io.Writer) error { return data.WriteReport(w, format, a, b.City.Regions) }
			if out == "" {
				return write(cmd.OutOrStdout())
			}
			return writeFileAtomic(out, write)
		},
	}
	cf.register(cmd)
	cmd.Flags().StringVar(&format, "format", "", "json, csv or geojson (default: from --out's extension, else json)")
	cmd.Flags().StringVar(&out, "out", "", "output file (default: standard output)")
	return cmd
}

// writeFileAtomic writes path through a temporary file in the same folder,
// so an interrupted write never leaves half a report under its name.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
