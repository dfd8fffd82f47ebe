/**
 * Completes the methodology's snapshot body with what only the caller knows (when it ran, whether the
 * input is sample data, which files it read and which rows the parsers rejected), validating the
 * result against the published schema. Shared by `pulse build` and the pipeline's publish step so both
 * write the same bytes for the same inputs (apart from `generatedAt`).
 */
import type { Rejection } from '../domain.ts';
import { type History, type HistoryRow, type Snapshot, snapshotSchemas } from './schema.ts';

/** What the methodology computes: the snapshot without the caller's fields. */
export type SnapshotBody = Omit<Snapshot, 'generatedAt' | 'sample' | 'sources'>;

export interface AssembleContext {
  generatedAt: string;
  sample: boolean;
  sources: Snapshot['sources'];
  /** Parser rejections (rows and whole files) of the inputs behind this snapshot. */
  rejections: Rejection[];
  /**
   * How many there are in all, when `rejections` holds only the first ones (the pipeline keeps at most
   * MAX_LISTED_REJECTIONS per file); default `rejections.length`.
   */
  rejectedRows?: number;
}

/** The number of rejections listed in `dataQuality.rejections` (all are counted in `rejectedRows`). */
export const MAX_LISTED_REJECTIONS = 100;

export class SnapshotValidationError extends Error {
  override name = 'SnapshotValidationError';
  readonly issues: string[];
  constructor(what: string, issues: string[]) {
    super(`${what} does not match its schema: ${issues.slice(0, 5).join('; ')}${issues.length > 5 ? ' …' : ''}`);
    this.issues = issues;
  }
}

function issuesOf(error: { issues: { path: PropertyKey[]; message: string }[] }): string[] {
  return error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
}

export function assembleSnapshot(body: SnapshotBody, ctx: AssembleContext): Snapshot {
  const sources = [...ctx.sources].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const candidate: Snapshot = {
    schemaVersion: body.schemaVersion,
    methodologyVersion: body.methodologyVersion,
    asOf: body.asOf,
    generatedAt: ctx.generatedAt,
    sample: ctx.sample,
    restated: body.restated,
    restatedOn: body.restatedOn,
    windows: body.windows,
    crowded: body.crowded,
    dataQuality: {
      ...body.dataQuality,
      rejectedRows: ctx.rejectedRows ?? ctx.rejections.length,
      rejections: ctx.rejections.slice(0, MAX_LISTED_REJECTIONS),
    },
    sources,
  };
  const result = snapshotSchemas().SnapshotSchema.safeParse(candidate);
  if (!result.success) throw new SnapshotValidationError(`snapshot ${body.asOf}`, issuesOf(result.error));
  return result.data;
}

export function assembleHistory(
  rows: HistoryRow[],
  ctx: { generatedAt: string; sample: boolean; methodologyVersion?: 1 | 2 | 3 },
): History {
  const candidate: History = {
    schemaVersion: 1,
    methodologyVersion: ctx.methodologyVersion ?? 3,
    generatedAt: ctx.generatedAt,
    sample: ctx.sample,
    rows,
  };
  const result = snapshotSchemas().HistorySchema.safeParse(candidate);
  if (!result.success) throw new SnapshotValidationError('history', issuesOf(result.error));
  return result.data;
}
