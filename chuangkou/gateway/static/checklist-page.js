// The checklist opened from a kiosk's QR code (or a booking ticket's): the same list,
// with who runs the site and the office's window, address, hours and phone.
"use strict";
(async function () {
  const params = new URLSearchParams(location.search);
  const box = document.getElementById("checklist");
  // 关怀模式 chosen on this device stays on for the session.
  try { if (sessionStorage.getItem("ck-care") === "on") document.documentElement.dataset.care = "on"; } catch (e) { /* no storage */ }
  const get = (url) => fetch(url).then(async (r) => ({ ok: r.ok, data: await r.json() }));
  try {
    const [item, site, offices] = await Promise.all([
      get("/api/catalog/items/" + encodeURIComponent(params.get("item") || "")),
      get("/api/site"),
      get("/api/offices"),
    ]);
    if (!item.ok) { box.textContent = item.data.message || window.ck.text("offline"); return; }
    const code = (params.get("office") || "").toUpperCase();
    const office = offices.ok ? offices.data.offices.find((o) => o.code === code) : null;
    const have = new Set((params.get("have") || "").split(",").filter(Boolean));
    const ref = /^[A-Z0-9]{8}$/.test(params.get("ref") || "") ? params.get("ref") : "";
    window.ck.render(box, item.data, params.get("type") || "", have,
      { site: site.ok ? site.data.site : null, office: office, ref: ref });
  } catch (e) {
    box.textContent = window.ck.text("offline");
  }
})();
