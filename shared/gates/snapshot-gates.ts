/**
 * Every sanity gate on a snapshot nothing has checked yet: the JSON Schema gate first (the snapshot as
 * serialised against data/schema/snapshot.v1.json, with ajv's generated validator: ./json-schema.ts), then
 * the figure gates (./sanity.ts). `pulse build` runs these on what it is about to write; the publish Lambda
 * validates every snapshot with SnapshotSchema and runs the figure gates alone (`checkFigureSeries`), so its
 * bundle carries no ajv code; test/gates/published-contract.test.ts checks in CI, with ajv, that what
 * publish writes matches the JSON Schemas it publishes. Pure.
 */
import type { Snapshot } from '../snapshot/schema.ts';
import { snapshotJsonSchemaIssues } from './json-schema.ts';
import {
  checkFigures,
  finish,
  type GateContext,
  type GateDay,
  type GateResult,
  type GateViolation,
  gateDayOf,
  gateSeries,
  isSnapshot,
} from './sanity.ts';

/**
 * Runs every gate on `next` (the snapshot about to be published), comparing with `previous` (the last
 * published day before it; null for the first publish or when unknown). Never throws on a malformed
 * snapshot: the JSON Schema gate reports it and the figure gates are skipped.
 */
export function checkSanity(
  previous: Snapshot | GateDay | null,
  next: Snapshot,
  context: GateContext = {},
): GateResult {
  const found: GateViolation[] = [];
  const date = typeof next?.asOf === 'string' ? next.asOf : '(no asOf)';

  const schemaIssues = snapshotJsonSchemaIssues(next);
  if (schemaIssues.length > 0) {
    const shown = schemaIssues.slice(0, 5).map((i) => `${i.path} ${i.message}`);
    const more = schemaIssues.length > 5 ? ` (and ${schemaIssues.length - 5} more)` : '';
    found.push({
      gate: 'json-schema',
      date,
      field: schemaIssues[0]?.path ?? '(root)',
      observed: `${schemaIssues.length} issue(s)`,
      bound: 'data/schema/snapshot.v1.json',
      message: `json-schema: ${date} does not match data/schema/snapshot.v1.json: ${shown.join('; ')}${more}`,
    });
    return finish(found, context, null);
  }

  // A previous snapshot that is itself invalid cannot be compared with.
  const usable =
    previous === null
      ? null
      : isSnapshot(previous)
        ? snapshotJsonSchemaIssues(previous).length === 0
          ? gateDayOf(previous)
          : null
        : previous;
  return checkFigures(usable, next, context);
}

/**
 * Every gate on a batch (a day, or the days a restatement republishes): each snapshot, in date order, is
 * compared with the latest one dated before it among the batch and the `published` ones (the batch wins on
 * the same date: a restated day replaces what was published).
 */
export function checkSanitySeries(
  published: readonly Snapshot[],
  next: readonly Snapshot[],
  context: GateContext = {},
): GateResult {
  return gateSeries(published, next, context, checkSanity);
}
