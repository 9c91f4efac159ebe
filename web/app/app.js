// CareCircle web map: a planner opens the city, sees who lives beyond a
// 15-minute walk, draws proposed sites and watches the numbers change.
// Plain ES modules, no build step; every library is vendored under vendor/.

import * as maplibregl from 'maplibre-gl';
import { TerraDraw, TerraDrawPointMode, TerraDrawSelectMode } from 'terra-draw';
import { TerraDrawMapLibreGLAdapter } from 'terra-draw-maplibre-gl-adapter';
import * as echarts from 'echarts';

import { api, ApiError, transformRequest } from './api.js';
import { t, label, getLang, setLang, applyStatic } from './i18n.js';
import { shownChange } from './numbers.js';
import { buildStyle, placeNames, LABEL_FONTS, INDICATORS, SWITCHES, TYPE_COLOURS, OTHER_COLOUR, PROPOSED_COLOUR, IDLE_COLOUR, fillColour } from './mapstyle.js';
import { createSuggest } from './suggest.js';

const $ = (id) => document.getElementById(id);
const BASELINE = 'baseline';
const SCENARIO_KEY = 'carecircle.scenario';
const INDICATOR_KEY = 'carecircle.indicator';
const LAYERS_KEY = 'carecircle.layers';
// Tile layers whose content changes with each edit, reloaded after edits.
// Communities keep their shapes; they are coloured from the summary through
// feature state, so they are not reloaded (no flicker).
const SCENARIO_LAYERS = ['facilities', 'demand', 'service_areas'];
const KPI_KEYS = ['coverage_15min', 'elders_uncovered_15min', 'floor_gap_m2', 'beds_per_1000_elders', 'access_2sfca_m2_per_elder'];
// +1: more is better; -1: less is better.
const GOOD = { coverage_15min: 1, elders_uncovered_15min: -1, floor_gap_m2: -1, beds_per_1000_elders: 1, access_2sfca_m2_per_elder: 1, elders_covered_15min: 1 };
const ADDABLE_TYPES = ['street_center', 'community_station', 'day_care', 'canteen', 'rural_point', 'institution'];
const DEFAULT_SIZE = {
  street_center: [1500, 50], community_station: [300, 10], day_care: [400, 0], canteen: [150, 0],
  rural_point: [200, 0], institution: [3000, 200],
};

const state = {
  city: null,
  regions: new Map(), // code → {code, name, level, parent, bbox?}
  children: new Map(), // parent code ('' for top) → [codes]
  scenarios: [],
  scenario: null, // {id, name, version, added, changed, closed}
  summary: null,
  baseSummary: null,
  assessment: null,
  assessmentFor: '',
  indicator: 'coverage_15min',
  drill: '', // region code; '' is the whole city
  tab: 'regions',
  facility: null, // {id, data}
  lastDelta: null,
  layersOn: { basemap: true, labels: true, communities: true, demand: true, facilities: true, service: true, suggestions: true },
  tileTemplates: {}, // layer → tile URL path without query
  tileVersions: {}, // layer → v= of its TileJSON tiles URL (the basemap's)
  sourceLayers: {}, // layer → source-layer names
  map: null,
  mapReady: false,
  draw: null,
  tool: 'browse',
};

// commLayer is the source-layer of community polygons in the communities tiles.
function commLayer() {
  const n = state.sourceLayers.communities || [];
  return n.includes('communities') ? 'communities' : n[n.length - 1] || 'communities';
}

const isBaseline = () => !state.scenario || state.scenario.id === BASELINE;

// The siting panel (suggest.js): it edits through the same paths as drawing.
const suggest = createSuggest({
  state, api, isBaseline, esc, fmtInt, fmtPct, fmtChange, typeLabel, toast, showError,
  edit, applyAdded, reloadScenario, loadScenarios, switchScenario, openFacility, setTab,
});

// ---------- formatting ----------

function locale() { return getLang() === 'zh' ? 'zh-CN' : 'en-GB'; }
function fmtInt(v) { return v == null || !isFinite(v) ? '–' : Math.round(v).toLocaleString(locale()); }
function fmtPct(v, d = 1) { return v == null || !isFinite(v) ? '–' : (v * 100).toFixed(d) + '%'; }
function fmtDec(v, d = 1) { return v == null || !isFinite(v) ? '–' : Number(v).toLocaleString(locale(), { minimumFractionDigits: d, maximumFractionDigits: d }); }
function fmtInd(key, v) {
  const f = INDICATORS[key]?.format;
  if (f === 'pct' || key.startsWith('coverage')) return fmtPct(v);
  if (f === 'dec1') return fmtDec(v, 1);
  if (f === 'dec2') return fmtDec(v, 2);
  return fmtInt(v);
}
function fmtChange(key, c) {
  if (c == null || !isFinite(c)) return '–';
  const sign = c > 0 ? '+' : c < 0 ? '−' : '±';
  const a = Math.abs(c);
  if (key.startsWith('coverage') || key.endsWith('_share')) return `${sign}${(a * 100).toFixed(1)} ${getLang() === 'zh' ? '个百分点' : 'pp'}`;
  if (INDICATORS[key]?.format === 'dec1') return sign + fmtDec(a, 1);
  if (INDICATORS[key]?.format === 'dec2') return sign + fmtDec(a, 2);
  return sign + fmtInt(a);
}
// fmtOf is the display format of an indicator, for numbers.js.
function fmtOf(key) {
  if (key.startsWith('coverage') || key.endsWith('_share')) return 'pct';
  return INDICATORS[key]?.format || 'int';
}
// change is after − before as both are shown.
function change(key, before, after) { return shownChange(fmtOf(key), before, after); }
// shown is the smallest change the display resolves for an indicator.
function shownStep(key) {
  if (key.startsWith('coverage') || key.endsWith('_share')) return 0.0005;
  const f = INDICATORS[key]?.format;
  return f === 'dec2' ? 0.005 : f === 'dec1' ? 0.05 : 0.5;
}
function changeClass(key, c) {
  if (!c || Math.abs(c) < shownStep(key) || !GOOD[key]) return '';
  return c * GOOD[key] > 0 ? 'good' : 'bad';
}
function esc(s) {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}
function typeLabel(code) {
  const ft = state.city?.facility_types?.find((x) => x.code === code);
  return ft ? label(ft.label, code) : code;
}
function statusLabel(code) {
  const st = state.city?.facility_statuses?.find((x) => x.code === code);
  return st ? label(st.label, code) : code;
}
function unit(key) {
  if (key === 'floor_gap_m2') return t('unit.m2');
  if (key === 'beds_per_1000_elders') return t('unit.beds1000');
  if (key === 'access_2sfca_m2_per_elder') return t('unit.m2elder');
  if (key === 'elders_uncovered_15min') return t('unit.people');
  return '';
}

// ---------- messages ----------

function toast(msg, kind = '', ms = 5000) {
  const el = document.createElement('div');
  el.className = 'toast ' + kind;
  el.textContent = msg;
  $('toasts').appendChild(el);
  setTimeout(() => el.remove(), ms);
  return el;
}
function showError(err) {
  if (err && err.name === 'AbortError') return;
  const msg = err instanceof ApiError || err instanceof Error ? err.message : String(err);
  toast(t('error.prefix') + msg, 'error', 9000);
}
window.addEventListener('carecircle-error', (ev) => showError(ev.detail)); // from api.js's downloads

// ---------- regions ----------

function indexRegions(list) {
  state.regions.clear();
  state.children.clear();
  for (const r of list || []) state.regions.set(r.code, r);
  for (const r of list || []) {
    const p = r.parent && state.regions.has(r.parent) ? r.parent : '';
    if (!state.children.has(p)) state.children.set(p, []);
    state.children.get(p).push(r.code);
  }
}
function regionPath(code) {
  const path = [];
  for (let c = code; c && state.regions.has(c); c = state.regions.get(c).parent) path.unshift(c);
  return path;
}
function isWithin(code, ancestor) {
  if (!ancestor) return true;
  for (let c = code; c; c = state.regions.get(c)?.parent) if (c === ancestor) return true;
  return false;
}
function communitiesUnder(code) {
  const out = [];
  const walk = (c) => {
    const kids = state.children.get(c) || [];
    if (!kids.length && c) out.push(c);
    kids.forEach(walk);
  };
  walk(code);
  return out;
}
function regionIndicators(code, summary = state.summary) {
  if (!summary) return null;
  if (!code) return summary.city || null;
  return summary.regions?.[code] || null;
}

// ---------- boot ----------

