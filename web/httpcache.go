package web

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/carecircle/carecircle/data"
)

// Tiles are named by URL and version: a scenario layer's tile URL carries
// ?v=<scenario version> and the basemap's ?v=<tile tag> (the app takes both
// from TileJSON and the scenario). A tile asked for at the version the
// server holds never changes, so it is cached for a year as immutable; one
// asked for without (or at another) version is to be revalidated. Either
// way the ETag names the build, city, layer, scenario and version, so
// If-None-Match gets a 304 without the tile being built or sent.

// immutable is the Cache-Control of a versioned tile.
const immutable = "public, max-age=31536000, immutable"

// versionOrDev is the build's version, "dev" when unknown (go test, go run).
func versionOrDev(v string) string {
	if v == "" {
		return "dev"
	}
	return v
}

// tileTag names what every tile depends on besides its scenario: the
// build (tiles are encoded by the code) and the city (its name and size:
// a city rebuilt from other data differs in them). Replicas of one build
// on one city agree on it. A build that names no clean commit (go run, a
// modified tree) may encode tiles differently under the same name, so its
// tag is new at every start instead.
func tileTag(version string, b *data.Bundle) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00", versionOrDev(version))
	if !identifiedBuild(version) {
		fmt.Fprintf(h, "%d\x00", time.Now().UnixNano())
	}
	if b != nil && b.City != nil {
		c := b.City
		fmt.Fprintf(h, "%s\x00%d\x00%d", c.Name, len(c.Regions), len(c.Facilities))
		if c.Network != nil {
			fmt.Fprintf(h, "\x00%v", c.Network.Bound())
		}
	}
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:9])
}

// identifiedBuild says whether version names one clean build: a commit
// (after "+") or a release, not "dev", "(devel)" or a modified tree.
func identifiedBuild(version string) bool {
	v := versionOrDev(version)
	if v == "dev" || strings.Contains(v, "dirty") {
		return false
	}
	return !strings.HasPrefix(v, "(devel)") || strings.Contains(v, "+")
}

// tileETag is the ETag of a tile of layer at scenario id's version (the
// basemap's depends on neither).
func (s *Server) tileETag(layer, id string, version int64) string {
	if layer == "basemap" {
		return `"` + s.tileTag + `-basemap"`
	}
	return `"` + s.tileTag + "-" + layer + "-" + id + "-" + strconv.FormatInt(version, 10) + `"`
}

// tileVersion is what the v= of a tile URL must be for it to be immutable.
func (s *Server) tileVersion(layer string, version int64) string {
	if layer == "basemap" {
		return s.tileTag
	}
	return strconv.FormatInt(version, 10)
}

// tileHeaders sets a tile response's validators and caching, and says
// whether the client's copy is current (answer 304).
func (s *Server) tileHeaders(w http.ResponseWriter, r *http.Request, layer, id string, version int64) (notModified bool) {
	h := w.Header()
	etag := s.tileETag(layer, id, version)
	h.Set("ETag", etag)
	if r.URL.Query().Get("v") == s.tileVersion(layer, version) {
		h.Set("Cache-Control", immutable)
	} else {
		h.Set("Cache-Control", "no-cache") // revalidate: scenario tiles change with edits
	}
	return etagMatches(r.Header.Get("If-None-Match"), etag)
}

// etagMatches says whether an If-None-Match header names etag (weakly:
// W/ prefixes are ignored, as RFC 9110 asks for If-None-Match).
func etagMatches(header, etag string) bool {
	if header == "" {
		return false
	}
	if strings.TrimSpace(header) == "*" {
		return true
	}
	for _, t := range strings.Split(header, ",") {
		if strings.TrimPrefix(strings.TrimSpace(t), "W/") == etag {
			return true
		}
	}
	return false
}

// writeTile sends a built tile (gzipped bytes): 204 when it has nothing in
// it (as Martin and other tile servers do, and MapLibre draws nothing),
// the gzipped bytes to a client that takes gzip, the plain ones otherwise.
func (s *Server) writeTile(w http.ResponseWriter, r *http.Request, gz []byte) {
	h := w.Header()
	if len(gz) < 64 { // an empty tile gzips to ~20 bytes: unpack only the small ones
		if raw, err := gunzip(gz); err == nil && len(raw) == 0 {
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	h.Set("Content-Type", "application/vnd.mapbox-vector-tile")
	if !acceptsGzip(r) {
		raw, err := gunzip(gz)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		h.Set("Content-Length", strconv.Itoa(len(raw)))
		w.Write(raw)
		return
	}
	h.Set("Content-Encoding", "gzip")
	h.Set("Content-Length", strconv.Itoa(len(gz)))
	w.Write(gz)
}

// tileJSONDoc is the TileJSON of layer for scenario id, its tile URL
// absolute as the browser reaches this server (basepath.go), and the
// basemap's versioned with the tile tag.
func (s *Server) tileJSONDoc(r *http.Request, layer, id string) map[string]any {
	doc := s.tiles.TileJSON(layer, id, s.publicOrigin(r)+s.publicPath(r, "tiles"))
	if tiles, ok := doc["tiles"].([]string); ok && layer == "basemap" {
		for i, u := range tiles {
			tiles[i] = u + "?v=" + s.tileTag
		}
	}
	return doc
}
