// SPDX-License-Identifier: GPL-2.0 OR MIT
// The npm "coap" client, which does not implement Echo (RFC 9175), for
// tests/e2e/hostile.sh. Its modules are installed by `npm ci` into
// build/node (tests/check, qemu/install-deps); NODE_PATH points there.
//   node client.js get LOCAL HOST PATH          payload on stdout
//   node client.js observe LOCAL HOST PATH SECS one line per notification
'use strict';
const dgram = require('dgram');
const coap = require('coap');

const [cmd, local, host, pathname, secs] = process.argv.slice(2);
const sock = dgram.createSocket('udp4');

sock.bind(0, local, () => {
	const agent = new coap.Agent({ socket: sock });
	const req = agent.request({
		hostname: host, port: 5683, pathname, observe: cmd === 'observe',
	});
	const done = (code) => { agent.close(); process.exit(code); };
	req.on('error', (e) => { console.error(`error: ${e.message}`); done(1); });
	req.on('timeout', () => { console.error('timeout'); done(1); });
	req.on('response', (res) => {
		if (cmd !== 'observe') {
			process.stdout.write(res.payload);
			done(res.code === '2.05' ? 0 : 1);
			return;
		}
		console.log(res.payload.toString());
		res.on('data', (d) => console.log(d.toString()));
		setTimeout(() => done(0), Number(secs) * 1000);
	});
	req.end();
});