async function boot() {
  setLang(getLang());
  applyStatic();
  try { state.indicator = localStorage.getItem(INDICATOR_KEY) || state.indicator; } catch { /* ignore */ }
  if (!INDICATORS[state.indicator]) state.indicator = 'coverage_15min';
  try { Object.assign(state.layersOn, JSON.parse(localStorage.getItem(LAYERS_KEY) || '{}')); } catch { /* ignore */ }
  window.cc = { state, api, get map() { return state.map; }, get draw() { return state.draw; }, ready: false, idle: 0, errors: [] };
  bindStatic();
  try {
    state.city = await api.city();
  } catch (err) {
    const box = document.querySelector('.boot-box');
    box.classList.add('error');
    box.innerHTML = `<p>${esc(t('app.loadFailed', { msg: err.message }))}</p><button type="button" id="boot-retry">${esc(t('app.retry'))}</button>`;
    $('boot-retry').onclick = () => location.reload();
    return;
  }
  indexRegions(state.city.regions);
  const top = state.children.get('') || [];
  if (top.length === 1) state.drill = top[0]; // a city of one district opens on it
  renderCityName();
  fillTypeSelect();

  const wanted = new URLSearchParams(location.hash.slice(1)).get('s') || (() => { try { return localStorage.getItem(SCENARIO_KEY); } catch { return null; } })() || BASELINE;
  await loadScenarios().catch(showError);
  let id = !state.scenarios.length || state.scenarios.some((s) => s.id === wanted) ? wanted : BASELINE;
  if (wanted !== id) toast(t('scenario.missing', { id: wanted }));
  try {
    state.scenario = await api.scenario(id);
  } catch (err) {
    showError(err);
    id = BASELINE;
    state.scenario = { id: BASELINE, name: t('scenario.baseline'), version: 0, added: [], changed: [], closed: [] };
  }
  rememberScenario();
  renderScenarioBar();
  await initMap().catch((err) => {
    $('map-msg').hidden = false;
    $('map-msg').textContent = /webgl/i.test(err.message) ? t('error.webgl') : t('error.map', { msg: err.message });
    console.warn('map', err);
  });
  $('boot').hidden = true;
  await refreshNumbers().catch(showError);
  refreshAssessment();
  suggest.scenarioChanged();
  window.cc.ready = true;
  document.body.dataset.ready = '1';
}

// renderCityName shows the city and its standards profile in the header.
function renderCityName() {
  const c = state.city;
  if (!c) return;
  $('city-name').textContent = c.name + (c.profile ? ' · ' + label(c.profile.title, c.profile.name) : '');
  $('city-name').title = $('city-name').textContent;
}

// setAttribution credits the map's data in the interface's language: a
// synthetic city says so; OSM data are credited to OpenStreetMap.
function setAttribution() {
  const map = state.map;
  if (!map) return;
  if (state.attribution) map.removeControl(state.attribution);
  const c = state.city;
  state.attribution = new maplibregl.AttributionControl({ compact: false, customAttribution: esc(c.synthetic ? t('attribution.synthetic') : c.attribution || t('attribution')) });
  map.addControl(state.attribution, 'bottom-right');
}

function bindStatic() {
  $('btn-lang').onclick = () => {
    setLang(getLang() === 'zh' ? 'en' : 'zh');
    applyStatic();
    if (state.scenario) rememberScenario(); // report links carry the language
    renderCityName();
    setAttribution();
    if ($('map-layers').classList.contains('folded')) $('layers-fold').textContent = t('map.unfold');
    renderAll();
  };
  $('scenario-select').onchange = (e) => switchScenario(e.target.value);
  $('btn-new').onclick = () => newScenario();
  $('btn-rename').onclick = () => renameScenario();
  $('btn-duplicate').onclick = () => duplicateScenario();
  $('btn-delete').onclick = () => deleteScenario();
  $('btn-compare').onclick = () => { setTab('compare'); };
  $('layers-fold').onclick = () => {
    const folded = $('map-layers').classList.toggle('folded');
    $('layers-fold').textContent = t(folded ? 'map.unfold' : 'map.fold');
  };
  // On a small screen the legend starts folded, so the map stays clear.
  if (window.innerWidth < 1100) { $('map-layers').classList.add('folded'); $('layers-fold').textContent = t('map.unfold'); }
  for (const b of document.querySelectorAll('.tabs button')) b.onclick = () => setTab(b.dataset.tab);
  $('tool-browse').onclick = () => setTool('browse');
  $('tool-add').onclick = () => setTool('add');
  $('add-cancel').onclick = () => setTool('browse');
  $('add-form').onsubmit = (e) => e.preventDefault();
  $('add-type').onchange = () => {
    const [floor, beds] = DEFAULT_SIZE[$('add-type').value] || [300, 10];
    $('add-floor').value = floor;
    $('add-beds').value = beds;
  };
  $('indicator').onchange = (e) => {
    state.indicator = e.target.value;
    try { localStorage.setItem(INDICATOR_KEY, state.indicator); } catch { /* ignore */ }
    colourCommunities();
    renderLegend();
  };
  window.addEventListener('resize', () => state.chart?.resize());
  window.addEventListener('keydown', (e) => { if (e.key === 'Escape' && state.tool === 'add') setTool('browse'); });
}

function renderAll() {
  fillTypeSelect();
  renderScenarioBar();
  renderMapControls();
  renderKPIs();
  renderChart();
  renderTab();
  if (state.lastDelta) renderDelta(state.lastDelta);
}

function fillTypeSelect() {
  const sel = $('add-type');
  const cur = sel.value || 'community_station';
  const types = (state.city?.facility_types || []).map((x) => x.code).filter((c) => ADDABLE_TYPES.includes(c));
  sel.innerHTML = (types.length ? types : ADDABLE_TYPES).map((c) => `<option value="${esc(c)}">${esc(typeLabel(c))}</option>`).join('');
  sel.value = cur;
}

// ---------- scenarios ----------

async function loadScenarios() {
  state.scenarios = (await api.scenarios()) || [];
  if (!state.scenarios.some((s) => s.id === BASELINE)) state.scenarios.unshift({ id: BASELINE, name: 'baseline', version: 0 });
}

function rememberScenario() {
  try { localStorage.setItem(SCENARIO_KEY, state.scenario.id); } catch { /* ignore */ }
  const h = state.scenario.id === BASELINE ? '' : `#s=${encodeURIComponent(state.scenario.id)}`;
  if (location.hash !== h) history.replaceState(null, '', location.pathname + location.search + h);
  // 网页 opens the printable report in a new tab; the others download.
  for (const f of ['xlsx', 'pdf', 'html', 'csv']) $(`export-${f}`).href = api.reportURL(state.scenario.id, f, getLang()) + (f === 'html' ? '&inline=1' : '');
}

function scenarioName(s) { return s.id === BASELINE ? t('scenario.baseline') : s.name; }

function renderScenarioBar() {
  const sel = $('scenario-select');
  const list = state.scenario && !state.scenarios.some((s) => s.id === state.scenario.id) ? [...state.scenarios, state.scenario] : state.scenarios;
  // A scenario the store cannot read is listed, greyed, with what is wrong.
  sel.innerHTML = list.map((s) => `<option value="${esc(s.id)}"${s.unreadable ? ` disabled title="${esc(s.unreadable)}"` : ''}>${esc(scenarioName(s))}${s.unreadable ? ' ⚠' : ''}</option>`).join('');
  if (state.scenario) sel.value = state.scenario.id;
  const base = isBaseline();
  for (const id of ['btn-rename', 'btn-delete']) $(id).disabled = base;
  const sc = state.scenario;
  $('scenario-meta').textContent = !sc || base ? '' :
    `${t('scenario.version', { v: sc.version })} · ${t('scenario.counts', { added: sc.added?.length || 0, changed: sc.changed?.length || 0, closed: sc.closed?.length || 0 })}`;
  $('tool-add').disabled = base;
  $('readonly-hint').hidden = !base;
  if (base && state.tool !== 'browse') setTool('browse');
}

async function switchScenario(id, { quiet } = {}) {
  try {
    state.scenario = await api.scenario(id);
  } catch (err) {
    showError(err);
    if (err.status === 404) {
      await loadScenarios().catch(() => {});
      if (id !== BASELINE) return switchScenario(BASELINE);
    }
    renderScenarioBar();
    return;
  }
  state.assessment = null;
  state.lastDelta = null;
  $('delta').hidden = true;
  suggest.scenarioChanged();
  rememberScenario();
  renderScenarioBar();
  clearFacility();
  syncDraw();
  refreshTiles();
  await refreshNumbers().catch(showError);
  if (state.tab === 'compare') renderTab();
  refreshAssessment();
  if (!quiet) toast(scenarioName(state.scenario));
}

async function newScenario() {
  const n = state.scenarios.filter((s) => s.id !== BASELINE).length + 1;
  const name = window.prompt(t('scenario.promptName'), t('scenario.newName', { n }));
  if (name == null || !name.trim()) return;
  try {
    const sc = await api.createScenario(name.trim());
    await loadScenarios();
    await switchScenario(sc.id, { quiet: true });
    toast(t('scenario.created', { name: sc.name }));
  } catch (err) { showError(err); }
}

