// The perceptual hash (pHash) of a photo and the distance between two: what tells a
// re-upload, a resize or a burst of near-identical shots apart from a different picture.
// Pure maths on a 32×32 greyscale copy.

const DCT_N = 32;
const DCT_K = 8;
// cos((2x+1)uπ / 2N) for the 8 lowest frequencies u, computed once.
const COS = Array.from({ length: DCT_K }, (_, u) =>
  Float64Array.from({ length: DCT_N }, (_, x) => Math.cos(((2 * x + 1) * u * Math.PI) / (2 * DCT_N))),
);

/**
 * Classic pHash: 32×32 greyscale → 2-D DCT → top-left 8×8 low frequencies → one bit per
 * coefficient, set when above the median (DC excluded from the median, as it only carries
 * overall brightness). Robust to resizing and recompression, unlike a byte hash.
 */
export function dctHash(grey: Uint8Array): string {
  // Rows first (32 rows × 8 frequencies), then columns of that (8 × 8).
  const rows = new Float64Array(DCT_N * DCT_K);
  for (let y = 0; y < DCT_N; y++) {
    for (let u = 0; u < DCT_K; u++) {
      let s = 0;
      for (let x = 0; x < DCT_N; x++) s += grey[y * DCT_N + x] * COS[u][x];
      rows[y * DCT_K + u] = s;
    }
  }
  const coeffs = new Float64Array(DCT_K * DCT_K);
  for (let v = 0; v < DCT_K; v++) {
    for (let u = 0; u < DCT_K; u++) {
      let s = 0;
      for (let y = 0; y < DCT_N; y++) s += rows[y * DCT_K + u] * COS[v][y];
      coeffs[v * DCT_K + u] = s;
    }
  }
  const median = [...coeffs.subarray(1)].sort((a, b) => a - b)[Math.floor((coeffs.length - 1) / 2)];
  // The epsilon keeps flat images stable: their AC coefficients are all ~0 and float noise
  // would otherwise decide the bits.
  const threshold = median + 1e-6;
  let hash = 0n;
  for (let i = 0; i < coeffs.length; i++) {
    hash = (hash << 1n) | (coeffs[i] > threshold ? 1n : 0n);
  }
  return hash.toString(16).padStart(16, "0");
}

/** Number of differing bits between two phashes (0 = same picture, 64 = opposite). */
export function hammingDistance(a: string, b: string): number {
  if (!/^[0-9a-f]{16}$/i.test(a) || !/^[0-9a-f]{16}$/i.test(b)) {
    throw new Error(`hammingDistance expects two 16-digit hex hashes, got "${a}" and "${b}"`);
  }
  let x = BigInt(`0x${a}`) ^ BigInt(`0x${b}`);
  let bits = 0;
  while (x) {
    bits += Number(x & 1n);
    x >>= 1n;
  }
  return bits;
}
