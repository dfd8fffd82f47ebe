/**
 * Domain types shared by the parsers (shared/formats), the methodology (shared/methodology),
 * the pipeline (functions/) and the site. Vendor shapes live in shared/formats; these are
 * what the rest of the code sees after mapping (STYLE.md §3).
 */

/** A calendar date `YYYY-MM-DD` (US/Eastern trading date; no time, no zone). */
export type IsoDate = string;

/** A problem with one row (or one whole file when `line` is 0) of an input file. */
export interface Rejection {
  /** File name as received (no directory), e.g. `shrt20240131.csv`. */
  file: string;
  /** 1-based physical line number in the decoded text; for JSON snapshots the 1-based row index; 0 = whole file. */
  line: number;
  /** Vendor field (column) name, e.g. `lastsale`, `currentShortPositionQuantity`; `*` for the whole row. */
  field: string;
  reason: string;
}

/** One symbol on one day of a Nasdaq screener snapshot, mapped (methodology rule 1). */
export interface PriceRow {
  /** Canonical symbol (see shared/formats/symbols.ts). */
  symbol: string;
  name: string;
  /** `lastsale` as a number: finite and > 0 (rows without a valid price are rejected by the parser). */
  price: number;
  /** `marketCap` if > 0, else null (unknown). */
  marketCap: number | null;
  /** Screener `volume` (shares traded that day) if a finite number >= 0, else null. */
  volume: number | null;
  /** Screener sector; empty → `Unclassified` (rule 6). */
  sector: string;
  industry: string;
}

/** One day's screener snapshot: a candidate trading day (rule 2). */
export interface PriceDay {
  date: IsoDate;
  /** File name it came from. */
  file: string;
  rows: PriceRow[];
}

/** One row of a FINRA short interest file, mapped. */
export interface ShortInterestRecord {
  symbol: string;
  issueName: string;
  /** currentShortPositionQuantity, shares (>= 0). */
  shares: number;
  settlementDate: IsoDate;
  /**
   * revisionFlag `R`: FINRA revised the PREVIOUS settlement's figure of this issue; the revised quantity is
   * `previousShares` (rule 4(a)). This row's own `shares` stand as they are.
   */
  revision: boolean;
  /** averageDailyVolumeQuantity (FINRA's consolidated average daily volume, shares), null when absent. */
  averageDailyVolume?: number | null;
  /** previousShortPositionQuantity, kept only on an `R` row: the previous settlement's revised figure. */
  previousShares?: number;
  /** stockSplitFlag `S`: the issue split during the cycle (rule 3(d), v3); absent when not flagged. */
  splitFlag?: true;
  /** marketClassCode `OTC`: not exchange-listed (present only then; listed rows leave it out). */
  otc?: true;
  /** marketClassCode `ARCA` or `BZX`: listed on a venue of exchange-traded products (rule 4(b)'s fund count). */
  etpVenue?: true;
}

/** All revisions of one settlement date applied in file-name order ("the file" of that date, rule 4). */
export interface ShortInterestFile {
  settlementDate: IsoDate;
  /** File names that make it up, in the order applied. */
  files: string[];
  /** symbol → shares; a later revision replaces an earlier row of the same symbol. */
  shares: Map<string, number>;
  /** symbol → FINRA's average daily volume in shares (rule 10, v2), for the rows that carry one. */
  adv?: Map<string, number>;
  /** Made by Short Pulse's generator (GENERATED_COLUMN), not FINRA: whatever is built on it is sample data. */
  generated?: true;
  /**
   * The `R` rows of this file: symbol → the revised quantity of the PREVIOUS settlement date
   * (previousShortPositionQuantity). `applyFinraRevisions` merges them into that date's file (rule 4(a)).
   */
  revisesPrevious?: Map<string, number>;
  /** Files of the NEXT settlement date whose `R` rows revised this one (rule 4(a)), in the order applied. */
  revisedBy?: string[];
  /** Symbols flagged `S` (the issue split during the cycle ending on this settlement date; rule 3(d), v3). */
  splitFlagged?: Set<string>;
  /** Exchange-listed rows (marketClassCode not OTC): symbol → issueName (rule 4(b)'s join, v3). */
  listedNames?: Map<string, string>;
  /** Listed rows on an ETP venue (ARCA, BZX): counted as funds when unmatched (rule 4(b)). */
  etpVenue?: Set<string>;
}

/** One row of a FINRA Reg SHO daily short sale volume file. */
export interface ShortVolumeRecord {
  date: IsoDate;
  symbol: string;
  shortVolume: number;
  shortExemptVolume: number;
  totalVolume: number;
  market: string;
}

/** An explicit split from splits.csv or the Nasdaq split calendar (rule 3c): `ratio` new shares per old share on `date`. */
export interface SplitOverride {
  symbol: string;
  date: IsoDate;
  ratio: number;
  /**
   * The file the override was read from (`splits.csv`, `splits-2024-06-10.json`): what rule 11(c)'s
   * quarantine names. Absent in overrides stored before it was kept, which read as `splits.csv`.
   */
  file?: string;
}

/** A parsed input file: good records plus rejected rows. */
export interface Parsed<T> {
  file: string;
  records: T[];
  rejections: Rejection[];
}

/** The six market-cap tiers, smallest first (rule 6). */
export const TIERS = ['nano', 'micro', 'small', 'mid', 'large', 'mega'] as const;
export type Tier = (typeof TIERS)[number];

/** Tiers plus the published composite groups (rule 6). */
export const GROUPS = [...TIERS, 'megaLarge', 'smallMicroNano', 'total'] as const;
export type Group = (typeof GROUPS)[number];

/** Snapshot windows (rule 7). */
export const WINDOWS = ['1d', 'mtd', '30d', 'ytd'] as const;
export type WindowName = (typeof WINDOWS)[number];
