package osm

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// Load reads the OSM file at path (PBF, or XML plain, gzipped or
// bzip2-compressed) and builds the walking graph; see Read. Errors name path.
func Load(ctx context.Context, path string, opt Options) (*Extract, error) {
	f, err := openFile(path, opt.MaxFileBytes)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Read(ctx, f, path, opt)
}

// openFile opens the OSM file at path for reading, refusing what is not a
// regular file (a device or pipe such as /dev/zero could be read forever)
// and, when maxBytes is not 0, a file larger than that.
func openFile(path string, maxBytes int64) (*os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err // *fs.PathError already names the path
	}
	fi, err := f.Stat()
	switch {
	case err != nil:
	case fi.IsDir():
		err = fmt.Errorf("%s: is a directory, not an OSM file", path)
	case !fi.Mode().IsRegular():
		err = fmt.Errorf("%s: is not a regular file (a device or a pipe), not an OSM file", path)
	case maxBytes > 0 && fi.Size() > maxBytes:
		err = fmt.Errorf("%s: %w: the file is %s, the limit %s", path, ErrTooLarge, sizeText(fi.Size()), sizeText(maxBytes))
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// capRaw is the data r, as read (compressed or not), cut off with an
// error wrapping ErrTooLarge after maxBytes bytes; r itself when maxBytes
// is 0.
func capRaw(r io.Reader, maxBytes int64) io.Reader {
	if maxBytes <= 0 {
		return r
	}
	return &capReader{r: r, left: maxBytes,
		err: fmt.Errorf("%w: the data is over the limit of %s", ErrTooLarge, sizeText(maxBytes))}
}

// Read reads OSM data from r and builds the walking graph, plus buildings
// and water if opt asks for them. The format is recognised from the content;
// name is used in every error message and, when it ends in .pbf, .osm or
// .xml (optionally followed by .gz or .bz2), must agree with the content.
//
// It fails when the data is not OSM, is cut short or malformed, when no
// walkable way has two located nodes, or when ctx is cancelled (the error
// then wraps ctx.Err()).
func Read(ctx context.Context, r io.Reader, name string, opt Options) (*Extract, error) {
	start := time.Now()
	src, f, err := openFormat(capRaw(r, opt.MaxFileBytes), name, opt.MaxFileBytes)
	if err != nil {
		return nil, err
	}
	c := newCollector(opt)
	switch f {
	case formatPBF:
		err = readPBF(ctx, src, name, c)
	default:
		err = readXML(ctx, src, name, c)
	}
	if err != nil {
		return nil, err
	}
	ex, err := c.finish(ctx, name)
	if err != nil {
		return nil, err
	}
	ex.Stats.Duration = time.Since(start)
	return ex, nil
}

// bufSize is the read buffer: large enough that the decoders see few short
// reads, and at least sniffLen so that sniffing can Peek.
const bufSize = 64 << 10

// openFormat recognises the content of r, undoing gzip or bzip2, and checks
// it against what name promises. It returns a reader positioned at the start
// of the PBF or XML data.
func openFormat(r io.Reader, name string, maxBytes int64) (*bufio.Reader, format, error) {
	br := bufio.NewReaderSize(r, bufSize)
	head, err := peek(br)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", name, err)
	}
	if len(head) == 0 {
		return nil, 0, fmt.Errorf("%s: empty file", name)
	}
	if len(head) < sniffLen && len(bytes.TrimSpace(head)) == 0 {
		return nil, 0, fmt.Errorf("%s: empty file (white space only)", name)
	}

	got, compression := sniff(head), ""
	switch got {
	case formatGzip:
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, 0, fmt.Errorf("%s: not a valid gzip file: %w", name, err)
		}
		br, compression = bufio.NewReaderSize(capped(zr, maxBytes), bufSize), "gzip"
	case formatBzip2:
		br, compression = bufio.NewReaderSize(capped(bzip2.NewReader(br), maxBytes), bufSize), "bzip2"
	}
	if compression != "" {
		if head, err = peek(br); errors.Is(err, ErrTooLarge) {
			return nil, 0, fmt.Errorf("%s: %w", name, err)
		} else if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, 0, fmt.Errorf("%s: file truncated: %w", name, err)
		} else if err != nil {
			return nil, 0, fmt.Errorf("%s: reading %s data: %w", name, compression, err)
		}
		if len(head) == 0 {
			return nil, 0, fmt.Errorf("%s: empty after %s decompression", name, compression)
		}
		got = sniff(head)
		if got == formatGzip || got == formatBzip2 {
			got = formatUnknown // compressed twice: no tool writes that
		}
	}

	var what string // what the content is, for a mismatch error
	switch got {
	case formatPBF:
		what = "it is OSM PBF"
	case formatXML:
		what = "it is XML starting with " + preview(head)
	default:
		what = "starts with " + preview(head)
	}
	if compression != "" {
		what = compression + "-compressed, " + what
	}
	switch want := claimedFormat(name); {
	case want == formatPBF && got != formatPBF:
		return nil, 0, fmt.Errorf("%s: not an OSM PBF file (%s)", name, what)
	case want == formatXML && got != formatXML:
		return nil, 0, fmt.Errorf("%s: not an OSM XML file (%s)", name, what)
	case got == formatUnknown:
		return nil, 0, fmt.Errorf("%s: not an OSM PBF or XML file (%s)", name, what)
	}
	if got == formatXML {
		if root := xmlRoot(head); root != "" && root != "osm" {
			return nil, 0, fmt.Errorf("%s: not an OSM XML file (root element <%s>, want <osm>)", name, root)
		}
	}
	return br, got, nil
}

// peek returns up to sniffLen bytes without consuming them; a file shorter
// than that is not an error.
func peek(br *bufio.Reader) ([]byte, error) {
	head, err := br.Peek(sniffLen)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return head, nil
}

// ErrTooLarge is wrapped by the error for data over Options.MaxFileBytes.
var ErrTooLarge = errors.New("over the size limit")

// capped limits the uncompressed data r to maxBytes when that is not 0.
func capped(r io.Reader, maxBytes int64) io.Reader {
	if maxBytes <= 0 {
		return r
	}
	return &capReader{r: r, left: maxBytes,
		err: fmt.Errorf("%w: uncompressed, the data is over the limit of %s", ErrTooLarge, sizeText(maxBytes))}
}

// capReader fails with err, which wraps ErrTooLarge, once more than left
// bytes are read.
type capReader struct {
	r    io.Reader
	left int64
	err  error
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.left < 0 {
		return 0, c.err
	}
	if int64(len(p)) > c.left+1 {
		p = p[:c.left+1]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if c.left < 0 {
		return n, c.err
	}
	return n, err
}

// sizeText writes a byte count for a message: MiB, or bytes when small.
func sizeText(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d bytes", n)
	}
	return fmt.Sprintf("%d MiB", (n+1<<20-1)>>20)
}
