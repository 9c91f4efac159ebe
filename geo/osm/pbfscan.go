package osm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"

	"github.com/paulmach/osm"
)

// pbfScanner reads the nodes, ways and relations of OSM PBF data: our own
// implementation of the format (see pbf.go), shaped like the scanner of
// github.com/paulmach/osm/osmpbf so that code written for that can switch
// to it by changing the constructor.
//
// Blocks are decoded on GOMAXPROCS worker goroutines; Scan hands out the
// objects in file order. Each object carries its id, tags, metadata when
// the file has it (version, timestamp, changeset, user id and name,
// visible; Visible is true when the file does not say), and its location
// (nodes), node references (ways, with locations in files written with
// LocationsOnWays) or members (relations: type, ref, role).
//
// Use:
//
//	sc := newPBFScanner(ctx, r, name)
//	defer sc.Close()
//	sc.FilterWay = func(w *osm.Way) bool { return w.Tags.HasTag("highway") }
//	for sc.Scan() {
//		switch o := sc.Object().(type) { … }
//	}
//	if err := sc.Err(); err != nil { … }
type pbfScanner struct {
	// SkipNodes, SkipWays and SkipRelations skip elements of that type
	// without decoding them (blocks are still decompressed).
	SkipNodes, SkipWays, SkipRelations bool

	// FilterNode, FilterWay and FilterRelation, when not nil, are called
	// with every decoded element of their type; one returning false drops
	// the element, a nil filter keeps all. As in osmpbf they run on the
	// worker goroutines: in file order within a block, but for several
	// blocks at once, so they must be safe for concurrent use, and fast
	// (they hold up the decoding). The object they are given, with its
	// tags, node references or members, is reused for the next element
	// when they return false, so they must not retain it or any of its
	// slices; when they return true it is handed out by Object and is the
	// caller's. A panicking filter ends the scan with an error.
	//
	// A filter that records what it needs and returns false costs no
	// allocation: this is how readPBF loads a whole city's node locations.
	// Set the filters before the first Scan.
	FilterNode     func(*osm.Node) bool
	FilterWay      func(*osm.Way) bool
	FilterRelation func(*osm.Relation) bool

	ctx    context.Context
	cancel context.CancelCauseFunc
	parent context.Context
	name   string
	blocks *pbfBlocks
	wg     sync.WaitGroup

	started, done bool
	pending       chan chan pbfResult
	objs          []osm.Object
	obj           osm.Object
	err           error
}

// newPBFScanner returns a scanner of the PBF data in r; name is used in
// every error. r is read with small reads, so give it buffered (the
// *bufio.Reader of openFormat). Nothing is read before the first Scan.
// Close must be called when done, to stop and wait for the worker
// goroutines. Size limits on the data as a whole are r's business (Read
// wraps it in a capReader); each block is held to the format's limits
// and to maxBlockEntities and maxBlockDecoded.
func newPBFScanner(ctx context.Context, r io.Reader, name string) *pbfScanner {
	s := &pbfScanner{parent: ctx, name: name, blocks: &pbfBlocks{r: r}}
	s.ctx, s.cancel = context.WithCancelCause(ctx)
	return s
}

// errScannerClosed is the cause given to the workers when Close stops them.
var errScannerClosed = errors.New("PBF scanner closed")

// Scan advances to the next object, which Object then returns. It returns
// false at the end of the data or at the first error, which Err then
// returns.
func (s *pbfScanner) Scan() bool {
	if s.done {
		return false
	}
	if !s.started {
		s.started = true
		if err := s.start(); err != nil {
			return s.fail(err)
		}
	}
	for len(s.objs) == 0 {
		out, ok := <-s.pending
		if !ok {
			s.done = true
			if s.parent.Err() != nil {
				s.err = fmt.Errorf("%s: %w", s.name, context.Cause(s.parent))
			}
			return false
		}
		r := <-out
		if r.err != nil {
			return s.fail(dataError(s.name, r.err))
		}
		s.objs = r.objs
	}
	s.obj, s.objs[0], s.objs = s.objs[0], nil, s.objs[1:]
	return true
}

// fail ends the scan with err, stopping the workers.
func (s *pbfScanner) fail(err error) bool {
	s.err, s.done, s.obj = err, true, nil
	s.cancel(err)
	return false
}

// Object returns the object Scan moved to: an *osm.Node, *osm.Way or
// *osm.Relation.
func (s *pbfScanner) Object() osm.Object { return s.obj }

// Err returns the error that ended the scan, nil at a clean end of data.
// It names the file and, for a bad block, the byte offset of the block and
// what is wrong; it wraps ErrTooLarge for data over a size limit and the
// context's error when the context ended the scan.
func (s *pbfScanner) Err() error { return s.err }

// Close stops the scan and waits for the worker goroutines, so that no
// filter is running once it returns. It is safe to call more than once.
func (s *pbfScanner) Close() error {
	s.cancel(errScannerClosed)
	s.done = true
	s.wg.Wait()
	return nil
}

// start reads the OSMHeader block, checks the features it requires and
// starts the reader goroutine.
func (s *pbfScanner) start() error {
	name := s.name
	first, err := s.blocks.next()
	switch {
	case errors.Is(err, ErrTooLarge):
		return fmt.Errorf("%s: %w", name, err)
	case errors.Is(err, errTruncated), err == io.EOF:
		return fmt.Errorf("%s: PBF file truncated: file ends inside the OSMHeader block", name)
	case err != nil:
		return fmt.Errorf("%s: corrupt PBF header: %w", name, err)
	case first.typ != "OSMHeader":
		return fmt.Errorf("%s: corrupt PBF header: first block is %q, want an OSMHeader", name, first.typ)
	}
	required, err := headerFeatures(first.blob)
	if err != nil {
		return fmt.Errorf("%s: corrupt PBF header: %w", name, err)
	}
	for _, f := range required {
		if !pbfFeatureSupported(f) {
			return fmt.Errorf("%s: PBF file requires feature %q, which the decoder does not have", name, f)
		}
	}
	if err := s.parent.Err(); err != nil {
		return fmt.Errorf("%s: %w", name, context.Cause(s.parent))
	}

	f := pbfFilters{
		skipNodes: s.SkipNodes, skipWays: s.SkipWays, skipRelations: s.SkipRelations,
		node: s.FilterNode, way: s.FilterWay, relation: s.FilterRelation,
	}
	workers := runtime.GOMAXPROCS(0)
	// Each pending block holds at most two blobs' worth of memory; keeping
	// one more than the workers in flight keeps them all busy.
	s.pending = make(chan chan pbfResult, workers+1)
	sem := make(chan struct{}, workers)
	ctx := s.ctx
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer close(s.pending)
		for ctx.Err() == nil {
			b, err := s.blocks.next()
			if err == io.EOF {
				return
			}
			out := make(chan pbfResult, 1)
			if err != nil {
				out <- pbfResult{err: err}
				select {
				case s.pending <- out:
				case <-ctx.Done():
				}
				return
			}
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer func() { <-sem }()
				out <- decodeFileBlock(b, f)
			}()
			select {
			case s.pending <- out:
			case <-ctx.Done():
				return
			}
		}
	}()
	return nil
}

// dataError words an error met after the header for a person.
func dataError(name string, err error) error {
	switch {
	case errors.Is(err, ErrTooLarge):
		return fmt.Errorf("%s: %w", name, err)
	case errors.Is(err, errTruncated):
		return fmt.Errorf("%s: PBF file truncated: %s", name, trimTruncated(err))
	}
	return fmt.Errorf("%s: corrupt PBF data: %w", name, err)
}
