// The dashboard's activity list, live: new entries of the signed-in person's feed are
// put on top as they happen. Without this file the page shows the same list, as of its
// loading. The list is aria-live="polite": a screen reader reads each new entry once.
"use strict";

(function () {
  const list = document.getElementById("activity-list");
  if (!list || !window.EventSource) {
    return;
  }
  const limit = Number(list.dataset.limit) || 8;
  const shown = new Intl.DateTimeFormat(list.dataset.lang === "en" ? "en-GB" : "de-DE", {
    dateStyle: "short",
    timeStyle: "short",
    timeZone: "Europe/Berlin",
  });
  const seen = new Set(Array.from(list.children, (item) => item.dataset.id));

  function add(message) {
    if (seen.has(message.lastEventId)) {
      return; // already on the page (a reconnect repeats nothing, but be sure)
    }
    const entry = JSON.parse(message.data);
    seen.add(String(entry.id));
    const item = document.createElement("li");
    item.dataset.id = String(entry.id);
    const time = document.createElement("time");
    time.dateTime = entry.occurred_at;
    time.textContent = shown.format(new Date(entry.occurred_at));
    item.append(time, " " + entry.title); // text, never markup: titles are data
    list.prepend(item);
    while (list.children.length > limit) {
      list.lastElementChild.remove();
    }
    const empty = document.getElementById("activity-empty");
    if (empty) {
      empty.remove();
    }
  }

  // Starts with what happens next; the browser resumes by itself after the server ends
  // a stream (it sends Last-Event-ID), so nothing is missed in between.
  const source = new EventSource(list.dataset.stream);
  for (const type of (list.dataset.types || "").split(" ")) {
    if (type) {
      source.addEventListener(type, add);
    }
  }
})();
