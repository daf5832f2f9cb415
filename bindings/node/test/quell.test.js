'use strict';
// The Node binding against the command: the same rules and comments must give
// the verdicts `quell filter` writes, synchronously and on the worker pool.
// make check-node sets QUELL_NODE_ADDON, QUELL_BIN and QUELL_DEFAULT_RULES;
// run alone, the paths default to the repository's build/.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { execFileSync, spawnSync } = require('node:child_process');
const { Worker } = require('node:worker_threads');

const root = path.resolve(__dirname, '..', '..', '..');
const quellBin = process.env.QUELL_BIN || path.join(root, 'build', 'quell');
const rulesPath = process.env.QUELL_DEFAULT_RULES || path.join(root, 'build', 'default.qdb');
const fixtures = path.join(__dirname, 'fixtures');

const quell = require('..');

// English, Arabic and Arabizi, abusive and clean, with and without authors,
// numeric and string ids; each comment's expected action is asserted too,
// so that equal-to-the-command cannot pass on verdicts that are all "pass".
const COMMENTS = [
  { c: { id: 1, body: 'you are an idiot', author: 'sam' }, action: 'hold' },
  { c: { id: 'a2', body: 'يا غبي', author: 'علي' }, action: 'hold' },
  { c: { id: 3, body: 'enta 5anzeer ya 7mar' }, action: 'hold' },
  { c: { id: 4, body: 'Thanks for the thoughtful article about the strike.' }, action: 'pass' },
  { c: { id: 5, body: 'sharmouta', author: 'cheap-pills.biz' }, action: 'flag' },
  { c: { id: 6, body: 'انت كذاب' }, action: 'flag' },
  { c: { id: 7, body: 'write to me at jane.doe@example.com, you moron' }, action: 'hold' },
  { c: { id: 8, body: 'Ｙｏｕ ａｒｅ ａｎ ｉｄｉｏｔ 🙂 — said the café owner' }, action: 'hold' },
];

// The command's verdicts for comments, one JSON line each, in order.
function filterWithCommand(comments) {
  const input = comments.map((c) => JSON.stringify(c)).join('\n') + '\n';
  const out = execFileSync(quellBin, ['filter', '-f', 'jsonl', '-j', '1', rulesPath], {
    input,
    encoding: 'utf8',
  });
  const lines = out.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, comments.length);
  return lines.map((l) => JSON.parse(l));
}

const rules = quell.load(rulesPath);
const expected = filterWithCommand(COMMENTS.map((x) => x.c));

test('the command and the cases agree on each action', () => {
  assert.deepEqual(
    expected.map((v) => v.action),
    COMMENTS.map((x) => x.action),
  );
});

test('scan gives the verdicts quell filter writes', () => {
  COMMENTS.forEach((x, i) => {
    assert.deepEqual(rules.scan(x.c), expected[i], `comment ${x.c.id}`);
  });
});

test('a verdict has the hits with byte offsets into the UTF-8 body', () => {
  const v = rules.scan({ id: 'a2', body: 'يا غبي' });
  const body = Buffer.from('يا غبي');
  const hit = v.hits.find((h) => h.rule === 'insult.ar');
  assert.ok(hit, 'insult.ar fired');
  assert.equal(hit.field, 'body');
  assert.equal(body.subarray(hit.start, hit.end).toString(), hit.text);
  assert.equal(hit.text, 'غبي');
  assert.equal(v.rules_id, rules.id);
});

test('a string is the body of a comment without id', () => {
  const v = rules.scan('you are an idiot');
  assert.deepEqual(v, { ...filterWithCommand([{ body: 'you are an idiot' }])[0], id: null });
  assert.equal(v.action, 'hold');
});

test('the author is scanned as its own field', () => {
  const v = rules.scan({ body: 'a fine article', author: 'Anna http://x.example' });
  const hit = v.hits.find((h) => h.rule === 'spam.author.link');
  assert.ok(hit, 'spam.author.link fired');
  assert.equal(hit.field, 'author');
  assert.equal(hit.text, 'http://');
  assert.equal(v.categories.spam, 2);
  assert.ok(!v.hits.some((h) => h.field === 'body'));
});

test('a Buffer body is scanned as its bytes', () => {
  assert.deepEqual(rules.scan({ id: 1, body: Buffer.from('you are an idiot'), author: 'sam' }), expected[0]);
});

test('scanAsync gives the same verdicts as scan', async () => {
  const verdicts = await Promise.all(COMMENTS.map((x) => rules.scanAsync(x.c)));
  assert.deepEqual(verdicts, expected);
});

test('many scanAsync in flight leave the event loop running', async () => {
  // About 300 KB each: milliseconds of scanning apiece, on the worker pool.
  const big =
    'Thanks for the thoughtful article about the strike and the vote in parliament. '.repeat(4000) +
    'you are an idiot';
  const want = rules.scan({ id: 'big', body: big });
  assert.equal(want.action, 'hold');

  let ticks = 0;
  let ticksWhilePending = 0;
  let pending = 64;
  const timer = setInterval(() => {
    ticks++;
    if (pending > 0) ticksWhilePending++;
  }, 1);
  try {
    const scans = Array.from({ length: 64 }, () =>
      rules.scanAsync({ id: 'big', body: big }).then((v) => {
        pending--;
        return v;
      }),
    );
    // The calls returned at once: nothing has been scanned on this thread.
    assert.equal(pending, 64);
    const verdicts = await Promise.all(scans);
    for (const v of verdicts) assert.deepEqual(v, want);
  } finally {
    clearInterval(timer);
  }
  // A scan on the main thread would have held every timer back until the
  // last one ended; on the worker pool the timer kept firing between them.
  assert.ok(ticksWhilePending > 0, `timer fired ${ticks} times, ${ticksWhilePending} while scans were pending`);
});

