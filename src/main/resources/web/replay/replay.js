// Deskgate's replay page: plays a console recording (docs/recording.md) in the same noVNC that shows live
// consoles. The recording's desktop stream is fed to noVNC through a channel of our own, as if a VNC server
// sent it; the browser's input recorded with it is drawn over the screen.
import RFB from '../console/novnc/core/rfb.js';
import { logIn } from '../../common/iam-login.js';

const STRINGS = {
  EN: {
    loading: 'Loading the recording…', playing: 'Playing', paused: 'Paused', ended: 'End of the recording.',
    play: 'Play', pause: 'Pause', linkRefused: 'This replay link has expired or has already been used. Ask for a new one.',
    throttled: 'Too many attempts from this address. Wait a moment and try again.',
    unavailable: 'The recording cannot be opened: {why}', broken: 'The recording is damaged and cannot be played.',
    tooLarge: 'The recording is too large to replay in a browser; download it instead.',
    logInFor: 'Log in to replay recording {id}.', loginFailed: 'The login failed: check the user, password, domain and project.',
    domain: 'Domain', user: 'User', password: 'Password', project: 'Project ID', logIn: 'Log in',
    desktop: 'Desktop', computer: 'Computer name', client: 'Client address', agent: 'Browser', node: 'Node',
    mode: 'Mode', opened: 'Opened', duration: 'Duration', ended_: 'Ended', cutShort: 'cut short (no end recorded)',
    key: 'key', session: 'Session',
  },
  'ZH-CN': {
    loading: '正在加载录像…', playing: '播放中', paused: '已暂停', ended: '录像已结束。',
    play: '播放', pause: '暂停', linkRefused: '此回放链接已过期或已被使用，请重新获取。',
    throttled: '此地址尝试次数过多，请稍后再试。',
    unavailable: '无法打开录像：{why}', broken: '录像已损坏，无法播放。',
    tooLarge: '录像太大，无法在浏览器中回放，请下载。',
    logInFor: '登录以回放录像 {id}。', loginFailed: '登录失败：请检查用户、密码、域和项目。',
    domain: '域', user: '用户', password: '密码', project: '项目 ID', logIn: '登录',
    desktop: '桌面', computer: '计算机名', client: '客户端地址', agent: '浏览器', node: '节点',
    mode: '模式', opened: '开始', duration: '时长', ended_: '结束', cutShort: '被截断（无结束记录）',
    key: '按键', session: '会话',
  },
};
// A replay holds the whole recording in memory: beyond this it is a download, not a page.
const MAX_BYTES = 512 * 1024 * 1024;
const MAX_RECORD = 4 * 1024 * 1024;
const TYPES = { METADATA: 0, DESKTOP: 1, POINTER: 2, KEY: 3, MARK: 4 };
const TRAIL_MS = 1500;
const KEY_MARK_MS = 1000;

const params = new URLSearchParams(location.search);
const lang = STRINGS[(params.get('lang') || 'EN').toUpperCase()] ? (params.get('lang') || 'EN').toUpperCase() : 'EN';
const t = STRINGS[lang];
document.documentElement.lang = lang === 'ZH-CN' ? 'zh-CN' : 'en';
for (const el of document.querySelectorAll('[data-t]')) el.textContent = t[el.dataset.t];
const token = params.get('token');
const recordingId = params.get('recording');
// The link is one-time and secret: take it off the address bar (and out of history) at once.
history.replaceState(null, '', location.pathname + '?' + new URLSearchParams(
  recordingId ? { recording: recordingId, lang } : { lang }));

const html = document.documentElement;
const statusEl = document.getElementById('status');
const playButton = document.getElementById('play');
const speedSelect = document.getElementById('speed');
const seekBar = document.getElementById('seek');
const clock = document.getElementById('clock');
const overlay = document.getElementById('overlay');

function show(state, key, vars) {
  let text = t[key];
  for (const [k, v] of Object.entries(vars || {})) text = text.replace('{' + k + '}', v);
  statusEl.textContent = text;
  html.dataset.replayState = state;
  html.dataset.message = key;
}

