#!/usr/bin/env node
// Turns a bench/run.sh results directory into the results table (markdown), optionally written into
// bench/README.md between its results markers.   node report.mjs <run dir> <fd limit> <quick> [--readme FILE]
import fs from 'node:fs';
import os from 'node:os';
import { execSync } from 'node:child_process';

const [dir, fdLimit, quick] = process.argv.slice(2);
const readme = process.argv.includes('--readme') ? process.argv[process.argv.indexOf('--readme') + 1] : null;
const results = {};
for (const line of fs.readFileSync(`${dir}/results.jsonl`, 'utf8').split('\n').filter(Boolean)) {
  const r = JSON.parse(line);
  results[r.name] = r.result;
}
const r = name => results[name] || {};
const f = (x, d = 0) => (x === undefined || x === null || Number.isNaN(x) ? 'n/a' : Number(x).toFixed(d));
const ratio = (a, b) => (a && b ? (a / b).toFixed(2) + ' x' : 'n/a');
const yes = ok => (ok ? '**met**' : '**not met**');
const sh = cmd => { try { return execSync(cmd, { encoding: 'utf8' }).trim(); } catch (e) { return 'n/a'; } };

const t1 = ['raw', 'websockify', 'deskgate'].map(p => r(`${p} throughput 1`).mibPerSec);
const t16 = ['raw', 'websockify', 'deskgate'].map(p => r(`${p} throughput 16`).mibPerSec);
const lat = ['raw', 'websockify', 'deskgate'].map(p => r(`${p} latency`));
const setup = ['raw', 'websockify', 'deskgate'].map(p => r(`${p} setup`));
const idle = ['raw', 'websockify', 'deskgate'].map(p => r(`${p} idle`));
const cpu = ['websockify', 'deskgate'].map(p => {
  const a = r(`${p} throughput 1`).cpuSecondsPerGiB;
  const b = r(`${p} throughput 16`).cpuSecondsPerGiB;
  return a && b ? (a + b) / 2 : a || b;
});
// cores the proxy kept busy while relaying 16 connections: CPU seconds per GiB times GiB per second
const busy16 = ['websockify', 'deskgate'].map(p => {
  const t = r(`${p} throughput 16`);
  return t.cpuSecondsPerGiB && t.mibPerSec ? t.cpuSecondsPerGiB * t.mibPerSec / 1024 : undefined;
});
// the node's http.event_loops: as set for the run through the environment, else its default, two per core
const loops = process.env.DESKGATE_HTTP_EVENT_LOOPS || `${2 * os.cpus().length} (the default, two per core)`;
const api = ['h2', 'pg'].map(s => ({ ...r(`deskgate api ${s}`), capacity: r(`deskgate api capacity ${s}`).rps }));
const wantIdle = quick === 'yes' ? 1000 : 10000;

