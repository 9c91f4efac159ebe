package osm

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/paulmach/osm"
	"github.com/paulmach/osm/osmpbf"
)

// pbfFeatureSupported reports whether osmpbf v0.8.0 can read files that
// require feature f.
func pbfFeatureSupported(f string) bool {
	switch f {
	case "OsmSchema-V0.6", "DenseNodes", "HistoricalInformation":
		return true
	}
	return false
}

// readPBF scans PBF data into c.
//
// The osmpbf scanner decodes blocks on GOMAXPROCS goroutines and calls its
// filters there. Node locations are copied into c by FilterNode, which then
// rejects the node so that the decoder reuses it instead of allocating one
// osm.Node per node (the largest allocation of a load otherwise); the price is
// a mutex and an unordered store, sorted once in finish. Ways that are
// neither walkable nor asked for are dropped by FilterWay, relations that
// are not walkable areas by FilterRelation.
//
// A panic inside those goroutines cannot be recovered here (recover only
// works on the panicking goroutine), so inputs known to make osmpbf panic
// are refused before it starts; see pbfRequiredFeatures.
func readPBF(ctx context.Context, br *bufio.Reader, name string, c *collector) error {
	required, err := pbfRequiredFeatures(br)
	switch {
	case errors.Is(err, errShortHeader):
		return fmt.Errorf("%s: PBF file truncated: %w", name, err)
	case err != nil:
		return fmt.Errorf("%s: corrupt PBF header: %w", name, err)
	}
	// osmpbf v0.8.0 panics on a block of plain (non-dense) nodes. Writers
	// that use dense nodes must list DenseNodes as a required feature, and
	// all current ones use them, so a header without it warns of plain
	// nodes.
	if !slices.Contains(required, "DenseNodes") {
		return fmt.Errorf("%s: PBF header does not list DenseNodes, so the file may hold plain nodes, which the PBF decoder cannot read (rewrite it with osmium cat)", name)
	}
	for _, f := range required {
		if !pbfFeatureSupported(f) {
			return fmt.Errorf("%s: PBF file requires feature %q, which the decoder does not have", name, f)
		}
	}

	cr := &countingReader{r: br}
	sc := osmpbf.New(ctx, cr, runtime.GOMAXPROCS(0))
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
		return pbfError(name, cr, err)
	}
	// Close waits for the decoder goroutines, so no FilterNode call can
	// still be writing c.nodes when finish reads it.
	sc.Close()
	c.stats.Ways = int(ways.Load())
	return nil
}

// pbfError words a decoder error for a person, saying so when the file is
// truncated, the common case, and where it ends.
func pbfError(name string, cr *countingReader, err error) error {
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%s: %w", name, err)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%s: PBF file truncated: data ends inside a block at byte %d", name, cr.n.Load())
	}
	// No position here: the reader runs ahead of the decoders, so the
	// bytes read so far say little about where the bad block is.
	return fmt.Errorf("%s: corrupt PBF data: %w", name, err)
}

// countingReader counts the bytes read through it; the PBF decoder reads on
// its own goroutine, hence the atomic.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}
