package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/carecircle/carecircle/data"
	"github.com/carecircle/carecircle/planner"
	"github.com/spf13/cobra"
)

// cityFlags are the flags of every command that works on a city: a bundle
// folder or a demo preset, and an optional standards profile override.
type cityFlags struct {
	dir     string
	demo    string
	seed    uint64
	profile string
	// maxFileMB and maxRows raise the input limits (data.Limits); 0 keeps
	// the defaults.
	maxFileMB, maxRows int
}

func (f *cityFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.dir, "city", "", "city bundle folder (see docs/data-format.md)")
	fl.StringVar(&f.demo, "demo", "", "use a synthetic demo city instead of --city: tiny, district, city or municipality (--demo alone: district)")
	fl.Lookup("demo").NoOptDefVal = "district"
	fl.Uint64Var(&f.seed, "seed", 1, "seed of the demo city")
	fl.StringVar(&f.profile, "profile", "", "standards profile (built-in name or YAML file) instead of the city's own")
	fl.IntVar(&f.maxFileMB, "max-file-mb", 0, "largest input file read, in MiB (0: 64 for tables, 4096 for the OSM extract; see docs/security.md)")
	fl.IntVar(&f.maxRows, "max-rows", 0, "most rows of an input table or features of a GeoJSON file (0: 1000000)")
}

// args lets "--demo tiny" work as the docs write it: a flag with an
// optional value takes only "--demo=tiny", so a preset left as the one
// argument after --demo is taken as its value.
func (f *cityFlags) args(cmd *cobra.Command, args []string) error {
	switch {
	case len(args) == 0:
		return nil
	case len(args) == 1 && cmd.Flags().Changed("demo") && f.demo == "district":
		f.demo = args[0]
		return nil
	}
	return fmt.Errorf("unexpected argument %q", args[0])
}

// source says which city the flags name; with neither flag it is the
// district demo, so commands work with no arguments.
func (f *cityFlags) source() (data.CitySource, error) {
	if f.dir != "" && f.demo != "" {
		return data.CitySource{}, errors.New("give --city DIR or --demo PRESET, not both")
	}
	if f.dir == "" && f.demo == "" {
		return data.CitySource{Demo: "district", Seed: f.seed}, nil
	}
	return data.CitySource{Dir: f.dir, Demo: f.demo, Seed: f.seed}, nil
}

// load reads or generates the city and applies the profile override.
func (f *cityFlags) load(ctx context.Context) (*data.Bundle, error) {
	src, err := f.source()
	if err != nil {
		return nil, err
	}
	start := time.Now()
	slog.Info("loading city", "source", src.String())
	var b *data.Bundle
	lim := data.LimitsFromFlags(f.maxFileMB, f.maxRows)
	if src.Dir != "" {
		b, err = data.LoadBundleLimits(ctx, src.Dir, lim, slog.Default())
	} else {
		b, err = data.DemoBundle(ctx, src.Demo, src.Seed)
	}
	if err != nil {
		return nil, err
	}
	b.Limits = lim
	if f.profile != "" {
		p, err := data.Profile(f.profile)
		if err != nil {
			return nil, fmt.Errorf("--profile: %w", err)
		}
		b.Profile = p
	}
	c := b.City
	slog.Info("city loaded", "name", c.Name, "nodes", c.Network.NumNodes(), "regions", len(c.Regions),
		"facilities", len(c.Facilities), "demand_points", len(c.Demand), "took", time.Since(start).Round(time.Millisecond))
	return b, nil
}

// model judges the bundle's city under its profile.
func buildModel(ctx context.Context, b *data.Bundle) (*planner.Model, error) {
	start := time.Now()
	slog.Info("computing walking catchments", "facilities", len(b.City.Facilities), "demand_points", len(b.City.Demand))
	m, err := planner.NewModel(ctx, b.City, b.Profile, b.Index)
	if err != nil {
		return nil, err
	}
	slog.Info("catchments computed", "profile", b.Profile.Name, "facilities", len(b.City.Facilities),
		"budget_min", m.Budget/60, "took", time.Since(start).Round(time.Millisecond))
	if n := len(m.Unsnapped); n > 0 {
		slog.Warn("demand points too far from any walkway count as uncovered", "points", n)
	}
	return m, nil
}
