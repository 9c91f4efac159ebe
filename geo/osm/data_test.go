package osm

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/osm"
	"github.com/paulmach/osm/osmpbf"
	"github.com/paulmach/osm/osmxml"
)

// dataFile returns the path of a real extract in ../shared/data/osm beside
// the repository root (the directory holding go.mod), skipping the test
// when it is absent: the extracts are shared data, not part of the repo.
func dataFile(t testing.TB, name string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skipf("no go.mod above the working directory, so no shared data to find %s in", name)
		}
		dir = parent
	}
	p := filepath.Join(dir, "..", "shared", "data", "osm", name)
	if _, err := os.Stat(p); errors.Is(err, os.ErrNotExist) {
		t.Skipf("real-data test skipped: %s not found", p)
	} else if err != nil {
		t.Fatal(err)
	}
	return p
}

// rawExtract is a file read the plain way, with no filtering, to check
// Load against.
type rawExtract struct {
	nodes     map[int64]orb.Point
	ways      []*osm.Way
	relations []*osm.Relation
}

// readRaw reads every node, way and relation of a real extract with the osm scanners
// directly.
func readRaw(t testing.TB, path string) rawExtract {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var sc osm.Scanner
	if strings.HasSuffix(path, ".pbf") {
		sc = osmpbf.New(context.Background(), f, runtime.GOMAXPROCS(0))
	} else {
		sc = osmxml.New(context.Background(), f)
	}
	defer sc.Close()
	raw := rawExtract{nodes: make(map[int64]orb.Point)}
	for sc.Scan() {
		switch o := sc.Object().(type) {
		case *osm.Node:
			raw.nodes[int64(o.ID)] = orb.Point{o.Lon, o.Lat}
		case *osm.Way:
			raw.ways = append(raw.ways, o)
		case *osm.Relation:
			raw.relations = append(raw.relations, o)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return raw
}
