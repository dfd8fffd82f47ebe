/**
 * The published snapshot: the public contract (`schemaVersion: 1`). One zod schema is the source
 * of truth; the TypeScript types come from `z.infer` and the JSON Schema published at
 * `/data/schema/snapshot.v1.json` is generated from it (see `snapshotJsonSchema`).
 * Field meanings are specified by the methodology rules cited in the descriptions (docs/methodology.md).
 */
import * as z from 'zod';
import { dataRecord } from '../data-record.ts';
import { GROUPS, TIERS, WINDOWS } from '../domain.ts';

export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD')
  .describe('Calendar date YYYY-MM-DD');

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

export function dataRecordSchema<V extends z.ZodType>(value: V) {
  return z.preprocess(escapeProtoKeys, z.record(z.string(), value).overwrite(restoreProtoKeys));
}

const usd = z.number().describe('US dollars at full precision (rounding is the reader’s job)');
const nullableNumber = z.number().nullable();

export const TierSchema = z.enum(TIERS).describe('Market-cap tier (rule 6)');

export const GroupFiguresSchema = z
  .object({
    pnlUsd: usd
      .nullable()
      .describe(
        'Short sellers’ mark-to-market profit over the window in US dollars: positive = they gained (the stocks fell), negative = they lost (methodology rule 8)',
      ),
    pnlPct: nullableNumber.describe(
      'pnlUsd as a percentage of avgShortInterestUsd (the S3 Partners convention); null when nothing was held short (rule 8)',
    ),
    avgShortInterestUsd: usd
      .nullable()
      .describe('Average dollar amount held short per trading day of the window (rule 8)'),
    netNewShortingUsd: usd
      .nullable()
      .describe(
        'Dollars of new short selling (negative: covering) when new FINRA reports took effect in the window (rules 5, 8)',
      ),
    returnPct: nullableNumber.describe('Price return of the group, weighted by market cap, in percent (rule 8)'),
    decliningPct: nullableNumber.describe('Percentage of the group’s stocks whose price fell over the window (rule 8)'),
    symbols: z.number().int().min(0).describe('How many of the group’s stocks were held short on asOf (rule 8)'),
  })
  .strict();

export const TopEntrySchema = z
  .object({
    symbol: z.string().min(1),
    name: z.string(),
    tier: TierSchema,
    sector: z.string(),
    pnlUsd: usd,
    pnlPct: nullableNumber,
    shortInterestUsd: usd,
    shortInterestPctSharesOut: nullableNumber,
  })
  .strict();

const TopListsSchema = z
  .object({
    winners: z.array(TopEntrySchema).max(10),
    losers: z.array(TopEntrySchema).max(10),
  })
  .strict();

/** Rule 13 (v3): one stock's net new shorting over a window. */
export const NetNewEntrySchema = z
  .object({
    symbol: z.string().min(1),
    name: z.string(),
    tier: TierSchema,
    sector: z.string(),
    netNewShortingUsd: usd.describe(
      'Dollars of new short selling (negative: covering) in the window, each new report’s change in shares at that day’s price (rule 13)',
    ),
    changeShares: z.number().describe('The change in shares held short, adjusted for splits up to asOf (rule 13)'),
    changePctSharesOut: nullableNumber.describe(
      'changeShares as a percentage of the shares outstanding on asOf (null when the market cap is unknown)',
    ),
    changePctPrevious: nullableNumber.describe(
      'changeShares as a percentage of the short interest before the change (null when that was 0)',
    ),
    shortInterestShares: z
      .number()
      .min(0)
      .describe('Shares held short on asOf: the latest FINRA report in effect, adjusted for splits (rule 4)'),
    shortInterestUsd: usd.describe('shortInterestShares at the asOf closing price, US dollars'),
  })
  .strict();

const NetNewListsSchema = z
  .object({
    adding: z.array(NetNewEntrySchema).max(10).describe('The stocks short sellers added to most, largest first'),
    covering: z.array(NetNewEntrySchema).max(10).describe('The stocks short sellers covered most, largest first'),
  })
  .strict();

/** Rule 13 (v3): where short sellers added and covered over the window, per group (tier as of A). */
export const NetNewShortingSchema = z
  .object({
    fromSettlement: isoDate
      .nullable()
      .describe('Settlement date of the short interest file in effect on the day before the window (null: none)'),
    toSettlement: isoDate.nullable().describe('Settlement date of the file in effect on asOf (null: none)'),
    groups: z.object(
      Object.fromEntries(GROUPS.map((g) => [g, NetNewListsSchema])) as Record<
        (typeof GROUPS)[number],
        typeof NetNewListsSchema
      >,
    ),
  })
  .strict();

