'use strict';
// Comments decided in their context (quell.Context) against the command:
// the same records, scanned in order with one context, must give the lines
// `quell filter -f jsonl --context` writes, however the scans are called.
// make check-node sets QUELL_NODE_ADDON and QUELL_BIN; run alone, the paths
// default to the repository's build/.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { Worker } = require('node:worker_threads');

const root = path.resolve(__dirname, '..', '..', '..');
const quellBin = process.env.QUELL_BIN || path.join(root, 'build', 'quell');
const contextRules = path.join(root, 'tests', 'fixtures', 'context', 'context.cfg');

const quell = require('..');

// Deterministic: mulberry32.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

const PASTED = [
  'Earn 500 dollars a day from home, message me on telegram now',
  'EARN 500 DOLLARS A DAY from home!!! message me on telegram now 💰',
  'Eаrn 900 dоllars a day from hоme, message me on telegram now https://bit.ly/q%d',
  'The regime lies, share this before they delete it, the truth about the port',
  'the regime LIES share this before they delete it!! the truth about the port 🔥',
];

// n records {id, author, time, body} as `quell filter` reads them, two
// seconds apart: a campaign of pasted copies from many new accounts (and
// from comments without author), three insulting authors who end up held,
// two authors repeating one text, bursts of six comments two seconds
// apart from one author, and ordinary comments. Times are seconds (some with a
// fraction) or RFC 3339 strings; ids strings or numbers.
function makeStream(n) {
  const next = rng(16);
  const T0 = 1767225600;
  const records = [];
  for (let i = 0; i < n; i++) {
    const x = next();
    let t = T0 + i * 2;
    let r;
    if (i % 150 < 6) {
      const base = i - (i % 150);
      t = T0 + base * 2 + (i % 150) * 2;
      r = { id: `b${i}`, author: `burst${base}`, body: `quick one, number ${i}, about the vote` };
    } else if (x % 9 === 0) {
      r = { id: `p${i}`, author: `new${i}`, body: PASTED[(x >>> 8) % 5].replace('%d', String(i)) };
    } else if (x % 9 === 1) {
      r = { id: `f${i}`, author: `flood${(x >>> 20) % 3}`, body: `you idiot number ${i}` };
    } else if (x % 23 === 2) {
      r = { id: `r${i}`, author: `rep${(x >>> 9) % 2}`, body: 'Please read my blog about gardening tips, every day!' };
    } else if (x % 31 === 3) {
      r = { body: PASTED[(x >>> 8) % 5].replace('%d', String(i)) };
    } else {
      r = {
        id: i,
        author: `u${(x >>> 12) % 60}`,
        body: `comment ${x.toString(16)} on the news, nothing to see ${i}`,
      };
    }
    if (x % 5 === 4) r.time = new Date(t * 1000).toISOString();
    else if (x % 7 === 5) r.time = t + 0.25;
    else r.time = t;
    records.push(r);
  }
  return records;
}

// Record i as the binding takes it: its time a Date, or milliseconds; its
// id, when it has none, the record number the command gives it.
function asComment(r, i) {
  const c = { id: i + 1, ...r };
  c.time = typeof r.time === 'string' ? new Date(r.time) : r.time * 1000;
  return c;
}

// The command's verdicts for records, decided in order with one context.
function filterWithCommand(records, extraArgs = []) {
  const input = records.map((r) => JSON.stringify(r)).join('\n') + '\n';
  const run = spawnSync(
    quellBin,
    ['filter', '-f', 'jsonl', '--context', '-j', '1', ...extraArgs, contextRules],
    { input, encoding: 'utf8', maxBuffer: 64 << 20 },
  );
  assert.ok(run.status === 0 || run.status === 1, `quell filter: ${run.status} ${run.stderr}`);
  const lines = run.stdout.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, records.length);
  return lines.map((l) => JSON.parse(l));
}

function fired(verdicts, ruleId) {
  return verdicts.filter((v) => (v.rules || []).some((r) => r.id === ruleId)).length;
}

const rules = quell.load(contextRules);
const RECORDS = makeStream(900);
const COMMENTS = RECORDS.map(asComment);
const expected = filterWithCommand(RECORDS);

