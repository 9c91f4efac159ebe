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
// PBF files are decoded by our own implementation of the format (pbf.go,
// pbfscan.go, pbfblock.go) on worker goroutines: a scanner of nodes (with
// tags), ways and relations (with members), shaped like osmpbf's. It checks every size, length and index in a block, limits how
// far a block may decompress, and turns any failure, even a panic, into an
// error naming the file and the block, so a crafted file cannot end the
// process.
package osm
