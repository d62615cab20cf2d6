// Measuring ffmpeg's CPU time in benchmarks, for the product's runs and the bare baseline alike.
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * An ffmpeg that appends its user+system CPU seconds to a file (GNU time, Debian package
 * `time`), for accounting. Without /usr/bin/time, plain ffmpeg and CPU reads as NaN.
 */
export function timedFfmpeg(dir: string): { bin: string; take(): number } {
  if (!existsSync("/usr/bin/time")) return { bin: "ffmpeg", take: () => NaN };
  const log = path.join(dir, "cpu.log");
  const bin = path.join(dir, "ffmpeg-timed");
  writeFileSync(bin, `#!/bin/sh\nexec /usr/bin/time -a -o ${log} -f "%U %S" ffmpeg "$@"\n`);
  chmodSync(bin, 0o755);
  writeFileSync(log, "");
  return {
    bin,
    take() {
      const total = readFileSync(log, "utf8")
        .split("\n")
        .map((l) => l.trim().split(/\s+/).map(Number))
        .filter((p) => p.length === 2 && p.every(Number.isFinite))
        .reduce((sum, [u, s]) => sum + u + s, 0);
      writeFileSync(log, "");
      return total;
    },
  };
}
