/**
 * Issue 18, item 5: how old the published input is and which provider failed a day's ingest
 * (functions/pipeline/staleness.ts), with hand-computed dates; what publish and the provider check emit
 * (functions/pipeline/health-metrics.ts), the metrics of functions/lib/observability.ts spied on so nothing is printed.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FileOutcome } from '../../functions/lib/events.ts';
import { METRIC, PROVIDER_SOURCES, SOURCE_DIMENSION } from '../../functions/lib/metric-names.ts';
import { MetricUnit, metrics } from '../../functions/lib/observability.ts';
import { recordProviderHealth } from '../../functions/pipeline/health-metrics.ts';
import { SOURCES } from '../../functions/pipeline/keys.ts';
import { calendarDaysBetween, dataAge, providerFailures } from '../../functions/pipeline/staleness.ts';
import { createProviders, readProvidersConfig } from '../../functions/providers/config.ts';
import type { Snapshot } from '../../shared/snapshot/schema.ts';
import { memoryDeps } from './helpers/deps.ts';
import { publishSnapshots } from './helpers/publish.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/site/data/snapshots');
const fixture = (date: string): Snapshot => JSON.parse(readFileSync(path.join(FIXTURES, `${date}.json`), 'utf8'));

const published = (asOf: string, settled: string | null) =>
  ({ asOf, dataQuality: { shortInterestSettlementDate: settled } }) as Pick<Snapshot, 'asOf' | 'dataQuality'>;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('calendarDaysBetween', () => {
  it.each([
    ['2024-06-14', '2024-06-14', 0],
    // Friday → Monday: a weekend is 3 calendar days.
    ['2024-06-14', '2024-06-17', 3],
    // 2024 is a leap year: 15 Feb → 1 Mar is 15 days (14 of February + 1).
    ['2024-02-15', '2024-03-01', 15],
    ['2023-02-15', '2023-03-01', 14],
    // Across the year end, and across the end of DST (3 Nov 2024): whole days, never 23 or 25 hours.
    ['2024-12-13', '2025-01-10', 28],
    ['2024-11-01', '2024-11-04', 3],
    ['2024-06-17', '2024-06-14', -3],
  ])('%s → %s is %i', (from, to, days) => {
    expect(calendarDaysBetween(from, to)).toBe(days);
  });
});

describe('dataAge of a published day', () => {
  it.each([
    // A, settlement in effect on A, today in New York → short interest age, price age.
    // Published the evening of A: prices 0 days old; the file of 31 May is 14 days old on Friday 14 June.
    ['2024-06-14', '2024-05-31', '2024-06-14', 14, 0],
    // Friday's snapshot seen on Monday morning: 3 days, a weekend.
    ['2024-06-14', '2024-05-31', '2024-06-17', 14, 3],
    // Juneteenth (Wed 19 Jun 2024) is an exchange holiday: Tuesday's prices are still the newest on Thursday.
    ['2024-06-18', '2024-05-31', '2024-06-20', 18, 2],
    // Good Friday (29 Mar 2024): Thursday's prices on Monday are 4 days old, the longest closed stretch.
    ['2024-03-28', '2024-03-15', '2024-04-01', 13, 4],
    // The eve of a FINRA publication: on Mon 10 Jun 2024 the file of 31 May is out only on the 11th
    // (7 trading days), so the file in effect is the one of 15 May: 26 days, and normal.
    ['2024-06-10', '2024-05-15', '2024-06-10', 26, 0],
    // The Carter day of mourning (Thu 9 Jan 2025) delays the 31 Dec file to 13 Jan: on the 10th, 28 days.
    ['2025-01-10', '2024-12-13', '2025-01-10', 28, 0],
  ])('A = %s, settled %s, today %s: short interest %i days, prices %i days', (asOf, settled, today, si, prices) => {
    expect(dataAge(published(asOf, settled), today)).toEqual({ shortInterestDays: si, priceDays: prices });
  });

  it('has no short interest age before the first settlement date (no file in effect)', () => {
    expect(dataAge(published('2024-01-03', null), '2024-01-03')).toEqual({
      shortInterestDays: undefined,
      priceDays: 0,
    });
  });
});

const outcome = (source: FileOutcome['source'], status: FileOutcome['status'], extra: Partial<FileOutcome> = {}) =>
  ({ source, file: `${source}.txt`, date: '2024-06-14', status, rows: 0, rejectedRows: 0, ...extra }) as FileOutcome;

describe('providerFailures of a day’s ingest', () => {
  it('is 1 for a source with a file the provider failed to deliver, 0 when it answered', () => {
    expect(
      providerFailures([
        outcome('prices', 'accepted', { rawKey: 'raw/prices/2024-06-14/x.json' }),
        outcome('short-volume', 'failed', { reason: 'HTTP 503 after 4 attempts' }),
        outcome('split-calendar', 'not-yet-available'),
      ]),
    ).toEqual({ prices: 0, 'short-volume': 1, 'split-calendar': 0 });
  });

  it('counts a file refused as a whole (an HTML page), also when the same bytes come again', () => {
    expect(providerFailures([outcome('prices', 'rejected', { reason: 'HTML page' })])).toEqual({ prices: 1 });
    expect(providerFailures([outcome('short-interest', 'duplicate', { ledgerStatus: 'rejected' })])).toEqual({
      'short-interest': 1,
    });
    expect(providerFailures([outcome('short-interest', 'duplicate', { ledgerStatus: 'accepted' })])).toEqual({
      'short-interest': 0,
    });
  });

  it('one failed file of a source fails the source, whatever the order', () => {
    const files = [
      outcome('short-interest', 'present', { ledgerStatus: 'accepted' }),
      outcome('short-interest', 'failed'),
      outcome('short-interest', 'accepted', { rawKey: 'raw/short-interest/x' }),
    ];
    expect(providerFailures(files)).toEqual({ 'short-interest': 1 });
    expect(providerFailures([...files].reverse())).toEqual({ 'short-interest': 1 });
  });

  it('says nothing of a provider not asked (every file already present) or of an empty day', () => {
    expect(providerFailures([outcome('short-interest', 'present', { ledgerStatus: 'accepted' })])).toEqual({});
    expect(providerFailures([])).toEqual({});
  });

  it('ignores a damaged archived copy (failed with its raw key: not the provider) and the operator’s files', () => {
    expect(
      providerFailures([
        outcome('prices', 'failed', { rawKey: 'raw/prices/2024-06-14/x.json', reason: 'damaged' }),
        outcome('splits', 'rejected'),
        outcome('securities', 'failed'),
      ]),
    ).toEqual({});
  });

  it('watches exactly the sources the default providers fetch', () => {
    const sources = createProviders(readProvidersConfig({}), () => new Date('2024-06-14T23:30:00Z')).map(
      (p) => p.source,
    );
    expect([...new Set(sources)].sort()).toEqual([...PROVIDER_SOURCES].sort());
    for (const s of PROVIDER_SOURCES) expect(SOURCES).toContain(s);
  });
});

describe('the metrics emitted', () => {
  it('one ProviderFailed datapoint per source asked, each with its source dimension', () => {
    const emitted: { dimension: [string, string] | undefined; name: string; unit: string; value: number }[] = [];
    vi.spyOn(metrics, 'singleMetric').mockImplementation(() => {
      let dimension: [string, string] | undefined;
      return {
        addDimension: (name: string, value: string) => {
          dimension = [name, value];
        },
        addMetric: (name: string, unit: string, value: number) => {
          emitted.push({ dimension, name, unit, value });
        },
      } as unknown as ReturnType<typeof metrics.singleMetric>;
    });
    recordProviderHealth([outcome('prices', 'accepted'), outcome('short-volume', 'failed')]);
    expect(emitted).toEqual([
      { dimension: [SOURCE_DIMENSION, 'prices'], name: METRIC.providerFailed, unit: MetricUnit.Count, value: 0 },
      { dimension: [SOURCE_DIMENSION, 'short-volume'], name: METRIC.providerFailed, unit: MetricUnit.Count, value: 1 },
    ]);
  });

  it('publish emits the age of what `latest` moved to, and nothing when it republishes an older day', async () => {
    const added = vi.spyOn(metrics, 'addMetric').mockImplementation(() => metrics);
    // Monday 17 June 2024, 10:00 in New York: Friday's snapshot (short interest settled 31 May).
    const deps = memoryDeps({ now: '2024-06-17T14:00:00Z' });
    const friday = await publishSnapshots(deps, '2024-06-14', [fixture('2024-06-14')]);
    expect(friday).toMatchObject({ latest: '2024-06-14', dataAge: { shortInterestDays: 14, priceDays: 3 } });
    expect(added.mock.calls).toEqual([
      [METRIC.priceAgeDays, MetricUnit.Count, 3],
      [METRIC.shortInterestAgeDays, MetricUnit.Count, 14],
    ]);

    added.mockClear();
    const older = await publishSnapshots(deps, '2024-06-13', [fixture('2024-06-13')]);
    expect(older.latest).toBeNull();
    expect(older.dataAge).toBeUndefined();
    expect(added).not.toHaveBeenCalled();
  });
});
