'use strict';
// quell for Node: load rules, scan comments. The addon does the work; this
// file only finds it. Where it looks, in order: $QUELL_NODE_ADDON (the
// tests, which build it into the repository's build/node/), node-gyp's
// build/Release/ beside this file (`npm install`), then the repository's
// build/node/ (`make build/node/quell.node`).
const path = require('node:path');
const fs = require('node:fs');

function addonPath() {
  const candidates = [
    process.env.QUELL_NODE_ADDON,
    path.join(__dirname, 'build', 'Release', 'quell.node'),
    path.join(__dirname, '..', '..', 'build', 'node', 'quell.node'),
  ].filter(Boolean);
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found) {
    throw new Error(
      'quell: the native addon is not built; run `npm install` here or ' +
        '`make build/node/quell.node` at the top of the repository (looked in ' +
        candidates.join(', ') + ')',
    );
  }
  return path.resolve(found);
}

const addon = require(addonPath());

module.exports = {
  load: addon.load,
  loadAsync: addon.loadAsync,
  Rules: addon.Rules,
  Context: addon.Context,
  loadContext: addon.loadContext,
  version: addon.version,
};
