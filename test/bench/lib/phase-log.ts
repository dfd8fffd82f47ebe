/**
 * The log a bench child gives the pipeline: warnings and errors kept (reported to the parent), and the time per
 * phase that compute and publish log with their result (`ms` of their last info line).
 */
import type { Log } from '../../../functions/adapters/ports.ts';

export interface PhaseLog {
  log: Log;
  /** `warn: …` and `error: …` lines, in order. */
  messages: string[];
  /** The phases of the last info line that carried them. */
  phases(): Record<string, number>;
}

export function createPhaseLog(): PhaseLog {
  const messages: string[] = [];
  let phases: Record<string, number> = {};
  const log: Log = {
    debug() {},
    info(_message, ...extra) {
      for (const e of extra)
        if (e && typeof e.ms === 'object' && e.ms !== null) phases = e.ms as Record<string, number>;
    },
    warn(message) {
      messages.push(`warn: ${message}`);
    },
    error(message) {
      messages.push(`error: ${message}`);
    },
  };
  return { log, messages, phases: () => phases };
}
