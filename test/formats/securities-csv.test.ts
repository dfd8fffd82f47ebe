/** securities.csv (rule 12 overrides): docs/data-formats.md, "securities.csv". */
import { describe, expect, it } from 'vitest';
import { parseSecuritiesCsv } from '../../shared/formats/securities-csv.ts';
import { refusal } from './fixtures.ts';

describe('parseSecuritiesCsv', () => {
  it('reads every type in any case, columns by name, symbols canonical', () => {
    const text = 'note,TYPE,Symbol\r\nan ADR,ADR,TSM\r\n"closed-end, named Trust",fund,BRK/B\r\n,Common,abr^d\r\n';
    expect(parseSecuritiesCsv(text, 'securities.csv')).toEqual({
      file: 'securities.csv',
      records: [
        { symbol: 'TSM', type: 'adr' },
        { symbol: 'BRK.B', type: 'fund' },
        { symbol: 'ABR-PD', type: 'common' },
      ],
      rejections: [],
    });
  });

  it('rejects an unknown or empty type, an empty symbol and a symbol given again (file, line, field, reason)', () => {
    const text = ['symbol,type', 'AAA,fund', 'BBB,bond', 'CCC,', ',common', 'BRK/B,other', 'BRK.B,common', ''].join(
      '\n',
    );
    const p = parseSecuritiesCsv(text, 'securities.csv');
    expect(p.records).toEqual([
      { symbol: 'AAA', type: 'fund' },
      { symbol: 'BRK.B', type: 'other' },
    ]);
    const f = 'securities.csv';
    expect(p.rejections).toEqual([
      {
        file: f,
        line: 3,
        field: 'type',
        reason: '"bond" is not one of common, adr, preferred, note, warrant, unit, right, fund, other',
      },
      { file: f, line: 4, field: 'type', reason: 'is empty' },
      { file: f, line: 5, field: 'symbol', reason: 'is empty' },
      { file: f, line: 7, field: 'symbol', reason: 'BRK.B repeats line 6; the first row is kept' },
    ]);
  });

  it('refuses a header without the type column', () => {
    expect(refusal(() => parseSecuritiesCsv('symbol,kind\nAAA,fund\n', 'securities.csv')).toRejection()).toEqual({
      file: 'securities.csv',
      line: 1,
      field: 'type',
      reason: 'the header lacks the required column type (header: "symbol,kind")',
    });
  });
});
