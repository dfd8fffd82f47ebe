/** Sanity gates run before publishing (issue 6; bounds and reasoning in docs/reliability.md). Pure. */
export { type JsonSchemaIssue, snapshotJsonSchemaIssues } from './json-schema.ts';
export {
  checkDay,
  checkSanity,
  checkSanitySeries,
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
