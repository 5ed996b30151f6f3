/**
 * The console's browser module, served as `/console/app.js`: a hash router (#/, #/topic/{t}, #/group/{g},
 * #/schemas, #/schema/{s}) that renders each page from /console/api and /v3. Plain JS in a string so the build
 * (tsc) carries it in dist/ with nothing to copy; no framework, no CDN.
 *
 * Every value from the broker (topic names, keys, values, headers, schema text) goes into the page as a text node
 * (`el` sets textContent, never innerHTML), so a record cannot inject markup.
 */
export const APP_JS = String.raw`'use strict';
const main = document.getElementById('main');
const enc = encodeURIComponent;

/** An element with attributes (on* as listeners) and children (strings become text nodes). */
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'text') e.textContent = String(v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function table(headers, rows, cls) {
  return el('table', { class: cls }, el('thead', {}, el('tr', {}, headers.map((h) => el('th', {}, h)))),
    el('tbody', {}, rows.length ? rows.map((r) => el('tr', {}, r.map((c) => el('td', {}, c)))) : el('tr', {}, el('td', { colspan: headers.length, class: 'muted' }, 'none'))));
}

function bytes(n) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i ? n.toFixed(1) : String(n)) + ' ' + units[i];
}

class ApiError extends Error {}

async function api(path, options) {
  const res = await fetch(path, options);
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  if (!res.ok) throw new ApiError((json && json.message) || ('HTTP ' + res.status));
  return json;
}

const link = (hash, text) => el('a', { href: hash }, text);
const errorBox = (message) => el('div', { class: 'error', role: 'alert' }, message);
// Parts left out (null, false) are skipped, as el() skips them: replaceChildren would show them as text.
function show(...children) { main.replaceChildren(...children.filter((c) => c !== null && c !== undefined && c !== false)); }

/** The previous overview's byte counters and when they were read: rates are the difference over the time between. */
let lastCounters = null;
let refreshTimer = null;

async function overviewPage() {
  const o = await api('/console/api/overview');
  const now = Date.now();
  const before = lastCounters;
  lastCounters = { at: now, topics: new Map(o.topics.map((t) => [t.name, t])) };
  const rate = (t, field) => {
    const old = before && before.topics.get(t.name);
    if (!old || now <= before.at) return '-';
    return bytes(Math.max(0, Math.round((t[field] - old[field]) * 1000 / (now - before.at)))) + '/s';
  };
  // Refreshed every 5 s while shown, so the rates stay current.
  refreshTimer = setTimeout(() => { if (location.hash === '' || location.hash === '#/') route(); }, 5000);
  const userTopics = o.topics.filter((t) => !t.internal);
  show(
    el('h1', {}, 'Cluster ', el('code', {}, o.clusterId)),
    el('div', { class: 'cards' },
      el('div', { class: 'card' }, el('b', {}, o.nodes.length), ' nodes'),
      el('div', { class: 'card' }, el('b', {}, userTopics.length), ' topics'),
      el('div', { class: 'card' }, el('b', {}, userTopics.reduce((s, t) => s + t.partitions, 0)), ' partitions'),
      el('div', { class: 'card' }, el('b', {}, o.groups.length), ' groups'),
      el('div', { class: 'card' }, el('b', {}, o.subjects === null ? '-' : o.subjects), ' ', link('#/schemas', 'subjects'))),
    el('h2', {}, 'Nodes'),
    table(['id', 'endpoints'], o.nodes.map((n) => [String(n.id), n.endpoints.join(', ')])),
    el('h2', {}, 'Topics'),
    table(['topic', 'partitions', 'records', 'size', 'produced', 'fetched', 'produce rate', 'fetch rate'], o.topics.map((t) => [
      el('span', {}, link('#/topic/' + enc(t.name), t.name), t.internal ? el('span', { class: 'tag' }, 'internal') : null),
      String(t.partitions), String(t.records), bytes(t.bytes), bytes(t.bytesIn), bytes(t.bytesOut), rate(t, 'bytesIn'), rate(t, 'bytesOut')]), 'topics'),
    el('h2', {}, 'Groups'),
    table(['group', 'type', 'state', 'members', 'lag'], o.groups.map((g) => [link('#/group/' + enc(g.groupId), g.groupId), g.type, g.state, String(g.members), String(g.lag)]), 'groups'));
}

function recordCell(part) {
  if (part.text === null) return el('span', { class: 'muted' }, 'null');
  return el('div', {},
    part.schemaId !== undefined ? el('span', { class: 'tag' }, 'schema ' + part.schemaId) : null,
    part.encoding === 'base64' ? el('span', { class: 'tag' }, 'base64') : null,
    part.error ? el('span', { class: 'tag bad', title: part.error }, 'undecodable') : null,
    part.truncated ? el('span', { class: 'tag' }, 'first ' + part.text.length + ' of ' + part.truncated + ' characters') : null,
    el('pre', {}, part.text));
}

async function topicPage(name) {
  const t = await api('/console/api/topics/' + enc(name));
  const overview = await api('/console/api/overview');
  const browser = el('div', { id: 'records' });
  const partitionInput = el('select', { id: 'browse-partition' }, t.partitions.map((p) => el('option', { value: p.partition }, String(p.partition))));
  const offsetInput = el('input', { id: 'browse-offset', type: 'number', min: 0, placeholder: 'newest' });
  const limitInput = el('input', { id: 'browse-limit', type: 'number', min: 1, max: 500, value: 50 });
  const timeInput = el('input', { id: 'browse-time', type: 'datetime-local', step: 1 });
  async function browse(newest) {
    if (newest) { offsetInput.value = ''; timeInput.value = ''; }
    const q = new URLSearchParams({ partition: partitionInput.value, limit: limitInput.value || '50' });
    if (offsetInput.value !== '') q.set('offset', offsetInput.value);
    else if (timeInput.value !== '') q.set('timestamp', String(new Date(timeInput.value).getTime())); // local time, as typed
    try {
      const r = await api('/console/api/topics/' + enc(name) + '/records?' + q);
      browser.replaceChildren(
        el('p', { class: 'muted' }, 'partition ' + r.partition + ': offsets ' + r.logStartOffset + ' to ' + r.highWatermark + ', showing from ' + r.offset),
        table(['offset', 'timestamp', 'key', 'headers', 'value'], r.records.map((m) => [
          String(m.offset), new Date(m.timestamp).toISOString(), recordCell(m.key),
          el('div', {}, m.headers.map((h) => el('div', {}, el('code', {}, h.key), ': ', h.value === null ? 'null' : h.value))),
          recordCell(m.value)]), 'records'));
    } catch (err) { browser.replaceChildren(errorBox(err.message)); }
  }
  const produced = el('div', { id: 'produce-result' });
  const keyInput = el('input', { id: 'produce-key', placeholder: 'key (empty: none)' });
  const valueInput = el('textarea', { id: 'produce-value', rows: 3, placeholder: 'value' });
  const typeInput = el('select', { id: 'produce-type' }, ['STRING', 'JSON', 'AVRO', 'JSONSCHEMA', 'PROTOBUF'].map((v) => el('option', { value: v }, v)));
  const headerName = el('input', { id: 'produce-header-name', placeholder: 'header name' });
  const headerValue = el('input', { id: 'produce-header-value', placeholder: 'header value' });
  const producePartition = el('input', { id: 'produce-partition', type: 'number', min: 0, placeholder: 'partition (auto)' });
  async function produce(event) {
    event.preventDefault();
    const type = typeInput.value;
    let data = valueInput.value;
    if (type !== 'STRING') {
      try { data = JSON.parse(data); } catch (err) { produced.replaceChildren(errorBox('The value is not JSON: ' + err.message)); return; }
    }
    const body = { value: { type, data } };
    if (keyInput.value !== '') body.key = { type: 'STRING', data: keyInput.value };
    if (producePartition.value !== '') body.partition_id = Number(producePartition.value);
    if (headerName.value !== '') body.headers = [{ name: headerName.value, value: btoa(String.fromCodePoint(...new TextEncoder().encode(headerValue.value))) }];
    try {
      const r = await api('/v3/clusters/' + enc(overview.clusterId) + '/topics/' + enc(name) + '/records', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      produced.replaceChildren(el('div', { class: 'ok' }, 'Produced to partition ' + r.partition_id + ' at offset ' + r.offset));
      partitionInput.value = String(r.partition_id);
      partitions.replaceChildren(partitionsTable(await api('/console/api/topics/' + enc(name))));
      await browse(true);
    } catch (err) { produced.replaceChildren(errorBox(err.message)); }
  }
  const nonDefault = t.configs.filter((c) => !c.isDefault);
  const partitionsTable = (t) => table(['partition', 'leader', 'log start', 'high watermark', 'last stable', 'size'], t.partitions.map((p) => [
    String(p.partition), String(p.leader), String(p.logStartOffset), String(p.highWatermark), String(p.lastStableOffset), bytes(p.bytes)]), 'partitions');
  const partitions = el('div', {}, partitionsTable(t));
  show(
    el('h1', {}, 'Topic ', el('code', {}, t.name), t.internal ? el('span', { class: 'tag' }, 'internal') : null),
    el('h2', {}, 'Partitions'),
    partitions,
    el('h2', {}, 'Messages'),
    el('form', { class: 'row', onsubmit: (e) => { e.preventDefault(); browse(false); } },
      el('label', {}, 'partition ', partitionInput), el('label', {}, 'offset ', offsetInput), el('label', {}, 'or from ', timeInput), el('label', {}, 'limit ', limitInput),
      el('button', { type: 'submit', id: 'browse' }, 'Browse'), el('button', { type: 'button', id: 'browse-newest', onclick: () => browse(true) }, 'Newest')),
    browser,
    el('h2', {}, 'Produce'),
    el('form', { id: 'produce', class: 'stack', onsubmit: produce },
      el('div', { class: 'row' }, keyInput, producePartition, el('label', {}, 'value type ', typeInput)),
      valueInput,
      el('div', { class: 'row' }, headerName, headerValue, el('button', { type: 'submit', id: 'produce-submit' }, 'Produce'))),
    produced,
    el('h2', {}, 'Configs set on the topic'),
    table(['name', 'value', 'source'], nonDefault.map((c) => [c.name, c.value === null ? '' : c.value, c.source]), 'configs'),
    el('details', {}, el('summary', {}, 'All ' + t.configs.length + ' configs'),
      table(['name', 'value', 'source'], t.configs.map((c) => [c.name, c.value === null ? '' : c.value, c.source]))));
  await browse(true);
}

/** Total lag per group as the group page read it, newest last (the last 10 minutes), for its chart. */
const lagHistory = new Map();
const LAG_WINDOW_MS = 10 * 60 * 1000;

/** A small SVG line of lag over time (built as DOM nodes, like every value on the page). */
function lagChart(points) {
  const ns = 'http://www.w3.org/2000/svg';
  const w = 480, h = 80, pad = 4;
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('id', 'lag-chart');
  svg.setAttribute('viewBox', '0 0 ' + w + ' ' + h);
  svg.setAttribute('width', String(w));
  svg.setAttribute('height', String(h));
  svg.setAttribute('role', 'img');
  const max = Math.max(1, ...points.map((p) => p.lag));
  const t0 = points[0].at, span = Math.max(1, points[points.length - 1].at - t0);
  const line = document.createElementNS(ns, 'polyline');
  line.setAttribute('fill', 'none');
  line.setAttribute('stroke', 'currentColor');
  line.setAttribute('stroke-width', '2');
  line.setAttribute('points', points.map((p) => (pad + (p.at - t0) / span * (w - 2 * pad)).toFixed(1) + ',' + (h - pad - p.lag / max * (h - 2 * pad)).toFixed(1)).join(' '));
  const title = document.createElementNS(ns, 'title');
  title.textContent = 'total lag, max ' + max;
  svg.append(title, line);
  return svg;
}

/** A share group (KIP-932): members and, per share-partition, its start and end offsets, in-flight records by state, lag. */
function sharePage(g) {
  refreshTimer = setTimeout(() => { if (location.hash === '#/group/' + enc(g.groupId)) route(); }, 5000);
  show(
    el('h1', {}, 'Share group ', el('code', {}, g.groupId)),
    el('p', {}, 'state ', el('b', { id: 'group-state' }, g.state), ', epoch ', String(g.groupEpoch)),
    el('h2', {}, 'Members'),
    table(['member', 'client', 'host', 'epoch', 'assignment'], g.members.map((m) => [m.memberId, m.clientId, m.clientHost, String(m.memberEpoch),
      Object.entries(m.assignment).map(([t, ps]) => t + ': ' + ps.join(',')).join('; ') || '-']), 'members'),
    el('h2', {}, 'Share-partitions'),
    table(['topic', 'partition', 'start', 'end', 'available', 'acquired', 'acknowledged', 'archived', 'lag'], g.partitions.map((p) => [
      link('#/topic/' + enc(p.topic), p.topic), String(p.partition), String(p.startOffset), String(p.endOffset), String(p.inFlight.available),
      String(p.inFlight.acquired), String(p.inFlight.acknowledged), String(p.inFlight.archived), String(p.lag)]), 'share-partitions'));
}

async function groupPage(id) {
  const g = await api('/console/api/groups/' + enc(id));
  if (g.type === 'share') return sharePage(g);
  const now = Date.now();
  const history = (lagHistory.get(id) || []).filter((p) => now - p.at <= LAG_WINDOW_MS);
  history.push({ at: now, lag: g.lags.reduce((n, l) => n + l.lag, 0) });
  lagHistory.set(id, history);
  // Refreshed every 5 s while shown, so the lag and its chart stay current.
  refreshTimer = setTimeout(() => { if (location.hash === '#/group/' + enc(id)) route(); }, 5000);
  const result = el('div', { id: 'reset-result' });
  async function reset(to) {
    try {
      const r = await api('/console/api/groups/' + enc(id) + '/reset', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ to }) });
      await groupPage(id);
      document.getElementById('reset-result').replaceChildren(el('div', { class: 'ok' }, 'Reset ' + r.offsets.length + ' partition(s) to ' + r.to));
    } catch (err) { result.replaceChildren(errorBox(err.message)); }
  }
  const empty = g.members.length === 0;
  const assigned = (a) => (a ? Object.entries(a).map(([t, ps]) => t + ': ' + ps.join(',')).join('; ') || '-' : '-');
  // A consumer (KIP-848) group: the broker assigns, so it has epochs, an assignor and target assignments.
  const consumer = g.type === 'consumer';
  show(
    el('h1', {}, consumer ? 'Consumer group ' : 'Group ', el('code', {}, g.groupId)),
    consumer
      ? el('p', {}, el('span', { class: 'tag', id: 'group-type' }, 'consumer'), ' state ', el('b', { id: 'group-state' }, g.state), ', group epoch ', el('b', { id: 'group-epoch' }, String(g.generationId)),
        ', assignment epoch ', String(g.assignmentEpoch), ', assignor ', g.assignor || '-')
      : el('p', {}, el('span', { class: 'tag', id: 'group-type' }, 'classic'), ' state ', el('b', { id: 'group-state' }, g.state), ', protocol ', g.protocol || '-', ', generation ', String(g.generationId)),
    el('h2', {}, 'Members'),
    consumer
      ? table(['member', 'client', 'host', 'epoch', 'assignment', 'target assignment'], g.members.map((m) => [m.memberId, m.clientId, m.clientHost, String(m.memberEpoch),
        assigned(m.assignment), assigned(m.targetAssignment)]), 'members')
      : table(['member', 'client', 'host', 'assignment'], g.members.map((m) => [m.memberId, m.clientId, m.clientHost, assigned(m.assignment)]), 'members'),
    el('h2', {}, 'Offsets and lag'),
    el('p', { class: 'muted' }, 'total lag ', el('b', { id: 'total-lag' }, String(history[history.length - 1].lag)),
      history.length > 1 ? ', over the last ' + Math.max(1, Math.round((now - history[0].at) / 60000)) + ' min' : ' (the chart fills as the page refreshes)'),
    history.length > 1 ? lagChart(history) : null,
    table(['topic', 'partition', 'committed', 'log end', 'lag', 'consumer'], g.lags.map((l) => [
      link('#/topic/' + enc(l.topic), l.topic), String(l.partition), String(l.committed), String(l.logEndOffset), String(l.lag), l.consumerId || '-']), 'lags'),
    el('h2', {}, 'Reset offsets'),
    el('p', { class: 'muted' }, empty ? 'The group has no members: its committed offsets may be moved.' : 'Stop the group\'s consumers first: offsets of an active group cannot be reset.'),
    el('div', { class: 'row' },
      el('button', { id: 'reset-earliest', disabled: !empty, onclick: () => reset('earliest') }, 'Reset to earliest'),
      el('button', { id: 'reset-latest', disabled: !empty, onclick: () => reset('latest') }, 'Reset to latest')),
    result);
}

async function schemasPage() {
  const s = await api('/console/api/schemas');
  show(
    el('h1', {}, 'Schemas'),
    el('p', {}, 'global compatibility ', el('b', {}, s.compatibility)),
    table(['subject', 'versions', 'compatibility'], s.subjects.map((x) => [link('#/schema/' + enc(x.subject), x.subject), x.versions.join(', '), x.compatibility]), 'subjects'));
}

/** A line diff (longest common subsequence): [kind, line] with kind ' ', '-' or '+'. */
function diffLines(a, b) {
  // The lines both share at the start and at the end, then the table over what is left, if it stays small: its
  // cells grow with the product of the two lengths (two 15,000-line schemas crashed the tab).
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let end = 0;
  while (end < a.length - start && end < b.length - start && a[a.length - 1 - end] === b[b.length - 1 - end]) end++;
  const x = a.slice(start, a.length - end), y = b.slice(start, b.length - end);
  const n = x.length, m = y.length;
  const out = a.slice(0, start).map((line) => [' ', line]);
  if ((n + 1) * (m + 1) > 4000000) {
    for (const line of x) out.push(['-', line]);
    for (const line of y) out.push(['+', line]);
  } else {
    const lcs = Array.from({ length: n + 1 }, () => new Array(m + 1).fill(0));
    for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i][j] = x[i] === y[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    let i = 0, j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && x[i] === y[j]) { out.push([' ', x[i]]); i++; j++; }
      else if (j < m && (i === n || lcs[i][j + 1] >= lcs[i + 1][j])) out.push(['+', y[j++]]);
      else out.push(['-', x[i++]]);
    }
  }
  for (const line of a.slice(a.length - end)) out.push([' ', line]);
  return out;
}

/** Schema text one line per element, so a diff shows which fields changed. */
function pretty(text) {
  try { return JSON.stringify(JSON.parse(text), null, 2).split('\n'); } catch { return text.split('\n'); }
}

async function subjectPage(name) {
  const s = await api('/console/api/schemas/' + enc(name));
  const versions = s.versions.map((v) => v.version);
  const pick = (id, initial) => el('select', { id }, versions.map((v) => el('option', { value: v, selected: v === initial }, 'v' + v)));
  const from = pick('diff-from', versions[Math.max(0, versions.length - 2)]);
  const to = pick('diff-to', versions[versions.length - 1]);
  const diff = el('pre', { id: 'diff', class: 'diff' });
  function render() {
    const a = s.versions.find((v) => v.version === Number(from.value));
    const b = s.versions.find((v) => v.version === Number(to.value));
    diff.replaceChildren(...diffLines(pretty(a.schema), pretty(b.schema)).map(([kind, line]) =>
      el('span', { class: kind === '+' ? 'add' : kind === '-' ? 'del' : '' }, kind + ' ' + line + '\n')));
  }
  from.addEventListener('change', render);
  to.addEventListener('change', render);
  show(
    el('h1', {}, 'Subject ', el('code', {}, s.subject)),
    el('p', {}, 'compatibility ', el('b', { id: 'compatibility' }, s.compatibility)),
    table(['version', 'id', 'type', 'references'], s.versions.map((v) => [String(v.version), String(v.id), v.schemaType,
      v.references.map((r) => r.name + ' (' + r.subject + ' v' + r.version + ')').join(', ') || '-']), 'versions'),
    el('h2', {}, 'Diff'),
    el('div', { class: 'row' }, el('label', {}, 'from ', from), el('label', {}, 'to ', to)),
    diff);
  render();
}

async function route() {
  clearTimeout(refreshTimer);
  const parts = location.hash.replace(/^#\/?/, '').split('/');
  let name = null;
  try { name = parts.length > 1 ? decodeURIComponent(parts.slice(1).join('/')) : null; } catch { name = null; }
  for (const a of document.querySelectorAll('nav a')) a.classList.toggle('active', a.getAttribute('href') === '#/' + (parts[0] === 'schema' ? 'schemas' : parts[0]));
  try {
    if (parts[0] === 'topic' && name !== null) await topicPage(name);
    else if (parts[0] === 'group' && name !== null) await groupPage(name);
    else if (parts[0] === 'schemas') await schemasPage();
    else if (parts[0] === 'schema' && name !== null) await subjectPage(name);
    else await overviewPage();
  } catch (err) {
    show(el('h1', {}, 'Error'), errorBox(err instanceof ApiError ? err.message : 'Cannot load the page: ' + err.message), el('p', {}, link('#/', 'Back to the overview')));
  }
}

window.addEventListener('hashchange', route);
route();
`;
