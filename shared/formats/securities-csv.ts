/**
 * `<input>/securities.csv`: the operator's overrides of rule 12's security master (methodology v2), for a
 * listing the name patterns classify wrongly (an ADR whose screener name says nothing, a closed-end fund
 * named "… Trust Inc."). A CSV with a `symbol,type` header (any order, extra columns ignored); `type` is
 * one of SECURITY_TYPES. Rules and reasons: docs/data-formats.md, "securities.csv".
 */
import * as z from 'zod';
import type { Parsed } from '../domain.ts';
import { isSecurityType, SECURITY_TYPES, type SecurityType } from '../methodology/securities.ts';
import { readCsvTable } from './splits-csv.ts';
import { canonicalSymbol } from './symbols.ts';
import { issueRejection, symbolText, typeError } from './vendor-issue.ts';

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
const typeField = z.string({ error: typeError('a string') }).transform((input, ctx): SecurityType => {
  const t = input.trim().toLowerCase();
  if (isSecurityType(t)) return t;
  ctx.issues.push({
    code: 'custom',
    message: t === '' ? 'is empty' : `is not one of ${SECURITY_TYPES.join(', ')}`,
    input,
  });
  return z.NEVER;
});

const rowSchema = z.object({ symbol: symbolText, type: typeField });

/** Parses securities.csv like splits.csv (`readCsvTable`); a later row for a symbol already given is rejected. */
export function parseSecuritiesCsv(text: string, file: string): Parsed<SecurityOverride> {
  const table = readCsvTable(text, file, FORMAT, SECURITIES_COLUMNS);
  const records: SecurityOverride[] = [];
  const rejections = [...table.rejections];
  const firstLine = new Map<string, number>();
  for (const { line, raw } of table.rows) {
    const parsed = rowSchema.safeParse(raw);
    if (!parsed.success) {
      rejections.push(issueRejection(file, line, raw, parsed.error.issues));
      continue;
    }
    const symbol = canonicalSymbol(parsed.data.symbol);
    const first = firstLine.get(symbol);
    if (first !== undefined) {
      rejections.push({
        file,
        line,
        field: 'symbol',
        reason: `${symbol} repeats line ${first}; the first row is kept`,
      });
      continue;
    }
    firstLine.set(symbol, line);
    records.push({ symbol, type: parsed.data.type });
  }
  rejections.sort((x, y) => x.line - y.line);
  return { file, records, rejections };
}
