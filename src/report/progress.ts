const PLAIN_INTERVAL_MS = 2_000;

/**
 * A single live status line on a terminal (rewritten in place). Where stderr is not a terminal (CI logs, pipes) it
 * prints a plain line at most every two seconds, so long runs stay readable.
 */
export function progressLine(enabled: boolean) {
  const live = enabled && process.stderr.isTTY === true;
  let lastPlain = 0;
  return {
    update(message: string): void {
      if (!enabled) return;
      if (live) {
        process.stderr.write(`\r\x1b[2K${message}`);
      } else if (Date.now() - lastPlain >= PLAIN_INTERVAL_MS) {
        lastPlain = Date.now();
        process.stderr.write(`${message}\n`);
      }
    },
    done(message: string): void {
      if (!enabled) return;
      process.stderr.write(live ? `\r\x1b[2K${message}\n` : `${message}\n`);
    },
  };
}
