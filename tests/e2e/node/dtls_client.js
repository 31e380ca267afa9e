// SPDX-License-Identifier: GPL-2.0 OR MIT
// The npm "node-coap-client" (DTLS on node-dtls-client), a third coaps://
// client for the DTLS tests beside libcoap's two. Its modules are installed
// by `npm ci` into build/node (tests/e2e/node/install); NODE_PATH points there.
//   node dtls_client.js get coaps://HOST[:PORT]/PATH IDENTITY KEY [SUITE]
// Does the handshake with the pre-shared key (offering only SUITE,
// TLS_PSK_WITH_AES_128_CCM_8 unless given), then one CON GET. Prints the
// payload on stdout and exits 0 on 2.05; otherwise prints what happened
// ("code 4.04", "handshake: auth failed", "handshake: timeout") on stderr
// and exits 1. Usage errors exit 2.
'use strict';
const { CoapClient } = require('node-coap-client');

const [cmd, uri, identity, key, suite] = process.argv.slice(2);
if (cmd !== 'get' || !uri || !uri.startsWith('coaps://') || !identity || key === undefined) {
	console.error('usage: node dtls_client.js get coaps://HOST[:PORT]/PATH IDENTITY KEY [SUITE]');
	process.exit(2);
}

const fail = (what) => {
	settled = true;
	console.error(what);
	CoapClient.reset();
	process.exit(1);
};
// Whatever hangs (a server that never answers) ends here, not in the test.
// node-coap-client can give up on a failed handshake (a wrong key: the
// server drops the Finished it cannot authenticate, the handshake times
// out) without settling its promise; node then exits on an empty event
// loop. That is a failure too, and says so.
let settled = false;
process.on('exit', (code) => {
	if (!settled && code === 0) {
		console.error('handshake failed: no session and no answer');
		process.exitCode = 1;
	}
});
setTimeout(() => fail('timeout: no answer in 45 s'), 45000).unref();

(async () => {
	// node-coap-client wants the port spelled out: 5684 (RFC 7252 §6.2).
	const u = new URL(uri);
	if (!u.port)
		u.port = '5684';
	const url = u.toString();
	const host = u.hostname.replace(/^\[|\]$/g, '');
	// The parameters are merged into node-dtls-client's socket options:
	// "ciphers" narrows what the ClientHello offers.
	CoapClient.setSecurityParams(host, {
		psk: { [identity]: key },
		ciphers: [suite || 'TLS_PSK_WITH_AES_128_CCM_8'],
		timeout: 8000,	// per try; node-coap-client makes three
	});
	const conn = await CoapClient.tryToConnect(url);
	if (conn !== true)
		fail(`handshake: ${conn instanceof Error ? conn.message : conn}`);
	const res = await CoapClient.request(url, 'get', undefined,
		{ keepAlive: false, confirmable: true });
	const code = res.code.toString();
	if (code !== '2.05')
		fail(`code ${code}${res.payload && res.payload.length ? ': ' + res.payload : ''}`);
	settled = true;
	process.stdout.write(res.payload || Buffer.alloc(0));
	// reset() closes the session with close_notify; give the datagram a
	// moment to leave before the process does.
	CoapClient.reset();
	setTimeout(() => process.exit(0), 100);
})().catch((e) => fail(`error: ${e && e.message ? e.message : e}`));
