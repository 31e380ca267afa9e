// SPDX-License-Identifier: GPL-2.0 OR MIT
// The kcoap gateway page (docs/http.md): MQTT over WebSockets for the
// gateway's and devices' status, its statistics and commands; the
// kernel's resources from kcoapd's /api/resources.
'use strict';

const $ = (id) => document.getElementById(id);
const RATE_WINDOW_S = 600;	// what the plot shows
const POLL_MS = 1500;		// /api/resources

let prefix = '';
let client = null;
const devices = new Map();	// name -> { status, since }
const samples = [];		// { t (ms), rx, drop, notify } per second
let lastStats = null;
let pending = null;		// the command waiting for its response: its rsp topic

function text(el, s) { el.textContent = s; }

function setState(el, word, cls) {
	text(el, word);
	el.className = 'state ' + cls;
}

// Where the broker's WebSocket listener is: ?ws=URL, else http-mqtt-ws (a
// port on this page's host, or a URL).
function brokerUrl(cfg) {
	const q = new URLSearchParams(location.search).get('ws');
	if (q) return q;
	const w = cfg.mqttWs || '9001';
	if (/^\d+$/.test(w))
		return (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.hostname + ':' + w;
	return w;
}

// --- MQTT -----------------------------------------------------------------

function connect(url, user, password) {
	const opts = {
		protocolVersion: 5,
		clientId: 'kcoap-page-' + Math.random().toString(16).slice(2, 10),
		clean: true,
		reconnectPeriod: 2000,
		connectTimeout: 10000,
	};
	if (user) {
		opts.username = user;
		opts.password = password;
	}
	if (client) client.end(true);
	setState($('broker-status'), 'connecting', 'unknown');
	client = mqtt.connect(url, opts);
	client.on('connect', () => {
		setState($('broker-status'), 'connected', 'connected');
		$('login').hidden = true;
		client.subscribe([prefix + 'status', prefix + 'dev/+/status', prefix + 'stats',
			prefix + 'rsp/#'], { qos: 1 });
	});
	client.on('close', () => {
		if ($('broker-status').textContent !== 'refused')
			setState($('broker-status'), 'disconnected', 'offline');
	});
	client.on('error', (err) => {
		// CONNACK: 4 or 5 (3.1.1), 134 or 135 (5): the broker wants credentials.
		if ([4, 5, 134, 135].includes(err.code)) {
			setState($('broker-status'), 'refused', 'refused');
			client.end(true);
			$('login').hidden = false;
			text($('login-error'), user ? 'The broker refused these credentials.' : '');
			sessionStorage.removeItem('kcoap-broker');
		}
	});
	client.on('message', message);
}

function message(topic, payload, packet) {
	if (!topic.startsWith(prefix)) return;
	const rest = topic.slice(prefix.length);
	const body = new TextDecoder().decode(payload);
	if (rest === 'status') {
		setState($('gw-status'), body || 'unknown', body === 'online' ? 'online' : 'offline');
	} else if (rest === 'stats') {
		stats(body);
	} else if (rest.startsWith('dev/') && rest.endsWith('/status')) {
		const name = rest.slice(4, -7);
		if (body === '') devices.delete(name);
		else devices.set(name, { status: body, since: new Date() });
		renderDevices();
	} else if (rest.startsWith('rsp/')) {
		response(rest, body, packet);
	}
}

// --- devices ---------------------------------------------------------------

function renderDevices() {
	const tbody = $('devices').tBodies[0];
	const names = [...devices.keys()].sort();
	tbody.replaceChildren(...names.map((name) => {
		const d = devices.get(name);
		const tr = document.createElement('tr');
		tr.dataset.device = name;
		const n = document.createElement('td');
		text(n, name);
		const s = document.createElement('td');
		const b = document.createElement('b');
		setState(b, d.status, d.status === 'online' ? 'online' : 'offline');
		b.classList.add('device-status');
		s.append(b);
		const t = document.createElement('td');
		t.className = 'muted';
		text(t, d.since.toLocaleTimeString());
		tr.append(n, s, t);
		return tr;
	}));
	$('no-devices').hidden = names.length > 0;
	$('device-names').replaceChildren(...names.map((name) => {
		const o = document.createElement('option');
		o.value = name;
		return o;
	}));
}

// --- statistics and the plot -------------------------------------------

function stats(body) {
	let s;
	try { s = JSON.parse(body); } catch (e) { return; }
	const now = Date.now();
	text($('stats-line'), `${s.devices} devices registered, ${s.subscriptions} subscriptions, ` +
		`${s.store} stored values, ${s.commands} commands in flight` +
		(s.connected ? '' : ' (the gateway has lost its broker)'));
	if (lastStats && typeof s['rx-requests'] === 'number') {
		const dt = (now - lastStats.t) / 1000;
		if (dt > 0) {
			const rate = (k) => Math.max(0, (s[k] - lastStats.s[k]) / dt);
			samples.push({ t: now, rx: rate('rx-requests'), drop: rate('dropped'),
				notify: rate('tx-notify') });
		}
	}
	lastStats = { t: now, s };
	while (samples.length && samples[0].t < now - RATE_WINDOW_S * 1000) samples.shift();
	const last = samples[samples.length - 1];
	if (last) {
		text($('rate-rx'), last.rx.toFixed(1));
		text($('rate-drop'), last.drop.toFixed(1));
		text($('rate-notify'), last.notify.toFixed(1));
	}
	plot();
}

function plot() {
	const c = $('rates');
	const g = c.getContext('2d');
	const W = c.width, H = c.height, L = 44, B = 22, T = 8, R = 8;
	const css = getComputedStyle(document.documentElement);
	g.clearRect(0, 0, W, H);
	g.font = '11px system-ui, sans-serif';
	const now = Date.now();
	const max = Math.max(1, ...samples.flatMap((p) => [p.rx, p.drop, p.notify]));
	const top = niceCeil(max);
	const x = (t) => L + (W - L - R) * (1 - (now - t) / (RATE_WINDOW_S * 1000));
	const y = (v) => H - B - (H - B - T) * v / top;
	g.strokeStyle = '#dde1e8';
	g.fillStyle = '#6b7385';
	g.lineWidth = 1;
	for (let i = 0; i <= 4; i++) {
		const v = top * i / 4;
		g.beginPath();
		g.moveTo(L, y(v));
		g.lineTo(W - R, y(v));
		g.stroke();
		g.fillText(v.toFixed(top < 4 ? 1 : 0), 4, y(v) + 4);
	}
	for (let m = 0; m <= 10; m += 2) {
		g.fillText(m ? `-${m} min` : 'now', x(now - m * 60000) - (m ? 18 : 20), H - 6);
	}
	for (const [key, color] of [['rx', '--rx'], ['drop', '--drop'], ['notify', '--notify']]) {
		g.strokeStyle = css.getPropertyValue(color).trim();
		g.lineWidth = 2;
		g.beginPath();
		samples.forEach((p, i) => (i ? g.lineTo : g.moveTo).call(g, x(p.t), y(p[key])));
		g.stroke();
	}
}

function niceCeil(v) {
	const p = Math.pow(10, Math.floor(Math.log10(v)));
	for (const m of [1, 2, 5, 10]) if (v <= m * p) return m * p;
	return 10 * p;
}

// --- resources -------------------------------------------------------------

const FORMATS = { 0: 'text/plain', 40: 'link-format', 41: 'xml', 42: 'octet-stream',
	50: 'json', 60: 'cbor', 110: 'senml+json', 112: 'senml+cbor' };

async function pollResources() {
	try {
		const r = await fetch('api/resources', { cache: 'no-store' });
		const j = await r.json();
		renderResources(j.resources || []);
		text($('resources-error'), j.error || '');
	} catch (e) {
		text($('resources-error'), 'The gateway does not answer: ' + e.message);
	}
	setTimeout(pollResources, POLL_MS);
}

function renderResources(list) {
	const tbody = $('resources').tBodies[0];
	const old = new Map([...tbody.rows].map((tr) => [tr.dataset.path, tr]));
	list.sort((a, b) => a.path.localeCompare(b.path));
	tbody.replaceChildren(...list.map((res) => {
		const tr = old.get(res.path) || document.createElement('tr');
		const value = res.value !== undefined ? res.value : (res.size ? `(${res.size} bytes)` : '');
		const before = tr.dataset.value;
		tr.dataset.path = res.path;
		tr.dataset.value = value;
		const cells = [res.path, value, res.ct !== undefined ? (FORMATS[res.ct] || res.ct) : '',
			res.size !== undefined ? res.size : '', res.obs ? res.observers : '–'];
		const cls = ['path', 'value', '', 'num', 'num observers'];
		tr.replaceChildren(...cells.map((v, i) => {
			const td = document.createElement('td');
			td.className = cls[i];
			text(td, String(v));
			return td;
		}));
		if (before !== undefined && before !== value) {
			tr.classList.remove('changed');
			void tr.offsetWidth;	// restart the animation
			tr.classList.add('changed');
		}
		return tr;
	}));
}

// --- commands ----------------------------------------------------------------

function sendCommand(ev) {
	ev.preventDefault();
	if (!client || !client.connected) {
		showResult('not connected to the broker', '', false);
		return;
	}
	const device = $('cmd-device').value.trim();
	const path = $('cmd-path').value.trim().replace(/^\/+/, '');
	const props = { method: $('cmd-method').value };
	if ($('cmd-ct').value !== '') props['content-format'] = $('cmd-ct').value;
	pending = `rsp/${device}/${path}`;
	showResult('sent, waiting for the device…', '', true);
	client.publish(`${prefix}cmd/${device}/${path}`, $('cmd-payload').value,
		{ qos: 1, properties: { userProperties: props } });
}

function response(rest, body, packet) {
	if (rest !== pending) return;
	const up = (packet.properties && packet.properties.userProperties) || {};
	let code = up.code;
	if (!code) {
		// MQTT 3.1.1: the code is the first line.
		const nl = body.indexOf('\n');
		code = nl < 0 ? body : body.slice(0, nl);
		body = nl < 0 ? '' : body.slice(nl + 1);
	}
	showResult(code, body, code.startsWith('2.'));
}

function showResult(code, body, good) {
	const c = $('cmd-code');
	text(c, code);
	c.className = good ? 'ok' : 'bad';
	text($('cmd-response'), body);
}

// --- start -------------------------------------------------------------------

async function start() {
	let cfg = {};
	try {
		cfg = await (await fetch('api/config', { cache: 'no-store' })).json();
	} catch (e) {
		text($('resources-error'), 'No configuration from kcoapd: ' + e.message);
	}
	prefix = cfg.topicPrefix || '';
	text($('hostname'), cfg.hostname || '');
	document.title = 'kcoap gateway ' + (cfg.hostname || '');
	const url = brokerUrl(cfg);
	text($('broker-url'), url);
	$('command').addEventListener('submit', sendCommand);
	$('login').addEventListener('submit', (ev) => {
		ev.preventDefault();
		const cred = { user: $('login-user').value, password: $('login-password').value };
		sessionStorage.setItem('kcoap-broker', JSON.stringify(cred));
		connect(url, cred.user, cred.password);
	});
	let cred = {};
	try { cred = JSON.parse(sessionStorage.getItem('kcoap-broker') || '{}'); } catch (e) { cred = {}; }
	if (cfg.bridge === false) {
		setState($('broker-status'), 'off in kcoapd', 'offline');
	} else {
		connect(url, cred.user, cred.password);
	}
	pollResources();
	plot();
	setInterval(plot, 5000);
}

document.addEventListener('DOMContentLoaded', start);
