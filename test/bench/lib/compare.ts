/**
 * The cross-check of the batch benchmark: our snapshot's group and sector figures against the DuckDB
 * reference's, every window, every field, relative deviation |a − b| / max(|a|, |b|). A field null on
 * one side and not the other, or a sector present on one side only, counts as an infinite deviation.
 */
import { GROUPS, WINDOWS } from '../../../shared/domain.ts';
import type { GroupFigures } from '../../../shared/snapshot/schema.ts';

export const CHECK_TOLERANCE = 1e-6;

/** The figures compared for each group and sector (the snapshot's GroupFigures fields). */
export const FIELDS = [
  'pnlUsd',
  'pnlPct',
  'avgShortInterestUsd',
  'netNewShortingUsd',
  'returnPct',
  'decliningPct',
  'symbols',
] as const satisfies readonly (keyof GroupFigures)[];

export interface WindowFigures {
  groups: Record<string, GroupFigures>;
  sectors: Record<string, GroupFigures>;
}

export interface Deviation {
  where: string;
  ours: number | null;
  reference: number | null;
  relative: number;
}

export interface CheckResult {
  compared: number;
  maxRelative: number;
  worst: Deviation | null;
  /** Values over the tolerance, largest first (at most 12). */
  over: Deviation[];
  overCount: number;
  /** Split lists side by side (symbol@date×factor), when both sides give them. */
  splitsOnlyOurs: string[];
  splitsOnlyReference: string[];
  pendingOnlyOurs: string[];
  pendingOnlyReference: string[];
}

function relative(a: number | null, b: number | null): number {
  if (a === null && b === null) return 0;
  if (a === null || b === null) return Number.POSITIVE_INFINITY;
  if (a === b) return 0;
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
}

interface SplitLike {
  symbol: string;
  date: string;
  factor?: number;
}

function splitKeys(list: readonly SplitLike[], withFactor: boolean): Set<string> {
  return new Set(
    list.map(
      (s) => `${s.symbol}@${s.date}${withFactor && s.factor !== undefined ? `×${+s.factor.toPrecision(6)}` : ''}`,
    ),
  );
}

function difference(a: Set<string>, b: Set<string>): string[] {
  return [...a].filter((k) => !b.has(k)).sort();
}

export function compareFigures(
  ours: { windows: Record<string, WindowFigures>; splits: SplitLike[]; pending: SplitLike[] },
  reference: { windows: Record<string, WindowFigures>; splits: SplitLike[]; pending: SplitLike[] },
): CheckResult {
  const all: Deviation[] = [];
  for (const w of WINDOWS) {
    const a = ours.windows[w];
    const b = reference.windows[w];
    if (!a || !b) {
      all.push({ where: `${w}: window missing`, ours: null, reference: null, relative: Number.POSITIVE_INFINITY });
      continue;
    }
    const compareSet = (
      kind: string,
      keys: Iterable<string>,
      x: Record<string, GroupFigures>,
      y: Record<string, GroupFigures>,
    ) => {
      for (const key of keys) {
        const fa = x[key];
        const fb = y[key];
        if (!fa || !fb) {
          all.push({
            where: `${w} ${kind} ${key}: only in ${fa ? 'ours' : 'reference'}`,
            ours: null,
            reference: null,
            relative: Number.POSITIVE_INFINITY,
          });
          continue;
        }
        for (const field of FIELDS) {
          all.push({
            where: `${w} ${kind} ${key}.${field}`,
            ours: fa[field],
            reference: fb[field],
            relative: relative(fa[field], fb[field]),
          });
        }
      }
    };
    compareSet('group', GROUPS, a.groups, b.groups);
    compareSet('sector', new Set([...Object.keys(a.sectors), ...Object.keys(b.sectors)]), a.sectors, b.sectors);
  }
  const sorted = [...all].sort((x, y) => y.relative - x.relative);
  const over = sorted.filter((d) => d.relative > CHECK_TOLERANCE);
  const oursSplits = splitKeys(ours.splits, true);
  const refSplits = splitKeys(reference.splits, true);
  const oursPending = splitKeys(ours.pending, false);
  const refPending = splitKeys(reference.pending, false);
  return {
    compared: all.length,
    maxRelative: sorted[0]?.relative ?? 0,
    worst: sorted[0] ?? null,
    over: over.slice(0, 12),
    overCount: over.length,
    splitsOnlyOurs: difference(oursSplits, refSplits),
    splitsOnlyReference: difference(refSplits, oursSplits),
    pendingOnlyOurs: difference(oursPending, refPending),
    pendingOnlyReference: difference(refPending, oursPending),
  };
}
