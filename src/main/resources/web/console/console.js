// Deskgate console page: opens the desktop behind a one-time console URL with noVNC.
// URL: vnc_auto.html?token=<one-time token>&lang=EN|ZH-CN
import RFB from './novnc/core/rfb.js';

const MESSAGES = {
  'EN': {
    connecting: 'Connecting to the desktop…',
    connected: 'Connected to {name}',
    connectedViewOnly: 'Viewing {name} (view only)',
    tokenRefused: 'This console link has expired or has already been used. Request a new one.',
    unreachable: 'The desktop cannot be reached. It may be stopped or its console service is down.',
    notRunning: 'The desktop is not running.',
    stopped: 'The desktop was stopped.',
    disconnected: 'Disconnected from the desktop.',
    idle: 'Disconnected after a period of inactivity.',
    shutdown: 'The console service restarted. Request a new console link.',
    unavailable: 'The console service is temporarily unavailable. Try again shortly.',
    authFailed: 'The desktop refused the console credentials.',
    throttled: 'Too many console links were tried from your address. Wait a moment, then try again.',
    silent: 'The desktop did not complete the connection in time.',
    notVnc: 'The desktop\'s console address does not answer as a VNC server.',
    refused: 'The desktop refused the connection. Try again in a minute.',
    certUntrusted: 'The desktop\'s certificate is not trusted, so the connection was not made.',
    certMismatch: 'The desktop\'s certificate is made out to another name, so the connection was not made.',
    noCommonSecurity: 'The desktop requires a kind of security this console is not set up for.',
    tlsFailed: 'A secure connection to the desktop could not be made.',
    protocolError: 'The console was closed because the page sent something it may not.',
    endedByAdmin: 'An administrator ended this console.',
    recordingFailed: 'This console must be recorded, and the recording could not be made. Try again later or ask your administrator.',
    busy: 'Another console is open on this desktop.',
    takenOver: 'Another console took over this desktop.',
    sendCad: 'Ctrl+Alt+Del',
  },
  'ZH-CN': {
    connecting: '正在连接桌面…',
    connected: '已连接到 {name}',
    connectedViewOnly: '正在查看 {name}（仅查看）',
    tokenRefused: '此远程登录链接已过期或已被使用，请重新获取。',
    unreachable: '无法连接到桌面，桌面可能已关机或其远程控制服务不可用。',
    notRunning: '桌面未运行。',
    stopped: '桌面已关机。',
    disconnected: '已与桌面断开连接。',
    idle: '长时间无操作，连接已断开。',
    shutdown: '远程登录服务已重启，请重新获取链接。',
    unavailable: '远程登录服务暂时不可用，请稍后重试。',
    authFailed: '桌面拒绝了登录凭据。',
    throttled: '您的地址尝试了过多的远程登录链接，请稍候再试。',
    silent: '桌面未能及时完成连接。',
    notVnc: '桌面的远程控制地址不是 VNC 服务。',
    refused: '桌面拒绝了连接，请一分钟后再试。',
    certUntrusted: '桌面的证书不受信任，未建立连接。',
    certMismatch: '桌面的证书与其名称不符，未建立连接。',
    noCommonSecurity: '桌面要求的安全类型未在此远程登录服务中配置。',
    tlsFailed: '无法与桌面建立安全连接。',
    protocolError: '页面发送了不允许的内容，远程登录已关闭。',
    endedByAdmin: '管理员结束了此远程登录。',
    recordingFailed: '此远程登录必须录制，但录制无法进行。请稍后重试或联系管理员。',
    busy: '此桌面上已有其他远程登录。',
    takenOver: '另一个远程登录接管了此桌面。',
    sendCad: 'Ctrl+Alt+Del',
  },
};

// What the proxy's WebSocket close codes mean (see io.deskgate.proxy.CloseReason).
const CLOSE_CODES = {
  4401: 'tokenRefused', 4409: 'notRunning', 4410: 'stopped', 4502: 'unreachable', 4504: 'silent',
  4503: 'unavailable', 4408: 'idle', 4429: 'throttled', 1001: 'shutdown', 4505: 'notVnc', 4506: 'authFailed',
  4507: 'certUntrusted', 4508: 'certMismatch', 4509: 'noCommonSecurity', 4510: 'tlsFailed', 4511: 'refused',
  4400: 'protocolError', 4411: 'endedByAdmin', 4513: 'recordingFailed', 4423: 'busy', 4424: 'takenOver',
};

