/**
 * The site's only script (bundled, external: CSP `script-src 'self'`). Everything it does is an
 * enhancement; the page reads fully without it.
 * - freshness: "(2 days ago)" next to "last updated", and the stale warning on the live page;
 * - charts: Chart.js is imported only when a chart scrolls into view;
 * - the header's stock search: search.ts (and the stock index) load on the field's first focus or keystroke.
 */
const DAY_MS = 86_400_000;
/** Older than this (calendar days after the as-of date), the live page says the data is stale. */
const STALE_AFTER_DAYS = 4;

function freshness(): void {
  const generated = document.querySelector<HTMLTimeElement>('time[data-generated-at]');
  const age = document.querySelector<HTMLElement>('[data-age]');
  if (generated && age) {
    const ms = Date.now() - Date.parse(generated.dateTime);
    if (Number.isFinite(ms) && ms >= 0) {
      const hours = Math.floor(ms / 3_600_000);
      const days = Math.floor(ms / DAY_MS);
      age.textContent =
        hours < 1
          ? ' (just now)'
          : hours < 24
            ? ` (${hours} h ago)`
            : days === 1
              ? ' (1 day ago)'
              : ` (${days} days ago)`;
    }
  }
  const warning = document.querySelector<HTMLElement>('[data-stale-warning]');
  const asOf = warning?.dataset.asOf;
  if (warning && asOf) {
    const ageDays = (Date.now() - Date.parse(`${asOf}T00:00:00Z`)) / DAY_MS;
    if (ageDays > STALE_AFTER_DAYS + 1) warning.hidden = false;
  }
}

function charts(): void {
  const canvases = [...document.querySelectorAll<HTMLCanvasElement>('canvas[data-chart]')];
  if (canvases.length === 0) return;
  const draw = async (canvas: HTMLCanvasElement): Promise<void> => {
    const { drawChart } = await import('./render-chart.ts');
    drawChart(canvas);
  };
  if (!('IntersectionObserver' in window)) {
    for (const c of canvases) void draw(c);
    return;
  }
  const observer = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        observer.unobserve(entry.target);
        void draw(entry.target as HTMLCanvasElement);
      }
    },
    { rootMargin: '200px 0px' },
  );
  for (const c of canvases) observer.observe(c);
}

function search(): void {
  const form = document.querySelector<HTMLFormElement>('form[data-stock-search]');
  const input = form?.querySelector<HTMLInputElement>('input[role="combobox"]');
  if (!form || !input) return;
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    void import('./search.ts').then(({ initSearch }) => initSearch(input));
  };
  input.addEventListener('focus', start);
  input.addEventListener('input', start);
  // Until search.ts is ready, a submit is the form's own GET to the list page (which filters by ?q= with a script).
}

freshness();
charts();
search();
