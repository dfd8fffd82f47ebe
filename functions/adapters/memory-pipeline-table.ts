/** In-memory PipelineTable for unit tests of the services; passes the same contract suite as the DynamoDB adapter. */
import type { IsoDate } from '../../shared/domain.ts';
import { dayKey, ledgerIndexKey, ledgerKey, ledgerPk } from '../pipeline/keys.ts';
import type { RunLock } from '../pipeline/run-lock.ts';
import {
  type CursorField,
  type DayRecord,
  LEDGER_MAX_REJECTIONS,
  type LedgerEntry,
  type PipelineCursor,
  type PipelineTable,
  type RecordedLedgerEntry,
} from './ports.ts';
import { assertStorableNumbers } from './table-values.ts';

export interface MemoryPipelineTable extends PipelineTable {
  /** Item writes performed (the DynamoDB write-unit proxy for budget assertions). */
  readonly writes: { count: number };
}

const clone = <T>(value: T): T => structuredClone(value);

export function createMemoryPipelineTable(options: { clock?: () => Date } = {}): MemoryPipelineTable {
  const clock = options.clock ?? (() => new Date());
  let lastRecorded = 0;
  const nextRecordedAt = () => {
    lastRecorded = Math.max(clock().getTime(), lastRecorded + 1);
    return new Date(lastRecorded).toISOString();
  };
  const ledger = new Map<string, LedgerEntry>();
  const index = new Map<string, RecordedLedgerEntry>();
  const days = new Map<IsoDate, DayRecord>();
  let runLock: RunLock | null = null;
  const cursor: PipelineCursor = { lastIngested: null, lastComputed: null, lastPublished: null, restateFrom: null };
  const writes = { count: 0 };
  const day = (date: IsoDate): DayRecord => {
    let d = days.get(date);
    if (!d) {
      d = { date, steps: {}, lock: null };
      days.set(date, d);
    }
    return d;
  };
  const ledgerId = (e: Pick<LedgerEntry, 'source' | 'file' | 'sha256'>) => {
    const k = ledgerKey(e.source, e.file, e.sha256);
    return `${k.pk}|${k.sk}`;
  };

  return {
    writes,
    async recordFile(entry) {
      const id = ledgerId(entry);
      const stored = clone({ ...entry, rejections: entry.rejections.slice(0, LEDGER_MAX_REJECTIONS) });
      assertStorableNumbers(ledgerKey(entry.source, entry.file, entry.sha256), stored);
      const recordedAt = nextRecordedAt();
      const position = ledgerIndexKey(recordedAt, entry.source, entry.file, entry.sha256).sk;
      writes.count++;
      index.set(position, { ...clone(stored), recordedAt, position });
      if (ledger.has(id)) return 'duplicate';
      writes.count++;
      ledger.set(id, stored);
      return 'recorded';
    },
    async listRecordedAfter(position) {
      return [...index.keys()]
        .filter((k) => position === null || k > position)
        .sort()
        .map((k) => clone(index.get(k) as RecordedLedgerEntry));
    },
    async getFile(source, file, sha256) {
      const e = ledger.get(ledgerId({ source, file, sha256 }));
      return e ? clone(e) : undefined;
    },
    async listFileVersions(source, file) {
      const pk = ledgerPk(source, file);
      return [...ledger.entries()]
        .filter(([id]) => id.startsWith(`${pk}|`))
        .map(([, e]) => clone(e))
        .sort((a, b) => (a.receivedAt < b.receivedAt ? -1 : a.receivedAt > b.receivedAt ? 1 : 0));
    },
    async getDay(date) {
      const d = days.get(date);
      return d ? clone(d) : undefined;
    },
    async setStepStatus(date, step, status) {
      assertStorableNumbers(dayKey(date), { [step]: status });
      writes.count++;
      day(date).steps[step] = clone(status);
    },
    async acquireDayLock(date, owner, expiresAt, now) {
      assertStorableNumbers(dayKey(date), { lockExpiresAt: expiresAt, now });
      const d = day(date);
      if (d.lock === null || d.lock.expiresAt < now || d.lock.owner === owner) {
        writes.count++;
        d.lock = { owner, expiresAt };
        return { acquired: true, lock: { owner, expiresAt } };
      }
      return { acquired: false, heldBy: { ...d.lock } };
    },
    async releaseDayLock(date, owner) {
      const d = days.get(date);
      if (!d || d.lock?.owner !== owner) return false;
      writes.count++;
      d.lock = null;
      return true;
    },
    async acquireRunLock(owner, expiresAt, now) {
      if (runLock === null || runLock.expiresAt < now || runLock.owner === owner) {
        writes.count++;
        runLock = { owner, expiresAt };
        return { acquired: true, lock: { ...runLock } };
      }
      return { acquired: false, heldBy: { ...runLock } };
    },
    async releaseRunLock(owner) {
      if (runLock?.owner !== owner) return false;
      writes.count++;
      runLock = null;
      return true;
    },
    async getCursor() {
      return { ...cursor };
    },
    async advanceCursor(field: CursorField, date) {
      const current = cursor[field];
      if (current === null || current < date) {
        writes.count++;
        cursor[field] = date;
      }
    },
    async markRestateFrom(date) {
      if (cursor.restateFrom === null || cursor.restateFrom > date) {
        writes.count++;
        cursor.restateFrom = date;
      }
    },
    async clearRestateFrom(expected) {
      if (cursor.restateFrom !== expected) return false;
      writes.count++;
      cursor.restateFrom = null;
      return true;
    },
  };
}
