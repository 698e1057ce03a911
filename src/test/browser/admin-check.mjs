// Drives Deskgate's operator page (/admin/) in Debian's Chromium (playwright-core) as an operator would:
//   node admin-check.mjs <base URL> <domain> <user> <password> <project id> <desktop id> [--lang EN|ZH-CN]
// Logs in, waits for the live console on <desktop id>, ends it with its "End" button, finds it in the
// history, then plays its recording with "Play" (the replay page opens in a new tab). Prints one JSON line:
// {"sessionId", "historyReason", "liveHeaders", "lang", "replay": {"state", "duration", "href"}} or {"error"}.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [base, domain, user, password, project, desktop] = process.argv.slice(2);
const langAt = process.argv.indexOf('--lang');
const lang = langAt > 0 ? process.argv[langAt + 1] : 'EN';
const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'deskgate-admin-'));
const hardStop = setTimeout(() => { console.log(JSON.stringify({ error: 'hard timeout' })); process.exit(1); }, 90000);
let context;
async function until(what, probe, ms = 20000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 250));
  }
}
try {
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  const page = context.pages()[0] || await context.newPage();
  page.on('dialog', d => d.accept().catch(() => {}));
  await page.goto(`${base}/admin/?lang=${lang}`, { waitUntil: 'domcontentloaded' });
  await page.fill('input[name=domain]', domain);
  await page.fill('input[name=user]', user);
  await page.fill('input[name=password]', password);
  await page.fill('input[name=project]', project);
  await page.click('#login button[type=submit]');
  const sessionId = await until('the live console', async () => {
    await page.click('nav button[data-tab=live]');
    try {
      const row = await page.$(`#live tbody tr[data-session-id]:has(td:text-is("${desktop}"))`);
      return row && await row.getAttribute('data-session-id');
    } catch (drawnAnew) {
      return null;
    }
  });
  const liveHeaders = await page.$$eval('#live thead th', ths => ths.map(th => th.textContent));
  // a locator finds the row again if the page's refresh drew the table anew meanwhile
  await page.locator(`#live tr[data-session-id="${sessionId}"] button.end`).click();
  await until('the row to leave', async () => !(await page.$(`#live tr[data-session-id="${sessionId}"]`)));
  const reason = await until('the history row', async () => {
    await page.click('nav button[data-tab=history]');
    try {
      const cell = await page.$(`#history tr[data-session-id="${sessionId}"] td.reason`);
      return cell && await cell.textContent();
    } catch (drawnAnew) {
      return null;
    }
  });
  const play = `#recordings tr[data-session-id="${sessionId}"] button.play`;
  await until('its recording, ready to play', async () => {
    await page.click('nav button[data-tab=recordings]');
    return page.$(play);
  });
  // a locator finds the button again if the tab's last load drew the table anew
  const [replayPage] = await Promise.all([context.waitForEvent('page'), page.locator(play).click()]);
  const replay = await until('the replay playing', async () => {
    const state = await replayPage.evaluate(() => document.documentElement.dataset.replayState).catch(() => null);
    return (state === 'playing' || state === 'ended') && await replayPage.evaluate(() => ({
      state: document.documentElement.dataset.replayState, duration: Number(document.documentElement.dataset.duration),
      href: location.href }));
  });
  console.log(JSON.stringify({ sessionId, historyReason: reason, liveHeaders, replay,
                               lang: await page.evaluate(() => document.documentElement.lang) }));
} catch (e) {
  console.log(JSON.stringify({ error: String(e.message || e).split('\n')[0] }));
} finally {
  clearTimeout(hardStop);
  if (context) await context.close().catch(() => {});
  fs.rmSync(userDataDir, { recursive: true, force: true });
}