const params = new URLSearchParams(location.search);
const token = params.get('token');
const lang = MESSAGES[(params.get('lang') || 'EN').toUpperCase()] ? (params.get('lang') || 'EN').toUpperCase() : 'EN';
const t = MESSAGES[lang];
document.documentElement.lang = lang === 'ZH-CN' ? 'zh-CN' : 'en';

// The token is one-time and secret: take it off the address bar (and out of history) at once.
history.replaceState(null, '', location.pathname + '?lang=' + encodeURIComponent(lang));

const statusEl = document.getElementById('status');
const dot = document.getElementById('dot');
function show(state, key, vars) {
  let text = t[key];
  for (const [k, v] of Object.entries(vars || {})) text = text.replace('{' + k + '}', v);
  statusEl.textContent = text;
  dot.className = state;
  document.documentElement.dataset.rfbState = state;
  document.documentElement.dataset.message = key;
}

async function start() {
  show('connecting', 'connecting');
  if (!token) { show('failed', 'tokenRefused'); return; }
  let session;
  try {
    const resp = await fetch('session', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token }), cache: 'no-store', credentials: 'omit',
    });
    if (resp.status === 410 || resp.status === 400) { show('failed', 'tokenRefused'); return; }
    if (resp.status === 429) { show('failed', 'throttled'); return; }
    if (!resp.ok) { show('failed', 'unavailable'); return; }
    session = await resp.json();
  } catch (e) {
    show('failed', 'unavailable');
    return;
  }

  const wsUrl = new URL('websockify', location.href);
  wsUrl.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  wsUrl.search = '';
  // The token travels as a subprotocol entry, not in the URL, so no proxy log in between records it.
  const ws = new WebSocket(wsUrl.href, ['binary', token]);
  let closeEvent = null;
  ws.addEventListener('close', e => { closeEvent = e; });

  // Deskgate is the page's VNC server and asks for no credentials: it passes the desktop's security itself.
  const rfb = new RFB(document.getElementById('screen'), ws);
  rfb.scaleViewport = true;
  rfb.resizeSession = false;
  rfb.focusOnClick = true;
  let connected = false;
  let securityFailed = false;
  const name = session.computer_name || '';
  // Deskgate drops a view-only console's input whatever the page does; this only spares the user trying.
  const viewOnly = session.mode === 'view';
  rfb.viewOnly = viewOnly;

  rfb.addEventListener('connect', () => {
    connected = true;
    show('connected', viewOnly ? 'connectedViewOnly' : 'connected', { name });
    if (!viewOnly) {
      const cad = document.getElementById('cad');
      cad.textContent = t.sendCad;
      cad.hidden = false;
      cad.onclick = () => { rfb.sendCtrlAltDel(); rfb.focus(); };
    }
    rfb.focus();
  });
  // The clipboard, as far as the desktop's policy lets it through Deskgate: what the desktop copies is
  // offered to the browser's clipboard, and what is pasted on the page goes to the desktop.
  rfb.addEventListener('clipboard', e => {
    document.documentElement.dataset.clipboard = e.detail.text;
    if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(e.detail.text).catch(() => {});
  });
  document.addEventListener('paste', e => {
    const text = e.clipboardData && e.clipboardData.getData('text/plain');
    if (text && connected && !viewOnly) rfb.clipboardPasteFrom(text);
  });
  rfb.addEventListener('desktopname', e => { if (!name) statusEl.textContent = t.connected.replace('{name}', e.detail.name); });
  rfb.addEventListener('credentialsrequired', () => { securityFailed = true; show('failed', 'authFailed'); rfb.disconnect(); });
  rfb.addEventListener('securityfailure', () => { securityFailed = true; show('failed', 'authFailed'); });
  rfb.addEventListener('disconnect', () => {
    document.getElementById('cad').hidden = true;
    if (securityFailed) return;
    // The close event may arrive just after noVNC's disconnect: give it a moment.
    setTimeout(() => {
      const key = closeEvent && CLOSE_CODES[closeEvent.code];
      if (key) show(['idle', 'shutdown', 'stopped', 'endedByAdmin', 'takenOver'].includes(key) ? 'disconnected' : 'failed', key);
      else if (connected) show('disconnected', 'disconnected');
      else show('failed', 'unreachable');
    }, 50);
  });
}

start();
