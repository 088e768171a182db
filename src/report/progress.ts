/** A single live status line on a terminal (rewritten in place); plain lines when output is not a terminal. */
export function progressLine(enabled: boolean) {
  const live = enabled && process.stderr.isTTY === true;
  return {
    update(message: string): void {
      if (!enabled) return;
      if (live) process.stderr.write(`\r\x1b[2K${message}`);
      else process.stderr.write(`${message}\n`);
    },
    done(message: string): void {
      if (!enabled) return;
      process.stderr.write(live ? `\r\x1b[2K${message}\n` : `${message}\n`);
    },
  };
}
