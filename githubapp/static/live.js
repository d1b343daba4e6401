// Live updates of new failures (server-sent events). The page works without this script.
(function () {
  var list = document.getElementById("live-failures");
  if (!list || !window.EventSource) return;
  var status = document.getElementById("live-status");
  var source = new EventSource("/events");
  source.addEventListener("open", function () { if (status) status.textContent = "Live: connected"; });
  source.addEventListener("error", function () { if (status) status.textContent = "Live: reconnecting…"; });
  source.addEventListener("failure", function (event) {
    var data = JSON.parse(event.data);
    var item = document.createElement("li");
    item.className = "new";
    var link = document.createElement("a");
    link.href = "/failures/" + encodeURIComponent(data.failureId);
    link.textContent = data.message;
    var meta = document.createElement("span");
    meta.className = "meta";
    meta.textContent = " " + data.repository + " · " + data.kind + (data.testId ? " · " + data.testId : "");
    item.appendChild(link);
    item.appendChild(meta);
    list.insertBefore(item, list.firstChild);
    var empty = document.getElementById("live-empty");
    if (empty) empty.remove();
  });
})();
