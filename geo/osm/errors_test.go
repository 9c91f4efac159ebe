package osm

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
		{"huge-header.osm.pbf", []byte("\x00\x00\xff\xfe\n\tOSMHeader"), "corrupt PBF header: BlobHeader of 65534 bytes is implausibly large"},
		{"short-header.osm.pbf", []byte("\x00\x00\xff\x00\n\tOSMHeader"), "PBF file truncated: file ends inside the OSMHeader block"},
		{"noise.osm.pbf", []byte("\x00\x00\x00\x0e\n\tOSMHeaver\x18"), `not an OSM PBF file (starts with "\x00\x00\x00\x0e\n\tOSMHeaver\x18")`},
		{"cut-header.osm.pbf", pbf[:30], "PBF file truncated: file ends inside the OSMHeader block"},
		{"cut-data.osm.pbf", pbf[:len(pbf)-20], "PBF file truncated: data ends inside a block at byte ..."},
		{"cut-blobheader.osm.pbf", pbf[:4+headerLen+2], "PBF file truncated: data ends inside a block at byte ..."},
		{"plain-nodes.osm.pbf", town().pbf(pbfOptions{required: []string{"OsmSchema-V0.6"}, plainNodes: true}),
			"PBF header does not list DenseNodes, so the file may hold plain nodes, which the PBF decoder cannot read (rewrite it with osmium cat)"},
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
