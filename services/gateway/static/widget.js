/* Lotse widget pages: tell the page that frames this one how tall it is, so the
   snippet's iframe fits its content. Only to an origin the key allows (the page's
   frame-ancestors), learned from the browser; nothing else is sent. */
(function () {
  "use strict";
  if (window.parent === window) {
    return;
  }
  var allowed = (document.documentElement.getAttribute("data-lotse-origins") || "")
    .split(" ").filter(Boolean);
  var parent = null;
  if (window.location.ancestorOrigins && window.location.ancestorOrigins.length) {
    parent = window.location.ancestorOrigins[0];
  } else if (document.referrer) {
    try {
      parent = new URL(document.referrer).origin;
    } catch (error) {
      return;  // no readable referrer: no one to tell
    }
  }
  if (!parent || allowed.indexOf(parent) < 0) {
    return;
  }
  var last = 0;
  function report() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height !== last) {
      last = height;
      window.parent.postMessage({ type: "lotse-widget-height", height: height }, parent);
    }
  }
  if (window.ResizeObserver) {
    new ResizeObserver(report).observe(document.documentElement);
  }
  window.addEventListener("load", report);
  report();
}());
