// The HTTP API of docs/api.md. Every failure becomes an ApiError carrying
// the server's error.code and error.message, so the interface can show it.

import { t, getLang } from './i18n.js';

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(serverMessage(code, message, details));
    this.status = status;
    this.code = code;
    this.details = details || {};
    this.serverMessage = message; // the server's own (English) words, for logs
  }
}

// serverMessage says a server error in the interface's language: the
// server's English message in the English UI; in the Chinese UI the
// sentence for its code (apiError.<code>), with what names the place (a
// file's rows, a field) kept.
function serverMessage(code, message, details) {
  if (getLang() !== 'zh') return message;
  const key = 'apiError.' + code;
  const said = t(key);
  if (said === key) return message; // a code the interface does not know
  const where = [];
  if (details?.field) where.push(t('apiError.field', { field: details.field }));
  for (const p of (details?.problems || []).slice(0, 3)) where.push(String(p).replace(/\b(?:row|line) (\d+)/g, '第$1行').replace(/\bfeature (\d+)/g, '第$1个要素'));
  if (details?.more) where.push(t('apiError.more', { n: details.more }));
  return said + (where.length ? '：' + where.join('；') : '');
}

const TOKEN_KEY = 'carecircle.token';

// The server's token (serve --token), asked for once and kept for the
// session (sessionStorage: gone when the tab closes).
function token() {
  try { return sessionStorage.getItem(TOKEN_KEY) || ''; } catch { return ''; }
}

let asking = null; // the one token dialog open, shared by every request waiting on it

// askToken shows a small dialog asking for the server's token and
// resolves to it, or to '' when the planner cancels. Requests that fail
// at the same time share one dialog.
function askToken(wrong) {
  if (asking) return asking;
  asking = new Promise((resolve) => {
    const dlg = document.createElement('dialog');
    dlg.className = 'token-dialog';
    dlg.dataset.testid = 'token-dialog';
    dlg.innerHTML = `<form method="dialog"><p></p><input type="password" autocomplete="current-password" required>
      <div class="token-buttons"><button value="cancel" formnovalidate></button><button value="ok"></button></div></form>`;
    dlg.querySelector('p').textContent = t(wrong ? 'token.wrong' : 'token.prompt');
    dlg.querySelector('input').setAttribute('aria-label', t('token.label'));
    dlg.querySelector('button[value=cancel]').textContent = t('token.cancel');
    dlg.querySelector('button[value=ok]').textContent = t('token.ok');
    dlg.addEventListener('close', () => {
      const v = dlg.returnValue === 'ok' ? dlg.querySelector('input').value.trim() : '';
      dlg.remove();
      if (v) { try { sessionStorage.setItem(TOKEN_KEY, v); } catch { /* private mode: ask again next time */ } }
      asking = null;
      resolve(v);
    });
    document.body.appendChild(dlg);
    dlg.showModal();
  });
  return asking;
}

// authHeaders adds the token, when there is one, to headers.
function authHeaders(headers = {}) {
  const tok = token();
  if (tok) headers.Authorization = `Bearer ${tok}`;
  return headers;
}

// transformRequest is MapLibre's hook for the map's own requests: tiles
// from this server carry the token too.
export function transformRequest(url) {
  if (url.startsWith(location.origin + '/')) return { url, headers: authHeaders() };
  return { url };
}

// request sends one call. opts: {method, body (sent as JSON), raw (a File
// or Blob sent as it is), version (If-Match), signal}.
// A 401 asks for the server's token and retries, up to three times.
export async function request(path, opts = {}, asked = 0) {
  const headers = authHeaders({ Accept: 'application/json' });
  const method = opts.method || 'GET';
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  if (opts.raw !== undefined) headers['Content-Type'] = 'application/octet-stream';
  if (opts.version != null) headers['If-Match'] = `"${opts.version}"`;
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: opts.raw !== undefined ? opts.raw : opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
      cache: 'no-store',
    });
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network', t('error.network', { msg: err.message }));
  }
  if (res.status === 401 && asked < 3) {
    if (await askToken(Boolean(headers.Authorization))) return request(path, opts, asked + 1);
  }
  if (res.status === 204) return { data: null, etag: res.headers.get('ETag') };
  const text = await res.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!res.ok) {
    const e = data && data.error;
    if (e && e.message) throw new ApiError(res.status, e.code || 'error', e.message, e.details);
    throw new ApiError(res.status, 'http_' + res.status, t('error.generic', { status: res.status }) + (text && !data ? ': ' + text.slice(0, 200) : ''));
  }
  return { data, etag: res.headers.get('ETag') };
}

