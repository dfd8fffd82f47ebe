/**
 * Rule 13's page text: which FINRA reports a window's net new shorting compares, and when the next one is
 * due (short interest only moves when FINRA publishes, twice a month).
 */
import { addCalendarDays, publicationDate, settlementDates } from '../calendar.ts';
import type { NetNewShorting } from '../snapshot/schema.ts';
import { formatDate } from './format.ts';

/** The headline groups the page's switch offers (the JSON has all nine). */
export const NET_NEW_PAGE_GROUPS = ['total', 'megaLarge', 'mid', 'smallMicroNano'] as const;

/** The next settlement date after `settled` and the day FINRA publishes its file (shared/calendar.ts). */
export function nextReport(settled: string): { settlement: string; due: string } {
  const next = settlementDates(addCalendarDays(settled, 1), addCalendarDays(settled, 40))[0] as string;
  return { settlement: next, due: publicationDate(next) };
}

/** "Compares FINRA's reports settled 14 Feb 2025 and 28 Feb 2025." or why there is nothing to compare. */
export function comparesSentence(n: Pick<NetNewShorting, 'fromSettlement' | 'toSettlement'>): string {
  if (n.toSettlement === null) return 'No FINRA short interest report is in effect yet.';
  if (n.fromSettlement === null) {
    return `The first FINRA report, settled ${formatDate(n.toSettlement)}, took effect in this period: nothing to compare it with.`;
  }
  if (n.fromSettlement === n.toSettlement) {
    return `No new FINRA report took effect in this period: the report settled ${formatDate(n.toSettlement)} was already in effect.`;
  }
  return `Compares FINRA’s reports settled ${formatDate(n.fromSettlement)} and ${formatDate(n.toSettlement)}.`;
}

/** "The next report settles 14 Mar 2025 and is due from 25 Mar 2025." */
export function nextReportSentence(toSettlement: string | null): string | null {
  if (toSettlement === null) return null;
  const next = nextReport(toSettlement);
  return `The next report settles ${formatDate(next.settlement)} and is due from ${formatDate(next.due)} (FINRA’s 8th business day).`;
}
