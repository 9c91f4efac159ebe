package main

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/carecircle/carecircle/data"
	"github.com/carecircle/carecircle/data/crs"
	"github.com/spf13/cobra"
)

func newImportCmd() *cobra.Command {
	var opt data.ImportOptions
	var sys string
	var force bool
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Write a city bundle from an OSM extract and the tables a bureau has",
		Long: "Reads the OSM extract, the community table (社区代码, 社区名称, 所属街道, 常住人口,\n" +
			"60岁以上人口 ..., with or without points or boundaries) and the facility list\n" +
			"(rows with lon/lat, or only an address), and writes a city bundle that\n" +
			"`carecircle report --city DIR` and `serve --city DIR` load. Communities without a\n" +
			"boundary get one derived from their points and the walking network (labelled\n" +
			"derived); addresses are matched against the extract. Rows that cannot be placed\n" +
			"are listed in DIR/import-report.csv and .xlsx: fill in 经度/纬度 and re-run with\n" +
			"--locations. See docs/data-format.md, \"Import your city\".",
		Example: "  carecircle import --osm city.osm.pbf --communities 社区.xlsx --facilities 设施.csv --crs gcj02 --out ./mycity\n" +
			"  carecircle import ... --locations ./mycity/import-report.csv --force --out ./mycity",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := crs.Parse(sys)
			if err != nil {
				return fmt.Errorf("--crs: %w", err)
			}
			opt.CRS = s
			if !cmd.Flags().Changed("crs") {
				slog.Warn("--crs not given: the tables' lon/lat are taken as WGS84 (GPS, OSM); points from 高德 or 腾讯 are gcj02, from 百度 bd09")
			}
			if _, err := os.Stat(filepath.Join(opt.Out, data.ConfigFile)); err == nil && !force {
				return fmt.Errorf("%s already holds a city bundle; use --force to overwrite it", opt.Out)
			}
			res, err := data.Import(cmd.Context(), opt, slog.Default())
			if err != nil {
				return err
			}
			notPlaced := 0
			for _, is := range res.Issues {
				if !is.Placed {
					notPlaced++
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "city bundle written to %s: %d communities (%d with derived areas), %d facilities, %d health facilities\n",
				opt.Out, res.Bundle.Stats.Regions["community"], res.Boundaries[data.BoundaryDerived], len(res.Bundle.City.Facilities), len(res.Bundle.City.Health))
			fmt.Fprintf(cmd.OutOrStdout(), "import report: %s (%d rows, %d not placed)\n",
				filepath.Join(opt.Out, data.ImportReportCSV), len(res.Issues), notPlaced)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opt.OSM, "osm", "", "OSM extract (.osm.pbf, .osm, .osm.gz, .osm.bz2) (required)")
	fl.StringVar(&opt.Communities, "communities", "", "community table: .csv, .xlsx or .geojson (required)")
	fl.StringVar(&opt.Boundaries, "boundaries", "", "GeoJSON of community boundaries, matched by code or name")
	fl.StringVar(&opt.Facilities, "facilities", "", "elder-care facility list: .csv, .xlsx or .geojson")
	fl.StringVar(&opt.Health, "health", "", "community health facility list")
	fl.StringVar(&opt.Population, "population", "", "population grid: H3 cells or points with counts")
	fl.StringVar(&opt.Streets, "streets", "", "street table (names, numbers, WKT boundaries)")
	fl.StringVar(&opt.Districts, "districts", "", "district table")
	fl.StringVar(&opt.Locations, "locations", "", "an import report with 经度/纬度 filled in")
	fl.StringVar(&sys, "crs", "wgs84", "coordinate system of the tables' lon/lat: wgs84, gcj02 (高德, 腾讯) or bd09 (百度)")
	fl.StringVar(&opt.Profile, "profile", "", "standards profile: a built-in name or a YAML file (default "+data.DefaultProfile+")")
	fl.StringVar(&opt.Name, "name", "", "the city's name (default: the --out folder's name)")
	fl.StringVar(&opt.Out, "out", "", "bundle folder to write (required)")
	fl.BoolVar(&force, "force", false, "overwrite an existing bundle in --out")
	cmd.MarkFlagRequired("osm")
	cmd.MarkFlagRequired("communities")
	cmd.MarkFlagRequired("out")
	return cmd
}
