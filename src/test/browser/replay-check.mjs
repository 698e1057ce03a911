// Plays a recording on Deskgate's replay page in Debian's Chromium (playwright-core) as an auditor would:
//   node replay-check.mjs <replay URL> <screenshot.png> <early ms> [--login DOMAIN,USER,PASSWORD,PROJECT]
// --login: the URL names a recording (?recording=ID): log in on the page's form first, then report
//   "loaded" only.
// One JSON line per step, each with the page's state, position and screen ({"error"} on a failure):
//   loaded   the recording arrived and plays (duration, input event counts, the metadata panel's text)
//   ended    played to its end at 8x (with the most key marks and pointer-trail points the overlay drew)
//   early    after seeking back to <early ms>
//   paused   played for a moment at 1x, paused: positionAtPause, and positionLater one second after
//   final    after seeking to the end again
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { installCanvasProbe } from './canvas-probe.mjs';

const [url, png, early] = process.argv.slice(2);
const loginAt = process.argv.indexOf('--login');
const login = loginAt > 0 ? process.argv[loginAt + 1].split(',') : null;
const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'deskgate-replay-'));
const hardStop = setTimeout(() => { console.log(JSON.stringify({ error: 'hard timeout' })); process.exit(1); }, 150000);
let context;

function probe() {
  const html = document.documentElement;
  return { state: html.dataset.replayState, message: html.dataset.message || null,
           status: document.getElementById('status').textContent, position: Number(html.dataset.position || 0),
           duration: Number(html.dataset.duration || 0), settled: html.dataset.settled === 'true',
           keyMarks: Number(html.dataset.keyMarks || 0), trailPoints: Number(html.dataset.trailPoints || 0),
           canvas: window.deskgateCanvasProbe() };
}

async function until(page, what, done, ms = 30000) {
  const deadline = Date.now() + ms;
  let seen;
  let most = { keyMarks: 0, trailPoints: 0 };
  for (;;) {
    seen = await page.evaluate(probe);
    most = { keyMarks: Math.max(most.keyMarks, seen.keyMarks), trailPoints: Math.max(most.trailPoints, seen.trailPoints) };
    if (done(seen)) return { ...seen, most };
    if (seen.state === 'failed') throw new Error(`the page failed while waiting for ${what}: ${seen.status}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(seen)}`);
    await new Promise(r => setTimeout(r, 50));
  }
}

async function seek(page, ms) {
  await page.evaluate(to => {
    const bar = document.getElementById('seek');
    bar.value = String(to);
    bar.dispatchEvent(new Event('change'));
  }, ms);
}

// A screen at rest: settled and the same pixels for half a second.
async function atRest(page, what) {
  let last = null;
  let since = Date.now();
  return until(page, what, s => {
    const hash = s.canvas && s.canvas.hash;
    if (!s.settled || hash !== last) { last = hash; since = Date.now(); return false; }
    return Date.now() - since >= 500;
  });
}

try {
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, viewport: { width: 1280, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  await installCanvasProbe(context);
  const page = context.pages()[0] || await context.newPage();
  const errors = [];
  page.on('pageerror', e => errors.push(String(e.message).slice(0, 300)));
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  if (login) {
    await page.waitForSelector('#login:not([hidden])');
    const [domain, user, password, project] = login;
    await page.fill('#login [name=domain]', domain);
    await page.fill('#login [name=user]', user);
    await page.fill('#login [name=password]', password);
    await page.fill('#login [name=project]', project);
    await page.click('#login [type=submit]');
  }
  const loaded = await until(page, 'playing', s => s.state === 'playing' || s.state === 'ended');
  const meta = await page.$eval('#meta', el => el.textContent);
  const counts = await page.evaluate(() => ({ keyEvents: Number(document.documentElement.dataset.keyEvents),
    pointerEvents: Number(document.documentElement.dataset.pointerEvents) }));
  console.log(JSON.stringify({ step: 'loaded', ...loaded, meta, ...counts, href: page.url(), errors }));
  if (!login) {
    await page.selectOption('#speed', '8');
    const ended = await until(page, 'the end', s => s.state === 'ended', 60000);
    const endedAtRest = await atRest(page, 'the end at rest');
    await page.screenshot({ path: png });
    console.log(JSON.stringify({ step: 'ended', ...endedAtRest, most: ended.most }));
    await seek(page, Number(early));
    console.log(JSON.stringify({ step: 'early', ...(await until(page, 'the early position', s => s.position === Number(early)
      && s.state === 'paused')), ...(await atRest(page, 'the early screen')) }));
    await page.selectOption('#speed', '1');
    await page.click('#play');
    await until(page, 'playing again', s => s.state === 'playing');
    await new Promise(r => setTimeout(r, 300));
    await page.click('#play');
    const paused = await until(page, 'paused', s => s.state === 'paused');
    await new Promise(r => setTimeout(r, 1000));
    const later = await page.evaluate(probe);
    console.log(JSON.stringify({ step: 'paused', state: later.state, positionAtPause: paused.position, positionLater: later.position }));
    await seek(page, loaded.duration);
    await until(page, 'the end again', s => s.state === 'ended');
    console.log(JSON.stringify({ step: 'final', ...(await atRest(page, 'the final screen')), errors }));
  }
} catch (e) {
  console.log(JSON.stringify({ error: String(e.message || e).split('\n')[0] }));
} finally {
  clearTimeout(hardStop);
  if (context) await context.close().catch(() => {});
  fs.rmSync(userDataDir, { recursive: true, force: true });
}
