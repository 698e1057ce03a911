#!/usr/bin/env node
// Deskgate's benchmark: a TCP target and the client that measures a console proxy against it.
//
//   node bench.mjs target --port 15990
//   node bench.mjs mint --api http://127.0.0.1:16090 --auth-token T --project P --desktop D --count N --out tokens.txt
//   node bench.mjs throughput|latency|setup|idle  (--tcp host:port | --ws URL) [options]   -> one JSON line
//   node bench.mjs api --url URL --header-value TOKEN --rate 3000 --seconds 15            -> one JSON line
//
// A --ws URL may contain {token}: every WebSocket then takes the next line of --tokens FILE (Deskgate's
// console tokens are one-time). The target is an RFB server and every session an RFB client: the
// client's handshake reaches the target directly or through websockify, and Deskgate's own RFB server
// through Deskgate (which runs the target's handshake itself). Then the session sends the target a
// command as a ClientCutText: "STREAM <bytes>" (the target answers one FramebufferUpdate with a raw
// rectangle whose pixels are bytes i % 251, as fast as it can) or "ECHO" (from then on it answers each
// ClientCutText with a ServerCutText of the same text). Every run has a time limit and stops by itself.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { execSync } from 'node:child_process';
import { WebSocket } from 'ws';

const PATTERN = Buffer.alloc(251 * 512, 0).map((_, i) => i % 251);
const args = process.argv.slice(2);
const mode = args[0];
const opt = (name, dflt) => { const i = args.indexOf('--' + name); return i >= 0 ? args[i + 1] : dflt; };
const num = (name, dflt) => Number(opt(name, dflt));
const hardLimit = setTimeout(() => { console.error(`bench ${mode}: time limit reached`); process.exit(3); },
  num('max-seconds', 900) * 1000);
hardLimit.unref();

// ---------------------------------------------------------------- RFB framing
const VERSION = Buffer.from('RFB 003.008\n', 'latin1');
/** 32 bits per pixel, depth 24, true colour: as Xvnc announces it. */
const PIXEL_FORMAT = Buffer.from([32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0]);
const UPDATE_HEADER = 16;

function cutText(type, text) {
  const body = Buffer.isBuffer(text) ? text : Buffer.from(text, 'latin1');
  const b = Buffer.alloc(8 + body.length);
  b[0] = type;
  b.writeInt32BE(body.length, 4);
  body.copy(b, 8);
  return b;
}

/** A FramebufferUpdate header with one raw rectangle of at least {@code bytes} bytes (4096 pixels wide). */
function updateHeader(bytes) {
  const b = Buffer.alloc(UPDATE_HEADER);
  b.writeUInt16BE(1, 2);
  b.writeUInt16BE(4096, 8);
  b.writeUInt16BE(Math.min(65535, Math.ceil(bytes / (4096 * 4))), 10);
  return b;
}

/** Reads a byte stream in steps of known length: need(n, fn) calls fn with the next n bytes. */
function stepper(onRest) {
  let buf = Buffer.alloc(0);
  const steps = [];
  const pump = () => {
    while (steps.length && buf.length >= steps[0].n) {
      const { n, fn } = steps.shift();
      const chunk = buf.subarray(0, n);
      buf = buf.subarray(n);
      fn(chunk);
    }
    if (!steps.length && buf.length && onRest) { const rest = buf; buf = Buffer.alloc(0); onRest(rest); }
  };
  return {
    feed(d) { buf = buf.length ? Buffer.concat([buf, d]) : d; pump(); },
    need(n, fn) { steps.push({ n, fn }); pump(); },
    idle() { return steps.length === 0; },
  };
}

