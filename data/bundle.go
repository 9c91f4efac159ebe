package data

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/carecircle/carecircle/geo"
	"github.com/carecircle/carecircle/geo/osm"
	"github.com/carecircle/carecircle/planner"
)

// Bundle is a city loaded from a bundle folder (see docs/data-format.md):
// the city the planner judges, the standards it is judged against, and
// what the web map draws. Everything is WGS84.
type Bundle struct {
	// Dir is the folder the bundle was loaded from; "" for a bundle built
	// in memory.
	Dir string
	// Config is the parsed city.yaml, with CRS in canonical form.
	Config Config
	// City is the network, the regions (city, districts, streets,
	// communities: parents before children), the facilities, the health
	// facilities and the demand points.
	City *planner.City
	// Profile is the standards profile named in city.yaml, with its walk
	// overrides applied (their source is WalkOverrideSource).
	Profile *planner.StandardsProfile
	// Basemap is what the web map draws under the data.
	Basemap Basemap

	// Index snaps points to City.Network; build it once per graph.
	Index *geo.EdgeIndex
	// FacilitySnaps and HealthSnaps are the snaps of City.Facilities and
	// City.Health, index for index.
	FacilitySnaps, HealthSnaps []geo.Snap
	// DemandSnaps are the snaps of City.Demand, index for index; a point in
	// Unsnapped has the zero Snap.
	DemandSnaps []geo.Snap
	// Unsnapped lists the demand points farther than the profile's
	// walking.max_snap_m from any walkway. They stay in City.Demand and count as uncovered;
	// Warnings names their communities.
	Unsnapped []geo.SnapFailure
	// DemandMethods says, per community, how its demand was placed.
	DemandMethods []planner.CommunityDemand

	// Limits are those the bundle was read with; LoadCandidates reads
	// within them too.
	Limits Limits

	// Stats counts what was loaded.
	Stats LoadStats
	// Warnings are doubts that did not stop the load: numbers that do not
	// add up, demand off the network, grid cells outside every community,
	// a CSV read as GBK.
	Warnings []Problem
}

// Basemap is the ground drawn under the data on the web map, from the OSM
// extract.
type Basemap struct {
	// Buildings are every building footprint of the extract, not only the
	// residential ones.
	Buildings []osm.Building
	// Water are lakes and riverbanks; Waterways are river and canal lines.
	Water     []orb.Polygon
	Waterways []orb.LineString
	// Roads are the named streets and roads, for the map's labels.
	Roads []osm.Road
}

// LoadStats counts what LoadBundle read.
type LoadStats struct {
	// OSM is what the OSM import read and left out.
	OSM osm.Stats
	// Regions counts regions by level.
	Regions map[planner.Level]int
	// Facilities and Health count facilities; PopulationCells the cells of
	// the population file used (those in a community).
	Facilities, Health, PopulationCells int
	// DemandPoints counts City.Demand; DemandBy counts communities by how
	// their demand was placed.
	DemandPoints int
	DemandBy     map[planner.DemandMethod]int
	// Duration is the wall time of the load.
	Duration time.Duration
}

// LoadBundle reads the city bundle in folder dir: city.yaml, then the
// standards profile, the OSM extract, regions, facilities, health
// facilities and population it names. Coordinates in the inputs' crs are
// converted to WGS84; demand is placed (see planner.SpreadDemand) and
// snapped to the network.
//
// Bad input fails the whole load: every problem found in every file (up to
// MaxProblems) is returned in one *BundleError, each naming the file, the
// row or feature, the field and what was expected, and no Bundle is
// returned. Doubts that do not make the data wrong are Bundle.Warnings and
// are logged. log may be nil. Files are read within the default Limits.
func LoadBundle(ctx context.Context, dir string, log *slog.Logger) (*Bundle, error) {
	return LoadBundleLimits(ctx, dir, Limits{}, log)
}