function tmpdir(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quell-node-ctx-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('the stream has what it is meant to: every context rule fires', () => {
  // So that equal-to-the-command cannot pass on facts that never count.
  assert.ok(fired(expected, 'campaign.authors') >= 20, 'a campaign of 3 authors or more');
  assert.ok(fired(expected, 'campaign.link') >= 3, 'a campaign with a link');
  assert.ok(fired(expected, 'author.repeats') >= 5, 'an author repeating a text');
  assert.ok(fired(expected, 'author.rate') >= 3, 'a flood');
  assert.ok(fired(expected, 'author.held') >= 20, 'an author held twice before');
  for (const v of expected) assert.ok('context' in v);
});

test('scan in a context gives the verdicts of quell filter --context', () => {
  const ctx = new quell.Context();
  COMMENTS.forEach((c, i) => {
    assert.deepEqual(rules.scan(c, ctx), expected[i], `record ${i}`);
  });
  assert.ok(ctx.memory > 0 && ctx.memory <= ctx.memoryLimit);
});

test('scanAsync calls started at once are decided in call order', async () => {
  const ctx = new quell.Context();
  const got = await Promise.all(COMMENTS.map((c) => rules.scanAsync(c, ctx)));
  got.forEach((v, i) => assert.deepEqual(v, expected[i], `record ${i}`));
});

test('scan and scanAsync mixed keep call order', async () => {
  // A scan() waits for the scanAsync() calls made before it.
  const ctx = new quell.Context();
  const got = COMMENTS.map((c, i) => (i % 3 === 2 ? rules.scan(c, ctx) : rules.scanAsync(c, ctx)));
  (await Promise.all(got)).forEach((v, i) => assert.deepEqual(v, expected[i], `record ${i}`));
});

test('a comment the library refuses is not added to the context', async () => {
  // Invalid UTF-8: quell_scan fails, so the verdicts after it are unchanged.
  const bad = { id: 'bad', author: 'new1', body: Buffer.from([0x66, 0xff, 0xfe]), time: 0 };
  const ctx = new quell.Context();
  const got = [];
  COMMENTS.forEach((c, i) => {
    if (i % 50 === 7) {
      assert.throws(() => rules.scan(bad, ctx), { code: 'QUELL_EINPUT' });
      got.push(assert.rejects(rules.scanAsync(bad, ctx), { code: 'QUELL_EINPUT' }).then(() => null));
    }
    got.push(rules.scanAsync(c, ctx));
  });
  const verdicts = (await Promise.all(got)).filter((v) => v !== null);
  verdicts.forEach((v, i) => assert.deepEqual(v, expected[i], `record ${i}`));
});

test('save then loadContext resumes: a stream cut in two gives the same verdicts', (t) => {
  const file = path.join(tmpdir(t), 'comments.ctx');
  const cut = 517;
  const first = new quell.Context();
  COMMENTS.slice(0, cut).forEach((c, i) => assert.deepEqual(rules.scan(c, first), expected[i]));
  first.save(file);
  const resumed = quell.loadContext(file);
  COMMENTS.slice(cut).forEach((c, k) => {
    assert.deepEqual(rules.scan(c, resumed), expected[cut + k], `record ${cut + k}`);
  });
  // Without it, the second half forgets the first.
  const fresh = new quell.Context();
  const forgot = COMMENTS.slice(cut).map((c) => rules.scan(c, fresh));
  assert.notDeepEqual(forgot, expected.slice(cut));
});

test('save waits for the scanAsync calls made before it', async (t) => {
  const file = path.join(tmpdir(t), 'comments.ctx');
  const cut = 400;
  const ctx = new quell.Context();
  const pending = COMMENTS.slice(0, cut).map((c) => rules.scanAsync(c, ctx));
  ctx.save(file); // not awaited: the file holds the 400 all the same
  const later = rules.scanAsync(COMMENTS[cut], ctx); // after the save, not in it
  (await Promise.all(pending)).forEach((v, i) => assert.deepEqual(v, expected[i]));
  assert.deepEqual(await later, expected[cut]);
  const resumed = quell.loadContext(file);
  const got = await Promise.all(COMMENTS.slice(cut).map((c) => rules.scanAsync(c, resumed)));
  got.forEach((v, k) => assert.deepEqual(v, expected[cut + k], `record ${cut + k}`));
});

test('a damaged, truncated, foreign or missing file raises a QuellError', (t) => {
  const dir = tmpdir(t);
  const file = path.join(dir, 'comments.ctx');
  const ctx = new quell.Context();
  COMMENTS.slice(0, 300).forEach((c) => rules.scan(c, ctx));
  ctx.save(file);
  const bytes = fs.readFileSync(file);
  assert.ok(quell.loadContext(file).memory > 0);

  const damaged = Buffer.from(bytes);
  damaged[damaged.length >> 1] ^= 1;
  fs.writeFileSync(path.join(dir, 'damaged.ctx'), damaged);
  fs.writeFileSync(path.join(dir, 'truncated.ctx'), bytes.subarray(0, bytes.length - 9));
  for (const [name, code] of [
    ['damaged.ctx', 'QUELL_EFORMAT'],
    ['truncated.ctx', 'QUELL_EFORMAT'],
    [contextRules, 'QUELL_EFORMAT'],
    ['missing.ctx', 'QUELL_EIO'],
  ]) {
    const where = path.resolve(dir, name);
    assert.throws(
      () => quell.loadContext(where),
      (e) => {
        assert.ok(e instanceof Error && !(e instanceof RangeError), `${name}: ${e}`);
        assert.equal(e.code, code, `${name}: ${e.message}`);
        assert.ok(e.errno < 0);
        return true;
      },
    );
  }
  assert.throws(() => ctx.save(path.join(dir, 'no', 'such', 'dir', 'x.ctx')), { code: 'QUELL_EIO' });
  assert.throws(() => quell.loadContext(42), TypeError);
});

test('options reach the library: the command with the same windows agrees', (t) => {
  const small = { windowComments: 40, windowSeconds: 300, maxAuthors: 30 };
  const args = ['--context-window=40', '--context-seconds=300', '--context-authors=30'];
  const want = filterWithCommand(RECORDS, args);
  assert.notDeepEqual(want, expected);
  const ctx = new quell.Context(small);
  COMMENTS.forEach((c, i) => assert.deepEqual(rules.scan(c, ctx), want[i], `record ${i}`));
  assert.ok(ctx.memoryLimit < new quell.Context().memoryLimit);

  // loadContext with options: a context saved with the defaults, resumed
  // in the small windows (what no longer fits them is forgotten), as the
  // command resumes its --context-file.
  const dir = tmpdir(t);
  const cut = 450;
  const big = new quell.Context();
  COMMENTS.slice(0, cut).forEach((c) => rules.scan(c, big));
  big.save(path.join(dir, 'node.ctx'));
  big.save(path.join(dir, 'cli.ctx'));
  // (The records' numbers as ids: the command would number these from 1.)
  const rest = RECORDS.slice(cut).map((r, k) => ({ id: cut + k + 1, ...r }));
  const resumedByCommand = filterWithCommand(rest, [
    ...args,
    `--context-file=${path.join(dir, 'cli.ctx')}`,
  ]);
  const resumed = quell.loadContext(path.join(dir, 'node.ctx'), small);
  assert.equal(resumed.memoryLimit, ctx.memoryLimit);
  COMMENTS.slice(cut).forEach((c, k) => {
    assert.deepEqual(rules.scan(c, resumed), resumedByCommand[k], `record ${cut + k}`);
  });
});

test('options the command has no flag for reach the library too', () => {
  const run = (options) => {
    const ctx = new quell.Context(options);
    return COMMENTS.map((c) => rules.scan(c, ctx));
  };
  // No comment is long enough to be fingerprinted: no campaign at all.
  assert.ok(run({ minChars: 100000 }).every((v) => !('campaign' in v.context)));
  // A burst's comments are two seconds apart: a one-second window counts one.
  const quick = run({ rateSeconds: 1 });
  assert.equal(fired(quick, 'author.rate'), 0);
  assert.ok(quick.every((v) => !v.context.author || v.context.author.rate === 1));
  // Repeats are minutes apart.
  assert.equal(fired(run({ authorSeconds: 1 }), 'author.repeats'), 0);
  // Only copies alike in every minimum hash: fewer campaigns.
  assert.ok(fired(run({ similarity: 1 }), 'campaign.authors') < fired(expected, 'campaign.authors'));
});

test('options out of range raise a RangeError, of the wrong type a TypeError', (t) => {
  const file = path.join(tmpdir(t), 'comments.ctx');
  new quell.Context().save(file);
  for (const options of [
    { windowComments: 0 },
    { windowComments: -1 },
    { windowComments: 2.5 },
    { windowComments: 2 ** 24 + 1 }, // the library's bound
    { maxAuthors: 2 ** 30 },
    { minChars: Infinity },
    { windowSeconds: 0 },
    { windowSeconds: -60 },
    { windowSeconds: NaN },
    { authorSeconds: Infinity },
    { rateSeconds: -1 },
    { similarity: 0 },
    { similarity: 1.5 },
  ]) {
    const name = Object.keys(options)[0];
    assert.throws(() => new quell.Context(options), RangeError, JSON.stringify(options));
    assert.throws(() => quell.loadContext(file, options), RangeError, name);
  }
  for (const options of [{ windowComments: '40' }, { window: 40 }, 'big', 7]) {
    assert.throws(() => new quell.Context(options), TypeError, JSON.stringify(options));
  }
  // The library's own refusals carry its code as well.
  assert.throws(() => new quell.Context({ similarity: 2 }), { name: 'RangeError', code: 'QUELL_EINVAL' });
  assert.ok(new quell.Context({}).memoryLimit === new quell.Context(null).memoryLimit);
});

test('a time is a Date or milliseconds, read only in a context', () => {
  const c = { id: 1, author: 'a', body: 'a comment long enough to be fingerprinted, surely' };
  const when = Date.parse('2026-12-06T23:00:00Z');
  const a = rules.scan({ ...c, time: when }, new quell.Context());
  const b = rules.scan({ ...c, time: new Date(when) }, new quell.Context());
  assert.deepEqual(a, b);
  const ctx = new quell.Context();
  for (const time of [NaN, Infinity, 8.64e15 + 1, new Date('not a date')]) {
    assert.throws(() => rules.scan({ ...c, time }, ctx), RangeError, String(time));
  }
  for (const time of ['2026-12-06T23:00:00Z', {}, true]) {
    assert.throws(() => rules.scan({ ...c, time }, ctx), TypeError, String(time));
    assert.equal(rules.scan({ ...c, time }).action, 'pass'); // no context: not read
  }
  // No time: the clock's, when the comment is decided.
  assert.equal(rules.scan(c, ctx).context.author.rate, 1);
});

test('the context argument is a Context; without one there is no context member', async () => {
  assert.ok(!('context' in rules.scan(COMMENTS[0])));
  assert.ok(!('context' in (await rules.scanAsync(COMMENTS[0], null))));
  for (const notContext of [{}, rules, 'ctx', 1]) {
    assert.throws(() => rules.scan(COMMENTS[0], notContext), TypeError);
    assert.throws(() => rules.scanAsync(COMMENTS[0], notContext), TypeError);
  }
  assert.throws(() => quell.Context.prototype.save.call(rules, '/tmp/x'), TypeError);
});

test('a Context dropped while its scans are in flight keeps them whole', () => {
  // Each scan in flight holds the native context, so the collector cannot
  // free it under them. (A smoke test: when Node runs the finalizer is its
  // own affair, and it may come after the scans end.)
  const code = `
    const quell = require(${JSON.stringify(path.join(__dirname, '..'))});
    const rules = quell.load(${JSON.stringify(contextRules)});
    const comments = ${JSON.stringify(COMMENTS.slice(0, 300).map((c) => ({ ...c, time: +c.time })))};
    // Work queued ahead of them (scans without context), so that they
    // still wait while the collector and the finalizers run.
    const ahead = [];
    for (let k = 0; k < 20; k++) ahead.push(...comments.map((c) => rules.scanAsync(c)));
    let ctx = new quell.Context();
    const inOne = comments.map((c) => rules.scanAsync(c, ctx));
    ctx = null;
    globalThis.gc();
    setImmediate(() => {
      globalThis.gc();
      Promise.all(inOne).then((v) => process.stdout.write(JSON.stringify(v)));
    });`;
  const run = spawnSync(process.execPath, ['--expose-gc', '-e', code], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(run.stderr, '');
  assert.equal(run.status, 0);
  assert.deepEqual(JSON.parse(run.stdout), expected.slice(0, 300));
});

test('a worker thread has its own Context; ending it mid-stream leaves the others be', async () => {
  const script = `
    const { parentPort, workerData } = require('node:worker_threads');
    const quell = require(workerData.index);
    const rules = quell.load(workerData.rules);
    const ctx = new quell.Context();
    const scans = workerData.comments.map((c) => rules.scanAsync(c, ctx));
    if (workerData.wait) Promise.all(scans).then((v) => parentPort.postMessage(v));
    else parentPort.postMessage('started');`;
  const comments = COMMENTS.slice(0, 200).map((c) => ({ ...c, time: +c.time }));
  const start = (wait) =>
    new Worker(script, { eval: true, workerData: { index: path.join(__dirname, '..'), rules: contextRules, comments, wait } });
  const message = (w) => new Promise((resolve, reject) => (w.once('message', resolve), w.once('error', reject)));
  // Terminated with scans queued and waiting for their turn, a few times over.
  for (let k = 0; k < 5; k++) {
    const w = start(false);
    await message(w);
    await w.terminate();
  }
  const w = start(true);
  assert.deepEqual(await message(w), expected.slice(0, 200));
  await w.terminate();
  const ctx = new quell.Context();
  const got = await Promise.all(COMMENTS.slice(0, 200).map((c) => rules.scanAsync(c, ctx)));
  assert.deepEqual(got, expected.slice(0, 200));
});
