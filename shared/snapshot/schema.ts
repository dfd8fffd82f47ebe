/**
 * The published snapshot: the public contract (`schemaVersion: 1`). One zod schema is the source
 * of truth; the TypeScript types come from `z.infer` and the JSON Schema published at
 * `/data/schema/snapshot.v1.json` is generated from it (see `snapshotJsonSchema`).
 * Field meanings are specified by the methodology rules cited in the descriptions (docs/methodology.md).
 */
import { dataRecord } from '../data-record.ts';
import { GROUPS, TIERS, WINDOWS } from '../domain.ts';
import * as z from '../zod.ts';

/**
 * `z.record(z.string(), value)` for keys that come from data (sector names). zod 4 leaves a
 * `__proto__` key out of a record's output (it builds into a plain `{}`), so a sector named
 * `__proto__` would vanish from every parsed snapshot. Keys `__proto__`, `__proto__\0`, … get one more
 * NUL before the record (a one-to-one renaming no other key can collide with) and lose it after, into
 * an object without a prototype, in the input's key order. The JSON Schema is the plain record's (a
 * pipe is exported as its output side, and `overwrite` adds nothing to it). An issue under the key
 * `__proto__` names it with the extra NUL.
 */
const PROTO_KEY = /^__proto__\0*$/;

function escapeProtoKeys(input: unknown): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  const keys = Object.keys(input);
  if (!keys.some((k) => PROTO_KEY.test(k))) return input;
  const out = dataRecord<unknown>();
  for (const k of keys) out[PROTO_KEY.test(k) ? `${k}\0` : k] = (input as Record<string, unknown>)[k];
  return out;
}

function restoreProtoKeys<T>(parsed: Record<string, T>): Record<string, T> {
  const out = dataRecord<T>();
  for (const k of Object.keys(parsed)) out[PROTO_KEY.test(k) ? k.slice(0, -1) : k] = parsed[k] as T;
  return out;
}

export function dataRecordSchema<V extends z.ZodMiniType>(value: V) {
  return z.pipe(z.transform(escapeProtoKeys), z.record(z.string(), value).check(z.overwrite(restoreProtoKeys)));
}

/**
 * Every schema of the contract, built together on the first use of any (constructing them at module load
 * was 7–12 ms of compute's and publish's Lambda init; issue 20 item 7). The exported constants below are
 * `z.lazy` handles on these, which parse the same (and give the same JSON Schema) but are not object schemas:
 * compose with these (`.shape`, `z.extend`), and parse with these in the Lambdas (no `z.lazy` code bundled).
 */
