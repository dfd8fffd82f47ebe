/**
 * The one error type of the input parsers. A whole file that is not the expected format at all
 * (an HTML page, a truncated file, missing columns, an empty body) is refused with a
 * `FormatError`; a bad row inside a good file is a `Rejection` in the parser's result instead.
 */
import type { Rejection } from '../domain.ts';

/** `shrt20240131.csv line 12, field currentShortPositionQuantity: "-5" is negative`. */
export function formatRejection(r: Rejection): string {
  const where = r.line > 0 ? `${r.file} line ${r.line}` : r.file;
  return r.field === '*' ? `${where}: ${r.reason}` : `${where}, field ${r.field}: ${r.reason}`;
}

export class FormatError extends Error {
  /** File name as received (no directory). */
  readonly file: string;
  /** 1-based line (row index for JSON) that proves the refusal; 0 when it concerns the whole body. */
  readonly line: number;
  /** Vendor column name, or `*` for the whole line/file. */
  readonly field: string;
  readonly reason: string;

  constructor(file: string, line: number, field: string, reason: string, options?: ErrorOptions) {
    super(formatRejection({ file, line, field, reason }), options);
    this.name = 'FormatError';
    this.file = file;
    this.line = line;
    this.field = field;
    this.reason = reason;
  }

  /** The refusal as a rejection record (for the published `dataQuality` section and the CLI report). */
  toRejection(): Rejection {
    return { file: this.file, line: this.line, field: this.field, reason: this.reason };
  }
}
