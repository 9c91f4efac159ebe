package osm

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/paulmach/osm"
	"google.golang.org/protobuf/encoding/protowire"
)

// This file is part of CareCircle's own implementation of the OSM PBF
// format: the reading of blocks and the walking-graph load; the scanner
// that hands out objects is in pbfscan.go, the decoding of one block in
// pbfblock.go. It replaces github.com/paulmach/osm/osmpbf, which decodes
// on goroutines of its own and panics there, beyond any recover, on crafted
// blocks (string-table indexes out of range, arrays of unequal length, plain
// nodes): a bad file killed the process. Here every length, index and size is
// checked, so a bad file is an error that names the file, the block and what
// is wrong. The format is documented at
// https://wiki.openstreetmap.org/wiki/PBF_Format.

// PBF size limits, from the format's own: a BlobHeader is under 32 KiB (real ones are
// a dozen bytes), a
// blob (compressed or not) at most 32 MiB.
const (
	maxBlobHeader = 32 << 10
	maxBlob       = 32 << 20
	// maxBlockEntities bounds the nodes, ways and relations of one block,
	// so that a small zlib block cannot expand into tens of millions of
	// nodes. osmium puts 8,000 in a block, but some writers put a whole
	// small city's nodes in one: Monaco's extract has 180,118 in one block.
	maxBlockEntities = 1 << 20
	// maxBlockDecoded bounds the memory of the objects decoded from one
	// block (their structs, tags, node references and members, counted
	// whether a filter keeps them or not), so that a block of one-byte
	// values cannot ask for gigabytes: the format lets a byte of data
	// become a 104-byte relation member. Monaco's largest block takes 30 MiB.
	maxBlockDecoded = 256 << 20
)

// pbfFeatureSupported reports whether the reader handles files that require
// feature f.
func pbfFeatureSupported(f string) bool {
	switch f {
	case "OsmSchema-V0.6", "DenseNodes", "HistoricalInformation":
		return true
	}
	return false
}

// fileBlock is one blob of a PBF file as read, still compressed.
type fileBlock struct {
	typ   string
	blob  []byte
	start int64 // byte offset of its length prefix in the file
}

// pbfBlocks reads the blocks of a PBF file one by one.
type pbfBlocks struct {
	r   io.Reader
	off int64
}

// errTruncated marks data that ends inside a block.
var errTruncated = errors.New("truncated")

// next returns the next block, io.EOF at a clean end of file, or an error
// wrapping errTruncated when the data ends inside one.
func (p *pbfBlocks) next() (fileBlock, error) {
	start := p.off
	var size [4]byte
	n, err := io.ReadFull(p.r, size[:])
	p.off += int64(n)
	if err == io.EOF {
		return fileBlock{}, io.EOF
	}
	if err != nil {
		return fileBlock{}, p.cut(err)
	}
	hsize := binary.BigEndian.Uint32(size[:])
	if hsize >= maxBlobHeader {
		return fileBlock{}, fmt.Errorf("block at byte %d: BlobHeader of %d bytes is implausibly large", start, hsize)
	}
	hdr := make([]byte, hsize)
	n, err = io.ReadFull(p.r, hdr)
	p.off += int64(n)
	if err != nil {
		return fileBlock{}, p.cut(err)
	}
	var typ string
	dataSize := int64(-1)
	err = eachField(hdr, func(num protowire.Number, _ protowire.Type, val []byte, v uint64) error {
		switch num {
		case 1:
			typ = string(val)
		case 3:
			dataSize = int64(int32(v))
		}
		return nil
	})
	switch {
	case err != nil:
		return fileBlock{}, fmt.Errorf("block at byte %d: BlobHeader: %w", start, err)
	case dataSize < 0:
		return fileBlock{}, fmt.Errorf("block at byte %d: BlobHeader gives no data size", start)
	case dataSize > maxBlob:
		return fileBlock{}, fmt.Errorf("block at byte %d: blob of %d bytes is over the format's limit of %d", start, dataSize, maxBlob)
	}
	blob := make([]byte, dataSize)
	n, err = io.ReadFull(p.r, blob)
	p.off += int64(n)
	if err != nil {
		return fileBlock{}, p.cut(err)
	}
	return fileBlock{typ: typ, blob: blob, start: start}, nil
}

func (p *pbfBlocks) cut(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: data ends inside a block at byte %d", errTruncated, p.off)
	}
	return err
}

// readPBF scans PBF data into c with a pbfScanner. Node locations are
// stored by FilterNode, which then rejects the node so that the decoder
// reuses it rather than allocating an osm.Node per node (the largest
// allocation of a load otherwise); blocks are decoded in parallel, so the
// store is filled out of order under a mutex and sorted once in finish.
// FilterWay counts every way and keeps those the options want; relations
// are skipped.
func readPBF(ctx context.Context, br *bufio.Reader, name string, c *collector) error {
	sc := newPBFScanner(ctx, br, name)
	defer sc.Close()
	sc.FilterRelation = func(r *osm.Relation) bool { return WalkableArea(r.Tags, true) }
	var nodesMu sync.Mutex // guards c.nodes during the scan
	sc.FilterNode = func(n *osm.Node) bool {
		nodesMu.Lock()
		c.addNode(n)
		nodesMu.Unlock()
		return false
	}
	var ways atomic.Int64
	opt := c.opt // the filter must not touch c, which the scan loop writes
	sc.FilterWay = func(w *osm.Way) bool {
		ways.Add(1)
		return wanted(w, opt)
	}
	for sc.Scan() {
		switch o := sc.Object().(type) {
		case *osm.Way:
			c.addWay(o)
		case *osm.Relation:
			c.addRelation(o)
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	// Close waits for the workers, so no FilterNode call can still be
	// writing c.nodes when finish reads it.
	sc.Close()
	c.stats.Ways += int(ways.Load())
	return nil
}

// trimTruncated drops the errTruncated mark from err's text.
func trimTruncated(err error) string {
	s := err.Error()
	if i := len(errTruncated.Error()) + 2; len(s) > i && s[:i] == errTruncated.Error()+": " {
		return s[i:]
	}
	return s
}

// decodeFileBlock decodes one block; a panic, which would be a bug in this
// decoder or in a filter, becomes an error rather than the end of the
// process.
func decodeFileBlock(b fileBlock, f pbfFilters) (r pbfResult) {
	defer func() {
		if p := recover(); p != nil {
			r = pbfResult{err: fmt.Errorf("block at byte %d: decoder failure: %v", b.start, p)}
		}
	}()
	switch b.typ {
	case "OSMData":
	case "OSMHeader":
		return pbfResult{err: fmt.Errorf("block at byte %d: a second OSMHeader", b.start)}
	default:
		return pbfResult{} // unknown block types are to be skipped, says the format
	}
	data, err := blobData(b.blob)
	if err != nil {
		return pbfResult{err: fmt.Errorf("block at byte %d: %w", b.start, err)}
	}
	r, err = decodePrimitiveBlock(data, f)
	if err != nil {
		return pbfResult{err: fmt.Errorf("block at byte %d: %w", b.start, err)}
	}
	return r
}

// headerFeatures returns the required features of an OSMHeader blob.
func headerFeatures(blob []byte) ([]string, error) {
	raw, err := blobData(blob)
	if err != nil {
		return nil, err
	}
	var required []string
	err = eachField(raw, func(num protowire.Number, _ protowire.Type, val []byte, _ uint64) error {
		if num == 4 {
			required = append(required, string(val))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("HeaderBlock: %w", err)
	}
	return slices.Clip(required), nil
}
