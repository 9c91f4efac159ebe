// The siting panel (选址建议): asks the optimiser (web/optimize.go) where new
// sites would bring the most elders within a 15-minute walk, follows the
// run's progress, shows its answer, coverage curve and suggestions (also as
// numbered markers on the map), and turns accepted suggestions into
// proposed facilities through the same path as a site drawn by hand.
//
// app.js creates it with createSuggest(ctx), ctx holding the app's state,
// formatters and edit functions, and calls addLayers, scenarioChanged,
// render, popupHTML and clickAt.

import * as echarts from 'echarts';
import { SWITCHES } from './mapstyle.js';
import { t } from './i18n.js';

const FORM_KEY = 'carecircle.suggest';
const SOURCE = 'suggestions';
const LAYER = 'sugg-circle';
const NUMBERS = 'sugg-number';
const PROBLEMS = ['max_coverage', 'target_coverage', 'capacitated', 'rule_aware'];
const TYPES = ['community_station', 'street_center'];
const ACTIVE = new Set(['queued', 'running']);
const POLL_MS = 500;
const MAX_NUMBERED = 999;
const ROWS = 200; // suggestions listed at first, and added by "more"
const MARK = { fill: '#1b3a5c', ring: '#fcc419', sel: '#f76707', rejected: '#adb5bd' };

