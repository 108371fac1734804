// Plain-text output of the client commands: aligned tables, `key  value` blocks, pretty JSON. No
// colours and no dependencies, so the output reads the same in a terminal, a pipe and a log.

let stdoutGuarded = false;

/** A reader that goes away early (`routeplane member list … | head -1`) ends the output quietly. */
function guardStdout(): void {
  if (stdoutGuarded) return;
  stdoutGuarded = true;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') return;
    process.stderr.write(`routeplane: cannot write the output: ${error.message}\n`);
    process.exitCode = 1;
  });
}

export function writeOut(text: string): void {
  guardStdout();
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** What `--json` prints: the API's answer as it came, indented. */
export function formatJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * Columns separated by two spaces and padded to the widest cell; the last column is not padded, so
 * no line ends in spaces.
 */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    headers
      .map((_, column) => {
        const cell = cells[column] ?? '';
        return column === headers.length - 1 ? cell : cell.padEnd(widths[column] ?? 0);
      })
      .join('  ')
      .trimEnd();
  return `${[line(headers), ...rows.map(line)].join('\n')}\n`;
}

/** A `key  value` block; a value with several lines continues under the first, aligned. */
export function formatFields(fields: readonly (readonly [string, string | readonly string[]])[]): string {
  const width = Math.max(...fields.map(([key]) => key.length));
  const lines: string[] = [];
  for (const [key, value] of fields) {
    const values = typeof value === 'string' ? [value] : value.length > 0 ? value : ['none'];
    values.forEach((text, i) => lines.push(`${(i === 0 ? key : '').padEnd(width)}  ${text}`.trimEnd()));
  }
  return `${lines.join('\n')}\n`;
}

export function yesNo(value: unknown): string {
  return value === true ? 'yes' : 'no';
}

/** A list in one cell: the first `max` items, then how many more. */
export function joinLimited(items: readonly string[], max = 3): string {
  if (items.length === 0) return '-';
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} (+${items.length - max} more)`;
}

/** `42s ago`, `5m ago`, `3h ago`, `2d ago`; times in the future (clock skew) count as now. */
export function formatAgo(timeMs: number, nowMs: number): string {
  const seconds = Math.max(0, Math.round((nowMs - timeMs) / 1000));
  if (seconds < 60) return `${seconds}s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h ago`;
  return `${Math.floor(hours / 24)}d ago`;
}

/** An epoch-ms timestamp as ISO 8601, or `never` for the stock API's 0. */
export function formatTime(timeMs: unknown): string {
  if (typeof timeMs !== 'number' || !Number.isFinite(timeMs) || timeMs <= 0) return 'never';
  const date = new Date(timeMs);
  return Number.isNaN(date.getTime()) ? String(timeMs) : date.toISOString();
}
