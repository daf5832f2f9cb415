#!/usr/bin/env node
// Run off-the-shelf profanity filters over one labelled corpus and print, as
// JSON, each filter's confusion matrix, precision, recall, F1 and
// false-positive rate: the baselines that `make eval` sets beside quell.
//
//   node run.js [--format csv|tsv|jsonl] [--text-column T] [--label-column L]
//               (-p LABELS | -n LABELS) [--filters NAME,...] [--list] FILE
//
// -p names the label values that should be flagged (every other value should
// pass); -n names the ones that should pass (every other value should be
// flagged). The format defaults from the file name (.jsonl, .tsv, else CSV).
// Rows are counted as quell eval counts them: a row with a missing column, an
// empty text or an empty label is malformed and left out of the figures.
//
// The filters and their settings are in FILTERS below; README.md in
// tools/eval explains the choices. Node 18 or later, packages from
// package-lock.json (npm ci).
'use strict';

const fs = require('fs');
const path = require('path');
const { parse: parseCsv } = require('csv-parse/sync');

const HERE = __dirname;
const REPO = path.resolve(HERE, '..', '..');

function dataDir() {
  return process.env.QUELL_DATA
    ? path.resolve(process.env.QUELL_DATA)
    : path.resolve(REPO, '..', 'shared', 'data');
}

function pkgVersion(name) {
  const p = path.join(HERE, 'node_modules', ...name.split('/'), 'package.json');
  return JSON.parse(fs.readFileSync(p, 'utf8')).version;
}

// ---------------------------------------------------------------- naive
// Raw word lists matched as whole words: the match must not have a letter,
// mark, digit or connector punctuation just before or after it (any script),
// case-insensitive (Unicode simple case folding); inner spaces of a phrase
// match any run of white space. No normalisation, no allow list.
const WORD_CHAR = '[\\p{L}\\p{M}\\p{N}\\p{Pc}]';

