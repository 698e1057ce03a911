// Opens a Deskgate console URL in Debian's Chromium (playwright-core, never a downloaded browser)
// and reports what a user would see, one JSON line per state the page reaches:
//   node console-check.mjs <url> <screenshot.png> [--until STATE] [--then STATE] [--type TEXT] [--timeout-ms N]
// STATE is the page's data-rfb-state (connecting, connected, failed, disconnected).
// The first line comes when --until is reached (default: connected), the second when --then is.
// --type clicks the screen once connected, types TEXT and Enter, and reports whether the screen changed.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const args = process.argv.slice(2);
const [url, png] = args;
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const until = opt('--until', 'connected');
const then = opt('--then', null);
const timeoutMs = Number(opt('--timeout-ms', '30000'));
const typed = opt('--type', null);

function probe() {
  const html = document.documentElement;
  let best = null;
  for (const c of document.querySelectorAll('canvas')) if (!best || c.width * c.height > best.width * best.height) best = c;
  let canvas = null;
  if (best && best.width > 0 && best.height > 0) {
    const d = best.getContext('2d').getImageData(0, 0, best.width, best.height).data;
    const counts = new Map();
    let s = 0, s2 = 0, n = 0, hash = 0;
    for (let i = 0; i < d.length; i += 4) {
      const key = (d[i] << 16) | (d[i + 1] << 8) | d[i + 2];
      if (counts.size < 65536 || counts.has(key)) counts.set(key, (counts.get(key) || 0) + 1);
      const l = 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];
      s += l; s2 += l * l; n++;
      hash = (hash * 31 + key) | 0;
    }
    const dominant = Math.max(...counts.values());
    const mean = s / n;
    canvas = { width: best.width, height: best.height, distinctColors: counts.size,
               dominantFraction: dominant / n, lumaStddev: Math.sqrt(Math.max(0, s2 / n - mean * mean)), hash };
  }
  return { state: html.dataset.rfbState || null, message: html.dataset.message || null,
           status: (document.getElementById('status') || {}).textContent || null,
           href: location.href, lang: html.lang, canvas };
}

const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'deskgate-chromium-'));
let context;
const hardStop = setTimeout(() => { console.log(JSON.stringify({ error: 'hard timeout' })); process.exit(1); }, timeoutMs * 2 + 30000);
try {
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] || await context.newPage();
  const consoleLines = [];
  page.on('console', m => consoleLines.push(`${m.type()}: ${m.text()}`.slice(0, 300)));
  page.on('pageerror', e => consoleLines.push(`pageerror: ${e.message}`.slice(0, 300)));
  const response = await page.goto(url, { waitUntil: 'domcontentloaded', timeout: timeoutMs });
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
    await page.screenshot({ path: png });
    console.log(JSON.stringify({ wanted, httpStatus: response && response.status(), ...seen, screenChangedByTyping,
                                 console: consoleLines.slice(-20) }));
  }
} catch (e) {
  console.log(JSON.stringify({ error: String(e.message || e).split('\n')[0] }));
} finally {
  clearTimeout(hardStop);
  if (context) await context.close().catch(() => {});
  fs.rmSync(userDataDir, { recursive: true, force: true });
}
