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
	// Graph is the walking graph: the largest connected component of the
	// walkable ways, with OSM node ids as Graph.OSMIDs.
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
	// DroppedNodes is the number of graph nodes outside the largest
	// connected component (Graph.Dropped.Nodes).
	DroppedNodes int
	// IncompleteAreas counts closed building or water ways skipped because
	// a node location is missing.
	IncompleteAreas int
	Duration        time.Duration // wall time of Load or Read
}
