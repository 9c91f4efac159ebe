package osm

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

// TestBadInput checks that every kind of unreadable input gives an error
// that names the file and says what is wrong, through Load as a service
// would call it.
func TestBadInput(t *testing.T) {
	pbf := town().pbf(pbfOptions{})
	xmlDoc := town().xmlDoc(false)
	headerLen := bytes.Index(pbf[4:], []byte("OSMData")) // the data block's header starts just before

	// Ways whose nodes are all outside the extract, as in an API download
	// cut too tight.
	orphans := fixture{ways: []tWay{
		{id: 1, refs: []int64{10, 11, 12}, tags: []string{"highway", "footway"}},
		{id: 2, refs: []int64{12, 13}, tags: []string{"highway", "residential"}},
		{id: 3, refs: []int64{14, 15}, tags: []string{"building", "yes"}},
	}}

	cases := []struct {
		name string
		data []byte
		want string // the message after "<path>: "; "..." stands for any text
	}{
		{"empty.osm.pbf", nil, "empty file"},
		{"empty.osm", nil, "empty file"},
		{"heidelberg.pbf", []byte("{\n  \"type\": \"FeatureCollection\"\n}\n"), `not an OSM PBF file (starts with "{")`},
		{"heidelberg.osm.pbf", xmlDoc, `not an OSM PBF file (it is XML starting with "<?xml version=\"1.0\" enco")`},
		{"town.osm", pbf, "not an OSM XML file (it is OSM PBF)"},
		{"town.osm.gz", pbf, "not an OSM XML file (it is OSM PBF)"},
		{"town.pbf", gzipBytes(t, xmlDoc), `not an OSM PBF file (gzip-compressed, it is XML starting with "<?xml version=\"1.0\" enco")`},
		{"page.osm", []byte("<!DOCTYPE html>\n<html><body>Rate limited</body></html>"), "not an OSM XML file (root element <html>, want <osm>)"},
		{"data", []byte("hello, world"), `not an OSM PBF or XML file (starts with "hello, world")`},
		{"blank.osm", []byte("\n\n"), "empty file (white space only)"},
		{"syntax.osm", []byte("<?xml version=\"1.0\"?>\n<osm>\n <node id=\"1\" lat=\"1\" lon=\"2\">\n</osm>\n"), "XML syntax error on line 4: element <node> closed by </osm>"},
		{"cut.osm", xmlDoc[:len(xmlDoc)/2], "XML syntax error on line ..."},
		{"latin1.osm", []byte("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<osm></osm>"), "reading XML: xml: encoding \"ISO-8859-1\" declared but Decoder.CharsetReader is nil"},
		{"nantong.osm", orphans.xmlDoc(false), "no walkable ways with node locations (2 ways referenced 5 nodes, 5 missing)"},
		{"orphans.osm.pbf", orphans.pbf(pbfOptions{}), "no walkable ways with node locations (2 ways referenced 5 nodes, 5 missing)"},
		{"nodes-only.osm", fixture{nodes: town().nodes}.xmlDoc(false), "no walkable ways with node locations (0 ways referenced 0 nodes, 0 missing)"},
		{"bad.osm.gz", []byte("\x1f\x8b\x09garbage"), "not a valid gzip file: gzip: invalid header"},
		{"cut.osm.gz", gzipBytes(t, xmlDoc)[:200], "file truncated: unexpected EOF"},
		{"bad.osm.bz2", []byte("BZh9 this is not bzip2 data"), "reading bzip2 data: bzip2 data invalid: bad magic value found"},
		{"short.osm.pbf", pbf[:12], "PBF file truncated: file ends inside the OSMHeader block"},
		{"huge-header.osm.pbf", []byte("\x00\x00\xff\xfe\n\tOSMHeader"), "corrupt PBF header: block at byte 0: BlobHeader of 65534 bytes is implausibly large"},
		{"short-header.osm.pbf", []byte("\x00\x00\x10\x00\n\tOSMHeader"), "PBF file truncated: file ends inside the OSMHeader block"},
		{"noise.osm.pbf", []byte("\x00\x00\x00\x0e\n\tOSMHeaver\x18"), `not an OSM PBF file (starts with "\x00\x00\x00\x0e\n\tOSMHeaver\x18")`},
		{"cut-header.osm.pbf", pbf[:30], "PBF file truncated: file ends inside the OSMHeader block"},
		{"cut-data.osm.pbf", pbf[:len(pbf)-20], "PBF file truncated: data ends inside a block at byte ..."},
		{"cut-blobheader.osm.pbf", pbf[:4+headerLen+2], "PBF file truncated: data ends inside a block at byte ..."},
		{"huge-blob.osm.pbf", craftedBlock("OSMData", pbfOptions{blobSize: maxBlob + 1}, nil), "corrupt PBF data: block at byte ...: blob of 33554433 bytes is over the format's limit of 33554432"},
		{"bomb.osm.pbf", craftedBlock("OSMData", pbfOptions{rawSize: -1}, make([]byte, maxBlob+1)), "corrupt PBF data: block at byte ...: block decompresses to more than the format's limit of 33554432 bytes"},
		{"raw-size-huge.osm.pbf", craftedBlock("OSMData", pbfOptions{rawSize: 30 << 20}, []byte("\x0a\x00")), "corrupt PBF data: block at byte ...: block says it holds 31457280 bytes uncompressed, more than its 14 bytes of zlib data can hold"},
		{"bomb-raw-size.osm.pbf", craftedBlock("OSMData", pbfOptions{rawSize: 1}, make([]byte, maxBlob+1)), "corrupt PBF data: block at byte ...: block decompresses to more than the 1 bytes its header says"},
		{"raw-size-lies.osm.pbf", craftedBlock("OSMData", pbfOptions{rawSize: 5}, []byte("\x0a\x00")), "corrupt PBF data: block at byte ...: block decompresses to 2 bytes, its header says 5"},
		{"bad-zlib.osm.pbf", craftedBlock("OSMData", pbfOptions{badZlib: true}, []byte("\x0a\x00")), "corrupt PBF data: block at byte ...: zlib data: ..."},
		{"lz4.osm.pbf", craftedBlock("OSMData", pbfOptions{lz4: true}, nil), "corrupt PBF data: block at byte ...: blocks are lz4-compressed; only zlib and uncompressed blocks can be read"},
		{"string-index.osm.pbf", craftedBlock("OSMData", pbfOptions{}, primitive(nil, way(7, []uint64{1}, []uint64{9}, nil))),
			"corrupt PBF data: block at byte ...: way 7: tag key string index 1 outside the block's string table of 0 strings"},
		{"tag-count.osm.pbf", craftedBlock("OSMData", pbfOptions{}, primitive([]string{"", "highway"}, way(7, []uint64{1, 1}, []uint64{1}, nil))),
			"corrupt PBF data: block at byte ...: way 7: 2 tag keys but 1 values"},
		{"dense-lengths.osm.pbf", craftedBlock("OSMData", pbfOptions{}, primitive(nil, dense([]int64{1, 2, 3}, []int64{1}, []int64{1, 2, 3}))),
			"corrupt PBF data: block at byte ...: DenseNodes: 3 ids but 1 latitudes and 3 longitudes"},
		{"bad-varint.osm.pbf", craftedBlock("OSMData", pbfOptions{}, []byte("\x12\x03\x12\x01\xff")),
			"corrupt PBF data: block at byte ...: DenseNodes: unexpected EOF"},
		{"second-header.osm.pbf", craftedBlock("OSMHeader", pbfOptions{}, nil), "corrupt PBF data: block at byte ...: a second OSMHeader"},
		{"granularity.osm.pbf", craftedBlock("OSMData", pbfOptions{}, protowire.AppendVarint(protowire.AppendTag(nil, 17, protowire.VarintType), 0)), "corrupt PBF data: block at byte ...: granularity 0: want a positive number of nanodegrees"},
		{"future.osm.pbf", town().pbf(pbfOptions{required: []string{"OsmSchema-V0.6", "DenseNodes", "Teleportation"}}),
			`PBF file requires feature "Teleportation", which the decoder does not have`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := writeFile(t, c.name, c.data)
			ex, err := Load(context.Background(), p, Options{Buildings: true, Water: true})
			if err == nil {
				t.Fatalf("no error; stats %+v", ex.Stats)
			}
			t.Log(err)
			msg := err.Error()
			prefix := p + ": "
			if !strings.HasPrefix(msg, prefix) {
				t.Fatalf("error %q does not start with the path %q", msg, prefix)
			}
			if msg = strings.TrimPrefix(msg, prefix); !matches(msg, c.want) {
				t.Errorf("error %q, want %q", msg, c.want)
			}
		})
	}
}

