/**
 * A one-line bar of a series (▁▂▃▄▅▆▇█), for terminals only: each value scaled to the largest, a zero
 * as the lowest bar, so an idle month still shows as a place in the line.
 */
const BARS = '▁▂▃▄▅▆▇█';

export function sparkline(values: readonly number[]): string {
  const max = Math.max(0, ...values);
  return values
    .map((v) => {
      if (max === 0 || v <= 0) return BARS[0]!;
      return BARS[Math.max(1, Math.round((v / max) * (BARS.length - 1)))]!;
    })
    .join('');
}