const rows = [
  ['downstream MiB/s, 1 connection', '>= 0.80 x raw, >= 1.8 x websockify', f(t1[0]), f(t1[1]), f(t1[2]),
    `${ratio(t1[2], t1[0])} raw, ${ratio(t1[2], t1[1])} websockify`, yes(t1[2] >= 0.8 * t1[0] && t1[2] >= 1.8 * t1[1])],
  ['downstream MiB/s, 16 connections', '>= 0.80 x raw', f(t16[0]), f(t16[1]), f(t16[2]), `${ratio(t16[2], t16[0])} raw`,
    yes(t16[2] >= 0.8 * t16[0])],
  ['64-byte round trip p50 / p99 (µs)', '<= raw + 40 / <= raw + 150', `${f(lat[0].p50us)} / ${f(lat[0].p99us)}`,
    `${f(lat[1].p50us)} / ${f(lat[1].p99us)}`, `${f(lat[2].p50us)} / ${f(lat[2].p99us)}`,
    `raw + ${f(lat[2].p50us - lat[0].p50us)} / + ${f(lat[2].p99us - lat[0].p99us)}`,
    yes(lat[2].p50us <= lat[0].p50us + 40 && lat[2].p99us <= lat[0].p99us + 150)],
  ['session open p50 (ms), opens/s in sequence', '<= 2 ms, >= 500/s', `${f(setup[0].p50ms, 2)}, ${f(setup[0].opensPerSec)}`,
    `${f(setup[1].p50ms, 2)}, ${f(setup[1].opensPerSec)}`, `${f(setup[2].p50ms, 2)}, ${f(setup[2].opensPerSec)}`,
    'Deskgate: WS upgrade + token redeemed in the store + TCP connect + first echo', yes(setup[2].p50ms <= 2 && setup[2].opensPerSec >= 500)],
  [`concurrent idle sessions held (of ${wantIdle} tried; websockify: 1,000)`, `${wantIdle}, none refused`,
    f(idle[0].held), f(idle[1].held), f(idle[2].held), `failures: ${f(idle[2].failures)}${idle[2].firstError ? ' (' + idle[2].firstError + ')' : ''}`,
    yes(idle[2].held >= wantIdle && idle[2].failures === 0)],
  ['memory per idle session (RSS growth / sessions, KiB)', '<= 64', '-', 'n/a (one process per session)', f(idle[2].kibPerSession, 1),
    `RSS ${f(idle[2].rssBeforeKiB / 1024)} -> ${f(idle[2].rssAfterKiB / 1024)} MiB`, yes(idle[2].kibPerSession <= 64)],
  ['proxy CPU seconds per GiB forwarded', '<= 0.35', '-', f(cpu[0], 2), f(cpu[1], 2), 'mean of the 1- and 16-connection runs',
    yes(cpu[1] <= 0.35)],
  ['proxy cores busy, 16 connections (CPU s per s)', '> 1 (more than one core)', '-', f(busy16[0], 2), f(busy16[1], 2),
    `Deskgate on ${loops} event loops`, yes(busy16[1] > 1)],
  ...['H2', 'PostgreSQL'].map((store, i) => [`remote-console calls/s at 3,000/s offered, p50 / p99 (${store})`,
    '>= 3,000/s, p99 <= 20 ms', '-', '-', `${f(api[i].achievedPerSec)}, ${f(api[i].p50ms, 1)} / ${f(api[i].p99ms, 1)} ms`,
    `errors: ${f(api[i].errors)}; most answered (wrk, 8 connections): ${f(api[i].capacity)}/s`,
    yes(api[i].achievedPerSec >= 2950 && api[i].p99ms <= 20 && api[i].errors === 0)]),
];

// RFB termination: the plain relay, a scanned (clipboard-policed) console, and an earlier build when measured
const relay = ['deskgate', 'deskgate-scanned', 'before'].map(p => ({
  t1: r(`${p} throughput 1`), t16: r(`${p} throughput 16`), lat: r(`${p} latency`),
}));
const cpuOf = x => (x.t1.cpuSecondsPerGiB && x.t16.cpuSecondsPerGiB
  ? (x.t1.cpuSecondsPerGiB + x.t16.cpuSecondsPerGiB) / 2 : x.t1.cpuSecondsPerGiB || x.t16.cpuSecondsPerGiB);
const before = process.env.DESKGATE_BEFORE_LABEL || 'an earlier build (DESKGATE_BEFORE_JAR)';
const relayTable = [
  '',
  `The relay, plain and scanned, and ${relay[2].t1.mibPerSec ? before : 'no earlier build (not measured in this run)'}:`,
  '',
  '| measure | Deskgate, plain relay | Deskgate, scanned console | earlier build | scanned vs. plain |',
  '|---|---|---|---|---|',
  `| downstream MiB/s, 1 connection | ${f(relay[0].t1.mibPerSec)} | ${f(relay[1].t1.mibPerSec)} | ${f(relay[2].t1.mibPerSec)} | ${ratio(relay[1].t1.mibPerSec, relay[0].t1.mibPerSec)} |`,
  `| downstream MiB/s, 16 connections | ${f(relay[0].t16.mibPerSec)} | ${f(relay[1].t16.mibPerSec)} | ${f(relay[2].t16.mibPerSec)} | ${ratio(relay[1].t16.mibPerSec, relay[0].t16.mibPerSec)} |`,
  `| proxy CPU seconds per GiB | ${f(cpuOf(relay[0]), 2)} | ${f(cpuOf(relay[1]), 2)} | ${f(cpuOf(relay[2]), 2)} | ${ratio(cpuOf(relay[1]), cpuOf(relay[0]))} |`,
  `| 64-byte round trip p50 / p99 (µs) | ${f(relay[0].lat.p50us)} / ${f(relay[0].lat.p99us)} | - | ${f(relay[2].lat.p50us)} / ${f(relay[2].lat.p99us)} | |`,
  '',
].join('\n');