test('a worker thread loads and scans with its own Rules', async () => {
  // The addon is context-aware: each thread's environment gets its own
  // Rules class, and verdicts there are the same.
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const quell = require(workerData.index);
     const rules = quell.load(workerData.rules);
     rules.scanAsync(workerData.comment).then((v) => parentPort.postMessage([rules.scan(workerData.comment), v]));`,
    { eval: true, workerData: { index: path.join(__dirname, '..'), rules: rulesPath, comment: COMMENTS[2].c } },
  );
  const [sync, async] = await new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  assert.deepEqual(sync, expected[2]);
  assert.deepEqual(async, expected[2]);
});

test('loadAsync loads the same rules off the event loop', async () => {
  const loaded = await quell.loadAsync(rulesPath);
  assert.ok(loaded instanceof quell.Rules);
  assert.equal(loaded.id, rules.id);
  assert.deepEqual(loaded.scan(COMMENTS[1].c), expected[1]);
  // A .cfg is compiled there too: the fixture's good rule works.
  const small = await quell.loadAsync(path.join(fixtures, 'good.cfg'));
  assert.equal(small.scan('what an idiot').action, 'flag');
});

test('loadAsync rejects a bad rules file with file, line and rule id', async () => {
  const file = path.join(fixtures, 'bad_regex.cfg');
  await assert.rejects(quell.loadAsync(file), { code: 'QUELL_ECOMPILE', file, line: 19, ruleId: 'bad.one' });
  assert.throws(() => quell.loadAsync(7), TypeError);
});

test('a rule Hyperscan refuses throws with file, line and rule id', () => {
  const file = path.join(fixtures, 'bad_regex.cfg');
  assert.throws(() => quell.load(file), (err) => {
    assert.ok(err instanceof Error);
    assert.equal(err.code, 'QUELL_ECOMPILE');
    assert.equal(err.errno, -4);
    assert.equal(err.file, file);
    assert.equal(err.line, 19);
    assert.equal(err.ruleId, 'bad.one');
    assert.match(err.message, /bad_regex\.cfg:19: .*parenthesis/);
    return true;
  });
});

test('a syntax error throws with file and line', () => {
  const file = path.join(fixtures, 'bad_syntax.cfg');
  assert.throws(() => quell.load(file), (err) => {
    assert.equal(err.code, 'QUELL_ECONFIG');
    assert.equal(err.file, file);
    assert.equal(err.line, 5);
    assert.equal(err.ruleId, undefined);
    return true;
  });
});

test('a missing rules file throws QUELL_EIO naming it', () => {
  const file = path.join(fixtures, 'no-such-rules.cfg');
  assert.throws(() => quell.load(file), { code: 'QUELL_EIO', file });
});

test('invalid UTF-8 throws from scan and rejects from scanAsync', async () => {
  const bad = { id: 9, body: Buffer.from([0x79, 0x6f, 0x75, 0xff]) };
  assert.throws(() => rules.scan(bad), { code: 'QUELL_EINPUT', errno: -7 });
  await assert.rejects(rules.scanAsync(bad), { code: 'QUELL_EINPUT' });
  // The scanner the failure used is still good.
  assert.deepEqual(rules.scan(COMMENTS[0].c), expected[0]);
});

test('a comment of the wrong type is a TypeError', () => {
  assert.throws(() => rules.scan(42), TypeError);
  assert.throws(() => rules.scan({ author: 'x' }), TypeError);
  assert.throws(() => rules.scan({ body: 'x', id: {} }), TypeError);
  assert.throws(() => rules.scanAsync(), TypeError);
  assert.throws(() => new quell.Rules(), TypeError);
});

test('the rule set is described', () => {
  assert.match(rules.id, /^[0-9a-f]{16}$/);
  assert.equal(rules.id, expected[0].rules_id);
  assert.ok(rules.ruleCount > 100);
  assert.equal(typeof rules.label, 'string');
  assert.match(quell.version, /^\d+\.\d+\.\d+$/);
});

test('the pre-save hook example runs', () => {
  const run = spawnSync(process.execPath, [path.join(__dirname, '..', 'example.js'), rulesPath], {
    encoding: 'utf8',
  });
  assert.equal(run.stderr, '');
  assert.equal(run.status, 0);
  const lines = run.stdout.trim().split('\n');
  assert.deepEqual(
    lines.map((l) => l.split(' ').slice(0, 3).join(' ')),
    ['101 published pass', '102 pending hold', '103 pending hold', '104 pending hold'],
  );
  assert.match(lines[1], / insult\.en(,|$)/);
  assert.match(lines[2], / insult\.ar(,|$)/);
});

test('the pre-save hook sets the state of a comment', async () => {
  const { makePreSaveHook } = require('../example.js');
  const preSave = makePreSaveHook(rules);
  const comment = { id: 7, author: 'x', body: 'يا غبي' };
  assert.equal(await preSave(comment), comment);
  assert.equal(comment.status, 'pending');
  assert.equal(comment.moderation.action, 'hold');
  assert.ok(comment.moderation.rules.includes('insult.ar'));
});