async function duplicateScenario() {
  const from = state.scenario;
  const name = window.prompt(t('scenario.promptName'), t('scenario.copyOf', { name: scenarioName(from) }));
  if (name == null || !name.trim()) return;
  try {
    const sc = await api.createScenario(name.trim(), from.id);
    await loadScenarios();
    await switchScenario(sc.id, { quiet: true });
    toast(t('scenario.duplicated', { name: sc.name }));
  } catch (err) { showError(err); }
}

async function renameScenario() {
  if (isBaseline()) return;
  const name = window.prompt(t('scenario.promptRename'), state.scenario.name);
  if (name == null || !name.trim()) return;
  await edit(async () => {
    const sc = await api.renameScenario(state.scenario.id, name.trim(), state.scenario.version);
    Object.assign(state.scenario, { name: sc.name, version: sc.version ?? state.scenario.version });
    await loadScenarios();
    renderScenarioBar();
    toast(t('scenario.renamed', { name: sc.name }));
  });
}

async function deleteScenario() {
  if (isBaseline()) return;
  const sc = state.scenario;
  if (!window.confirm(t('scenario.confirmDelete', { name: sc.name }))) return;
  try {
    await api.deleteScenario(sc.id);
    await loadScenarios();
    await switchScenario(BASELINE, { quiet: true });
    toast(t('scenario.deleted', { name: sc.name }));
  } catch (err) { showError(err); }
}

// edit runs scenario edits one at a time, so each carries the version the
// previous one returned. A 409 reloads the scenario and says so.
let editChain = Promise.resolve();
function edit(fn) {
  window.cc.pending = (window.cc.pending || 0) + 1;
  const run = editChain.then(async () => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) {
        await reloadScenario();
        toast(t('scenario.conflict', { v: state.scenario.version }), 'error', 9000);
      } else {
        showError(err);
      }
      return undefined;
    } finally {
      window.cc.pending--;
    }
  });
  editChain = run.catch(() => {});
  return run;
}

async function reloadScenario() {
  try {
    state.scenario = await api.scenario(state.scenario.id);
  } catch (err) {
    showError(err);
    return;
  }
  renderScenarioBar();
  syncDraw();
  refreshTiles();
  await refreshNumbers().catch(showError);
  refreshAssessment();
}

// ---------- numbers: KPIs, colours, chart ----------

let numbersSeq = 0;
async function refreshNumbers() {
  const seq = ++numbersSeq;
  const id = state.scenario.id;
  const [cur, base] = await Promise.all([
    api.summary(id),
    state.baseSummary || id === BASELINE ? Promise.resolve(state.baseSummary) : api.summary(BASELINE),
  ]);
  if (seq !== numbersSeq) return;
  state.summary = cur;
  if (id === BASELINE) state.baseSummary = cur;
  else if (base) state.baseSummary = base;
  renderKPIs();
  colourCommunities();
  renderLegend();
  renderChart();
  if (state.tab === 'regions') renderTab();
}

function renderKPIs() {
  const box = $('kpis');
  const cur = state.summary?.city;
  const base = isBaseline() ? null : state.baseSummary?.city;
  $('kpi-scope').textContent = state.scenario ? '· ' + scenarioName(state.scenario) : '';
  if (!cur) { box.innerHTML = `<p class="muted">${esc(t('region.loading'))}</p>`; return; }
  box.innerHTML = KPI_KEYS.map((k, i) => {
    const v = cur[k];
    let chg = '';
    if (base) {
      const c = change(k, base[k], v);
      chg = `<div class="chg ${changeClass(k, c)}">${esc(t('kpi.vsBaseline'))} ${esc(fmtChange(k, c))} <span class="muted">(${esc(fmtInd(k, base[k]))})</span></div>`;
    } else {
      chg = `<div class="chg">${esc(t('kpi.baselineNote'))}</div>`;
    }
    return `<div class="kpi${i === 0 ? ' wide' : ''}" data-kpi="${k}"><div class="name">${esc(t('kpi.' + k))}</div>` +
      `<div class="val" data-testid="kpi-${k}" data-value="${v ?? ''}">${esc(fmtInd(k, v))}<small>${esc(unit(k))}</small></div>${chg}</div>`;
  }).join('');
}

function renderDelta(resp) {
  const d = resp.delta || {};
  const parts = [];
  const cov = d.elders_covered_15min;
  if (cov) {
    const n = Math.round(cov.change);
    parts.push(n > 0 ? t('delta.covered', { n: fmtInt(n) }) : n < 0 ? t('delta.lost', { n: fmtInt(-n) }) : t('delta.none'));
  }
  // before → after, shown only when the figures differ as displayed
  const pair = (key, v, fmt, always) => {
    if (!v) return;
    const a = fmt(v.before);
    const b = fmt(v.after);
    if (always || a !== b) parts.push(t(key, { a, b }));
  };
  pair('delta.coverage', d.coverage_15min, (x) => fmtPct(x), true);
  pair('delta.floorGap', d.floor_gap_m2, fmtInt);
  pair('delta.beds', d.beds_per_1000_elders, (x) => fmtDec(x, 1));
  const text = (resp.what ? resp.what + '：' : '') + (parts.join(getLang() === 'zh' ? '，' : ', ') || t('delta.none'));
  const el = $('delta');
  el.hidden = false;
  el.textContent = text;
  return text;
}

function colourCommunities() {
  const map = state.map;
  if (!map || !state.mapReady || !state.summary || !map.getSource('communities')) return;
  const sourceLayer = commLayer();
  const key = state.indicator;
  let max = 0;
  for (const [code, r] of state.regions) {
    if (r.level !== 'community') continue;
    const v = state.summary.regions?.[code]?.[key];
    if (typeof v === 'number' && isFinite(v)) max = Math.max(max, v);
    map.setFeatureState({ source: 'communities', sourceLayer, id: code }, { v: typeof v === 'number' && isFinite(v) ? v : null });
  }
  state.rampMax = max;
  map.setPaintProperty('comm-fill', 'fill-color', fillColour(INDICATORS[key].stops(max)));
}

function renderLegend() {
  const key = state.indicator;
  const stops = INDICATORS[key].stops(state.rampMax || 0);
  const lo = stops[0][0];
  const hi = stops[stops.length - 1][0];
  const grad = stops.map(([v, c]) => `${c} ${(((v - lo) / (hi - lo || 1)) * 100).toFixed(1)}%`).join(', ');
  $('legend').innerHTML = `<div class="bar" style="background: linear-gradient(to right, ${grad})"></div>` +
    `<div class="ticks"><span>${esc(fmtInd(key, lo))}</span><span>${esc(fmtInd(key, (lo + hi) / 2))}</span><span>${esc(fmtInd(key, hi))}${hi === stops[stops.length - 1][0] && key !== 'coverage_15min' ? '+' : ''}</span></div>` +
    `<div class="nodata"><span class="sq" style="background:#dee2e6"></span>${esc(t('ind.noData'))}</div>`;
}

function renderMapControls() {
  $('indicator').innerHTML = Object.keys(INDICATORS).map((k) => `<option value="${k}">${esc(t('ind.' + k))}</option>`).join('');
  $('indicator').value = state.indicator;
  $('layer-switches').innerHTML = Object.keys(SWITCHES).map((k) =>
    `<label class="sw"><input type="checkbox" data-layer="${k}" ${state.layersOn[k] ? 'checked' : ''}> ${esc(t('layers.' + k))}</label>`).join('');
  for (const cb of $('layer-switches').querySelectorAll('input')) {
    cb.onchange = () => {
      state.layersOn[cb.dataset.layer] = cb.checked;
      try { localStorage.setItem(LAYERS_KEY, JSON.stringify(state.layersOn)); } catch { /* ignore */ }
      applyLayerSwitches();
    };
  }
  const types = (state.city?.facility_types || []).map((x) => x.code).filter((c) => c !== 'health');
  $('legend-fac').innerHTML =
    types.map((c) => `<span class="item"><span class="dot" style="background:${TYPE_COLOURS[c] || OTHER_COLOUR}"></span>${esc(typeLabel(c))}</span>`).join('') +
    `<span class="item"><span class="dot idle"></span>${esc(t('legend.idle'))}</span>` +
    `<span class="item"><span class="dot proposed"></span>${esc(t('legend.proposed'))}</span>` +
    `<span class="item"><span class="dot" style="background:${TYPE_COLOURS.community_station};opacity:.45"></span>${esc(t('legend.notOpen'))}</span>` +
    `<span class="item"><span class="sq" style="background:#e03131;opacity:.7"></span>${esc(t('legend.demand'))}</span>`;
  renderLegend();
}

function applyLayerSwitches() {
  const map = state.map;
  if (!map || !state.mapReady) return;
  for (const [k, ids] of Object.entries(SWITCHES)) {
    for (const id of ids) if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', state.layersOn[k] ? 'visible' : 'none');
  }
}