export const WindowSchema = z
  .object({
    from: isoDate.nullable(),
    to: isoDate,
    tradingDays: z.number().int().min(0),
    groups: z.object(
      Object.fromEntries(GROUPS.map((g) => [g, GroupFiguresSchema])) as Record<
        (typeof GROUPS)[number],
        typeof GroupFiguresSchema
      >,
    ),
    sectors: dataRecordSchema(GroupFiguresSchema),
    topWinners: z.array(TopEntrySchema).max(10),
    topLosers: z.array(TopEntrySchema).max(10),
    /** v3 (rule 9(b)): the top lists within each headline group (tier as of A). Absent before v3. */
    topByGroup: z
      .object({
        megaLarge: TopListsSchema,
        mid: TopListsSchema,
        smallMicroNano: TopListsSchema,
      })
      .strict()
      .optional(),
    /** v3 (rule 9(b)): the top lists by P&L % of average short interest, among positions above a floor. */
    topByPct: z
      .object({
        minAvgShortInterestUsd: usd.describe('The floor of average short interest over the window (rule 9(b))'),
        winners: z.array(TopEntrySchema).max(10),
        losers: z.array(TopEntrySchema).max(10),
      })
      .strict()
      .optional(),
    /** v3 (rule 13): absent from version 1 and 2 snapshots, which stay byte-identical. */
    netNewShorting: NetNewShortingSchema.optional(),
  })
  .strict();

export const CrowdedEntrySchema = z
  .object({
    symbol: z.string().min(1),
    name: z.string(),
    tier: TierSchema,
    sector: z.string(),
    score: z.number().min(0).max(100),
    shortInterestUsd: usd,
    shortInterestPctSharesOut: z.number(),
    daysToCover: z.number(),
    shortInterestChange30dPct: nullableNumber,
    /** v2: FINRA's average daily volume (`finra`) or the screener's 20-day mean (`screener`). */
    daysToCoverSource: z.enum(['finra', 'screener']).optional(),
    /** v2: each metric's rank among the candidates as (rank − 1) / (n − 1); the score is 100 × their mean. */
    scoreComponents: z
      .object({
        shortInterestPctSharesOut: z.number().min(0).max(1),
        daysToCover: z.number().min(0).max(1),
        shortInterestUsd: z.number().min(0).max(1),
      })
      .strict()
      .optional(),
  })
  .strict();

/**
 * 1: rules 1–11; 2: rule 12's security master on top; 3: rule 4(a–b)'s revisions and symbol join, rule
 * 3(d)'s FINRA split flags and rule 6's tier as of A (docs/methodology.md).
 */
export const MethodologyVersionSchema = z.union([z.literal(1), z.literal(2), z.literal(3)]);

const rowsAndShares = z.object({ rows: z.number().int().min(0), shares: z.number().min(0) }).strict();

/**
 * v3, rule 4(b): how the exchange-listed rows of the short interest file in effect on A met the listings
 * priced on the day it took effect. Unmatched rows are split into funds and ETFs (outside the screener's universe) and the rest,
 * the largest of which are named.
 */
export const ShortInterestJoinSchema = z
  .object({
    settlementDate: isoDate,
    listedRows: z.number().int().min(0),
    matchedRows: z.number().int().min(0),
    /** Rows met through a compressed spelling (`BRKB` → `BRK.B`). */
    resolvedSpellings: z.number().int().min(0),
    unmatchedFunds: rowsAndShares,
    unmatchedOther: rowsAndShares,
    /** The largest unmatched non-fund rows by shares (at most 10). */
    largestUnmatched: z
      .array(z.object({ symbol: z.string(), issueName: z.string(), shares: z.number().min(0) }).strict())
      .max(10),
  })
  .strict();

/** Rule 12 (v2): listings priced on A by type; only common stocks and ADRs enter the figures. */
export const SecurityTypeCountsSchema = z
  .object({
    common: z.number().int().min(0),
    adr: z.number().int().min(0),
    preferred: z.number().int().min(0),
    note: z.number().int().min(0),
    warrant: z.number().int().min(0),
    unit: z.number().int().min(0),
    right: z.number().int().min(0),
    fund: z.number().int().min(0),
    other: z.number().int().min(0),
  })
  .strict();

export const RejectionSchema = z
  .object({ file: z.string(), line: z.number().int().min(0), field: z.string(), reason: z.string() })
  .strict();

