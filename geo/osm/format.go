package osm

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// format is an encoding of OSM data, or a compression around one.
type format uint8

const (
	formatUnknown format = iota
	formatPBF
	formatXML
	formatGzip
	formatBzip2
)

// sniffLen is how much of a file sniffing looks at: enough for an XML
// declaration, a comment and the root element.
const sniffLen = 4096

// sniff tells the format from the first bytes of a file.
func sniff(head []byte) format {
	switch {
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		return formatGzip
	case bytes.HasPrefix(head, []byte("BZh")):
		return formatBzip2
	case isPBF(head):
		return formatPBF
	}
	rest := bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")) // UTF-8 byte order mark
	rest = bytes.TrimLeft(rest, " \t\r\n")
	if len(rest) > 0 && rest[0] == '<' {
		return formatXML
	}
	return formatUnknown
}

// isPBF checks the start of the first PBF block: a 4-byte big-endian length
// of the BlobHeader, then the BlobHeader's field 1 (the block type) holding
// "OSMHeader". Every OSM PBF file starts so; a file that starts with a data
// block was cut from a larger one and is refused too.
//
// A file shorter than that start counts as PBF if what there is matches, so
// that it is reported as a truncated PBF file rather than as something else.
func isPBF(head []byte) bool {
	// Field 1, length-delimited, 9 bytes long, "OSMHeader".
	const start = "\x0a\x09OSMHeader"
	if len(head) < 5 {
		return false
	}
	size := binary.BigEndian.Uint32(head)
	rest := head[4:min(len(head), 4+len(start))]
	return size > 0 && size < 64<<10 && string(rest) == start[:len(rest)]
}

// claimedFormat is the encoding a file name promises once a .gz or .bz2
// suffix is taken off: formatPBF for .pbf, formatXML for .osm and .xml,
// formatUnknown when the name says nothing (a reader named "-", say).
func claimedFormat(name string) format {
	n := strings.ToLower(name)
	n = strings.TrimSuffix(n, ".gz")
	n = strings.TrimSuffix(n, ".bz2")
	switch {
	case strings.HasSuffix(n, ".pbf"):
		return formatPBF
	case strings.HasSuffix(n, ".osm"), strings.HasSuffix(n, ".xml"):
		return formatXML
	}
	return formatUnknown
}

// preview quotes the start of a file for an error message, at most 24
// bytes, so that `{` says JSON and `<!DOCTYPE html>` says a web page saved
// by mistake. Text is cut at the end of its first line; binary is not, as
// its 0x0a bytes are not line ends.
func preview(head []byte) string {
	if i := bytes.IndexAny(head, "\r\n"); i >= 0 && isText(head[:i]) {
		head = head[:i]
	}
	if len(head) > 24 {
		head = head[:24]
	}
	return fmt.Sprintf("%q", head)
}

// isText reports whether b is printable UTF-8 (tabs allowed).
func isText(b []byte) bool {
	for _, r := range string(b) {
		if r != '\t' && !unicode.IsPrint(r) {
			return false
		}
	}
	return utf8.Valid(b)
}

// xmlRoot returns the name of the first element in head, or "" if head ends
// before one. Syntax errors are left for the real parse to report with a
// line number.
func xmlRoot(head []byte) string {
	d := xml.NewDecoder(bytes.NewReader(head))
	// An encoding other than UTF-8 is the parser's to refuse, not sniffing's.
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	for {
		t, err := d.RawToken()
		if err != nil {
			return ""
		}
		if se, ok := t.(xml.StartElement); ok {
			return se.Name.Local
		}
	}
}