// LoadBundleLimits is LoadBundle reading within lim (see Limits), for
// bundles with files larger than the defaults allow.
func LoadBundleLimits(ctx context.Context, dir string, lim Limits, log *slog.Logger) (*Bundle, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	start := time.Now()
	cfg, cp := readConfig(dir)
	if len(cp) > 0 {
		return nil, &BundleError{Dir: dir, Problems: cp}
	}
	var probs problems
	var warns []Problem
	addAll := func(ps []Problem) {
		for _, p := range ps {
			probs.add(p)
		}
	}

	profile := loadBundleProfile(dir, cfg, &probs)

	osmPath := cfg.path(dir, cfg.OSM)
	ex, err := osm.Load(ctx, osmPath, osm.Options{Buildings: true, Water: true, Names: true, MaxFileBytes: lim.withDefaults().OSMFileBytes})
	if ctxErr := ctx.Err(); ctxErr != nil {
		return nil, ctxErr
	}
	var na *networkArea
	var index *geo.EdgeIndex
	if err != nil {
		// The import's errors start with the path, which File already says.
		msg := strings.TrimPrefix(fileError(err), osmPath+": ")
		if errors.Is(err, osm.ErrTooLarge) {
			msg += "; if the file is right, raise the limit with --max-file-mb"
		}
		probs.add(Problem{File: cfg.OSM, Message: msg})
	} else {
		log.Info("walking network read", "file", cfg.OSM, "nodes", ex.Graph.NumNodes(), "edges", ex.Graph.NumEdges(),
			"buildings", len(ex.Buildings), "pieces", ex.Stats.Pieces, "off_main_nodes", ex.Stats.OffMainNodes)
		index = geo.NewEdgeIndex(ex.Graph)
		na = newNetworkArea(ex.Graph, index, snapLimit(profile))
	}

	rs, ps := readRegions(cfg.path(dir, cfg.Regions), cfg.Regions, cfg.CRS, na, cfg.Population != "", lim)
	addAll(ps)

	fr := &facilityReader{sys: cfg.CRS, regions: rs, net: na, ids: map[string]string{}, lim: lim}
	facs, ps, ws := fr.read(cfg.path(dir, cfg.Facilities), cfg.Facilities, false)
	addAll(ps)
	warns = append(warns, ws...)
	var health *facilityList
	if cfg.Health != "" {
		health, ps, ws = fr.read(cfg.path(dir, cfg.Health), cfg.Health, true)
		addAll(ps)
		warns = append(warns, ws...)
	}
	var grid *populationGrid
	if cfg.Population != "" {
		grid, ps, ws = readPopulation(cfg.path(dir, cfg.Population), cfg.Population, cfg.CRS, rs, lim)
		addAll(ps)
		warns = append(warns, ws...)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if probs.any() {
		return nil, probs.err(dir)
	}

	pd, ps, ws, err := placeDemand(rs, grid, ex.Buildings, na)
	warns = append(warns, ws...)
	if err != nil {
		return nil, fmt.Errorf("city bundle %s: placing demand: %w", dir, err)
	}
	if len(ps) > 0 {
		addAll(ps)
		return nil, probs.err(dir)
	}

	city := &planner.City{
		Name:       cfg.Name,
		Network:    ex.Graph,
		Regions:    rs.regions,
		Facilities: facs.elder,
		Health:     facs.health,
		Demand:     pd.points,
	}
	b := &Bundle{
		Dir:           dir,
		Config:        *cfg,
		City:          city,
		Profile:       profile,
		Basemap:       Basemap{Buildings: ex.Buildings, Water: ex.Water, Waterways: ex.Waterways, Roads: ex.Roads},
		Index:         index,
		FacilitySnaps: facs.elderSnaps,
		HealthSnaps:   facs.healthSnaps,
		DemandSnaps:   pd.snaps,
		Unsnapped:     pd.far,
		DemandMethods: pd.methods,
		Warnings:      warns,
		Limits:        lim,
	}
	if health != nil {
		city.Health = append(city.Health, health.health...)
		b.HealthSnaps = append(b.HealthSnaps, health.healthSnaps...)
	}
	b.Stats = LoadStats{
		OSM:          ex.Stats,
		Regions:      map[planner.Level]int{},
		Facilities:   len(city.Facilities),
		Health:       len(city.Health),
		DemandPoints: len(city.Demand),
		DemandBy:     map[planner.DemandMethod]int{},
	}
	for _, r := range city.Regions {
		b.Stats.Regions[r.Level]++
	}
	for _, m := range pd.methods {
		b.Stats.DemandBy[m.Method]++
	}
	b.Stats.PopulationCells = pd.cells
	b.Stats.Duration = time.Since(start)
	// The first warnings are logged one by one; all are in b.Warnings.
	const logWarnings = 20
	for i, w := range warns {
		if i == logWarnings {
			log.Warn("more warnings not logged", "count", len(warns)-logWarnings)
			break
		}
		log.Warn(w.String())
	}
	log.Info("city bundle loaded", "dir", dir, "city", cfg.Name, "regions", len(city.Regions), "facilities", len(city.Facilities),
		"health", len(city.Health), "demand_points", len(city.Demand), "unsnapped", len(pd.far), "warnings", len(warns),
		"duration", b.Stats.Duration.Round(time.Millisecond))
	return b, nil
}

// loadBundleProfile loads the profile city.yaml names (a built-in name, or
// a file relative to the bundle) and applies the walk overrides.
func loadBundleProfile(dir string, cfg *Config, probs *problems) *planner.StandardsProfile {
	name := cfg.Profile
	if name == "" {
		name = DefaultProfile
	}
	var p *planner.StandardsProfile
	var err error
	file := cfg.path(dir, name)
	_, statErr := os.Stat(file)
	switch {
	case isBuiltinName(name):
		p, err = BuiltinProfile(name)
	case !looksLikePath(name) && statErr != nil:
		err = fmt.Errorf("%q is not a built-in profile (%s) and there is no file of that name in the bundle", name, strings.Join(BuiltinProfiles(), ", "))
	default:
		p, err = LoadProfile(file)
	}
	if err != nil {
		probs.add(Problem{File: ConfigFile, Line: cfg.lines["profile"], Field: "profile", Message: err.Error()})
		return nil
	}
	if cfg.Walk == nil {
		return p
	}
	override := func(fig *planner.Figure, v *float64) {
		if v != nil {
			*fig = planner.Figure{Value: *v, Source: WalkOverrideSource, Confidence: planner.ConfidenceSetting}
		}
	}
	override(&p.Walking.SpeedMPS, cfg.Walk.SpeedMPS)
	override(&p.Walking.StepsFactor, cfg.Walk.StepsFactor)
	if err := p.Validate(); err != nil {
		var ve *planner.ValidationError
		if errors.As(err, &ve) {
			for _, fe := range ve.Problems {
				field := fe.Field
				if strings.HasPrefix(field, "walking.") {
					field = "walk." + strings.TrimPrefix(field, "walking.")
				}
				probs.add(Problem{File: ConfigFile, Line: cfg.lines[field], Field: field, Message: fe.Message})
			}
		} else {
			probs.add(Problem{File: ConfigFile, Line: cfg.lines["walk"], Field: "walk", Message: err.Error()})
		}
		return nil
	}
	return p
}

// snapLimit is the profile's walking.max_snap_m, or geo.DefaultMaxSnap
// while the profile could not be read (the load then fails anyway, but
// goes on to find every other problem).
func snapLimit(p *planner.StandardsProfile) float64 {
	if p == nil || !(p.Walking.MaxSnapMetres.Value > 0) {
		return geo.DefaultMaxSnap
	}
	return p.Walking.MaxSnapMetres.Value
}
