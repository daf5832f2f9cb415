// Type declarations for quell's Node binding. The verdict's shape is the
// one `quell filter` writes (docs and include/quell.h, quell_verdict_to_json):
// the addon parses the library's own JSON, so the two cannot differ.

/** A comment: its body alone, or its fields. Buffers are UTF-8 bytes. */
export type Comment =
  | string
  | {
      body: string | Buffer;
      author?: string | Buffer | null;
      /** Echoed in the verdict's id; null or absent gives null. */
      id?: string | number | null;
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
}

/** Thrown by load() and scan(), and the rejection of scanAsync(). */
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
  /** Scan on the calling thread (microseconds for a short comment). */
  scan(comment: Comment): Verdict;
  /** Scan on libuv's worker pool: the event loop is not blocked. */
  scanAsync(comment: Comment): Promise<Verdict>;
}

/** Load rules from a .qdb (quick) or a .cfg (compiled now, on this thread:
 *  seconds for the shipped rules; prefer a .qdb in a server). */
export declare function load(path: string): Rules;

/** load(), on libuv's worker pool: a server can compile or reload rules
 *  without blocking its event loop. Rejects with a QuellError. */
export declare function loadAsync(path: string): Promise<Rules>;

/** libquell's version, e.g. '0.5.0'. */
export declare const version: string;
