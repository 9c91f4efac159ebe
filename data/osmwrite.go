package data

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"github.com/carecircle/carecircle/geo"
)

// maxWayNodes is the most nodes an OSM way may have (the OSM API's limit);
// longer chains are split, so that other OSM tools accept the file.
const maxWayNodes = 2000

// writeOSM writes a walking graph and a base map as OSM XML, so that the
// OSM import (geo/osm) reads back a graph with the same nodes (by OSM id
// and exact coordinates), the same edges and edge kinds, and the same
// buildings and water.
//
// Graph nodes keep their OSM ids. Edges are joined into ways along chains
// of nodes with exactly two edges of one kind, so a street between two
// crossings is one way, as in OSM. Kinds are written as tags the walk
// filter reads back to the same kind: highway=footway (other),
// highway=steps, and highway=footway + footway=crossing. Buildings
// (building=KIND, building:levels) and water (natural=water,
// waterway=river) get nodes numbered above the graph's. Coordinates are
// written as the shortest decimals that parse back to the same float64.
func writeOSM(w io.Writer, g *geo.Graph, bm Basemap, comment string) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	ow := &osmWriter{w: bw}

	bound := g.Bound()
	nextNode := int64(0)
	for _, id := range g.OSMIDs {
		nextNode = max(nextNode, id)
	}
	nextNode++

	// Extra nodes for building and water outlines, numbered after the
	// graph's so the file lists nodes in id order.
	type outline struct {
		ids  []int64 // closed: the first id repeated last
		tags []string
		id   int64
	}
	var outlines []outline
	var extra []orb.Point
	addLine := func(pts []orb.Point, closed bool) []int64 {
		if closed && len(pts) > 1 && pts[0] == pts[len(pts)-1] {
			pts = pts[:len(pts)-1]
		}
		ids := make([]int64, len(pts), len(pts)+1)
		for i, p := range pts {
			ids[i] = nextNode
			nextNode++
			extra = append(extra, p)
			bound = bound.Extend(p)
		}
		if closed {
			ids = append(ids, ids[0])
		}
		return ids
	}

	// Buildings keep their way ids when those are usable (positive and
	// unique), so a building can be traced back to OSM.
	keepIDs := true
	seen := map[int64]bool{}
	nextWay := int64(1)
	for _, b := range bm.Buildings {
		if b.ID <= 0 || seen[b.ID] {
			keepIDs = false
		}
		seen[b.ID] = true
		nextWay = max(nextWay, b.ID+1)
	}
	if !keepIDs {
		nextWay = 1
	}
	for _, b := range bm.Buildings {
		if len(b.Footprint) == 0 || len(b.Footprint[0]) < 4 {
			continue
		}
		kind := b.Kind
		if kind == "" {
			kind = "yes"
		}
		tags := []string{"building", kind}
		if b.Levels > 0 {
			tags = append(tags, "building:levels", strconv.FormatFloat(b.Levels, 'f', -1, 64))
		}
		o := outline{ids: addLine(b.Footprint[0], true), tags: tags, id: b.ID}
		if !keepIDs {
			o.id = nextWay
			nextWay++
		}
		outlines = append(outlines, o)
	}
	for _, p := range bm.Water {
		if len(p) == 0 || len(p[0]) < 4 {
			continue
		}
		outlines = append(outlines, outline{ids: addLine(p[0], true), tags: []string{"natural", "water"}, id: nextWay})
		nextWay++
	}
	for _, l := range bm.Waterways {
		if len(l) < 2 {
			continue
		}
		outlines = append(outlines, outline{ids: addLine(l, false), tags: []string{"waterway", "river"}, id: nextWay})
		nextWay++
	}

	ow.printf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
	ow.printf("<!-- %s -->\n", xmlComment(comment))
	ow.printf("<osm version=\"0.6\" generator=\"carecircle gen\">\n")
	if g.NumNodes() > 0 {
		ow.printf(" <bounds minlat=\"%s\" minlon=\"%s\" maxlat=\"%s\" maxlon=\"%s\"/>\n",
			coord(bound.Min[1]), coord(bound.Min[0]), coord(bound.Max[1]), coord(bound.Max[0]))
	}

	// Graph nodes in id order, then the outline nodes (all above them).
	order := make([]int32, g.NumNodes())
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return cmp.Compare(g.OSMIDs[a], g.OSMIDs[b]) })
	for _, n := range order {
		ow.node(g.OSMIDs[n], g.Points[n])
	}
	first := nextNode - int64(len(extra))
	for i, p := range extra {
		ow.node(first+int64(i), p)
	}

	for _, o := range outlines {
		ow.way(o.id, o.ids, o.tags)
	}
	ids := make([]int64, 0, maxWayNodes)
	for _, c := range graphChains(g) {
		ids = ids[:0]
		for _, n := range c.nodes {
			ids = append(ids, g.OSMIDs[n])
		}
		ow.way(nextWay, ids, kindTags(c.kind))
		nextWay++
	}
	ow.printf("</osm>\n")
	if ow.err != nil {
		return ow.err
	}
	return bw.Flush()
}

