/**
 * Which files an input folder holds, for every command that reads one (`pulse build`, `pulse validate`,
 * `pulse run` and the folder provider): one set of name patterns and one listing (issue 17, "the same input
 * read two ways": `build` ignored a gzipped short interest file that `run` read, and all three skipped
 * symlinked files without a word). docs/data-formats.md, "Input folder".
 */
import { type Dirent, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** `prices/YYYY-MM-DD.json[.gz]`; group 1 is the day. */
export const PRICE_FILE = /^(\d{4}-\d{2}-\d{2})\.json(?:\.gz)?$/;
/** `short-interest/shrtYYYYMMDD*.csv[.gz]` (revisions `-r1` …); groups 1–3 are the settlement date. */
export const SHORT_INTEREST_FILE = /^shrt(\d{4})(\d{2})(\d{2})[^/]*\.csv(?:\.gz)?$/i;
/** `short-volume/CNMSshvolYYYYMMDD.txt[.gz]`. */
export const SHORT_VOLUME_FILE = /^CNMSshvol\d{8}\.txt(?:\.gz)?$/;

/**
 * The second (and later) price snapshots of a day in name order (`2024-06-11.json.gz` after
 * `2024-06-11.json`), each with the first one: every command reads only the first (issue 17).
 */
export function laterSnapshotsOfADay(names: readonly string[]): { date: string; file: string; first: string }[] {
  const firstOf = new Map<string, string>();
  const later: { date: string; file: string; first: string }[] = [];
  for (const file of [...names].sort()) {
    const date = PRICE_FILE.exec(file)?.[1];
    if (date === undefined) continue;
    const first = firstOf.get(date);
    if (first === undefined) firstOf.set(date, file);
    else later.push({ date, file, first });
  }
  return later;
}

export interface FolderListing {
  /** Regular files, and symlinks to regular files (read through the link), in name order. */
  files: string[];
  /** Symlinks whose target is missing or not a file: reported, not read. */
  broken: string[];
}

/** The files of `dir` (none when it does not exist): symlinks are followed, hidden files left out. */
export function listFolder(dir: string): FolderListing {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { files: [], broken: [] };
    throw error;
  }
  const files: string[] = [];
  const broken: string[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    if (e.isFile()) files.push(e.name);
    else if (e.isSymbolicLink()) {
      let target: ReturnType<typeof statSync> | undefined;
      try {
        target = statSync(path.join(dir, e.name));
      } catch {
        target = undefined;
      }
      if (target?.isFile()) files.push(e.name);
      else broken.push(e.name);
    }
  }
  const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return { files: files.sort(byName), broken: broken.sort(byName) };
}
