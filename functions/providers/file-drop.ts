/**
 * File drops: a file uploaded under `incoming/` in the raw bucket. Its name says what it is (the input
 * folder convention of issue 2), or a folder does: `incoming/<source>/<file>`.
 *   YYYY-MM-DD.json[.gz]        prices (screener snapshot of that trading day)
 *   shrtYYYYMMDD*.csv[.gz]      short interest (settlement date; suffixes are revisions)
 *   CNMSshvolYYYYMMDD.txt[.gz]  short volume
 *   splits*.csv                 split overrides (dated by the day it arrives)
 *   splits-YYYY-MM-DD.json[.gz] Nasdaq split calendar of that day
 *   securities*.csv             rule 12 overrides (dated by the day it arrives)
 */

import type { IsoDate } from '../../shared/domain.ts';
import { SPLIT_CALENDAR_FILE } from '../../shared/formats/nasdaq-split-calendar.ts';
import { INCOMING_PREFIX, isArrivalDated, isSourceName, type SourceName } from '../pipeline/keys.ts';

export interface ClassifiedDrop {
  source: SourceName;
  file: string;
  /** The date the file is about; for splits and securities, the arrival date. */
  date: IsoDate;
}

export type DropClassification = { ok: true; drop: ClassifiedDrop } | { ok: false; file: string; reason: string };

const PATTERNS: { source: SourceName; re: RegExp; date: (m: RegExpExecArray) => string | undefined }[] = [
  { source: 'prices', re: /^(\d{4}-\d{2}-\d{2})\.json(?:\.gz)?$/i, date: (m) => m[1] },
  {
    source: 'short-interest',
    re: /^shrt(\d{4})(\d{2})(\d{2})[^/]*\.csv(?:\.gz)?$/i,
    date: (m) => `${m[1]}-${m[2]}-${m[3]}`,
  },
  {
    source: 'short-volume',
    re: /^CNMSshvol(\d{4})(\d{2})(\d{2})\.txt(?:\.gz)?$/i,
    date: (m) => `${m[1]}-${m[2]}-${m[3]}`,
  },
  { source: 'split-calendar', re: SPLIT_CALENDAR_FILE, date: (m) => m[1] },
];

/** The operator's files, named by what they hold: dated by arrival. */
const ARRIVAL_DATED: { source: SourceName; re: RegExp }[] = [
  { source: 'splits', re: /^splits[^/]*\.csv$/i },
  { source: 'securities', re: /^securities[^/]*\.csv$/i },
];

function realDate(date: string | undefined): date is IsoDate {
  if (date === undefined) return false;
  const d = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === date;
}

/** The source and date of a file name, or why it is not one the pipeline knows. */
export function classifyFile(file: string, arrivalDate: IsoDate, forcedSource?: SourceName): DropClassification {
  if (forcedSource !== undefined && isArrivalDated(forcedSource)) {
    return { ok: true, drop: { source: forcedSource, file, date: arrivalDate } };
  }
  const operator = forcedSource === undefined ? ARRIVAL_DATED.find((a) => a.re.test(file)) : undefined;
  if (operator) return { ok: true, drop: { source: operator.source, file, date: arrivalDate } };
  for (const p of PATTERNS) {
    if (forcedSource !== undefined && p.source !== forcedSource) continue;
    const m = p.re.exec(file);
    if (!m) continue;
    const date = p.date(m);
    if (!realDate(date)) return { ok: false, file, reason: `the date in the file name is not a calendar day` };
    return { ok: true, drop: { source: p.source, file, date } };
  }
  const expected = forcedSource
    ? `a ${forcedSource} file name`
    : 'YYYY-MM-DD.json[.gz], shrtYYYYMMDD*.csv, CNMSshvolYYYYMMDD.txt, splits.csv, splits-YYYY-MM-DD.json or securities.csv';
  return { ok: false, file, reason: `unrecognised file name (expected ${expected})` };
}

/** Classifies a dropped object key (`incoming/<file>` or `incoming/<source>/<file>`). */
export function classifyDrop(key: string, arrivalDate: IsoDate): DropClassification {
  const rest = key.startsWith(INCOMING_PREFIX) ? key.slice(INCOMING_PREFIX.length) : key;
  const parts = rest.split('/');
  const file = parts[parts.length - 1] ?? '';
  if (!key.startsWith(INCOMING_PREFIX) || file === '') {
    return { ok: false, file: file || key, reason: `not a file under ${INCOMING_PREFIX}` };
  }
  if (parts.length > 2) return { ok: false, file, reason: `too deep: expected ${INCOMING_PREFIX}[<source>/]<file>` };
  const folder = parts.length === 2 ? parts[0] : undefined;
  if (folder !== undefined && !isSourceName(folder)) {
    return { ok: false, file, reason: `unknown source folder ${JSON.stringify(folder)}` };
  }
  return classifyFile(file, arrivalDate, folder as SourceName | undefined);
}
