// Deskgate's operator page: live consoles of the region (with End), their history, recordings and
// nodes, through Deskgate's own API. The IAM token lives in this page's memory only: a reload logs out.
import { logIn } from '../common/iam-login.js';

const STRINGS = {
  EN: {
    domain: 'Domain', user: 'User', password: 'Password', project: 'Project ID', logIn: 'Log in',
    live: 'Live consoles', history: 'History', recordings: 'Recordings', nodes: 'Nodes',
    desktop: 'Desktop', node: 'Node', client: 'Client', duration: 'Duration', mode: 'Mode', end: 'End',
    filter: 'Filter', older: 'Older', newer: 'Newer', opened: 'Opened', bytes: 'Bytes to browser / desktop',
    reason: 'Ended', started: 'Started', status: 'Status', size: 'Size', address: 'Address', version: 'Version',
    sessions: 'Live consoles', heartbeat: 'Heartbeat', loginFailed: 'The login failed: check the user, password, domain and project.',
    forbidden: 'This account may not do that (an administrator of the project is needed).',
    failed: 'The call failed: {status}.', endConfirm: 'End this console?', none: 'None.',
    play: 'Play', download: 'Download',
  },
  'ZH-CN': {
    domain: '域', user: '用户', password: '密码', project: '项目 ID', logIn: '登录',
    live: '在线远程登录', history: '历史', recordings: '录像', nodes: '节点',
    desktop: '桌面', node: '节点', client: '客户端', duration: '时长', mode: '模式', end: '结束',
    filter: '筛选', older: '更早', newer: '更新', opened: '开始', bytes: '发往浏览器 / 桌面的字节',
    reason: '结束原因', started: '开始', status: '状态', size: '大小', address: '地址', version: '版本',
    sessions: '在线远程登录', heartbeat: '心跳', loginFailed: '登录失败：请检查用户、密码、域和项目。',
    forbidden: '此账号无权执行该操作（需要项目管理员）。',
    failed: '调用失败：{status}。', endConfirm: '结束此远程登录？', none: '无。',
    play: '播放', download: '下载',
  },
};
const params = new URLSearchParams(location.search);
const lang = STRINGS[(params.get('lang') || 'EN').toUpperCase()] ? (params.get('lang') || 'EN').toUpperCase() : 'EN';
const t = STRINGS[lang];
document.documentElement.lang = lang === 'ZH-CN' ? 'zh-CN' : 'en';
for (const el of document.querySelectorAll('[data-t]')) el.textContent = t[el.dataset.t];

let token = null;
let project = null;
let historyOffset = 0;
const PAGE = 50;

async function call(method, path) {
  const resp = await fetch(`/v2/${project}${path}`, { method, headers: { 'X-Auth-Token': token, 'X-Language': lang },
    cache: 'no-store' });
  if (resp.status === 403) throw new Error(t.forbidden);
  if (!resp.ok) throw new Error(t.failed.replace('{status}', resp.status));
  return resp;
}

async function api(method, path) {
  const resp = await call(method, path);
  return resp.status === 204 ? null : resp.json();
}

function button(label, className, action) {
  const b = document.createElement('button');
  b.textContent = label;
  b.className = className;
  b.addEventListener('click', async () => {
    try { await action(); } catch (e) { showError(e); }
  });
  return b;
}

function showError(e) {
  document.getElementById('error').textContent = e ? e.message : '';
}

function cell(row, text) {
  const td = document.createElement('td');
  td.textContent = text == null ? '' : String(text);
  row.appendChild(td);
  return td;
}

function fill(panel, items, columns) {
  const body = document.querySelector(`#${panel} tbody`);
  body.replaceChildren();
  if (!items.length) {
    cell(body.insertRow(), t.none).colSpan = 8;
    return;
  }
  for (const item of items) {
    const row = body.insertRow();
    columns(row, item);
  }
}