// kindTags are the tags the walk filter (geo/osm.Walkable) reads back as
// kind k.
func kindTags(k geo.EdgeKind) []string {
	switch k {
	case geo.EdgeSteps:
		return []string{"highway", "steps"}
	case geo.EdgeCrossing:
		return []string{"highway", "footway", "footway", "crossing"}
	}
	return []string{"highway", "footway"}
}

// chain is a run of graph nodes joined by edges of one kind.
type chain struct {
	nodes []int32
	kind  geo.EdgeKind
}

// graphChains covers every edge of g exactly once with chains: each chain
// grows from an edge in both directions through nodes that have exactly two
// edges, as long as the next edge has the same kind and is not yet used.
// A ring of such nodes becomes a closed chain. Chains are cut at
// maxWayNodes nodes.
func graphChains(g *geo.Graph) []chain {
	used := make([]bool, g.NumEdges())
	degree := func(u int32) int32 { return g.Offsets[u+1] - g.Offsets[u] }
	// next returns the edge of the two-edge node u that is not e.
	next := func(u, e int32) int32 {
		s := g.Offsets[u]
		if g.AdjEdge[s] == e {
			return g.AdjEdge[s+1]
		}
		return g.AdjEdge[s]
	}
	// grow walks from node u, reached by edge e, appending nodes to path.
	grow := func(path []int32, u, e int32, kind geo.EdgeKind, limit int) []int32 {
		for len(path) < limit && degree(u) == 2 {
			f := next(u, e)
			if used[f] || g.EdgeKind[f] != kind {
				break
			}
			used[f] = true
			u, e = g.Other(f, u), f
			path = append(path, u)
		}
		return path
	}
	var out []chain
	for e := int32(0); e < int32(g.NumEdges()); e++ {
		if used[e] {
			continue
		}
		used[e] = true
		kind := g.EdgeKind[e]
		u, v := g.EdgeU[e], g.EdgeV[e]
		fwd := grow([]int32{u, v}, v, e, kind, maxWayNodes)
		back := grow(nil, u, e, kind, maxWayNodes-len(fwd))
		slices.Reverse(back)
		out = append(out, chain{nodes: append(back, fwd...), kind: kind})
	}
	return out
}

// osmWriter writes XML elements, keeping the first error.
type osmWriter struct {
	w   *bufio.Writer
	err error
}

func (ow *osmWriter) printf(format string, args ...any) {
	if ow.err == nil {
		_, ow.err = fmt.Fprintf(ow.w, format, args...)
	}
}

func (ow *osmWriter) node(id int64, p orb.Point) {
	ow.printf(" <node id=\"%d\" version=\"1\" lat=\"%s\" lon=\"%s\"/>\n", id, coord(p[1]), coord(p[0]))
}

func (ow *osmWriter) way(id int64, refs []int64, tags []string) {
	ow.printf(" <way id=\"%d\" version=\"1\">\n", id)
	for _, r := range refs {
		ow.printf("  <nd ref=\"%d\"/>\n", r)
	}
	for i := 0; i+1 < len(tags); i += 2 {
		ow.printf("  <tag k=\"%s\" v=\"%s\"/>\n", xmlAttr(tags[i]), xmlAttr(tags[i+1]))
	}
	ow.printf(" </way>\n")
}

// coord writes a coordinate as the shortest decimal that parses back to
// the same float64.
func coord(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

var attrEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;", "\n", "&#xA;", "\t", "&#x9;")

func xmlAttr(s string) string { return attrEscaper.Replace(s) }

// xmlComment makes s safe inside <!-- -->, where "--" may not appear.
func xmlComment(s string) string {
	for strings.Contains(s, "--") {
		s = strings.ReplaceAll(s, "--", "- -")
	}
	return strings.TrimSuffix(s, "-")
}
