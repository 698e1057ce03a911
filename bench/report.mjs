#!/usr/bin/env node
// Turns a bench/run.sh results directory into the results tables (markdown), optionally written into
// bench/README.md between its results markers.   node report.mjs <run dir> <fd limit> <quick> [--readme FILE]
// Figures are medians over the interleaved repeats; a ratio is taken within each repeat (contenders of one
// repeat ran back to back) and shown as its median with the spread over the repeats.
import fs from 'node:fs';
import os from 'node:os';
import { execSync } from 'node:child_process';

const [dir, fdLimit, quick] = process.argv.slice(2);
const readme = process.argv.includes('--readme') ? process.argv[process.argv.indexOf('--readme') + 1] : null;
const byName = {};
for (const line of fs.readFileSync(`${dir}/results.jsonl`, 'utf8').split('\n').filter(Boolean)) {
  const r = JSON.parse(line);
  (byName[r.name] = byName[r.name] || {})[r.repeat || 1] = r.result;
}
const repeats = name => byName[name] || {};
const one = name => Object.values(repeats(name))[0] || {};
const median = a => { const s = a.filter(x => Number.isFinite(x)).sort((x, y) => x - y); return s.length ? s[Math.floor((s.length - 1) / 2)] : undefined; };
const f = (x, d = 0) => (x === undefined || x === null || Number.isNaN(x) ? 'n/a' : Number(x).toFixed(d));
const sh = cmd => { try { return execSync(cmd, { encoding: 'utf8' }).trim(); } catch (e) { return 'n/a'; } };

/** A value per repeat: fn(result of each named measurement in that repeat). */
function perRepeat(names, fn) {
  const reps = new Set(names.flatMap(n => Object.keys(repeats(n))));
  return [...reps].map(rep => {
    const rs = names.map(n => repeats(n)[rep]);
    return rs.every(Boolean) ? fn(...rs) : undefined;
  }).filter(x => Number.isFinite(x));
}
const spread = (vals, d = 0, unit = '') => {
  if (!vals.length) return 'n/a';
  const m = median(vals), lo = Math.min(...vals), hi = Math.max(...vals);
  return vals.length > 1 ? `${f(m, d)}${unit} (${f(lo, d)}-${f(hi, d)})` : `${f(m, d)}${unit}`;
};

const mibs = (peer, conns) => perRepeat([`${peer} throughput ${conns}`], t => t.mibPerSec);
const mibRatio = (a, b, conns) => perRepeat([`${a} throughput ${conns}`, `${b} throughput ${conns}`], (x, y) => x.mibPerSec / y.mibPerSec);
// CPU seconds per GiB: the mean of the 1- and 16-connection runs of a repeat; "service" leaves out the
// JVM's JIT compiler and GC threads
const cpu = (peer, key = 'cpuSecondsPerGiB') => perRepeat([`${peer} throughput 1`, `${peer} throughput 16`],
  (a, b) => (a[key] + b[key]) / 2);
const serviceCpu = peer => perRepeat([`${peer} throughput 1`, `${peer} throughput 16`],
  (a, b) => (a.cpuSecondsPerGiB - a.jvmUpkeepSecondsPerGiB + b.cpuSecondsPerGiB - b.jvmUpkeepSecondsPerGiB) / 2);
const cpuRatio = (a, b) => perRepeat([`${a} throughput 1`, `${a} throughput 16`, `${b} throughput 1`, `${b} throughput 16`],
  (a1, a16, b1, b16) => (a1.cpuSecondsPerGiB + a16.cpuSecondsPerGiB) / (b1.cpuSecondsPerGiB + b16.cpuSecondsPerGiB));
const lat = (peer, key) => perRepeat([`${peer} latency`], l => l[key]);
const latDiff = (a, b, key) => perRepeat([`${a} latency`, `${b} latency`], (x, y) => x[key] - y[key]);
const met = ok => (ok ? '**met**' : '**not met**');

