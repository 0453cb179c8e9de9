// Clerk console. All data goes into the page through textContent; the session cookie is
// HttpOnly, and every state change sends the CSRF token the server gave at login. The
// page's words are in clerk.html (#words and the templates); labels of channels and
// audit actors come from the server.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  // The day list is read again this often while the page is visible, so arrivals booked
  // at the kiosk or in the chat show up without the clerk pressing anything.
  const REFRESH_MS = 30000;
  const NEXT = { booked: ["arrived", "no_show"], arrived: ["served"] };
  // The API sends aware times (+08:00); they are shown in the bureaus' zone whatever the
  // zone of this computer is.
  let zone = "Asia/Shanghai";
  const when = (iso) => new Date(iso).toLocaleString("zh-CN", { timeZone: zone, hour12: false });
  const clock = (date) => date.toLocaleTimeString("zh-CN", { timeZone: zone, hour12: false });
  let me = null;
  let csrf = null;
  let undoSeconds = 0;
  let undoTimer = null;
  // What the list shows: the day's bookings, or the results of a search (not refreshed,
  // so that a refresh never replaces what the clerk searched for).
  let mode = "day";
  let lastQuery = "";
  let selected = null;
  let loading = false;
  let listSeq = 0;
  let loadedAt = 0;
  let offices = null;

  // A word of the page, with {placeholders} filled.
  function word(name, values) {
    const raw = $("words").getAttribute("data-" + name);
    const template = raw === null ? name : raw;
    return template.replace(/\{(\w+)\}/g, (_, key) => (values && key in values ? String(values[key]) : ""));
  }
  const statusWord = (status) => ($("words").hasAttribute("data-status-" + status) ? word("status-" + status) : status);
  const actionWord = (action) => ($("words").hasAttribute("data-action-" + action) ? word("action-" + action) : action);

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  // A copy of a <template>, and its parts by data-f.
  function fromTemplate(id) {
    const node = $(id).content.cloneNode(true);
    const part = (name) => node.querySelector('[data-f="' + name + '"]');
    return { node: node, part: part };
  }

  function fillList(list, items, render) {
    list.replaceChildren();
    for (const item of items) list.appendChild(el("li", render ? render(item) : item));
  }

  async function api(path, options) {
    const opts = Object.assign({ headers: {} }, options || {});
    if (opts.body) opts.headers["Content-Type"] = "application/json";
    if (opts.method && opts.method !== "GET") opts.headers["X-CSRF-Token"] = csrf || "";
    try {
      const resp = await fetch(path, opts);
      const data = await resp.json().catch(() => ({}));
      return { ok: resp.ok, status: resp.status, data: data };
    } catch (error) {
      return { ok: false, status: 0, data: {} };
    }
  }

  function announce(text) { $("status-text").textContent = text; }

  function showApp(who) {
    me = who;
    csrf = who.csrf_token;
    zone = who.time_zone || zone;
    undoSeconds = who.undo_seconds || 0;
    // The bureau's today (from the server), not this computer's UTC date.
    if (!$("b-date").value) $("b-date").value = who.today;
    $("who").textContent = (who.name || who.username) + (who.office ? "（" + who.office + "）" : "");
    $("login-view").hidden = true;
    $("app-view").hidden = false;
    $("logout").hidden = false;
    loadBookings();
    setInterval(autoRefresh, REFRESH_MS);
  }

  function autoRefresh() {
    if (document.visibilityState !== "visible" || $("app-view").hidden || mode !== "day") return;
    loadBookings(true);
  }

  // Back on the page after a while (another tab, a locked screen): catch up at once.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && Date.now() - loadedAt >= REFRESH_MS) autoRefresh();
  });

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
        const isIt = other === tab;
        other.setAttribute("aria-selected", String(isIt));
        $(other.getAttribute("aria-controls")).hidden = !isIt;
      }
      if (tab.id === "tab-audit") { loadAuditClerks(); loadAudit(); }
    });
  }

  // -- the day list and search -----------------------------------------------------------

  async function loadBookings(quiet) {
    if (quiet && loading) return;
    loading = true;
    const asked = ++listSeq;
    const date = $("b-date").value;
    const params = new URLSearchParams({ date: date });
    if ($("b-window").value) params.set("window", $("b-window").value);
    const result = await api("/clerk/api/bookings?" + params.toString());
    loading = false;
    // Only the newest request fills the list: a refresh that was under way when the clerk
    // chose another day or searched must not put the old list back.
    if (asked !== listSeq) return;
    const now = clock(new Date());
    if (!result.ok && quiet) {
      // Keep what is shown; a passing network failure must not empty the clerk's list.
      $("refresh-note").textContent = word("refresh-failed", { time: now });
      if (result.status === 401) $("bookings-error").textContent = result.data.message || "";
      return;
    }
    mode = "day";
    loadedAt = Date.now();
    // A console left open overnight follows the bureau's new day, as it opened on today.
    const serverToday = (result.data.as_of || "").slice(0, 10);
    if (me && serverToday && serverToday !== me.today) {
      const wasToday = date === me.today;
      me.today = serverToday;
      if (wasToday) { $("b-date").value = serverToday; loadBookings(true); return; }
    }
    $("s-clear").hidden = true;
    const rows = result.data.bookings || [];
    const office = result.data.office_name || (me && me.office) || "";
    $("list-title").textContent = result.ok
      ? word("day-title", { office: office + " ", date: date, n: rows.length })
      : word("day-title", { office: "", date: date, n: 0 });
    $("p-office").textContent = office;
    $("p-date").textContent = date + ($("b-window").value ? "　" + $("b-window").value : "");
    $("p-time").textContent = result.data.as_of ? when(result.data.as_of) : when(new Date().toISOString());
    $("refresh-note").textContent = result.ok ? word("refreshed", { time: now }) : "";
    renderRows(result, false);
  }

  async function searchBookings() {
    const q = $("s-q").value.trim();
    if (!q) { loadBookings(); return; }
    mode = "search";
    lastQuery = q;
    const asked = ++listSeq;
    const result = await api("/clerk/api/search?" + new URLSearchParams({ q: q }).toString());
    if (asked !== listSeq) return;
    const rows = result.data.bookings || [];
    $("list-title").textContent = word("search-title", { q: q, n: result.ok ? rows.length : 0 });
    $("p-date").textContent = $("list-title").textContent;
    $("p-time").textContent = when(new Date().toISOString());
    $("s-clear").hidden = false;
    $("refresh-note").textContent = "";
    renderRows(result, true);
  }

  function reloadList() {
    if (mode === "search") { $("s-q").value = lastQuery; searchBookings(); } else loadBookings();
  }

  // What a row shows; an unchanged row is left alone on refresh (no flicker, focus kept).
  function signature(b, withDay) {
    return JSON.stringify([withDay, b.status, b.day, b.start, b.item_name, b.window_type,
      b.citizen_name, b.phone_masked, b.missing_docs]);
  }

  // Marks the server would refuse anyway are not offered: 到达 only on the booking's day,
  // 未到 not before it (the server also checks the slot's start time).
  function possibleMarks(b) {
    const today = me ? me.today : "";
    return (NEXT[b.status] || []).filter((next) =>
      (next !== "arrived" || b.day === today) && (next !== "no_show" || b.day <= today));
  }

  function buildRow(b, withDay) {
    const tr = document.createElement("tr");
    tr.dataset.ref = b.ref;
    const refCell = el("td");
    const refButton = el("button", b.ref, "link");
    refButton.type = "button";
    refButton.addEventListener("click", () => showDetail(b.ref));
    refCell.appendChild(refButton);
    const lacks = (b.missing_docs || []).length > 0;
    const lacking = lacks ? b.missing_docs.join("、") : word("nothing-lacking");
    tr.append(refCell, el("td", withDay ? b.day + " " + b.start : b.start), el("td", b.item_name, "wrap"),
      el("td", b.window_type, "no-print"), el("td", b.citizen_name || word("no-name")),
      el("td", b.phone_masked), el("td", statusWord(b.status)), el("td", lacking, lacks ? "lacking" : "lacking muted"));
    const actions = el("td", null, "no-print");
    for (const next of possibleMarks(b)) {
      const button = el("button", word("mark-" + next), next === "no_show" ? "secondary" : "");
      button.type = "button";
      button.setAttribute("aria-label", word("mark-" + next) + " " + b.ref);
      button.addEventListener("click", () => mark(b.ref, next));
      actions.appendChild(button);
    }
    tr.appendChild(actions);
    return tr;
  }

  function renderRows(result, withDay) {
    const body = $("bookings");
    $("bookings-error").textContent = result.ok ? "" : (result.data.message || "");
    const rows = result.ok ? (result.data.bookings || []) : [];
    $("bookings-empty").hidden = rows.length > 0 || !result.ok;
    const existing = new Map();
    for (const tr of body.children) existing.set(tr.dataset.ref, tr);
    let changedSelected = false;
    rows.forEach((b, index) => {
      const sig = signature(b, withDay);
      let tr = existing.get(b.ref);
      if (!tr || tr.dataset.sig !== sig) {
        if (tr && b.ref === selected) changedSelected = true;
        tr = buildRow(b, withDay);
        tr.dataset.sig = sig;
      }
      existing.delete(b.ref);
      if (b.ref === selected) tr.setAttribute("aria-current", "true"); else tr.removeAttribute("aria-current");
      // Rows are moved only where they are out of place: the table keeps its height.
      if (body.children[index] !== tr) body.insertBefore(tr, body.children[index] || null);
    });
    for (const gone of existing.values()) gone.remove();
    if (changedSelected) showDetail(selected, true);
  }

  async function mark(ref, status) {
    const result = await api("/clerk/api/bookings/" + encodeURIComponent(ref) + "/status",
      { method: "POST", body: JSON.stringify({ status: status }) });
    if (result.ok) offerUndo(ref, word("marked", { ref: ref, mark: word("mark-" + status) }));
    else notice(result.data.message || "");
    reloadList();
    if (ref === selected) showDetail(ref, true);
  }

  // A mis-tap can be taken back for a short while; the server decides and audits it.
  function offerUndo(ref, text) {
    const bar = $("notice");
    bar.replaceChildren(el("span", text));
    if (undoSeconds > 0) {
      const undo = el("button", word("undo"), "secondary");
      undo.type = "button";
      undo.id = "undo";
      undo.addEventListener("click", async () => {
        const result = await api("/clerk/api/bookings/" + encodeURIComponent(ref) + "/undo", { method: "POST" });
        notice(result.ok ? word("undone", { ref: ref }) : (result.data.message || ""));
        reloadList();
        if (ref === selected) showDetail(ref, true);
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

  function selectRow(ref) {
    selected = ref;
    for (const tr of $("bookings").children) {
      if (tr.dataset.ref === ref) tr.setAttribute("aria-current", "true"); else tr.removeAttribute("aria-current");
    }
  }

  async function showDetail(ref, quiet) {
    const result = await api("/clerk/api/bookings/" + encodeURIComponent(ref));
    if (quiet && ref !== selected) return;
    const box = $("detail");
    box.replaceChildren();
    box.hidden = false;
    if (!result.ok) {
      selectRow(null);
      box.appendChild(el("p", result.data.message || "", "error"));
      return;
    }
    selectRow(ref);
    const b = result.data;
    const view = fromTemplate("detail-template");
    view.part("ref").textContent = b.ref;
    view.part("when").textContent = b.day + " " + b.start;
    view.part("item").textContent = b.item_name + "（" + b.item_code + "）";
    view.part("status").textContent = statusWord(b.status);
    view.part("office").textContent = b.office_name + (b.office_address ? " · " + b.office_address : "");
    view.part("window").textContent = b.window;
    view.part("location").textContent = b.window_location
      ? b.window_location + (b.window_phone ? "（" + b.window_phone + "）" : "") : word("none");
    view.part("channel").textContent = b.channel_label || b.channel;
    view.part("name").textContent = b.citizen_name || word("no-name");
    view.part("phone").textContent = b.phone;
    const missing = b.missing_docs || [];
    if (missing.length) {
      const list = el("ul");
      fillList(list, missing);
      view.part("missing").appendChild(list);
    } else view.part("missing").textContent = word("nothing-lacking");
    fillList(view.part("audit"), b.audit || [], (e) => when(e.at) + " " + describeEvent(e) + " · " + (e.actor_label || e.actor));
    view.part("close").addEventListener("click", () => { selectRow(null); box.hidden = true; box.replaceChildren(); });
    box.appendChild(view.node);
  }

  function describeEvent(e) {
    if (e.action === "rescheduled" && e.detail && e.detail.old) {
      return word("rescheduled", { old: e.detail.old, new: e.detail.new });
    }
    return actionWord(e.action);
  }

  // -- the audit log ------------------------------------------------------------------

  async function loadAuditClerks() {
    const result = await api("/clerk/api/audit/clerks");
    if (!result.ok) return;
    const select = $("a-clerk");
    const chosen = select.value;
    const first = select.options[0];
    select.replaceChildren(first);
    for (const c of result.data.clerks || []) {
      const option = el("option", c.name === c.username ? c.name : c.name + "（" + c.username + "）");
      option.value = c.username;
      select.appendChild(option);
    }
    select.value = chosen;
  }

  async function loadAudit() {
    const params = new URLSearchParams();
    const fields = { since: $("a-since").value, until: $("a-until").value,
      ref: $("a-ref").value.trim().toUpperCase(), clerk: $("a-clerk").value };
    for (const [key, value] of Object.entries(fields)) if (value) params.set(key, value);
    const result = await api("/clerk/api/audit" + (params.toString() ? "?" + params.toString() : ""));
    const body = $("audit");
    body.replaceChildren();
    $("audit-error").textContent = result.ok ? "" : (result.data.message || "");
    const events = result.ok ? (result.data.events || []) : [];
    $("audit-empty").hidden = !result.ok || events.length > 0;
    for (const e of events) {
      const tr = document.createElement("tr");
      const actor = el("td", e.actor_label || e.actor);
      actor.title = e.actor;  // the raw actor, for whoever has to trace it
      tr.append(el("td", when(e.at)), el("td", e.ref), el("td", describeEvent(e)), actor);
      body.appendChild(tr);
    }
  }

  $("audit-form").addEventListener("submit", (event) => { event.preventDefault(); loadAudit(); });
  // After the form has cleared its fields.
  $("audit-form").addEventListener("reset", () => setTimeout(loadAudit, 0));

  $("bookings-form").addEventListener("submit", (event) => { event.preventDefault(); loadBookings(); });
  $("search-form").addEventListener("submit", (event) => { event.preventDefault(); searchBookings(); });
  $("s-clear").addEventListener("click", () => { $("s-q").value = ""; loadBookings(); });
  $("print-list").addEventListener("click", () => window.print());
  $("print").addEventListener("click", () => window.print());
  // The printed list says when it was printed.
  window.addEventListener("beforeprint", () => { $("p-time").textContent = when(new Date().toISOString()); });

  // -- the requirement look-up ------------------------------------------------------------

  async function officeList() {
    if (offices === null) {
      const result = await api("/api/offices");
      if (result.ok) offices = result.data.offices || [];
    }
    return offices || [];
  }

  function feeText(fee) {
    let text;
    if (fee.amount === null || fee.amount === undefined) text = word("by-standard");
    else if (Number(fee.amount) === 0) text = word("free");
    else text = word("yuan", { n: fee.amount });
    return text + (fee.basis ? "（" + fee.basis + "）" : "") + (fee.note ? " " + fee.note : "");
  }

  function limitText(limit) {
    const parts = [word("days", { n: limit.promised_days })];
    parts.push(limit.statutory_days === null || limit.statutory_days === undefined
      ? word("no-statutory") : word("statutory-days", { n: limit.statutory_days }));
    return parts.join("；") + (limit.note ? "。" + limit.note : "");
  }

  // A stopped item may point to the item that replaced it by code: name it, and let the
  // clerk open it with one click.
  async function showRedirect(node, redirect) {
    if (!/^[A-Z]{2}\d{2}$/.test(redirect)) { node.textContent = redirect; return; }
    const result = await api("/api/catalog/items/" + encodeURIComponent(redirect));
    const button = el("button", redirect + (result.ok ? " " + result.data.name : ""), "link");
    button.type = "button";
    button.addEventListener("click", () => { $("q").value = redirect; $("lookup-form").requestSubmit(); });
    node.replaceChildren(button);
  }

  async function renderItem(item, box) {
    const view = fromTemplate("item-template");
    const part = view.part;
    const stopped = item.status === "stopped";
    part("title").textContent = item.name + "（" + item.code + "）";
    part("status").textContent = stopped ? word("stopped") : word("active");
    part("status").classList.toggle("is-stopped", stopped);
    part("summary").textContent = item.summary;
    if (stopped) {
      part("status_note").textContent = item.status_note || "";
      await showRedirect(part("redirect"), item.redirect || item.apply_at || word("none"));
    } else part("stopped").remove();
    if (item.apply_at && (!stopped || item.redirect)) part("apply_at").textContent = item.apply_at;
    else part("apply-at").remove();
    part("window").textContent = item.window;
    if (stopped) {
      // A stopped item has no time limit to promise; "0 个工作日" would mislead.
      part("limit-term").remove();
      part("time_limit").remove();
    } else part("time_limit").textContent = limitText(item.time_limit);
    part("fee").textContent = feeText(item.fee);
    part("authority").textContent = item.deciding_authority;
    const known = new Map((await officeList()).map((o) => [o.code, o]));
    const accepting = (item.accepting_offices || []).slice();
    // The clerk's own office first: that is where the person standing here can go.
    accepting.sort((a, b) => (me && b.code === me.office) - (me && a.code === me.office));
    if (accepting.length) {
      fillList(part("offices"), accepting, (o) => {
        const office = known.get(o.code);
        if (!office) return o.name;
        const windows = office.windows || [];
        const w = windows.find((x) => x.type === item.window);
        return word("office-line", { name: office.name, address: office.address }) +
          (w ? "；" + word("window-line", { window: w.type, location: w.location, phone: w.phone }) : "");
      });
    } else fillList(part("offices"), [word("no-office")]);
    fillList(part("legal_basis"), item.legal_basis || []);
    fillList(part("process"), item.process || []);
    const subs = item.sub_items || [];
    if (subs.length) {
      fillList(part("sub_items"), subs, (s) => s.name + "（" + s.code + "）" +
        (s.status === "abolished" ? " · " + word("abolished") + (s.status_note ? "：" + s.status_note : "") : ""));
    } else { part("sub-title").remove(); part("sub_items").remove(); }
    // Documents are what the window checks; a stopped item takes none.
    const docs = part("documents");
    if (!stopped) {
      for (const bt of item.business_types || []) {
        docs.appendChild(el("h3", bt.type));
        const list = el("ol");
        fillList(list, bt.documents, (d) => d.name + "（" + word("copies", { form: d.form, n: d.copies }) + "）" +
          (d.required ? "" : "：" + (d.condition || "")) + (d.note ? "，" + d.note : ""));
        docs.appendChild(list);
      }
    }
    box.appendChild(view.node);
  }

  $("lookup-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = await api("/api/catalog/items/" + encodeURIComponent($("q").value.trim()));
    const box = $("item");
    box.replaceChildren();
    if (result.status === 409) {
      box.appendChild(el("p", result.data.message || ""));
      const list = el("ul");
      fillList(list, result.data.candidates || [], (c) => c.code + " " + c.name + (c.sub_item ? "（" + c.sub_item + "）" : ""));
      box.appendChild(list);
      return;
    }
    if (!result.ok) { box.appendChild(el("p", result.data.message || "")); return; }
    await renderItem(result.data, box);
  });

  api("/clerk/api/me").then((result) => { if (result.ok) showApp(result.data); });
})();
