package osm

import (
	"bufio"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/paulmach/orb"
	"github.com/paulmach/osm"
	"github.com/paulmach/osm/osmxml"
)

// This file reads the named and addressed things of an extract: places,
// buildings and points of interest with names, addr:* addresses, named
// roads and administrative boundaries drawn as closed ways. They are plain
// geometry with the tags that name them; what they mean is for the caller.

// Feature is one named or addressed OSM element.
type Feature struct {
	// Type is "node", "way" or "relation"; ID its OSM id.
	Type string
	ID   int64
	// Point is a node's location, or the mean of a way's distinct nodes.
	Point orb.Point
	// Ring is the outline of a closed way (first point repeated last),
	// counter-clockwise; nil for nodes and open ways.
	Ring orb.Ring
	// Line is the node locations of an open way; nil otherwise.
	Line orb.LineString
	// Area is the outline of a boundary or multipolygon relation whose
	// member ways close into rings (LoadFeatures only); nil otherwise.
	Area orb.MultiPolygon
	// Tags are the element's naming tags: name and name:*, alt_name,
	// official_name, short_name, old_name, ref, addr:*, place, boundary,
	// admin_level, building, highway, amenity, shop, office.
	Tags map[string]string
}

// MaxFeatures bounds how many features ReadFeatures keeps, so a planet
// file cannot exhaust memory; a larger extract is an error.
const MaxFeatures = 5_000_000

// featureKey reports whether a tag is one of the naming tags Feature keeps.
func featureKey(k string) bool {
	switch k {
	case "name", "alt_name", "official_name", "short_name", "old_name", "loc_name", "ref",
		"place", "boundary", "admin_level", "building", "highway", "amenity", "shop", "office":
		return true
	}
	return strings.HasPrefix(k, "name:") || strings.HasPrefix(k, "addr:")
}

// namesSomething reports whether an element is worth keeping: it has a
// name, an address, or is a place or an administrative boundary.
func namesSomething(tags osm.Tags) bool {
	for _, t := range tags {
		switch {
		case t.Key == "name", t.Key == "place", strings.HasPrefix(t.Key, "addr:"),
			t.Key == "boundary" && t.Value == "administrative":
			return true
		}
	}
	return false
}

func keptTags(tags osm.Tags) map[string]string {
	m := make(map[string]string, 4)
	for _, t := range tags {
		if featureKey(t.Key) {
			m[t.Key] = t.Value
		}
	}
	return m
}

// LoadFeatures reads the named and addressed elements of the OSM file at
// path (see ReadFeatures) and, reading the file a second time when it has
// any, the administrative boundaries and places drawn as relations whose
// member ways close into rings (see Feature.Area). A relation cut by the
// extract's edge is left out.
//
// maxBytes, when not 0, limits the file and its data once uncompressed, as
// Options.MaxFileBytes does for Load.
func LoadFeatures(ctx context.Context, path string, maxBytes int64) ([]Feature, error) {
	read := func(members map[int64]bool) (*featureCollector, error) {
		f, err := openFile(path, maxBytes)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		return readFeatures(ctx, f, path, members, maxBytes)
	}
	fc, err := read(nil)
	if err != nil {
		return nil, err
	}
	if len(fc.rels) == 0 {
		return fc.finish(), nil
	}
	members := map[int64]bool{}
	for _, r := range fc.rels {
		for _, m := range r.ways {
			members[m.id] = true
		}
	}
	rels := fc.rels
	if fc, err = read(members); err != nil {
		return nil, err
	}
	fc.rels = rels
	return fc.finish(), nil
}

// ReadFeatures reads OSM data (PBF or XML, plain or compressed) and returns
// every node and way that has a name, an addr:* tag, a place tag or
// boundary=administrative, with its location. Relations are assembled
// only by LoadFeatures, which can read the file twice. Ways with a node
// outside the extract keep the located part. name is used in errors.
func ReadFeatures(ctx context.Context, r io.Reader, name string) ([]Feature, error) {
	fc, err := readFeatures(ctx, r, name, nil, 0)
	if err != nil {
		return nil, err
	}
	fc.rels = nil
	return fc.finish(), nil
}

// readFeatures scans r; members, when not nil, are the ways whose node
// references to keep for relations; maxBytes (0: none) limits the data.
func readFeatures(ctx context.Context, r io.Reader, name string, members map[int64]bool, maxBytes int64) (*featureCollector, error) {
	src, f, err := openFormat(capRaw(r, maxBytes), name, maxBytes)
	if err != nil {
		return nil, err
	}
	fc := &featureCollector{members: members, memberRefs: map[int64][]int64{}}
	if f == formatPBF {
		err = fc.readPBF(ctx, src, name)
	} else {
		err = fc.readXML(ctx, src, name)
	}
	if err != nil {
		return nil, err
	}
	if len(fc.out) > MaxFeatures {
		return nil, fmt.Errorf("%s: more than %d named or addressed elements; cut the extract to the city", name, MaxFeatures)
	}
	return fc, nil
}