// ---------------------------------------------------------------- target
function target(port) {
  const server = net.createServer(sock => {
    sock.setNoDelay(true);
    sock.on('error', () => {});
    let echo = false;
    const r = stepper(null);
    sock.on('data', d => r.feed(d));
    const message = () => r.need(8, head => {
      if (head[0] !== 6) { sock.destroy(); return; }
      const length = Math.abs(head.readInt32BE(4));
      if (length > 1 << 20) { sock.destroy(); return; }
      r.need(length, text => {
        if (echo) {
          sock.write(cutText(3, text));
        } else {
          const [verb, arg] = text.toString('latin1').trim().split(/\s+/);
          if (verb === 'ECHO') echo = true;
          else if (verb === 'STREAM') stream(sock, Number(arg));
          else { sock.destroy(); return; }
        }
        message();
      });
    });
    sock.write(VERSION);
    r.need(12, () => {
      sock.write(Buffer.from([1, 1]));
      r.need(1, () => {
        sock.write(Buffer.alloc(4));
        r.need(1, () => {
          const name = Buffer.from('bench', 'latin1');
          const init = Buffer.alloc(24 + name.length);
          init.writeUInt16BE(1024, 0);
          init.writeUInt16BE(768, 2);
          PIXEL_FORMAT.copy(init, 4);
          init.writeUInt32BE(name.length, 20);
          name.copy(init, 24);
          sock.write(init);
          message();
        });
      });
    });
  });
  server.maxConnections = 200000;
  server.listen(port, '127.0.0.1', () => console.log(JSON.stringify({ target: port })));
  process.on('SIGTERM', () => process.exit(0));
}

function stream(sock, total) {
  let sent = 0;
  sock.write(updateHeader(total));
  const pump = () => {
    while (sent < total) {
      const off = sent % 251;
      const n = Math.min(total - sent, PATTERN.length - off);
      const more = sock.write(PATTERN.subarray(off, off + n));
      sent += n;
      if (!more) { sock.once('drain', pump); return; }
    }
  };
  pump();
}

// ---------------------------------------------------------------- sessions
let tokens = null;
let tokenIndex = 0;
function nextUrl() {
  const url = opt('ws');
  if (!url.includes('{token}')) return url;
  if (tokens === null) tokens = fs.readFileSync(opt('tokens'), 'utf8').split('\n').filter(Boolean);
  if (tokenIndex >= tokens.length) throw new Error('out of console tokens');
  return url.replace('{token}', tokens[tokenIndex++]);
}

/**
 * An RFB session with the target, over raw TCP or through the proxy's WebSocket, once the client's
 * handshake (version, security None, ClientInit, ServerInit) is done: what follows goes to s.onData.
 */
function open() {
  return new Promise((resolve, reject) => {
    const s = { received: 0, onData: null, closed: false };
    const r = stepper(d => s.onData && s.onData(d));
    const limit = setTimeout(() => { reject(new Error('no RFB handshake within 15 s')); s.close && s.close(); }, 15000);
    const ready = () => { clearTimeout(limit); resolve(s); };
    const handshake = () => r.need(12, () => {
      s.send(VERSION);
      r.need(1, count => r.need(count[0], () => {
        s.send(Buffer.from([1]));
        r.need(4, () => {
          s.send(Buffer.from([1]));
          r.need(24, init => r.need(init.readUInt32BE(20), ready));
        });
      }));
    });
    if (opt('tcp')) {
      const [host, port] = opt('tcp').split(':');
      const sock = net.connect({ host, port: Number(port) }, handshake);
      sock.setNoDelay(true);
      s.send = b => sock.write(b);
      s.close = () => sock.destroy();
      s.pause = () => sock.pause();
      sock.on('data', d => r.feed(d));
      sock.on('error', e => { clearTimeout(limit); reject(e); });
      sock.on('close', () => { s.closed = true; });
    } else {
      // wss:// to a node with a self-signed certificate: the bench measures TLS, not its trust
      const ws = new WebSocket(nextUrl(), opt('subprotocol', 'binary') === 'none' ? [] : ['binary'],
        { perMessageDeflate: false, maxPayload: 64 << 20, handshakeTimeout: 15000, rejectUnauthorized: false });
      ws.binaryType = 'nodebuffer';
      ws.on('open', handshake);
      s.send = b => ws.send(b, { binary: true });
      s.close = () => ws.terminate();
      s.pause = () => ws.pause();
      ws.on('message', d => r.feed(d));
      ws.on('error', e => { clearTimeout(limit); reject(e); });
      ws.on('close', code => {
        s.closed = true;
        clearTimeout(limit);
        reject(new Error('closed ' + code));   // no effect once the handshake has resolved
      });
    }
  });
}

