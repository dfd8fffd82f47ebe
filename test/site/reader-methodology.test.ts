/**
 * Issue 21 item 9: what the methodology page shows of docs/methodology.md, on a hand-made document and on the
 * repository's own: the readers' sections in order, the developers' ones left out, pointers
 * to repository paths removed with their parenthesis or sentence, tables and the rest of each rule kept.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { READER_SECTIONS, readerMethodology } from '../../site/src/lib/reader-methodology.ts';

const DOC = `# Methodology (version 9)

Version history nobody reading the page needs.

## For developers

The engine is \`shared/methodology/\`.

## The rules

### Rule 1 — Prices

A price comes from the screener (the calendar in
\`shared/calendar.ts\`, the one the pipeline uses). Prices are in dollars.

- a day is rejected when it is stale (hand-computed in \`test/methodology/rule2.test.ts\`);
- ties by symbol; at most 10 each (hand-computed
  in \`test/methodology/top.test.ts\`).
- **A finding.** Two weaknesses:
  - the first one, see \`test/methodology/a.test.ts\` for it;
  - the second one.
  Both were found by the DuckDB implementation (\`test/bench/duckdb/\`); it reproduces v1.

The DuckDB reference (\`test/bench/duckdb/\`) implements rule 1 too: it takes the calendar from
\`shared/calendar.ts\`. It agrees with the engine.

| kind | name |
| --- | --- |
| warrant | \`warrant(s)\` |

Values are bounded. Bounds and reasons: \`shared/gates/plausibility.ts\` and docs/reliability.md. The bounds are wide.

## Known limits

- Dividends are not modelled.

## Version 4 (plan): dividends

Later.

## How the percentages read (the S3 Partners convention)

P&L over the average dollar short interest.
`;

describe('readerMethodology', () => {
  const out = readerMethodology(DOC);

  it('keeps the readers’ sections in the page’s order and leaves the others out', () => {
    expect(out.split('\n').filter((l) => l.startsWith('## '))).toEqual([
      '## How the percentages read (the S3 Partners convention)',
      '## The rules',
      '## Known limits',
    ]);
    expect(out).toContain('### Rule 1 — Prices');
    for (const gone of ['Version history', 'For developers', 'Version 4 (plan)', 'Later.', '# Methodology'])
      expect(out).not.toContain(gone);
  });

  it('removes pointers to repository paths, keeping the rest of each sentence, item and table', () => {
    expect(out).not.toMatch(/`(shared|test|functions|site|infra|docs)\//);
    expect(out).toContain('A price comes from the screener. Prices are in dollars.');
    expect(out).toContain('- a day is rejected when it is stale;');
    expect(out).toContain('- ties by symbol; at most 10 each.');
    // A nested list stays nested, and the outer item's text after it stays apart.
    expect(out).toContain(
      '- **A finding.** Two weaknesses:\n  - the second one.\n  Both were found by the DuckDB implementation; it reproduces v1.',
    );
    expect(out).not.toContain('the first one');
    // A paragraph whose first sentence is about the code goes whole: no sentence left without its subject.
    expect(out).not.toContain('DuckDB reference');
    expect(out).not.toContain('It agrees with the engine.');
    expect(out).toContain('| warrant | `warrant(s)` |');
    expect(out).toContain('Values are bounded. The bounds are wide.');
    expect(out).not.toContain('Bounds and reasons');
  });

  it('on the real document: every rule heading, no developer section, no repository path', () => {
    const doc = path.resolve(import.meta.dirname, '../../docs/methodology.md');
    const real = readerMethodology(readFileSync(doc, 'utf8'));
    const h2 = real.split('\n').filter((l) => l.startsWith('## '));
    expect(h2.map((h) => READER_SECTIONS.find((k) => h.slice(3).startsWith(k)))).toEqual(
      READER_SECTIONS.filter((k) => h2.some((h) => h.slice(3).startsWith(k))),
    );
    expect(h2.some((h) => h.includes('The rules'))).toBe(true);
    for (let n = 1; n <= 13; n++) expect(real).toContain(`### Rule ${n} —`);
    expect(real).not.toContain('## For developers');
    expect(real).not.toMatch(/`(shared|test|functions|site|infra)\//);
    // What the reviewer found garbled before (issue 21 item 9): each sentence whole.
    expect(real).toContain('Ties by symbol; at most 10 each. Version 1 and 2 snapshots carry neither.');
    expect(real).toContain('a split after the file day doubles the shares counted, not the dollars.');
    expect(real).not.toContain('DuckDB reference');
    expect(real).toMatch(/\n {2}- The pending rule holds out every priced symbol/);
  });
});
