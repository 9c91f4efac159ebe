// node --test web/app/numbers.test.mjs (run by web/appnumbers_test.go)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shownValue, shownChange } from './numbers.js';

test('a change is the difference of the shown values', () => {
  const cases = [
    // format, before, after, want change (in the value's unit)
    ['pct', 0.97326, 0.97955, 0.007], // 97.3% → 98.0%: +0.7 points, not +0.6
    ['pct', 0.9995, 1, 0], // 100.0% → 100.0%: no change shown
    ['pct', 0.5, 0.5, 0],
    ['int', 10.4, 12.6, 3], // 10 → 13
    ['dec1', 21.26, 21.34, 0], // 21.3 → 21.3
    ['dec1', 21.26, 21.36, 0.1], // 21.3 → 21.4
    ['dec2', 0.124, 0.126, 0.01],
  ];
  for (const [f, a, b, want] of cases) {
    const got = shownChange(f, a, b);
    assert.equal(got, want, `${f} ${a} → ${b}`);
    // and it is exactly what a reader computes from the two shown numbers
    assert.equal(got, Math.round((shownValue(f, b) - shownValue(f, a)) * 1e6) / 1e6, `${f} ${a} → ${b} from shown values`);
  }
});

test('missing values give no change', () => {
  assert.equal(shownChange('pct', null, 0.5), null);
  assert.equal(shownChange('int', 1, NaN), null);
});
