/** What every benchmark part receives and how it reports. */
import { loadAverage } from './machine.ts';
import { type BenchOptions, PART_TITLES, type PartId } from './options.ts';
import type { Figure, PartResult } from './report.ts';

export interface BenchContext {
  options: BenchOptions;
  log: (line: string) => void;
  /** Scratch folder of this invocation (removed at the end). */
  tmpDir: string;
  /** Results of this invocation so far, falling back to the stored ones (the cost model reads them). */
  results: () => Partial<Record<PartId, PartResult>>;
}

export class PartBuilder {
  readonly result: PartResult;
  private readonly started = performance.now();

  constructor(id: PartId) {
    this.result = {
      id,
      title: PART_TITLES[id],
      status: 'done',
      startedAt: new Date().toISOString(),
      loadAtStart: loadAverage(),
      durationMs: 0,
      figures: [],
      details: [],
    };
  }

  figure(f: Figure): this {
    this.result.figures.push(f);
    return this;
  }

  detail(markdown: string): this {
    this.result.details.push(markdown);
    return this;
  }

  data(values: Record<string, unknown>): this {
    this.result.data = { ...this.result.data, ...values };
    return this;
  }

  finish(status: PartResult['status'] = this.result.status, message?: string): PartResult {
    this.result.status = status;
    if (message !== undefined) this.result.message = message;
    this.result.durationMs = performance.now() - this.started;
    return this.result;
  }
}

/** `≤ limit` as a verdict; a missing measurement is not a pass. */
export function atMost(value: number, limit: number): 'met' | 'missed' {
  return Number.isFinite(value) && value <= limit ? 'met' : 'missed';
}

export function atLeast(value: number, limit: number): 'met' | 'missed' {
  return Number.isFinite(value) && value >= limit ? 'met' : 'missed';
}