// against a kernel TCP relay: issue 10's targets are set relative to socat
const so = { t1: r('socat throughput 1'), t16: r('socat throughput 16'), lat: r('socat latency') };
const dg = relay[0];
const socatTable = [
  '',
  'Against socat (a kernel TCP relay, no WebSocket, forking one process per connection like websockify; its CPU includes them):',
  '',
  '| measure | socat | Deskgate | Deskgate vs. socat | issue 10 target |',
  '|---|---|---|---|---|',
  `| downstream MiB/s, 1 connection | ${f(so.t1.mibPerSec)} | ${f(dg.t1.mibPerSec)} | ${ratio(dg.t1.mibPerSec, so.t1.mibPerSec)} | >= 0.90 x |`,
  `| downstream MiB/s, 16 connections | ${f(so.t16.mibPerSec)} | ${f(dg.t16.mibPerSec)} | ${ratio(dg.t16.mibPerSec, so.t16.mibPerSec)} | >= 0.90 x |`,
  `| proxy CPU seconds per GiB | ${f(cpuOf(so), 2)} | ${f(cpuOf(dg), 2)} | ${ratio(cpuOf(dg), cpuOf(so))} | <= 1.15 x |`,
  `| 64-byte round trip p50 / p99 (µs) | ${f(so.lat.p50us)} / ${f(so.lat.p99us)} | ${f(dg.lat.p50us)} / ${f(dg.lat.p99us)} | + ${f(dg.lat.p50us - so.lat.p50us)} / + ${f(dg.lat.p99us - so.lat.p99us)} | <= + 10 / + 60 |`,
  `| wss:// MiB/s, 1 / 16 connections (CPU s/GiB) | - | ${f(r('deskgate-wss throughput 1').mibPerSec)} / ${f(r('deskgate-wss throughput 16').mibPerSec)} (${f(cpuOf({ t1: r('deskgate-wss throughput 1'), t16: r('deskgate-wss throughput 16') }), 2)}) | ${ratio(r('deskgate-wss throughput 1').mibPerSec, dg.t1.mibPerSec)} / ${ratio(r('deskgate-wss throughput 16').mibPerSec, dg.t16.mibPerSec)} of ws:// | >= 0.8 x ws:// |`,
  '',
].join('\n');

const cpuModel = (os.cpus()[0] || {}).model || 'unknown cpu';
// the run's start, from its directory's name (bench/results/YYYYMMDDTHHMMSSZ)
const stamp = dir.match(/(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/);
const started = stamp ? `${stamp[1]}-${stamp[2]}-${stamp[3]}T${stamp[4]}:${stamp[5]}:${stamp[6]}Z` : 'n/a';
const table = [
  `Run ${started}${quick === 'yes' ? ' (--quick: 1 run each, smaller)' : ''}: `
    + `\`bench/run.sh${quick === 'yes' ? ' --quick' : ''}\` on ${os.cpus().length} x ${cpuModel}, `
    + `${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}; ${sh('java -version 2>&1 | head -1')}; `
    + `node ${process.version}; websockify ${sh("dpkg-query -W -f='${Version}' websockify")}; open-file limit ${fdLimit}. `
    + 'Client, proxy and target share the machine; medians of the runs. Raw JSON (kept on the machine that ran it, not committed): `' + dir.replace(/.*\/bench\//, 'bench/') + '/`.',
  '',
  '| measure | target | raw TCP | websockify | Deskgate | Deskgate vs. | |',
  '|---|---|---|---|---|---|---|',
  ...rows.map(row => `| ${row.join(' | ')} |`),
  '',
].join('\n') + relayTable + socatTable;

if (readme) {
  const text = fs.readFileSync(readme, 'utf8');
  const start = '<!-- results:start -->';
  const end = '<!-- results:end -->';
  fs.writeFileSync(readme, text.slice(0, text.indexOf(start) + start.length) + '\n' + table + text.slice(text.indexOf(end)));
} else {
  process.stdout.write(table);
}
