// Package web serves CareCircle over HTTP: the JSON API under /api/v1
// (docs/api.md, docs/openapi.yaml), per-scenario vector tiles under
// /tiles, and the embedded web map at /.
//
// One Server serves one city. Scenarios live in the scenario store; the
// server keeps an evaluation of each scenario it has been asked about, so
// an edit costs one catchment and a re-sum of the regions, not a city.
package web
