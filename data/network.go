package data

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/carecircle/carecircle/data/synthetic"
	"github.com/carecircle/carecircle/geo"
	"github.com/carecircle/carecircle/geo/osm"
)

// NetworkSource says where a walking graph comes from: an OSM extract, or
// a synthetic preset when OSM is empty.
type NetworkSource struct {
	OSM       string // .osm.pbf, .osm, .osm.gz or .osm.bz2
	Synthetic string // preset name, used when OSM is empty
	Seed      uint64 // synthetic seed
	// CacheDir holds graph caches of OSM extracts; empty means no cache.
	CacheDir string
	// WaysOnly leaves pedestrian areas out of an OSM graph (see
	// osm.Options.WaysOnly), for comparison with tools that read none.
	WaysOnly bool
}

// Network is a loaded walking graph and how it was obtained.
type Network struct {
	Graph     *geo.Graph
	Name      string        // the file or "synthetic PRESET seed N"
	FromCache bool          // read from CacheDir rather than built
	BuildTime time.Duration // time to build or read the graph
	OSM       *osm.Stats    // import statistics; nil for synthetic and cached graphs
}

// LoadNetwork builds (or reads from the cache) the walking graph of src.
// A stale or corrupt cache is rebuilt with a warning, never trusted.
func LoadNetwork(ctx context.Context, src NetworkSource, log *slog.Logger) (*Network, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	start := time.Now()
	if src.OSM == "" {
		if src.Synthetic == "" {
			return nil, errors.New("no network source: give an OSM extract or a synthetic preset")
		}
		p, err := synthetic.Preset(src.Synthetic)
		if err != nil {
			return nil, err
		}
		c, err := synthetic.Generate(ctx, p, src.Seed)
		if err != nil {
			return nil, err
		}
		return &Network{Graph: c.Graph, Name: fmt.Sprintf("synthetic %s seed %d", src.Synthetic, src.Seed), BuildTime: time.Since(start)}, nil
	}

	cachePath, key, err := cacheFor(src)
	if err != nil {
		return nil, err
	}
	if cachePath != "" {
		g, err := geo.LoadGraphFile(cachePath, key)
		switch {
		case err == nil:
			log.Info("walking graph read from cache", "cache", cachePath, "nodes", g.NumNodes())
			return &Network{Graph: g, Name: src.OSM, FromCache: true, BuildTime: time.Since(start)}, nil
		case errors.Is(err, os.ErrNotExist):
		default:
			log.Warn("graph cache not used, rebuilding", "cache", cachePath, "reason", err)
		}
	}
	ex, err := osm.Load(ctx, src.OSM, osm.Options{WaysOnly: src.WaysOnly, MaxFileBytes: Limits{}.withDefaults().OSMFileBytes})
	if err != nil {
		return nil, err
	}
	n := &Network{Graph: ex.Graph, Name: src.OSM, BuildTime: time.Since(start), OSM: &ex.Stats}
	if cachePath != "" {
		if err := os.MkdirAll(filepath.Dir(cachePath), 0o755); err != nil {
			log.Warn("graph cache not written", "cache", cachePath, "reason", err)
		} else if err := geo.SaveGraphFile(cachePath, ex.Graph, key); err != nil {
			log.Warn("graph cache not written", "cache", cachePath, "reason", err)
		}
	}
	return n, nil
}

// cacheFor names the cache file of an OSM extract and the key that says
// which version of the file and of the filter it was built from.
func cacheFor(src NetworkSource) (path, key string, err error) {
	fi, err := os.Stat(src.OSM)
	if err != nil {
		return "", "", fmt.Errorf("OSM extract: %w", err)
	}
	if src.CacheDir == "" {
		return "", "", nil
	}
	abs, err := filepath.Abs(src.OSM)
	if err != nil {
		return "", "", err
	}
	key = fmt.Sprintf("osm %s size=%d mtime=%d filter=%d", abs, fi.Size(), fi.ModTime().UnixNano(), osm.FilterVersion)
	sum := sha256.Sum256([]byte(abs))
	base := strings.TrimSuffix(filepath.Base(abs), filepath.Ext(abs))
	if src.WaysOnly {
		key += " ways-only"
		base += "-ways"
	}
	return filepath.Join(src.CacheDir, base+"-"+hex.EncodeToString(sum[:6])+".ccgraph"), key, nil
}