function since(iso) {
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  return `${Math.floor(s / 3600)}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

async function loadLive() {
  const list = await api('GET', '/console-sessions');
  fill('live', list.sessions, (row, s) => {
    row.dataset.sessionId = s.session_id;
    cell(row, s.user_id); cell(row, s.desktop_id); cell(row, s.node_id); cell(row, s.client_address);
    cell(row, since(s.opened_at)); cell(row, s.mode);
    cell(row, '').appendChild(button(t.end, 'end', async () => {
      if (!confirm(t.endConfirm)) return;
      await api('DELETE', `/console-sessions/${encodeURIComponent(s.session_id)}`);
      row.remove();
    }));
  });
}

async function loadHistory() {
  const form = new FormData(document.getElementById('historyFilter'));
  const q = new URLSearchParams({ limit: PAGE, offset: historyOffset });
  for (const key of ['desktop_id', 'user_id']) if (form.get(key)) q.set(key, form.get(key));
  const page = await api('GET', `/console-history?${q}`);
  fill('history', page.sessions, (row, s) => {
    row.dataset.sessionId = s.session_id;
    cell(row, s.user_id); cell(row, s.desktop_id); cell(row, s.node_id); cell(row, s.client_address);
    cell(row, new Date(s.opened_at).toLocaleString()); cell(row, `${s.duration_seconds} s`);
    cell(row, `${s.bytes_to_browser ?? '?'} / ${s.bytes_to_desktop ?? '?'}`);
    cell(row, s.ended_by ? `${s.close_reason} (${s.ended_by})` : s.close_reason).className = 'reason';
  });
  document.getElementById('older').disabled = historyOffset + PAGE >= page.total_count;
  document.getElementById('newer').disabled = historyOffset === 0;
}

async function loadRecordings() {
  const list = await api('GET', '/console-recordings?limit=100');
  fill('recordings', list.recordings, (row, r) => {
    row.dataset.sessionId = r.session_id;
    cell(row, r.user_id); cell(row, r.desktop_id); cell(row, r.node_id);
    cell(row, new Date(r.started_at).toLocaleString()); cell(row, r.status); cell(row, r.size_bytes);
    const actions = cell(row, '');
    if (r.status === 'recording') return;
    const id = encodeURIComponent(r.recording_id);
    // The replay page opens with a one-time link: the IAM token never leaves this page.
    actions.appendChild(button(t.play, 'play', async () => {
      const link = await api('POST', `/console-recordings/${id}/replay-links`);
      window.open(link.url, '_blank', 'noopener');
    }));
    actions.appendChild(button(t.download, 'download', async () => {
      const blob = await (await call('GET', `/console-recordings/${id}/file`)).blob();
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = `${r.recording_id}.records`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 10000);
    }));
  });
}

async function loadNodes() {
  const list = await api('GET', '/deskgate/nodes');
  fill('nodes', list.nodes, (row, n) => {
    cell(row, n.name); cell(row, n.draining ? `${n.status} (draining)` : n.status); cell(row, n.address);
    cell(row, n.version); cell(row, n.live_sessions); cell(row, new Date(n.heartbeat_at).toLocaleString());
  });
}

const LOADERS = { live: loadLive, history: loadHistory, recordings: loadRecordings, nodes: loadNodes };
let current = 'live';

async function show(tab) {
  current = tab;
  for (const button of document.querySelectorAll('nav button')) button.setAttribute('aria-pressed', button.dataset.tab === tab);
  for (const panel of document.querySelectorAll('[data-panel]')) panel.hidden = panel.dataset.panel !== tab;
  try {
    await LOADERS[tab]();
    showError(null);
  } catch (e) { showError(e); }
  document.documentElement.dataset.loaded = tab;
}

document.getElementById('login').addEventListener('submit', async event => {
  event.preventDefault();
  const form = new FormData(event.target);
  token = await logIn(form);
  if (!token) {
    document.getElementById('loginError').textContent = t.loginFailed;
    return;
  }
  project = encodeURIComponent(form.get('project'));
  event.target.reset();
  event.target.hidden = true;
  document.getElementById('who').textContent = `${form.get('user')} @ ${form.get('domain')}`;
  document.getElementById('app').hidden = false;
  await show('live');
  setInterval(() => { if (current === 'live') show('live'); }, 5000);
});

for (const button of document.querySelectorAll('nav button')) button.addEventListener('click', () => show(button.dataset.tab));
document.getElementById('historyFilter').addEventListener('submit', event => { event.preventDefault(); historyOffset = 0; show('history'); });
document.getElementById('older').addEventListener('click', () => { historyOffset += PAGE; show('history'); });
document.getElementById('newer').addEventListener('click', () => { historyOffset = Math.max(0, historyOffset - PAGE); show('history'); });
