package synthetic

import (
	"github.com/carecircle/carecircle/geo"
	"github.com/paulmach/orb"
)

// IDBase is added to every node's 1-based creation number to form its
// synthetic OSM-like id; see the package documentation.
const IDBase int64 = 1_000_000_000_000_000

// City is a generated walking network with the layout it was drawn from.
// Everything is WGS84 lon/lat; lengths and areas are metres and m².
type City struct {
	// Params and Seed are the inputs that reproduce this city.
	Params Params
	Seed   uint64

	// Graph is the walking network, reduced to its largest component.
	Graph *geo.Graph

	// Bound is the city's rectangle; every node lies inside it.
	Bound orb.Bound

	// River is the water as one polygon (empty when Params.RiverWidthM is
	// 0): the south bank from west to east, then the north bank back. Only
	// the edges of Bridges cross it.
	River orb.Polygon
	// RiverLine is the river's centre line from west to east, for labels.
	RiverLine orb.LineString
	// Bridges lists the river crossings from the south bank to the north.
	Bridges []Bridge

	// Roads are the named main roads, for the map's street names.
	Roads []Road

	// Hills raise the ground (see Elevation); the links that climb them
	// steeply are steps.
	Hills []Hill

	// Centres are the urban centres, the first being the central business
	// district; density falls off around them.
	Centres []orb.Point

	// Neighbourhoods are the cells of the main-road lattice, all on land,
	// tiling each bank; ordered south bank first, then by row from south
	// to north and by column from west to east. Index = ID.
	Neighbourhoods []Neighbourhood

	// NodeNeighbourhood gives, for each graph node, the ID of the
	// neighbourhood whose local streets it belongs to, or -1 for nodes on
	// the main roads between neighbourhoods, riverside promenades and
	// bridges.
	NodeNeighbourhood []int32

	frame   frame
	hills   hillSet
	guarded int // edges the river guard refused; see emitter.guarded
}

// Bridge is one river crossing.
type Bridge struct {
	// Deck is the bridge from the south riverside road to the north one.
	Deck orb.LineString
	// Nodes are the graph nodes along the deck, south to north; the first
	// and last stand on the riverside roads.
	Nodes []int32
	// Edges are the graph edges between consecutive Nodes: the only edges
	// that cross the river polygon.
	Edges []int32
	// LengthM is the deck length.
	LengthM float64
}

// Hill is a round hill. Its ground rises smoothly from the rim to the top:
// HeightM·(1−d²)² at a distance d·RadiusM from the centre.
type Hill struct {
	Center  orb.Point
	RadiusM float64
	HeightM float64
}

// Neighbourhood is one cell of the main-road lattice: an area enclosed by
// main roads, or by the city's edge and, between villages, by lattice lines
// that carry no road. It is the unit a later generator groups into
// communities (社区), streets (街道) and districts.
type Neighbourhood struct {
	// ID is the index in City.Neighbourhoods.
	ID int32
	// Row and Col place it on the main-road lattice: rows count from the
	// south edge across both banks, columns from the west edge. Neighbours
	// share a row or column and differ by one in the other.
	Row, Col int
	// Bank tells which side of the river it is on.
	Bank Bank
	// Polygon is its outline along the centre lines of its main roads,
	// counter-clockwise, closed; it never overlaps the river, and the
	// local-street nodes of NodeNeighbourhood lie inside it.
	Polygon orb.Polygon
	// Centroid is the polygon's centroid.
	Centroid orb.Point
	// AreaM2 is the polygon's area.
	AreaM2 float64
	// Urban is false for the villages between the urban areas.
	Urban bool
	// Density is the built-up density class, which a population layer can
	// turn into residents per km².
	Density Density
	// Urbanity is the density field in [0, 1] that Density was cut from,
	// for smooth population gradients within a class.
	Urbanity float64
	// Layout is the street pattern inside it.
	Layout Layout
	// Hill is the index in City.Hills of the hill it stands on, or -1.
	Hill int
	// Nodes counts the graph nodes of its local streets (NodeNeighbourhood).
	Nodes int
}

// Bank is the side of the river.
type Bank uint8

// Banks. Without a river every neighbourhood is on NoRiver.
const (
	NoRiver Bank = iota
	SouthBank
	NorthBank
)

// String names the bank.
func (b Bank) String() string {
	switch b {
	case SouthBank:
		return "south"
	case NorthBank:
		return "north"
	default:
		return "none"
	}
}

// Density is a neighbourhood's built-up density class.
type Density uint8

// Density classes, sparsest first so that they compare by density.
const (
	Rural  Density = iota // villages and farmland
	Low                   // suburbs, industrial estates
	Medium                // ordinary urban districts
	High                  // the dense cores around the centres
)

// String names the class.
func (d Density) String() string {
	switch d {
	case Low:
		return "low"
	case Medium:
		return "medium"
	case High:
		return "high"
	default:
		return "rural"
	}
}

// Layout is the street pattern inside a neighbourhood.
type Layout uint8

// Layouts.
const (
	// LayoutGrid is a planned grid of local streets whose blocks hold
	// service lanes and footpaths into the compounds.
	LayoutGrid Layout = iota
	// LayoutOrganic is an old town of irregular, curved lanes and dead ends.
	LayoutOrganic
	// LayoutHillside is organic lanes on a hill, where stairs take the
	// steep links.
	LayoutHillside
	// LayoutPark is a park's footpaths, entered at a few gates.
	LayoutPark
	// LayoutVillage is sparse village lanes and farm tracks.
	LayoutVillage
)

// String names the layout.
func (l Layout) String() string {
	switch l {
	case LayoutOrganic:
		return "organic"
	case LayoutHillside:
		return "hillside"
	case LayoutPark:
		return "park"
	case LayoutVillage:
		return "village"
	default:
		return "grid"
	}
}

// Elevation returns the ground height in metres above the river at p, from
// the city's hills. The later elder-care layer can use it to weigh climbs.
func (c *City) Elevation(p orb.Point) float64 {
	return c.hills.elevation(c.frame.metres(p), nil)
}
