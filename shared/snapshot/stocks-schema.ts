/**
 * Every stock (issue 19): one JSON file per stock with short interest in the year to date
 * (`/data/stocks/<SYMBOL>.json`) and an index of them (`/data/stocks/index.json`). As for the snapshot, the zod
 * schemas are the contract and the published JSON Schemas are generated from them. Figures follow the methodology
 * rules cited in the descriptions (docs/methodology.md); the daily series is columnar (one array per field, one
 * element per accepted day of the year) so a year of a stock is a few kilobytes.
 */
import { WINDOWS } from '../domain.ts';
import * as z from '../zod.ts';
import { snapshotSchemas } from './schema.ts';

/**
 * The stock files' schemas, built together on first use (not at Lambda init, as the snapshot's:
 * ./schema.ts); the exported constants are `z.lazy` handles on them.
 */
export const stockSchemas = z.onFirstUse(() => {
  const { isoDate, MethodologyVersionSchema, TierSchema } = snapshotSchemas();
  const usd = z.described(z.number(), 'US dollars at full precision');
  const nullableNumber = z.nullable(z.number());

  /** A stock's own figures over one window (rules 8 and 9 for one symbol). */
  const StockWindowSchema = z.strictObject({
    from: z.nullable(isoDate),
    tradingDays: z.number().check(z.int()).check(z.minimum(0)),
    pnlUsd: z.described(
      usd,
      'Short sellers’ mark-to-market profit over the window in US dollars: positive = they gained, negative = they lost (rule 5)',
    ),
    avgShortInterestUsd: z.described(usd, 'Average dollar amount held short per trading day of the window (rule 8)'),
    pnlPct: z.described(
      nullableNumber,
      'pnlUsd as a percentage of avgShortInterestUsd (rule 9); null when nothing was held short',
    ),
    netNewShortingUsd: z.described(
      usd,
      'Dollars of new short selling (negative: covering) when new FINRA reports took effect (rules 5, 13)',
    ),
  });

  /** The short interest in effect on A (rule 4), with days to cover (rule 10's definition). */
  const StockShortInterestSchema = z.strictObject({
    settlementDate: z.described(isoDate, 'Settlement date of the FINRA report in effect on asOf'),
    shares: z.described(
      z.number().check(z.minimum(0)),
      'Shares held short on asOf (the report in effect, adjusted for later splits)',
    ),
    usd: z.described(usd, 'shares at the asOf closing price, US dollars'),
    pctSharesOut: z.described(
      nullableNumber,
      'Shares held short as a percentage of shares outstanding; null without a market cap on asOf',
    ),
    daysToCover: z.described(
      nullableNumber,
      'Shares held short divided by the average daily volume; null without a volume',
    ),
    daysToCoverSource: z.described(
      z.nullable(z.enum(['finra', 'screener'])),
      "FINRA's average daily volume (all venues) or the screener's 20-day mean of positive volumes",
    ),
  });

  /** One accepted day of the year, per field (arrays of equal length; index i = dates[i]). */
  const StockSeriesSchema = z.strictObject({
    date: z.array(isoDate),
    price: z.described(z.array(nullableNumber), 'Screener last sale; null when the stock was not listed that day'),
    splitFactor: z.described(z.array(z.number()), 'Rule 3: new shares per old share on that day (1 = no split)'),
    shortInterest: z.described(
      z.array(z.number()),
      'Shares held short in effect that day (rule 4: adjusted for splits since the report)',
    ),
    settlementDate: z.described(z.array(z.nullable(isoDate)), 'Settlement date of the file in effect that day'),
    exposureUsd: z.described(
      z.array(z.number()),
      'Dollars held short at the previous close (rule 5); 0 when the day does not count',
    ),
    pnlUsd: z.described(
      z.array(z.number()),
      'Short sellers’ profit that day, US dollars (rule 5); 0 when the day does not count',
    ),
    tier: z.described(
      z.array(z.nullable(TierSchema)),
      'Market-cap tier by the previous day’s market cap (rule 6); null when unknown',
    ),
    flags: z.described(
      z.array(z.array(z.enum(['first-day', 'not-counted', 'split', 'new-file', 'pending-split']))),
      "first-day: the data's first day (never counted); not-counted: no price on d−1 or d, or no MC_{d−1}; split: a split applied that day; new-file: a short interest file took effect; pending-split: held out by an undecided split",
    ),
  });

  const StockNoteSchema = z.strictObject({
    date: isoDate,
    kind: z.enum(['split', 'pending-split', 'quarantine']),
    text: z.string(),
  });

  const StockFileSchema = z.strictObject({
    schemaVersion: z.literal(1),
    methodologyVersion: MethodologyVersionSchema,
    asOf: isoDate,
    generatedAt: z.iso.datetime(),
    sample: z.boolean(),
    symbol: z.string().check(z.minLength(1)),
    name: z.string(),
    tier: z.described(z.nullable(TierSchema), 'Market-cap tier as of asOf (rule 6: the latest known market cap)'),
    sector: z.string(),
    listedOnAsOf: z.described(
      z.boolean(),
      'Whether the stock was priced on asOf (a stock delisted during the year keeps its file)',
    ),
    windows: z.object(
      Object.fromEntries(WINDOWS.map((w) => [w, StockWindowSchema])) as Record<
        (typeof WINDOWS)[number],
        typeof StockWindowSchema
      >,
    ),
    shortInterest: z.nullable(StockShortInterestSchema),
    crowded: z.described(
      z.nullable(
        z.strictObject({
          rank: z.number().check(z.int()).check(z.minimum(1)),
          score: z.number().check(z.minimum(0)).check(z.maximum(100)),
        }),
      ),
      'Its rank in the crowded-shorts top 20 on asOf (rule 10), or null',
    ),
    series: StockSeriesSchema,
    notes: z.array(StockNoteSchema),
  });

  const StockIndexEntrySchema = z.strictObject({
    symbol: z.string().check(z.minLength(1)),
    name: z.string(),
    tier: z.nullable(TierSchema),
    sector: z.string(),
    ytdPnlUsd: usd,
    ytdPnlPct: nullableNumber,
    shortInterestUsd: z.nullable(usd),
    shortInterestPctSharesOut: nullableNumber,
    daysToCover: nullableNumber,
  });

  const StockIndexSchema = z.strictObject({
    schemaVersion: z.literal(1),
    methodologyVersion: MethodologyVersionSchema,
    asOf: isoDate,
    generatedAt: z.iso.datetime(),
    sample: z.boolean(),
    stocks: z.array(StockIndexEntrySchema),
  });
  return {
    StockWindowSchema,
    StockShortInterestSchema,
    StockSeriesSchema,
    StockNoteSchema,
    StockFileSchema,
    StockIndexEntrySchema,
    StockIndexSchema,
  };
});