function readList(rel) {
  const file = path.join(dataDir(), rel);
  return fs.readFileSync(file, 'utf8').split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

const ARABIC = /[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]/u;

// "naive": the original LDNOOBW lists, English and Arabic, as shipped.
// "naive-v2": the same plus the Arabic-script entries of LDNOOBW V2's ar.txt
// that have two letters or more (its one-letter entries "أ" and "ا" are
// letters, not words). Its Latin-letter Arabizi half is left out: these
// corpora are in Arabic script, and those entries collide with English
// words and names ("zip", "nam"). V2's Arabic-script half is kept raw,
// everyday words and all ("الله" God, "ان" that, "كلام" speech), to show
// what a raw list does.
function naiveLists(v2) {
  const en = readList('ldnoobw/en.txt');
  const ar = readList('ldnoobw/ar.txt');
  const ar2 = v2
    ? readList('ldnoobw-v2/ar.txt')
      .filter((w) => ARABIC.test(w) && [...w.replace(/\s+/g, '')].length >= 2)
    : [];
  const seen = new Set();
  const words = [];
  for (const w of [...en, ...ar, ...ar2]) {
    const k = w.toLowerCase();
    if (!seen.has(k)) {
      seen.add(k);
      words.push(w);
    }
  }
  const counts = { 'ldnoobw/en.txt': en.length, 'ldnoobw/ar.txt': ar.length };
  if (v2) counts['ldnoobw-v2/ar.txt (Arabic script, 2+ letters)'] = ar2.length;
  counts.distinct = words.length;
  return { words, counts };
}

function makeNaive(v2) {
  const { words, counts } = naiveLists(v2);
  // Single words (only word characters) go in a set looked up per token;
  // the rest (phrases, words with symbols) are one regular expression.
  const tokenRe = new RegExp(`${WORD_CHAR}+`, 'gu');
  const isToken = new RegExp(`^${WORD_CHAR}+$`, 'u');
  const single = new Set();
  const other = [];
  for (const w of words) {
    if (isToken.test(w)) single.add(w.toLowerCase());
    else other.push(w);
  }
  // Escape the syntax characters only: with the u flag, escaping anything
  // else (such as "-") is an error.
  const esc = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  other.sort((a, b) => b.length - a.length);
  const otherRe = other.length
    ? new RegExp(`(?<!${WORD_CHAR})(?:${other.map((w) => esc(w).replace(/\s+/g, '\\s+')).join('|')})(?!${WORD_CHAR})`, 'iu')
    : null;
  return {
    settings: { lists: counts, single_words: single.size, phrases_or_symbols: other.length,
      match: 'whole words, Unicode word boundaries, case-insensitive, no normalisation' },
    check(text) {
      for (const m of text.matchAll(tokenRe)) {
        if (single.has(m[0].toLowerCase())) return true;
      }
      return otherRe ? otherRe.test(text) : false;
    },
  };
}

// -------------------------------------------------------------- filters
const FILTERS = {
  naive: {
    pkg: null,
    make: () => makeNaive(false),
  },
  'naive-v2': {
    pkg: null,
    make: () => makeNaive(true),
  },
  obscenity: {
    pkg: 'obscenity',
    make() {
      const o = require('obscenity');
      const m = new o.RegExpMatcher({
        ...o.englishDataset.build(),
        ...o.englishRecommendedTransformers,
      });
      return {
        settings: { dataset: 'englishDataset', transformers: 'englishRecommendedTransformers',
          languages: 'en only (the package has no Arabic)' },
        check: (t) => m.hasMatch(t),
      };
    },
  },
  'bad-words': {
    pkg: 'bad-words',
    make() {
      const { Filter } = require('bad-words');
      const f = new Filter();
      return {
        settings: { options: 'defaults', languages: 'en only (the package has no Arabic)',
          words: f.list.length },
        check: (t) => f.isProfane(t),
      };
    },
  },
  'leo-profanity': {
    pkg: 'leo-profanity',
    make() {
      const leo = require('leo-profanity');
      leo.loadDictionary('en');
      return {
        settings: { dictionary: 'en (the package ships en, fr, ru; no Arabic)',
          words: leo.list().length },
        check: (t) => leo.check(t),
      };
    },
  },
  'glin-profanity': {
    pkg: 'glin-profanity',
    make() {
      const { Filter } = require('glin-profanity');
      const f = new Filter({ languages: ['english', 'arabic'] });
      return {
        settings: { languages: ['english', 'arabic'], other: 'defaults (wordBoundaries true)',
          words: f.getWordCount(),
          caveat: 'its word boundary is the ASCII \\b, which never holds beside an Arabic letter, so its Arabic words cannot match' },
        check: (t) => f.isProfane(t),
      };
    },
  },
  'glin-ar-substr': {
    pkg: 'glin-profanity',
    make() {
      // The same package with its Arabic list usable: English as above, the
      // Arabic list with wordBoundaries false (plain substring match: the
      // package has no Unicode word boundary to offer) and its fuzzy match
      // off (fuzzyToleranceLevel above 1; at the default 0.8 a word matches
      // when its letters occur in order anywhere in the text, so the list's
      // Latin entry "kos" fires on nearly every English text).
      const { Filter } = require('glin-profanity');
      const en = new Filter({ languages: ['english'] });
      const ar = new Filter({ languages: ['arabic'], wordBoundaries: false,
        fuzzyToleranceLevel: 1.01 });
      return {
        settings: { english: 'defaults',
          arabic: 'wordBoundaries false (substring match), fuzzyToleranceLevel 1.01 (fuzzy match off)',
          words: en.getWordCount() + ar.getWordCount() },
        check: (t) => en.isProfane(t) || ar.isProfane(t),
      };
    },
  },
  '2toad': {
    pkg: '@2toad/profanity',
    make() {
      const { Profanity } = require('@2toad/profanity');
      const p = new Profanity({ languages: ['en', 'ar'], unicodeWordBoundaries: true });
      return {
        settings: { languages: ['en', 'ar'], unicodeWordBoundaries: true,
          note: 'unicodeWordBoundaries is needed for Arabic: with the default ASCII \\b no Arabic word matches' },
        check: (t) => p.exists(t),
      };
    },
  },
};

// ----------------------------------------------------------------- input
function usage(msg) {
  if (msg) process.stderr.write(`run.js: ${msg}\n`);
  (msg ? process.stderr : process.stdout).write('usage: node run.js [--format csv|tsv|jsonl] [--text-column T] '
    + '[--label-column L] (-p LABELS | -n LABELS) [--filters NAME,...] [--list] FILE\n'
    + `filters: ${Object.keys(FILTERS).join(', ')} (default all)\n`);
  process.exit(msg ? 2 : 0);
}

function parseArgs(argv) {
  const o = { text: 'text', label: 'label', filters: Object.keys(FILTERS) };
  const need = (i) => {
    if (i + 1 >= argv.length) usage(`${argv[i]} needs a value`);
    return argv[i + 1];
  };
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i];
    let v = null;
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0) {
      v = a.slice(eq + 1);
      a = a.slice(0, eq);
    }
    const val = () => (v !== null ? v : need(i++));
    switch (a) {
      case '--format': o.format = val(); break;
      case '--text-column': o.text = val(); break;
      case '--label-column': o.label = val(); break;
      case '-p': case '--positive': o.positive = val().split(',').filter(Boolean); break;
      case '-n': case '--negative': o.negative = val().split(',').filter(Boolean); break;
      case '--filters': o.filters = val().split(',').filter(Boolean); break;
      case '--list': o.list = true; break;
      case '-h': case '--help': usage();
      // falls through (usage exits)
      default:
        if (a.startsWith('-')) usage(`unknown option ${a}`);
        if (o.file) usage('one FILE only');
        o.file = a;
    }
  }
  if (o.list) return o;
  if (!o.file) usage('no FILE');
  if (!o.positive === !o.negative) usage('give exactly one of -p and -n');
  if ((o.positive || o.negative).length === 0) usage('-p/-n names no label');
  for (const f of o.filters) if (!FILTERS[f]) usage(`unknown filter ${f}`);
  if (!o.format) {
    o.format = o.file.endsWith('.jsonl') ? 'jsonl' : o.file.endsWith('.tsv') ? 'tsv' : 'csv';
  }
  if (!['csv', 'tsv', 'jsonl'].includes(o.format)) usage(`bad format ${o.format}`);
  return o;
}