/** Switches the target to echoing: each ClientCutText comes back as a ServerCutText. */
function startEcho(s) {
  s.send(cutText(6, 'ECHO'));
}

function once(s, bytes) {
  return new Promise((resolve, reject) => {
    let got = 0;
    const timer = setTimeout(() => reject(new Error('no echo')), 15000);
    s.onData = d => { got += d.length; if (got >= bytes) { clearTimeout(timer); s.onData = null; resolve(); } };
  });
}

/** The processes a proxy forked that are still alive (websockify and socat fork one per session). */
function children(pid) {
  const found = [];
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(') ') + 2).split(' ')[1]) === pid) found.push(p);
    } catch (e) { /* ended meanwhile */ }
  }
  return found;
}

/** Waits (3 s at most) until the sessions' forked processes have ended, so that their CPU is counted. */
async function reaped(pid) {
  const until = Date.now() + 3000;
  while (pid && children(pid).length && Date.now() < until) await new Promise(r => setTimeout(r, 20));
}

/** CPU seconds of a process and of its children that ended (websockify forks one per session). */
function cpuSeconds(pid) {
  if (!pid) return null;
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100;
}

/**
 * CPU seconds of a JVM's JIT compiler and GC threads (by thread name), to tell the relaying apart from
 * the JVM's own upkeep; null for a process that has none (websockify, socat).
 */
