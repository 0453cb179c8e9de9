// Clerk console. All data goes into the page through textContent; the session cookie is
// HttpOnly, and every state change sends the CSRF token the server gave at login.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const STATUS = { booked: "已预约", arrived: "已到达", served: "已办结", cancelled: "已取消", no_show: "未到",
    created: "创建预约", rescheduled: "改约", undo: "撤销登记" };
  // The API sends aware times (+08:00); they are shown in the bureaus' zone whatever the
  // zone of this computer is.
  let zone = "Asia/Shanghai";
  const when = (iso) => new Date(iso).toLocaleString("zh-CN", { timeZone: zone, hour12: false });
  const ACTIONS = { arrived: "到达", served: "办结", no_show: "未到" };
  const NEXT = { booked: ["arrived", "no_show"], arrived: ["served"] };
  let csrf = null;
  let undoSeconds = 0;
  let undoTimer = null;

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  async function api(path, options) {
    const opts = Object.assign({ headers: {} }, options || {});
    if (opts.body) opts.headers["Content-Type"] = "application/json";
    if (opts.method && opts.method !== "GET") opts.headers["X-CSRF-Token"] = csrf || "";
    const resp = await fetch(path, opts);
    const data = await resp.json().catch(() => ({}));
    return { ok: resp.ok, status: resp.status, data: data };
  }

  function announce(text) { $("status-text").textContent = text; }

  function showApp(me) {
    csrf = me.csrf_token;
    zone = me.time_zone || zone;
    undoSeconds = me.undo_seconds || 0;
    // The bureau's today (from the server), not this computer's UTC date.
    if (!$("b-date").value) $("b-date").value = me.today;
    $("who").textContent = (me.name || me.username) + (me.office ? "（" + me.office + "）" : "");
    $("login-view").hidden = true;
    $("app-view").hidden = false;
    $("logout").hidden = false;
    loadBookings();
  }

  $("login-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = await api("/clerk/api/login", { method: "POST", body: JSON.stringify({
      username: $("username").value, password: $("password").value }) });
    $("password").value = "";
    if (!result.ok) { $("login-error").textContent = result.data.message || ""; return; }
    $("login-error").textContent = "";
    showApp(result.data);
  });

  $("logout").addEventListener("click", async () => {
    await api("/clerk/api/logout", { method: "POST" });
    location.reload();
  });

  for (const tab of document.querySelectorAll("[role=tab]")) {
    tab.addEventListener("click", () => {
      for (const other of document.querySelectorAll("[role=tab]")) {
        const selected = other === tab;
        other.setAttribute("aria-selected", String(selected));
        $(other.getAttribute("aria-controls")).hidden = !selected;
      }
      if (tab.id === "tab-audit") loadAudit();
    });
  }

  async function loadBookings() {
    const date = $("b-date").value;
    const params = new URLSearchParams({ date: date });
    if ($("b-window").value) params.set("window", $("b-window").value);
    const result = await api("/clerk/api/bookings?" + params.toString());
    $("list-title").textContent = "预约列表";
    renderRows(result, false);
  }

  async function searchBookings() {
    const q = $("s-q").value.trim();
    if (!q) { loadBookings(); return; }
    const result = await api("/clerk/api/search?" + new URLSearchParams({ q: q }).toString());
    $("list-title").textContent = "搜索结果：" + q;
    renderRows(result, true);
  }

  function renderRows(result, withDay) {
    const body = $("bookings");
    body.replaceChildren();
    $("bookings-error").textContent = result.ok ? "" : (result.data.message || "");
    const rows = (result.data.bookings || []);
    $("bookings-empty").hidden = rows.length > 0 || !result.ok;
    for (const b of rows) {
      const tr = document.createElement("tr");
      const refCell = el("td");
      const refButton = el("button", b.ref, "link");
      refButton.type = "button";
      refButton.addEventListener("click", () => showDetail(b.ref));
      refCell.appendChild(refButton);
      tr.append(el("td", withDay ? b.day + " " + b.start : b.start), refCell, el("td", b.item_name),
        el("td", b.window_type), el("td", b.citizen_name), el("td", b.phone_masked),
        el("td", STATUS[b.status] || b.status));
      const actions = el("td");
      for (const next of (NEXT[b.status] || [])) {
        const button = el("button", ACTIONS[next], next === "no_show" ? "secondary" : "");
        button.type = "button";
        button.setAttribute("aria-label", ACTIONS[next] + " " + b.ref);
        button.addEventListener("click", () => mark(b.ref, next));
        actions.appendChild(button);
      }
      tr.appendChild(actions);
      body.appendChild(tr);
    }
  }

  async function mark(ref, status) {
    const result = await api("/clerk/api/bookings/" + encodeURIComponent(ref) + "/status",
      { method: "POST", body: JSON.stringify({ status: status }) });
    if (result.ok) offerUndo(ref, ref + " 已登记为“" + ACTIONS[status] + "”");
    else notice(result.data.message || "");
    loadBookings();
  }

  // A mis-tap can be taken back for a short while; the server decides and audits it.
  function offerUndo(ref, text) {
    const bar = $("notice");
    bar.replaceChildren(el("span", text));
    if (undoSeconds > 0) {
      const undo = el("button", "撤销", "secondary");
      undo.type = "button";
      undo.id = "undo";
      undo.addEventListener("click", async () => {
        const result = await api("/clerk/api/bookings/" + encodeURIComponent(ref) + "/undo", { method: "POST" });
        notice(result.ok ? ref + " 已撤销上一步登记" : (result.data.message || ""));
        loadBookings();
      });
      bar.appendChild(undo);
      clearTimeout(undoTimer);
      undoTimer = setTimeout(() => { if (undo.isConnected) undo.remove(); }, undoSeconds * 1000);
    }
    bar.hidden = false;
    announce(text);
  }

  function notice(text) {
    const bar = $("notice");
    bar.replaceChildren(el("span", text));
    bar.hidden = !text;
    announce(text);
  }

  async function showDetail(ref) {
    const result = await api("/clerk/api/bookings/" + encodeURIComponent(ref));
    const box = $("detail");
    box.replaceChildren();
    box.hidden = false;
    if (!result.ok) { box.appendChild(el("p", result.data.message || "")); return; }
    const b = result.data;
    box.append(el("h3", "预约 " + b.ref), el("p", b.day + " " + b.start + " · " + b.item_name + " · " + (STATUS[b.status] || b.status)),
      el("p", "姓名：" + b.citizen_name + "  手机：" + b.phone));
    const list = el("ul");
    for (const e of b.audit) list.appendChild(el("li", when(e.at) + " " + (STATUS[e.action] || e.action) + " · " + e.actor));
    box.appendChild(list);
  }

  async function loadAudit() {
    const result = await api("/clerk/api/audit");
    const body = $("audit");
    body.replaceChildren();
    $("audit-error").textContent = result.ok ? "" : (result.data.message || "");
    for (const e of (result.data.events || [])) {
      const tr = document.createElement("tr");
      tr.append(el("td", when(e.at)), el("td", e.ref),
        el("td", STATUS[e.action] || e.action), el("td", e.actor));
      body.appendChild(tr);
    }
  }

  $("bookings-form").addEventListener("submit", (event) => { event.preventDefault(); loadBookings(); });
  $("search-form").addEventListener("submit", (event) => { event.preventDefault(); searchBookings(); });
  $("print").addEventListener("click", () => window.print());

  $("lookup-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = await api("/api/catalog/items/" + encodeURIComponent($("q").value.trim()));
    const box = $("item");
    box.replaceChildren();
    if (result.status === 409) {
      box.appendChild(el("p", result.data.message || ""));
      const list = el("ul");
      for (const c of result.data.candidates || []) list.appendChild(el("li", c.code + " " + c.name + (c.sub_item ? "（" + c.sub_item + "）" : "")));
      box.appendChild(list);
      return;
    }
    if (!result.ok) { box.appendChild(el("p", result.data.message || "")); return; }
    const item = result.data;
    box.append(el("h2", item.name + "（" + item.code + "）"), el("p", item.summary, "muted"));
    box.append(el("p", "窗口：" + item.window + "　承诺时限：" + item.time_limit.promised_days + " 个工作日"));
    for (const bt of item.business_types) {
      box.appendChild(el("h3", bt.type));
      const list = el("ol");
      for (const d of bt.documents) {
        list.appendChild(el("li", d.name + "（" + d.form + d.copies + "份）" + (d.required ? "" : "：" + (d.condition || "")) + (d.note ? "，" + d.note : "")));
      }
      box.appendChild(list);
    }
  });

  api("/clerk/api/me").then((result) => { if (result.ok) showApp(result.data); });
})();
