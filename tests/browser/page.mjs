// SPDX-License-Identifier: GPL-2.0 OR MIT
// The gateway page in a real browser: Debian's chromium, driven by
// playwright-core, against the gateway in QEMU (tests/browser/run starts
// it and passes the forwarded ports). A device on this host
// (coap-server-notls, 10.0.2.2 from the guest) registers over CoAP and
// takes a command typed on the page; a CoAP PUT changes a value the page
// shows. TAP on stdout, one line per check.
//
//   HTTP=port WS=port COAP=port DEV=port SHOT=file node page.mjs
import { spawn, execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import { createRequire } from 'node:module';

const require = createRequire(process.env.NODE_MODULES + '/');
const { chromium } = require('playwright-core');

const env = (k) => {
	if (!process.env[k]) throw new Error(`${k} is not set`);
	return process.env[k];
};
const HTTP = env('HTTP'), WS = env('WS'), COAP = env('COAP'), DEV = env('DEV');
const SHOT = process.env.SHOT;
const TRAFFIC_S = Number(process.env.TRAFFIC_S || 0);	// before the screenshot
const page_url = `http://127.0.0.1:${HTTP}/?ws=ws://127.0.0.1:${WS}`;
let failed = 0;

function ok(good, what, detail) {
	console.log(`${good ? 'ok' : 'not ok'} - browser: ${what}`);
	if (!good) {
		failed++;
		if (detail) console.log(`#   ${String(detail).split('\n').join('\n#   ')}`);
	}
	return good;
}

// A check that waits for @fn (a Playwright wait) up to @ms.
async function step(what, fn) {
	try {
		await fn();
		return ok(true, what);
	} catch (e) {
		return ok(false, what, e.message.split('\n').slice(0, 4).join('\n'));
	}
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function coap(args) {
	return execFileSync('coap-client-notls', ['-B', '30', ...args], { encoding: 'utf8', timeout: 40000 });
}

// The gateway answers HTTP once its guest has booted and kcoapd listens.
async function gatewayUp(ms) {
	const end = Date.now() + ms;
	while (Date.now() < end) {
		try {
			const r = await fetch(`http://127.0.0.1:${HTTP}/api/config`);
			if (r.ok) return true;
		} catch (e) { /* not yet */ }
		await sleep(1000);
	}
	return false;
}

// A NON GET now and then, and a datagram too short to be CoAP: traffic and
// drops for the plot.
function traffic() {
	const s = dgram.createSocket('udp4');
	let mid = 1;
	const path = Buffer.from('store');
	const t = setInterval(() => {
		mid = (mid + 1) & 0xffff;
		const get = Buffer.concat([Buffer.from([0x50, 0x01, mid >> 8, mid & 0xff, 0xb0 | path.length]), path]);
		s.send(get, Number(COAP), '127.0.0.1');
		if (mid % 7 === 0) s.send(Buffer.from([0x40]), Number(COAP), '127.0.0.1');
	}, 150);
	return () => { clearInterval(t); s.close(); };
}

async function main() {
	if (!ok(await gatewayUp(Number(process.env.BOOT_S || 900) * 1000),
		'the gateway in QEMU answers HTTP on its forwarded port')) {
		console.log('1..1');
		return 1;
	}
	const device = spawn('coap-server-notls', ['-A', '127.0.0.1', '-p', DEV, '-e'],
		{ stdio: 'ignore' });
	const stop = traffic();
	const browser = await chromium.launch({
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		headless: true,
		timeout: 120000,
		args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
	});
	try {
		const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
		page.setDefaultTimeout(60000);
		const errors = [];
		page.on('pageerror', (e) => errors.push(e.message));
		const resp = await page.goto(page_url, { waitUntil: 'load', timeout: 120000 });
		ok(resp && resp.status() === 200 && (await page.title()).startsWith('kcoap gateway'),
			'the page loads (200, its title)');
		await step('it connects to Mosquitto over WebSockets with the bundled mqtt client', () =>
			page.locator('#broker-status', { hasText: /^connected$/ }).waitFor());
		await step("it shows the gateway online ({prefix}status)", () =>
			page.locator('#gw-status', { hasText: /^online$/ }).waitFor());

		// A device registers over CoAP (RFC 9176): online on the page.
		coap(['-m', 'post', '-e', '</example_data>;ct=0',
			`coap://127.0.0.1:${COAP}/rd?ep=webdev&lt=600&base=coap://10.0.2.2:${DEV}`]);
		await step('a device that registers over CoAP appears online', () =>
			page.locator('#devices tr[data-device="webdev"] .device-status',
				{ hasText: /^online$/ }).waitFor());

		// A CoAP PUT into the store: the value on the page follows.
		coap(['-m', 'put', '-e', '21.5', `coap://127.0.0.1:${COAP}/store/lab/temp`]);
		const row = page.locator('#resources tr[data-path="/store/lab/temp"]');
		await step('a resource stored over CoAP is listed with its value', () =>
			row.locator('td.value', { hasText: /^21\.5$/ }).waitFor());
		coap(['-m', 'put', '-e', '23.75', `coap://127.0.0.1:${COAP}/store/lab/temp`]);
		await step('a CoAP PUT changes the value on the page', () =>
			row.locator('td.value', { hasText: /^23\.75$/ }).waitFor());

		// A command typed on the page reaches the device; its response shows.
		await page.fill('#cmd-device', 'webdev');
		await page.fill('#cmd-path', 'example_data');
		await page.selectOption('#cmd-method', 'put');
		await page.fill('#cmd-payload', 'lamp-on');
		await page.click('#cmd-send');
		await step("the device's response to a command typed on the page appears (code)", () =>
			page.locator('#cmd-code', { hasText: /^2\.0[14]$/ }).waitFor());
		await step('... with its payload (coap-server-notls -e echoes the PUT)', () =>
			page.locator('#cmd-response', { hasText: /^lamp-on$/ }).waitFor());
		let held = '';
		try {
			held = coap(['-m', 'get', `coap://127.0.0.1:${DEV}/example_data`]).trim();
		} catch (e) { held = e.message; }
		ok(held === 'lamp-on', 'the device holds the value the command carried', `it holds '${held}'`);

		await step('the request rate is plotted from {prefix}stats', () =>
			page.locator('#rate-rx', { hasText: /^\d+\.\d$/ }).waitFor());
		await step('the observers column counts the kernel\'s observers', () =>
			row.locator('td.observers', { hasText: /^\d+$/ }).waitFor());
		ok(errors.length === 0, 'no JavaScript errors on the page', errors.join('\n'));

		if (SHOT) {
			if (TRAFFIC_S) await sleep(TRAFFIC_S * 1000);
			await page.screenshot({ path: SHOT, fullPage: true });
			console.log(`# screenshot: ${SHOT}`);
		}
	} finally {
		stop();
		await browser.close();
		device.kill();
	}
	return failed ? 1 : 0;
}

main().then((rc) => process.exit(rc), (e) => {
	ok(false, 'the browser test ran to its end', e.stack);
	process.exit(1);
});
