// Small numeric helpers: percentiles over recorded samples, medians, human-readable figures.

export interface LatencySummary {
  count: number;
  errors: number;
  /** Milliseconds. */
  p50: number;
  p99: number;
  max: number;
  /** Completed requests per second over the whole run. */
  rate: number;
}

/** Nearest-rank percentile (0 < p ≤ 100) of an ascending array. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export function median(values: readonly number[]): number {
  return percentile(Float64Array.from(values).sort(), 50);
}

export function summarize(samplesMs: readonly number[], errors: number, elapsedMs: number): LatencySummary {
  const sorted = Float64Array.from(samplesMs).sort();
  return {
    count: sorted.length,
    errors,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.length > 0 ? sorted[sorted.length - 1]! : Number.NaN,
    rate: elapsedMs > 0 ? (sorted.length / elapsedMs) * 1000 : 0,
  };
}

export function elapsedMsSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return 'n/a';
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${bytes} B`;
}

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
