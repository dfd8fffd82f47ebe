/**
 * `<input>/securities.csv`: the operator's overrides of rule 12's security master (methodology v2), for a
 * listing the name patterns classify wrongly (an ADR whose screener name says nothing, a closed-end fund
 * named "… Trust Inc."). A CSV with a `symbol,type` header (any order, extra columns ignored); `type` is
 * one of SECURITY_TYPES. Rules and reasons: docs/data-formats.md, "securities.csv".
 */

import type { Parsed } from '../domain.ts';
import { isSecurityType, SECURITY_TYPES, type SecurityType } from '../methodology/securities.ts';
import * as z from '../zod.ts';
import { readCsvTable } from './splits-csv.ts';
import { canonicalSymbol } from './symbols.ts';
import { firstRowsByKey, symbolText, typeError } from './vendor-issue.ts';

const FORMAT = 'a securities CSV (symbol,type)';
export const SECURITIES_COLUMNS = ['symbol', 'type'] as const;

export interface SecurityOverride {
  symbol: string;
  type: SecurityType;
}

/**
 * The `type` column, any case. Not `problemTransform`: a type is a string too, so a good value would read
 * as a problem (every row was rejected that way: `"fund" fund`).
 */
const typeField = () =>
  z.pipe(
    z.string({ error: typeError('a string') }),
    z.transform((input: string, ctx): SecurityType => {
      const t = input.trim().toLowerCase();
      if (isSecurityType(t)) return t;
      ctx.issues.push({
        code: 'custom',
        message: t === '' ? 'is empty' : `is not one of ${SECURITY_TYPES.join(', ')}`,
        input,
      });
      return z.NEVER;
    }),
  );

const rowSchema = /* @__PURE__ */ z.onFirstUse(() => z.object({ symbol: symbolText(), type: typeField() }));

/** Parses securities.csv like splits.csv (`readCsvTable`); a later row for a symbol already given is rejected. */
export function parseSecuritiesCsv(text: string, file: string): Parsed<SecurityOverride> {
  const table = readCsvTable(text, file, FORMAT, SECURITIES_COLUMNS);
  const { records, rejections: bad } = firstRowsByKey(
    file,
    table.rows,
    rowSchema(),
    (row): SecurityOverride => ({ symbol: canonicalSymbol(row.symbol), type: row.type }),
    (o) => ({ key: o.symbol, label: o.symbol }),
    'line',
  );
  const rejections = [...table.rejections, ...bad];
  rejections.sort((x, y) => x.line - y.line);
  return { file, records, rejections };
}
