/**
 * The header's stock search, loaded by main.ts on first focus or keystroke: fetches `/data/stocks/index.json`
 * once, suggests up to eight stocks (symbol prefix first, then name), and goes to the chosen stock's page.
 * WAI-ARIA combobox with a listbox popup (APG "list autocomplete"): ↓/↑ move through the options
 * (aria-activedescendant), Enter or a click opens one (Enter with none chosen opens the first), Escape closes
 * the list and then clears the field. Names are data: set as text, never as HTML.
 */
import { isSafeSymbol, stockPath } from '../../../shared/present/stock-links.ts';
import { matchStocks, type Prepared, prepare, type SearchEntry } from '../lib/stock-search.ts';

const LIMIT = 8;

let loading: Promise<Prepared<SearchEntry>[] | null> | undefined;

/** The index's symbols and names (only symbols that have a page), or null when there is none. */
function loadIndex(): Promise<Prepared<SearchEntry>[] | null> {
  loading ??= fetch('/data/stocks/index.json', { headers: { Accept: 'application/json' } })
    .then(async (res) => {
      if (!res.ok) return null;
      const body: unknown = await res.json();
      const stocks = (body as { stocks?: unknown }).stocks;
      if (!Array.isArray(stocks)) return null;
      const entries: SearchEntry[] = [];
      for (const s of stocks as Array<Record<string, unknown>>) {
        if (typeof s?.symbol === 'string' && typeof s.name === 'string' && isSafeSymbol(s.symbol)) {
          entries.push({ symbol: s.symbol, name: s.name });
        }
      }
      return prepare(entries);
    })
    .catch(() => null);
  return loading;
}

function listQuery(q: string): string {
  return q === '' ? '/stocks/' : `/stocks/?q=${encodeURIComponent(q)}`;
}

export function initSearch(input: HTMLInputElement): void {
  const form = input.form;
  const list = document.getElementById(input.getAttribute('aria-controls') ?? '');
  const status = form?.querySelector<HTMLElement>('[data-search-status]') ?? null;
  if (!form || !list) return;
  const noData = form.dataset.stocks === 'none';
  let results: SearchEntry[] = [];
  /** The query `results` answer (a keystroke may still be waiting for the index). */
  let answered: string | null = null;
  let active = -1;
  let seq = 0;

  const say = (text: string) => {
    if (status) status.textContent = text;
  };
  const setActive = (i: number) => {
    active = i;
    for (const [j, li] of [...list.children].entries()) li.setAttribute('aria-selected', String(j === i));
    const current = i >= 0 ? list.children[i] : undefined;
    if (current) {
      input.setAttribute('aria-activedescendant', current.id);
      current.scrollIntoView({ block: 'nearest' });
    } else input.removeAttribute('aria-activedescendant');
  };
  const close = () => {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    setActive(-1);
  };
  const open = () => {
    if (results.length === 0) return;
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
  };
  const go = (entry: SearchEntry | undefined) => {
    if (entry) window.location.assign(stockPath(entry.symbol));
    else window.location.assign(listQuery(input.value.trim()));
  };
  const render = () => {
    list.replaceChildren(
      ...results.map((r, i) => {
        const li = document.createElement('li');
        li.id = `${list.id}-${i}`;
        li.setAttribute('role', 'option');
        li.setAttribute('aria-selected', 'false');
        li.dataset.symbol = r.symbol;
        const sym = document.createElement('span');
        sym.className = 'sym';
        sym.textContent = r.symbol;
        const name = document.createElement('span');
        name.className = 'option-name';
        name.textContent = r.name;
        li.append(sym, ' ', name);
        return li;
      }),
    );
    setActive(-1);
    if (results.length > 0) open();
    else close();
  };
  const update = async () => {
    const q = input.value;
    const mine = ++seq;
    if (q.trim() === '') {
      results = [];
      answered = q;
      render();
      say('');
      return;
    }
    if (noData) {
      results = [];
      answered = q;
      say('No per-stock data is published on this site.');
      return;
    }
    const index = await loadIndex();
    if (mine !== seq) return; // a later keystroke won
    answered = q;
    if (!index) {
      results = [];
      render();
      say('The stock list could not be loaded; press Enter to search the list page.');
      return;
    }
    results = matchStocks(index, q, LIMIT);
    render();
    say(
      results.length === 0
        ? 'No stock matches.'
        : `${results.length} ${results.length === 1 ? 'stock' : 'stocks'} found; use the up and down arrows to choose, Enter to open.`,
    );
  };

  /** Enter or the button: the highlighted option, else the first suggestion, else the list page for the query. */
  const choose = () => {
    if (answered === input.value) go(results[Math.max(active, 0)]);
    else void update().then(() => go(results[0]));
  };
  input.addEventListener('input', () => void update());
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      if (results.length === 0) return;
      e.preventDefault();
      if (list.hidden) open();
      const n = results.length;
      setActive(e.key === 'ArrowDown' ? (active + 1) % n : active <= 0 ? n - 1 : active - 1);
    } else if (e.key === 'Escape') {
      if (!list.hidden) close();
      else {
        input.value = '';
        void update();
      }
    } else if (e.key === 'Enter') {
      e.preventDefault();
      choose();
    }
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    choose();
  });
  // Keep the focus in the field while an option is clicked.
  list.addEventListener('mousedown', (e) => e.preventDefault());
  list.addEventListener('click', (e) => {
    const li = (e.target as Element).closest('[role="option"]');
    const i = li ? [...list.children].indexOf(li) : -1;
    if (i >= 0) go(results[i]);
  });
  form.addEventListener('focusout', (e) => {
    if (!form.contains(e.relatedTarget as Node | null)) close();
  });
  input.addEventListener('focus', () => {
    if (results.length > 0) open();
  });
  form.dataset.ready = 'true';
  if (input.value.trim() !== '') void update();
}
