/**
 * The stocks list's enhancements (the table reads whole without them):
 * - sorting: each column header becomes a button (keyboard operable); a click sorts by that column, numbers
 *   biggest first and text A→Z on the first click, the other way on the next; `aria-sort` marks the sorted
 *   column and a live region says it. Missing values (—) stay last either way; ties keep the server's order.
 * - `?q=` (the header search submitted without choosing a stock): only the matching rows stay visible.
 */
import { matches, prepare } from '../lib/stock-search.ts';

type Direction = 'ascending' | 'descending';

function sortable(table: HTMLTableElement): void {
  const head = table.tHead?.rows[0];
  const body = table.tBodies[0];
  if (!head || !body) return;
  const status = document.querySelector<HTMLElement>('[data-sort-status]');
  const caption = table.caption;
  const headers = [...head.cells];
  // The server's order, for stable ties.
  const original = new Map([...body.rows].map((r, i) => [r, i]));
  const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });

  const sortBy = (col: number, type: string, dir: Direction) => {
    const sign = dir === 'ascending' ? 1 : -1;
    const keyed = [...body.rows].map((row) => {
      const cell = row.cells[col];
      const raw = type === 'number' ? cell?.dataset.v : cell?.textContent?.trim();
      const value = raw === undefined || raw === '' ? null : type === 'number' ? Number(raw) : raw;
      return { row, value, at: original.get(row) ?? 0 };
    });
    keyed.sort((a, b) => {
      if (a.value === null || b.value === null) return a.value === b.value ? a.at - b.at : a.value === null ? 1 : -1;
      const c =
        typeof a.value === 'number' && typeof b.value === 'number'
          ? a.value - b.value
          : collator.compare(String(a.value), String(b.value));
      return c !== 0 ? sign * c : a.at - b.at;
    });
    body.append(...keyed.map((k) => k.row));
  };

  headers.forEach((th, col) => {
    const type = th.dataset.sortType;
    if (!type) return;
    const label = th.textContent?.trim() ?? '';
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'sort';
    button.textContent = label;
    const icon = document.createElement('span');
    icon.className = 'sort-icon';
    icon.setAttribute('aria-hidden', 'true');
    button.append(icon);
    th.replaceChildren(button);
    button.addEventListener('click', () => {
      const now = th.getAttribute('aria-sort');
      const dir: Direction =
        now === 'ascending'
          ? 'descending'
          : now === 'descending'
            ? 'ascending'
            : type === 'number'
              ? 'descending'
              : 'ascending';
      sortBy(col, type, dir);
      for (const h of headers) h.removeAttribute('aria-sort');
      th.setAttribute('aria-sort', dir);
      const words = `${label}, ${dir === 'ascending' ? 'ascending' : 'descending'}`;
      if (caption) caption.textContent = `Every stock, by ${words}`;
      if (status) status.textContent = `Sorted by ${words}.`;
    });
  });
}

function filter(table: HTMLTableElement): void {
  const q = new URLSearchParams(window.location.search).get('q')?.trim() ?? '';
  if (q === '') return;
  const search = document.querySelector<HTMLInputElement>('[data-stock-search] input');
  if (search && search.value === '') search.value = q;
  const rows = [...(table.tBodies[0]?.rows ?? [])];
  const prepared = prepare(
    rows.map((row) => ({
      symbol: row.cells[0]?.textContent?.trim() ?? '',
      name: row.cells[1]?.textContent?.trim() ?? '',
      row,
    })),
  );
  let shown = 0;
  for (const p of prepared) {
    const hit = matches(p, q);
    p.entry.row.hidden = !hit;
    if (hit) shown++;
  }
  const status = document.querySelector<HTMLElement>('[data-filter-status]');
  if (!status) return;
  const all = document.createElement('a');
  all.href = '/stocks/';
  all.textContent = 'Show every stock';
  status.replaceChildren(
    shown === 0 ? `No stock matches “${q}”. ` : `${shown} ${shown === 1 ? 'stock matches' : 'stocks match'} “${q}”. `,
    all,
  );
  status.hidden = false;
  status.setAttribute('role', 'status');
}

const table = document.querySelector<HTMLTableElement>('table[data-sortable]');
if (table) {
  sortable(table);
  filter(table);
}
