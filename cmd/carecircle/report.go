package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"log/slog"

	"github.com/carecircle/carecircle/data"
	"github.com/carecircle/carecircle/planner"
	"github.com/carecircle/carecircle/web/report"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// reportFlags are the report command's own flags.
type reportFlags struct {
	format, out, scenario, db, region, lang, table string
}

func newReportCmd() *cobra.Command {
	var cf cityFlags
	var rf reportFlags
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Judge a city against its standards profile and write the coverage-gap report",
		Long: "Judges every community, street and district against the standards profile and\n" +
			"writes the report: xlsx (workbook: 汇总, 街道, 社区, 设施, 缺口, 方案), html (one\n" +
			"printable file with maps and charts), pdf (the html printed by headless Chromium),\n" +
			"json (everything: indicators, facilities, ranked gaps with clause and source),\n" +
			"csv (one table, UTF-8 with BOM: regions, gaps or facilities) or geojson (region\n" +
			"boundaries with their indicators). --scenario judges a saved scenario (from the\n" +
			"--db that `carecircle serve` keeps), --region one district, street or community.\n" +
			"See docs/reports.md and docs/indicators.md.",
		Example: "  carecircle report --demo --format xlsx --out report.xlsx\n" +
			"  carecircle report --demo --format html --region 500199002 --out street.html\n" +
			"  carecircle report --city ./mycity --scenario s-abc12 --db scenarios.db --format pdf --out plan.pdf\n" +
			"  carecircle report --demo --format csv --table gaps --lang en --out gaps.csv",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cf.args(cmd, args); err != nil {
				return err
			}
			return runReport(cmd, &cf, &rf)
		},
	}
	cf.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&rf.format, "format", "", strings.Join(report.Formats(), ", ")+" (default: from --out's extension, else json)")
	fl.StringVar(&rf.out, "out", "", "output file (default: standard output)")
	fl.StringVar(&rf.scenario, "scenario", "", "judge this saved scenario (its id) instead of today's city")
	fl.StringVar(&rf.db, "db", "", dbHelp+defaultDBPath()+")")
	fl.StringVar(&rf.region, "region", "", "report on one district, street or community (its code) instead of the whole city")
	fl.StringVar(&rf.lang, "lang", "zh", "language of headers and labels: zh or en")
	fl.StringVar(&rf.table, "table", "regions", "the table of a csv report: "+strings.Join(data.CSVTables(), ", "))
	return cmd
}

func runReport(cmd *cobra.Command, cf *cityFlags, rf *reportFlags) error {
	ctx := cmd.Context()
	format := rf.format
	if rf.out != "" && format == "" {
		format = strings.ToLower(strings.TrimPrefix(filepath.Ext(rf.out), "."))
		if format == "htm" {
			format = "html"
		}
	}
	if format == "" {
		format = "json"
	}
	if !slices.Contains(report.Formats(), format) {
		return fmt.Errorf("--format %q: want one of %s", format, strings.Join(report.Formats(), ", "))
	}
	opt := data.ReportOptions{Lang: rf.lang, Region: rf.region, Table: rf.table, Date: time.Now()}
	if err := opt.Normalize(); err != nil {
		return fmt.Errorf("--lang/--table: %w", err)
	}
	if rf.out != "" {
		// Say so before the minutes of loading a city.
		if _, err := os.Stat(filepath.Dir(rf.out)); err != nil {
			return missingFolder(rf.out, err)
		}
	}
	if rf.out == "" {
		f, ok := cmd.OutOrStdout().(*os.File)
		if err := refuseBinaryToTerminal(format, ok && term.IsTerminal(int(f.Fd()))); err != nil {
			return err
		}
	}
	var browser string
	if format == "pdf" {
		// Say so before the minutes of loading a city, not after.
		var err error
		if browser, err = report.FindChromium(); err != nil {
			return err
		}
	}
	src, err := cf.source()
	if err != nil {
		return err
	}
	b, err := cf.load(ctx)
	if err != nil {
		return err
	}
	m, err := buildModel(ctx, b)
	if err != nil {
		return err
	}
	opt.Regions, opt.Source, opt.FromOSM = b.City.Regions, src.String(), b.Config.OSM != ""
	start := time.Now()
	base := m.Baseline()
	eval, id := base, "baseline"
	if rf.scenario != "" && rf.scenario != "baseline" {
		sc, err := loadScenario(ctx, rf.db, b.City.Name, rf.scenario)
		if err != nil {
			return err
		}
		if eval, err = sc.Apply(base); err != nil {
			return fmt.Errorf("--scenario %s: %w", sc.ID, err)
		}
		if opt.Proposals, err = planner.ProposalEffects(base, sc); err != nil {
			return fmt.Errorf("--scenario %s: %w", sc.ID, err)
		}
		opt.Scenario, opt.Before, id = sc, base.Clone().Summary(), sc.ID
	}
	a, err := eval.Assess(ctx, id)
	if err != nil {
		return err
	}
	if _, err := a.Scope(opt.Region, opt.Regions); err != nil {
		return fmt.Errorf("--region: %w", err)
	}
	slog.Info("assessed", "scenario", id, "regions", len(a.Regions), "gaps", len(a.Gaps), "took", time.Since(start).Round(time.Millisecond))
	in := report.Input{Assessment: a, Eval: eval, Options: opt, Chromium: browser}
	write := func(w io.Writer) error {
		start := time.Now()
		if err := report.Write(ctx, w, format, in); err != nil {
			return err
		}
		slog.Info("report written", "format", format, "took", time.Since(start).Round(time.Millisecond))
		return nil
	}
	if rf.out == "" {
		return write(cmd.OutOrStdout())
	}
	return writeFileAtomic(rf.out, write)
}

// loadScenario reads scenario id of city from the store at db (the
// serve command's default when empty). A missing file is an error, not a
// new empty store.
func loadScenario(ctx context.Context, db, city, id string) (*planner.Scenario, error) {
	store, err := openStore(ctx, scenarioDB(db), city, false)
	if err != nil {
		return nil, fmt.Errorf("--scenario %s: %w", id, err)
	}
	defer store.Close()
	sc, err := store.Get(ctx, id)
	if errors.Is(err, data.ErrScenarioNotFound) {
		return nil, fmt.Errorf("--scenario %s: %s has no scenario %q for %s", id, db, id, city)
	}
	return sc, err
}

// writeFileAtomic writes path through a temporary file in the same folder,
// so an interrupted write never leaves half a report under its name. The
// file is readable by all (0644), as reports are shared.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return missingFolder(path, err)
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), reportFileMode); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// refuseBinaryToTerminal refuses to write an xlsx or pdf report to a
// terminal, where it would be garbage, with a hint, as other tools do;
// redirected output is fine.
func refuseBinaryToTerminal(format string, terminal bool) error {
	if terminal && (format == "xlsx" || format == "pdf") {
		return fmt.Errorf("a %s report is a binary file and standard output is a terminal: give --out report.%s, or redirect: > report.%s", format, format, format)
	}
	return nil
}

// reportFileMode is the mode of report files: CreateTemp makes 0600, but a
// report is for the planning group.
const reportFileMode = 0o644
