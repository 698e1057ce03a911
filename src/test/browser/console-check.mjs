// Opens a Deskgate console URL in Debian's Chromium (playwright-core, never a downloaded browser)
// and reports what a user would see, one JSON line per state the page reaches:
//   node console-check.mjs <url> <screenshot.png> [--until STATE] [--then STATE] [--type TEXT] [--timeout-ms N]
//        [--serve DIR] [--stock] [--secret TEXT] [--paste TEXT] [--watch-ms N] [--clipboard-ms N]
//        [--header NAME:VALUE] [--settle] [--insecure-tls]
// STATE is the page's data-rfb-state (connecting, connected, failed, disconnected).
// The first line comes when --until is reached (default: connected), the second when --then is.
// --type clicks the screen once connected, types TEXT and Enter, and reports whether the screen changed.
// --serve DIR serves DIR over HTTP on loopback; "{served}" in the URL becomes its address.
// --stock: the page is a stock noVNC page (vnc_lite.html): connected is its status text starting with
//   "Connected"; any dialog (its password prompt) is dismissed and reported in "dialogs".
// --secret TEXT reports whether TEXT appeared in anything the page received ("secretSeen"): HTTP
//   response bodies and WebSocket frames.
// --paste TEXT pastes TEXT on the page once connected.
// --watch-ms N, after typing, reports a further line once the screen changes (or N ms pass).
// --header NAME:VALUE adds that header to every request of the page, the console WebSocket's included
//   (as a proxy in front would add X-Forwarded-For).
// --insecure-tls accepts a certificate no authority signed (a test's own, for a proxy in front).
// --settle then reports a further line once the screen has been at rest for 1.5 s (its final frame).
// --clipboard-ms N then reports a further line once the page has the desktop's clipboard ("clipboard"),
//   or N ms pass.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { installCanvasProbe } from './canvas-probe.mjs';

const args = process.argv.slice(2);
const [url, png] = args;
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const until = opt('--until', 'connected');
const then = opt('--then', null);
const timeoutMs = Number(opt('--timeout-ms', '30000'));
const typed = opt('--type', null);
const serveDir = opt('--serve', null);
const stock = args.includes('--stock');
const secret = opt('--secret', null);
const pasted = opt('--paste', null);
const watchMs = Number(opt('--watch-ms', '0'));
const clipboardMs = Number(opt('--clipboard-ms', '0'));
const header = opt('--header', null);
const settle = args.includes('--settle');
const insecureTls = args.includes('--insecure-tls');

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml',
                '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json' };