export const snapshotSchemas = z.onFirstUse(() => {
  const isoDate = z.described(
    z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD')),
    'Calendar date YYYY-MM-DD',
  );

  const usd = z.described(z.number(), 'US dollars at full precision (rounding is the reader’s job)');
  const nullableNumber = z.nullable(z.number());
  /** A whole number ≥ 0 (the classic API's `z.number().int().min(0)`). */
  const count = () => z.number().check(z.int()).check(z.minimum(0));

  const TierSchema = z.described(z.enum(TIERS), 'Market-cap tier (rule 6)');

  const GroupFiguresSchema = z.strictObject({
    pnlUsd: z.described(
      z.nullable(usd),
      'Short sellers’ mark-to-market profit over the window in US dollars: positive = they gained (the stocks fell), negative = they lost (methodology rule 8)',
    ),
    pnlPct: z.described(
      nullableNumber,
      'pnlUsd as a percentage of avgShortInterestUsd (the S3 Partners convention); null when nothing was held short (rule 8)',
    ),
    avgShortInterestUsd: z.described(
      z.nullable(usd),
      'Average dollar amount held short per trading day of the window (rule 8)',
    ),
    netNewShortingUsd: z.described(
      z.nullable(usd),
      'Dollars of new short selling (negative: covering) when new FINRA reports took effect in the window (rules 5, 8)',
    ),
    returnPct: z.described(nullableNumber, 'Price return of the group, weighted by market cap, in percent (rule 8)'),
    decliningPct: z.described(
      nullableNumber,
      'Percentage of the group’s stocks whose price fell over the window (rule 8)',
    ),
    symbols: z.described(count(), 'How many of the group’s stocks were held short on asOf (rule 8)'),
  });

  const symbol = () => z.string().check(z.minLength(1));
  /** At most `n` entries (the classic API's `z.array(x).max(n)`). */
  const upTo = <T extends z.ZodMiniType>(item: T, n: number) => z.array(item).check(z.maxLength(n));

  const TopEntrySchema = z.strictObject({
    symbol: symbol(),
    name: z.string(),
    tier: TierSchema,
    sector: z.string(),
    pnlUsd: usd,
    pnlPct: nullableNumber,
    shortInterestUsd: usd,
    shortInterestPctSharesOut: nullableNumber,
  });

  const TopListsSchema = z.strictObject({
    winners: upTo(TopEntrySchema, 10),
    losers: upTo(TopEntrySchema, 10),
  });

  /** Rule 13 (v3): one stock's net new shorting over a window. */
  const NetNewEntrySchema = z.strictObject({
    symbol: symbol(),
    name: z.string(),
    tier: TierSchema,
    sector: z.string(),
    netNewShortingUsd: z.described(
      usd,
      'Dollars of new short selling (negative: covering) in the window, each new report’s change in shares at that day’s price (rule 13)',
    ),
    changeShares: z.described(z.number(), 'The change in shares held short, adjusted for splits up to asOf (rule 13)'),
    changePctSharesOut: z.described(
      nullableNumber,
      'changeShares as a percentage of the shares outstanding on asOf (null when the market cap is unknown)',
    ),
    changePctPrevious: z.described(
      nullableNumber,
      'changeShares as a percentage of the short interest before the change (null when that was 0)',
    ),
    shortInterestShares: z.described(
      z.number().check(z.minimum(0)),
      'Shares held short on asOf: the latest FINRA report in effect, adjusted for splits (rule 4)',
    ),
    shortInterestUsd: z.described(usd, 'shortInterestShares at the asOf closing price, US dollars'),
  });

  const NetNewListsSchema = z.strictObject({
    adding: z.described(upTo(NetNewEntrySchema, 10), 'The stocks short sellers added to most, largest first'),
    covering: z.described(upTo(NetNewEntrySchema, 10), 'The stocks short sellers covered most, largest first'),
  });

  /** Rule 13 (v3): where short sellers added and covered over the window, per group (tier as of A). */
  const NetNewShortingSchema = z.strictObject({
    fromSettlement: z.described(
      z.nullable(isoDate),
      'Settlement date of the short interest file in effect on the day before the window (null: none)',
    ),
    toSettlement: z.described(z.nullable(isoDate), 'Settlement date of the file in effect on asOf (null: none)'),
    groups: z.object(
      Object.fromEntries(GROUPS.map((g) => [g, NetNewListsSchema])) as Record<
        (typeof GROUPS)[number],
        typeof NetNewListsSchema
      >,
    ),
  });

  const WindowSchema = z.strictObject({
    from: z.nullable(isoDate),
    to: isoDate,
    tradingDays: count(),
    groups: z.object(
      Object.fromEntries(GROUPS.map((g) => [g, GroupFiguresSchema])) as Record<
        (typeof GROUPS)[number],
        typeof GroupFiguresSchema
      >,
    ),
    sectors: dataRecordSchema(GroupFiguresSchema),
    topWinners: upTo(TopEntrySchema, 10),
    topLosers: upTo(TopEntrySchema, 10),
    /** v3 (rule 9(b)): the top lists within each headline group (tier as of A). Absent before v3. */
    topByGroup: z.optional(
      z.strictObject({
        megaLarge: TopListsSchema,
        mid: TopListsSchema,
        smallMicroNano: TopListsSchema,
      }),
    ),
    /** v3 (rule 9(b)): the top lists by P&L % of average short interest, among positions above a floor. */
    topByPct: z.optional(
      z.strictObject({
        minAvgShortInterestUsd: z.described(usd, 'The floor of average short interest over the window (rule 9(b))'),
        winners: upTo(TopEntrySchema, 10),
        losers: upTo(TopEntrySchema, 10),
      }),
    ),
    /** v3 (rule 13): absent from version 1 and 2 snapshots, which stay byte-identical. */
    netNewShorting: z.optional(NetNewShortingSchema),
  });

  /** A number in [min, max] (the classic API's `z.number().min(min).max(max)`). */
  const between = (min: number, max: number) => z.number().check(z.minimum(min)).check(z.maximum(max));

  const CrowdedEntrySchema = z.strictObject({
    symbol: symbol(),
    name: z.string(),
    tier: TierSchema,
    sector: z.string(),
    score: between(0, 100),
    shortInterestUsd: usd,
    shortInterestPctSharesOut: z.number(),
    daysToCover: z.number(),
    shortInterestChange30dPct: nullableNumber,
    /** v2: FINRA's average daily volume (`finra`) or the screener's 20-day mean (`screener`). */
    daysToCoverSource: z.optional(z.enum(['finra', 'screener'])),
    /** v2: each metric's rank among the candidates as (rank − 1) / (n − 1); the score is 100 × their mean. */
    scoreComponents: z.optional(
      z.strictObject({
        shortInterestPctSharesOut: between(0, 1),
        daysToCover: between(0, 1),
        shortInterestUsd: between(0, 1),
      }),
    ),
  });

  /**
   * 1: rules 1–11; 2: rule 12's security master on top; 3: rule 4(a–b)'s revisions and symbol join, rule
   * 3(d)'s FINRA split flags and rule 6's tier as of A (docs/methodology.md).
   */
  const MethodologyVersionSchema = z.union([z.literal(1), z.literal(2), z.literal(3)]);

  const rowsAndShares = z.strictObject({ rows: count(), shares: z.number().check(z.minimum(0)) });

  /**
   * v3, rule 4(b): how the exchange-listed rows of the short interest file in effect on A met the listings
   * priced on the day it took effect. Unmatched rows are split into funds and ETFs (outside the screener's universe) and the rest,
   * the largest of which are named.
   */
  const ShortInterestJoinSchema = z.strictObject({
    settlementDate: isoDate,
    listedRows: count(),
    matchedRows: count(),
    /** Rows met through a compressed spelling (`BRKB` → `BRK.B`). */
    resolvedSpellings: count(),
    unmatchedFunds: rowsAndShares,
    unmatchedOther: rowsAndShares,
    /** The largest unmatched non-fund rows by shares (at most 10). */
    largestUnmatched: upTo(
      z.strictObject({ symbol: z.string(), issueName: z.string(), shares: z.number().check(z.minimum(0)) }),
      10,
    ),
  });

  /** Rule 12 (v2): listings priced on A by type; only common stocks and ADRs enter the figures. */
  const SecurityTypeCountsSchema = z.strictObject({
    common: count(),
    adr: count(),
    preferred: count(),
    note: count(),
    warrant: count(),
    unit: count(),
    right: count(),
    fund: count(),
    other: count(),
  });

  const RejectionSchema = z.strictObject({
    file: z.string(),
    line: count(),
    field: z.string(),
    reason: z.string(),
  });

  const DataQualitySchema = z.strictObject({
    rejectedDays: z.array(z.strictObject({ date: isoDate, file: z.string(), reason: z.string() })),
    splits: z.array(
      z.strictObject({
        symbol: z.string(),
        date: isoDate,
        factor: z.number().check(z.positive()),
        rule: z.enum(['3a', '3b', '3c', '3d']),
      }),
    ),
    /** Splits rule 3(b) cannot decide yet (fewer than 10 later days known): P&L held out (pipeline, issue 4). */
    pendingSplits: z.array(z.strictObject({ symbol: z.string(), date: isoDate, reason: z.string() })),
    rejectedRows: count(),
    rejections: upTo(RejectionSchema, 100),
    /** Settlement date of the short interest file in effect on asOf (rule 4); null when none. */
    shortInterestSettlementDate: z.nullable(isoDate),
    acceptedDays: count(),
    /** Methodology v2 and later: listings priced on A by rule 12's type. */
    securityTypes: z.optional(SecurityTypeCountsSchema),
    /** Methodology v3: rule 4(b)'s join of the file in effect on A (absent when no file is in effect). */
    shortInterestJoin: z.optional(ShortInterestJoinSchema),
    /** Values rule 11 (plausibility) kept out of the figures, with the file, field and reason. */
    quarantined: z.array(
      z.strictObject({
        date: isoDate,
        symbol: z.string(),
        file: z.string(),
        field: z.string(),
        rule: z.enum(['11a', '11b', '11c']),
        reason: z.string(),
      }),
    ),
  });

  const SourceSchema = z.strictObject({
    file: z.string(),
    sha256: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
    rows: count(),
  });

  const SnapshotSchema = z.strictObject({
    schemaVersion: z.literal(1),
    methodologyVersion: MethodologyVersionSchema,
    asOf: z.described(
      isoDate,
      'The trading day the figures are as of: the last day with accepted market data (rule 7)',
    ),
    generatedAt: z.iso.datetime(),
    publishedAt: z.described(
      z.optional(z.iso.datetime()),
      "When this day was first published by the pipeline (kept when the day is restated; the feed's pubDate). Absent from pulse build output",
    ),
    sample: z.described(
      z.boolean(),
      'true when built from sample data: the short interest (and possibly the prices) is generated, not real',
    ),
    restated: z.described(
      z.boolean(),
      'true when this day was recomputed after late data (a short interest file or a confirmed split)',
    ),
    restatedOn: z.described(z.nullable(isoDate), 'Trading date of the run that restated it'),
    previousPublication: z.described(
      z.optional(
        z.strictObject({
          generatedAt: z.iso.datetime(),
          headline: z.string().check(z.maxLength(500)),
          ytdPnlUsd: z.described(z.nullable(z.number()), 'All U.S. stocks, year to date, as published then'),
          dayPnlUsd: z.described(z.nullable(z.number()), 'All U.S. stocks, 1D, as published then'),
        }),
      ),
      'On a restated day: what the pipeline had published for it before this restatement (the headline and the total figures), set by publish',
    ),
    windows: z.object(
      Object.fromEntries(WINDOWS.map((w) => [w, WindowSchema])) as Record<
        (typeof WINDOWS)[number],
        typeof WindowSchema
      >,
    ),
    crowded: upTo(CrowdedEntrySchema, 20),
    dataQuality: DataQualitySchema,
    sources: z.array(SourceSchema),
  });

  /** history.json: one row per published day with each group's 1d and YTD figures (for the charts). */
  const HistoryRowSchema = z.strictObject({
    date: isoDate,
    restated: z.boolean(),
    '1d': z.object(
      Object.fromEntries(GROUPS.map((g) => [g, GroupFiguresSchema])) as Record<
        (typeof GROUPS)[number],
        typeof GroupFiguresSchema
      >,
    ),
    ytd: z.object(
      Object.fromEntries(GROUPS.map((g) => [g, GroupFiguresSchema])) as Record<
        (typeof GROUPS)[number],
        typeof GroupFiguresSchema
      >,
    ),
  });

  const HistorySchema = z.strictObject({
    schemaVersion: z.literal(1),
    methodologyVersion: MethodologyVersionSchema,
    generatedAt: z.iso.datetime(),
    sample: z.boolean(),
    rows: z.array(HistoryRowSchema),
  });
  return {
    isoDate,
    TierSchema,
    GroupFiguresSchema,
    TopEntrySchema,
    NetNewEntrySchema,
    NetNewShortingSchema,
    WindowSchema,
    CrowdedEntrySchema,
    MethodologyVersionSchema,
    ShortInterestJoinSchema,
    SecurityTypeCountsSchema,
    RejectionSchema,
    DataQualitySchema,
    SourceSchema,
    SnapshotSchema,
    HistoryRowSchema,
    HistorySchema,
  };
});

