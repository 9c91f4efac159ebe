// The map's style, built from the server's own vector tiles: no sprites, no
// external URL. Map text (street, community and facility names) is drawn
// with the browser's own fonts: a style without a "glyphs" URL makes
// MapLibre 6 rasterise every glyph locally (TinySDF), so no glyph server and
// no font files are needed, offline included.

// LABEL_FONTS are the CSS font families labels are drawn in, Chinese first;
// MapLibre adds sans-serif at the end.
export const LABEL_FONTS = ['Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', 'WenQuanYi Micro Hei'];

// Colours of facility types (codes of planner.FacilityTypes).
export const TYPE_COLOURS = {
  street_center: '#d9480f',
  community_station: '#1c7ed6',
  day_care: '#2b8a3e',
  canteen: '#e8590c',
  rural_point: '#0c8599',
  institution: '#862e9c',
  health: '#c2255c',
};
export const OTHER_COLOUR = '#495057';
export const PROPOSED_COLOUR = '#7048e8';
export const IDLE_COLOUR = '#adb5bd';

// Indicator ramps: stops are [value, colour]. A function of the data range
// so counts scale to the city; shares and rates use fixed, meaningful stops.
export const INDICATORS = {
  coverage_15min: {
    format: 'pct',
    stops: () => [[0, '#b2182b'], [0.5, '#ef8a62'], [0.8, '#fddbc7'], [0.95, '#a6dba0'], [1, '#1b7837']],
  },
  elders_uncovered_15min: {
    format: 'int',
    stops: (max) => {
      const m = Math.max(niceMax(max), 10);
      return [[0, '#f7f7f7'], [m * 0.1, '#fddbc7'], [m * 0.35, '#ef8a62'], [m * 0.7, '#d6604d'], [m, '#b2182b']];
    },
  },
  floor_gap_m2: {
    format: 'int',
    stops: (max) => {
      const m = Math.max(niceMax(max), 10);
      return [[0, '#f7f7f7'], [m * 0.1, '#fee0b6'], [m * 0.4, '#fdb863'], [m * 0.7, '#e08214'], [m, '#b35806']];
    },
  },
  access_2sfca_m2_per_elder: {
    format: 'dec2',
    stops: (max) => {
      const m = Math.max(niceMax(max), 0.1);
      return [[0, '#b2182b'], [m * 0.15, '#ef8a62'], [m * 0.35, '#fddbc7'], [m * 0.6, '#a6dba0'], [m, '#1b7837']];
    },
  },
  beds_per_1000_elders: {
    format: 'dec1',
    stops: () => [[0, '#b2182b'], [20, '#ef8a62'], [35, '#fddbc7'], [40, '#a6dba0'], [60, '#1b7837']],
  },
};

