package osm

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"html"
	"math"
	"os"
	"path/filepath"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

// This file writes small OSM files in both encodings for the tests, so that
// the readers are checked on hand-made data whose right answer is known.

// tNode is a test node; missing nodes are simply not listed.
type tNode struct {
	id       int64
	lon, lat float64
}

// tWay is a test way. tags alternate key, value.
type tWay struct {
	id   int64
	refs []int64
	tags []string
	// refLocs, when set, gives locations on the refs (as osmium
	// add-locations-to-ways writes them); only the XML writer uses it.
	refLocs map[int64][2]float64
}

// tRelation is a test relation whose members are ways; roles are the
// members' roles, tags alternate key, value.
type tRelation struct {
	id    int64
	ways  []int64
	roles []string
	tags  []string
}

type fixture struct {
	nodes     []tNode
	ways      []tWay
	relations []tRelation
}

// xmlDoc renders f as OSM XML; waysFirst puts the ways before the nodes to
// check that element order does not matter.
func (f fixture) xmlDoc(waysFirst bool) []byte {
	var nodes, ways bytes.Buffer
	for _, n := range f.nodes {
		fmt.Fprintf(&nodes, "  <node id=\"%d\" visible=\"true\" version=\"1\" lat=\"%.7f\" lon=\"%.7f\"/>\n", n.id, n.lat, n.lon)
	}
	for _, w := range f.ways {
		fmt.Fprintf(&ways, "  <way id=\"%d\" visible=\"true\" version=\"1\">\n", w.id)
		for _, r := range w.refs {
			if loc, ok := w.refLocs[r]; ok {
				fmt.Fprintf(&ways, "    <nd ref=\"%d\" lon=\"%.7f\" lat=\"%.7f\"/>\n", r, loc[0], loc[1])
			} else {
				fmt.Fprintf(&ways, "    <nd ref=\"%d\"/>\n", r)
			}
		}
		for i := 0; i+1 < len(w.tags); i += 2 {
			fmt.Fprintf(&ways, "    <tag k=\"%s\" v=\"%s\"/>\n", html.EscapeString(w.tags[i]), html.EscapeString(w.tags[i+1]))
		}
		ways.WriteString("  </way>\n")
	}
	for _, r := range f.relations {
		fmt.Fprintf(&ways, "  <relation id=\"%d\" visible=\"true\" version=\"1\">\n", r.id)
		for i, w := range r.ways {
			fmt.Fprintf(&ways, "    <member type=\"way\" ref=\"%d\" role=\"%s\"/>\n", w, r.roles[i])
		}
		for i := 0; i+1 < len(r.tags); i += 2 {
			fmt.Fprintf(&ways, "    <tag k=\"%s\" v=\"%s\"/>\n", html.EscapeString(r.tags[i]), html.EscapeString(r.tags[i+1]))
		}
		ways.WriteString("  </relation>\n")
	}
	var b bytes.Buffer
	b.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<osm version=\"0.6\" generator=\"carecircle test\">\n")
	if waysFirst {
		b.Write(ways.Bytes())
		b.Write(nodes.Bytes())
	} else {
		b.Write(nodes.Bytes())
		b.Write(ways.Bytes())
	}
	b.WriteString("</osm>\n")
	return b.Bytes()
}

// pbfOptions varies the PBF writer for error cases.
type pbfOptions struct {
	required   []string // header required features; nil means the usual two
	plainNodes bool     // write nodes as plain Node messages, which osmpbf cannot read
	raw        bool     // write blocks uncompressed

	// For crafted blocks (appendCraftedBlock):
	blobSize int  // the size the BlobHeader claims, when not 0
	rawSize  int  // the raw_size the Blob claims, when not 0; none when negative
	badZlib  bool // corrupt the zlib stream
	lz4      bool // mark the data as lz4-compressed
}

