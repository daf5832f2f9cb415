'use strict';
// A comments platform's pre-save hook: every comment is scanned before it is
// stored, off the event loop, and stored with the moderation state its
// verdict gives. The same shape fits Mongoose (schema.pre('save', ...)),
// Sequelize (beforeCreate) or a plain repository function.
//
//   node example.js RULES            scans a few comments and prints them
//
// RULES is a .qdb (from `quell compile`) or a .cfg; load once per process.
const quell = require('./index.js');

// What each action means for a comment about to be saved.
const STATUS = { pass: 'published', flag: 'published', hold: 'pending', reject: 'rejected' };

function makePreSaveHook(rules) {
  return async function preSave(comment) {
    const verdict = await rules.scanAsync({
      id: comment.id,
      body: comment.body,
      author: comment.author,
    });
    comment.status = STATUS[verdict.action] ?? 'pending'; // an unknown action: a moderator looks
    comment.flagged = verdict.action !== 'pass';
    comment.moderation = {
      action: verdict.action,
      score: verdict.score,
      rules: (verdict.rules ?? []).filter((r) => r.score > 0).map((r) => r.id),
      rulesId: verdict.rules_id,
    };
    return comment;
  };
}

async function main(rulesPath) {
  const preSave = makePreSaveHook(quell.load(rulesPath));
  const incoming = [
    { id: 101, author: 'reader1', body: 'Thanks for the thoughtful article about the strike.' },
    { id: 102, author: 'reader2', body: 'you are an idiot' },
    { id: 103, author: 'قارئ', body: 'يا غبي' },
    { id: 104, author: 'reader4', body: 'enta 5anzeer ya 7mar' },
  ];
  const saved = await Promise.all(incoming.map(preSave));
  for (const c of saved) {
    console.log(`${c.id} ${c.status} ${c.moderation.action} ${c.moderation.score} ${c.moderation.rules.join(',')}`);
  }
}

module.exports = { makePreSaveHook };

if (require.main === module) {
  if (process.argv.length !== 3) {
    console.error('usage: node example.js RULES');
    process.exit(2);
  }
  main(process.argv[2]).catch((err) => {
    console.error(`example: ${err.message}`);
    process.exit(1);
  });
}