/** A handle on one of `snapshotSchemas()`, built when it first parses. */
const handle = <K extends keyof ReturnType<typeof snapshotSchemas>>(name: K) => z.lazy(() => snapshotSchemas()[name]);

export const isoDate = /* @__PURE__ */ handle('isoDate');
export const TierSchema = /* @__PURE__ */ handle('TierSchema');
export const GroupFiguresSchema = /* @__PURE__ */ handle('GroupFiguresSchema');
export const TopEntrySchema = /* @__PURE__ */ handle('TopEntrySchema');
export const NetNewEntrySchema = /* @__PURE__ */ handle('NetNewEntrySchema');
export const NetNewShortingSchema = /* @__PURE__ */ handle('NetNewShortingSchema');
export const WindowSchema = /* @__PURE__ */ handle('WindowSchema');
export const CrowdedEntrySchema = /* @__PURE__ */ handle('CrowdedEntrySchema');
export const MethodologyVersionSchema = /* @__PURE__ */ handle('MethodologyVersionSchema');
export const ShortInterestJoinSchema = /* @__PURE__ */ handle('ShortInterestJoinSchema');
export const SecurityTypeCountsSchema = /* @__PURE__ */ handle('SecurityTypeCountsSchema');
export const RejectionSchema = /* @__PURE__ */ handle('RejectionSchema');
export const DataQualitySchema = /* @__PURE__ */ handle('DataQualitySchema');
export const SourceSchema = /* @__PURE__ */ handle('SourceSchema');
export const SnapshotSchema = /* @__PURE__ */ handle('SnapshotSchema');
export const HistoryRowSchema = /* @__PURE__ */ handle('HistoryRowSchema');
export const HistorySchema = /* @__PURE__ */ handle('HistorySchema');

