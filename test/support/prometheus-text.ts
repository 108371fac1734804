// Reads values out of the Prometheus text format that GET /metrics returns.

/**
 * Sum of the samples of `name` whose labels include every pair in `labels` (0 when there is none).
 * `name` is matched exactly, so `x_total` does not pick up `x_total_bucket`.
 */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    let labelText = '';
    let valueText: string;
    if (rest.startsWith('{')) {
      const close = rest.indexOf('}');
      labelText = rest.slice(1, close);
      valueText = rest.slice(close + 1).trim();
    } else if (rest.startsWith(' ')) {
      valueText = rest.trim();
    } else {
      continue;
    }
    const have = new Map<string, string>();
    for (const match of labelText.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) have.set(match[1]!, match[2]!);
    if (Object.entries(labels).every(([k, v]) => have.get(k) === v)) sum += Number(valueText.split(' ')[0]);
  }
  return sum;
}
