/**
 * The web console on the admin host: the page at `/`, its two assets at `/console/app.js` and
 * `/console/style.css`, and its JSON API at `/console/api` (api.ts). Only these known assets are served, from
 * string constants: no path is ever mapped to a file, so `/console/../../etc/passwd` (the URL parser resolves
 * the dots first) or any other unknown path is a plain 404.
 */
import type { Broker } from '../broker.js';
import { Reply, Router, type HttpHost } from '../http/index.js';
import { consoleApiRouter } from './api.js';
import { APP_JS } from './app.js';

const INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Samsa console</title>
<link rel="stylesheet" href="/console/style.css">
</head>
<body>
<header><span class="brand">Samsa</span>
<nav><a href="#/">Overview</a><a href="#/schemas">Schemas</a></nav></header>
<main id="main"><p class="muted">Loading…</p></main>
<script type="module" src="/console/app.js"></script>
</body>
</html>
`;

const STYLE_CSS = `
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, sans-serif; color: #1d2330; background: #f6f7f9; }
header { display: flex; gap: 24px; align-items: center; padding: 10px 24px; background: #1d2330; color: #fff; }
.brand { font-weight: 700; letter-spacing: .5px; }
nav a { color: #c9d3e6; margin-right: 16px; text-decoration: none; }
nav a.active, nav a:hover { color: #fff; }
main { padding: 16px 24px 48px; max-width: 1200px; }
h1 { font-size: 20px; margin: 8px 0 16px; } h2 { font-size: 16px; margin: 24px 0 8px; }
a { color: #2456b8; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #e3e6eb; vertical-align: top; }
th { background: #eef0f4; font-weight: 600; }
pre { margin: 0; white-space: pre-wrap; word-break: break-all; font: 12px/1.4 ui-monospace, monospace; }
code { font: 13px ui-monospace, monospace; }
.muted { color: #6b7385; }
.tag { display: inline-block; font-size: 11px; padding: 0 6px; margin: 0 4px 2px 0; border-radius: 8px; background: #e3e9f7; color: #2456b8; }
.tag.bad { background: #fbe3e3; color: #a12626; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; }
.card { background: #fff; border: 1px solid #e3e6eb; border-radius: 6px; padding: 10px 16px; }
.card b { font-size: 20px; margin-right: 4px; }
.row { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; margin: 6px 0; }
.stack textarea { width: 100%; font: 12px ui-monospace, monospace; }
input, select, textarea, button { font: inherit; padding: 4px 6px; }
button { cursor: pointer; border: 1px solid #2456b8; background: #2456b8; color: #fff; border-radius: 4px; }
button:disabled { background: #aab3c5; border-color: #aab3c5; cursor: not-allowed; }
.error { background: #fbe3e3; color: #a12626; padding: 8px 12px; border-radius: 4px; margin: 8px 0; }
.ok { background: #e2f4e6; color: #1d6b33; padding: 8px 12px; border-radius: 4px; margin: 8px 0; }
.diff { background: #fff; border: 1px solid #e3e6eb; padding: 8px; }
.diff .add { background: #e2f4e6; } .diff .del { background: #fbe3e3; }
details { margin-top: 8px; }
`;

/**
 * Defence in depth behind rendering everything as text: the page runs only its own script (no inline script, no
 * other origin), fetches only from this host, and may not be framed; browsers must not sniff another type.
 */
const SECURITY_HEADERS = {
  'Content-Security-Policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

const asset = (body: string, type: string) => () => new Reply(body, 200, `${type}; charset=utf-8`, SECURITY_HEADERS);

export function mountConsole(broker: Broker, host: HttpHost): void {
  host.root.route('/', { GET: asset(INDEX_HTML, 'text/html') });
  host.mount('/console', new Router()
    .route('/', { GET: asset(INDEX_HTML, 'text/html') })
    .route('/app.js', { GET: asset(APP_JS, 'text/javascript') })
    .route('/style.css', { GET: asset(STYLE_CSS, 'text/css') }));
  host.mount('/console/api', consoleApiRouter(broker));
}