// chartRegion is the region whose parts the chart compares: the drill-down
// region, passing through levels with a single part (a city of one district
// shows its streets).
function chartRegion() {
  let code = state.drill;
  for (;;) {
    const kids = state.children.get(code) || [];
    if (kids.length === 1 && (state.children.get(kids[0]) || []).length) code = kids[0];
    else return { code, kids };
  }
}

function renderChart() {
  const { kids } = chartRegion();
  const el = $('chart');
  const level = kids.length ? state.regions.get(kids[0]).level : 'street';
  $('chart-title').textContent = t('chart.title', { level: t('level.' + level) });
  if (!state.summary) return;
  if (!state.chart) state.chart = echarts.init(el, null, { renderer: 'canvas' });
  const rows = kids.map((c) => ({
    code: c,
    name: state.regions.get(c).name,
    cur: state.summary.regions?.[c]?.coverage_15min,
    base: state.baseSummary?.regions?.[c]?.coverage_15min,
  })).filter((r) => typeof r.cur === 'number');
  rows.sort((a, b) => a.cur - b.cur);
  const shown = rows.slice(0, 25).reverse();
  el.style.height = Math.max(160, 40 + shown.length * (isBaseline() ? 18 : 26)) + 'px';
  state.chart.resize();
  const series = [];
  if (!isBaseline()) {
    series.push({ name: t('chart.baseline'), type: 'bar', data: shown.map((r) => r.base != null ? +(r.base * 100).toFixed(1) : null), itemStyle: { color: '#ced4da' }, barGap: '5%' });
  }
  series.push({
    name: t('chart.current'), type: 'bar', itemStyle: { color: '#37b24d' },
    data: shown.map((r) => ({ value: +(r.cur * 100).toFixed(1), itemStyle: { color: r.cur >= 0.95 ? '#37b24d' : r.cur >= 0.8 ? '#fab005' : '#f03e3e' } })),
    label: { show: true, position: 'right', formatter: (p) => Number(p.value).toFixed(1) + '%', fontSize: 10 },
  });
  state.chart.setOption({
    animation: false,
    grid: { left: 8, right: 44, top: isBaseline() ? 8 : 26, bottom: 20, containLabel: true },
    legend: isBaseline() ? { show: false } : { top: 0, itemWidth: 12, itemHeight: 8, textStyle: { fontSize: 11 } },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v) => (v == null ? '–' : v + '%') },
    xAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%', fontSize: 10 } },
    yAxis: { type: 'category', data: shown.map((r) => r.name), axisLabel: { fontSize: 11, width: 90, overflow: 'truncate' } },
    series,
  }, true);
  state.chart.off('click');
  state.chart.on('click', (p) => {
    const r = shown[p.dataIndex];
    if (r) drillTo(r.code, true);
  });
  if (!rows.length) state.chart.setOption({ title: { text: t('chart.empty'), left: 'center', top: 'middle', textStyle: { fontSize: 12, color: '#868e96' } } });
}

// ---------- the map ----------

// tileURL is a layer's tile URL for the scenario shown. v= is the version
// of what the tiles show (the scenario's, or the basemap's from its
// TileJSON), so the server can let browsers keep them for good.
function tileURL(layer) {
  const path = state.tileTemplates[layer];
  const q = new URLSearchParams({ scenario: state.scenario.id });
  if (SCENARIO_LAYERS.includes(layer)) q.set('v', String(state.scenario.version ?? 0));
  else if (state.tileVersions[layer]) q.set('v', state.tileVersions[layer]);
  return `${location.origin}${path}?${q}`;
}

// templatePath turns a TileJSON tiles entry (absolute, root-relative or
// relative to the page) into a path on this server without its query,
// braces kept; the server may be mounted under a prefix.
function templatePath(tpl) {
  let s = String(tpl);
  const m = s.match(/^https?:\/\/[^/]+(\/.*)$/);
  if (m) s = m[1];
  if (!s.startsWith('/')) s = location.pathname.replace(/[^/]*$/, '') + s;
  return s.split('?')[0];
}

// templateVersion is the v= of a TileJSON tiles entry, if any.
function templateVersion(tpl) {
  const q = String(tpl).split('?')[1];
  return q ? new URLSearchParams(q).get('v') : null;
}

async function initMap() {
  const city = state.city;
  const layers = city.layers || [];
  const tjs = await Promise.all(layers.map((l) => api.tileJSON(l.tilejson, state.scenario.id).catch((err) => { showError(err); return null; })));
  const sources = {};
  layers.forEach((l, i) => {
    const tj = tjs[i];
    if (!tj) return;
    state.tileTemplates[l.id] = templatePath(tj.tiles?.[0] || `tiles/${l.id}/{z}/{x}/{y}.mvt`);
    state.tileVersions[l.id] = templateVersion(tj.tiles?.[0] || '');
    state.sourceLayers[l.id] = (tj.vector_layers || []).map((v) => v.id);
    if (!state.sourceLayers[l.id].length) state.sourceLayers[l.id] = [l.id];
    sources[l.id] = {
      type: 'vector',
      tiles: [tileURL(l.id)],
      minzoom: tj.minzoom ?? 0,
      maxzoom: tj.maxzoom ?? 16,
      ...(tj.bounds ? { bounds: tj.bounds } : {}),
    };
  });
  const names = {};
  for (const [k, v] of Object.entries(state.sourceLayers)) names[k] = v;
  const style = buildStyle(sources, names);
  const [w, s, e, n] = city.bbox || [0, 0, 0, 0];
  const map = new maplibregl.Map({
    container: 'map',
    style,
    bounds: [[w, s], [e, n]],
    fitBoundsOptions: { padding: mapPadding() },
    attributionControl: false,
    maxPitch: 0,
    dragRotate: false,
    localIdeographFontFamily: LABEL_FONTS.map((f) => `'${f}'`).join(', ') + ', sans-serif',
    transformRequest, // tiles carry the server's token
  });
  map.touchZoomRotate.disableRotation();
  state.map = map;
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'bottom-right');
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');
  setAttribution();
  let lastErr = 0;
  map.on('error', (e) => {
    const msg = e?.error?.message || String(e?.error || e);
    window.cc.errors.push(msg);
    if (Date.now() - lastErr > 5000) { lastErr = Date.now(); toast(t('error.prefix') + msg, 'error', 6000); }
  });
  map.on('idle', () => { window.cc.idle++; });
  await new Promise((resolve) => map.once('load', resolve));
  state.mapReady = true;
  map.getSource('placenames')?.setData(placeNames(state.city.regions));
  suggest.addLayers(map);
  renderMapControls();
  applyLayerSwitches();
  addProposedLayer();
  bindMapEvents();
  initDraw();
  colourCommunities();
}