export const DataQualitySchema = z
  .object({
    rejectedDays: z.array(z.object({ date: isoDate, file: z.string(), reason: z.string() }).strict()),
    splits: z.array(
      z
        .object({
          symbol: z.string(),
          date: isoDate,
          factor: z.number().positive(),
          rule: z.enum(['3a', '3b', '3c', '3d']),
        })
        .strict(),
    ),
    /** Splits rule 3(b) cannot decide yet (fewer than 10 later days known): P&L held out (pipeline, issue 4). */
    pendingSplits: z.array(z.object({ symbol: z.string(), date: isoDate, reason: z.string() }).strict()),
    rejectedRows: z.number().int().min(0),
    rejections: z.array(RejectionSchema).max(100),
    /** Settlement date of the short interest file in effect on asOf (rule 4); null when none. */
    shortInterestSettlementDate: isoDate.nullable(),
    acceptedDays: z.number().int().min(0),
    /** Methodology v2 and later: listings priced on A by rule 12's type. */
    securityTypes: SecurityTypeCountsSchema.optional(),
    /** Methodology v3: rule 4(b)'s join of the file in effect on A (absent when no file is in effect). */
    shortInterestJoin: ShortInterestJoinSchema.optional(),
    /** Values rule 11 (plausibility) kept out of the figures, with the file, field and reason. */
    quarantined: z.array(
      z
        .object({
          date: isoDate,
          symbol: z.string(),
          file: z.string(),
          field: z.string(),
          rule: z.enum(['11a', '11b', '11c']),
          reason: z.string(),
        })
        .strict(),
    ),
  })
  .strict();

export const SourceSchema = z
  .object({ file: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/), rows: z.number().int().min(0) })
  .strict();

export const SnapshotSchema = z
  .object({
    schemaVersion: z.literal(1),
    methodologyVersion: MethodologyVersionSchema,
    asOf: isoDate.describe('The trading day the figures are as of: the last day with accepted market data (rule 7)'),
    generatedAt: z.iso.datetime(),
    publishedAt: z.iso
      .datetime()
      .optional()
      .describe(
        "When this day was first published by the pipeline (kept when the day is restated; the feed's pubDate). Absent from pulse build output",
      ),
    sample: z
      .boolean()
      .describe(
        'true when built from sample data: the short interest (and possibly the prices) is generated, not real',
      ),
    restated: z
      .boolean()
      .describe('true when this day was recomputed after late data (a short interest file or a confirmed split)'),
    restatedOn: isoDate.nullable().describe('Trading date of the run that restated it'),
    previousPublication: z
      .object({
        generatedAt: z.iso.datetime(),
        headline: z.string().max(500),
        ytdPnlUsd: z.number().nullable().describe('All U.S. stocks, year to date, as published then'),
        dayPnlUsd: z.number().nullable().describe('All U.S. stocks, 1D, as published then'),
      })
      .strict()
      .optional()
      .describe(
        'On a restated day: what the pipeline had published for it before this restatement (the headline and the total figures), set by publish',
      ),
    windows: z.object(
      Object.fromEntries(WINDOWS.map((w) => [w, WindowSchema])) as Record<
        (typeof WINDOWS)[number],
        typeof WindowSchema
      >,
    ),
    crowded: z.array(CrowdedEntrySchema).max(20),
    dataQuality: DataQualitySchema,
    sources: z.array(SourceSchema),
  })
  .strict();

export type GroupFigures = z.infer<typeof GroupFiguresSchema>;
export type TopEntry = z.infer<typeof TopEntrySchema>;
export type NetNewEntry = z.infer<typeof NetNewEntrySchema>;
export type NetNewShorting = z.infer<typeof NetNewShortingSchema>;
export type SnapshotWindow = z.infer<typeof WindowSchema>;
export type CrowdedEntry = z.infer<typeof CrowdedEntrySchema>;
export type DataQuality = z.infer<typeof DataQualitySchema>;
export type Snapshot = z.infer<typeof SnapshotSchema>;

/** history.json: one row per published day with each group's 1d and YTD figures (for the charts). */
export const HistoryRowSchema = z
  .object({
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
  })
  .strict();

export const HistorySchema = z
  .object({
    schemaVersion: z.literal(1),
    methodologyVersion: MethodologyVersionSchema,
    generatedAt: z.iso.datetime(),
    sample: z.boolean(),
    rows: z.array(HistoryRowSchema),
  })
  .strict();

export type HistoryRow = z.infer<typeof HistoryRowSchema>;
export type History = z.infer<typeof HistorySchema>;

/** JSON Schemas published beside the data (draft 2020-12). */
export function snapshotJsonSchema(): Record<string, unknown> {
  return {
    $id: '/data/schema/snapshot.v1.json',
    title: 'Short Pulse snapshot v1',
    ...z.toJSONSchema(SnapshotSchema, { target: 'draft-2020-12' }),
  };
}

export function historyJsonSchema(): Record<string, unknown> {
  return {
    $id: '/data/schema/history.v1.json',
    title: 'Short Pulse history v1',
    ...z.toJSONSchema(HistorySchema, { target: 'draft-2020-12' }),
  };
}
