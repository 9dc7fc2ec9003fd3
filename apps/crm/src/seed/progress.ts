import cliProgress from "cli-progress";

/** Reports seeding progress: a bar on a terminal, one line per finished step otherwise, or nothing. */
export interface Progress {
  start(step: string, total: number): void;
  advance(n: number): void;
  stop(): void;
}

/** No output (tests, library use). */
export const silent: Progress = { start() {}, advance() {}, stop() {} };

/**
 * A progress bar when `stream` is a terminal (cli-progress), else a plain line as each step ends,
 * so logs and CI output stay readable.
 */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) {
    let step = "";
    let total = 0;
    const end = () => {
      if (step) stream.write(`  seeded ${step}: ${total}\n`);
      step = "";
    };
    return {
      start(s, t) {
        end();
        step = s;
        total = t;
      },
      advance() {},
      stop: end,
    };
  }
  const bar = new cliProgress.SingleBar(
    { stream, format: "  {step} [{bar}] {value}/{total}", hideCursor: true, clearOnComplete: false, etaBuffer: 50 },
    cliProgress.Presets.shades_classic,
  );
  let running = false;
  return {
    start(step, total) {
      if (running) bar.stop();
      bar.start(total, 0, { step: step.padEnd(12) });
      running = true;
    },
    advance(n) {
      bar.increment(n);
    },
    stop() {
      if (running) bar.stop();
      running = false;
    },
  };
}
