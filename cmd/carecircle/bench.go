package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/carecircle/carecircle/web/benchsuite"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

func newBenchCmd() *cobra.Command {
	var cf cityFlags
	var asJSON, noProgress bool
	opt := benchsuite.Defaults()
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Run the standard benchmark suite on a city and this machine",
		Long: "Runs CareCircle's standard benchmark on a city (--city DIR or --demo PRESET):\n" +
			"build, all catchments, assessment, what-ifs one by one and by 20 planners at\n" +
			"once (on warmed and on fresh scenarios, through the HTTP API and a SQLite\n" +
			"store in a temporary folder), cold and cached map tiles, and a 100-site\n" +
			"optimiser run. It prints a table with the machine, the Go version and the\n" +
			"city's sizes, or JSON with --json. docs/BENCHMARKS.md has reference figures.",
		Example: "  carecircle bench --demo city\n  carecircle bench --city ./mycity --json > bench.json",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cf.args(cmd, args); err != nil {
				return err
			}
			progress, done := newBenchProgress(cmd.ErrOrStderr(), noProgress)
			opt.Progress = progress
			res, err := benchsuite.Run(cmd.Context(), cf.load, opt)
			done()
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(res)
			}
			return writeBenchTable(cmd.OutOrStdout(), res)
		},
	}
	cf.register(cmd)
	fl := cmd.Flags()
	fl.BoolVar(&asJSON, "json", false, "print the results as JSON")
	fl.BoolVar(&noProgress, "no-progress", false, "no progress bar")
	fl.IntVar(&opt.Planners, "planners", opt.Planners, "planners editing at once in the concurrent what-if")
	fl.IntVar(&opt.Edits, "edits", opt.Edits, "edits of the concurrent what-if, all planners together")
	fl.IntVar(&opt.Sequential, "sequential", opt.Sequential, "edits of the sequential what-if")
	fl.IntVar(&opt.Tiles, "tiles", opt.Tiles, "tiles requested cold, then cached")
	fl.IntVar(&opt.Sites, "sites", opt.Sites, "sites the optimiser suggests")
	return cmd
}

// newBenchProgress is a bar of the suite's steps on a terminal, else
// nothing (the log says when the city is loaded).
func newBenchProgress(w io.Writer, off bool) (func(string, int, int), func()) {
	f, ok := w.(*os.File)
	if off || !ok || !term.IsTerminal(int(f.Fd())) {
		return nil, func() {}
	}
	var bar *progressbar.ProgressBar
	return func(step string, i, n int) {
			if bar == nil {
				bar = progressbar.NewOptions(n, progressbar.OptionSetWriter(w), progressbar.OptionShowCount(),
					progressbar.OptionSetElapsedTime(true), progressbar.OptionClearOnFinish(), progressbar.OptionFullWidth())
			}
			bar.Describe(step)
			_ = bar.Set(i)
		}, func() {
			if bar != nil {
				_ = bar.Finish()
			}
		}
}

// writeBenchTable prints the machine, the city and one line per step.
func writeBenchTable(w io.Writer, r *benchsuite.Result) error {
	m, c := r.Machine, r.City
	fmt.Fprintf(w, "machine  %s, %d cores, %.1f GiB, %s, %s\n", orUnknown(m.CPU), m.Cores, float64(m.MemoryBytes)/(1<<30), m.OS, m.Go)
	fmt.Fprintf(w, "city     %s: %d nodes, %d edges, %.0f residents, %d regions (%d communities), %d facilities, %d demand points\n\n",
		c.Name, c.Nodes, c.Edges, c.Residents, c.Regions, c.Communities, c.Facilities, c.DemandPoints)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "step\ttime\tfigures")
	for _, s := range r.Steps {
		keys := make([]string, 0, len(s.Figures))
		for k := range s.Figures {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		var figs []string
		for _, k := range keys {
			figs = append(figs, k+" "+formatFigure(s.Figures[k]))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", s.Name, time.Duration(s.Seconds*float64(time.Second)).Round(time.Millisecond), strings.Join(figs, ", "))
	}
	return tw.Flush()
}

func formatFigure(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.3g", v)
	case v == float64(int64(v)):
		return fmt.Sprintf("%d", int64(v))
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown CPU"
	}
	return s
}
