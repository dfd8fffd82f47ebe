/**
 * Rule 12 (methodology v2): the security master on real screener names (2024-12-31 unless said), and its
 * counts on the real 2024-12-31 snapshot when ../shared/data is present.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { canonicalSymbol } from '../../shared/formats/symbols.ts';
import { classifySecurity, type SecurityType } from '../../shared/methodology/securities.ts';

const REAL: [string, string, SecurityType][] = [
  ['AAPL', 'Apple Inc. Common Stock', 'common'],
  ['GOOG', 'Alphabet Inc. Class C Capital Stock', 'common'],
  ['BRK/B', 'Berkshire Hathaway Inc.', 'common'],
  ['NTRS', 'Northern Trust Corporation Common Stock', 'common'],
  ['ARLP', 'Alliance Resource Partners L.P. Common Units representing Limited Partners Interests', 'common'],
  ['SPLP', 'Steel Partners Holdings LP LTD PARTNERSHIP UNIT', 'common'],
  ['DHC', 'Diversified Healthcare Trust Common Shares of Beneficial Interest', 'common'],
  ['BABA', 'Alibaba Group Holding Limited American Depositary Shares each representing eight Ordinary share', 'adr'],
  ['BZ', 'KANZHUN LIMITED American Depository Shares', 'adr'],
  ['GDS', 'GDS Holdings Limited ADS', 'adr'],
  ['BUD', 'Anheuser-Busch Inbev SA Sponsored ADR (Belgium)', 'adr'],
  ['AEG', 'Aegon Ltd. New York Registry Shares', 'adr'],
  ['ADSE', 'ADS-TEC ENERGY PLC Ordinary Shares', 'common'],
  [
    'HBANP',
    'Huntington Bancshares Incorporated Depositary Shares 4.500% Series H Non-Cumulative Perpetual Preferred Stock',
    'preferred',
  ],
  ['FRMEP', 'First Merchants Corporation Depository Shares', 'preferred'],
  ['HOVNP', 'Hovnanian Enterprises Inc Dep Shr Srs A Pfd', 'preferred'],
  [
    'BPYPM',
    'Brookfield Property Partners L.P. 6.25% Class A Cumulative Redeemable Preferred Units Series 1',
    'preferred',
  ],
  ['ABR^D', 'Arbor Realty Trust 6.375% Series D Cumulative Redeemable Preferred Stock', 'preferred'],
  ['ENO', 'Entergy New Orleans LLC First Mortgage Bonds 5.50% Series due April 1 2066', 'note'],
  ['DTB', 'DTE Energy Company 2020 Series G 4.375% Junior Subordinated Debentures due 2080', 'note'],
  ['CMSA', 'CMS Energy Corporation 5.625% Junior Subordinated Notes due 2078', 'note'],
  ['BNH', 'Brookfield Finance Inc. 4.625% Subordinated Notes due October 16 2080', 'note'],
  ['CTBB', 'Qwest Corporation 6.5% Notes due 2056', 'note'],
  ['NAN', 'Nuveen New York Quality Municipal Income Fund Common Stock', 'fund'],
  ['BFK', 'BlackRock Municipal Income Trust', 'fund'],
  ['AITRR', 'AI TRANSPORTATION ACQUISITION CORP Right', 'right'],
  ['AIMAU', 'Aimfinity Investment Corp. I Unit', 'unit'],
  ['AIMBU', 'Aimfinity Investment Corp. I Subunit', 'unit'],
  ['BTSGU', 'BrightSpring Health Services Inc. Tangible Equity Unit', 'unit'],
  ['AAC/WS', 'Ares Acquisition Corporation Warrants', 'warrant'],
  ['PSNYW', 'Polestar Automotive Holding UK PLC Class C-1 ADS (ADW) Warrant', 'warrant'],
  ['MARPS', 'Marine Petroleum Trust Units of Beneficial Interest', 'other'],
  ['SBR', 'Sabine Royalty Trust Common Stock', 'other'],
  ['CVCO', 'Cavco Industries Inc. Common Stock When Issued', 'other'],
];

describe('rule 12: the security master', () => {
  it.each(REAL)('%s %j is %s', (symbol, name, type) => {
    expect(classifySecurity(canonicalSymbol(symbol), name)).toBe(type);
  });

  it('reads the symbol conventions when the name says nothing', () => {
    expect(classifySecurity('XYZ.WS', '')).toBe('warrant');
    expect(classifySecurity('XYZ.U', '')).toBe('unit');
    expect(classifySecurity('XYZ.R', '')).toBe('right');
    expect(classifySecurity('ABR-PD', '')).toBe('preferred');
    expect(classifySecurity('XYZ.WI', '')).toBe('other');
    expect(classifySecurity('XYZ', '')).toBe('common');
  });

  it('an override (securities.csv) wins', () => {
    expect(classifySecurity('TSM', 'Taiwan Semiconductor Manufacturing Company Ltd.')).toBe('common');
    expect(classifySecurity('TSM', 'Taiwan Semiconductor Manufacturing Company Ltd.', 'adr')).toBe('adr');
  });

  const file = path.resolve(import.meta.dirname, '../../../shared/data/nasdaq-screener/2024/2024-12-31.json.gz');
  it.skipIf(!existsSync(file))('counts the real 2024-12-31 screener like the issue does (optional)', () => {
    const rows = (
      JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as {
        data: { rows: { symbol: string; name: string }[] };
      }
    ).data.rows;
    const counts: Record<string, number> = {};
    for (const r of rows) {
      const t = classifySecurity(canonicalSymbol(r.symbol), r.name ?? '');
      counts[t] = (counts[t] ?? 0) + 1;
    }
    console.info(`security types on 2024-12-31: ${JSON.stringify(counts)}`);
    // Issue 11's manual count: about 5,280 common, 530 preferred, 350 warrants, 320 ADRs, 150 notes,
    // 95 units, 32 rights, 200 other (funds included).
    expect(counts).toEqual({
      common: 5140,
      adr: 341,
      preferred: 539,
      note: 170,
      warrant: 351,
      unit: 63,
      right: 32,
      fund: 317,
      other: 9,
    });
  });
});
