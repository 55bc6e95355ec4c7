/* Lotse widgets: the one-line snippet's script.
   <script src="https://<lotse>/widgets/embed.js" data-lotse-widget="projects"
           data-lotse-key="<key id>" async></script>
   inserts an iframe with the widget after the script tag, titled for screen readers, and
   takes the height the widget reports (postMessage from Lotse's own origin only).
   Optional: data-lotse-lang="en", data-lotse-title="...", data-lotse-height="400". */
(function () {
  "use strict";
  var TITLES = {
    de: {
      "projects": "Lotse: Unsere Projekte",
      "funding-calls": "Lotse: Offene Förderaufrufe",
      "search": "Lotse: Lösungskatalog durchsuchen"
    },
    en: {
      "projects": "Lotse: our projects",
      "funding-calls": "Lotse: open funding calls",
      "search": "Lotse: search the solution catalogue"
    }
  };
  var KEY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
  var MESSAGE = "lotse-widget-height";

  function insert(script) {
    if (script.getAttribute("data-lotse-inserted")) {
      return;
    }
    script.setAttribute("data-lotse-inserted", "true");
    var widget = script.getAttribute("data-lotse-widget") || "";
    var key = (script.getAttribute("data-lotse-key") || "").toLowerCase();
    var lang = script.getAttribute("data-lotse-lang") === "en" ? "en" : "de";
    if (!Object.prototype.hasOwnProperty.call(TITLES[lang], widget) || !KEY_ID.test(key)) {
      console.warn("Lotse widget: data-lotse-widget must be one of projects, " +
        "funding-calls, search, and data-lotse-key the id of a key");
      return;
    }
    var origin = new URL(script.src, document.baseURI).origin;
    var frame = document.createElement("iframe");
    frame.src = origin + "/widgets/" + key + "/" + widget + "?lang=" + lang;
    frame.title = script.getAttribute("data-lotse-title") || TITLES[lang][widget];
    frame.loading = "lazy";
    // The widget learns which page frames it from the referrer: the origin is enough.
    frame.referrerPolicy = "strict-origin";
    frame.className = "lotse-widget";
    frame.style.display = "block";
    frame.style.width = "100%";
    frame.style.border = "0";
    var height = parseInt(script.getAttribute("data-lotse-height"), 10);
    frame.style.height = (height > 0 ? Math.min(height, 5000) : 400) + "px";
    script.parentNode.insertBefore(frame, script.nextSibling);
    window.addEventListener("message", function (event) {
      // Only this frame, only from Lotse's origin, only a number.
      if (event.origin !== origin || event.source !== frame.contentWindow) {
        return;
      }
      var data = event.data;
      if (!data || data.type !== MESSAGE || typeof data.height !== "number" ||
          !isFinite(data.height)) {
        return;
      }
      frame.style.height = Math.ceil(Math.max(80, Math.min(data.height, 5000))) + "px";
    });
  }

  if (document.currentScript) {
    insert(document.currentScript);
  }
  // Snippets whose own copy of this script has not run yet are inserted now; each
  // frame is inserted once.
  var scripts = document.querySelectorAll("script[data-lotse-widget][src]");
  for (var i = 0; i < scripts.length; i++) {
    if (/\/widgets\/embed\.js(\?|$)/.test(scripts[i].src)) {
      insert(scripts[i]);
    }
  }
}());