function jvmUpkeepSeconds(pid) {
  if (!pid) return null;
  let total = 0;
  let jvm = false;
  for (const task of fs.readdirSync(`/proc/${pid}/task`)) {
    let stat;
    try { stat = fs.readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8'); } catch (e) { continue; }   // ended
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    if (!/^(C[12] CompilerThre|GC Thread|G1 |VM Thread)/.test(name)) continue;
    jvm = true;
    const f = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
    total += (Number(f[11]) + Number(f[12])) / 100;
  }
  return jvm ? total : null;
}

function rssKiB(pid) {
  const m = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
  return Number(m[1]);
}

const median = a => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

// ---------------------------------------------------------------- throughput
async function throughputOnce(conns, totalBytes) {
  const per = Math.floor(totalBytes / conns);
  const sessions = await Promise.all(Array.from({ length: conns }, open));
  const t0 = process.hrtime.bigint();
  await Promise.all(sessions.map(s => new Promise((resolve, reject) => {
    let header = UPDATE_HEADER;
    let off = 0;
    s.onData = d => {
      if (header > 0) {
        const skip = Math.min(header, d.length);
        header -= skip;
        d = d.subarray(skip);
      }
      if (!intact(d, off)) reject(new Error('corrupted stream at byte ' + off));
      off += d.length;
      if (off >= per) resolve();
    };
    s.send(cutText(6, `STREAM ${per}`));
  })));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  sessions.forEach(s => s.close());
  return { mib: (per * conns) / 1048576, seconds };
}

/** Whether every byte of {@code d}, which starts at stream offset {@code off}, is the pattern's. */
function intact(d, off) {
  for (let i = 0; i < d.length;) {
    const start = (off + i) % 251;
    const n = Math.min(d.length - i, PATTERN.length - start);
    if (PATTERN.compare(d, i, i + n, start, start + n) !== 0) return false;
    i += n;
  }
  return true;
}

async function throughput() {
  const conns = num('conns', 1);
  const total = num('total-mib', 512) * 1048576;
  const runs = num('runs', 3);
  const pid = opt('pid') ? Number(opt('pid')) : null;
  const warm = num('warm-mib', 0) * 1048576;
  if (warm > 0) await throughputOnce(conns, warm);
  const rates = [];
  let cpu = 0;
  let upkeep = 0;
  let mib = 0;
  for (let r = 0; r < runs; r++) {
    await reaped(pid);   // processes of earlier sessions end before the window opens: their CPU is not this run's
    const c0 = cpuSeconds(pid);
    const u0 = jvmUpkeepSeconds(pid);
    const one = await throughputOnce(conns, total);
    await reaped(pid);
    if (pid) cpu += cpuSeconds(pid) - c0;
    if (u0 !== null) upkeep += jvmUpkeepSeconds(pid) - u0;
    mib += one.mib;
    rates.push(one.mib / one.seconds);
  }
  const perGiB = x => (pid ? x / (mib / 1024) : null);
  return { mode: 'throughput', conns, totalMiB: total / 1048576, runs, mibPerSec: median(rates), all: rates.map(Math.round),
           cpuSecondsPerGiB: perGiB(cpu), jvmUpkeepSecondsPerGiB: jvmUpkeepSeconds(pid) === null ? null : perGiB(upkeep) };
}

// ---------------------------------------------------------------- latency
async function latency() {
  const count = num('count', 10000);
  const size = num('size', 64);
  const runs = num('runs', 3);
  const results = [];
  for (let r = 0; r < runs; r++) {
    const s = await open();
    startEcho(s);
    // a ClientCutText of `size` bytes in all, answered by a ServerCutText of as many
    const payload = cutText(6, Buffer.alloc(size - 8, 0x61));
    const times = [];
    for (let i = 0; i < count + 500; i++) {
      const t0 = process.hrtime.bigint();
      const got = once(s, size);
      s.send(payload);
      await got;
      if (i >= 500) times.push(Number(process.hrtime.bigint() - t0) / 1000);
    }
    s.close();
    times.sort((a, b) => a - b);
    results.push({ p50: pct(times, 0.5), p99: pct(times, 0.99) });
  }
  return { mode: 'latency', count, size, runs, p50us: median(results.map(r => r.p50)), p99us: median(results.map(r => r.p99)),
           all: results.map(r => [Math.round(r.p50), Math.round(r.p99)]) };
}

// ---------------------------------------------------------------- session setup
async function setup() {
  const count = num('count', 300);
  const times = [];
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const a = process.hrtime.bigint();
    const s = await open();
    const got = once(s, 9);
    startEcho(s);
    s.send(cutText(6, 'x'));
    await got;
    times.push(Number(process.hrtime.bigint() - a) / 1e6);
    s.close();
  }
  const total = Number(process.hrtime.bigint() - t0) / 1e9;
  times.sort((a, b) => a - b);
  return { mode: 'setup', count, p50ms: pct(times, 0.5), p99ms: pct(times, 0.99), opensPerSec: count / total };
}

// ---------------------------------------------------------------- idle sessions
async function idle() {
  const want = num('sessions', 10000);
  const pid = opt('pid') ? Number(opt('pid')) : null;
  const inFlight = num('in-flight', 200);
  const rssBefore = pid ? rssKiB(pid) : null;
  const held = [];
  let failures = 0;
  let next = 0;
  let firstError = null;
  async function worker() {
    while (next < want) {
      next++;
      try {
        const s = await open();
        const got = once(s, 9);
        startEcho(s);
        s.send(cutText(6, 'x'));
        await got;
        held.push(s);
      } catch (e) {
        failures++;
        firstError = firstError || e.message;
      }
    }
  }
  const t0 = Date.now();
  await Promise.all(Array.from({ length: inFlight }, worker));
  const openSeconds = (Date.now() - t0) / 1000;
  await new Promise(r => setTimeout(r, num('hold-seconds', 5) * 1000));
  const rssAfter = pid ? rssKiB(pid) : null;
  // --while-held CMD: a shell command run with every session held (the bench takes a heap histogram)
  if (opt('while-held')) execSync(opt('while-held'), { stdio: 'ignore', timeout: 120000 });
  let alive = 0;
  await Promise.all(held.map(async s => {
    try {
      const got = once(s, 9);
      s.send(cutText(6, 'y'));
      await got;
      alive++;
    } catch (e) { /* counted as not alive */ }
  }));
  held.forEach(s => s.close());
  return { mode: 'idle', wanted: want, held: held.length, aliveAfterHold: alive, failures, firstError, openSeconds,
           rssBeforeKiB: rssBefore, rssAfterKiB: rssAfter,
           kibPerSession: pid && held.length ? (rssAfter - rssBefore) / held.length : null };
}

