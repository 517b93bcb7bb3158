// What the hand-in row says (a refusal, "Ingeleverd", the score) is seen at once: when its
// message changes after the learner used the row (a click or Enter in it), the message is
// scrolled into view, only as far as needed, so it shows next to the button on any screen.
(function () {
  "use strict";
  var used = false;

  function inRow(event) {
    return !!(event.target && event.target.closest && event.target.closest(".leerpad-handin"));
  }

  function show(records) {
    if (!used) return;
    for (var i = 0; i < records.length; i++) {
      var node = records[i].target;
      var box = node.nodeType === 1 ? node : node.parentElement;
      var handin = box && box.closest(".leerpad-handin");
      var status = handin && handin.querySelector("[role=status]");
      if (status) {
        status.scrollIntoView({ block: "nearest" });
        return;
      }
    }
  }

  document.addEventListener("click", function (event) { used = inRow(event); }, true);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter") used = inRow(event);
  }, true);
  document.addEventListener("DOMContentLoaded", function () {
    new MutationObserver(show).observe(document.body, {
      childList: true, subtree: true, characterData: true
    });
  });
})();
