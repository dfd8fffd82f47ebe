/**
 * Methodology v2, rule 12: the security master. Every listing is classified from the screener's name and
 * the symbol's conventions (shared/formats/symbols.ts); only common stocks and ADRs count in the tier,
 * sector, top and crowded figures. The classification is a small ordered list of name patterns, checked on
 * the real 2024 screener (test/methodology/securities.test.ts); an operator's `securities.csv` overrides it
 * for a symbol the patterns get wrong. Pure.
 */

export const SECURITY_TYPES = [
  'common',
  'adr',
  'preferred',
  'note',
  'warrant',
  'unit',
  'right',
  'fund',
  'other',
] as const;
export type SecurityType = (typeof SECURITY_TYPES)[number];

/** Rule 12: the types whose symbol-days count in the figures (decision: ADRs count, see docs/methodology.md). */
export const COUNTED_TYPES: ReadonlySet<SecurityType> = new Set(['common', 'adr']);

interface Pattern {
  type: SecurityType;
  name: RegExp;
  /** An alternative test on the canonical symbol (suffix conventions). */
  symbol?: RegExp;
  /** A name that matches `name` but is not this type (MLP common units are equity, not SPAC units). */
  unless?: RegExp;
}

/**
 * In order: the first that matches decides. Preferred and notes come before units (a "Cumulative Preferred
 * Unit" is a preferred), warrants and rights first of all (a SPAC's "Warrant" or "Right" names nothing else).
 */
const PATTERNS: readonly Pattern[] = [
  { type: 'warrant', name: /\bwarrants?\b/i, symbol: /\.WS(\.[A-Z])?$/ },
  { type: 'right', name: /\b(contingent value )?rights?\b/i, symbol: /\.R$/ },
  {
    type: 'preferred',
    name: /\bpreferred\b|\bpreference\b|\bpfd\b|\bperpetual\b|\bdep(?:osit[ao]ry)? sh(?:are)?s?\b|\bdeposit[ao]ry shares?\b/i,
    symbol: /-P[A-Z]*$/,
    unless: /\bamerican deposit[ao]ry\b|\bADSs?\b|\bADRs?\b/i,
  },
  { type: 'note', name: /\bnotes?\b|\bdebentures?\b|\bbonds?\b|\bdue \d{4}\b/i },
  {
    type: 'unit',
    name: /\b(sub)?units?\b/i,
    symbol: /\.U$/,
    unless: /\bcommon units\b|\blimited partner|\bpartnership (units?|interests)\b|\bunits of beneficial interest\b/i,
  },
  { type: 'adr', name: /\bamerican deposit[ao]ry\b|\bADSs?\b(?!-)|\bADRs?\b|\bnew york registry shares\b/i },
  {
    type: 'fund',
    name: /\bfund\b|\betf\b|\betn\b|\bclosed[- ]end\b|\bincome trust\b|\bmunicipal\b/i,
  },
  { type: 'other', name: /\bunits of beneficial interest\b|\broyalty trust\b|\bwhen[- ]issued\b/i, symbol: /\.WI$/ },
];

/**
 * Rule 12's type of a listing from its screener name and canonical symbol; `override` (securities.csv)
 * wins. A name that matches no pattern is a common stock ("Affimed N.V.", "ANI Pharmaceuticals Inc.").
 */
export function classifySecurity(symbol: string, name: string, override?: SecurityType): SecurityType {
  if (override !== undefined) return override;
  for (const p of PATTERNS) {
    const byName = p.name.test(name) && !(p.unless?.test(name) ?? false);
    if (byName || (p.symbol?.test(symbol) ?? false)) return p.type;
  }
  return 'common';
}

export function isSecurityType(value: string): value is SecurityType {
  return (SECURITY_TYPES as readonly string[]).includes(value);
}
