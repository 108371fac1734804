// How numbers, times and versions read on screen. Pure and locale-stable (tests and screenshots
// read the same everywhere): English digits with thin grouping commas.

export function formatCount(n: number): string {
  return Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** "just now", "42 s ago", "5 min ago", "3 h ago", "12 d ago"; "never" for no time. */
export function formatAgo(time: number | null | undefined, now: number): string {
  if (time === null || time === undefined || time <= 0) return 'never';
  const seconds = Math.max(0, Math.round((now - time) / 1000));
  if (seconds < 5) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} d ago`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `2025-03-01 14:05:09` in local time: sortable, unambiguous. */
export function formatTime(time: number): string {
  const d = new Date(time);
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  );
}

/** `14:05:09` for the timeline, where the day is shown once per group. */
export function formatClock(time: number): string {
  const d = new Date(time);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** The client version a member reported, or an em dash before it asked for a config. */
export function formatVersion(member: { vMajor: number; vMinor: number; vRev: number }): string {
  if (member.vMajor < 0 || (member.vMajor === 0 && member.vMinor <= 0 && member.vRev <= 0)) return '—';
  return `${member.vMajor}.${member.vMinor}.${member.vRev}`;
}

export function formatPercent(ratio: number): string {
  if (ratio <= 0) return '0%';
  if (ratio < 0.001) return '<0.1%';
  if (ratio < 0.1) return `${(ratio * 100).toFixed(1)}%`;
  return `${Math.round(ratio * 100)}%`;
}

/** A subnet's size: exact below a million, else as a power of two (IPv6 sizes reach 2^128). */
export function formatSize(size: number | string, sizeLog2: number): string {
  if (typeof size === 'number' && size < 1_000_000) return formatCount(size);
  return `2^${sizeLog2}`;
}

export function formatRoute(route: { target: string; via: string | null }): string {
  return route.via === null ? route.target : `${route.target} via ${route.via}`;
}

/** Milliseconds as the settings show them: "30 s", "1.5 s", "2 min". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120_000) return `${Number((ms / 1000).toFixed(1))} s`;
  return `${Number((ms / 60_000).toFixed(1))} min`;
}
