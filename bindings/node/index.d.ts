// Type declarations for quell's Node binding. The verdict's shape is the
// one `quell filter` writes (docs and include/quell.h, quell_verdict_to_json):
// the addon parses the library's own JSON, so the two cannot differ.

/** A comment: its body alone, or its fields. Buffers are UTF-8 bytes. */
export type Comment =
  | string
  | {
      body: string | Buffer;
      author?: string | Buffer | null;
      /** Echoed in the verdict's id; null or absent gives null. In a
       *  context, a campaign's first comment is named by it. */
      id?: string | number | null;
      /** When it was posted: a Date, or milliseconds since 1970 (as
       *  Date.now(); not seconds, as `quell filter` reads a record's
       *  time). Read only in a context; null or absent: the clock, when
       *  the comment is decided. */
      time?: Date | number | null;
    };

export type Action = 'pass' | 'flag' | 'hold' | 'reject';

/** A rule that fired. */
export interface RuleResult {
  id: string;
  category: string;
  /** Disjoint occurrences (1 for a combination). */
  count: number;
  /** weight * min(count, max_hits). */
  score: number;
}

/** One occurrence. start and end are UTF-8 byte offsets in the field as
 *  given (Buffer.from(body).subarray(start, end) is text), not UTF-16
 *  indexes. */
export interface Hit {
  rule: string;
  category: string;
  field: 'body' | 'author';
  start: number;
  end: number;
  text: string;
}

export interface Verdict {
  id: string | number | null;
  action: Action;
  score: number;
  /** The rule set's id (16 hex digits), as Rules.id. */
  rules_id: string;
  /** Categories that scored; absent when none did. */
  categories?: Record<string, number>;
  /** Fired rules in rule-file order; absent when none fired. */
  rules?: RuleResult[];
  /** Absent when nothing matched. */
  hits?: Hit[];
  /** Present (true) when more hits matched than are listed. */
  truncated?: boolean;
  /** What the context knew of the comment: present exactly when it was
   *  scanned in one (the last member of the library's JSON). */
  context?: ContextFacts;
}

/** A verdict's context member, as `quell filter --context` writes it. */
export interface ContextFacts {
  /** When the comment was fingerprinted (long enough): its cluster of
   *  near copies in the window, this one included, and the distinct
   *  authors among them; first is the id of the cluster's first comment
   *  (null when it had none). Or, for a comment alike to one of the
   *  rules' common phrases, only {common: true}. Absent for a comment too
   *  short to be fingerprinted. */
  campaign?:
    | { copies: number; authors: number; first: string | number | null }
    | { common: true };
  /** When the comment has an author: its comments within rateSeconds, its
   *  comments with this text within authorSeconds (both this one
   *  included), and its earlier ones held or rejected (at most 16 each). */
  author?: { rate: number; repeats: number; held: number };
}

/** Options of a Context (include/quell.h, quell_context_options); each
 *  absent one takes its default. A count is a whole number from 1, a time
 *  or the similarity above 0; others throw a RangeError. */
export interface ContextOptions {
  /** Comments the campaign window holds (20000; at most 2^24). */
  windowComments?: number;
  /** And the oldest it keeps, in seconds (3600). */
  windowSeconds?: number;
  /** Authors remembered, the least recently seen forgotten first (50000; at most 2^24). */
  maxAuthors?: number;
  /** How long an author's repeats and held comments count, in seconds (3600). */
  authorSeconds?: number;
  /** The window of an author's rate, in seconds (60). */
  rateSeconds?: number;
  /** How alike two comments must be to be copies, in (0, 1] (0.5). */
  similarity?: number;
  /** The fewest characters a comment needs, generalised, to be fingerprinted (20). */
  minChars?: number;
}

/**
 * A comment stream's context: recent comments (campaigns of one text by
 * many authors) and each author's rate, repeats and held comments, for the
 * rules' context rules. Pass it to scan() or scanAsync(). Each scan is
 * decided in it in the order of the calls (scanAsync's included, whenever
 * their promises settle); a scan() waits for the scanAsync() calls made
 * before it. One per stream; its memory is bounded by the options.
 */
export declare class Context {
  /** An empty context. Throws a RangeError for an option out of range,
   *  a TypeError for an unknown option or one not a number. */
  constructor(options?: ContextOptions);
  /** Write it to path (a new file, synced, renamed over path), once every
   *  scan called before has been decided; throws a QuellError (QUELL_EIO). */
  save(path: string): void;
  /** Bytes it holds now. */
  readonly memory: number;
  /** The most bytes it can ever hold, with its options. */
  readonly memoryLimit: number;
}

/** A Context resuming what save() wrote, with options (what no longer fits
 *  them is forgotten, oldest first). Throws a QuellError: QUELL_EFORMAT for
 *  a file damaged, truncated or not a context, QUELL_EIO if unreadable. */
export declare function loadContext(path: string, options?: ContextOptions): Context;

/** Thrown by load(), scan(), loadContext() and save(), and the rejection of
 *  scanAsync(). (A context option the library finds out of range is a
 *  RangeError with code 'QUELL_EINVAL' and errno as well.) */
export interface QuellError extends Error {
  /** 'QUELL_ECONFIG', 'QUELL_ECOMPILE', 'QUELL_EIO', 'QUELL_EFORMAT', ... */
  code: string;
  /** The negative quell_code of include/quell.h. */
  errno: number;
  /** The file at fault, when there is one. */
  file?: string;
  /** Its 1-based line, when known. */
  line?: number;
  /** The rule at fault, when there is one. */
  ruleId?: string;
}

/** A compiled rule set. Immutable: share one across the whole process. */
export declare class Rules {
  private constructor();
  /** The rule set's id, as every verdict's rules_id. */
  readonly id: string;
  /** The configuration's label, or ''. */
  readonly label: string;
  readonly ruleCount: number;
  /** Scan on the calling thread (microseconds for a short comment); in
   *  context, after the scans called before it in that context. */
  scan(comment: Comment, context?: Context | null): Verdict;
  /** Scan on libuv's worker pool: the event loop is not blocked. In
   *  context, decided in call order. */
  scanAsync(comment: Comment, context?: Context | null): Promise<Verdict>;
}

/** Load rules from a .qdb (quick) or a .cfg (compiled now, on this thread:
 *  seconds for the shipped rules; prefer a .qdb in a server). */
export declare function load(path: string): Rules;

/** load(), on libuv's worker pool: a server can compile or reload rules
 *  without blocking its event loop. Rejects with a QuellError. */
export declare function loadAsync(path: string): Promise<Rules>;

/** libquell's version, e.g. '0.5.0'. */
export declare const version: string;
