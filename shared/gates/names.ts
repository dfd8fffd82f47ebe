/**
 * The names of the sanity gates (shared/gates/sanity.ts), alone: the publish step's event schema
 * (functions/lib/events.ts) checks an operator's `acceptGates` against them without bundling the gates.
 */
export const GATE_NAMES = ['json-schema', 'tier-pnl', 'symbol-drop', 'short-interest-move'] as const;
export type GateName = (typeof GATE_NAMES)[number];