// addProposedLayer draws a halo around the scenario's added sites (drawn by
// terra-draw on top), so proposals stand out at any zoom.
function addProposedLayer() {
  const map = state.map;
  map.addSource('added', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
  map.addLayer({ id: 'added-halo', type: 'circle', source: 'added',
    paint: { 'circle-radius': ['interpolate', ['linear'], ['zoom'], 11, 11, 16, 18], 'circle-color': PROPOSED_COLOUR,
      'circle-opacity': 0.18, 'circle-stroke-color': PROPOSED_COLOUR, 'circle-stroke-width': 1.5, 'circle-stroke-opacity': 0.9 } });
  SWITCHES.facilities.push('added-halo');
}

function updateAddedLayer() {
  const src = state.map?.getSource('added');
  if (!src) return;
  const feats = [];
  const snap = state.draw ? state.draw.getSnapshot() : [];
  for (const f of snap) if (f.geometry.type === 'Point') feats.push({ type: 'Feature', geometry: f.geometry, properties: {} });
  src.setData({ type: 'FeatureCollection', features: feats });
}

function refreshTiles() {
  const map = state.map;
  if (!map || !state.mapReady) return;
  for (const layer of Object.keys(state.tileTemplates)) {
    const src = map.getSource(layer);
    if (src && src.setTiles) {
      const url = tileURL(layer);
      if (src.tiles?.[0] !== url) src.setTiles([url]);
    }
  }
  // added sites are drawn by terra-draw; hide their tile copies
  const ids = (state.scenario.added || []).map((f) => f.id);
  const filter = ids.length ? ['!', ['in', ['get', 'id'], ['literal', ids]]] : null;
  if (map.getLayer('fac-circle')) map.setFilter('fac-circle', filter);
  if (map.getLayer('fac-halo')) map.setFilter('fac-halo', ids.length ? ['all', ['==', ['get', 'status'], 'proposed'], filter] : ['==', ['get', 'status'], 'proposed']);
}

function bindMapEvents() {
  const map = state.map;
  const popup = new maplibregl.Popup({ closeButton: false, closeOnClick: false, maxWidth: '260px', offset: 8 });
  let hovered = null;
  const cl = commLayer();
  const setHover = (id) => {
    if (hovered === id) return;
    if (hovered != null) map.setFeatureState({ source: 'communities', sourceLayer: cl, id: hovered }, { hover: false });
    hovered = id;
    if (id != null) map.setFeatureState({ source: 'communities', sourceLayer: cl, id }, { hover: true });
  };
  const interactive = [suggest.LAYER, 'fac-circle', 'demand-fill', 'comm-fill'].filter((id) => map.getLayer(id));
  map.on('mousemove', (e) => {
    if (state.tool === 'add') { popup.remove(); return; }
    const feats = map.queryRenderedFeatures(e.point, { layers: interactive });
    const f = feats[0];
    if (!f) { popup.remove(); setHover(null); map.getCanvas().style.cursor = ''; return; }
    const p = f.properties || {};
    let html = '';
    if (f.layer.id === suggest.LAYER) {
      html = suggest.popupHTML(p);
      map.getCanvas().style.cursor = 'pointer';
    } else if (f.layer.id === 'fac-circle') {
      html = `<b>${esc(p.name || p.id)}</b>${esc(typeLabel(p.type))} · ${esc(statusLabel(p.status))}`;
      map.getCanvas().style.cursor = 'pointer';
    } else if (f.layer.id === 'demand-fill') {
      html = `${esc(t('popup.uncovered', { n: fmtInt(p.elders_60) }))}` + (p.minutes != null && p.minutes >= 0 ? `<br>${esc(t('popup.minutes', { min: fmtDec(p.minutes, 1) }))}` : '');
      const c = feats.find((x) => x.layer.id === 'comm-fill');
      if (c) html = `<b>${esc(c.properties.name)}</b>` + html;
      map.getCanvas().style.cursor = '';
    } else {
      const v = state.summary?.regions?.[p.code]?.[state.indicator];
      html = `<b>${esc(p.name || p.code)}</b>${esc(t('ind.' + state.indicator))}: ${esc(fmtInd(state.indicator, v))}`;
      if (p.boundary_source === 'derived') html += `<br><i>${esc(t('popup.derived'))}</i>`;
      map.getCanvas().style.cursor = 'pointer';
    }
    const comm = feats.find((x) => x.layer.id === 'comm-fill');
    setHover(comm ? comm.id ?? comm.properties.code : null);
    popup.setLngLat(e.lngLat).setHTML(html).addTo(map);
  });
  map.getCanvas().addEventListener('mouseleave', () => { popup.remove(); setHover(null); });
  map.on('movestart', () => popup.remove());
  map.on('click', (e) => {
    if (state.tool === 'add') return;
    const box = [[e.point.x - 4, e.point.y - 4], [e.point.x + 4, e.point.y + 4]];
    if (state.draw && state.draw.getFeaturesAtLngLat(e.lngLat, { pointerDistance: 12 }).length) return;
    if (suggest.clickAt(box)) return;
    const fac = map.queryRenderedFeatures(box, { layers: ['fac-circle'].filter((id) => map.getLayer(id)) })[0];
    if (fac) { openFacility(String(fac.properties.id)); return; }
    const comm = map.queryRenderedFeatures(e.point, { layers: ['comm-fill'].filter((id) => map.getLayer(id)) })[0];
    if (comm) drillTo(String(comm.properties.code), false);
  });
}

// regionBounds finds a region's extent: from its bbox when the server gives
// one, else from the community polygons in loaded tiles, else from the
// facilities placed in it.
function regionBounds(code) {
  const r = state.regions.get(code);
  if (!code) return state.city.bbox;
  if (r?.bbox) return r.bbox;
  const map = state.map;
  const b = [Infinity, Infinity, -Infinity, -Infinity];
  const grow = (c) => {
    if (typeof c[0] === 'number') { b[0] = Math.min(b[0], c[0]); b[1] = Math.min(b[1], c[1]); b[2] = Math.max(b[2], c[0]); b[3] = Math.max(b[3], c[1]); } else c.forEach(grow);
  };
  if (map && map.getSource('communities')) {
    const want = new Set([code, ...communitiesUnder(code)]);
    for (const sourceLayer of state.sourceLayers.communities || []) {
      for (const f of map.querySourceFeatures('communities', { sourceLayer })) {
        if (want.has(String(f.properties.code))) grow(f.geometry.coordinates);
      }
    }
  }
  if (b[0] === Infinity && state.assessment) {
    const want = new Set(communitiesUnder(code));
    for (const f of state.assessment.facilities || []) if (want.has(f.community_code)) grow([f.lon, f.lat]);
  }
  return b[0] === Infinity ? null : b;
}

function flyToRegion(code) {
  const b = regionBounds(code);
  if (!b || !state.map) return;
  state.map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: mapPadding(), maxZoom: 16, duration: 800 });
}

// mapPadding is the map's free area: fitBounds keeps what it shows clear of
// the panels floating over the map (tools, legend), whatever their size.
function mapPadding() {
  const map = $('map').getBoundingClientRect();
  const pad = { top: 30, bottom: 30, left: 30, right: 30 };
  for (const id of ['map-tools', 'map-layers']) {
    const el = $(id);
    if (!el || el.hidden) continue;
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height) continue;
    if (r.left - map.left > map.width / 2) pad.right = Math.max(pad.right, map.right - r.left + 20);
    else if (r.top - map.top < map.height / 3) pad.top = Math.max(pad.top, r.bottom - map.top + 20);
    else pad.left = Math.max(pad.left, r.right - map.left + 20);
  }
  // a panel wider than half the map would leave no room: then it folds.
  pad.right = Math.min(pad.right, map.width / 2);
  pad.top = Math.min(pad.top, map.height / 2);
  return pad;
}

let selectedComm = null;
function drillTo(code, fly) {
  state.drill = code || '';
  const map = state.map;
  const cl = commLayer();
  if (map && map.getSource('communities')) {
    if (selectedComm) map.setFeatureState({ source: 'communities', sourceLayer: cl, id: selectedComm }, { sel: false });
    selectedComm = state.regions.get(code)?.level === 'community' ? code : null;
    if (selectedComm) map.setFeatureState({ source: 'communities', sourceLayer: cl, id: selectedComm }, { sel: true });
  }
  setTab('regions');
  renderChart();
  if (fly) flyToRegion(state.drill);
}

// ---------- drawing ----------

let tmpSeq = 0;
function initDraw() {
  const map = state.map;
  const pointStyle = {
    pointColor: PROPOSED_COLOUR,
    pointWidth: 8,
    pointOutlineColor: (f) => TYPE_COLOURS[f.properties?.ftype] || '#ffffff',
    pointOutlineWidth: 3,
  };
  const draw = new TerraDraw({
    adapter: new TerraDrawMapLibreGLAdapter({ map, coordinatePrecision: 7 }),
    idStrategy: {
      isValidId: (id) => typeof id === 'string' && id.length > 0,
      getId: () => `new-${Date.now().toString(36)}-${++tmpSeq}`,
    },
    modes: [
      new TerraDrawPointMode({ styles: pointStyle }),
      new TerraDrawSelectMode({
        flags: { point: { feature: { draggable: true } } },
        keyEvents: null,
        styles: { selectedPointColor: PROPOSED_COLOUR, selectedPointWidth: 10, selectedPointOutlineColor: '#fcc419', selectedPointOutlineWidth: 3 },
      }),
    ],
  });
  draw.start();
  state.draw = draw;
  window.cc.drawReady = true;
  draw.on('finish', (id, ctx) => {
    if (ctx.mode === 'point' && ctx.action === 'draw') onPlaced(id);
    else if (ctx.action === 'dragFeature') onDragged(id);
  });
  draw.on('change', () => updateAddedLayer());
  draw.on('select', (id) => { if (!String(id).startsWith('new-')) openFacility(String(id)); });
  syncDraw();
}

const round7 = (v) => Math.round(v * 1e7) / 1e7;

function drawFeature(f) {
  return {
    id: f.id,
    type: 'Feature',
    // terra-draw refuses coordinates finer than its precision (7 decimals, 1 cm)
    geometry: { type: 'Point', coordinates: [round7(f.lon), round7(f.lat)] },
    properties: { mode: 'point', ftype: f.type, name: f.name || '' },
  };
}

// syncDraw puts the scenario's added facilities into terra-draw, where they
// can be selected and dragged.
function syncDraw() {
  const draw = state.draw;
  if (!draw) return;
  draw.setMode('static');
  draw.clear();
  if (!isBaseline()) {
    const added = (state.scenario.added || []).filter((f) => typeof f.lon === 'number');
    const res = draw.addFeatures(added.map(drawFeature));
    for (const r of res) if (!r.valid) console.warn('terra-draw rejected', r.id, r.reason);
    draw.setMode(state.tool === 'add' ? 'point' : 'select');
  }
  updateAddedLayer();
  refreshTiles();
}

