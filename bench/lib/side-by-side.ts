// Figures of several configurations (e.g. SQLite and PostgreSQL), each printed as it is measured and
// then together in one table: one row per measure, one column per configuration.

export class SideBySide {
  /** Row name → column → value, rows in the order they were first measured. */
  private readonly rows = new Map<string, Map<string, string>>();

  constructor(
    private readonly columns: readonly string[],
    private readonly write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  ) {}

  line(text = ''): void {
    this.write(text);
  }

  /** Records one figure and prints it on its own line. */
  set(column: string, row: string, value: string): void {
    if (!this.columns.includes(column)) throw new Error(`unknown column ${column}`);
    let cells = this.rows.get(row);
    if (!cells) this.rows.set(row, (cells = new Map()));
    cells.set(column, value);
    this.write(`  ${row}: ${value}`);
  }

  table(): void {
    const header = ['measure', ...this.columns];
    const body = [...this.rows].map(([row, cells]) => [
      row,
      ...this.columns.map((column) => cells.get(column) ?? '—'),
    ]);
    const widths = header.map((h, column) =>
      Math.max(h.length, ...body.map((cells) => cells[column]!.length)),
    );
    const format = (cells: string[]) =>
      cells
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd();
    this.write(format(header));
    this.write(widths.map((w) => '-'.repeat(w)).join('  '));
    for (const cells of body) this.write(format(cells));
  }
}
