// Inline validation of the failure filters before they are sent: a field whose value does not fit says so
// beside itself, and the form is not submitted. The server checks the same fields and says the same (no JS needed).
(function () {
  var forms = document.querySelectorAll("form.filters");
  Array.prototype.forEach.call(forms, function (form) {
    function hintFor(input) {
      var id = "err-" + input.name;
      var hint = document.getElementById(id);
      if (!hint) {
        hint = document.createElement("span");
        hint.className = "field-error";
        hint.id = id;
        input.parentNode.appendChild(hint);
      }
      return hint;
    }
    function check(input) {
      var ok = input.checkValidity();
      if (ok) {
        input.removeAttribute("aria-invalid");
        var old = document.getElementById("err-" + input.name);
        if (old) old.remove();
      } else {
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby", "err-" + input.name);
        hintFor(input).textContent = input.getAttribute("data-hint") || input.validationMessage;
      }
      return ok;
    }
    var inputs = form.querySelectorAll("input[pattern], input[type=date]");
    Array.prototype.forEach.call(inputs, function (input) {
      input.addEventListener("input", function () { check(input); });
    });
    form.addEventListener("submit", function (event) {
      var first = null;
      Array.prototype.forEach.call(inputs, function (input) {
        if (!check(input) && !first) first = input;
      });
      if (first) {
        event.preventDefault();
        first.focus();
      }
    });
  });
})();