function setTool(tool) {
  if (tool === 'add' && isBaseline()) { toast(t('scenario.readOnly')); tool = 'browse'; }
  state.tool = tool;
  $('tool-browse').classList.toggle('active', tool === 'browse');
  $('tool-add').classList.toggle('active', tool === 'add');
  $('add-form').hidden = tool !== 'add';
  if (tool === 'add' && !$('add-name').value) $('add-type').dispatchEvent(new Event('change'));
  if (state.draw && !isBaseline()) state.draw.setMode(tool === 'add' ? 'point' : 'select');
  if (state.map) state.map.getCanvas().style.cursor = tool === 'add' ? 'crosshair' : '';
}

function onPlaced(tmpId) {
  const draw = state.draw;
  const f = draw.getSnapshotFeature(tmpId);
  if (!f) return;
  const [lon, lat] = f.geometry.coordinates;
  const type = $('add-type').value;
  const body = {
    name: $('add-name').value.trim() || t('draw.defaultName', { type: typeLabel(type) }),
    type,
    status: 'proposed',
    lon, lat,
    floor_area_m2: Math.max(0, Number($('add-floor').value) || 0),
    beds: Math.max(0, Math.round(Number($('add-beds').value) || 0)),
  };
  $('add-name').value = '';
  setTool('browse');
  const pending = toast(t('draw.saving'), '', 15000);
  return edit(async () => {
    const started = performance.now();
    try {
      const resp = await api.addFacility(state.scenario.id, body, state.scenario.version);
      const fac = resp.facility;
      if (draw.hasFeature(tmpId)) draw.removeFeatures([tmpId]);
      await applyAdded(resp, [fac], t('draw.added'), started);
      openFacility(fac.id);
    } catch (err) {
      if (draw.hasFeature(tmpId)) draw.removeFeatures([tmpId]);
      updateAddedLayer();
      throw err;
    } finally {
      pending.remove();
    }
  });
}

function onDragged(id) {
  const f = state.draw.getSnapshotFeature(id);
  if (!f || String(id).startsWith('new-')) return;
  const [lon, lat] = f.geometry.coordinates;
  const old = (state.scenario.added || []).find((x) => x.id === id);
  // a click on a selected site is a drag of no distance: nothing to send
  if (old && Math.abs(old.lon - lon) < 2e-7 && Math.abs(old.lat - lat) < 2e-7) return;
  return edit(async () => {
    const started = performance.now();
    try {
      const resp = await api.changeFacility(state.scenario.id, id, { lon, lat }, state.scenario.version);
      showDelta(resp, t('draw.moved'), started);
      replaceAdded(resp.facility);
      state.scenario.version = resp.version;
      await afterEdit(resp, t('draw.moved'), started);
      if (state.facility?.id === id) openFacility(id);
    } catch (err) {
      if (old && state.draw.hasFeature(id)) state.draw.updateFeatureGeometry(id, { type: 'Point', coordinates: [old.lon, old.lat] });
      updateAddedLayer();
      throw err;
    }
  });
}

function replaceAdded(fac) {
  if (!fac) return;
  const list = state.scenario.added || [];
  const i = list.findIndex((x) => x.id === fac.id);
  if (i >= 0) list[i] = fac;
  else {
    const ch = state.scenario.changed || (state.scenario.changed = []);
    const j = ch.findIndex((x) => x.id === fac.id);
    if (j >= 0) ch[j] = fac; else ch.push(fac);
  }
}

// applyAdded takes in the answer to an edit that added facilities (a site
// drawn, suggestions accepted): the delta at once, the sites into the
// scenario and terra-draw, then the numbers and tiles of the new version.
async function applyAdded(resp, facilities, what, started) {
  showDelta(resp, what, started);
  state.scenario.added = [...(state.scenario.added || []), ...facilities];
  state.scenario.version = resp.version;
  if (state.draw) {
    const res = state.draw.addFeatures(facilities.map(drawFeature));
    for (const r of res) if (!r.valid) console.warn('terra-draw rejected', r.id, r.reason);
  }
  updateAddedLayer();
  await afterEdit(resp, what, started);
}

// afterEdit shows the edit's delta at once, then refreshes the numbers and
// the tiles of the new version.
function showDelta(resp, what, started) {
  resp.what = what;
  resp.ms = Math.round(performance.now() - started);
  state.lastDelta = resp;
  const text = renderDelta(resp);
  toast(text, 'good', 6000);
  window.cc.lastDelta = resp;
}

async function afterEdit(resp, what, started) {
  if (state.lastDelta !== resp) showDelta(resp, what, started);
  renderScenarioBar();
  refreshTiles();
  rememberScenario();
  await refreshNumbers().catch(showError);
  refreshAssessment();
}

// ---------- facility inspector ----------

function clearFacility() {
  state.facility = null;
  state.map?.getSource('selected')?.setData({ type: 'FeatureCollection', features: [] });
  if (state.tab === 'facility') renderTab();
}

let facSeq = 0;
async function openFacility(fid) {
  const seq = ++facSeq;
  state.facility = { id: fid, data: null };
  setTab('facility');
  try {
    const data = await api.facility(state.scenario.id, fid);
    if (seq !== facSeq) return;
    state.facility.data = data;
    const area = data.service_area;
    state.map?.getSource('selected')?.setData(area ? { type: 'FeatureCollection', features: [area.type === 'Feature' ? area : { type: 'Feature', geometry: area, properties: {} }] } : { type: 'FeatureCollection', features: [] });
  } catch (err) {
    if (seq !== facSeq) return;
    state.facility.error = err.message;
    showError(err);
  }
  if (state.tab === 'facility') renderTab();
}

function renderFacility(pane) {
  const sel = state.facility;
  if (!sel) { pane.innerHTML = `<p class="muted">${esc(t('fac.none'))}</p>${isBaseline() ? '' : `<p class="muted">${esc(t('fac.dragHint'))}</p>`}`; return; }
  if (!sel.data) { pane.innerHTML = `<p class="muted">${esc(sel.error ? t('error.prefix') + sel.error : t('fac.loading'))}</p>`; return; }
  const f = sel.data.facility || {};
  const added = (state.scenario.added || []).some((x) => x.id === f.id);
  const comm = state.regions.get(f.community_code);
  const rows = [
    ['fac.id', esc(f.id)],
    ['fac.type', esc(typeLabel(f.type))],
    ['fac.status', esc(statusLabel(f.status))],
    ['fac.floor', `${fmtInt(f.floor_area_m2)} m²`],
    f.land_area_m2 ? ['fac.land', `${fmtInt(f.land_area_m2)} m²`] : null,
    ['fac.beds', fmtInt(f.beds)],
    f.nursing_beds ? ['fac.nursingBeds', fmtInt(f.nursing_beds)] : null,
    f.operator ? ['fac.operator', esc(t('op.' + f.operator) === 'op.' + f.operator ? f.operator : t('op.' + f.operator))] : null,
    ['fac.community', esc(comm ? comm.name : f.community_code || '–')],
    f.elders_15min != null ? ['fac.elders15', `${fmtInt(f.elders_15min)} ${t('unit.people')}`] : null,
    f.elders_unserved_in_circle ? ['fac.unserved', `${fmtInt(f.elders_unserved_in_circle)} ${t('unit.people')}`] : null,
    f.health_minutes != null ? ['fac.health', f.health_minutes < 0 ? t('fac.healthNone') : `${fmtDec(f.health_minutes, 1)} ${t('unit.min')}`] : null,
    f.center ? ['fac.center', esc(f.center)] : null,
    f.merge_with?.length ? ['fac.mergeWith', esc(f.merge_with.join(', '))] : null,
  ].filter(Boolean);
  const flags = f.flags || [];
  const area = sel.data.service_area?.properties;
  let html = `<div class="fac-head"><span class="dot ${f.status === 'proposed' ? 'proposed' : f.status === 'idle' ? 'idle' : ''}" style="background:${TYPE_COLOURS[f.type] || OTHER_COLOUR}"></span><h3 data-testid="facility-name">${esc(f.name || f.id)}</h3></div>`;
  html += `<dl class="stats">${rows.map(([k, v]) => `<dt>${esc(t(k))}</dt><dd>${v}</dd>`).join('')}</dl>`;
  html += `<h3>${esc(t('fac.findings'))}</h3>`;
  html += flags.length ? `<ul class="flags">${flags.map((x) => `<li>${esc(t('flag.' + x) === 'flag.' + x ? x : t('flag.' + x))}</li>`).join('')}</ul>` : `<p class="muted">${esc(t('fac.noFindings'))}</p>`;
  if (area) html += `<p class="muted">${esc(t('fac.serviceArea', { min: area.minutes ?? state.city.profile?.urban_minutes ?? 15 }))}</p>`;
  if (!isBaseline()) {
    html += '<div class="fac-actions">';
    if (added) html += `<button type="button" class="danger" id="fac-delete" data-testid="facility-delete">${esc(t('fac.delete'))}</button>`;
    else if (f.status !== 'closed') html += `<button type="button" class="danger" id="fac-close">${esc(t('fac.close'))}</button>`;
    if (!added && f.status === 'idle') html += `<button type="button" id="fac-reopen">${esc(t('fac.reopen'))}</button>`;
    html += '</div>';
    if (added) {
      const opts = ADDABLE_TYPES.map((c) => `<option value="${c}" ${c === f.type ? 'selected' : ''}>${esc(typeLabel(c))}</option>`).join('');
      html += `<form class="fac-edit" id="fac-edit">
        <label for="fe-name">${esc(t('draw.name'))}</label><input id="fe-name" value="${esc(f.name)}" maxlength="80">
        <label for="fe-type">${esc(t('draw.type'))}</label><select id="fe-type">${opts}</select>
        <label for="fe-floor">${esc(t('draw.floor'))}</label><input id="fe-floor" type="number" min="0" step="10" value="${esc(f.floor_area_m2)}">
        <label for="fe-beds">${esc(t('draw.beds'))}</label><input id="fe-beds" type="number" min="0" step="1" value="${esc(f.beds)}">
        <span></span><button type="submit" class="primary">${esc(t('fac.save'))}</button></form>`;
    }
  }
  pane.innerHTML = html;
  const fid = f.id;
  if ($('fac-delete')) $('fac-delete').onclick = () => deleteFacility(fid, f.name, true);
  if ($('fac-close')) $('fac-close').onclick = () => deleteFacility(fid, f.name, false);
  if ($('fac-reopen')) $('fac-reopen').onclick = () => changeFacility(fid, { status: 'operating' });
  if ($('fac-edit')) {
    $('fac-edit').onsubmit = (e) => {
      e.preventDefault();
      changeFacility(fid, {
        name: $('fe-name').value.trim(),
        type: $('fe-type').value,
        floor_area_m2: Math.max(0, Number($('fe-floor').value) || 0),
        beds: Math.max(0, Math.round(Number($('fe-beds').value) || 0)),
      });
    };
  }
}

