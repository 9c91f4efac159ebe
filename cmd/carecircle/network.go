package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"text/tabwriter"

	"github.com/carecircle/carecircle/data"
	"github.com/carecircle/carecircle/geo"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/spf13/cobra"
)

// networkFlags are the flags every network subcommand shares: where the
// walking graph comes from.
type networkFlags struct {
	osm       string
	synthetic string
	seed      uint64
	cacheDir  string
	noCache   bool
	waysOnly  bool
}

func (f *networkFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.osm, "osm", "", "OSM extract (.osm.pbf, .osm, .osm.gz, .osm.bz2)")
	fl.StringVar(&f.synthetic, "synthetic", "", "synthetic network preset instead of --osm: tiny, district, city")
	fl.Uint64Var(&f.seed, "seed", 1, "seed of the synthetic network")
	fl.StringVar(&f.cacheDir, "cache-dir", defaultCacheDir(), "where graph caches of OSM extracts are kept")
	fl.BoolVar(&f.noCache, "no-cache", false, "build the graph from the extract, ignoring and not writing the cache")
	fl.BoolVar(&f.waysOnly, "ways-only", false, "leave pedestrian areas out and walk the ways only, for comparison with tools that read no areas")
}

func defaultCacheDir() string {
	d, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "carecircle")
}

func (f *networkFlags) load(cmd *cobra.Command) (*data.Network, error) {
	if (f.osm == "") == (f.synthetic == "") {
		return nil, errors.New("give exactly one of --osm FILE or --synthetic PRESET")
	}
	src := data.NetworkSource{OSM: f.osm, Synthetic: f.synthetic, Seed: f.seed, CacheDir: f.cacheDir, WaysOnly: f.waysOnly}
	if f.noCache {
		src.CacheDir = ""
	}
	return data.LoadNetwork(cmd.Context(), src, slog.Default())
}

func newNetworkCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "network",
		Short: "Build and query walking networks",
	}
	cmd.AddCommand(newNetworkStatsCmd(), newNetworkReachCmd(), newNetworkIsochroneCmd())
	return cmd
}

func newNetworkStatsCmd() *cobra.Command {
	var nf networkFlags
	cmd := &cobra.Command{
		Use:   "stats",
		Short: "Print the size of a walking network",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			n, err := nf.load(cmd)
			if err != nil {
				return err
			}
			g := n.Graph
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintf(w, "source\t%s\n", n.Name)
			fmt.Fprintf(w, "nodes\t%d\n", g.NumNodes())
			fmt.Fprintf(w, "edges\t%d\n", g.NumEdges())
			fmt.Fprintf(w, "walkway km\t%.3f\n", g.TotalLength()/1000)
			fmt.Fprintf(w, "pieces\t%d\n", g.NumPieces())
			fmt.Fprintf(w, "nodes off the main piece\t%d\n", g.OffMainNodes())
			steps := 0
			for _, k := range g.EdgeKind {
				if k == geo.EdgeSteps {
					steps++
				}
			}
			fmt.Fprintf(w, "steps edges\t%d\n", steps)
			if s := n.OSM; s != nil {
				fmt.Fprintf(w, "walkable ways\t%d\n", s.WalkableWays)
				fmt.Fprintf(w, "pedestrian areas\t%d (%d walked along their outline only, %d joined to a walkway by a step, %d to none)\n",
					s.WalkableAreas, s.PartialAreas, s.StepAreas, s.UnjoinedAreas)
				fmt.Fprintf(w, "edges across areas\t%d\n", s.AreaEdges)
				fmt.Fprintf(w, "missing node refs\t%d\n", s.MissingRefs)
				fmt.Fprintf(w, "ways cut\t%d\n", s.CutWays)
			}
			how := "built"
			if n.FromCache {
				how = "read from cache"
			}
			fmt.Fprintf(w, "build time\t%s (%s)\n", n.BuildTime.Round(1e6), how)
			return w.Flush()
		},
	}
	nf.register(cmd)
	return cmd
}