// TestLoadDirectory: a directory is not a file; the error must still say so
// rather than report an empty file.
func TestLoadDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "extract.osm")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := Load(context.Background(), dir, Options{})
	if err == nil || err.Error() != dir+": is a directory, not an OSM file" {
		t.Errorf("err = %v, want one saying it is a directory", err)
	}
}

// matches reports whether s matches pattern, in which "..." stands for any
// text.
func matches(s, pattern string) bool {
	parts := strings.Split(pattern, "...")
	if len(parts) == 1 {
		return s == pattern
	}
	first, last := parts[0], parts[len(parts)-1]
	if len(s) < len(first)+len(last) || !strings.HasPrefix(s, first) || !strings.HasSuffix(s, last) {
		return false
	}
	s = s[len(first) : len(s)-len(last)]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return true
}

// craftedBlock returns a PBF file: the town's header block, then one block
// of type typ holding data, zlib-compressed unless opt says otherwise.
func craftedBlock(typ string, opt pbfOptions, data []byte) []byte {
	pbf := town().pbf(pbfOptions{})
	hdrEnd := 4 + int(binary.BigEndian.Uint32(pbf))
	var size uint64
	for b := pbf[4:hdrEnd]; len(b) > 0; {
		num, _, n := protowire.ConsumeTag(b)
		v, m := protowire.ConsumeVarint(b[n:])
		if num == 3 {
			size = v
		}
		if num == 1 {
			_, m = protowire.ConsumeBytes(b[n:])
		}
		b = b[n+m:]
	}
	return appendCraftedBlock(pbf[:hdrEnd+int(size)], typ, opt, data)
}

