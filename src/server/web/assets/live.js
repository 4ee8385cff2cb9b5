// captain's live pages: while the tab is visible, fetch this page again every second
// and replace each part marked `data-live` whose content changed. Stops while the tab
// is hidden and when it goes away; a session that ended goes to the sign-in page.
(function () {
  "use strict";
  var INTERVAL = 1000;
  var timer = null;
  var inflight = null;
  var status = document.getElementById("live-status");
  if (!document.querySelector("[data-live]")) { return; }

  function say(text) { if (status) { status.textContent = text; } }

  function swap(fresh) {
    var changed = false;
    document.querySelectorAll("[data-live][id]").forEach(function (old) {
      var next = fresh.getElementById(old.id);
      if (next && next.innerHTML !== old.innerHTML) {
        // Keep the keyboard where it was: the focused link or field by its href or id.
        var active = document.activeElement;
        var key = active && old.contains(active) ? (active.id ? "#" + active.id : active.getAttribute("href")) : null;
        old.innerHTML = next.innerHTML;
        changed = true;
        if (key) {
          var again = key.charAt(0) === "#" ? old.querySelector(key) : old.querySelector('[href="' + key.replace(/"/g, '\\"') + '"]');
          if (again) { again.focus(); }
        }
      }
    });
    return changed;
  }

  function poll() {
    timer = null;
    if (document.hidden) { return; }
    inflight = new AbortController();
    fetch(location.href, { credentials: "same-origin", signal: inflight.signal, headers: { "X-Captain-Live": "1" } })
      .then(function (response) {
        // The session ended: go where the server sent us (the sign-in page, saying why).
        if (response.redirected) { location.assign(response.url); return null; }
        if (response.status === 401) { location.reload(); return null; }
        return response.text();
      })
      .then(function (text) {
        if (text === null || text === undefined) { return; }
        var fresh = new DOMParser().parseFromString(text, "text/html");
        var changed = swap(fresh);
        say("Live: checked at " + new Date().toLocaleTimeString() + (changed ? " (updated)" : "") + ".");
      })
      .catch(function (e) {
        if (e && e.name === "AbortError") { return; }
        say("Live: the server did not answer; trying again.");
      })
      .then(function () { inflight = null; schedule(); });
  }

  function schedule() {
    if (timer === null && !document.hidden) { timer = setTimeout(poll, INTERVAL); }
  }

  function stop() {
    if (timer !== null) { clearTimeout(timer); timer = null; }
    if (inflight) { inflight.abort(); inflight = null; }
  }

  document.addEventListener("visibilitychange", function () {
    if (document.hidden) { stop(); say("Live: paused while this tab is hidden."); } else { schedule(); }
  });
  window.addEventListener("pagehide", stop);
  window.addEventListener("pageshow", schedule);
  schedule();
})();