export function niceMax(v) {
  if (!(v > 0)) return 0;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

// placeNames is the GeoJSON of the communities' name points, from the
// city's regions (GET /api/v1/city gives each a label point).
export function placeNames(regions) {
  const features = [];
  for (const r of regions || []) {
    if (r.level === 'community' && r.label) {
      features.push({ type: 'Feature', geometry: { type: 'Point', coordinates: r.label }, properties: { code: r.code, name: r.name } });
    }
  }
  return { type: 'FeatureCollection', features };
}

// fillColour is the expression that colours a community from the feature
// state "v" the app sets from the scenario's summary.
export function fillColour(stops) {
  const ramp = ['interpolate', ['linear'], ['feature-state', 'v']];
  let last = -Infinity;
  for (const [v, c] of stops) {
    const x = v > last ? v : last + 1e-9; // stops must increase strictly
    ramp.push(x, c);
    last = x;
  }
  return ['case', ['==', ['typeof', ['feature-state', 'v']], 'number'], ramp, '#dee2e6'];
}

function typeColour() {
  const m = ['match', ['get', 'type']];
  for (const [k, c] of Object.entries(TYPE_COLOURS)) m.push(k, c);
  m.push(OTHER_COLOUR);
  return m;
}

const truthy = (key) => ['any', ['==', ['get', key], true], ['==', ['get', key], 1], ['==', ['get', key], 'true']];

// The ids of the layers each layer switch controls.
export const SWITCHES = {
  basemap: ['base-water', 'base-waterways', 'base-roads-casing', 'base-roads', 'base-buildings', 'base-walkways', 'base-steps'],
  labels: ['label-roads', 'label-communities', 'label-facilities'],
  communities: ['comm-fill', 'comm-line', 'street-line', 'district-line'],
  demand: ['demand-fill'],
  facilities: ['fac-halo', 'fac-circle'],
  service: ['sel-area-fill', 'sel-area-line'],
};

// buildStyle makes the style. sources maps a tile layer id to its source
// definition ({type:'vector', tiles, minzoom, maxzoom, bounds}); names maps
// a tile layer id to its source-layer names.
export function buildStyle(sources, names) {
  const style = {
    version: 8,
    sources: {},
    layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#f4f1ea' } }],
  };
  for (const [id, src] of Object.entries(sources)) {
    style.sources[id] = { ...src };
  }
  if (style.sources.communities) style.sources.communities.promoteId = 'code';
  style.sources.selected = { type: 'geojson', data: { type: 'FeatureCollection', features: [] } };
  // one point per community, where its name goes (placeNames fills it)
  style.sources.placenames = { type: 'geojson', data: { type: 'FeatureCollection', features: [] } };

  const L = style.layers;
  const has = (id) => !!style.sources[id];
  const sl = (id, want) => {
    const n = names[id] || [];
    return n.includes(want) ? want : (n.length === 1 ? n[0] : want);
  };

  if (has('basemap')) {
    L.push({ id: 'base-water', type: 'fill', source: 'basemap', 'source-layer': sl('basemap', 'water'),
      filter: ['==', ['geometry-type'], 'Polygon'], paint: { 'fill-color': '#a5d8ff' } });
    L.push({ id: 'base-waterways', type: 'line', source: 'basemap', 'source-layer': sl('basemap', 'waterways'), paint: { 'line-color': '#74c0fc', 'line-width': 2 } });
    // Named roads, drawn as roads under the coverage colours.
    const roadWidth = (k) => ['interpolate', ['linear'], ['zoom'], 12, 1.2 * k, 15, 4 * k, 18, 12 * k];
    L.push({ id: 'base-roads-casing', type: 'line', source: 'basemap', 'source-layer': 'roads',
      layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: { 'line-color': '#adb5bd', 'line-width': roadWidth(1.35) } });
    L.push({ id: 'base-roads', type: 'line', source: 'basemap', 'source-layer': 'roads',
      layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: { 'line-color': '#ffffff', 'line-width': roadWidth(1) } });
  }
  if (has('communities')) {
    L.push({ id: 'comm-fill', type: 'fill', source: 'communities', 'source-layer': sl('communities', 'communities'),
      filter: ['==', ['get', 'level'], 'community'],
      paint: { 'fill-color': fillColour(INDICATORS.coverage_15min.stops()), 'fill-opacity': 0.55 } });
  }
  if (has('basemap')) {
    L.push({ id: 'base-buildings', type: 'fill', source: 'basemap', 'source-layer': sl('basemap', 'buildings'),
      paint: { 'fill-color': '#ced4da', 'fill-opacity': 0.7, 'fill-outline-color': '#adb5bd' } });
    L.push({ id: 'base-walkways', type: 'line', source: 'basemap', 'source-layer': sl('basemap', 'walkways'),
      filter: ['!=', ['get', 'kind'], 'steps'],
      paint: { 'line-color': '#ffffff', 'line-opacity': 0.9,
        'line-width': ['interpolate', ['linear'], ['zoom'], 12, 0.4, 15, 1.5, 18, 4] } });
    L.push({ id: 'base-steps', type: 'line', source: 'basemap', 'source-layer': sl('basemap', 'walkways'),
      filter: ['==', ['get', 'kind'], 'steps'],
      paint: { 'line-color': '#868e96', 'line-dasharray': [1, 1],
        'line-width': ['interpolate', ['linear'], ['zoom'], 12, 0.5, 15, 1.5, 18, 4] } });
  }
  if (has('communities')) {
    L.push({ id: 'comm-line', type: 'line', source: 'communities', 'source-layer': sl('communities', 'communities'),
      filter: ['==', ['get', 'level'], 'community'],
      paint: { 'line-color': '#495057', 'line-opacity': 0.6,
        'line-width': ['case', ['boolean', ['feature-state', 'hover'], false], 3, ['boolean', ['feature-state', 'sel'], false], 3, 0.8] } });
    L.push({ id: 'street-line', type: 'line', source: 'communities', 'source-layer': sl('communities', 'streets'),
      paint: { 'line-color': '#343a40', 'line-width': 1.8, 'line-opacity': 0.75 } });
    L.push({ id: 'district-line', type: 'line', source: 'communities', 'source-layer': sl('communities', 'districts'),
      paint: { 'line-color': '#212529', 'line-width': 3, 'line-opacity': 0.8 } });
  }
  if (has('demand')) {
    // elders_uncovered per cell; older tiles may only say covered true/false
    const uncovered = ['to-number', ['coalesce', ['get', 'elders_uncovered'], ['case', truthy('covered'), 0, ['get', 'elders_60']]], 0];
    L.push({ id: 'demand-fill', type: 'fill', source: 'demand', 'source-layer': sl('demand', 'demand'),
      filter: ['>', uncovered, 0.5],
      paint: { 'fill-color': '#e03131',
        'fill-opacity': ['interpolate', ['linear'], uncovered, 0, 0.2, 20, 0.45, 100, 0.7, 300, 0.85] } });
  }
  L.push({ id: 'sel-area-fill', type: 'fill', source: 'selected', filter: ['==', ['geometry-type'], 'Polygon'],
    paint: { 'fill-color': '#7048e8', 'fill-opacity': 0.15 } });
  L.push({ id: 'sel-area-line', type: 'line', source: 'selected', filter: ['==', ['geometry-type'], 'Polygon'],
    paint: { 'line-color': '#5f3dc4', 'line-width': 2, 'line-dasharray': [2, 1] } });
  if (has('facilities')) {
    const status = ['get', 'status'];
    L.push({ id: 'fac-halo', type: 'circle', source: 'facilities', 'source-layer': sl('facilities', 'facilities'),
      filter: ['==', status, 'proposed'],
      paint: { 'circle-radius': ['interpolate', ['linear'], ['zoom'], 11, 8, 16, 14], 'circle-color': PROPOSED_COLOUR,
        'circle-opacity': 0.15, 'circle-stroke-color': PROPOSED_COLOUR, 'circle-stroke-width': 1.5, 'circle-stroke-opacity': 0.8 } });
    L.push({ id: 'fac-circle', type: 'circle', source: 'facilities', 'source-layer': sl('facilities', 'facilities'),
      paint: {
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 11,
          ['match', ['get', 'type'], 'street_center', 5, 'institution', 5, 3.5], 16,
          ['match', ['get', 'type'], 'street_center', 10, 'institution', 10, 7]],
        'circle-color': ['case', ['==', status, 'idle'], '#ffffff', ['==', status, 'proposed'], PROPOSED_COLOUR, typeColour()],
        'circle-opacity': ['match', status, ['planned', 'under_construction'], 0.45, 1],
        'circle-stroke-color': ['case', ['==', status, 'idle'], IDLE_COLOUR,
          ['==', status, 'proposed'], typeColour(), '#ffffff'],
        'circle-stroke-width': ['case', ['==', status, 'idle'], 2.5, ['==', status, 'proposed'], 2.5, 1.2],
      } });
  }
  addLabels(L, has);
  return style;
}

