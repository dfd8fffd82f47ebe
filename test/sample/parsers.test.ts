/**
 * Every generated file goes through the project's real parsers (shared/formats). The FINRA and
 * splits.csv parsers are written in parallel with the generator: each block runs once its module
 * exists and is skipped (visibly) until then. The API is the one in the common brief.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type {
  IsoDate,
  Parsed,
  ShortInterestFile,
  ShortInterestRecord,
  ShortVolumeRecord,
  SplitOverride,
} from '../../shared/domain.ts';
import { finraSpelling } from '../../shared/methodology/join.ts';
import { type GeneratedSample, generateSample, type SampleFile } from '../../shared/sample/index.ts';
import { hasFormat, repoRoot, textOf } from './load.ts';

interface ShortInterestApi {
  parseShortInterest(text: string, file: string): Parsed<ShortInterestRecord> & { settlementDate: IsoDate | null };
  mergeShortInterestRevisions(
    parsed: (Parsed<ShortInterestRecord> & { settlementDate: IsoDate | null })[],
  ): ShortInterestFile[];
}
interface ShortVolumeApi {
  parseShortVolume(text: string, file: string): Parsed<ShortVolumeRecord> & { date: IsoDate | null };
}
interface SplitsApi {
  parseSplitsCsv(text: string, file: string): Parsed<SplitOverride>;
}

/** Imported by URL so the type-check does not need the module to exist yet. */
async function load<T>(module: string): Promise<T> {
  return (await import(pathToFileURL(path.join(repoRoot, 'shared/formats', module)).href)) as T;
}

let sample: GeneratedSample;
beforeAll(() => {
  sample = generateSample({ seed: 11, from: '2025-01-02', to: '2025-04-30', symbols: 300 });
});

const under = (dir: string): SampleFile[] => sample.files.filter((f) => f.path.startsWith(`${dir}/`));
const nameOf = (f: SampleFile) => path.basename(f.path);

describe.skipIf(!hasFormat('finra-short-interest.ts'))('generated short interest through parseShortInterest', () => {
  it('parses every file with no rejection, one record per row, the settlement date from the column', async () => {
    const api = await load<ShortInterestApi>('finra-short-interest.ts');
    for (const f of under('short-interest')) {
      const text = textOf(f);
      const parsed = api.parseShortInterest(text, nameOf(f));
      expect(parsed.rejections, nameOf(f)).toEqual([]);
      expect(parsed.records).toHaveLength(text.trimEnd().split('\n').length - 1);
      const ymd = /^shrt(\d{4})(\d{2})(\d{2})/.exec(nameOf(f));
      expect(parsed.settlementDate).toBe(`${ymd?.[1]}-${ymd?.[2]}-${ymd?.[3]}`);
    }
  });

  it("applies the next settlement's R rows over the revised settlement date", async () => {
    const api = await load<ShortInterestApi>('finra-short-interest.ts');
    const [rev] = sample.manifest.revisions;
    if (!rev) throw new Error('no revision in the sample');
    const all = under('short-interest').map((f) => api.parseShortInterest(textOf(f), nameOf(f)));
    const merged = api.mergeShortInterestRevisions(all);
    expect(merged.map((m) => m.settlementDate)).toEqual(sample.manifest.settlementDates);
    const targetFile = `shrt${rev.settlementDate.replaceAll('-', '')}.csv`;
    const target = merged.find((m) => m.settlementDate === rev.settlementDate) as ShortInterestFile;
    // FINRA re-issues no file: the revised date keeps its one file and names the file that revised it.
    expect(target.files).toEqual([targetFile]);
    expect(target.revisedBy).toEqual([rev.file]);
    expect(merged.filter((m) => m.revisedBy !== undefined).map((m) => m.settlementDate)).toEqual([rev.settlementDate]);
    const original = all.find((p) => p.file === targetFile) as Parsed<ShortInterestRecord>;
    const revising = all.find((p) => p.file === rev.file) as Parsed<ShortInterestRecord>;
    const flagged = revising.records.filter((r) => r.revision);
    expect(flagged.map((r) => r.symbol).sort()).toEqual([...rev.symbols].sort());
    const next = merged.find((m) => m.files.includes(rev.file)) as ShortInterestFile;
    for (const r of flagged) {
      // The R row's previousShortPositionQuantity becomes the earlier date's figure; its own shares stand.
      expect(r.previousShares, r.symbol).toBeTypeOf('number');
      expect(target.shares.get(r.symbol), r.symbol).toBe(r.previousShares);
      expect(next.shares.get(r.symbol), r.symbol).toBe(r.shares);
    }
    const changed = flagged.filter(
      (r) => r.previousShares !== original.records.find((o) => o.symbol === r.symbol)?.shares,
    );
    expect(changed.length).toBeGreaterThan(15);
    // Every other symbol of the revised date keeps its own file's figure.
    const revised = new Set(rev.symbols);
    for (const o of original.records.filter((x) => !revised.has(x.symbol))) {
      expect(target.shares.get(o.symbol), o.symbol).toBe(o.shares);
    }
    expect(target.shares.size).toBe(original.records.length);
  });

  it('reads class shares and preferreds under FINRA’s compressed spellings, which rule 4(b) joins', async () => {
    const api = await load<ShortInterestApi>('finra-short-interest.ts');
    const f = under('short-interest')[1] as SampleFile;
    const symbols = new Set(api.parseShortInterest(textOf(f), nameOf(f)).records.map((r) => r.symbol));
    const special = sample.manifest.spellings.filter((s) => s.screener.trim() !== s.canonical);
    expect(special.length).toBeGreaterThan(3);
    for (const s of special) {
      expect(symbols.has(s.finraShortInterest), s.finraShortInterest).toBe(true);
      expect(finraSpelling(s.canonical), s.canonical).toBe(s.finraShortInterest);
    }
  });
});

describe.skipIf(!hasFormat('finra-short-volume.ts'))('generated Reg SHO files through parseShortVolume', () => {
  it('parses every file, trailer checked, with no rejection', async () => {
    const api = await load<ShortVolumeApi>('finra-short-volume.ts');
    const files = under('short-volume');
    expect(files).toHaveLength(5);
    for (const f of files) {
      const text = textOf(f);
      const parsed = api.parseShortVolume(text, nameOf(f));
      expect(parsed.rejections, nameOf(f)).toEqual([]);
      expect(parsed.records).toHaveLength(text.split('\r\n').length - 3);
      expect(parsed.date).toBe(sample.manifest.shortVolumeDates[files.indexOf(f)]);
    }
  });
});

describe.skipIf(!hasFormat('splits-csv.ts'))('generated splits.csv through parseSplitsCsv', () => {
  it('holds exactly the manifest override', async () => {
    const api = await load<SplitsApi>('splits-csv.ts');
    const f = sample.files.find((x) => x.path === 'splits.csv') as SampleFile;
    const parsed = api.parseSplitsCsv(textOf(f), 'splits.csv');
    expect(parsed.rejections).toEqual([]);
    expect(parsed.records).toEqual(
      sample.manifest.splits
        .filter((s) => s.kind === 'override')
        .map((s) => ({ symbol: s.symbol, date: s.date, ratio: s.factor, file: 'splits.csv' })),
    );
  });
});
