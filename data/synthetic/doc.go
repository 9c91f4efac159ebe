// Package synthetic generates deterministic, city-like walking networks for
// the demo city, for tests and for benchmarks, from a few thousand nodes to
// a few million.
//
// # Layout
//
// A city is a rectangle of Params.WidthM by Params.HeightM metres centred on
// Params.Center (WGS84). A river crosses it from west to east as a band of
// water with bends; it splits the land into a south and a north bank, and
// only bridges cross it. A riverside road runs along each bank, set back
// from the water, with a promenade and steps down to it in built-up parts.
//
// Each bank is cut into neighbourhoods by a lattice of main roads roughly
// Params.BlockM apart. The lattice rows follow the river near the banks and
// straighten out towards the city's edge, as streets do in river cities.
// Every neighbourhood gets a density class from its distance to the urban
// centres and a layout: a grid of local streets whose blocks hold service
// lanes and footpaths, organic lanes (irregular, curved, with dead ends),
// hillside lanes where stairs take the steep links, a park, or a village.
// Hills raise the ground; local links steeper than a walkable grade become
// steps, because that is how Chongqing's hillsides are walked. Local streets
// that meet a main road, and some main-road junctions, get a short crossing
// edge. Every way is split into OSM-like edges (typically 15 to 35 m, at
// most about 75 m, bridge spans up to 70 m, crossings and door paths 8 to
// 16 m),
// so that node density is close to that of an OpenStreetMap walking
// network: about 2,500 nodes per km² in dense cores, 150 in villages.
//
// Between villages some lattice lines carry no road, so that farmland is not
// gridded like a city; the main roads stay connected all the same.
//
// Neighbourhoods are returned with their polygons, density class, layout and
// lattice position, so that a later generator can group them into
// communities, streets and districts, place people and facilities on land,
// and know which graph nodes lie in each.
//
// # Determinism
//
// The same Params and seed give the identical graph: same node order,
// coordinates, ids and edges. All randomness comes from math/rand/v2 PCG
// streams keyed by the seed and by the part of the city being drawn (one
// stream per neighbourhood, per main-road side and so on), so parts do not
// shift each other and neighbourhoods can be planned in parallel. Results
// are bit-identical on one platform; across CPU architectures floating-point
// fusion may differ in the last bit.
//
// # Node ids
//
// Node k (1-based, in creation order) gets the synthetic id IDBase + k.
// IDBase = 10^15 lies far above real OpenStreetMap node ids (about 1.3×10^10
// in 2025) and, with any realistic k, below 2^53, so ids never clash with
// OSM data and survive a round trip through JSON numbers. Build drops the
// few nodes outside the largest component, so the ids in a Graph are
// not contiguous; the Graph numbers its nodes along a Hilbert curve (see
// geo.GraphBuilder.Build), so its node indexes do not follow the ids.
//
// # Units
//
// Generation works in metres on a local plane (x east, y north, origin at
// the south-west corner of Bound) and converts to lon/lat with
// geo.LocalPlane, whose scale error over a city is well under one percent;
// edge lengths are measured by geo.GraphBuilder with Haversine.
package synthetic
