// SPDX-License-Identifier: GPL-2.0 OR MIT
// See package.json: node-dtls-client never loads this on Node >= 10.
'use strict';
throw new Error('node-aead-crypto is not installed: use Node.js 10 or later');
