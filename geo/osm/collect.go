package osm

import (
	"context"
	"errors"
	"fmt"

	"github.com/carecircle/carecircle/geo"
	"github.com/paulmach/orb"
	"github.com/paulmach/osm"
)

// wayList keeps the node references of many ways in one slice, so that tens
// of thousands of ways cost a few growing allocations rather than one each.
type wayList struct {
	refs []int64
	ends []int // way i is refs[ends[i-1]:ends[i]]
}

func (l *wayList) add(nodes osm.WayNodes) {
	for _, n := range nodes {
		l.refs = append(l.refs, int64(n.ID))
	}
	l.ends = append(l.ends, len(l.refs))
}

func (l *wayList) len() int { return len(l.ends) }

func (l *wayList) way(i int) []int64 {
	start := 0
	if i > 0 {
		start = l.ends[i-1]
	}
	return l.refs[start:l.ends[i]]
}

// collector gathers nodes and the ways worth keeping while a file is
// scanned, and joins them once the scan is over, so that element order in
// the file does not matter.
type collector struct {
	opt   Options
	stats Stats

	nodes nodeStore
	// wayLocs holds locations that files made with osmium
	// add-locations-to-ways carry on the way's node references; they are
	// used only for nodes the file does not contain.
	wayLocs nodeStore

	walk      wayList
	walkKinds []geo.EdgeKind
	walkIDs   []int64

	// Walkable areas: closed ways (areaWays) and multipolygon relations,
	// whose member ways may be untagged ways kept in loose, or any way
	// kept for another reason. See areas.go.
	areaWays   wayList
	areaWayIDs []int64
	loose      wayList
	looseIDs   []int64
	relations  []areaRelation

	buildings     wayList
	buildingProps []Building // footprint filled in by finish

	waterAreas, waterLines wayList

	named      wayList
	namedProps []Road // lines filled in by finish
}

func newCollector(opt Options) *collector { return &collector{opt: opt} }

func (c *collector) addNode(n *osm.Node) {
	c.nodes.add(int64(n.ID), n.Lon, n.Lat)
}

// addWay keeps w if it is walkable, or a building or water when those were
// asked for. It does not count w in Stats.Ways: the PBF reader drops
// unwanted ways before they get here and counts them itself.
func (c *collector) addWay(w *osm.Way) {
	kept := false
	if ok, kind := Walkable(w.Tags); ok {
		kept = true
		c.walk.add(w.Nodes)
		c.walkKinds = append(c.walkKinds, kind)
		c.walkIDs = append(c.walkIDs, int64(w.ID))
		c.stats.WalkableWays++
		c.stats.WalkableRefs += len(w.Nodes)
		if c.opt.Names {
			if r, ok := roadTags(w.Tags); ok {
				c.named.add(w.Nodes)
				c.namedProps = append(c.namedProps, r)
			}
		}
	}
	if closed(w.Nodes) && WalkableArea(w.Tags, false) {
		kept = true
		c.areaWays.add(w.Nodes)
		c.areaWayIDs = append(c.areaWayIDs, int64(w.ID))
	}
	own := kept // kept with its id, where a multipolygon can find it
	if c.opt.Buildings && closed(w.Nodes) {
		if kind, levels, ok := buildingTags(w.Tags); ok {
			kept, own = true, true
			c.buildings.add(w.Nodes)
			c.buildingProps = append(c.buildingProps, Building{ID: int64(w.ID), Kind: kind, Levels: levels})
		}
	}
	if c.opt.Water {
		switch classifyWater(w.Tags) {
		case waterArea:
			if closed(w.Nodes) {
				kept = true
				c.waterAreas.add(w.Nodes)
			}
		case waterLine:
			kept = true
			c.waterLines.add(w.Nodes)
		}
	}
	if !own && (len(w.Tags) == 0 || closed(w.Nodes)) {
		// A possible member of a pedestrian multipolygon; see wanted.
		kept = true
		c.loose.add(w.Nodes)
		c.looseIDs = append(c.looseIDs, int64(w.ID))
	}
	if kept {
		for _, n := range w.Nodes {
			// (0, 0) is how both decoders say "no location on this ref".
			if n.Lat != 0 || n.Lon != 0 {
				c.wayLocs.add(int64(n.ID), n.Lon, n.Lat)
			}
		}
	}
}

// closed reports whether a way is a ring: at least three distinct corners
// and the first node repeated at the end.
func closed(nodes osm.WayNodes) bool {
	return len(nodes) >= 4 && nodes[0].ID == nodes[len(nodes)-1].ID
}

func (c *collector) location(id int64) (orb.Point, bool) {
	if p, ok := c.nodes.find(id); ok {
		return p, true
	}
	return c.wayLocs.find(id)
}