const setup = one('deskgate setup');
const idle = one('deskgate idle');
const idleWanted = Number(process.env.BENCH_IDLE || idle.wanted || 0);
const api = ['h2', 'pg'].map(s => ({ ...one(`deskgate api ${s}`), capacity: one(`deskgate api capacity ${s}`).rps }));
const wss = c => mibRatio('deskgate-wss', 'deskgate', c);

const rows = [
  ['downstream MiB/s, 1 connection', '>= 0.90 x socat, >= 1.25 x websockify', spread(mibs('socat', 1)),
    spread(mibs('websockify', 1)), spread(mibs('deskgate', 1)),
    `${spread(mibRatio('deskgate', 'socat', 1), 2, ' x')} socat, ${spread(mibRatio('deskgate', 'websockify', 1), 2, ' x')} websockify`,
    met(median(mibRatio('deskgate', 'socat', 1)) >= 0.9 && median(mibRatio('deskgate', 'websockify', 1)) >= 1.25)],
  ['downstream MiB/s, 16 connections', '>= 0.90 x socat, >= 1.25 x websockify', spread(mibs('socat', 16)),
    spread(mibs('websockify', 16)), spread(mibs('deskgate', 16)),
    `${spread(mibRatio('deskgate', 'socat', 16), 2, ' x')} socat, ${spread(mibRatio('deskgate', 'websockify', 16), 2, ' x')} websockify`,
    met(median(mibRatio('deskgate', 'socat', 16)) >= 0.9 && median(mibRatio('deskgate', 'websockify', 16)) >= 1.25)],
  ['proxy CPU s per GiB (mean of 1 and 16 connections)', '<= 1.15 x socat, <= 0.5 x websockify', spread(cpu('socat'), 2),
    spread(cpu('websockify'), 2), `${spread(cpu('deskgate'), 2)}; without JIT and GC threads ${spread(serviceCpu('deskgate'), 2)}`,
    `${spread(cpuRatio('deskgate', 'socat'), 2, ' x')} socat, ${spread(cpuRatio('deskgate', 'websockify'), 2, ' x')} websockify`,
    met(median(cpuRatio('deskgate', 'socat')) <= 1.15 && median(cpuRatio('deskgate', 'websockify')) <= 0.5)],
  ['64-byte round trip p50 / p99 (µs)', '<= socat + 10 / <= socat + 60',
    `${spread(lat('socat', 'p50us'))} / ${spread(lat('socat', 'p99us'))}`,
    `${spread(lat('websockify', 'p50us'))} / ${spread(lat('websockify', 'p99us'))}`,
    `${spread(lat('deskgate', 'p50us'))} / ${spread(lat('deskgate', 'p99us'))}`,
    `socat + ${spread(latDiff('deskgate', 'socat', 'p50us'))} / + ${spread(latDiff('deskgate', 'socat', 'p99us'))}`,
    met(median(latDiff('deskgate', 'socat', 'p50us')) <= 10 && median(latDiff('deskgate', 'socat', 'p99us')) <= 60)],
  [`memory per idle session (${f(idle.held)} held of ${f(idleWanted)})`, '<= 16 KiB, node RSS after <= 300 MiB', '-', '-',
    `${f(idle.kibPerSession, 1)} KiB; RSS ${f(idle.rssBeforeKiB / 1024)} -> ${f(idle.rssAfterKiB / 1024)} MiB`,
    `failures: ${f(idle.failures)}${idle.firstError ? ' (' + idle.firstError + ')' : ''}; RSS growth / sessions held`,
    met(idle.kibPerSession <= 16 && idle.rssAfterKiB / 1024 <= 300)],
  ['session open p50 (ms), opens/s in sequence', '<= 1.5 ms, >= 600/s',
    `${f(one('socat setup').p50ms, 2)}, ${f(one('socat setup').opensPerSec)}`,
    `${f(one('websockify setup').p50ms, 2)}, ${f(one('websockify setup').opensPerSec)}`,
    `${f(setup.p50ms, 2)}, ${f(setup.opensPerSec)}`,
    `wss://: ${f(one('deskgate-wss setup').p50ms, 2)} ms; upgrade + token redeemed + TCP connect + both RFB handshakes + first echo`,
    met(setup.p50ms <= 1.5 && setup.opensPerSec >= 600)],
  ...['H2', 'PostgreSQL'].map((store, i) => [`remote-console calls at 3,000/s offered (${store}): calls/s, p50 / p99`,
    `p99 <= ${i === 0 ? 10 : 20} ms`, '-', '-', `${f(api[i].achievedPerSec)}, ${f(api[i].p50ms, 1)} / ${f(api[i].p99ms, 1)} ms`,
    `errors: ${f(api[i].errors)}; most answered (wrk, 8 connections): ${f(api[i].capacity)}/s`,
    met(api[i].achievedPerSec >= 2950 && api[i].p99ms <= (i === 0 ? 10 : 20) && api[i].errors === 0)]),
  ['wss:// MiB/s, 1 / 16 connections', '>= 0.8 x ws://', '-', '-',
    `${spread(mibs('deskgate-wss', 1))} / ${spread(mibs('deskgate-wss', 16))}`,
    `${spread(wss(1), 2, ' x')} / ${spread(wss(16), 2, ' x')} of ws://`, met(median(wss(1)) >= 0.8 && median(wss(16)) >= 0.8)],
];

