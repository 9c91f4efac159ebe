// Package geo is CareCircle's spatial engine: the walking graph, snapping of
// points to it, bounded shortest paths, catchments and service-area polygons.
//
// It knows nothing of elder care. Everything here is in WGS84 longitude and
// latitude degrees, metres and seconds.
//
// The graph is undirected (walking ignores one-way streets) and stored as
// compressed sparse rows: for node u, its incident edges are the slots
// Offsets[u] .. Offsets[u+1] of Adj (the neighbour) and AdjEdge (the
// undirected edge id). Every edge is a single straight segment between two
// consecutive OSM nodes, so an edge needs no geometry of its own. Nodes are
// numbered along a Hilbert curve through their points (see
// GraphBuilder.Build), so that a bounded search reads memory that lies
// close together; callers name nodes by OSM id, never by a remembered index.
package geo
