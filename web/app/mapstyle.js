// The map's style, built from the server's own vector tiles: no glyphs, no
// sprites, no external URL. Names are shown in popups and panels, never as
// map text, so no font files are needed.

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
  basemap: ['base-water', 'base-waterways', 'base-buildings', 'base-walkways', 'base-steps'],
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
  return style;
}
