/**
 * Public API of the input format parsers (docs/data-formats.md). Pure: text or bytes in, typed
 * records and rejections out; no fs, no clock. Writers (shared/formats/writers.ts) are separate.
 */
export { type DecodeOptions, decodeText, MAX_DECODED_BYTES } from './decode.ts';
export { FormatError, formatRejection } from './errors.ts';
export {
  compareRevisionFileNames,
  mergeShortInterestRevisions,
  type ParsedShortInterest,
  parseShortInterest,
  SHORT_INTEREST_COLUMNS,
  SHORT_INTEREST_REQUIRED,
  type ShortInterestRow,
  shortInterestRowSchema,
  toShortInterestRecord,
} from './finra-short-interest.ts';
export {
  parseShortVolume,
  SHORT_VOLUME_COLUMNS,
  type ShortVolumeRow,
  shortVolumeDateFromName,
  shortVolumeRowSchema,
  toShortVolumeRecord,
} from './finra-short-volume.ts';
export {
  checkScreenerRow,
  parseScreener,
  SCREENER_REQUIRED_COLUMNS,
  type ScreenerOptions,
  type ScreenerRow,
  screenerDateFromName,
  screenerEnvelopeSchema,
  screenerRowSchema,
  toPriceRow,
} from './nasdaq-screener.ts';
export {
  calendarRatioOf,
  mergeSplitOverrides,
  type ParsedSplitCalendar,
  parseSplitCalendar,
  SPLIT_CALENDAR_FILE,
  type SplitCalendarRow,
  splitCalendarDateFromName,
  splitCalendarEnvelopeSchema,
  splitCalendarRowSchema,
  toCalendarSplit,
  usDateOf,
} from './nasdaq-split-calendar.ts';
export {
  type CsvRecord,
  parseSplitsCsv,
  readCsvRecords,
  SPLITS_COLUMNS,
  type SplitRow,
  splitRowSchema,
  toSplitOverride,
} from './splits-csv.ts';
export { canonicalSymbol } from './symbols.ts';
