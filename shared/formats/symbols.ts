/**
 * One spelling per security across the three sources, so a screener row, a short interest row
 * and a Reg SHO row of the same issue meet. The sources disagree only on suffixes:
 *
 * | instrument          | Nasdaq screener | FINRA (CQS/CMS style) | other      | canonical |
 * |---------------------|-----------------|-----------------------|------------|-----------|
 * | class share         | `BRK/B`         | `BRK/B`, `BRK.B`      | `BRK B`    | `BRK.B`   |
 * | preferred, series D | `ABR^D`         | `ABRpD`               | `ABR pD`   | `ABR-PD`  |
 * | preferred, no series| `ABR^`          | `ABRp`                |            | `ABR-P`   |
 * | warrant / unit      | (5th letter W/U)| `AAC/WS`, `AAQC/U`    |            | `AAC.WS`, `AAQC.U` |
 * | right               | (5th letter R)  | `CELGr`, `XYZ/R`      |            | `CELG.R`, `XYZ.R` |
 * | when issued         |                 | `XYZw`                |            | `XYZ.WI`  |
 *
 * Nasdaq's fifth-letter suffixes (`AACIW`, `AACQU`) are left alone: a five-letter ticker ending
 * in W, U or R is not always a warrant, unit or right, so splitting them would be a guess.
 * Lower-case CQS markers (`p`, `r`, `w`) are only read as markers after an upper-case root;
 * an all-lower-case input (`abrpd`) is simply upper-cased. Documented in docs/data-formats.md.
 */

const PLAIN = /^[A-Z0-9]+$/;
const CQS_PREFERRED = /^([A-Z0-9]+) ?p([A-Z]*)$/;
const CQS_RIGHT = /^([A-Z0-9]+)r$/;
const CQS_WHEN_ISSUED = /^([A-Z0-9]+)w$/;

const SYMBOL_CHARACTERS = /^[A-Za-z0-9 ./^-]+$/;
const CLASS_SPACED = /^[A-Za-z0-9]+ [A-Za-z]$/;

/**
 * Why a raw symbol cannot be canonicalised safely, or null. A space is read only in the two spellings
 * above (`BRK B`, `ABR pD`); anything else with a space (`AA PL`) or a character no source uses would
 * silently become a new symbol that no other source's rows meet (issue 10): the row is rejected instead.
 */
export function symbolProblem(raw: string): string | null {
  if (PLAIN.test(raw)) return null;
  const s = raw.trim();
  if (s === '') return 'is empty';
  if (!SYMBOL_CHARACTERS.test(s)) {
    return 'has a character no ticker spelling uses (letters, digits, ".", "/", "^", "-" and one space)';
  }
  // Stray punctuation (`AAPL.`, `MSFT/`, `^META`, `BRK//B`) would become a symbol no other source meets
  // (issue 17); a trailing `^` is a preferred without a series (`ABR^`), which the screener writes.
  if (/^[./^-]/.test(s) || /[./-]$/.test(s) || /[./^-]{2}/.test(s)) {
    return 'has a separator (".", "/", "^", "-") at its start or end, or two in a row: stray punctuation, not a ticker';
  }
  if (/\s/.test(s) && !CLASS_SPACED.test(s) && !CQS_PREFERRED.test(s)) {
    return 'has a space that is neither a class share ("BRK B") nor a CQS preferred ("ABR pD"), so it would become a symbol of its own';
  }
  return null;
}

/** Canonical form of a ticker (see the table above); `''` for a blank input (callers reject it). */
export function canonicalSymbol(raw: string): string {
  const s = raw.trim();
  // Fast path: nearly every row of every file is a plain ticker.
  if (PLAIN.test(s)) return s;
  let m = CQS_PREFERRED.exec(s);
  if (m) return `${m[1]}-P${m[2]}`;
  m = CQS_RIGHT.exec(s);
  if (m) return `${m[1]}.R`;
  m = CQS_WHEN_ISSUED.exec(s);
  if (m) return `${m[1]}.WI`;
  return s
    .toUpperCase()
    .replaceAll('^', '-P')
    .replace(/[\s/]+/g, '.');
}
