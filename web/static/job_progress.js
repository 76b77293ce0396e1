// Live progress of a background job (solve, re-plan): polls the job's JSON while it runs, fills in
// whichever of the figures the page shows, reloads the page when the job ends, and stops it on request.
(function () {
  var box = document.getElementById("job");
  if (!box || box.dataset.active !== "true") return;
  function show(id, text) {
    var element = document.getElementById(id);
    if (element) element.textContent = text;
  }
  function poll() {
    fetch(box.dataset.url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (s) {
        show("job-status", s.status_label);
        show("job-objective", s.objective === null ? "–" : s.objective);
        show("job-bound", s.bound === null ? "–" : s.bound);
        show("job-gap", s.gap === null ? "–" : (s.gap * 100).toFixed(1) + "%");
        show("job-elapsed", s.elapsed === null ? "–" : s.elapsed.toFixed(1));
        if (s.percent !== null) document.getElementById("job-progress").value = s.percent;
        if (s.active) { setTimeout(poll, 1000); } else { window.location.reload(); }
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  var stop = document.getElementById("stop-form");
  if (stop) stop.addEventListener("submit", function (e) {
    e.preventDefault();
    fetch(stop.action, {method: "POST", body: new FormData(stop), headers: {"Accept": "application/json"},
                        credentials: "same-origin"});
    stop.querySelector("button").disabled = true;
  });
  setTimeout(poll, 1000);
})();
