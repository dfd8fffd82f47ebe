/**
 * What compute takes from the operator's files and the Nasdaq split calendar for the engine's StepContext:
 * rule 3(c)'s split overrides — splits.csv's rows, then each calendar file's entries of its own day, merged
 * by `mergeSplitOverrides` exactly as `pulse build` merges them (a splits.csv row wins for its symbol and day;
 * of two calendar files, the first by name) — and rule 12's security types from securities.csv.
 *
 * Kept in compute's journal with the content (sha256) each part came from, so a run reads a derived record
 * only when the ledger shows a new content for it: an ordinary day reads nothing here, a day with a new
 * calendar file reads that one file.
 */

import type { IsoDate, SplitOverride } from '../../shared/domain.ts';
import { mergeSplitOverrides } from '../../shared/formats/nasdaq-split-calendar.ts';
import type { StepContext } from '../../shared/methodology/index.ts';
import type { SecurityType } from '../../shared/methodology/securities.ts';
import * as z from '../../shared/zod.ts';
import { derivedSchemas } from '../adapters/derived-repository.ts';
import type { ComputeDeps } from './deps.ts';
import type { SourceName } from './keys.ts';

const isoDate = () => z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/));

/**
 * The journal's `splits`. `sha256` and `overrides` are splits.csv's (the shape journals had before the
 * calendar and securities.csv were ingested, so those still read); `calendar` and `securities` are absent
 * when there are none.
 */
export const SplitInputsSchema = z.onFirstUse(() => {
  const { StoredSplitOverrideSchema, StoredSecurityOverrideSchema } = derivedSchemas();
  return z.object({
    sha256: z.string(),
    overrides: z.array(StoredSplitOverrideSchema),
    /** The accepted calendar files in effect, by name. */
    calendar: z.optional(
      z.array(
        z.object({
          file: z.string(),
          date: isoDate(),
          sha256: z.string(),
          overrides: z.array(StoredSplitOverrideSchema),
        }),
      ),
    ),
    securities: z.optional(z.object({ sha256: z.string(), overrides: z.array(StoredSecurityOverrideSchema) })),
  });
});
export type SplitInputs = z.infer<ReturnType<typeof SplitInputsSchema>>;

export const emptySplitInputs = (): SplitInputs => ({ sha256: '', overrides: [] });

/** A ledger entry as compute's journal keeps it (the fields read here). */
export interface InputFile {
  source: SourceName;
  file: string;
  sha256: string;
  date: IsoDate | null;
  status: 'accepted' | 'rejected';
  position: string;
}

const byName = (a: { file: string }, b: { file: string }) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0);

/**
 * The accepted file of an operator's source recorded last: the one its derived record holds (ingest writes
 * the record before recording), whatever its name (`splits*.csv`, `securities*.csv`).
 */
function lastAccepted(effective: readonly InputFile[], source: SourceName): InputFile | undefined {
  return effective
    .filter((f) => f.source === source && f.status === 'accepted')
    .sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0))
    .at(-1);
}

/**
 * The inputs as of `effective` (the content in effect of each file name): what `current` holds where the
 * content is the same, the derived record where it changed. Never mutates `current`.
 */
export async function refreshSplitInputs(
  deps: ComputeDeps,
  effective: readonly InputFile[],
  current: SplitInputs,
): Promise<SplitInputs> {
  let { sha256, overrides } = current;
  const splitsFile = lastAccepted(effective, 'splits');
  if ((splitsFile?.sha256 ?? '') !== current.sha256) {
    const stored = splitsFile ? await deps.derived.getSplits() : undefined;
    sha256 = stored?.source.sha256 ?? '';
    overrides = stored?.overrides ?? [];
  }

  const known = new Map((current.calendar ?? []).map((c) => [c.file, c]));
  const calendarFiles = effective
    .filter((f) => f.source === 'split-calendar' && f.status === 'accepted' && f.date !== null)
    .sort(byName);
  const calendar = await Promise.all(
    calendarFiles.map(async (f) => {
      const date = f.date as IsoDate;
      const kept = known.get(f.file);
      if (kept !== undefined && kept.sha256 === f.sha256 && kept.date === date) return kept;
      const stored = await deps.derived.getSplitCalendarDay(date, f.file);
      if (!stored) {
        // Read again next run (sha256 ''): the ledger names it accepted, so its record is on its way.
        deps.log.warn('split calendar file accepted in the ledger has no derived record: left out', {
          file: f.file,
          date,
        });
        return { file: f.file, date, sha256: '', overrides: [] };
      }
      return { file: f.file, date, sha256: stored.source.sha256, overrides: stored.overrides };
    }),
  );

  let securities = current.securities;
  const securitiesFile = lastAccepted(effective, 'securities');
  if ((securitiesFile?.sha256 ?? '') !== (current.securities?.sha256 ?? '')) {
    const stored = securitiesFile ? await deps.derived.getSecurities() : undefined;
    securities = stored ? { sha256: stored.source.sha256, overrides: stored.overrides } : undefined;
  }

  return {
    sha256,
    overrides,
    ...(calendar.length > 0 ? { calendar } : {}),
    ...(securities !== undefined ? { securities } : {}),
  };
}

/** What the engine's StepContext takes from the inputs: the merged split overrides and the security types. */
export type OverrideContext = Pick<StepContext, 'splits' | 'securities'>;

export function overrideContext(inputs: SplitInputs): OverrideContext {
  const calendar: SplitOverride[] = (inputs.calendar ?? []).flatMap((c) => c.overrides);
  const splits = calendar.length > 0 ? mergeSplitOverrides(inputs.overrides, calendar).splits : inputs.overrides;
  if (inputs.securities === undefined) return { splits };
  const securities = new Map<string, SecurityType>(inputs.securities.overrides.map((o) => [o.symbol, o.type]));
  return { splits, securities };
}