function decode(buf, file) {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(buf);
  } catch (e) {
    process.stderr.write(`run.js: ${file}: not valid UTF-8; invalid bytes read as U+FFFD\n`);
    return new TextDecoder('utf-8').decode(buf);
  }
}

// Return { rows, malformed, records: [{text, label}] }.
function readCorpus(o) {
  const text = decode(fs.readFileSync(o.file), o.file);
  const records = [];
  let rows = 0;
  let malformed = 0;
  const bad = (where, why) => {
    malformed++;
    if (malformed <= 20) process.stderr.write(`run.js: ${o.file}: ${where}: ${why}\n`);
  };
  if (o.format === 'jsonl') {
    const lines = text.split('\n');
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      rows++;
      let obj;
      try {
        obj = JSON.parse(line);
      } catch (e) {
        bad(`line ${i + 1}`, 'bad JSON');
        return;
      }
      const t = obj && obj[o.text];
      // As quell eval reads JSON Lines: a number label is its decimal text.
      let l = obj && obj[o.label];
      if (typeof l === 'number') l = String(l);
      if (typeof t !== 'string' || typeof l !== 'string') bad(`line ${i + 1}`, 'text or label missing or not a string');
      else if (t === '') bad(`line ${i + 1}`, 'empty text');
      else if (l === '') bad(`line ${i + 1}`, 'empty label');
      else records.push({ text: t, label: l });
    });
  } else {
    const table = parseCsv(text, {
      delimiter: o.format === 'tsv' ? '\t' : ',',
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
    });
    if (table.length === 0) usage(`${o.file}: no header`);
    const header = table[0];
    const ti = header.indexOf(o.text);
    const li = header.indexOf(o.label);
    if (ti < 0) usage(`${o.file}: no column '${o.text}'`);
    if (li < 0) usage(`${o.file}: no column '${o.label}'`);
    for (let r = 1; r < table.length; r++) {
      rows++;
      const row = table[r];
      if (row.length <= Math.max(ti, li)) bad(`row ${r}`, 'missing column');
      else if (row[ti] === '') bad(`row ${r}`, 'empty text');
      else if (row[li] === '') bad(`row ${r}`, 'empty label');
      else records.push({ text: row[ti], label: row[li] });
    }
  }
  return { rows, malformed, records };
}

// ---------------------------------------------------------------- scoring
const ratio = (a, b) => (b === 0 ? null : a / b);

function score(m) {
  return {
    ...m,
    precision: ratio(m.tp, m.tp + m.fp),
    recall: ratio(m.tp, m.tp + m.fn),
    f1: ratio(2 * m.tp, 2 * m.tp + m.fp + m.fn),
    fpr: ratio(m.fp, m.fp + m.tn),
  };
}

function main() {
  const o = parseArgs(process.argv.slice(2));
  if (o.list) {
    const out = {};
    for (const [name, f] of Object.entries(FILTERS)) {
      out[name] = { package: f.pkg, version: f.pkg ? pkgVersion(f.pkg) : null };
    }
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return;
  }
  const corpus = readCorpus(o);
  const isPos = o.positive
    ? (l) => o.positive.includes(l)
    : (l) => !o.negative.includes(l);
  const labels = corpus.records.map((r) => isPos(r.label));
  const result = {
    file: o.file,
    rows: corpus.rows,
    malformed: corpus.malformed,
    evaluated: corpus.records.length,
    positive_rows: labels.filter(Boolean).length,
    filters: [],
  };
  for (const name of o.filters) {
    const def = FILTERS[name];
    let f;
    try {
      f = def.make();
    } catch (e) {
      // A filter that cannot be set up (say, a word list is missing) is
      // reported as not run, never as a row of zeros.
      result.filters.push({ name, package: def.pkg,
        version: def.pkg ? pkgVersion(def.pkg) : null, error: String(e.message || e) });
      process.stderr.write(`run.js: ${name}: ${e.message || e}\n`);
      continue;
    }
    const m = { tp: 0, fp: 0, fn: 0, tn: 0 };
    const t0 = process.hrtime.bigint();
    corpus.records.forEach((r, i) => {
      const flagged = Boolean(f.check(r.text));
      if (flagged) m[labels[i] ? 'tp' : 'fp']++;
      else m[labels[i] ? 'fn' : 'tn']++;
    });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    result.filters.push({
      name,
      package: def.pkg,
      version: def.pkg ? pkgVersion(def.pkg) : null,
      settings: f.settings,
      ...score(m),
      seconds: Math.round(seconds * 1000) / 1000,
    });
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

// Run as a program; bench/npm_filters.js loads the same FILTERS to time them.
if (require.main === module) main();
module.exports = { FILTERS, pkgVersion };
