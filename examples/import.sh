#!/bin/sh
# Writes the example city bundles from the real OSM extracts and grid in
# ../shared/data (see its README) and the bureau-style tables kept here:
#
#   examples/import.sh [OUT]        (default OUT: /tmp/carecircle-examples)
#
#   porto-alegre  central Porto Alegre: 29 community points, the real
#                 population grid, its 117 healthcare cells as stations
#   monaco        nine community points with head counts, spread over
#                 the extract's real buildings, four facilities
#   nantong       a Chinese-named extract: names from the OSM file, a
#                 community and a facility placed by name or address
#
# Then: go run ./cmd/carecircle serve --city OUT/monaco (or report --city).
# cmd/carecircle/examples_test.go runs the same imports.
set -eu
cd "$(dirname "$0")/.."
data=${CARECIRCLE_DATA:-../shared/data}
out=${1:-${TMPDIR:-/tmp}/carecircle-examples}
[ -d "$data" ] || { echo "no shared data at $data (set CARECIRCLE_DATA)" >&2; exit 1; }
go build -o "${TMPDIR:-/tmp}/carecircle-examples-bin" ./cmd/carecircle
cc="${TMPDIR:-/tmp}/carecircle-examples-bin"
trap 'rm -f "$cc"' EXIT

"$cc" import --force --crs wgs84 --name "Porto Alegre" --out "$out/porto-alegre" \
  --osm "$data/poa/porto_alegre.osm.pbf" --population "$data/poa/porto_alegre_hexgrid.csv" \
  --communities examples/porto-alegre/社区.csv --facilities examples/porto-alegre/设施.csv
"$cc" import --force --crs wgs84 --name Monaco --out "$out/monaco" \
  --osm "$data/osm/monaco.osm.pbf" \
  --communities examples/monaco/社区.csv --facilities examples/monaco/设施.csv
"$cc" import --force --crs wgs84 --name 海门区 --out "$out/nantong" \
  --osm "$data/osm/nantong.osm" \
  --communities examples/nantong/社区.csv --facilities examples/nantong/设施.csv
