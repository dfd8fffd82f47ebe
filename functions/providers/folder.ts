/**
 * A local input folder (issue 2 convention) as providers, for `npm start` / `pulse run --input DIR`:
 *   <dir>/prices/YYYY-MM-DD.json[.gz]  <dir>/short-volume/CNMSshvolYYYYMMDD.txt[.gz]
 *   <dir>/short-interest/shrtYYYYMMDD*.csv  <dir>/splits.csv
 *   <dir>/split-calendar/splits-YYYY-MM-DD.json[.gz]  <dir>/securities.csv
 * Short interest files become "available" `publicationLag` trading days after their settlement date, as
 * FINRA publishes them, so a day-by-day run sees late files and restatements as production does.
 */

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { addTradingDays } from '../../shared/calendar.ts';
import type { IsoDate } from '../../shared/domain.ts';
import { splitCalendarFileName } from '../../shared/formats/nasdaq-split-calendar.ts';
import { listFolder, SHORT_INTEREST_FILE } from '../lib/input-names.ts';
import type { FetchResult, ReceivedFile, SourceProvider } from './source-provider.ts';
import { compactDate } from './source-provider.ts';

export interface FolderOptions {
  dir: string;
  /** Trading days between a settlement date and the day its file is visible (default 7; 0 = at once). */
  publicationLag?: number;
}

async function readIfPresent(file: string): Promise<Uint8Array | undefined> {
  try {
    return await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function firstPresent(dir: string, names: string[]): Promise<FetchResult> {
  for (const name of names) {
    const location = path.join(dir, name);
    const bytes = await readIfPresent(location);
    if (bytes) return { status: 'available', files: [{ name, bytes, location }] };
  }
  return { status: 'not-yet-available', location: path.join(dir, names[0] ?? ''), reason: 'no such file' };
}

const SHORT_INTEREST_NAME = SHORT_INTEREST_FILE;

export function folderProviders(options: FolderOptions): SourceProvider[] {
  const { dir } = options;
  const lag = options.publicationLag ?? 7;
  const pricesDir = path.join(dir, 'prices');
  const volumeDir = path.join(dir, 'short-volume');
  const interestDir = path.join(dir, 'short-interest');
  const calendarDir = path.join(dir, 'split-calendar');

  // Listed once per provider instance: a run sees the folder as it was when it started.
  let index: Promise<Map<IsoDate, string[]>> | undefined;
  const interestIndex = () => {
    // As every command lists an input folder (functions/lib/input-names.ts: symlinks followed).
    index ??= Promise.resolve(listFolder(interestDir).files).then((names) => {
      const bySettlement = new Map<IsoDate, string[]>();
      for (const name of names) {
        const m = SHORT_INTEREST_NAME.exec(name);
        if (!m) continue;
        const s = `${m[1]}-${m[2]}-${m[3]}`;
        bySettlement.set(s, [...(bySettlement.get(s) ?? []), name]);
      }
      return bySettlement;
    });
    return index;
  };

  return [
    {
      id: 'folder-prices',
      source: 'prices',
      immutable: true,
      datesFor: (d) => [d],
      fetch: (d) => firstPresent(pricesDir, [`${d}.json`, `${d}.json.gz`]),
    },
    {
      id: 'folder-short-volume',
      source: 'short-volume',
      immutable: true,
      datesFor: (d) => [d],
      fetch: (d) => firstPresent(volumeDir, [`CNMSshvol${compactDate(d)}.txt`, `CNMSshvol${compactDate(d)}.txt.gz`]),
    },
    {
      id: 'folder-short-interest',
      source: 'short-interest',
      immutable: true,
      async datesFor(tradingDate) {
        const settlements = [...(await interestIndex()).keys()].sort();
        return settlements.filter((s) => s <= tradingDate && addTradingDays(s, lag) <= tradingDate);
      },
      expectedFiles: async (s) => (await interestIndex()).get(s) ?? [],
      async fetch(s) {
        const names = (await interestIndex()).get(s) ?? [];
        if (names.length === 0) {
          return { status: 'not-yet-available', location: interestDir, reason: `no shrt${compactDate(s)}*.csv` };
        }
        const files: ReceivedFile[] = [];
        for (const name of names) {
          const location = path.join(interestDir, name);
          files.push({ name, bytes: await readFile(location), location });
        }
        return { status: 'available', files };
      },
    },
    {
      id: 'folder-splits',
      source: 'splits',
      immutable: true,
      datesFor: (d) => [d],
      fetch: () => firstPresent(dir, ['splits.csv']),
    },
    {
      id: 'folder-split-calendar',
      source: 'split-calendar',
      immutable: true,
      datesFor: (d) => [d],
      fetch: (d) => firstPresent(calendarDir, [splitCalendarFileName(d), `${splitCalendarFileName(d)}.gz`]),
    },
    {
      id: 'folder-securities',
      source: 'securities',
      immutable: true,
      datesFor: (d) => [d],
      fetch: () => firstPresent(dir, ['securities.csv']),
    },
  ];
}
