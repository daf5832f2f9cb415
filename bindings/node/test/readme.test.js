'use strict';
// The top-level README's Node example, and the binding README's context
// example, run as written, with this build's addon for require('quell') and
// the build's compiled rules for the path they name, and print what the
// READMEs say they print.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.resolve(__dirname, '..', '..', '..');
const rulesPath = process.env.QUELL_DEFAULT_RULES || path.join(root, 'build', 'default.qdb');
const INSTALLED = '/usr/local/share/quell/rules/default.qdb';

test('the README example prints what the README says', () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const m = /<!-- readme-example: node -->\n```\w+\n([\s\S]*?)```/.exec(readme);
  assert.ok(m, 'README.md has no node example');
  const claimed = /It prints `([^`]*)`/.exec(readme.slice(m.index + m[0].length))[1];
  assert.ok(m[1].includes(INSTALLED));
  const code = m[1]
    .replace(INSTALLED, path.resolve(rulesPath))
    .replace("require('quell')", `require(${JSON.stringify(path.resolve(__dirname, '..'))})`);
  const run = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', env: process.env });
  assert.equal(run.stderr, '');
  assert.equal(run.status, 0);
  assert.equal(run.stdout.trim(), claimed);
});

test("the binding README's context example prints what it says", (t) => {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
  const m = /<!-- readme-example: node-context -->\n```js\n([\s\S]*?)```/.exec(readme);
  assert.ok(m, 'bindings/node/README.md has no context example');
  const claimed = /It prints:\n\n```\n([\s\S]*?)```/.exec(readme.slice(m.index + m[0].length))[1];
  assert.ok(m[1].includes("'build/default.qdb'"));
  const code = m[1]
    .replace("'build/default.qdb'", JSON.stringify(path.resolve(rulesPath)))
    .replace("require('quell')", `require(${JSON.stringify(path.resolve(__dirname, '..'))})`);
  // It saves comments.ctx where it runs.
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'quell-node-readme-'));
  t.after(() => fs.rmSync(cwd, { recursive: true, force: true }));
  const run = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', env: process.env, cwd });
  assert.equal(run.stderr, '');
  assert.equal(run.status, 0);
  assert.equal(run.stdout, claimed);
  const quell = require('..');
  assert.ok(quell.loadContext(path.join(cwd, 'comments.ctx')).memory > 0);
});
