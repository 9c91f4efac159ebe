package main

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/carecircle/carecircle/data"
	"github.com/carecircle/carecircle/data/synthetic"
	"github.com/spf13/cobra"
)

func newGenCmd() *cobra.Command {
	var preset, out string
	var seed uint64
	var force bool
	cmd := &cobra.Command{
		Use:   "gen",
		Short: "Generate a synthetic demo city and write it as a city bundle",
		Long: "Writes the demo city of a preset as a bundle folder (city.yaml, network.osm.gz,\n" +
			"regions.geojson, facilities.csv, health.csv, population.csv) that\n" +
			"`carecircle report --city DIR` loads back to the same city.",
		Example: "  carecircle gen --preset district --seed 1 --out ./demo-district",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := os.Stat(filepath.Join(out, data.ConfigFile)); err == nil && !force {
				return fmt.Errorf("%s already holds a city bundle; use --force to overwrite it", out)
			}
			b, err := data.DemoBundle(cmd.Context(), preset, seed)
			if err != nil {
				return err
			}
			if err := data.WriteBundle(out, b); err != nil {
				return err
			}
			slog.Info("city bundle written", "dir", out, "city", b.City.Name, "regions", len(b.City.Regions),
				"facilities", len(b.City.Facilities), "demand_points", len(b.City.Demand))
			return nil
		},
	}
	cmd.Flags().StringVar(&preset, "preset", "district", fmt.Sprintf("demo preset: %v", synthetic.PresetNames()))
	cmd.Flags().Uint64Var(&seed, "seed", 1, "seed: the same seed gives the same city")
	cmd.Flags().StringVar(&out, "out", "", "bundle folder to write (required)")
	cmd.Flags().BoolVar(&force, "force", false, "overwrite an existing bundle in --out")
	cmd.MarkFlagRequired("out")
	return cmd
}