// pbf renders f as an OSM PBF file: a zlib-compressed OSMHeader block and
// one zlib-compressed OSMData block holding dense nodes, in the order given
// (not necessarily sorted), then the ways.
func (f fixture) pbf(opt pbfOptions) []byte {
	required := opt.required
	if required == nil {
		required = []string{"OsmSchema-V0.6", "DenseNodes"}
	}
	var header []byte
	for _, r := range required {
		header = protowire.AppendTag(header, 4, protowire.BytesType)
		header = protowire.AppendString(header, r)
	}
	header = protowire.AppendTag(header, 16, protowire.BytesType)
	header = protowire.AppendString(header, "carecircle test")

	// String table: index 0 must be the empty string.
	strings := []string{""}
	index := map[string]uint64{"": 0}
	str := func(s string) uint64 {
		if i, ok := index[s]; ok {
			return i
		}
		index[s] = uint64(len(strings))
		strings = append(strings, s)
		return index[s]
	}
	var group []byte
	if opt.plainNodes {
		for _, n := range f.nodes {
			var m []byte
			m = protowire.AppendTag(m, 1, protowire.VarintType)
			m = protowire.AppendVarint(m, protowire.EncodeZigZag(n.id))
			m = protowire.AppendTag(m, 8, protowire.VarintType)
			m = protowire.AppendVarint(m, protowire.EncodeZigZag(e7(n.lat)))
			m = protowire.AppendTag(m, 9, protowire.VarintType)
			m = protowire.AppendVarint(m, protowire.EncodeZigZag(e7(n.lon)))
			group = protowire.AppendTag(group, 1, protowire.BytesType)
			group = protowire.AppendBytes(group, m)
		}
	} else if len(f.nodes) > 0 {
		var ids, lats, lons []byte
		var pid, plat, plon int64
		for _, n := range f.nodes {
			ids = protowire.AppendVarint(ids, protowire.EncodeZigZag(n.id-pid))
			lats = protowire.AppendVarint(lats, protowire.EncodeZigZag(e7(n.lat)-plat))
			lons = protowire.AppendVarint(lons, protowire.EncodeZigZag(e7(n.lon)-plon))
			pid, plat, plon = n.id, e7(n.lat), e7(n.lon)
		}
		var dense []byte
		for _, fl := range []struct {
			num  protowire.Number
			data []byte
		}{{1, ids}, {8, lats}, {9, lons}} {
			dense = protowire.AppendTag(dense, fl.num, protowire.BytesType)
			dense = protowire.AppendBytes(dense, fl.data)
		}
		group = protowire.AppendTag(group, 2, protowire.BytesType)
		group = protowire.AppendBytes(group, dense)
	}
	for _, w := range f.ways {
		var keys, vals, refs []byte
		for i := 0; i+1 < len(w.tags); i += 2 {
			keys = protowire.AppendVarint(keys, str(w.tags[i]))
			vals = protowire.AppendVarint(vals, str(w.tags[i+1]))
		}
		var prev int64
		for _, r := range w.refs {
			refs = protowire.AppendVarint(refs, protowire.EncodeZigZag(r-prev))
			prev = r
		}
		var m []byte
		m = protowire.AppendTag(m, 1, protowire.VarintType)
		m = protowire.AppendVarint(m, uint64(w.id))
		for _, fl := range []struct {
			num  protowire.Number
			data []byte
		}{{2, keys}, {3, vals}, {8, refs}} {
			m = protowire.AppendTag(m, fl.num, protowire.BytesType)
			m = protowire.AppendBytes(m, fl.data)
		}
		group = protowire.AppendTag(group, 3, protowire.BytesType)
		group = protowire.AppendBytes(group, m)
	}
	for _, r := range f.relations {
		var keys, vals, roles, ids, types []byte
		for i := 0; i+1 < len(r.tags); i += 2 {
			keys = protowire.AppendVarint(keys, str(r.tags[i]))
			vals = protowire.AppendVarint(vals, str(r.tags[i+1]))
		}
		var prev int64
		for i, w := range r.ways {
			roles = protowire.AppendVarint(roles, str(r.roles[i]))
			ids = protowire.AppendVarint(ids, protowire.EncodeZigZag(w-prev))
			prev = w
			types = protowire.AppendVarint(types, 1) // WAY
		}
		var m []byte
		m = protowire.AppendTag(m, 1, protowire.VarintType)
		m = protowire.AppendVarint(m, uint64(r.id))
		for _, fl := range []struct {
			num  protowire.Number
			data []byte
		}{{2, keys}, {3, vals}, {8, roles}, {9, ids}, {10, types}} {
			m = protowire.AppendTag(m, fl.num, protowire.BytesType)
			m = protowire.AppendBytes(m, fl.data)
		}
		group = protowire.AppendTag(group, 4, protowire.BytesType)
		group = protowire.AppendBytes(group, m)
	}
	var table []byte
	for _, s := range strings {
		table = protowire.AppendTag(table, 1, protowire.BytesType)
		table = protowire.AppendString(table, s)
	}
	var block []byte
	block = protowire.AppendTag(block, 1, protowire.BytesType)
	block = protowire.AppendBytes(block, table)
	block = protowire.AppendTag(block, 2, protowire.BytesType)
	block = protowire.AppendBytes(block, group)

	var out []byte
	out = appendCraftedBlock(out, "OSMHeader", opt, header)
	out = appendCraftedBlock(out, "OSMData", opt, block)
	return out
}

// e7 converts degrees to the PBF's default unit of 100 nanodegrees.
func e7(deg float64) int64 { return int64(math.Round(deg * 1e7)) }

// appendCraftedBlock appends a block of type typ holding data, zlib-compressed
// unless opt.raw, and with the flaws opt asks for.
func appendCraftedBlock(out []byte, typ string, opt pbfOptions, data []byte) []byte {
	var blob []byte
	switch {
	case opt.lz4:
		blob = protowire.AppendTag(blob, 6, protowire.BytesType)
		blob = protowire.AppendBytes(blob, data)
	case opt.raw:
		blob = protowire.AppendTag(blob, 1, protowire.BytesType)
		blob = protowire.AppendBytes(blob, data)
	default:
		var z bytes.Buffer
		zw := zlib.NewWriter(&z)
		zw.Write(data)
		zw.Close()
		zdata := z.Bytes()
		if opt.badZlib {
			zdata[len(zdata)-1] ^= 0xff // the checksum
		}
		rawSize := len(data)
		if opt.rawSize != 0 {
			rawSize = opt.rawSize
		}
		if rawSize >= 0 {
			blob = protowire.AppendTag(blob, 2, protowire.VarintType)
			blob = protowire.AppendVarint(blob, uint64(rawSize))
		}
		blob = protowire.AppendTag(blob, 3, protowire.BytesType)
		blob = protowire.AppendBytes(blob, zdata)
	}
	blobSize := len(blob)
	if opt.blobSize != 0 {
		blobSize = opt.blobSize
	}
	var hdr []byte
	hdr = protowire.AppendTag(hdr, 1, protowire.BytesType)
	hdr = protowire.AppendString(hdr, typ)
	hdr = protowire.AppendTag(hdr, 3, protowire.VarintType)
	hdr = protowire.AppendVarint(hdr, uint64(blobSize))
	out = binary.BigEndian.AppendUint32(out, uint32(len(hdr)))
	out = append(out, hdr...)
	return append(out, blob...)
}

func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return z.Bytes()
}

// writeFile writes b to a file called name in a fresh temporary directory.
func writeFile(t testing.TB, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
