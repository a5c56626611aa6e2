import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkBrandColor, contrastRatio, darken, defaultBrandColor, lighten } from './brand-color.js';

test('WCAG contrast ratios: black on white is 21:1, a colour on itself 1:1', () => {
  assert.equal(Math.round(contrastRatio('#000000', '#ffffff') * 100) / 100, 21);
  assert.equal(contrastRatio('#0b5394', '#0b5394'), 1);
  // WebAIM's checker: #767676 on white is 4.54:1, the lightest grey that passes AA.
  assert.equal(Math.round(contrastRatio('#767676', '#ffffff') * 100) / 100, 4.54);
});

test('a colour with 4.5:1 against white text is taken, lower case', () => {
  assert.deepEqual(checkBrandColor(' #0B5394 '), { ok: true, color: '#0b5394' });
  assert.deepEqual(checkBrandColor('#767676'), { ok: true, color: '#767676' });
  assert.equal(checkBrandColor(defaultBrandColor).ok, true);
});

test('a colour too light for white text is refused with its contrast', () => {
  assert.deepEqual(checkBrandColor('#777777'), { ok: false, error: 'low_contrast', contrast: 4.47 });
  assert.deepEqual(checkBrandColor('#ffcc00'), { ok: false, error: 'low_contrast', contrast: 1.51 });
});

test('anything but #RRGGBB is refused', () => {
  for (const input of ['', '0b5394', '#0b539', '#0b53944', 'red', '#gggggg', '#0b5394;}body{', 'rgb(0,0,0)']) {
    assert.deepEqual(checkBrandColor(input), { ok: false, error: 'invalid_color' }, input);
  }
});

test('darker and lighter shades stay valid colours', () => {
  assert.equal(darken('#0b5394', 0.25), '#083e6f');
  assert.equal(lighten('#0b5394', 0.9), '#e7eef4');
  assert.ok(contrastRatio(darken('#767676', 0.2), '#ffffff') > contrastRatio('#767676', '#ffffff'));
});
