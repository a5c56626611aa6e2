// The strength hint while typing a new password (SPEC 3). Plain script, loaded with `defer` under a
// CSP without inline script; no dependencies.
// <input type="password" data-strength-hint="ID"> updates #ID (aria-live="polite") with its
// data-label-0 … data-label-4 text and sets data-score on it.
//
// The server judges: after a short pause in typing, the password goes to the element's data-check
// URL (with the form's CSRF token and data-email as context), which answers with the very
// judgement the form makes on submit — the rules, the blocklist, the guess floor. Until it has
// answered (or where it cannot), the quick estimate below is shown, capped at "fair", so the hint
// never calls strong what the server refuses.
(function () {
  'use strict';

  var thresholds = [8, 12, 16, 20]; // points needed for scores 1, 2, 3 and 4
  var classes = [/\p{Ll}/u, /\p{Lu}/u, /\p{N}/u, /[^\p{L}\p{N}]/u];
  var localCap = 2;
  var pauseMs = 350;

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
  function quickScore(password) {
    var points = countEffectiveCharacters(Array.from(password)) + 2 * (countVariety(password) - 1);
    return Math.min(localCap, thresholds.filter(function (needed) { return points >= needed; }).length);
  }

  // Write only on change, so screen readers are not told the same thing on every key.
  function show(hint, score, text) {
    if (hint.getAttribute('data-score') === String(score) && hint.textContent === text) return;
    hint.setAttribute('data-score', String(score));
    hint.textContent = text;
  }

  function clear(hint) {
    hint.textContent = '';
    hint.removeAttribute('data-score');
  }

  function askServer(input, hint, password, done) {
    var url = hint.getAttribute('data-check');
    var form = input.form;
    var csrf = form && form.querySelector('input[name="_csrf"]');
    if (!url || !csrf || typeof fetch !== 'function') return;
    var body = new URLSearchParams({ _csrf: csrf.value, password: password, email: hint.getAttribute('data-email') || '' });
    fetch(url, { method: 'POST', body: body, credentials: 'same-origin', headers: { accept: 'application/json' } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) { if (answer && typeof answer.score === 'number') done(answer); })
      .catch(function () { /* the quick estimate stays; the form still judges on submit */ });
  }

  function watch(input, hint) {
    var timer = null;
    var asked = 0;
    function update() {
      var password = input.value;
      if (password === '') return clear(hint);
      var score = quickScore(password);
      show(hint, score, hint.getAttribute('data-label-' + score) || '');
      clearTimeout(timer);
      var ticket = ++asked;
      timer = setTimeout(function () {
        askServer(input, hint, password, function (answer) {
          if (ticket !== asked || input.value !== password) return; // typing went on: a newer answer comes
          var text = answer.acceptable ? answer.label : answer.label + (answer.problems ? ' — ' + answer.problems : '');
          show(hint, answer.score, text);
        });
      }, pauseMs);
    }
    input.addEventListener('input', update);
    if (input.value !== '') update(); // e.g. restored by the browser
  }

  var inputs = document.querySelectorAll('input[type="password"][data-strength-hint]');
  Array.prototype.forEach.call(inputs, function (input) {
    var hint = document.getElementById(input.getAttribute('data-strength-hint'));
    if (hint) watch(input, hint);
  });
})();
