package osm

import (
	"bufio"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"

	"github.com/paulmach/orb"
	"github.com/paulmach/osm"
	"github.com/paulmach/osm/osmpbf"
	"github.com/paulmach/osm/osmxml"
)

// This file reads the named and addressed things of an extract: places,
// buildings and points of interest with names, addr:* addresses, named
// roads and administrative boundaries drawn as closed ways. They are plain
// geometry with the tags that name them; what they mean is for the caller.

// Feature is one named or addressed OSM element.
type Feature struct {
	// Type is "node" or "way"; ID its OSM id.
	Type string
	ID   int64
	// Point is a node's location, or the mean of a way's distinct nodes.
	Point orb.Point
	// Ring is the outline of a closed way (first point repeated last),
	// counter-clockwise; nil for nodes and open ways.
	Ring orb.Ring
	// Line is the node locations of an open way; nil otherwise.
	Line orb.LineString
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
// path; see ReadFeatures.
func LoadFeatures(ctx context.Context, path string) ([]Feature, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadFeatures(ctx, f, path)
}

// ReadFeatures reads OSM data (PBF or XML, plain or compressed) and returns
// every node and way that has a name, an addr:* tag, a place tag or
// boundary=administrative, with its location. Relations (multipolygon
// boundaries) are not assembled. Ways with a node outside the extract keep
// the located part. name is used in errors.
func ReadFeatures(ctx context.Context, r io.Reader, name string) ([]Feature, error) {
	src, f, err := openFormat(r, name)
	if err != nil {
		return nil, err
	}
	fc := &featureCollector{}
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
	return fc.finish(), nil
}

type featureCollector struct {
	nodes nodeStore
	out   []Feature
	ways  wayList // node refs of the ways in out, in order
	isWay []int   // index in out of each way in ways
}

func (fc *featureCollector) addNode(n *osm.Node, keep bool) {
	fc.nodes.add(int64(n.ID), n.Lon, n.Lat)
	if keep && validLocation(n.Lon, n.Lat) && len(fc.out) <= MaxFeatures {
		fc.out = append(fc.out, Feature{Type: "node", ID: int64(n.ID), Point: orb.Point{n.Lon, n.Lat}, Tags: keptTags(n.Tags)})
	}
}

func (fc *featureCollector) addWay(w *osm.Way) {
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
	return out
}

func (fc *featureCollector) readPBF(ctx context.Context, br *bufio.Reader, name string) error {
	required, err := pbfRequiredFeatures(br)
	switch {
	case errors.Is(err, errShortHeader):
		return fmt.Errorf("%s: PBF file truncated: %w", name, err)
	case err != nil:
		return fmt.Errorf("%s: corrupt PBF header: %w", name, err)
	}
	for _, f := range required {
		if !pbfFeatureSupported(f) {
			return fmt.Errorf("%s: PBF file requires feature %q, which the decoder does not have", name, f)
		}
	}
	hasDense := false
	for _, f := range required {
		hasDense = hasDense || f == "DenseNodes"
	}
	if !hasDense {
		return fmt.Errorf("%s: PBF header does not list DenseNodes, so the file may hold plain nodes, which the PBF decoder cannot read (rewrite it with osmium cat)", name)
	}
	cr := &countingReader{r: br}
	sc := osmpbf.New(ctx, cr, runtime.GOMAXPROCS(0))
	defer sc.Close()
	sc.SkipRelations = true
	var mu sync.Mutex
	sc.FilterNode = func(n *osm.Node) bool {
		keep := namesSomething(n.Tags)
		mu.Lock()
		fc.addNode(n, keep)
		mu.Unlock()
		return false
	}
	sc.FilterWay = func(w *osm.Way) bool { return namesSomething(w.Tags) }
	for sc.Scan() {
		if w, ok := sc.Object().(*osm.Way); ok {
			fc.addWay(w)
		}
	}
	if err := sc.Err(); err != nil {
		return pbfError(name, cr, err)
	}
	sc.Close()
	return nil
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
