package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/carecircle/carecircle/data"
	"github.com/carecircle/carecircle/planner"
	"github.com/carecircle/carecircle/planner/siting"
)

func newOptimizeCmd() *cobra.Command {
	var cf cityFlags
	var (
		sites, res        int
		target            float64
		capacitated       bool
		rules             bool
		budget, floor     float64
		floorPerElder     float64
		menu, candidates  string
		typ, out          string
		scenario, db      string
		saveAs            string
		optSeed           uint64
		noSwap, noProgres bool
	)
	cmd := &cobra.Command{
		Use:   "optimize",
		Short: "Suggest new sites that cover the most elders not yet within a service circle",
		Long: "Chooses new sites among candidate buildings (--candidates FILE) or locations\n" +
			"generated on the walking network, with existing facilities kept as they are:\n" +
			"  --sites N                 the N sites that newly cover the most elders\n" +
			"  --target 0.9              the fewest sites reaching that share of elders 60+\n" +
			"                            (with --sites N as a limit), and the coverage curve\n" +
			"  --capacitated --budget X  sites and sizes (--menu) within a budget, each\n" +
			"                            serving at most floor area / m² per elder\n" +
			"  --rules                   a station for every community lacking one, a\n" +
			"                            centre for every street lacking one\n" +
			"Each site's gain_elders is what coverage_15min gains when it is added after the\n" +
			"sites before it; bound is a proven upper bound on the best possible gain.\n" +
			"See docs/optimizer.md.",
		Example: "  carecircle optimize --demo city --sites 100 --out sites.geojson\n" +
			"  carecircle optimize --demo --sites 10 --save-scenario 选址建议   # then: carecircle serve\n" +
			"  carecircle optimize --city ./mycity --target 0.95 --candidates buildings.xlsx --out plan.json\n" +
			"  carecircle optimize --demo --capacitated --budget 5000 --menu 200:200,350:320,750:600",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cf.args(cmd, args); err != nil {
				return err
			}
			format := strings.TrimPrefix(strings.ToLower(filepath.Ext(out)), ".")
			if out == "" {
				format = "json"
			}
			if !slices.Contains(data.SuggestionFormats, format) {
				return fmt.Errorf("--out %s: want a .json, .geojson or .kml file", out)
			}
			req := siting.OptimizeRequest{Sites: sites, Target: target, Type: planner.FacilityType(typ), FloorArea: floor,
				Budget: budget, FloorPerElder: floorPerElder, CandidateRes: res, Seed: optSeed, NoLocalSearch: noSwap}
			fl := cmd.Flags()
			switch {
			case rules && (capacitated || fl.Changed("target")):
				return errors.New("--rules places a site for every unit lacking one; it does not take --capacitated or --target")
			case capacitated && fl.Changed("target"):
				return errors.New("--capacitated maximises the elders served within --budget; it does not take --target")
			case rules:
				req.Problem = siting.ProblemRuleAware
			case capacitated:
				req.Problem = siting.ProblemCapacitated
			case fl.Changed("target"):
				req.Problem = siting.ProblemTargetCoverage
			case fl.Changed("sites"):
				req.Problem = siting.ProblemMaxCoverage
			default:
				return errors.New("say what to optimise: --sites N, --target SHARE, --capacitated --budget X or --rules")
			}
			if fl.Changed("budget") && !capacitated {
				return errors.New("--budget is for --capacitated")
			}
			if menu != "" {
				if !capacitated {
					return errors.New("--menu is for --capacitated")
				}
				m, err := parseMenu(menu)
				if err != nil {
					return err
				}
				req.Menu = m
			}

			if err := req.Validate(); err != nil {
				return err // before the city is loaded
			}
			ctx := cmd.Context()
			b, err := cf.load(ctx)
			if err != nil {
				return err
			}
			m, err := buildModel(ctx, b)
			if err != nil {
				return err
			}
			eval := m.Baseline()
			var from *planner.Scenario
			if scenario != "" && scenario != "baseline" {
				if from, err = loadScenario(ctx, db, b.City.Name, scenario); err != nil {
					return err
				}
				if eval, err = from.Apply(eval); err != nil {
					return fmt.Errorf("--scenario %s: %w", from.ID, err)
				}
			}
			if candidates != "" {
				cs, err := data.LoadCandidates(candidates, b, m.Edges)
				if err != nil {
					return err
				}
				slog.Info("candidate sites read", "file", candidates, "sites", len(cs))
				req.Candidates = cs
			}
			start := time.Now()
			progress, done := newProgress(cmd.ErrOrStderr(), noProgres)
			result, err := siting.Optimize(ctx, eval, req, progress)
			done()
			if err != nil {
				return err
			}
			slog.Info("optimised", "problem", result.Problem, "candidates", result.Stats.Candidates, "sites", len(result.Sites),
				"gain_elders", fmt.Sprintf("%.0f", result.TotalGain),
				"coverage", fmt.Sprintf("%.4f → %.4f", result.CoverageBefore, result.CoverageAfter),
				"objective", fmt.Sprintf("%.1f", result.Value), "bound", fmt.Sprintf("%.1f", result.Bound),
				"bound_gap", fmt.Sprintf("%.2f%%", 100*result.BoundGap), "took", time.Since(start).Round(time.Millisecond))
			for _, n := range result.Notes {
				slog.Warn(n.Text)
			}
			if saveAs != "" {
				sc, err := saveSuggestions(ctx, db, b, m.Profile, from, saveAs, result)
				if err != nil {
					return err
				}
				slog.Info("suggestions saved as a scenario: open it in carecircle serve", "scenario", sc.ID, "name", sc.Name, "sites", len(sc.Added))
			}
			write := func(w io.Writer) error { return data.WriteSuggestions(w, format, result) }
			if out == "" {
				return write(cmd.OutOrStdout())
			}
			return writeFileAtomic(out, write)
		},
	}
	cf.register(cmd)
	f := cmd.Flags()
	f.IntVar(&sites, "sites", 0, "number of new sites (with --target, --capacitated or --rules: a limit)")
	f.Float64Var(&target, "target", 0, "share of elders 60+ to cover, e.g. 0.9: the fewest sites that reach it")
	f.BoolVar(&capacitated, "capacitated", false, "choose sizes within --budget; each site serves at most floor area / m² per elder")
	f.BoolVar(&rules, "rules", false, "a station for every community lacking one, a centre for every street lacking one")
	f.Float64Var(&budget, "budget", 0, "what the new sites may cost in all, in --menu's cost unit (default menu: m² of floor)")
	f.StringVar(&menu, "menu", "", "sizes and costs, FLOOR:COST,... (default: the profile's 200/350/750 m² stations, 1500 m² centres, cost 1 per m²)")
	f.Float64Var(&floorPerElder, "floor-per-elder", 0, "m² of floor one elder 60+ needs (default: the profile's floor norm over the city's elders)")
	f.StringVar(&candidates, "candidates", "", "candidate sites file (.csv, .xlsx, .geojson; columns as facilities plus max_floor_area_m2); default: generated on the network")
	f.IntVar(&res, "candidate-res", siting.DefaultCandidateRes, "H3 resolution of generated candidates")
	f.StringVar(&typ, "type", string(planner.CommunityStation), "facility type of the new sites")
	f.Float64Var(&floor, "floor-area", 0, "floor area of a new site, m² (default: the type's minimum)")
	f.Uint64Var(&optSeed, "optimize-seed", 1, "seed breaking ties between equally good sites")
	f.BoolVar(&noSwap, "no-swap", false, "greedy only, no local search")
	f.BoolVar(&noProgres, "no-progress", false, "no progress bar or progress log lines")
	f.StringVar(&out, "out", "", "output file, .json, .geojson or .kml (default: JSON on standard output)")
	f.StringVar(&scenario, "scenario", "", "optimise on this saved scenario (its id) instead of today's city")
	f.StringVar(&saveAs, "save-scenario", "", "save the suggestions as a new scenario of this name (from --scenario, else today's city), to open in carecircle serve")
	f.StringVar(&db, "db", "", dbHelp+defaultDBPath()+")")
	return cmd
}