function minutes(ms) {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

// ---- the recording: records parsed from the stream as it arrives (type u8 | time u32 | length u32 | payload)
const rec = { metadata: null, desktop: [], pointer: [], key: [], ended: null, duration: 0 };

function addRecord(type, time, payload) {
  rec.duration = Math.max(rec.duration, time);
  if (type === TYPES.METADATA) rec.metadata = JSON.parse(new TextDecoder().decode(payload));
  else if (type === TYPES.DESKTOP) rec.desktop.push({ t: time, data: payload.slice().buffer });
  else if (type === TYPES.POINTER) {
    const v = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
    rec.pointer.push({ t: time, x: v.getUint16(0), y: v.getUint16(2), mask: v.getUint8(4) });
  } else if (type === TYPES.KEY) {
    const v = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
    if (v.getUint8(0) === 1) rec.key.push({ t: time, keysym: v.getUint32(1) });
  } else if (type === TYPES.MARK) {
    const mark = JSON.parse(new TextDecoder().decode(payload));
    if (mark.ended) rec.ended = mark.ended;
  } else throw new Error('unknown record type ' + type);
}

async function download(resp) {
  const reader = resp.body.getReader();
  let pending = new Uint8Array(0);
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > MAX_BYTES) { reader.cancel(); throw Object.assign(new Error('too large'), { key: 'tooLarge' }); }
    const joined = new Uint8Array(pending.length + value.length);
    joined.set(pending);
    joined.set(value, pending.length);
    let at = 0;
    while (joined.length - at >= 9) {
      const v = new DataView(joined.buffer, at, 9);
      const length = v.getUint32(5);
      if (length > MAX_RECORD) throw Object.assign(new Error('record too long'), { key: 'broken' });
      if (joined.length - at - 9 < length) break;
      addRecord(v.getUint8(0), v.getUint32(1), joined.subarray(at + 9, at + 9 + length));
      at += 9 + length;
    }
    pending = joined.slice(at);
  }
  if (pending.length) throw Object.assign(new Error('cut inside a record'), { key: 'broken' });
  if (!rec.metadata) throw Object.assign(new Error('no metadata'), { key: 'broken' });
}

// ---- noVNC fed from the recording, through a channel that looks like an open WebSocket
class ReplayChannel {
  constructor() {
    this.binaryType = 'arraybuffer';
    this.protocol = '';
    this.readyState = 'open';
    this.onopen = null;
    this.onmessage = null;
    this.onclose = null;
    this.onerror = null;
  }

  send() { /* what noVNC says to the "server" goes nowhere: the recording already holds its answers */ }

  close() { this.readyState = 'closed'; }

  push(data) { if (this.onmessage) this.onmessage({ data }); }
}

let rfb = null;
let channel = null;
let next = 0; // index of the next desktop chunk to feed

function bytes(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out.buffer;
}

function startScreen() {
  if (rfb) {
    rfb.disconnect();
    document.getElementById('screen').replaceChildren();
  }
  channel = new ReplayChannel();
  rfb = new RFB(document.getElementById('screen'), channel, { shared: true });
  rfb.viewOnly = true;
  rfb.scaleViewport = true;
  rfb.focusOnClick = false;
  next = 0;
  // The handshake Deskgate gave the live browser, then its ServerInit as recorded: RFB 3.8, security None.
  channel.push(bytes(new TextEncoder().encode('RFB 003.008\n')));
  channel.push(bytes(new Uint8Array([1, 1])));
  channel.push(bytes(new Uint8Array([0, 0, 0, 0])));
  channel.push(bytes(Uint8Array.from(atob(rec.metadata.server_init), c => c.charCodeAt(0))));
}

// What noVNC has received but not yet drawn (it pauses while images decode): fed only as it keeps up.
function backlog() {
  const sock = rfb && rfb._sock;
  return (sock && typeof sock.rQlen === 'function' ? sock.rQlen() : 0) + (rfb && rfb._flushing ? 1 : 0);
}

const tick = () => new Promise(r => setTimeout(r, 0));

