#!/usr/bin/env node
// npm_filters.js - the npm filters that `make eval` sets beside quell
// (tools/baselines/run.js, the same packages and settings), timed on the
// bench's comments: how long each takes per comment and how many comments
// it flags. Each filter runs PASSES times over every comment; the time is
// the median pass, the process's CPU time beside it.
//
//   node bench/npm_filters.js CORPUS.txt [FILTER ...]
//
// CORPUS.txt: one comment per line (make bench's corpus.txt). Filters
// default to obscenity and leo-profanity.
'use strict';

const fs = require('fs');
const path = require('path');
const { FILTERS, pkgVersion } = require(path.join(__dirname, '..', 'tools', 'baselines', 'run.js'));

const PASSES = Number(process.env.BENCH_REPEATS || 3);

function cpuSeconds() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

function median(xs) {
  const v = [...xs].sort((a, b) => a - b);
  const n = v.length;
  return n % 2 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

function main() {
  const args = process.argv.slice(2);
  if (args.length < 1) {
    process.stderr.write('usage: node npm_filters.js CORPUS.txt [FILTER ...]\n');
    process.exit(2);
  }
  const text = fs.readFileSync(args[0], 'utf8');
  const comments = text.split('\n');
  if (comments[comments.length - 1] === '') comments.pop();
  const bytes = Buffer.byteLength(text, 'utf8') - comments.length;
  const names = args.length > 1 ? args.slice(1) : ['obscenity', 'leo-profanity'];
  console.log(`${comments.length} comments, ${(bytes / 1e6).toFixed(1)} MB, node ${process.version}, `
    + `median of ${PASSES} passes`);
  console.log(`${'filter'.padEnd(24)} ${'setup ms'.padStart(9)} ${'ns/comm.'.padStart(9)} `
    + `${'comments/s'.padStart(11)} ${'wall s'.padStart(8)} ${'CPU s'.padStart(8)} ${'flagged'.padStart(8)}`);
  for (const name of names) {
    const def = FILTERS[name];
    if (!def) {
      process.stderr.write(`npm_filters.js: unknown filter ${name}\n`);
      process.exit(2);
    }
    const t0 = process.hrtime.bigint();
    const f = def.make();
    const setupMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const walls = [];
    const cpus = [];
    let flagged = 0;
    for (let p = 0; p < PASSES; p++) {
      const c0 = cpuSeconds();
      const w0 = process.hrtime.bigint();
      let count = 0;
      for (const c of comments) {
        if (f.check(c)) count++;
      }
      walls.push(Number(process.hrtime.bigint() - w0) / 1e9);
      cpus.push(cpuSeconds() - c0);
      flagged = count;
    }
    const wall = median(walls);
    const label = `${name} ${def.pkg ? pkgVersion(def.pkg) : ''}`.trim();
    console.log(`${label.padEnd(24)} ${setupMs.toFixed(1).padStart(9)} `
      + `${(wall / comments.length * 1e9).toFixed(0).padStart(9)} `
      + `${(comments.length / wall).toFixed(0).padStart(11)} ${wall.toFixed(2).padStart(8)} `
      + `${median(cpus).toFixed(2).padStart(8)} ${String(flagged).padStart(8)}`);
  }
}

main();
