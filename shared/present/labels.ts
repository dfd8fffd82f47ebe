/** Human labels for tiers, groups and windows: one place, so the page, charts and feed say the same. */
import type { Group, Tier, WindowName } from '../domain.ts';

export const TIER_LABELS: Readonly<Record<Tier, string>> = {
  nano: 'Nano',
  micro: 'Micro',
  small: 'Small',
  mid: 'Mid',
  large: 'Large',
  mega: 'Mega',
};

/** Market-cap bounds of each tier (methodology rule 6). */
export const TIER_RANGES: Readonly<Record<Tier, string>> = {
  nano: 'under $50M',
  micro: '$50M – $300M',
  small: '$300M – $2B',
  mid: '$2B – $10B',
  large: '$10B – $200B',
  mega: '$200B and over',
};

export const GROUP_LABELS: Readonly<Record<Group, string>> = {
  ...TIER_LABELS,
  megaLarge: 'Mega & large',
  smallMicroNano: 'Small, micro & nano',
  total: 'All U.S.',
};

export const WINDOW_LABELS: Readonly<Record<WindowName, string>> = {
  '1d': '1D',
  mtd: 'MTD',
  '30d': '30D',
  ytd: 'YTD',
};

export const WINDOW_NAMES_LONG: Readonly<Record<WindowName, string>> = {
  '1d': 'Last trading day',
  mtd: 'Month to date',
  '30d': 'Last 30 days',
  ytd: 'Year to date',
};

/** Tiers from largest to smallest: the order tables read in (as S3 Partners' tables do). */
export const TIERS_LARGEST_FIRST: readonly Tier[] = ['mega', 'large', 'mid', 'small', 'micro', 'nano'];

/** Table rows: tiers, then the published composites. */
export const GROUP_ROWS: readonly Group[] = [...TIERS_LARGEST_FIRST, 'megaLarge', 'smallMicroNano', 'total'];

export function tierLabel(tier: string): string {
  return (TIER_LABELS as Record<string, string>)[tier] ?? tier;
}