const handle = <K extends keyof ReturnType<typeof stockSchemas>>(name: K) => z.lazy(() => stockSchemas()[name]);

export const StockWindowSchema = /* @__PURE__ */ handle('StockWindowSchema');
export const StockShortInterestSchema = /* @__PURE__ */ handle('StockShortInterestSchema');
export const StockSeriesSchema = /* @__PURE__ */ handle('StockSeriesSchema');
export const StockNoteSchema = /* @__PURE__ */ handle('StockNoteSchema');
export const StockFileSchema = /* @__PURE__ */ handle('StockFileSchema');
export const StockIndexEntrySchema = /* @__PURE__ */ handle('StockIndexEntrySchema');
export const StockIndexSchema = /* @__PURE__ */ handle('StockIndexSchema');

export type StockWindow = z.infer<typeof StockWindowSchema>;
export type StockFile = z.infer<typeof StockFileSchema>;
export type StockSeries = z.infer<typeof StockSeriesSchema>;
export type StockIndex = z.infer<typeof StockIndexSchema>;
export type StockIndexEntry = z.infer<typeof StockIndexEntrySchema>;

export function stockJsonSchema(): Record<string, unknown> {
  return {
    $id: '/data/schema/stock.v1.json',
    title: 'Short Pulse stock v1',
    ...z.toJSONSchema(stockSchemas().StockFileSchema, { target: 'draft-2020-12' }),
  };
}

export function stockIndexJsonSchema(): Record<string, unknown> {
  return {
    $id: '/data/schema/stocks-index.v1.json',
    title: 'Short Pulse stock index v1',
    ...z.toJSONSchema(stockSchemas().StockIndexSchema, { target: 'draft-2020-12' }),
  };
}

/** The file name of a stock (symbols keep `.` and `-`: BRK.B → `BRK.B.json`). */
export function stockFileName(symbol: string): string {
  return `${symbol}.json`;
}