// every Deskgate node of the run, and raw TCP for scale
const variants = (process.env.BENCH_VARIANTS || '').split(' ').filter(Boolean);
const nodes = [['raw', 'raw TCP, no proxy'], ['deskgate', 'Deskgate, ws://'], ['deskgate-wss', 'Deskgate, wss://'],
  ['deskgate-scanned', 'Deskgate, scanned console'],
  ...variants.map(v => [v, v === 'before' ? `earlier build (${process.env.DESKGATE_BEFORE_LABEL || 'DESKGATE_BEFORE_JAR'})` : `variant ${v}`])];
const nodeRows = nodes.map(([peer, label]) => `| ${label} | ${spread(mibs(peer, 1))} | ${spread(mibs(peer, 16))} | `
  + `${peer === 'raw' ? '-' : spread(cpu(peer), 2)} | ${peer === 'raw' ? '-' : spread(serviceCpu(peer), 2)} | `
  + `${peer === 'deskgate-scanned' ? '-' : `${spread(lat(peer, 'p50us'))} / ${spread(lat(peer, 'p99us'))}`} |`);

// issue 12: a recording node against the same build with recording off on the same JVM: "recording" is
// measured against "deskgate", "recording-X" against "plain-X"
const recordingRows = variants.filter(v => v.startsWith('recording')).map(v => {
  const base = v === 'recording' ? 'deskgate' : v.replace(/^recording/, 'plain');
  const held = one(`${v} idle`);
  return `| ${v} vs ${base} | ${spread(mibRatio(v, base, 1), 2, ' x')} / ${spread(mibRatio(v, base, 16), 2, ' x')} | `
    + `${spread(cpu(v), 2)} vs ${spread(cpu(base), 2)}: ${spread(cpuRatio(v, base), 2, ' x')} | `
    + `${f(held.held)} of ${f(held.wanted)}, ${f(held.failures)} failures, ${f(held.kibPerSession, 1)} KiB RSS each | `
    + `${met(median(mibRatio(v, base, 1)) >= 0.9 && median(mibRatio(v, base, 16)) >= 0.9 && median(cpuRatio(v, base)) <= 1.2
      && held.held >= 1000 && held.failures === 0)} |`;
});
const recording = recordingRows.length ? ['', 'Recording (issue 12: throughput >= 0.90 x and CPU per GiB <= 1.20 x the same build with recording off; 1,000 recorded idle consoles hold):', '',
  '| recording node vs. the same build without | MiB/s ratio, 1 / 16 connections | CPU s/GiB | idle recorded consoles | |',
  '|---|---|---|---|---|', ...recordingRows] : [];

