"use strict";
(async function () {
  const params = new URLSearchParams(location.search);
  const box = document.getElementById("checklist");
  const resp = await fetch("/api/catalog/items/" + encodeURIComponent(params.get("item") || ""));
  const data = await resp.json();
  if (!resp.ok) { box.textContent = data.message || ""; return; }
  const have = new Set((params.get("have") || "").split(",").filter(Boolean));
  window.renderChecklist(box, data, params.get("type") || "", have);
})();
