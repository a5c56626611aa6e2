// Buttons marked data-print open the browser's print dialog (no inline handlers: the CSP forbids them).
// They come hidden and are shown here: without JavaScript a print button would do nothing.
document.addEventListener('DOMContentLoaded', function () {
  document.querySelectorAll('[data-print]').forEach(function (button) {
    button.hidden = false;
    button.addEventListener('click', function () {
      window.print();
    });
  });
});
