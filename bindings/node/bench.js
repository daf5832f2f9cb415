'use strict';
// bench.js - what the binding costs per comment: scan() and scanAsync() over
// the first 10000 Davidson (English) and 3000 MPOLD (Arabic) comments, wall
// and CPU time. `node bench.js sync|async [RULES]`, from the repository's
// top (QUELL_DATA: the labelled data, default /work/shared/data);
// `node bench.js dump` writes the same comments as JSONL to stdout, for
// timing `quell filter -f jsonl -j1` on them. The -context modes scan them
// in one quell.Context, as from 500 authors, one a second (`dump-context`
// writes those records, for `quell filter -f jsonl --context -j1`).
const fs = require('node:fs');
const path = require('node:path');
const quell = require('./index.js');

const data = process.env.QUELL_DATA || '/work/shared/data';

// The second column of a CSV with a header line (RFC 4180 quoting).
function csvTexts(file, limit) {
  const s = fs.readFileSync(file, 'utf8');
  const texts = [];
  let field = 0;
  let cur = '';
  let isQuoted = false;
  for (let i = s.indexOf('\n') + 1; i < s.length && texts.length < limit; i++) {
    const ch = s[i];
    if (isQuoted) {
      if (ch !== '"') cur += ch;
      else if (s[i + 1] === '"') cur += s[++i];
      else isQuoted = false;
    } else if (ch === '"') {
      isQuoted = true;
    } else if (ch === ',' || ch === '\n') {
      if (field === 1) texts.push(cur);
      field = ch === ',' ? field + 1 : 0;
      cur = '';
    } else {
      cur += ch;
    }
  }
  return texts;
}

const comments = [
  ...csvTexts(path.join(data, 'davidson-hate-offensive', 'davidson-hate-offensive.csv'), 10000),
  ...csvTexts(path.join(data, 'mpold-ar-comments', 'mpold-ar-comments.csv'), 3000),
];
const mode = process.argv[2];
const T0 = Date.parse('2026-12-06T00:00:00Z');
const records = comments.map((body, i) => ({ id: i + 1, author: `u${i % 500}`, time: T0 / 1000 + i, body }));

async function main() {
  if (mode === 'dump') {
    process.stdout.write(comments.map((c) => JSON.stringify({ body: c })).join('\n') + '\n');
    return;
  }
  if (mode === 'dump-context') {
    process.stdout.write(records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    return;
  }
  const rules = quell.load(process.argv[3] || 'build/default.qdb');
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let verdicts;
  if (mode === 'sync') verdicts = comments.map((c) => rules.scan(c));
  else if (mode === 'async') verdicts = await Promise.all(comments.map((c) => rules.scanAsync(c)));
  else if (mode.endsWith('-context')) {
    const ctx = new quell.Context();
    const inContext = records.map((r) => ({ ...r, time: r.time * 1000 }));
    if (mode === 'sync-context') verdicts = inContext.map((c) => rules.scan(c, ctx));
    else if (mode === 'async-context')
      verdicts = await Promise.all(inContext.map((c) => rules.scanAsync(c, ctx)));
  }
  if (!verdicts) throw new Error('usage: node bench.js sync|async|sync-context|async-context|dump|dump-context [RULES]');
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const flagged = verdicts.filter((v) => v.action !== 'pass').length;
  console.log(
    `${mode}: ${comments.length} comments, ${flagged} not passed; wall ${wallMs.toFixed(0)} ms, ` +
      `cpu ${cpuMs.toFixed(0)} ms, ${((cpuMs * 1000) / comments.length).toFixed(1)} us cpu/comment`,
  );
}

main().catch((err) => {
  console.error(`bench: ${err.message}`);
  process.exit(1);
});