// ---------------------------------------------------------------- API calls at a fixed rate
// Open loop: requests leave on schedule (rate per second) whether or not earlier ones have answered, and
// each latency counts from its scheduled time, so a stall is not hidden by the client waiting it out.
async function api() {
  const rate = num('rate', 3000);
  const seconds = num('seconds', 15);
  const url = new URL(opt('url'));
  const headers = { [opt('header-name', 'X-Auth-Token')]: opt('header-value', '') };
  const agent = new http.Agent({ keepAlive: true, maxSockets: num('connections', 64) });
  const latencies = [];
  let errors = 0;
  let sent = 0;
  const total = rate * seconds;
  const t0 = process.hrtime.bigint();
  await new Promise(done => {
    let finished = 0;
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor(Number(process.hrtime.bigint() - t0) / 1e9 * rate));
      for (; sent < due; sent++) {
        const scheduled = t0 + BigInt(Math.round(sent * 1e9 / rate));
        const req = http.get(url, { agent, headers }, res => {
          res.resume();
          res.on('end', () => {
            latencies.push(Number(process.hrtime.bigint() - scheduled) / 1e6);
            if (res.statusCode !== 200) errors++;
            if (++finished === total) done();
          });
        });
        req.on('error', () => { errors++; if (++finished === total) done(); });
      }
      if (sent >= total) clearInterval(tick);
    }, 1);
  });
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { mode: 'api', rate, seconds, achievedPerSec: latencies.length / elapsed, errors,
           p50ms: pct(latencies, 0.5), p99ms: pct(latencies, 0.99), maxms: latencies[latencies.length - 1] };
}

// ---------------------------------------------------------------- console tokens from the API
async function mint() {
  const count = num('count', 100);
  const url = new URL(`${opt('api')}/v2/${opt('project')}/desktops/${opt('desktop')}/remote-consoles`);
  const client = url.protocol === 'https:' ? https : http;
  const agent = new client.Agent({ keepAlive: true, maxSockets: 16, rejectUnauthorized: false });
  const out = [];
  let next = 0;
  async function worker() {
    while (next < count) {
      next++;
      const body = await new Promise((resolve, reject) => {
        client.get(url, { agent, headers: { 'X-Auth-Token': opt('auth-token') } }, res => {
          let data = '';
          res.on('data', d => { data += d; });
          res.on('end', () => (res.statusCode === 200 ? resolve(data) : reject(new Error(res.statusCode + ' ' + data))));
        }).on('error', reject);
      });
      out.push(new URL(JSON.parse(body).url).searchParams.get('token'));
    }
  }
  await Promise.all(Array.from({ length: 16 }, worker));
  fs.writeFileSync(opt('out'), out.join('\n') + '\n');
  agent.destroy();
  return { mode: 'mint', count: out.length };
}

const modes = { throughput, latency, setup, idle, mint, api };
if (mode === 'target') {
  target(num('port', 15990));
} else if (modes[mode]) {
  modes[mode]().then(r => { console.log(JSON.stringify(r)); process.exit(0); })
    .catch(e => { console.log(JSON.stringify({ mode, error: e.message })); process.exit(1); });
} else {
  console.error('usage: node bench.mjs target|mint|throughput|latency|setup|idle [options]');
  process.exit(2);
}
