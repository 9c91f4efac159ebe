package osm

import (
	"time"

	"github.com/carecircle/carecircle/geo"
	"github.com/paulmach/orb"
)

// Options chooses what Load and Read collect besides the walking graph. The
// zero value builds the graph only.
type Options struct {
	// Buildings collects building footprints into Extract.Buildings.
	Buildings bool
	// Water collects water areas and rivers into Extract.Water and
	// Extract.Waterways.
	Water bool
	// MaxFileBytes, when not 0, is the most bytes read: of the file, and
	// again of the data once un-gzipped or un-bzipped. More is an error
	// wrapping ErrTooLarge.
	MaxFileBytes int64
	// WaysOnly builds the walking graph from walkable ways alone, without
	// pedestrian areas, as tools that read no areas do: for comparison with
	// them, never for judging a city.
	WaysOnly bool
	// Names collects the named streets and roads into Extract.Roads, for
	// the map's street-name labels.
	Names bool
}

// Road is a named walkable way: a street or road the map labels.
type Road struct {
	// Name is the way's name tag, in the local language; NameLatin is its
	// name:en (or int_name) when the data gives one, else empty.
	Name, NameLatin string
	// Highway is the highway tag (residential, primary, footway…).
	Highway string
	// Lines are the way's runs of located nodes.
	Lines []orb.LineString
}

// Extract is what was read from one OSM file.
type Extract struct {
	// Graph is the walking graph: every walkable way and pedestrian area,
	// all connected pieces of them, with OSM node ids as Graph.OSMIDs.
	Graph *geo.Graph
	// Stats says what was read and what was left out.
	Stats Stats

	// Buildings holds the closed ways tagged building=* (not building=no)
	// whose nodes all have locations; only with Options.Buildings.
	Buildings []Building
	// Water holds closed ways tagged natural=water or waterway=riverbank as
	// single-ring polygons; only with Options.Water. Multipolygon relations
	// (most large lakes and rivers) are not assembled.
	Water []orb.Polygon
	// Waterways holds ways tagged waterway=river or waterway=canal, cut
	// where node locations are missing; only with Options.Water.
	Waterways []orb.LineString
	// Roads holds the walkable ways that have a name; only with
	// Options.Names.
	Roads []Road
}

// Building is one building footprint.
type Building struct {
	ID        int64       // OSM way id
	Kind      string      // value of the building tag: "yes", "house", "apartments", ...
	Levels    float64     // building:levels, 0 when absent or not a number
	Footprint orb.Polygon // one counter-clockwise ring, closed (first point repeated last)
}

// Stats counts what reading an extract saw and dropped. Counts of ways are
// of OSM ways; a way cut at missing nodes still counts once.
type Stats struct {
	Nodes        int // nodes read with a valid location
	Ways         int // ways read, of any kind
	WalkableWays int // ways that pass Walkable
	WalkableRefs int // node references of the walkable ways
	MissingRefs  int // walkable-way references to nodes without a location (outside the extract)
	CutWays      int // walkable ways with at least one such reference, split there
	// WalkableAreas counts the pedestrian areas (closed ways and
	// multipolygons passing WalkableArea) walked along their outlines;
	// AreaEdges the straight edges added across them between entrances
	// (some may coincide with an outline side); PartialAreas those walked
	// along the located parts of their outline only, because the extract's
	// edge cuts them (a member way or node location missing) or their
	// member ways do not close into rings.
	WalkableAreas int
	AreaEdges     int
	PartialAreas  int
	// StepAreas counts the whole areas that share no node with a walkway
	// or another area (mapped beside the street, not joined to it) and were
	// joined by a straight step of at most 25 m from their outline to the
	// nearest walkway node; UnjoinedAreas those with no walkway node that
	// near, each a piece of its own.
	StepAreas     int
	UnjoinedAreas int
	// Pieces is the number of connected pieces of the walking graph, all
	// kept (geo.Graph.NumPieces); OffMainNodes counts the graph nodes
	// outside the largest one, the main network.
	Pieces       int
	OffMainNodes int
	// IncompleteAreas counts closed building or water ways skipped because
	// a node location is missing.
	IncompleteAreas int
	Duration        time.Duration // wall time of Load or Read
}