// saveSuggestions saves the suggested sites as proposed facilities of a
// new scenario named name, made from from (nil: today's city), in the
// store at db (created when missing, as serve would).
func saveSuggestions(ctx context.Context, db string, b *data.Bundle, p *planner.StandardsProfile, from *planner.Scenario, name string, r *siting.OptimizeResult) (*planner.Scenario, error) {
	store, err := openStore(ctx, scenarioDB(db), b.City.Name, true)
	if err != nil {
		return nil, fmt.Errorf("--save-scenario: %w", err)
	}
	defer store.Close()
	sc, err := store.Create(ctx, name, from)
	if err != nil {
		return nil, fmt.Errorf("--save-scenario %q: %w", name, err)
	}
	next := sc
	for _, f := range r.Facilities(p) {
		if next, err = next.With(b.City.Facilities, planner.Edit{Op: planner.OpAdd, Facility: f}); err != nil {
			return nil, fmt.Errorf("--save-scenario %q: %w", name, err)
		}
	}
	next.Version = sc.Version + 1
	if err := store.Save(ctx, next, sc.Version); err != nil {
		return nil, fmt.Errorf("--save-scenario %q: %w", name, err)
	}
	return next, nil
}

// parseMenu reads "200:200,350:320": floor area m² and cost per size.
func parseMenu(s string) ([]siting.SizeOption, error) {
	var menu []siting.SizeOption
	for i, item := range strings.Split(s, ",") {
		a, c, ok := strings.Cut(strings.TrimSpace(item), ":")
		fa, err1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
		cost, err2 := strconv.ParseFloat(strings.TrimSpace(c), 64)
		if !ok || err1 != nil || err2 != nil {
			return nil, fmt.Errorf("--menu item %d %q: want FLOOR_M2:COST, e.g. 350:320", i+1, item)
		}
		menu = append(menu, siting.SizeOption{FloorArea: fa, Cost: cost})
	}
	return menu, nil
}

// newProgress returns the optimiser's progress callback: a progress bar
// when w is a terminal, else a log line every few seconds. done ends it.
func newProgress(w io.Writer, off bool) (func(done, total int), func()) {
	if off {
		return nil, func() {}
	}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		bar := progressbar.NewOptions(1,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription("optimising"),
			progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionFullWidth())
		max := 1
		return func(done, total int) {
				if total != max && total > 0 {
					max = total
					bar.ChangeMax(total)
				}
				_ = bar.Set(done)
			}, func() {
				_ = bar.Finish()
			}
	}
	var last time.Time
	return func(done, total int) {
		if time.Since(last) < 5*time.Second && done < total {
			return
		}
		last = time.Now()
		slog.Info("optimising", "done", done, "total", total)
	}, func() {}
}