const enc = encodeURIComponent;
// Every path is relative to the page, so the app works wherever the
// server is mounted (serve --base-path /cq/ serves it at /cq/).
const sc = (id) => `api/v1/scenarios/${enc(id)}`;

export const api = {
  city: () => request('api/v1/city').then((r) => r.data),
  tileJSON: (path, scenario) => request(`${path}${path.includes('?') ? '&' : '?'}scenario=${enc(scenario)}`).then((r) => r.data),

  scenarios: () => request('api/v1/scenarios').then((r) => r.data),
  scenario: (id) => request(sc(id)).then((r) => r.data),
  createScenario: (name, from) => request('api/v1/scenarios', { method: 'POST', body: from ? { name, from } : { name } }).then((r) => r.data),
  renameScenario: (id, name, version) => request(sc(id), { method: 'PATCH', body: { name }, version }).then((r) => r.data),
  deleteScenario: (id) => request(sc(id), { method: 'DELETE' }).then((r) => r.data),

  summary: (id) => request(`${sc(id)}/summary`).then((r) => r.data),
  assessment: (id) => request(`${sc(id)}/assessment`).then((r) => r.data),
  compare: (id, other = 'baseline') => request(`${sc(id)}/compare?with=${enc(other)}`).then((r) => r.data),

  facility: (id, fid) => request(`${sc(id)}/facilities/${enc(fid)}`).then((r) => r.data),
  addFacility: (id, body, version) => request(`${sc(id)}/facilities`, { method: 'POST', body, version }).then((r) => r.data),
  changeFacility: (id, fid, body, version) => request(`${sc(id)}/facilities/${enc(fid)}`, { method: 'PATCH', body, version }).then((r) => r.data),
  deleteFacility: (id, fid, version) => request(`${sc(id)}/facilities/${enc(fid)}`, { method: 'DELETE', version }).then((r) => r.data),

  // Siting optimiser runs (web/optimize.go). optimize waits up to wait
  // seconds for the run to end; optimizeRun long-polls as long.
  optimize: (id, body, wait = 1) => request(`${sc(id)}/optimize?wait=${wait}`, { method: 'POST', body }).then((r) => r.data),
  optimizeRuns: (id) => request(`${sc(id)}/optimize`).then((r) => r.data),
  optimizeRun: (id, run, wait = 0, signal) => request(`${sc(id)}/optimize/${enc(run)}${wait ? `?wait=${wait}` : ''}`, { signal }).then((r) => r.data),
  cancelOptimize: (id, run) => request(`${sc(id)}/optimize/${enc(run)}`, { method: 'DELETE' }).then((r) => r.data),
  acceptSites: (id, run, sites, version) => request(`${sc(id)}/optimize/${enc(run)}/accept`, { method: 'POST', body: { sites }, version }).then((r) => r.data),
  rejectSites: (id, run, sites) => request(`${sc(id)}/optimize/${enc(run)}/reject`, { method: 'POST', body: { sites } }).then((r) => r.data),
  suggestionsURL: (id, run, format) => `${sc(id)}/optimize/${enc(run)}/sites.${format}`,
  // readCandidates sends a file of available buildings (CSV, XLSX,
  // GeoJSON) and gets back the candidates an optimise request takes.
  readCandidates: (file) => request(`api/v1/candidates?filename=${enc(file.name)}`, { method: 'POST', raw: file }).then((r) => r.data),

  reportURL: (id, format, lang) => `api/v1/reports/gap.${format}?scenario=${enc(id)}&lang=${enc(lang)}`,
};

// Links to the API (report and suggestion downloads) cannot carry a
// header: when the server has a token, a click on one fetches it with
// the token and hands the browser the file.
document.addEventListener('click', async (ev) => {
  const a = ev.target.closest?.('a[href^="api/"]');
  if (!a || !token() || ev.defaultPrevented || ev.button !== 0) return;
  ev.preventDefault();
  const win = a.target === '_blank' ? window.open('', '_blank') : null; // opened now: a later open is blocked
  try {
    const res = await fetch(a.getAttribute('href'), { headers: authHeaders(), cache: 'no-store' });
    if (!res.ok) throw new ApiError(res.status, 'http_' + res.status, t('error.generic', { status: res.status }));
    const url = URL.createObjectURL(await res.blob());
    if (win) {
      win.location = url;
    } else {
      const m = /filename\*=UTF-8''([^;]+)/.exec(res.headers.get('Content-Disposition') || '');
      const save = document.createElement('a');
      save.href = url;
      save.download = m ? decodeURIComponent(m[1]) : a.getAttribute('download') || '';
      save.click();
    }
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  } catch (err) {
    if (win) win.close();
    window.dispatchEvent(new CustomEvent('carecircle-error', { detail: err }));
  }
});