func newNetworkReachCmd() *cobra.Command {
	var nf networkFlags
	var node int64
	var meters float64
	cmd := &cobra.Command{
		Use:   "reach",
		Short: "List the nodes within a network distance of a node, as CSV",
		Long: "Prints osm_node_id,meters for every graph node whose pure network distance\n" +
			"(no speed, no steps factor) from --node is at most --meters, nearest first.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !(meters >= 0) {
				return fmt.Errorf("--meters %v: want a distance ≥ 0", meters)
			}
			n, err := nf.load(cmd)
			if err != nil {
				return err
			}
			src, ok := n.Graph.NodeByOSMID(node)
			if !ok {
				return fmt.Errorf("node %d is not in the walking graph of %s (not on a walkable way, or dropped with a small disconnected piece)", node, n.Name)
			}
			r, err := geo.NewRouter(n.Graph, geo.PlainDistance())
			if err != nil {
				return err
			}
			s := r.NewSearch()
			s.Run([]geo.Source{{Node: src}}, meters)
			w := bufio.NewWriter(cmd.OutOrStdout())
			w.WriteString("osm_node_id,meters\n")
			for _, u := range s.Settled() {
				w.WriteString(strconv.FormatInt(n.Graph.OSMIDs[u], 10))
				w.WriteByte(',')
				w.WriteString(strconv.FormatFloat(s.Seconds(u), 'f', 3, 64))
				w.WriteByte('\n')
			}
			return w.Flush()
		},
	}
	nf.register(cmd)
	cmd.Flags().Int64Var(&node, "node", 0, "OSM node id to start from (required)")
	cmd.Flags().Float64Var(&meters, "meters", 0, "network distance limit in metres (required)")
	cmd.MarkFlagRequired("node")
	cmd.MarkFlagRequired("meters")
	return cmd
}

func newNetworkIsochroneCmd() *cobra.Command {
	var nf networkFlags
	var lon, lat, minutes, speed, steps, maxSnap float64
	var res int
	cmd := &cobra.Command{
		Use:   "isochrone",
		Short: "Print the walking service area of a point as a GeoJSON Feature",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !(minutes > 0) {
				return fmt.Errorf("--minutes %v: want a time > 0", minutes)
			}
			n, err := nf.load(cmd)
			if err != nil {
				return err
			}
			prof := geo.WalkProfile{SpeedMPS: speed, StepsFactor: steps}
			r, err := geo.NewRouter(n.Graph, prof)
			if err != nil {
				return fmt.Errorf("--speed/--steps-factor: %w", err)
			}
			pt := orb.Point{lon, lat}
			site, err := geo.NewEdgeIndex(n.Graph).Snap(pt, maxSnap)
			if err != nil {
				b := n.Graph.Bound()
				return fmt.Errorf("%s: %w (the network spans lon %.5f..%.5f, lat %.5f..%.5f)",
					n.Name, err, b.Min[0], b.Max[0], b.Min[1], b.Max[1])
			}
			area, err := r.NewSearch().ServiceArea(site, minutes*60, res)
			if err != nil {
				return err
			}
			f := geojson.NewFeature(area.Area)
			f.Properties = geojson.Properties{
				"minutes":         minutes,
				"speed_mps":       speed,
				"steps_factor":    steps,
				"reachable_nodes": area.ReachableNodes,
				"walkway_m":       roundTo(area.WalkwayM, 1),
				"snap_m":          roundTo(site.Access, 1),
				"h3_resolution":   res,
			}
			enc := json.NewEncoder(cmd.OutOrStdout())
			return enc.Encode(f)
		},
	}
	nf.register(cmd)
	fl := cmd.Flags()
	fl.Float64Var(&lon, "lon", 0, "longitude of the site, WGS84 (required)")
	fl.Float64Var(&lat, "lat", 0, "latitude of the site, WGS84 (required)")
	fl.Float64Var(&minutes, "minutes", 15, "walking time budget in minutes")
	fl.Float64Var(&speed, "speed", geo.DefaultWalk().SpeedMPS, "walking speed in m/s")
	fl.Float64Var(&steps, "steps-factor", geo.DefaultWalk().StepsFactor, "time multiplier on steps")
	fl.Float64Var(&maxSnap, "max-snap", geo.DefaultMaxSnap, "farthest a site may be from a walkway, metres")
	fl.IntVar(&res, "res", geo.DefaultServiceAreaRes, "H3 resolution of the service area")
	cmd.MarkFlagRequired("lon")
	cmd.MarkFlagRequired("lat")
	return cmd
}

func roundTo(x, unit float64) float64 { return math.Round(x/unit) * unit }
