// The chat page's own behaviour (inlined into the page head; the CSP allows inline scripts).
(function () {
  var NARROW = "(max-width: 768px)";

  // The reader view over the page, at one cited sentence with focus on it; "Back to the chat" (or Escape)
  // closes it and gives focus back to where it was opened from.
  var opener = null;
  function openReader(href, from) {
    var target = document.getElementById((href || "").slice(1));
    if (!target) return false;
    opener = from;
    document.body.classList.add("reading");
    target.setAttribute("tabindex", "-1");
    target.focus({preventScroll: true});
    target.scrollIntoView({block: "center"});
    return true;
  }
  function closeReader() {
    if (!document.body.classList.contains("reading")) return;
    document.body.classList.remove("reading");
    if (opener) opener.focus();
  }

  // A click on a marker [n] opens its cited sentence (folded under the answer on a narrow screen, in
  // the Sources panel otherwise), scrolls it into view and flashes its card; then the reader view opens at
  // that sentence in the whole article, and closing it leaves focus on the sentence in its source card.
  document.addEventListener("click", function (event) {
    var link = event.target && event.target.closest ? event.target.closest("a.cite-marker") : null;
    if (!link) return;
    event.preventDefault();
    event.stopPropagation();
    var id = (link.getAttribute("href") || "").slice(1);
    var target = (window.matchMedia(NARROW).matches && document.getElementById("m-" + id))
      || document.getElementById(id);
    if (!target) return;
    for (var d = target.closest("details"); d; d = d.parentElement ? d.parentElement.closest("details") : null) {
      d.open = true;
    }
    target.setAttribute("tabindex", "-1");
    target.focus({preventScroll: true});
    target.scrollIntoView({behavior: "smooth", block: "center"});
    var card = target.closest(".source-card") || target;
    card.classList.remove("flash");
    void card.offsetWidth;
    card.classList.add("flash");
    setTimeout(function () { card.classList.remove("flash"); }, 1600);
    // its "Show [n] in the article" link (found by its text: the chat's sanitiser drops data attributes)
    var label = "[" + (link.textContent || "").replace(/[^0-9]/g, "") + "]";
    var links = card.querySelectorAll("a.reader-link");
    for (var i = 0; i < links.length; i++) {
      if ((links[i].textContent || "").indexOf(label) >= 0) { openReader(links[i].getAttribute("href"), target); break; }
    }
  }, true);

  // "Show [n] in the article" opens the reader view the same way, and closing it gives focus back to the link.
  document.addEventListener("click", function (event) {
    var el = event.target && event.target.closest ? event.target : null;
    if (!el) return;
    if (el.closest(".reader-back")) { event.preventDefault(); closeReader(); return; }
    var link = el.closest("a.reader-link");
    if (!link) return;
    event.preventDefault();
    openReader(link.getAttribute("href"), link);
  }, true);
  document.addEventListener("keydown", function (event) { if (event.key === "Escape") closeReader(); });

  // A number box refuses a value out of its range visibly (Gradio would clamp it silently).
  document.addEventListener("input", function (event) {
    var box = event.target;
    if (!box || box.tagName !== "INPUT" || box.type !== "number" || !box.hasAttribute("max")) return;
    var min = Number(box.min), max = Number(box.max), value = Number(box.value);
    var block = box.closest(".block") || box.parentElement;
    var note = block.querySelector(".range-error");
    if (box.value === "" || (value >= min && value <= max)) {
      box.removeAttribute("aria-invalid");
      if (note) note.remove();
      return;
    }
    if (!note) {
      note = document.createElement("p");
      note.className = "range-error";
      note.setAttribute("role", "alert");
      block.appendChild(note);
    }
    box.setAttribute("aria-invalid", "true");
    note.textContent = box.value + " is out of range: choose from " + min + " to " + max + " (" +
      (value > max ? max : min) + " is used).";
  }, true);

  // Once the app has rendered: on a narrow screen the conversation list starts folded, and toggles
  // that show or hide something say so (aria-expanded).
  function syncExpanded() {
    var sidebar = document.getElementById("conversations");
    if (sidebar) {
      var toggle = sidebar.querySelector(".toggle-button");
      if (toggle) toggle.setAttribute("aria-expanded", sidebar.classList.contains("open") ? "true" : "false");
    }
    document.querySelectorAll("#settings > button.label-wrap, #settings button.label-wrap").forEach(function (b) {
      b.setAttribute("aria-expanded", b.classList.contains("open") ? "true" : "false");
    });
  }
  // Gradio names each message by its content, here HTML: name it by its text instead.
  var ROLES = {"user's message:": "Question: ", "bot's message:": "Answer: "};
  function nameMessages() {
    document.querySelectorAll("#chat [aria-label]").forEach(function (el) {
      var label = el.getAttribute("aria-label");
      if (label.indexOf("<") < 0) return;
      for (var prefix in ROLES) {
        if (label.indexOf(prefix) === 0) {
          // an inert document (DOMParser runs no script, loads nothing) turns the HTML into its text
          var html = label.slice(prefix.length);
          var text = (new DOMParser().parseFromString(html, "text/html").body.textContent || "").replace(/\s+/g, " ").trim();
          el.setAttribute("aria-label", ROLES[prefix] + (text.length > 200 ? text.slice(0, 199) + "…" : text));
        }
      }
    });
  }
  var folded = false;
  new MutationObserver(function () {
    var sidebar = document.getElementById("conversations");
    var toggle = sidebar && sidebar.querySelector(".toggle-button");
    if (!folded && toggle && sidebar.classList.contains("open")) {  // once, when it first shows open
      folded = true;
      if (window.matchMedia(NARROW).matches) setTimeout(function () { toggle.click(); }, 0);
    }
    syncExpanded();
    nameMessages();
  }).observe(document.documentElement, {subtree: true, childList: true, characterData: true, attributes: true,
              attributeFilter: ["class", "aria-label"]});
})();