async function feedUntil(time) {
  let fed = 0;
  while (next < rec.desktop.length && rec.desktop[next].t <= time) {
    if (backlog() > (1 << 20) || fed > (4 << 20)) { await tick(); fed = 0; continue; }
    const chunk = rec.desktop[next++];
    channel.push(chunk.data);
    fed += chunk.data.byteLength;
  }
}

// ---- the player: position in recording time, advanced by the wall clock times the speed while playing
let playing = false;
let speed = 1;
let position = 0;
let wallBase = 0;
let positionBase = 0;
let seekTo = null;
let busy = false;

function setPlaying(on) {
  playing = on;
  wallBase = performance.now();
  positionBase = position;
  playButton.textContent = on ? t.pause : t.play;
}

function drawOverlay() {
  const canvas = document.querySelector('#screen canvas');
  const ctx = overlay.getContext('2d');
  if (!canvas || !canvas.width) { ctx.clearRect(0, 0, overlay.width, overlay.height); return; }
  const box = canvas.getBoundingClientRect();
  const stage = overlay.parentElement.getBoundingClientRect();
  if (overlay.width !== Math.round(box.width) || overlay.height !== Math.round(box.height)) {
    overlay.width = Math.round(box.width);
    overlay.height = Math.round(box.height);
  }
  overlay.style.left = `${box.left - stage.left}px`;
  overlay.style.top = `${box.top - stage.top}px`;
  const sx = box.width / canvas.width;
  const sy = box.height / canvas.height;
  ctx.clearRect(0, 0, overlay.width, overlay.height);
  const trail = rec.pointer.filter(p => p.t <= position && p.t > position - TRAIL_MS);
  if (trail.length) {
    ctx.strokeStyle = 'rgba(255, 200, 0, 0.8)';
    ctx.lineWidth = 2;
    ctx.beginPath();
    trail.forEach((p, i) => (i ? ctx.lineTo(p.x * sx, p.y * sy) : ctx.moveTo(p.x * sx, p.y * sy)));
    ctx.stroke();
    const last = trail[trail.length - 1];
    ctx.fillStyle = last.mask ? 'rgba(230, 60, 60, 0.9)' : 'rgba(255, 200, 0, 0.9)';
    ctx.beginPath();
    ctx.arc(last.x * sx, last.y * sy, last.mask ? 8 : 5, 0, 2 * Math.PI);
    ctx.fill();
  }
  const keys = rec.key.filter(k => k.t <= position && k.t > position - KEY_MARK_MS);
  keys.slice(-12).forEach((k, i) => {
    const label = k.keysym ? keyName(k.keysym) : t.key;
    ctx.font = '14px sans-serif';
    const w = ctx.measureText(label).width + 12;
    ctx.fillStyle = `rgba(40, 120, 220, ${1 - (position - k.t) / KEY_MARK_MS})`;
    ctx.fillRect(8 + i * (w + 4), overlay.height - 30, w, 22);
    ctx.fillStyle = '#fff';
    ctx.fillText(label, 14 + i * (w + 4), overlay.height - 14);
  });
  html.dataset.keyMarks = String(keys.length);
  html.dataset.trailPoints = String(trail.length);
}

function keyName(keysym) {
  if (keysym >= 0x20 && keysym <= 0x7e) return String.fromCharCode(keysym);
  if (keysym >= 0x1000100 && keysym <= 0x110ffff) return String.fromCodePoint(keysym - 0x1000000);
  return '0x' + keysym.toString(16);
}

function showPosition() {
  clock.textContent = `${minutes(position)} / ${minutes(rec.duration)}`;
  if (document.activeElement !== seekBar) seekBar.value = String(position);
  html.dataset.position = String(Math.round(position));
}

