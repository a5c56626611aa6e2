// A rough strength hint while typing a new password (SPEC 3). Only a hint: the server's rules
// decide. Plain script, loaded with `defer` under a CSP without inline script; no dependencies.
// <input type="password" data-strength-hint="ID"> updates #ID (aria-live="polite") with its
// data-label-0 … data-label-4 text and sets data-score on it.
(function () {
  'use strict';

  var thresholds = [8, 12, 16, 20]; // points needed for scores 1, 2, 3 and 4
  var classes = [/\p{Ll}/u, /\p{Lu}/u, /\p{N}/u, /[^\p{L}\p{N}]/u];

  // A character that repeats the previous one or continues a simple sequence (abc, 321)
  // adds little to what an attacker must guess, so it counts for a quarter.
  function countEffectiveCharacters(chars) {
    var total = 0;
    for (var i = 0; i < chars.length; i++) {
      var step = i === 0 ? NaN : chars[i].codePointAt(0) - chars[i - 1].codePointAt(0);
      total += Math.abs(step) <= 1 ? 0.25 : 1;
    }
    return total;
  }

  function countVariety(password) {
    return classes.filter(function (pattern) { return pattern.test(password); }).length;
  }

  // Length matters most (NIST SP 800-63B); variety only adds a little.
  function scorePassword(password) {
    var points = countEffectiveCharacters(Array.from(password)) + 2 * (countVariety(password) - 1);
    return thresholds.filter(function (needed) { return points >= needed; }).length;
  }

  function showHint(input, hint) {
    if (input.value === '') {
      hint.textContent = '';
      hint.removeAttribute('data-score');
      return;
    }
    var score = scorePassword(input.value);
    var label = hint.getAttribute('data-label-' + score) || '';
    // Write only on change, so screen readers are not told the same thing on every key.
    if (hint.getAttribute('data-score') === String(score) && hint.textContent === label) return;
    hint.setAttribute('data-score', String(score));
    hint.textContent = label;
  }

  var inputs = document.querySelectorAll('input[type="password"][data-strength-hint]');
  Array.prototype.forEach.call(inputs, function (input) {
    var hint = document.getElementById(input.getAttribute('data-strength-hint'));
    if (!hint) return;
    input.addEventListener('input', function () { showHint(input, hint); });
    if (input.value !== '') showHint(input, hint); // e.g. restored by the browser
  });
})();