// primitive encodes a PrimitiveBlock with a string table and one group.
func primitive(strs []string, group ...[]byte) []byte {
	var table, g, b []byte
	for _, s := range strs {
		table = protowire.AppendTag(table, 1, protowire.BytesType)
		table = protowire.AppendString(table, s)
	}
	for _, m := range group {
		g = append(g, m...)
	}
	b = protowire.AppendTag(b, 1, protowire.BytesType)
	b = protowire.AppendBytes(b, table)
	b = protowire.AppendTag(b, 2, protowire.BytesType)
	return protowire.AppendBytes(b, g)
}

// way encodes a PrimitiveGroup member holding one Way.
func way(id uint64, keys, vals []uint64, refs []int64) []byte {
	var m []byte
	m = protowire.AppendTag(m, 1, protowire.VarintType)
	m = protowire.AppendVarint(m, id)
	m = appendPacked(m, 2, keys)
	m = appendPacked(m, 3, vals)
	m = appendPacked(m, 8, zigzag(refs))
	return protowire.AppendBytes(protowire.AppendTag(nil, 3, protowire.BytesType), m)
}

// dense encodes a PrimitiveGroup member holding DenseNodes (values as
// given, not delta-coded).
func dense(ids, lats, lons []int64) []byte {
	var m []byte
	m = appendPacked(m, 1, zigzag(ids))
	m = appendPacked(m, 8, zigzag(lats))
	m = appendPacked(m, 9, zigzag(lons))
	return protowire.AppendBytes(protowire.AppendTag(nil, 2, protowire.BytesType), m)
}

func appendPacked(b []byte, num protowire.Number, vs []uint64) []byte {
	var p []byte
	for _, v := range vs {
		p = protowire.AppendVarint(p, v)
	}
	return protowire.AppendBytes(protowire.AppendTag(b, num, protowire.BytesType), p)
}

func zigzag(vs []int64) []uint64 {
	out := make([]uint64, len(vs))
	for i, v := range vs {
		out[i] = protowire.EncodeZigZag(v)
	}
	return out
}
