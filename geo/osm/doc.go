// Package osm reads an OpenStreetMap extract and builds CareCircle's walking
// graph from it, optionally with building footprints and water for a base
// map.
//
// Both OSM encodings are read: PBF, and XML either plain or compressed with
// gzip or bzip2. The format is recognised from the content; a file name that
// says otherwise (XML in a file called .pbf, say) is an error rather than a
// guess, because it usually means the wrong file was configured.
//
// Nodes and ways are read in one pass and joined afterwards, so the order of
// elements in the file does not matter. Relations are not read: multipolygon
// buildings and lakes are left out.
//
// Which ways can be walked is decided by Walkable alone. Graph node ids are
// OSM node ids and every located node of a walkable way becomes a graph node
// (no simplification), so a route can be traced back to the map. A way that
// leaves the extract is cut where its nodes have no location.
//
// PBF files are decoded by github.com/paulmach/osm/osmpbf on worker
// goroutines, where a panic cannot be recovered. Files whose header does not
// require DenseNodes are refused before decoding, as osmpbf panics on plain
// nodes; what is left is a crafted file whose zlib checksums are right but
// whose blocks are inconsistent inside, for example string-table indexes out
// of range. Read only extracts from sources you trust, such as Geofabrik or
// the OSM API.
package osm
