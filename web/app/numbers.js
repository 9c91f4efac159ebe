// Numbers as a planner reads them: a change is the difference of the two
// values as shown, so "97.3% → 98.0%" always reads "+0.7 个百分点", never
// the +0.6 of the unrounded values.

// decimals is how many decimals a value of this display format shows:
// shares as percentages with one decimal (0.973 → 97.3%), counts whole.
export function decimals(format) {
  return format === 'pct' ? 3 : format === 'dec2' ? 2 : format === 'dec1' ? 1 : 0;
}

// shownValue rounds v as the display shows it.
export function shownValue(format, v) {
  if (v == null || !isFinite(v)) return v;
  const p = 10 ** decimals(format);
  return Math.round(v * p) / p;
}

// shownChange is after − before as the two are shown, rounded again so
// that float noise (0.98 − 0.973 = 0.007000000000000006) does not show.
export function shownChange(format, before, after) {
  if (before == null || after == null || !isFinite(before) || !isFinite(after)) return null;
  const p = 10 ** decimals(format);
  return Math.round((shownValue(format, after) - shownValue(format, before)) * p) / p;
}
