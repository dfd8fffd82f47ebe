/**
 * zod pieces shared by the vendor row schemas: type errors worded like the other reasons, a
 * transform that turns a primitive's problem string into an issue, and issue → Rejection.
 */
import type { Rejection } from '../domain.ts';
import * as z from '../zod.ts';
import { symbolProblem } from './symbols.ts';
import { isBlank, parseIsoDate, reasonFor, showValue } from './text.ts';

/** zod `error` option: `is missing` for an absent key, else `is not <expected>`. */
export function typeError(expected: string): (issue: { input?: unknown }) => string {
  return (issue) => (issue.input === undefined ? 'is missing' : `is not ${expected}`);
}

/**
 * A transform over a primitive that returns either the value or the problem as a string
 * (`quantityOf`, `priceOf`): the same function backs the zod schema and the fast row checks.
 */
export function problemTransform<I, O>(primitive: (input: I) => O | string): (input: I, ctx: z.core.ParsePayload) => O {
  return (input, ctx) => {
    const out = primitive(input);
    if (typeof out === 'string') {
      ctx.issues.push({ code: 'custom', message: out, input });
      return z.NEVER;
    }
    return out;
  };
}

/** The first issue of a failed row parse as a rejection; `row` is the raw row the value is read from. */
export function issueRejection(
  file: string,
  line: number,
  row: unknown,
  issues: readonly z.core.$ZodIssue[],
): Rejection {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) {
    return { file, line, field: '*', reason: `${showValue(row)} is not a row object` };
  }
  const issue = issues[0];
  const key = issue?.path[0];
  if (key === undefined) return { file, line, field: '*', reason: issue?.message ?? 'is invalid' };
  const field = String(key);
  const value = (row as Record<string, unknown>)[field];
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
  return { file, line, field, reason: `${reasonFor(value, issue?.message ?? 'is invalid')}${more}` };
}

/** A date column (`YYYY-MM-DD` or `YYYYMMDD`, a real calendar date) → `YYYY-MM-DD`. */
export function dateField(expected: string) {
  return z.pipe(
    z.string({ error: typeError('a string') }),
    z.transform((input: string, ctx) => {
      const date = parseIsoDate(input);
      if (date === null) {
        ctx.issues.push({ code: 'custom', message: `is not a date (${expected})`, input });
        return z.NEVER;
      }
      return date;
    }),
  );
}

/**
 * A symbol column: not blank, and a spelling `canonicalSymbol` reads unambiguously (`symbolProblem`). One
 * instance, built on first use (`z.onFirstUse`, ../zod.ts).
 */
export const symbolText = /* @__PURE__ */ z.onFirstUse(() =>
  z.string({ error: typeError('a string') }).check(
    z.superRefine((s: string, ctx) => {
      const problem = isBlank(s) ? 'is empty' : symbolProblem(s);
      if (problem !== null) ctx.addIssue({ code: 'custom', message: problem, input: s });
    }),
  ),
);

/**
 * The rows of an operator's or vendor's table through their row schema, the first row of each key kept:
 * the records in row order, and a rejection for each row the schema refuses (`issueRejection`) and for each
 * later row of a key already given (`<label> repeats <unit> <n>; the first row is kept`, field `symbol`).
 * The one reading of splits.csv, securities.csv and the split calendar.
 */
export function firstRowsByKey<S extends z.ZodMiniType, T>(
  file: string,
  rows: Iterable<{ line: number; raw: unknown }>,
  schema: S,
  toRecord: (row: z.output<S>) => T,
  keyOf: (record: T) => { key: string; label: string },
  unit: 'line' | 'row',
): { records: T[]; rejections: Rejection[] } {
  const records: T[] = [];
  const rejections: Rejection[] = [];
  const first = new Map<string, number>();
  for (const { line, raw } of rows) {
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      rejections.push(issueRejection(file, line, raw, parsed.error.issues));
      continue;
    }
    const record = toRecord(parsed.data);
    const { key, label } = keyOf(record);
    const seen = first.get(key);
    if (seen !== undefined) {
      rejections.push({
        file,
        line,
        field: 'symbol',
        reason: `${label} repeats ${unit} ${seen}; the first row is kept`,
      });
      continue;
    }
    first.set(key, line);
    records.push(record);
  }
  return { records, rejections };
}