// the heap while the idle sessions were held: the classes that take the most, per session
let histogram = [];
try {
  const lines = fs.readFileSync(`${dir}/idle-histogram.txt`, 'utf8').split('\n');
  const entries = lines.map(l => l.match(/^\s*\d+:\s+(\d+)\s+(\d+)\s+(\S+)/)).filter(Boolean)
    .map(m => ({ instances: Number(m[1]), bytes: Number(m[2]), name: m[3] }));
  const total = entries.reduce((s, e) => s + e.bytes, 0);
  const held = idle.held || 1;
  histogram = [
    '',
    `The heap with the ${f(idle.held)} idle sessions held (\`jcmd GC.class_histogram\`, live objects after a full GC): `
      + `${f(total / 1048576, 1)} MiB in all, ${f(total / held / 1024, 2)} KiB per session if it were all theirs. The largest classes:`,
    '',
    '| class | instances | per session | KiB per session |',
    '|---|---|---|---|',
    ...entries.sort((a, b) => b.bytes - a.bytes).slice(0, 12).map(e =>
      `| \`${e.name}\` | ${e.instances} | ${f(e.instances / held, 1)} | ${f(e.bytes / held / 1024, 2)} |`),
    '',
  ];
} catch (e) { /* no histogram in a run without the idle row */ }

const cpuModel = (os.cpus()[0] || {}).model || 'unknown cpu';
// the run's start, from its directory's name (bench/results/YYYYMMDDTHHMMSSZ)
const stamp = dir.match(/(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/);
const started = stamp ? `${stamp[1]}-${stamp[2]}-${stamp[3]}T${stamp[4]}:${stamp[5]}:${stamp[6]}Z` : 'n/a';
const reps = Object.keys(repeats('deskgate throughput 1')).length;
const table = [
  `Run ${started}${quick === 'yes' ? ' (--quick: smaller runs)' : ''}: `
    + `\`bench/run.sh${quick === 'yes' ? ' --quick' : ''}\` on ${os.cpus().length} x ${cpuModel}, `
    + `${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}; ${sh('java -version 2>&1 | head -1')}; `
    + `node ${process.version}; websockify ${sh("dpkg-query -W -f='${Version}' websockify")}; `
    + `${sh("socat -V 2>/dev/null | grep -m1 'socat version' | cut -d' ' -f1-3")}; open-file limit ${fdLimit}. `
    + `${reps} interleaved repeats: median (lowest-highest); ratios are taken within each repeat. `
    + 'Client, proxies and target share the machine. Raw JSON (kept on the machine that ran it, not committed): `'
    + dir.replace(/.*\/bench\//, 'bench/') + '/`.',
  '',
  '| measure | issue 10 target | socat | websockify | Deskgate | Deskgate vs. | |',
  '|---|---|---|---|---|---|---|',
  ...rows.map(row => `| ${row.join(' | ')} |`),
  '',
  'Every node of the run:',
  '',
  '| | MiB/s, 1 connection | MiB/s, 16 connections | CPU s/GiB | CPU s/GiB without JIT and GC threads | 64-byte round trip p50 / p99 (µs) |',
  '|---|---|---|---|---|---|',
  ...nodeRows,
  ...recording,
  ...histogram,
].join('\n');

if (readme) {
  const text = fs.readFileSync(readme, 'utf8');
  const start = '<!-- results:start -->';
  const end = '<!-- results:end -->';
  fs.writeFileSync(readme, text.slice(0, text.indexOf(start) + start.length) + '\n' + table + text.slice(text.indexOf(end)));
} else {
  process.stdout.write(table);
}
