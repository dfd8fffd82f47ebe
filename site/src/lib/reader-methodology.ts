/**
 * The methodology page's text (issue 21 item 9): docs/methodology.md is the developers' specification; readers
 * get its numbered rules, its percentages and comparison sections, its worked example and its known limits, in
 * that order, without the version history, the dividend plan and "For developers", and without the pointers to
 * source files and tests (a parenthesis or sentence naming a repository path). The document itself is unchanged
 * and stays the reference; this only chooses what the page shows of it.
 */

/** The `## ` sections the page keeps, in the order it shows them (matched on the heading's start). */
export const READER_SECTIONS: readonly string[] = [
  'How the percentages read',
  'Compared with S3 Partners',
  'The rules',
  'Worked example',
  'Known limits',
];

const PATH_SPAN = /`(?:shared|test|functions|site|infra|docs)\/[^`]*`/;

/** Removes parentheses that name a repository path (nested parentheses of one level are kept intact). */
function dropPathParentheses(text: string): string {
  const re = /\s*\((?:[^()]|\([^()]*\))*\)/g;
  return text.replace(re, (m) => (PATH_SPAN.test(m) ? '' : m));
}

/** Removes the sentences of a prose block that still name a repository path. */
function dropPathSentences(text: string): string {
  if (!PATH_SPAN.test(text)) return text;
  const sentences = text.split(/(?<=[.:])\s+(?=[A-Z(*])|(?<=;)\s+/);
  return sentences
    .filter((s) => !PATH_SPAN.test(s))
    .join(' ')
    .replace(/;$/, '.');
}

/** One prose block (paragraph or list item): developer pointers out, lines joined. */
function readerBlock(block: string): string {
  if (!PATH_SPAN.test(block)) return block;
  const lines = block.split('\n');
  const first = lines[0] ?? '';
  const bullet = /^(\s*(?:[-*]|\d+\.)\s+)/.exec(first)?.[1] ?? '';
  const body = lines.map((l, i) => (i === 0 ? l.slice(bullet.length) : l.trim())).join(' ');
  const cleaned = dropPathSentences(dropPathParentheses(body)).trim();
  return cleaned === '' ? '' : `${bullet}${cleaned}`;
}

/** Splits a section's lines into blocks: blank-line separated, list items apart, tables and code kept whole. */
function readerBody(body: string): string {
  const out: string[] = [];
  let block: string[] = [];
  let fenced = false;
  const flush = () => {
    if (block.length === 0) return;
    const text = block.join('\n');
    const isTable = block.every((l) => l.trimStart().startsWith('|'));
    const isHeading = block.length === 1 && /^#{1,6}\s/.test(block[0] ?? '');
    out.push(isTable || isHeading ? text : readerBlock(text));
    block = [];
  };
  for (const line of body.split('\n')) {
    if (line.startsWith('```')) {
      if (!fenced) flush();
      fenced = !fenced;
      out.push(line);
      continue;
    }
    if (fenced) {
      out.push(line);
      continue;
    }
    if (line.trim() === '') {
      flush();
      out.push('');
    } else if (/^\s*(?:[-*]|\d+\.)\s+/.test(line) && !/^\s{2,}/.test(line)) {
      flush();
      block.push(line);
    } else if (/^#{1,6}\s/.test(line)) {
      flush();
      block.push(line);
      flush();
    } else {
      block.push(line);
    }
  }
  flush();
  return out.filter((l, i, a) => !(l === '' && a[i - 1] === '')).join('\n');
}

/** The page's markdown from the whole document. Sections the document lacks are left out. */
export function readerMethodology(markdown: string): string {
  const sections = new Map<string, string>();
  const parts = markdown.split(/^(?=## )/m);
  for (const part of parts) {
    const heading = /^## (.*)$/m.exec(part)?.[1];
    if (!heading || !part.startsWith('## ')) continue;
    const key = READER_SECTIONS.find((k) => heading.startsWith(k));
    if (key && !sections.has(key)) sections.set(key, part);
  }
  return READER_SECTIONS.filter((k) => sections.has(k))
    .map((k) => readerBody(sections.get(k) as string).trim())
    .join('\n\n');
}