function changeFacility(fid, body) {
  return edit(async () => {
    const started = performance.now();
    const resp = await api.changeFacility(state.scenario.id, fid, body, state.scenario.version);
    replaceAdded(resp.facility);
    state.scenario.version = resp.version;
    if (resp.facility && state.draw?.hasFeature(fid)) state.draw.updateFeatureProperties(fid, { ftype: resp.facility.type, name: resp.facility.name });
    await afterEdit(resp, t('draw.changed'), started);
    openFacility(fid);
  });
}

function deleteFacility(fid, name, added) {
  if (added && !window.confirm(t('fac.confirmDelete', { name: name || fid }))) return;
  return edit(async () => {
    const started = performance.now();
    const resp = await api.deleteFacility(state.scenario.id, fid, state.scenario.version);
    state.scenario.version = resp.version;
    if (added) {
      state.scenario.added = (state.scenario.added || []).filter((x) => x.id !== fid);
      if (state.draw?.hasFeature(fid)) state.draw.removeFeatures([fid]);
      updateAddedLayer();
    } else {
      state.scenario.closed = [...(state.scenario.closed || []), fid];
    }
    clearFacility();
    await afterEdit(resp, added ? t('fac.deleted') : t('fac.closed'), started);
  });
}

// ---------- tabs: regions, facility, compare ----------

function setTab(tab) {
  state.tab = tab;
  for (const b of document.querySelectorAll('.tabs button')) b.classList.toggle('active', b.dataset.tab === tab);
  for (const p of ['regions', 'facility', 'compare', 'suggest']) $('pane-' + p).hidden = p !== tab;
  if (tab !== 'compare') showChangeMap(null);
  renderTab();
}

function renderTab() {
  if (state.tab === 'regions') renderRegions($('pane-regions'));
  else if (state.tab === 'facility') renderFacility($('pane-facility'));
  else if (state.tab === 'suggest') suggest.render($('pane-suggest'));
  else renderCompare($('pane-compare'));
}

let assessTimer = 0;
let assessSeq = 0;
// refreshAssessment fetches the gap list of the scenario's version, a
// little after edits settle (it is heavier than the summary).
function refreshAssessment() {
  clearTimeout(assessTimer);
  assessTimer = setTimeout(async () => {
    const seq = ++assessSeq;
    const key = `${state.scenario.id}@${state.scenario.version}`;
    if (state.assessmentFor === key && state.assessment) return;
    try {
      const a = await api.assessment(state.scenario.id);
      if (seq !== assessSeq) return;
      state.assessment = a;
      state.assessmentFor = key;
      state.assessmentError = null;
    } catch (err) {
      if (seq !== assessSeq) return;
      state.assessmentError = err.message;
    }
    if (state.tab === 'regions') renderTab();
  }, 250);
}

// clauseAfter drops a clause's leading document number when the source
// just cited it: "…（渝民函〔2020〕245号…） 一：“…”", not the number twice.
function clauseAfter(source, clause) {
  const key = clause.split(' ')[0];
  return key && key.length < clause.length && (source || '').includes(key) ? clause.slice(key.length + 1) : clause;
}

function pctBar(v) {
  if (typeof v !== 'number') return '';
  const c = v >= 0.95 ? '#37b24d' : v >= 0.8 ? '#fab005' : '#f03e3e';
  return `<span class="pct-bar"><i style="width:${Math.max(0, Math.min(100, v * 100)).toFixed(0)}%;background:${c}"></i></span>`;
}

function renderRegions(pane) {
  const code = state.drill;
  const r = state.regions.get(code);
  const ind = regionIndicators(code);
  const path = regionPath(code);
  let html = `<div class="crumbs"><a data-code="">${esc(t('region.all'))}</a>${path.map((c) => ` › <a data-code="${esc(c)}">${esc(state.regions.get(c).name)}</a>`).join('')}</div>`;
  html += `<div class="region-head"><h3>${esc(r ? r.name : state.city.name)}</h3><span class="lvl">${esc(t('level.' + (r ? r.level : 'city')))}</span></div>`;
  if (ind) {
    const stat = (k, v) => `<dt>${esc(t('kpi.' + k))}</dt><dd>${esc(v)}</dd>`;
    html += `<dl class="stats">${stat('elders_60', fmtInt(ind.elders_60))}${stat('coverage_15min', fmtPct(ind.coverage_15min))}` +
      `${stat('elders_uncovered_15min', fmtInt(ind.elders_uncovered_15min))}${stat('floor_gap_m2', fmtInt(ind.floor_gap_m2) + ' m²')}` +
      `${stat('beds_per_1000_elders', fmtDec(ind.beds_per_1000_elders))}${stat('access_2sfca_m2_per_elder', fmtDec(ind.access_2sfca_m2_per_elder, 2))}</dl>`;
  }
  const kids = state.children.get(code) || [];
  if (kids.length) {
    const lvl = state.regions.get(kids[0]).level;
    const rows = kids.map((c) => ({ c, reg: state.regions.get(c), ind: regionIndicators(c) }))
      .sort((a, b) => (b.ind?.elders_uncovered_15min ?? 0) - (a.ind?.elders_uncovered_15min ?? 0));
    html += `<h3>${esc(t('region.children', { level: t('levels.' + lvl) }))} <small class="muted">${esc(t('region.flyHint'))}</small></h3>`;
    html += `<table class="list" data-testid="region-list"><thead><tr><th>${esc(t('region.cols.name'))}</th><th class="num">${esc(t('region.cols.coverage'))}</th><th class="num">${esc(t('region.cols.uncovered'))}</th></tr></thead><tbody>`;
    html += rows.map(({ c, reg, ind: i }) => `<tr class="click" data-code="${esc(c)}"><td>${esc(reg.name)}</td><td class="num">${pctBar(i?.coverage_15min)}${esc(fmtPct(i?.coverage_15min))}</td><td class="num">${esc(fmtInt(i?.elders_uncovered_15min))}</td></tr>`).join('');
    html += '</tbody></table>';
  }
  html += `<h3 style="margin-top:12px">${esc(t('region.gaps'))}</h3>`;
  if (!state.assessment) {
    html += `<p class="muted">${esc(state.assessmentError ? t('error.prefix') + state.assessmentError : t('region.loading'))}</p>`;
  } else {
    const gaps = (state.assessment.gaps || []).filter((g) => isWithin(g.region, code));
    const shown = gaps.slice(0, 60);
    if (!gaps.length) html += `<p class="muted">${esc(t('region.noGaps'))}</p>`;
    html += `<ul class="gaps" data-testid="gap-list">${shown.map((g, i) => {
      const msg = label(g.message, g.indicator);
      const reg = state.regions.get(g.region);
      const title = [g.figure, g.clause, g.source].filter(Boolean).join('\n');
      const basis = g.clause || g.source ? `<div class="basis" data-testid="gap-basis">${esc(t('gap.basis'))}${esc(g.source || '')}${g.clause ? ' ' + esc(clauseAfter(g.source, g.clause)) : ''}</div>` : '';
      return `<li data-i="${i}" title="${esc(title)}">${esc(msg)}<div class="meta">${esc(reg ? reg.name : g.region_name || g.region)} · ${esc(t('region.elders', { n: fmtInt(g.elders_affected) }))}</div>${basis}</li>`;
    }).join('')}</ul>`;
    if (gaps.length > shown.length) html += `<p class="muted">${esc(t('region.moreGaps', { n: gaps.length - shown.length }))}</p>`;
    pane._gaps = shown;
  }
  pane.innerHTML = html;
  for (const a of pane.querySelectorAll('.crumbs a')) a.onclick = () => drillTo(a.dataset.code, true);
  for (const tr of pane.querySelectorAll('tr.click')) tr.onclick = () => drillTo(tr.dataset.code, true);
  for (const li of pane.querySelectorAll('.gaps li')) {
    li.onclick = () => {
      const g = pane._gaps[+li.dataset.i];
      if (g.facility) {
        const f = state.assessment.facilities?.find((x) => x.id === g.facility);
        if (f && state.map) state.map.flyTo({ center: [f.lon, f.lat], zoom: Math.max(state.map.getZoom(), 15) });
        openFacility(g.facility);
      } else if (g.region && state.regions.has(g.region)) drillTo(g.region, true);
    };
  }
}

