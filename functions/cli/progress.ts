/** Progress output for long work: a redrawn bar on a terminal, one line per step elsewhere (CI logs). */
export interface Progress {
  tick(label: string): void;
  done(message?: string): void;
}

export function progress(total: number, title: string, out: NodeJS.WriteStream = process.stderr): Progress {
  let n = 0;
  const tty = out.isTTY === true;
  const every = Math.max(1, Math.round(total / 20));
  return {
    tick(label) {
      n += 1;
      if (tty) {
        const width = 30;
        const filled = Math.round((n / Math.max(total, 1)) * width);
        out.write(`\r${title} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${n}/${total} ${label}   `);
      } else if (n % every === 0 || n === total) {
        out.write(`${title}: ${n}/${total} ${label}\n`);
      }
    },
    done(message) {
      if (tty) out.write('\n');
      if (message) out.write(`${message}\n`);
    },
  };
}