function serve(dir) {
  return new Promise(resolve => {
    const server = http.createServer((req, res) => {
      const file = path.join(dir, path.normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)));
      if (!file.startsWith(dir) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream' });
      fs.createReadStream(file).pipe(res);
    });
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

function probe() {
  const html = document.documentElement;
  const canvas = window.deskgateCanvasProbe();
  const status = (document.getElementById('status') || {}).textContent || null;
  return { state: html.dataset.rfbState || (status && status.startsWith('Connected') ? 'connected' : null),
           message: html.dataset.message || null, status, clipboard: html.dataset.clipboard || null,
           href: location.href, lang: html.lang, canvas };
}

// The page once its screen has not changed for quietMs (at most 10 s more).
async function atRest(page, seen, quietMs) {
  const settleBy = Date.now() + 10000;
  let stableSince = Date.now();
  while (Date.now() < settleBy && Date.now() - stableSince < quietMs) {
    await new Promise(r => setTimeout(r, 200));
    const now = await page.evaluate(probe);
    if (!now.canvas || !seen.canvas || now.canvas.hash !== seen.canvas.hash) stableSince = Date.now();
    seen = now;
  }
  return seen;
}

const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'deskgate-chromium-'));
let context;
const hardStop = setTimeout(() => { console.log(JSON.stringify({ error: 'hard timeout' })); process.exit(1); }, timeoutMs * 2 + 30000);
try {
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 900 },
    ignoreHTTPSErrors: insecureTls,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  if (header) {
    const colon = header.indexOf(':');
    await context.setExtraHTTPHeaders({ [header.slice(0, colon)]: header.slice(colon + 1).trim() });
  }
  const page = context.pages()[0] || await context.newPage();
  await installCanvasProbe(page);
  let target = url;
  let server = null;
  if (serveDir) {
    server = await serve(path.resolve(serveDir));
    target = url.replace('{served}', `http://127.0.0.1:${server.address().port}`);
  }
  const dialogs = [];
  page.on('dialog', d => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  let secretSeen = false;
  const received = [];
  if (secret) {
    page.on('response', async r => {
      try {
        const body = (await r.body()).toString('latin1');
        if (body.includes(secret)) secretSeen = true;
        if (r.url().endsWith('/session')) received.push(`${r.status()} ${r.url().split('/').pop()}: ${body}`);
      } catch (e) { /* a body that is gone (a redirect, a closed page) */ }
    });
    page.on('websocket', ws => ws.on('framereceived', f => {
      const data = typeof f.payload === 'string' ? f.payload : Buffer.from(f.payload).toString('latin1');
      if (data.includes(secret)) secretSeen = true;
    }));
  }
  const consoleLines = [];
  page.on('console', m => consoleLines.push(`${m.type()}: ${m.text()}`.slice(0, 300)));
  page.on('pageerror', e => consoleLines.push(`pageerror: ${e.message}`.slice(0, 300)));
  const response = await page.goto(target, { waitUntil: 'domcontentloaded', timeout: timeoutMs });
  for (const wanted of [until, then].filter(Boolean)) {
    const deadline = Date.now() + timeoutMs;
    let seen = null;
    while (Date.now() < deadline) {
      seen = await page.evaluate(probe);
      const drawn = seen.canvas && seen.canvas.distinctColors >= 2 && seen.canvas.dominantFraction < 0.999 && seen.canvas.lumaStddev >= 1;
      if (seen.state === wanted && (wanted !== 'connected' || drawn)) break;
      await new Promise(r => setTimeout(r, 200));
    }
    let screenChangedByTyping = null;
    if (typed && wanted === 'connected' && seen.state === 'connected') {
      // the first update may still be landing rect by rect: take "before" from a screen at rest
      seen = await atRest(page, seen, 1000);
      const box = await page.locator('#screen canvas').boundingBox();
      await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
      await page.keyboard.type(typed, { delay: 20 });
      await page.keyboard.press('Enter');
      const before = seen.canvas.hash;
      const until = Date.now() + 5000;
      do {
        await new Promise(r => setTimeout(r, 200));
        seen = await page.evaluate(probe);
      } while (seen.canvas.hash === before && Date.now() < until);
      screenChangedByTyping = seen.canvas.hash !== before;
    }
    if (pasted && wanted === 'connected' && seen.state === 'connected') {
      await page.evaluate(text => {
        const data = new DataTransfer();
        data.setData('text/plain', text);
        document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data }));
      }, pasted);
    }
    await page.screenshot({ path: png });
    console.log(JSON.stringify({ wanted, httpStatus: response && response.status(), ...seen, screenChangedByTyping,
                                 dialogs, secretSeen, received, console: consoleLines.slice(-20) }));
    if (watchMs && typed && wanted === 'connected' && seen.state === 'connected') {
      const before = seen.canvas.hash;
      const until = Date.now() + watchMs;
      do {
        await new Promise(r => setTimeout(r, 200));
        seen = await page.evaluate(probe);
      } while (seen.canvas.hash === before && Date.now() < until);
      console.log(JSON.stringify({ wanted: 'watch', screenChangedLater: seen.canvas.hash !== before, ...seen }));
    }
    if (settle && wanted === 'connected' && seen.state === 'connected') {
      seen = await atRest(page, seen, 1500);
      console.log(JSON.stringify({ wanted: 'settled', ...seen }));
    }
    if (clipboardMs && wanted === 'connected' && seen.state === 'connected') {
      const until = Date.now() + clipboardMs;
      while (!seen.clipboard && Date.now() < until) {
        await new Promise(r => setTimeout(r, 200));
        seen = await page.evaluate(probe);
      }
      console.log(JSON.stringify({ wanted: 'clipboard', ...seen }));
    }
  }
  if (server) server.close();
} catch (e) {
  console.log(JSON.stringify({ error: String(e.message || e).split('\n')[0] }));
} finally {
  clearTimeout(hardStop);
  if (context) await context.close().catch(() => {});
  fs.rmSync(userDataDir, { recursive: true, force: true });
}
