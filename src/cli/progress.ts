// A progress bar for long offline commands (import, export), drawn on stderr and only when stderr is
// a terminal and the job is large: piped or logged output never carries control characters, and a
// small job finishes before a bar would be worth drawing.
import { Presets, SingleBar } from 'cli-progress';

/** Below this many items a job takes well under a second: no bar. */
export const PROGRESS_THRESHOLD = 2000;

export interface Progress {
  /** Starts a phase of `total` items (ends the previous one). */
  start(label: string, total: number): void;
  update(done: number): void;
  /** Ends the current phase and erases its bar. */
  stop(): void;
}

const silent: Progress = { start() {}, update() {}, stop() {} };

export function createProgress(
  enabled: boolean,
  stream: NodeJS.WriteStream = process.stderr,
  threshold = PROGRESS_THRESHOLD,
): Progress {
  if (!enabled || !stream.isTTY) return silent;
  let bar: SingleBar | undefined;
  const stop = () => {
    bar?.stop();
    bar = undefined;
  };
  return {
    start(label, total) {
      stop();
      if (total < threshold) return;
      bar = new SingleBar(
        {
          stream,
          format: `${label.padEnd(8)} [{bar}] {percentage}% | {value}/{total} | {duration_formatted}`,
          clearOnComplete: true,
          hideCursor: true,
          fps: 10,
        },
        Presets.shades_classic,
      );
      bar.start(total, 0);
    },
    update(done) {
      bar?.update(done);
    },
    stop,
  };
}
