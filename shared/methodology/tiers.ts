/** Market-cap tiers (rule 6) and the published composite groups. */
import type { Group, Tier } from '../domain.ts';
import { TIERS } from '../domain.ts';

/** Lower bounds of micro, small, mid, large and mega, in US dollars (rule 6). */
const BOUNDS = [50e6, 300e6, 2e9, 10e9, 200e9] as const;

/** Index into TIERS of a valid market cap (> 0): nano < $50M ≤ micro < $300M ≤ small < $2B ≤ mid < $10B ≤ large < $200B ≤ mega. */
export function tierIndex(marketCap: number): number {
  let i = 0;
  while (i < BOUNDS.length && marketCap >= (BOUNDS[i] as number)) i++;
  return i;
}

export function tierOf(marketCap: number): Tier {
  return TIERS[tierIndex(marketCap)] as Tier;
}

/** Member tiers (indices into TIERS) of each published group, in TIERS order (rule 6). */
export const GROUP_MEMBERS: Readonly<Record<Group, readonly number[]>> = {
  nano: [0],
  micro: [1],
  small: [2],
  mid: [3],
  large: [4],
  mega: [5],
  megaLarge: [4, 5],
  smallMicroNano: [0, 1, 2],
  total: [0, 1, 2, 3, 4, 5],
};

/** The sector of a row, with the empty sector named as rule 6 says. */
export function sectorName(sector: string): string {
  const s = sector.trim();
  return s === '' ? 'Unclassified' : s;
}