// label is a name with its Latin form beside it where the data has one.
const nameText = ['case', ['has', 'name_latin'], ['concat', ['get', 'name'], ' ', ['get', 'name_latin']], ['get', 'name']];
const halo = { 'text-color': '#212529', 'text-halo-color': '#ffffff', 'text-halo-width': 1.6 };

// addLabels puts the names on top: streets along their lines (z ≥ 14),
// communities (z ≥ 13) and facilities (z ≥ 15).
function addLabels(L, has) {
  if (has('basemap')) {
    L.push({ id: 'label-roads', type: 'symbol', source: 'basemap', 'source-layer': 'roads', minzoom: 14,
      layout: { 'symbol-placement': 'line', 'text-field': nameText, 'text-font': LABEL_FONTS, 'text-size': 12,
        'text-max-angle': 40, 'symbol-spacing': 300 },
      paint: { ...halo, 'text-color': '#495057' } });
  }
  {
    L.push({ id: 'label-communities', type: 'symbol', source: 'placenames', minzoom: 13,
      layout: { 'text-field': ['get', 'name'], 'text-font': LABEL_FONTS, 'text-size': 13, 'text-padding': 4 },
      paint: { ...halo, 'text-halo-width': 2 } });
  }
  if (has('facilities')) {
    L.push({ id: 'label-facilities', type: 'symbol', source: 'facilities', 'source-layer': 'facilities', minzoom: 15,
      layout: { 'text-field': ['get', 'name'], 'text-font': LABEL_FONTS, 'text-size': 11, 'text-offset': [0, 1.1],
        'text-anchor': 'top', 'text-optional': true, 'text-max-width': 8 },
      paint: { ...halo, 'text-color': '#343a40' } });
  }
}