async function step() {
  if (seekTo !== null) {
    const target = seekTo;
    seekTo = null;
    if (next > 0 && rec.desktop[next - 1].t > target) startScreen();
    position = target;
    setPlaying(playing);
  } else if (playing) {
    position = Math.min(rec.duration, positionBase + (performance.now() - wallBase) * speed);
  }
  await feedUntil(position);
  const drawn = next >= rec.desktop.length && backlog() === 0;
  if (playing && position >= rec.duration && drawn) {
    setPlaying(false);
  }
  if (position >= rec.duration && drawn) show('ended', 'ended');
  else show(playing ? 'playing' : 'paused', playing ? 'playing' : 'paused');
  html.dataset.settled = String(seekTo === null && backlog() === 0);
  showPosition();
  drawOverlay();
}

function describe() {
  const m = rec.metadata;
  const rows = [[t.desktop, m.desktop_id], [t.computer, m.computer_name], [t.user, m.user_id], [t.session, m.session_id],
    [t.client, m.client_address], [t.agent, m.user_agent], [t.node, m.node], [t.mode, m.mode],
    [t.opened, new Date(m.opened_at).toLocaleString()], [t.duration, minutes(rec.duration)],
    [t.ended_, rec.ended || t.cutShort]];
  const list = document.querySelector('#meta dl');
  for (const [name, value] of rows) {
    const dt = document.createElement('dt');
    dt.textContent = name;
    const dd = document.createElement('dd');
    dd.textContent = value == null ? '' : String(value);
    list.append(dt, dd);
  }
}

async function play(replayToken) {
  show('loading', 'loading');
  let resp;
  try {
    resp = await fetch('replay/stream', { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token: replayToken }), cache: 'no-store', credentials: 'omit' });
  } catch (e) {
    show('failed', 'unavailable', { why: e.message });
    return;
  }
  if (resp.status === 410 || resp.status === 400) { show('failed', 'linkRefused'); return; }
  if (resp.status === 429) { show('failed', 'throttled'); return; }
  if (!resp.ok) {
    const body = await resp.json().catch(() => ({}));
    show('failed', 'unavailable', { why: body.error_msg || resp.status });
    return;
  }
  try {
    await download(resp);
  } catch (e) {
    show('failed', e.key || 'broken');
    return;
  }
  describe();
  html.dataset.duration = String(rec.duration);
  html.dataset.pointerEvents = String(rec.pointer.length);
  html.dataset.keyEvents = String(rec.key.length);
  seekBar.max = String(rec.duration);
  for (const control of [playButton, speedSelect, seekBar]) control.disabled = false;
  playButton.addEventListener('click', () => {
    if (!playing && position >= rec.duration) seekTo = 0;
    setPlaying(!playing);
  });
  speedSelect.addEventListener('change', () => {
    position = Math.min(rec.duration, positionBase + (playing ? (performance.now() - wallBase) * speed : 0));
    speed = Number(speedSelect.value);
    setPlaying(playing);
  });
  seekBar.addEventListener('change', () => { seekTo = Number(seekBar.value); });
  startScreen();
  setPlaying(true);
  setInterval(async () => {
    if (busy) return;
    busy = true;
    try { await step(); } finally { busy = false; }
  }, 40);
}

async function logInAndPlay(form) {
  const iamToken = await logIn(form);
  if (!iamToken) { show('failed', 'loginFailed'); return; }
  const link = await fetch(`/v2/${encodeURIComponent(form.get('project'))}/console-recordings/${encodeURIComponent(recordingId)}/replay-links`,
    { method: 'POST', headers: { 'X-Auth-Token': iamToken, 'X-Language': lang }, cache: 'no-store' });
  if (!link.ok) {
    const answer = await link.json().catch(() => ({}));
    show('failed', 'unavailable', { why: answer.error_msg || link.status });
    return;
  }
  document.getElementById('login').hidden = true;
  play(new URL((await link.json()).url).searchParams.get('token'));
}

if (token) {
  play(token);
} else if (recordingId) {
  const form = document.getElementById('login');
  document.getElementById('loginTitle').textContent = t.logInFor.replace('{id}', recordingId);
  form.hidden = false;
  show('login', 'logInFor', { id: recordingId });
  form.addEventListener('submit', event => {
    event.preventDefault();
    const data = new FormData(form);
    form.reset();
    logInAndPlay(data);
  });
} else {
  show('failed', 'linkRefused');
}
