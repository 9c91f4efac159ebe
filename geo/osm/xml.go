package osm

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"

	"github.com/paulmach/osm"
	"github.com/paulmach/osm/osmxml"
)

// readXML scans OSM XML into c. Every way is decoded (encoding/xml has no
// cheap skip), so unwanted ones are dropped right after.
func readXML(ctx context.Context, r io.Reader, name string, c *collector) error {
	sc := osmxml.New(ctx, r)
	defer sc.Close()
	for sc.Scan() {
		switch o := sc.Object().(type) {
		case *osm.Node:
			c.addNode(o)
		case *osm.Way:
			c.stats.Ways++
			if wanted(o, c.opt) {
				c.addWay(o)
			}
		case *osm.Relation:
			c.addRelation(o)
		}
	}
	// Err must come before Close, which would make it ErrScannerClosed.
	if err := sc.Err(); err != nil {
		var syn *xml.SyntaxError
		switch {
		case errors.Is(err, ErrTooLarge):
			return fmt.Errorf("%s: %w", name, err)
		case errors.As(err, &syn):
			return fmt.Errorf("%s: %w", name, err) // "XML syntax error on line N: ..."
		case errors.Is(err, io.ErrUnexpectedEOF):
			return fmt.Errorf("%s: file truncated: %w", name, err)
		}
		return fmt.Errorf("%s: reading XML: %w", name, err)
	}
	return nil
}
