/**
 * Sanity gates run before publishing (issue 6; bounds and reasoning in docs/reliability.md). Pure. A Lambda
 * imports ./sanity.ts itself, not this index: the index also brings the JSON Schema gate's generated ajv code.
 */
export { type JsonSchemaIssue, snapshotJsonSchemaIssues } from './json-schema.ts';
export {
  checkDay,
  checkFigureSeries,
  checkFigures,
  DEFAULT_GATE_BOUNDS,
  GATE_NAMES,
  type GateBounds,
  type GateContext,
  type GateDay,
  type GateName,
  type GateResult,
  type GateView,
  type GateViolation,
  gateDayOf,
  gateViewAt,
  gateViewOf,
  newSettlementFile,
  previousGateDay,
  type SanityMeasures,
  sanityMeasures,
} from './sanity.ts';
export { checkSanity, checkSanitySeries } from './snapshot-gates.ts';
