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

/**
 * Removes the sentences of a prose block that still name a repository path; a block whose first sentence names
 * one is developer material as a whole (its later sentences lean on the first) and goes. Sentences end at a
 * period followed by a capital: a `;` or `:` clause is never cut from its sentence.
 */
function dropPathSentences(text: string): string {
  if (!PATH_SPAN.test(text)) return text;
  const sentences = text.split(/(?<=\.)\s+(?=[A-Z(*`])/);
  if (PATH_SPAN.test(sentences[0] ?? '')) return '';
  return sentences.filter((s) => !PATH_SPAN.test(s)).join(' ');
}

const BULLET = /^(\s*)((?:[-*]|\d+\.)\s+)/;
const indentOf = (line: string) => /^\s*/.exec(line)?.[0].length ?? 0;

/** One prose block (a paragraph or one list item, nested items apart): developer pointers out, lines joined. */
function readerBlock(lines: readonly string[]): string[] {
  if (!PATH_SPAN.test(lines.join('\n'))) return [...lines];
  const first = lines[0] ?? '';
  const bullet = BULLET.exec(first);
  const prefix = bullet ? `${bullet[1]}${bullet[2]}` : (/^\s*/.exec(first)?.[0] ?? '');
  const body = [first.slice(prefix.length), ...lines.slice(1).map((l) => l.trim())].join(' ');
  const cleaned = dropPathSentences(dropPathParentheses(body)).trim();
  return cleaned === '' ? [] : [`${prefix}${cleaned}`];
}

/**
 * Splits a section into blocks — blank-line separated paragraphs, each list item (nested ones too) apart, a
 * line less indented than its item's text starting a block of its own — and keeps headings, tables and code as
 * they are.
 */
function readerBody(body: string): string {
  const out: string[] = [];
  let block: string[] = [];
  let contentIndent = 0;
  let fenced = false;
  const flush = () => {
    if (block.length > 0) out.push(...readerBlock(block));
    block = [];
    contentIndent = 0;
  };
  for (const line of body.split('\n')) {
    if (line.trimStart().startsWith('```')) {
      flush();
      fenced = !fenced;
      out.push(line);
      continue;
    }
    if (fenced) {
      out.push(line);
      continue;
    }
    const bullet = BULLET.exec(line);
    if (line.trim() === '') {
      flush();
      out.push('');
    } else if (/^#{1,6}\s/.test(line) || line.trimStart().startsWith('|')) {
      flush();
      out.push(line);
    } else if (bullet) {
      flush();
      block.push(line);
      contentIndent = (bullet[1] ?? '').length + (bullet[2] ?? '').length;
    } else if (block.length > 0 && contentIndent > 0 && indentOf(line) < contentIndent) {
      // Text after a nested list that belongs to the outer item: a block of its own.
      flush();
      block.push(line);
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
