// Passkeys (SPEC 11): the browser's part of each ceremony, on the SimpleWebAuthn browser library
// (static/simplewebauthn-browser.js, loaded first, which sets window.SimpleWebAuthnBrowser).
// Plain script under a CSP without inline script. The server checks everything; this only asks
// the browser for the passkey and posts its answer in the form's hidden `response` field.
//
// form[data-passkey-register]: the options as JSON in that attribute; on submit, the browser makes
//   the passkey.
// form[data-passkey-login]: on submit, a challenge is asked from data-options (with the form's
//   CSRF token), then the browser offers its passkeys; where it can, also as autofill of the
//   e-mail field (autocomplete="username webauthn") where the page has one.
// [data-passkey-step-up] inside a step-up form: its button asks a challenge for the account's
//   passkeys from data-options, and sends the form with the answer in its `passkeyResponse` field.
(function () {
  'use strict';
  var lib = window.SimpleWebAuthnBrowser;
  if (!lib || !lib.browserSupportsWebAuthn()) return;

  function showError(form) {
    var box = document.getElementById('passkey-error');
    if (!box) return;
    box.textContent = form.getAttribute('data-error-text') || '';
    box.hidden = false;
  }

  function send(form, answer) {
    form.querySelector('input[name="response"]').value = JSON.stringify(answer);
    form.submit();
  }

  var register = document.querySelector('form[data-passkey-register]');
  if (register) {
    register.addEventListener('submit', function (event) {
      event.preventDefault();
      var options = JSON.parse(register.getAttribute('data-passkey-register'));
      lib.startRegistration({ optionsJSON: options }).then(function (answer) { send(register, answer); }, function () { showError(register); });
    });
  }

  var login = document.querySelector('form[data-passkey-login]');
  if (login) {
    var section = document.getElementById('passkey-login');
    if (section) section.hidden = false;
    var ask = function (autofill) {
      var csrf = login.querySelector('input[name="_csrf"]');
      return fetch(login.getAttribute('data-options'), { method: 'POST', body: new URLSearchParams({ _csrf: csrf ? csrf.value : '' }), credentials: 'same-origin', headers: { accept: 'application/json' } })
        .then(function (response) { return response.ok ? response.json() : Promise.reject(new Error('no challenge')); })
        .then(function (options) { return lib.startAuthentication({ optionsJSON: options, useBrowserAutofill: autofill }); })
        .then(function (answer) { send(login, answer); });
    };
    login.addEventListener('submit', function (event) {
      event.preventDefault();
      ask(false).catch(function () { showError(login); });
    });
    // Not again straight after a refused passkey: the person chooses the next try.
    var refused = /[?&]passkeyRefused=1(&|$)/.test(window.location.search);
    if (typeof lib.browserSupportsWebAuthnAutofill === 'function' && !refused && document.querySelector('input[autocomplete~="webauthn"]')) {
      lib.browserSupportsWebAuthnAutofill().then(function (supported) {
        if (supported) ask(true).catch(function () { /* the button is still there */ });
      });
    }
  }

  Array.prototype.forEach.call(document.querySelectorAll('[data-passkey-step-up]'), function (box) {
    var form = box.closest('form');
    var button = box.querySelector('button');
    var answerField = box.querySelector('input[name="passkeyResponse"]');
    if (!form || !button || !answerField) return;
    button.hidden = false;
    button.addEventListener('click', function () {
      var csrf = form.querySelector('input[name="_csrf"]');
      fetch(box.getAttribute('data-options'), { method: 'POST', body: new URLSearchParams({ _csrf: csrf ? csrf.value : '' }), credentials: 'same-origin', headers: { accept: 'application/json' } })
        .then(function (response) { return response.ok ? response.json() : Promise.reject(new Error('no challenge')); })
        .then(function (options) { return lib.startAuthentication({ optionsJSON: options }); })
        .then(function (answer) {
          answerField.value = JSON.stringify(answer);
          form.submit();
        })
        .catch(function () {
          var box2 = box.querySelector('[data-passkey-error]');
          if (!box2) return;
          box2.textContent = box.getAttribute('data-error-text') || '';
          box2.hidden = false;
        });
    });
  });
})();