// cancelCheckEvery is how many ways finish handles between looks at the
// context: often enough to stop within milliseconds, rarely enough to cost
// nothing.
const cancelCheckEvery = 4096

// finish joins ways to node locations and builds the extract.
func (c *collector) finish(ctx context.Context, name string) (*Extract, error) {
	c.nodes.finish()
	c.wayLocs.finish()
	c.stats.Nodes = c.nodes.len()

	var b geo.GraphBuilder
	for i := range c.walk.len() {
		if i%cancelCheckEvery == 0 && ctx.Err() != nil {
			return nil, fmt.Errorf("%s: %w", name, ctx.Err())
		}
		kind := c.walkKinds[i]
		prev, cut := int32(-1), false
		for _, id := range c.walk.way(i) {
			p, ok := c.location(id)
			if !ok {
				// The node is outside the extract: the way stops here and
				// starts again at the next located node.
				c.stats.MissingRefs++
				cut = true
				prev = -1
				continue
			}
			u := b.Node(id, p)
			if prev >= 0 {
				b.Edge(prev, u, kind)
			}
			prev = u
		}
		if cut {
			c.stats.CutWays++
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if !c.opt.WaysOnly {
		if err := c.addAreas(ctx, &b); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	g, err := b.Build()
	if errors.Is(err, geo.ErrEmptyGraph) {
		return nil, fmt.Errorf("%s: no walkable ways with node locations (%d ways referenced %d nodes, %d missing)",
			name, c.stats.WalkableWays, c.stats.WalkableRefs, c.stats.MissingRefs)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: building the walking graph: %w", name, err)
	}
	c.stats.Pieces, c.stats.OffMainNodes = g.NumPieces(), g.OffMainNodes()
	ex := &Extract{Graph: g}

	for i := range c.buildings.len() {
		if i%cancelCheckEvery == 0 && ctx.Err() != nil {
			return nil, fmt.Errorf("%s: %w", name, ctx.Err())
		}
		if ring, ok := c.ring(c.buildings.way(i)); ok {
			bl := c.buildingProps[i]
			bl.Footprint = orb.Polygon{ring}
			ex.Buildings = append(ex.Buildings, bl)
		}
	}
	for i := range c.waterAreas.len() {
		if ring, ok := c.ring(c.waterAreas.way(i)); ok {
			ex.Water = append(ex.Water, orb.Polygon{ring})
		}
	}
	for i := range c.waterLines.len() {
		ex.Waterways = append(ex.Waterways, c.lines(c.waterLines.way(i))...)
	}
	for i := range c.named.len() {
		r := c.namedProps[i]
		if r.Lines = c.lines(c.named.way(i)); len(r.Lines) > 0 {
			ex.Roads = append(ex.Roads, r)
		}
	}
	ex.Stats = c.stats
	return ex, nil
}

// maxNameLen bounds a road name read from a file: names are labels, and a
// hostile file should not make the tiles carry megabytes of text.
const maxNameLen = 200

// roadTags returns the name, Latin name and highway tag of a named way.
func roadTags(tags osm.Tags) (Road, bool) {
	r := Road{Name: tags.Find("name"), Highway: tags.Find("highway")}
	if r.Name == "" || len(r.Name) > maxNameLen {
		return Road{}, false
	}
	for _, k := range []string{"name:en", "int_name", "name:latin"} {
		if v := tags.Find(k); v != "" && v != r.Name && len(v) <= maxNameLen {
			r.NameLatin = v
			break
		}
	}
	return r, true
}

// ring returns the closed way refs as a counter-clockwise ring, the
// orientation GeoJSON (RFC 7946) wants for outer rings. A ring with a
// missing node is skipped: guessing its shape would draw a wrong building.
func (c *collector) ring(refs []int64) (orb.Ring, bool) {
	ring := make(orb.Ring, len(refs))
	for j, id := range refs {
		p, ok := c.location(id)
		if !ok {
			c.stats.IncompleteAreas++
			return nil, false
		}
		ring[j] = p
	}
	if ring.Orientation() == orb.CW {
		ring.Reverse()
	}
	return ring, true
}

// lines cuts an open way into runs of located nodes, like walkable ways.
func (c *collector) lines(refs []int64) []orb.LineString {
	var out []orb.LineString
	var run orb.LineString
	for _, id := range refs {
		p, ok := c.location(id)
		if !ok {
			if len(run) >= 2 {
				out = append(out, run)
			}
			run = nil
			continue
		}
		run = append(run, p)
	}
	if len(run) >= 2 {
		out = append(out, run)
	}
	return out
}