export type GroupFigures = z.infer<typeof GroupFiguresSchema>;
export type TopEntry = z.infer<typeof TopEntrySchema>;
export type NetNewEntry = z.infer<typeof NetNewEntrySchema>;
export type NetNewShorting = z.infer<typeof NetNewShortingSchema>;
export type SnapshotWindow = z.infer<typeof WindowSchema>;
export type CrowdedEntry = z.infer<typeof CrowdedEntrySchema>;
export type DataQuality = z.infer<typeof DataQualitySchema>;
export type Snapshot = z.infer<typeof SnapshotSchema>;

export type HistoryRow = z.infer<typeof HistoryRowSchema>;
export type History = z.infer<typeof HistorySchema>;

/** JSON Schemas published beside the data (draft 2020-12). */
export function snapshotJsonSchema(): Record<string, unknown> {
  return {
    $id: '/data/schema/snapshot.v1.json',
    title: 'Short Pulse snapshot v1',
    ...z.toJSONSchema(snapshotSchemas().SnapshotSchema, { target: 'draft-2020-12' }),
  };
}

export function historyJsonSchema(): Record<string, unknown> {
  return {
    $id: '/data/schema/history.v1.json',
    title: 'Short Pulse history v1',
    ...z.toJSONSchema(snapshotSchemas().HistorySchema, { target: 'draft-2020-12' }),
  };
}
