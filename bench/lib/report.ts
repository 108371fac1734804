// Collects figures as they are measured, prints each at once, and prints the summary table at the end.

export interface Target {
  /** e.g. `p99 < 2 ms`. */
  text: string;
  pass: boolean;
}

export interface Figure {
  name: string;
  /** Routeplane's figure, formatted. */
  value: string;
  target?: Target;
  /** zerotier-one 1.14.1 at 100,000 members, for comparison. */
  stock?: string;
}

export function target(text: string, pass: boolean): Target {
  return { text, pass };
}

const verdict = (figure: Figure) => (figure.target ? (figure.target.pass ? 'PASS' : 'MISS') : '');

export class Report {
  private readonly figures: Figure[] = [];

  constructor(private readonly write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)) {}

  line(text = ''): void {
    this.write(text);
  }

  /** Records a figure and prints it on its own line. */
  add(figure: Figure): void {
    this.figures.push(figure);
    const parts = [`  ${figure.name}: ${figure.value}`];
    if (figure.target) parts.push(`target ${figure.target.text} ${verdict(figure)}`);
    if (figure.stock) parts.push(`zerotier-one 1.14.1: ${figure.stock}`);
    this.write(parts.join('  |  '));
  }

  get misses(): number {
    return this.figures.filter((figure) => figure.target && !figure.target.pass).length;
  }

  table(): void {
    const header = ['measure', 'routeplane', 'target', '', 'zerotier-one 1.14.1'];
    const rows = this.figures.map((f) => [f.name, f.value, f.target?.text ?? '', verdict(f), f.stock ?? '']);
    const widths = header.map((h, column) => Math.max(h.length, ...rows.map((row) => row[column]!.length)));
    const format = (row: string[]) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd();
    this.write(format(header));
    this.write(widths.map((w) => '-'.repeat(w)).join('  '));
    for (const row of rows) this.write(format(row));
  }
}
