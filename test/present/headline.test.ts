import { describe, expect, it } from 'vitest';
import { buildHeadline, ytdPeriod } from '../../shared/present/headline.ts';
import { fixtureLatest, withYtd } from './fixtures.ts';

describe('buildHeadline', () => {
  it('reads the fixture: small caps up, mid/large/mega down (S3 Partners’ 2023 YTD figures)', () => {
    // smallMicroNano +12.934B / avg 85.6B; mid −29.06B + megaLarge −110.73B = −139.79B over 227.4B + 653.3B.
    const h = buildHeadline(fixtureLatest());
    expect(h.text).toBe(
      'Short sellers are up $12.9B on small, micro and nano caps this year, down $139.8B on mid, large and mega caps.',
    );
    expect(h.small).toMatchObject({ direction: 'up', amount: '$12.9B', percent: '+15.11%' });
    expect(h.large).toMatchObject({ direction: 'down', amount: '$139.8B', percent: '−15.87%' });
    expect(h.segments.map((s) => s.tone ?? null)).toEqual([null, 'gain', null, 'loss', null]);
    expect(h.segments.map((s) => s.text).join('')).toBe(h.text);
  });

  const big = { avgShortInterestUsd: 100_000_000_000 };
  it.each([
    [
      'small down, large up',
      {
        smallMicroNano: { pnlUsd: -2_500_000_000, ...big },
        mid: { pnlUsd: 1_000_000_000, ...big },
        megaLarge: { pnlUsd: 4_000_000_000, ...big },
      },
      'Short sellers are down $2.5B on small, micro and nano caps this year, up $5.0B on mid, large and mega caps.',
    ],
    [
      'both up',
      {
        smallMicroNano: { pnlUsd: 750_000_000, ...big },
        mid: { pnlUsd: 20_000_000, ...big },
        megaLarge: { pnlUsd: 30_000_000, ...big },
      },
      'Short sellers are up $750.0M on small, micro and nano caps this year, up $50.0M on mid, large and mega caps.',
    ],
    [
      'both down',
      {
        smallMicroNano: { pnlUsd: -1_000, ...big },
        mid: { pnlUsd: -600_000_000, ...big },
        megaLarge: { pnlUsd: -1_400_000_000, ...big },
      },
      'Short sellers are down $1.0K on small, micro and nano caps this year, down $2.0B on mid, large and mega caps.',
    ],
    [
      'flat when the amount rounds to $0',
      { smallMicroNano: { pnlUsd: 0.3, ...big }, mid: { pnlUsd: 0, ...big }, megaLarge: { pnlUsd: -0.2, ...big } },
      'Short sellers are flat on small, micro and nano caps this year, flat on mid, large and mega caps.',
    ],
  ])('%s', (_name, groups, expected) => {
    expect(buildHeadline(withYtd(groups)).text).toBe(expected);
  });

  it('sums mid and megaLarge, and their average short interest for the percentage', () => {
    const h = buildHeadline(
      withYtd({
        mid: { pnlUsd: -10_000_000_000, avgShortInterestUsd: 100_000_000_000 },
        megaLarge: { pnlUsd: 30_000_000_000, avgShortInterestUsd: 300_000_000_000 },
      }),
    );
    // (−10 + 30) / (100 + 300) = +5%.
    expect(h.large).toMatchObject({ direction: 'up', amount: '$20.0B', percent: '+5.00%', pnlUsd: 20_000_000_000 });
  });

  it('says which side has no figures when one is null', () => {
    const h = buildHeadline(withYtd({ mid: { pnlUsd: null, avgShortInterestUsd: null } }));
    expect(h.text).toBe(
      'Short sellers are up $12.9B on small, micro and nano caps this year; there are no figures yet for mid, large and mega caps.',
    );
    expect(h.large.direction).toBe('unknown');
    expect(h.large.percent).toBe('—');
  });

  it('handles a year without counted days (empty YTD window)', () => {
    const none = { pnlUsd: null, avgShortInterestUsd: null, pnlPct: null };
    const h = buildHeadline(withYtd({ smallMicroNano: none, mid: none, megaLarge: none }));
    expect(h.text).toBe(
      'No trading days have been counted yet this year, so there are no figures for short sellers yet.',
    );
  });
});

describe('the YTD span in the headline (issue 18)', () => {
  const from = (date: string | null) => {
    const s = fixtureLatest();
    s.windows.ytd.from = date;
    return buildHeadline(s).text;
  };

  it('says "this year" when the window runs from the close of the year’s first trading day or earlier', () => {
    // 1 Jan 2024 is a holiday: 2 Jan is the first trading day. A history starting on 2 Jan counts from 3 Jan
    // (rule 7: the first day has no previous close); one holding 29 Dec 2023 counts from 2 Jan.
    expect(from('2024-01-02')).toContain('small, micro and nano caps this year, down');
    expect(from('2024-01-03')).toContain('small, micro and nano caps this year, down');
    expect(ytdPeriod({ from: '2025-01-02', to: '2025-12-31' })).toBe('this year');
    expect(ytdPeriod({ from: null, to: '2025-01-02' })).toBe('this year');
  });

  it('says "since <date>" when the history starts later: a deployment backfilled from its deploy day', () => {
    // The window's first counted day is 3 Dec: its P&L runs from the close of 2 Dec.
    expect(from('2024-12-03')).toBe(
      'Short sellers are up $12.9B on small, micro and nano caps since 2 Dec 2024, down $139.8B on mid, large and mega caps.',
    );
    // A first counted day of 4 Jan: the history starts on 3 Jan (2 Jan missing or refused), and the sentence says so.
    expect(ytdPeriod({ from: '2024-01-04', to: '2024-03-28' })).toBe('since 3 Jan 2024');
  });
});