type featureCollector struct {
	// members are the relation member ways to keep the references of
	// (second pass of LoadFeatures); memberRefs holds them.
	members    map[int64]bool
	memberRefs map[int64][]int64
	rels       []relationOutline
	nodes      nodeStore
	out        []Feature
	ways       wayList // node refs of the ways in out, in order
	isWay      []int   // index in out of each way in ways
}

func (fc *featureCollector) addNode(n *osm.Node, keep bool) {
	fc.nodes.add(int64(n.ID), n.Lon, n.Lat)
	if keep && validLocation(n.Lon, n.Lat) && len(fc.out) <= MaxFeatures {
		fc.out = append(fc.out, Feature{Type: "node", ID: int64(n.ID), Point: orb.Point{n.Lon, n.Lat}, Tags: keptTags(n.Tags)})
	}
}

func (fc *featureCollector) addWay(w *osm.Way) {
	if fc.members[int64(w.ID)] {
		refs := make([]int64, len(w.Nodes))
		for i, n := range w.Nodes {
			refs[i] = int64(n.ID)
		}
		fc.memberRefs[int64(w.ID)] = refs
	}
	if !namesSomething(w.Tags) || len(fc.out) > MaxFeatures {
		return
	}
	fc.isWay = append(fc.isWay, len(fc.out))
	fc.ways.add(w.Nodes)
	fc.out = append(fc.out, Feature{Type: "way", ID: int64(w.ID), Tags: keptTags(w.Tags)})
}

// finish locates the ways and drops those with no located node.
func (fc *featureCollector) finish() []Feature {
	fc.nodes.finish()
	for i, k := range fc.isWay {
		refs := fc.ways.way(i)
		f := &fc.out[k]
		var pts orb.LineString
		for _, id := range refs {
			if p, ok := fc.nodes.find(id); ok {
				pts = append(pts, p)
			}
		}
		if len(pts) == 0 {
			continue
		}
		ring := len(refs) >= 4 && refs[0] == refs[len(refs)-1] && len(pts) == len(refs)
		distinct := pts
		if ring {
			distinct = pts[:len(pts)-1]
			r := orb.Ring(pts)
			if r.Orientation() == orb.CW {
				r.Reverse()
			}
			f.Ring = r
		} else {
			f.Line = pts
		}
		var c orb.Point
		for _, p := range distinct {
			c[0] += p[0]
			c[1] += p[1]
		}
		f.Point = orb.Point{c[0] / float64(len(distinct)), c[1] / float64(len(distinct))}
	}
	out := fc.out[:0]
	for _, f := range fc.out {
		if f.Type == "node" || f.Ring != nil || f.Line != nil {
			out = append(out, f)
		}
	}
	for _, r := range fc.rels {
		if area := fc.assemble(r); area != nil {
			out = append(out, Feature{Type: "relation", ID: r.id, Point: ringMean(area[0][0]), Area: area, Tags: r.tags})
		}
	}
	return out
}

// readPBF scans PBF data with a pbfScanner. Like the walking-graph
// reader it takes every node's location in FilterNode and rejects the
// node, so the scanner reuses it; named nodes are kept as features there.
func (fc *featureCollector) readPBF(ctx context.Context, br *bufio.Reader, name string) error {
	sc := newPBFScanner(ctx, br, name)
	defer sc.Close()
	var mu sync.Mutex // guards fc during the scan: filters run on workers
	sc.FilterNode = func(n *osm.Node) bool {
		keep := namesSomething(n.Tags)
		mu.Lock()
		fc.addNode(n, keep)
		mu.Unlock()
		return false
	}
	sc.FilterWay = func(w *osm.Way) bool { return namesSomething(w.Tags) || fc.members[int64(w.ID)] }
	sc.FilterRelation = func(r *osm.Relation) bool { return isArea(r.Tags) }
	for sc.Scan() {
		switch o := sc.Object().(type) {
		case *osm.Way:
			fc.addWay(o)
		case *osm.Relation:
			fc.addRelation(o)
		}
	}
	return sc.Err()
}

func (fc *featureCollector) readXML(ctx context.Context, r io.Reader, name string) error {
	sc := osmxml.New(ctx, r)
	defer sc.Close()
	for sc.Scan() {
		switch o := sc.Object().(type) {
		case *osm.Node:
			fc.addNode(o, namesSomething(o.Tags))
		case *osm.Way:
			fc.addWay(o)
		case *osm.Relation:
			if isArea(o.Tags) {
				fc.addRelation(o)
			}
		}
	}
	if err := sc.Err(); err != nil {
		var syn *xml.SyntaxError
		switch {
		case errors.As(err, &syn):
			return fmt.Errorf("%s: %w", name, err)
		case errors.Is(err, io.ErrUnexpectedEOF):
			return fmt.Errorf("%s: file truncated: %w", name, err)
		}
		return fmt.Errorf("%s: reading XML: %w", name, err)
	}
	return nil
}
