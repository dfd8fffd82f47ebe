/**
 * The shared shape of FINRA's pipe-delimited files: a header naming the columns, then one record
 * per line. Columns are found by name (case and surrounding spaces ignored), so a file with
 * reordered or extra columns parses; a missing required column refuses the file.
 */
import { FormatError } from './errors.ts';
import { refuseNonData, showValue, splitLines, stripBom } from './text.ts';

export interface PipeLine {
  /** 1-based physical line number. */
  line: number;
  fields: string[];
}

export interface PipeTable {
  /** Column name (as the format spells it) → index in `fields`; absent optional columns are not in the map. */
  columns: Map<string, number>;
  width: number;
  /** Non-blank lines after the header, in order (a trailer, if the format has one, is the last). */
  lines: PipeLine[];
}

export function readPipeTable(
  text: string,
  file: string,
  spec: { format: string; required: readonly string[]; optional: readonly string[] },
): PipeTable {
  const body = stripBom(text);
  refuseNonData(body, file, spec.format);
  const physical = splitLines(body);
  let headerAt = physical.findIndex((l) => l.trim() !== '');
  const headerLine = physical[headerAt] ?? '';
  const { columns, width } = pipeHeader(headerLine, headerAt, file, spec);
  const lines: PipeLine[] = [];
  for (let i = ++headerAt; i < physical.length; i++) {
    const l = physical[i] ?? '';
    if (l.trim() === '') continue;
    lines.push({ line: i + 1, fields: l.split('|') });
  }
  return { columns, width, lines };
}

/**
 * The header line (0-based physical index `headerAt`; -1 when the body has none) read against the
 * format's columns: their indexes and the field count every line must have. Refuses (FormatError) a line
 * that is not a pipe-delimited header, a column named twice and a missing required column.
 */
export function pipeHeader(
  headerLine: string,
  headerAt: number,
  file: string,
  spec: { format: string; required: readonly string[]; optional: readonly string[] },
): { columns: Map<string, number>; width: number } {
  if (!headerLine.includes('|')) {
    throw new FormatError(
      file,
      headerAt + 1,
      '*',
      `the first line is not a pipe-delimited header (${showValue(headerLine, 80)}), so this is not ${spec.format}`,
    );
  }
  const names = headerLine.split('|').map((h) => h.trim().toLowerCase());
  const columns = new Map<string, number>();
  for (const name of [...spec.required, ...spec.optional]) {
    const at = names.indexOf(name.toLowerCase());
    if (at === -1) continue;
    if (names.indexOf(name.toLowerCase(), at + 1) !== -1) {
      throw new FormatError(file, headerAt + 1, name, `the header names column ${name} twice`);
    }
    columns.set(name, at);
  }
  const missing = spec.required.filter((name) => !columns.has(name));
  if (missing.length > 0) {
    throw new FormatError(
      file,
      headerAt + 1,
      missing[0] ?? '*',
      `the header lacks the required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (header: ${showValue(headerLine, 400)})`,
    );
  }
  return { columns, width: names.length };
}

/**
 * The record as an object keyed by the format's column names, for the vendor zod schema; absent
 * optional columns stay undefined. Returns the problem text when the line has the wrong field count
 * (a `|` inside an issue name shifts every later field, so such a line cannot be read safely).
 */
export function pipeRecord(
  table: Pick<PipeTable, 'columns' | 'width'>,
  pl: PipeLine,
): Record<string, string | undefined> | string {
  if (pl.fields.length !== table.width) return `has ${pl.fields.length} fields, the header has ${table.width}`;
  const record: Record<string, string | undefined> = {};
  for (const [name, at] of table.columns) record[name] = pl.fields[at];
  return record;
}