const fc = (features) => ({ type: 'FeatureCollection', features });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function createSuggest(ctx) {
  const { state, api, esc, fmtInt, fmtPct, fmtChange, typeLabel, toast, showError } = ctx;
  const $ = (id) => document.getElementById(id);

  const S = {
    form: { problem: 'max_coverage', sites: 3, target: 99, limit: 0, type: 'community_station', budget: 3000 },
    scenario: '', // the scenario the panel shows runs of
    run: null, // the run shown (with its result once done)
    asked: null, // the request of the run shown, as sent
    error: '', // why the last run could not be made
    notice: '', // a passing remark (cancelled, …)
    busy: new Set(), // site ids with an accept or reject on the way
    working: false, // accepting on the baseline: creating a scenario and rerunning
    selected: '', // site id highlighted in the list and on the map
    follows: 0, // the scenario version the suggestions hold for
    stale: false, // the server said the scenario changed since the run
    seq: 0, // bumped whenever the run shown changes; late answers are dropped
    poll: null, // AbortController of the polling
    candidates: null, // {file, list}: buildings read from a file; null: generated on the network
    reading: false, // a candidate file is being read
    rows: ROWS, // suggestions listed
  };
  try { Object.assign(S.form, JSON.parse(localStorage.getItem(FORM_KEY) || '{}')); } catch { /* ignore */ }
  if (!PROBLEMS.includes(S.form.problem)) S.form.problem = 'max_coverage';
  if (!TYPES.includes(S.form.type)) S.form.type = 'community_station';

  let map = null;
  let chart = null;
  window.addEventListener('resize', () => chart?.resize());

  const visible = () => state.tab === 'suggest';
  const result = () => (S.run?.status === 'done' ? S.run.result : null);
  const decision = (id) => S.run?.decisions?.[id]?.decision || '';
  const sites = () => result()?.sites || [];
  const pending = () => sites().filter((s) => !decision(s.id));

  function saveForm() {
    try { localStorage.setItem(FORM_KEY, JSON.stringify(S.form)); } catch { /* ignore */ }
  }

  function fillForm(req) {
    if (!req) return;
    if (PROBLEMS.includes(req.problem)) S.form.problem = req.problem;
    if (req.problem === 'max_coverage' && req.sites) S.form.sites = req.sites;
    if (req.problem === 'target_coverage') {
      if (req.target) S.form.target = +(req.target * 100).toFixed(2);
      S.form.limit = req.sites || 0;
    }
    if (req.problem === 'capacitated' && req.budget) {
      S.form.budget = req.budget;
      S.form.limit = req.sites || 0;
    }
    if (TYPES.includes(req.type)) S.form.type = req.type;
  }

  function request() {
    const f = S.form;
    const int = (v) => Math.round(Number(v) || 0);
    let req;
    if (f.problem === 'rule_aware') {
      req = { problem: 'rule_aware' };
    } else if (f.problem === 'target_coverage') {
      req = { problem: 'target_coverage', target: +(Number(f.target) / 100).toFixed(6), type: f.type };
      if (int(f.limit)) req.sites = int(f.limit);
    } else if (f.problem === 'capacitated') {
      // The profile's size menu, each size costing its floor area: the
      // budget is m² of new floor.
      req = { problem: 'capacitated', budget: Number(f.budget) || 0, type: f.type };
      if (int(f.limit)) req.sites = int(f.limit);
    } else {
      req = { problem: 'max_coverage', sites: int(f.sites), type: f.type };
    }
    if (S.candidates) req.candidates = S.candidates.list;
    return req;
  }

  // readCandidates reads a file of available buildings through the server,
  // which names every bad row; runs then choose among them.
  async function readCandidates(file) {
    if (!file) return;
    S.reading = true;
    S.error = '';
    update();
    try {
      const r = await api.readCandidates(file);
      S.candidates = { file: r.filename, list: r.candidates };
    } catch (err) {
      S.candidates = null;
      S.error = errText(err);
    } finally {
      S.reading = false;
    }
    update();
  }

  function errText(err) {
    if (err?.status === 429) return t('suggest.tooMany');
    return err?.message || String(err);
  }

  function stopPolling() {
    if (S.poll) S.poll.abort();
    S.poll = null;
  }

  function reset(scenario) {
    stopPolling();
    S.seq++;
    Object.assign(S, { scenario, run: null, asked: null, error: '', notice: '', selected: '', stale: false, follows: 0, rows: ROWS });
    S.busy.clear();
  }

  // ---------- runs ----------

  // start asks for a run on the current scenario and follows it to its
  // end; it resolves to the ended run, or null when it failed or was
  // superseded.
  async function start(req) {
    reset(state.scenario.id);
    S.asked = req; // as sent: the server echoes it without the candidate list
    const seq = S.seq;
    S.run = { status: 'queued', progress: { done: 0, total: 0 }, request: req, decisions: {} };
    update();
    let run;
    try {
      run = await api.optimize(S.scenario, req, 1);
    } catch (err) {
      if (seq !== S.seq) return null;
      S.run = null;
      S.error = errText(err);
      update();
      return null;
    }
    if (seq !== S.seq) return null;
    return follow(run, seq);
  }

  // follow shows run and polls it while it is queued or running.
  async function follow(run, seq) {
    S.run = run;
    S.follows = run.scenario_version;
    update();
    const ctl = new AbortController();
    S.poll = ctl;
    while (ACTIVE.has(run.status)) {
      const t0 = Date.now();
      try {
        run = await api.optimizeRun(S.scenario, run.id, 0.5, ctl.signal);
      } catch (err) {
        if (err.name === 'AbortError' || seq !== S.seq) return null;
        S.poll = null;
        S.run = null;
        S.error = errText(err);
        update();
        return null;
      }
      if (seq !== S.seq) return null;
      S.run = run;
      if (!ACTIVE.has(run.status)) break;
      renderProgress();
      const rest = POLL_MS - (Date.now() - t0);
      if (rest > 0) await sleep(rest);
      if (seq !== S.seq) return null;
    }
    S.poll = null;
    if (run.status !== 'done') {
      S.error = run.status === 'cancelled' ? '' : run.error?.message || run.status;
      S.notice = run.status === 'cancelled' ? t('suggest.cancelled') : '';
      S.run = null;
    }
    update();
    return run.status === 'done' ? run : null;
  }

  async function cancel() {
    const run = S.run;
    if (!run?.id) return;
    const scenario = S.scenario;
    reset(scenario);
    S.notice = t('suggest.cancelled');
    update();
    try {
      await api.cancelOptimize(scenario, run.id);
    } catch (err) {
      if (err.status !== 404) showError(err);
    }
  }

  // clear forgets the run shown, here and on the server.
  async function clear() {
    const run = S.run;
    reset(S.scenario);
    update();
    if (run?.id) api.cancelOptimize(state.scenario.id, run.id).catch(() => {});
  }

  // scenarioChanged shows the newest run of the scenario now open, so the
  // panel survives a reload.
  function scenarioChanged() {
    const id = state.scenario?.id;
    if (!id) return;
    reset(id);
    update();
    restore(id, S.seq);
  }

  async function restore(id, seq) {
    let runs;
    try {
      runs = await api.optimizeRuns(id);
    } catch {
      return; // the panel still works without its history
    }
    if (seq !== S.seq || !runs?.length) return;
    const last = runs[0];
    fillForm(last.request);
    if (ACTIVE.has(last.status)) {
      follow(last, seq);
      return;
    }
    if (last.status !== 'done') {
      if (last.status === 'failed') S.error = last.error?.message || '';
      update();
      return;
    }
    let run;
    try {
      run = await api.optimizeRun(id, last.id);
    } catch {
      return;
    }
    if (seq !== S.seq) return;
    S.run = run;
    // After accepts the scenario is ahead of the run; the server knows
    // whether that was this run's doing, and says so if not.
    const accepted = Object.values(run.decisions || {}).some((d) => d.decision === 'accepted');
    S.follows = accepted ? state.scenario.version : run.scenario_version;
    update();
  }

  // ---------- decisions ----------

  async function accept(ids) {
    const run = S.run;
    if (!result() || !ids.length) return;
    if (ctx.isBaseline()) { await acceptOnBaseline(ids); return; }
    const seq = S.seq;
    for (const id of ids) S.busy.add(id);
    update();
    await ctx.edit(async () => {
      const started = performance.now();
      let resp;
      try {
        resp = await api.acceptSites(state.scenario.id, run.id, ids, state.scenario.version);
      } catch (err) {
        if (err.status === 409) {
          if (seq === S.seq) S.stale = true;
          toast(t('suggest.conflict'), 'error', 9000);
          await ctx.reloadScenario();
          return;
        }
        throw err; // edit says what went wrong
      } finally {
        for (const id of ids) S.busy.delete(id);
      }
      if (seq === S.seq && resp.run) {
        run.decisions = resp.run.decisions || {};
        S.follows = resp.version;
      }
      update();
      const n = (resp.facilities || []).length;
      await ctx.applyAdded(resp, resp.facilities || [], t('suggest.acceptedN', { n }), started);
    });
    update();
  }

  // acceptOnBaseline: today's city cannot be edited, so accepting makes a
  // scenario from it, opens it, asks the same question there (the same
  // answer, as nothing differs) and accepts the same sites.
  async function acceptOnBaseline(ids) {
    const old = S.run;
    const asked = S.asked || { ...old.request, ...(S.candidates ? { candidates: S.candidates.list } : {}) };
    const rejected = sites().filter((s) => decision(s.id) === 'rejected' && !ids.includes(s.id)).map((s) => s.id);
    S.working = true;
    update();
    const name = t('suggest.scenarioName', { date: stamp() });
    let sc;
    try {
      sc = await api.createScenario(name);
      await ctx.loadScenarios();
      await ctx.switchScenario(sc.id, { quiet: true });
    } catch (err) {
      showError(err);
      S.working = false;
      update();
      return;
    }
    S.working = false;
    toast(t('suggest.createdScenario', { name: sc.name }), '', 8000);
    const run = await start({ ...asked });
    if (!run) return;
    const have = new Set(run.result.sites.map((s) => s.id));
    const found = ids.filter((id) => have.has(id));
    if (found.length < ids.length) toast(t('suggest.changedOnRerun'), 'error', 9000);
    const rej = rejected.filter((id) => have.has(id));
    if (rej.length) await reject(rej, true);
    if (found.length) await accept(found);
  }

  async function reject(ids, quiet) {
    const run = S.run;
    if (!result() || !ids.length) return;
    const seq = S.seq;
    for (const id of ids) S.busy.add(id);
    update();
    try {
      const r = await api.rejectSites(S.scenario, run.id, ids);
      if (seq === S.seq) run.decisions = r.decisions || {};
    } catch (err) {
      if (!quiet) showError(err);
    } finally {
      for (const id of ids) S.busy.delete(id);
    }
    update();
  }

  function stamp() {
    const d = new Date();
    const p = (v) => String(v).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
  }

  // ---------- the map ----------

  function addLayers(m) {
    map = m;
    map.addSource(SOURCE, { type: 'geojson', data: fc([]) });
    const rejected = ['==', ['get', 'state'], 'rejected'];
    map.addLayer({
      id: LAYER, type: 'circle', source: SOURCE,
      layout: { 'circle-sort-key': ['case', ['get', 'sel'], 2, rejected, 0, 1] },
      paint: {
        // small dots at city scale, numbered discs up close
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 10, ['case', ['get', 'sel'], 6, 3], 13, ['case', ['get', 'sel'], 14, 11]],
        'circle-color': ['case', rejected, MARK.rejected, MARK.fill],
        'circle-opacity': ['case', rejected, 0.8, 1],
        'circle-stroke-color': ['case', ['get', 'sel'], MARK.sel, rejected, '#ffffff', MARK.ring],
        'circle-stroke-width': ['interpolate', ['linear'], ['zoom'], 10, 1, 13, ['case', ['get', 'sel'], 4, 2.5]],
      },
    });
    // The numbers are images drawn here: the style has no glyphs.
    map.addLayer({
      id: NUMBERS, type: 'symbol', source: SOURCE, minzoom: 12.5,
      layout: { 'icon-image': ['get', 'icon'], 'icon-allow-overlap': true, 'icon-ignore-placement': true, 'symbol-sort-key': ['case', ['get', 'sel'], 2, rejected, 0, 1] },
    });
    SWITCHES.suggestions = [LAYER, NUMBERS];
    updateMap();
  }

  function numberIcon(n) {
    const id = `sugg-n${n}`;
    if (map.hasImage(id)) return id;
    const r = 2; // pixel ratio
    const w = 22 * r;
    const c = document.createElement('canvas');
    c.width = w;
    c.height = w;
    const g = c.getContext('2d');
    g.fillStyle = '#ffffff';
    g.font = `bold ${(n > 99 ? 9 : n > 9 ? 11 : 12) * r}px system-ui, sans-serif`;
    g.textAlign = 'center';
    g.textBaseline = 'middle';
    g.fillText(String(n), w / 2, w / 2 + r * 0.5);
    map.addImage(id, g.getImageData(0, 0, w, w), { pixelRatio: r });
    return id;
  }

  function updateMap() {
    const src = map?.getSource(SOURCE);
    if (!src) return;
    const feats = [];
    if (S.scenario === state.scenario?.id) {
      sites().forEach((s, i) => {
        const st = decision(s.id);
        if (st === 'accepted') return; // a facility of the scenario now
        feats.push({
          type: 'Feature',
          geometry: { type: 'Point', coordinates: [s.lon, s.lat] },
          // Numbers up to 999 (each is an image in the map's atlas; a
          // rule-aware answer for a city can hold thousands of sites).
          properties: { id: s.id, n: i + 1, icon: i < MAX_NUMBERED ? numberIcon(i + 1) : '', state: st || 'pending', sel: s.id === S.selected },
        });
      });
    }
    src.setData(fc(feats));
  }

  function select(id, fly) {
    S.selected = id;
    updateMap();
    for (const li of document.querySelectorAll('#pane-suggest .sg-site')) li.classList.toggle('sel', li.dataset.id === id);
    const s = sites().find((x) => x.id === id);
    if (fly && s && map) map.flyTo({ center: [s.lon, s.lat], zoom: Math.max(map.getZoom(), 15), duration: 800 });
  }

  function popupHTML(p) {
    const i = Number(p.n) - 1;
    const s = sites()[i];
    if (!s) return '';
    const st = decision(s.id);
    return `<b>${esc(t('suggest.popup', { n: i + 1, name: siteName(s, i) }))}</b>` +
      `${esc(communityName(s))} · ${esc(t('suggest.gain', { n: fmtInt(s.gain_elders) }))}` +
      (st === 'rejected' ? `<br><i>${esc(t('suggest.rejected'))}</i>` : '');
  }

  // clickAt selects the suggestion under the box, if any, and says so.
  function clickAt(box) {
    if (!map || !map.getLayer(LAYER)) return false;
    const f = map.queryRenderedFeatures(box, { layers: [LAYER] })[0];
    if (!f) return false;
    const id = String(f.properties.id);
    S.selected = id;
    const at = sites().findIndex((s) => s.id === id);
    if (at >= S.rows) S.rows = Math.ceil((at + 1) / ROWS) * ROWS; // list it
    ctx.setTab('suggest');
    select(id, false);
    document.querySelector(`#pane-suggest .sg-site[data-id="${CSS.escape(id)}"]`)?.scrollIntoView({ block: 'nearest' });
    return true;
  }

  // ---------- the panel ----------

  function communityName(s) {
    const c = state.regions.get(s.community_code);
    return c ? c.name : s.community_code || '–';
  }

  // siteName is what a planner reads for a suggestion: an uploaded
  // building's own name, else "建议站点 3 · 望龙港社区", never a network node id.
  function siteName(s, i) {
    if (s.name && !/^node-\d+$/.test(s.name)) return s.name;
    return t('suggest.siteN', { n: i + 1, community: communityName(s) });
  }

  // facName names the facility an accepted suggestion became.
  function facName(fid, i) {
    const f = (state.scenario?.added || []).find((x) => x.id === fid);
    return f?.name && !/^node-\d+$/.test(f.name) ? f.name : t('suggest.siteN', { n: i + 1, community: communityName(sites()[i] || {}) });
  }

  // noteText says an optimiser note (planner.Note: code, English text,
  // values) in the interface's language.
  function noteText(note) {
    const pct = (v) => fmtPct(Number(v), 2);
    const v = note.values || {};
    switch (note.code) {
      case 'fewer_sites': return t('suggest.note.fewer', { n: v.useful, asked: v.asked });
      case 'target_met': return t('suggest.note.already', { cov: pct(v.coverage), target: pct(v.target) });
      case 'target_unreachable': return t('suggest.note.unreachable', { target: pct(v.target), cov: pct(v.reachable) });
      case 'target_limit': return t('suggest.note.limit', { target: pct(v.target), n: v.limit, cov: pct(v.coverage), need: v.need });
      case 'rules_met': return t('suggest.note.rulesMet');
      case 'none_affordable': return t('suggest.note.unaffordable');
      default: return note.text;
    }
  }

  function update() {
    updateMap();
    if (visible()) render($('pane-suggest'));
  }

  function renderProgress() {
    const box = $('sg-progress');
    if (!box || !S.run) { if (visible()) render($('pane-suggest')); return; }
    const { done = 0, total = 0 } = S.run.progress || {};
    const bar = box.querySelector('.sg-bar');
    bar.classList.toggle('busy', !total);
    bar.firstElementChild.style.width = total ? `${Math.min(100, (100 * done) / total).toFixed(1)}%` : '';
    box.querySelector('.sg-ptext').textContent = progressText();
    $('sg-cancel').disabled = !S.run.id;
  }

  function progressText() {
    const { done = 0, total = 0 } = S.run.progress || {};
    const what = S.run.status === 'queued' ? t('suggest.queued') : t('suggest.running');
    return total ? `${what} ${fmtInt(done)} / ${fmtInt(total)}` : what;
  }

  function render(pane) {
    if (!pane) return;
    if (chart) { chart.dispose(); chart = null; }
    const f = S.form;
    const running = !!S.run && ACTIVE.has(S.run.status);
    const disabled = running || S.working || S.reading;
    const cov = state.summary?.city?.coverage_15min;
    const row = (show, html) => `<div class="sg-row"${show ? '' : ' hidden'}>${html}</div>`;
    let html = `<p class="muted sg-intro">${esc(t('suggest.intro'))}</p>`;
    if (ctx.isBaseline()) html += `<p class="sg-hint" data-testid="suggest-baseline">${esc(t('suggest.baselineHint'))}</p>`;
    html += `<form class="sg-form" id="sg-form" data-testid="suggest-form" novalidate>
      <fieldset class="sg-problems"><legend>${esc(t('suggest.question'))}</legend>
      ${PROBLEMS.map((p) => `<label><input type="radio" name="sg-problem" value="${p}" ${f.problem === p ? 'checked' : ''} data-testid="suggest-problem-${p}"> ${esc(t('suggest.problem.' + p))}</label>`).join('')}
      </fieldset>
      ${row(f.problem === 'max_coverage', `<label for="sg-sites">${esc(t('suggest.sites'))}</label><input id="sg-sites" type="number" min="1" max="200" step="1" value="${esc(f.sites)}" data-testid="suggest-sites">`)}
      ${row(f.problem === 'target_coverage', `<label for="sg-target">${esc(t('suggest.target'))}</label><span class="sg-inline"><input id="sg-target" type="number" min="1" max="100" step="0.1" value="${esc(f.target)}" data-testid="suggest-target"> % <small class="muted">${esc(t('suggest.now', { v: fmtPct(cov) }))}</small></span>`)}
      ${row(f.problem === 'capacitated', `<label for="sg-budget">${esc(t('suggest.budget'))}</label><span class="sg-inline"><input id="sg-budget" type="number" min="1" step="50" value="${esc(f.budget)}" data-testid="suggest-budget"> m² <small class="muted">${esc(t('suggest.budgetHint'))}</small></span>`)}
      ${row(f.problem === 'target_coverage' || f.problem === 'capacitated', `<label for="sg-limit">${esc(t('suggest.limit'))}</label><span class="sg-inline"><input id="sg-limit" type="number" min="0" max="200" step="1" value="${esc(f.limit)}"> <small class="muted">${esc(t('suggest.limitHint'))}</small></span>`)}
      ${row(f.problem !== 'rule_aware', `<label for="sg-type">${esc(t('suggest.type'))}</label><select id="sg-type" data-testid="suggest-type">${TYPES.map((c) => `<option value="${c}" ${c === f.type ? 'selected' : ''}>${esc(typeLabel(c))}</option>`).join('')}</select>`)}
      ${row(f.problem === 'rule_aware', `<span></span><small class="muted">${esc(t('suggest.ruleTypes'))}</small>`)}
      ${row(true, `<label for="sg-cand">${esc(t('suggest.candidates'))}</label><span class="sg-cands">${candidatesHTML()}</span>`)}
      <div class="sg-buttons"><button type="submit" class="primary" data-testid="suggest-run" ${disabled ? 'disabled' : ''}>${esc(t('suggest.run'))}</button>
      ${S.run && !running ? `<button type="button" id="sg-clear" data-testid="suggest-clear">${esc(t('suggest.clear'))}</button>` : ''}</div>
    </form>`;
    if (S.error) html += `<p class="sg-error" data-testid="suggest-error">${esc(t('suggest.failed'))}${esc(S.error)}</p>`;
    if (S.notice) html += `<p class="muted">${esc(S.notice)}</p>`;
    if (S.working) html += `<p class="sg-hint">${esc(t('suggest.working'))}</p>`;
    if (running) {
      html += `<div class="sg-progress" id="sg-progress" data-testid="suggest-progress">
        <div class="sg-bar"><i></i></div>
        <div class="sg-prow"><span class="sg-ptext"></span><button type="button" id="sg-cancel" data-testid="suggest-cancel">${esc(t('suggest.cancel'))}</button></div></div>`;
    }
    const res = result();
    if (res) html += renderResult(res);
    pane.innerHTML = html;
    bind(pane);
    if (running) renderProgress();
    if (res && res.sites.length && $('sg-chart')) renderChart(res);
  }

  function candidatesHTML() {
    if (S.reading) return `<small class="muted">${esc(t('suggest.candidatesReading'))}</small>`;
    if (S.candidates) {
      return `<small data-testid="suggest-candidates-read">${esc(t('suggest.candidatesRead', { n: fmtInt(S.candidates.list.length), file: S.candidates.file }))}</small>` +
        ` <button type="button" id="sg-cand-clear" data-testid="suggest-candidates-clear">${esc(t('suggest.candidatesClear'))}</button>`;
    }
    // A label styled as a button: the browser's own file input speaks the
    // browser's language, not the page's.
    return `<label class="sg-file" data-testid="suggest-candidates-pick"><input id="sg-cand" type="file" accept=".csv,.xlsx,.geojson,.json" data-testid="suggest-candidates">` +
      `<span>${esc(t('suggest.candidatesPick'))}</span></label>` +
      `<small class="muted">${esc(t('suggest.candidatesHint'))}</small>`;
  }

  function renderResult(res) {
    const list = res.sites || [];
    const gain = res.coverage_after - res.coverage_before;
    let h = `<div class="sg-result" data-testid="suggest-result"><div class="sg-head" data-testid="suggest-headline">`;
    h += `<div class="sg-cov"><span>${esc(t('suggest.coverage'))}</span> <b>${esc(fmtPct(res.coverage_before))} → ${esc(fmtPct(res.coverage_after))}</b> <span class="change ${gain > 0.0005 ? 'good' : ''}">${esc(fmtChange('coverage_15min', gain))}</span></div>`;
    h += `<div>${esc(t('suggest.headline', { n: fmtInt(res.total_gain_elders), sites: list.length }))}</div>`;
    if (res.bound > 0 && list.length) {
      h += `<div class="muted">${esc(res.bound_gap < 0.0005 ? t('suggest.optimal') : t('suggest.boundGap', { gap: fmtPct(res.bound_gap) }))}</div>`;
    }
    if (res.problem === 'target_coverage' && res.target) {
      const ok = res.target_reached;
      h += `<div class="${ok ? 'change good' : 'change bad'}">${esc(t(ok ? 'suggest.targetReached' : 'suggest.targetMissed', { target: fmtPct(res.target) }))}</div>`;
      if (ok && res.min_sites_bound && list.length) h += `<div class="muted">${esc(t('suggest.minSites', { n: res.min_sites_bound }))}</div>`;
    }
    if (res.stats) {
      h += `<div class="muted" data-testid="suggest-among">${esc(t(res.stats.generated ? 'suggest.amongGenerated' : 'suggest.amongGiven', { n: fmtInt(res.stats.candidates) }))}</div>`;
    }
    if (res.problem === 'capacitated' && list.length) {
      h += `<div class="muted">${esc(t('suggest.capTotals', { cost: fmtInt(res.total_cost), budget: fmtInt(res.budget), served: fmtInt(res.total_served_elders) }))}</div>`;
    }
    if (res.problem === 'rule_aware' && list.length) {
      const count = (r) => list.filter((s) => s.rule === r).length;
      h += `<div class="muted">${esc(t('suggest.ruleCounts', { centres: count('street_center'), stations: count('community_station') }))}</div>`;
    }
    const notes = (res.notes || []).map(noteText);
    if (res.unmet?.length) notes.push(t('suggest.unmet', { n: res.unmet.length, names: res.unmet.slice(0, 6).map((u) => u.name).join('、') + (res.unmet.length > 6 ? '…' : '') }));
    if (notes.length) h += `<ul class="sg-notes">${notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`;
    h += '</div>';
    if (!list.length) return h + `<p class="muted">${esc(t('suggest.none'))}</p></div>`;
    h += `<div id="sg-chart" class="sg-chart" data-testid="suggest-chart"></div>`;
    const stale = S.stale || (!ctx.isBaseline() && state.scenario && S.follows && state.scenario.version !== S.follows && state.scenario.version !== S.run.scenario_version);
    if (stale) h += `<p class="sg-hint" data-testid="suggest-stale">${esc(t('suggest.stale'))}</p>`;
    const left = pending().length;
    const counts = { accepted: 0, rejected: 0 };
    for (const s of list) if (decision(s.id)) counts[decision(s.id)]++;
    h += `<div class="sg-tools">`;
    h += left ? `<button type="button" class="primary" id="sg-accept-all" data-testid="suggest-accept-all" ${!S.busy.size && !S.working ? '' : 'disabled'}>${esc(t('suggest.acceptAll', { n: left }))}</button>` : '<span></span>';
    h += `<span class="sg-export">${esc(t('suggest.export'))} <a href="${esc(api.suggestionsURL(S.scenario, S.run.id, 'geojson'))}" download data-testid="suggest-export">GeoJSON</a> <a href="${esc(api.suggestionsURL(S.scenario, S.run.id, 'kml'))}" download title="${esc(t('suggest.kmlHint'))}">KML</a> <a href="${esc(api.suggestionsURL(S.scenario, S.run.id, 'json'))}" download>JSON</a></span></div>`;
    h += `<p class="muted sg-counts">${esc(t('suggest.counts', { accepted: counts.accepted, rejected: counts.rejected, left }))} · ${esc(t('suggest.rowHint'))}</p>`;
    const mixed = list.some((s) => s.type !== list[0].type); // rule-aware: say each site's type
    // A rule-aware answer for a city lists thousands: the first rows, and
    // more on request (the map and the exports hold them all).
    const shown = list.slice(0, S.rows);
    h += `<ol class="sg-list" data-testid="suggest-list">`;
    shown.forEach((s, i) => {
      const st = decision(s.id);
      const busy = S.busy.has(s.id) || S.working;
      const fid = S.run.decisions?.[s.id]?.facility_id;
      let actions;
      if (st === 'accepted') {
        actions = `<span class="sg-tag ok">${esc(t('suggest.acceptedAs'))} <a class="sg-fac" data-fac="${esc(fid)}" data-testid="suggest-facility">${esc(facName(fid, i))}</a></span>`;
      } else if (st === 'rejected') {
        actions = `<span class="sg-tag">${esc(t('suggest.rejected'))}</span><button type="button" data-act="accept" ${busy ? 'disabled' : ''} data-testid="suggest-accept">${esc(t('suggest.acceptAnyway'))}</button>`;
      } else {
        actions = `<button type="button" class="primary" data-act="accept" ${busy ? 'disabled' : ''} data-testid="suggest-accept">${esc(t('suggest.accept'))}</button>` +
          `<button type="button" data-act="reject" ${busy ? 'disabled' : ''} data-testid="suggest-reject">${esc(t('suggest.reject'))}</button>`;
      }
      const rule = s.rule ? `<div class="sg-meta">${esc(t('suggest.rule.' + s.rule, { region: state.regions.get(s.rule_region)?.name || s.rule_region }))}</div>` : '';
      h += `<li class="sg-site ${st}${s.id === S.selected ? ' sel' : ''}" data-id="${esc(s.id)}" data-state="${st || 'pending'}" data-testid="suggest-row" title="${esc(t('suggest.rowHint'))}">
        <span class="sg-num">${st === 'accepted' ? '✓' : i + 1}</span>
        <div class="sg-body">
          <div class="sg-line"><span class="sg-name">${esc(siteName(s, i))}</span><span class="sg-gain" data-gain="${esc(s.gain_elders)}">${esc(t('suggest.gain', { n: fmtInt(s.gain_elders) }))}</span></div>
          <div class="sg-line sg-meta"><span>${esc(communityName(s))}${mixed ? ' · ' + esc(typeLabel(s.type)) : ''} · ${esc(fmtInt(s.floor_area_m2))} m²</span><span>${esc(t('suggest.after', { v: fmtPct(s.coverage_after) }))}</span></div>
          ${rule}
          ${s.capacity_elders ? `<div class="sg-meta">${esc(t('suggest.served', { n: fmtInt(s.served_elders), cap: fmtInt(s.capacity_elders) }))}</div>` : ''}
          <div class="sg-actions">${actions}</div>
        </div></li>`;
    });
    h += '</ol>';
    if (list.length > shown.length) {
      h += `<button type="button" id="sg-more" class="sg-more" data-testid="suggest-more">${esc(t('suggest.more', { n: fmtInt(Math.min(ROWS, list.length - shown.length)), left: fmtInt(list.length - shown.length) }))}</button>`;
    }
    h += '</div>';
    return h;
  }

  function bind(pane) {
    const form = $('sg-form');
    const set = (key, v) => { S.form[key] = v; saveForm(); };
    for (const r of form.querySelectorAll('input[name="sg-problem"]')) {
      r.onchange = () => { set('problem', r.value); render(pane); };
    }
    $('sg-sites').oninput = (e) => set('sites', e.target.value);
    $('sg-target').oninput = (e) => set('target', e.target.value);
    $('sg-limit').oninput = (e) => set('limit', e.target.value);
    $('sg-budget').oninput = (e) => set('budget', e.target.value);
    $('sg-type').onchange = (e) => set('type', e.target.value);
    if ($('sg-cand')) $('sg-cand').onchange = (e) => readCandidates(e.target.files[0]);
    if ($('sg-cand-clear')) $('sg-cand-clear').onclick = () => { S.candidates = null; update(); };
    form.onsubmit = (e) => {
      e.preventDefault();
      start(request());
    };
    if ($('sg-clear')) $('sg-clear').onclick = () => clear();
    if ($('sg-cancel')) $('sg-cancel').onclick = () => cancel();
    if ($('sg-accept-all')) $('sg-accept-all').onclick = () => accept(pending().map((s) => s.id));
    if ($('sg-more')) $('sg-more').onclick = () => { S.rows += ROWS; update(); };
    for (const li of pane.querySelectorAll('.sg-site')) {
      const id = li.dataset.id;
      li.onclick = (e) => {
        const btn = e.target.closest('button');
        const fac = e.target.closest('a.sg-fac');
        if (btn) {
          if (btn.dataset.act === 'accept') accept([id]);
          else if (btn.dataset.act === 'reject') reject([id]);
        } else if (fac) {
          ctx.openFacility(fac.dataset.fac);
        } else {
          select(id, true);
        }
      };
    }
  }

  function renderChart(res) {
    const el = $('sg-chart');
    chart = echarts.init(el, null, { renderer: 'canvas' });
    const curve = res.curve || [];
    const pct = (v) => (v == null ? null : +(v * 100).toFixed(3));
    const cov = curve.map((p) => pct(p.coverage));
    // The bound is on the objective's gain: with elders 80+ weighted at
    // least 1 it also bounds the elders 60+ covered, so coverage.
    const showBound = res.elders_60 > 0 && res.problem !== 'capacitated' && curve.some((p) => p.bound > 0) &&
      (res.objective === 'elders_60' || res.total_gain_weighted >= res.total_gain_elders - 1e-6);
    const series = [{
      name: t('suggest.chart.coverage'), type: 'line', data: cov, symbol: 'circle', symbolSize: 7,
      itemStyle: { color: '#1864ab' }, lineStyle: { width: 2 }, areaStyle: { color: 'rgba(24,100,171,0.08)' },
      markLine: res.problem === 'target_coverage' && res.target ? {
        symbol: 'none', silent: true, lineStyle: { color: '#2b8a3e', type: 'dotted' },
        label: { formatter: t('suggest.chart.target'), position: 'insideEndTop', fontSize: 10 },
        data: [{ yAxis: pct(res.target) }],
      } : undefined,
    }];
    if (showBound) {
      series.push({
        name: t('suggest.chart.bound'), type: 'line', symbol: 'none', lineStyle: { type: 'dashed', color: '#adb5bd', width: 1.5 }, itemStyle: { color: '#adb5bd' },
        data: curve.map((p) => (p.sites === 0 ? pct(p.coverage) : p.bound > 0 ? Math.min(100, pct(res.coverage_before + p.bound / res.elders_60)) : null)),
      });
    }
    const all = series.flatMap((s) => s.data).filter((v) => v != null);
    if (res.target) all.push(pct(res.target));
    const lo = Math.min(...all);
    const hi = Math.max(...all);
    const step = hi - lo < 2 ? 0.5 : hi - lo < 10 ? 1 : 5;
    const dec = step < 1 ? 1 : 0;
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 14, top: 28, bottom: 24, containLabel: true },
      legend: { top: 0, itemWidth: 14, itemHeight: 8, textStyle: { fontSize: 11 } },
      tooltip: { trigger: 'axis', valueFormatter: (v) => (v == null ? '–' : v.toFixed(2) + '%') },
      xAxis: { type: 'category', data: curve.map((p) => p.sites), name: t('suggest.chart.sites'), nameLocation: 'middle', nameGap: 24, nameTextStyle: { fontSize: 11 }, axisLabel: { fontSize: 10 } },
      yAxis: { type: 'value', min: Math.max(0, Math.floor(lo / step - 0.1) * step), max: Math.min(100, Math.ceil(hi / step + 0.1) * step), axisLabel: { fontSize: 10, formatter: (v) => v.toFixed(dec) + '%' }, interval: step },
      series,
    });
    chart.on('click', (p) => {
      const s = res.sites[p.dataIndex - 1];
      if (s && decision(s.id) !== 'accepted') select(s.id, true);
    });
    window.cc.suggestChart = chart;
  }

  return { LAYER, addLayers, scenarioChanged, render, popupHTML, clickAt };
}
