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
import { issueRejection, problemTransform, symbolText, typeError } from './vendor-issue.ts';

const FORMAT = 'a securities CSV (symbol,type)';
export const SECURITIES_COLUMNS = ['symbol', 'type'] as const;

export interface SecurityOverride {
  symbol: string;
  type: SecurityType;
}

function typeOf(raw: string): SecurityType | string {
  const t = raw.trim().toLowerCase();
  return isSecurityType(t) ? t : `is not one of ${SECURITY_TYPES.join(', ')}`;
}

const rowSchema = z.object({
  symbol: symbolText,
  type: z.string({ error: typeError('a string') }).transform(problemTransform(typeOf)),
});

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
    records.push({ symbol, type: parsed.data.type as SecurityType }); // typeOf let only a SecurityType through
  }
  rejections.sort((x, y) => x.line - y.line);
  return { file, records, rejections };
}
