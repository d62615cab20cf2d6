// Reads ffmpeg's machine-readable `-progress pipe:1` output (key=value lines), so callers
// get real progress and the length of what was actually written instead of guessing.

/** Splits a text stream into complete lines; the last, unfinished line waits for more. */
export function createLineSplitter(onLine: (line: string) => void): { push(chunk: string): void; end(): void } {
  let buffer = "";
  return {
    push(chunk) {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.search(/[\r\n]/)) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line) onLine(line);
      }
    },
    end() {
      if (buffer) onLine(buffer);
      buffer = "";
    },
  };
}

/**
 * Calls `onTime` with each `out_time_us`/`out_time_ms` value in seconds (both are, despite
 * the name of the second, microseconds: an ffmpeg quirk kept for compatibility), and `onEnd`
 * at `progress=end`.
 */
export function createProgressReader(onTime: (seconds: number) => void, onEnd?: () => void) {
  const lines = createLineSplitter((raw) => {
    const line = raw.trim();
    const eq = line.indexOf("=");
    if (eq < 0) return;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1);
    if (key === "out_time_ms" || key === "out_time_us") {
      const micros = Number(value);
      if (Number.isFinite(micros) && micros >= 0) onTime(micros / 1e6);
    } else if (key === "progress" && value === "end") {
      onEnd?.();
    }
  });
  return (chunk: string) => lines.push(chunk);
}

/** Progress as a fraction 0..1 of `totalSeconds` of output. */
export function createProgressParser(totalSeconds: number, onProgress: (fraction: number) => void) {
  return createProgressReader(
    (seconds) => {
      if (totalSeconds > 0) onProgress(Math.min(1, seconds / totalSeconds));
    },
    () => onProgress(1),
  );
}