function kpiName(k) {
  return t('kpi.' + k) !== 'kpi.' + k ? t('kpi.' + k) : t('ind.' + k) !== 'ind.' + k ? t('ind.' + k) : k;
}
function levelRank(l) { return { city: 0, district: 1, street: 2, community: 3 }[l] ?? 4; }

let compareSeq = 0;
// renderCompare compares the current scenario (B) with any other (A, 现状
// by default): the city's indicators side by side, the communities whose
// coverage rose or fell, and the same on the map.
async function renderCompare(pane) {
  const cur = state.scenario;
  const others = state.scenarios.filter((x) => x.id !== cur.id);
  if (!others.length) { pane.innerHTML = `<p class="muted">${esc(t('compare.none'))}</p>`; showChangeMap(null); return; }
  if (!others.some((x) => x.id === state.compareWith)) state.compareWith = others.some((x) => x.id === BASELINE) ? BASELINE : others[0].id;
  const withId = state.compareWith;
  const withSc = others.find((x) => x.id === withId);
  const seq = ++compareSeq;
  const picker = `<label class="cmp-with">${esc(t('compare.with'))} <select data-testid="compare-with">${others.map((x) =>
    `<option value="${esc(x.id)}"${x.id === withId ? ' selected' : ''}>${esc(scenarioName(x))}</option>`).join('')}</select></label>`;
  pane.innerHTML = picker + `<p class="muted">${esc(t('region.loading'))}</p>`;
  const bindPicker = () => {
    const sel = pane.querySelector('[data-testid="compare-with"]');
    if (sel) sel.onchange = () => { state.compareWith = sel.value; renderCompare(pane); };
  };
  bindPicker();
  let cmp;
  try {
    cmp = await api.compare(cur.id, withId);
  } catch (err) {
    if (seq === compareSeq) { pane.innerHTML = picker + `<p class="muted">${esc(t('error.prefix') + err.message)}</p>`; bindPicker(); }
    return;
  }
  if (seq !== compareSeq || state.tab !== 'compare') return;
  const keys = [...KPI_KEYS, 'elders_covered_15min', 'beds', 'community_stations'];
  const given = cmp.city || cmp;
  const nameA = scenarioName(withSc);
  const nameB = scenarioName(cur);
  let html = picker + `<h3>${esc(t('compare.titleAB', { a: nameA, b: nameB }))}</h3>`;
  html += `<table class="list" data-testid="compare-table"><thead><tr><th>${esc(t('compare.indicator'))}</th><th class="num">${esc(nameA)}</th><th class="num">${esc(nameB)}</th><th class="num">${esc(t('compare.change'))}</th></tr></thead><tbody>`;
  for (const k of keys) {
    const c = given[k];
    if (!c || typeof c !== 'object') continue;
    const d = change(k, c.before, c.after);
    html += `<tr><td>${esc(kpiName(k))}</td><td class="num">${esc(fmtInd(k, c.before))}</td><td class="num">${esc(fmtInd(k, c.after))}</td><td class="num change ${changeClass(k, d)}">${esc(fmtChange(k, d))}</td></tr>`;
  }
  html += '</tbody></table>';
  const regions = Array.isArray(cmp.regions) ? cmp.regions : [];
  // Communities whose coverage moved, as shown; elders newly covered is
  // the fall in elders not covered.
  const comms = regions.filter((r) => r.level === 'community').map((r) => {
    const ch = r.changes || {};
    const cov = ch.coverage_15min;
    const d = cov ? change('coverage_15min', cov.before, cov.after) : 0;
    const unc = ch.elders_uncovered_15min;
    const gained = unc ? change('elders_uncovered_15min', unc.after, unc.before) : 0;
    return { r, cov, d, gained };
  }).filter((x) => x.d || x.gained);
  const rose = comms.filter((x) => x.d > 0 || (!x.d && x.gained > 0)).length;
  const fell = comms.filter((x) => x.d < 0 || (!x.d && x.gained < 0)).length;
  const gainedAll = given.elders_covered_15min ? change('elders_covered_15min', given.elders_covered_15min.before, given.elders_covered_15min.after) : null;
  html += `<p class="cmp-summary" data-testid="compare-summary">${esc(t(gainedAll < 0 ? 'compare.summaryLost' : 'compare.summary', { rose: fmtInt(rose), fell: fmtInt(fell), n: fmtInt(Math.abs(gainedAll)) }))}</p>`;
  html += `<p class="cmp-key"><span class="sq" style="background:#2b8a3e"></span>${esc(t('compare.keyRose'))} <span class="sq" style="background:#e03131"></span>${esc(t('compare.keyFell'))}</p>`;
  if (!comms.length) html += `<p class="muted">${esc(t('compare.noRegions'))}</p>`;
  else {
    const rows = comms.sort((a, b) => Math.abs(b.d) - Math.abs(a.d) || Math.abs(b.gained) - Math.abs(a.gained)).slice(0, 40);
    html += `<table class="list" data-testid="compare-regions"><thead><tr><th>${esc(t('region.cols.name'))}</th><th class="num">${esc(t('region.cols.coverage'))}</th><th class="num">${esc(t('compare.gained'))}</th></tr></thead><tbody>`;
    html += rows.map(({ r, cov, d, gained }) => {
      const reg = state.regions.get(r.code);
      return `<tr class="click" data-code="${esc(r.code)}"><td>${esc(r.name || reg?.name || r.code)}</td>` +
        `<td class="num">${esc(fmtPct(cov?.before))} → ${esc(fmtPct(cov?.after))}<br><span class="change ${changeClass('coverage_15min', d)}">${esc(fmtChange('coverage_15min', d))}</span></td>` +
        `<td class="num change ${gained > 0 ? 'good' : gained < 0 ? 'bad' : ''}">${esc(gained > 0 ? '+' + fmtInt(gained) : gained < 0 ? '−' + fmtInt(-gained) : '0')}</td></tr>`;
    }).join('');
    html += '</tbody></table>';
  }
  pane.innerHTML = html;
  bindPicker();
  for (const tr of pane.querySelectorAll('tr.click')) tr.onclick = () => { if (state.regions.has(tr.dataset.code)) drillTo(tr.dataset.code, true); };
  showChangeMap(comms);
}

// showChangeMap colours the communities whose coverage rose (green) or fell
// (red) between the two compared scenarios; null clears it.
let changed = [];
function showChangeMap(comms) {
  const map = state.map;
  if (!map || !state.mapReady || !map.getSource('communities')) return;
  const sourceLayer = commLayer();
  for (const code of changed) map.setFeatureState({ source: 'communities', sourceLayer, id: code }, { dc: null });
  changed = [];
  if (!map.getLayer('comm-change')) {
    map.addLayer({ id: 'comm-change', type: 'fill', source: 'communities', 'source-layer': sourceLayer,
      filter: ['==', ['get', 'level'], 'community'],
      paint: {
        'fill-color': ['case', ['>', ['coalesce', ['feature-state', 'dc'], 0], 0], '#2b8a3e', '#e03131'],
        'fill-opacity': ['case', ['==', ['coalesce', ['feature-state', 'dc'], 0], 0], 0, 0.6],
      } }, map.getLayer('comm-line') ? 'comm-line' : undefined);
  }
  map.setLayoutProperty('comm-change', 'visibility', comms ? 'visible' : 'none');
  if (map.getLayer('comm-fill')) map.setPaintProperty('comm-fill', 'fill-opacity', comms ? 0.15 : 0.55);
  for (const x of comms || []) {
    const dc = x.d || Math.sign(x.gained);
    map.setFeatureState({ source: 'communities', sourceLayer, id: x.r.code }, { dc });
    changed.push(x.r.code);
  }
}

boot().catch((err) => {
  console.warn('boot', err);
  showError(err);
});
