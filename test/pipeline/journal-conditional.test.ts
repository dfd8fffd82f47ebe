/**
 * Compute's journal, the one commit record of a run, is written only over the version it was read from (issue 20
 * item 1): a run that lost the run lock cannot overwrite another run's commit. Hand-checked sequence of reads
 * and writes on the in-memory store, which enforces `onlyIf` as AWS does (test/adapters/contract.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { ObjectChangedError } from '../../functions/adapters/ports.ts';
import { loadJournal, saveJournal } from '../../functions/pipeline/compute/journal.ts';
import { DERIVED_COMPUTE_JOURNAL_KEY } from '../../functions/pipeline/keys.ts';
import { memoryDeps } from './helpers/deps.ts';

describe('saveJournal', () => {
  it('writes over the version its journal was loaded from, and refuses once another run has committed', async () => {
    const deps = memoryDeps();
    // Two runs read "no journal yet"; the first commits, the second is refused and writes nothing.
    const first = await loadJournal(deps);
    const second = await loadJournal(deps);
    first.lastDay = '2025-01-02';
    second.lastDay = '2025-01-03';
    await saveJournal(deps, first);
    await expect(saveJournal(deps, second)).rejects.toBeInstanceOf(ObjectChangedError);
    expect((await loadJournal(deps)).lastDay).toBe('2025-01-02');

    // One run saves twice (the ledger read, then the commit): the second save is over its own first.
    const third = await loadJournal(deps);
    third.lastDay = '2025-01-06';
    await saveJournal(deps, third);
    third.lastDay = '2025-01-07';
    await saveJournal(deps, third);
    expect((await loadJournal(deps)).lastDay).toBe('2025-01-07');

    // The first run, still holding the version it wrote, is now behind: refused.
    first.lastDay = '2025-01-08';
    await expect(saveJournal(deps, first)).rejects.toMatchObject({ key: DERIVED_COMPUTE_JOURNAL_KEY });
    expect((await loadJournal(deps)).lastDay).toBe('2025-01-07');
  });
});
