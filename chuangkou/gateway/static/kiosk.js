// The hall kiosk (/kiosk?office=CODE): windows → items → documents → book, and finding or
// cancelling a booking, all by touch. Nothing is kept in browser storage except the
// 关怀模式 choice for the session; after a long idle everything is wiped, that choice and
// the conversation too. The page's words are in kiosk.html (#ck-texts); refusals are the
// server's own messages.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const ck = window.ck;
  const say = ck.text;
  const el = ck.el;
  const params = new URLSearchParams(location.search);
  const OFFICE = (params.get("office") || "").trim().toUpperCase();
  const seconds = (raw, fallback) => {
    const n = Number(raw);
    return Number.isFinite(n) && n >= 1 && n <= 3600 ? n : fallback;
  };
  const IDLE_MS = seconds(params.get("idle"), 90) * 1000;  // ask "还在使用吗？" after this
  const GRACE_S = seconds(params.get("grace"), 20);         // then count down and wipe
  const CARE_KEY = "ck-care";
  const SCREENS = Array.from(document.querySelectorAll("#k-main > .k-screen"), (s) => s.id);
  // A message meant for people never holds Latin words (field names, codes); anything
  // else that reaches the page is replaced by a polite general one.
  const PROGRAMMER_TEXT = /[A-Za-z_]{2,}/;

  let site = {};
  let kiosk = null;        // GET /api/kiosk/start: office, shortcuts, items, ref keys
  let state = fresh();
  let trail = [];          // the screens 返回 goes back through
  let current = "s-home";

  function fresh() {
    return {
      item: null, type: null, applicant: null, have: new Set(), days: [], day: null,
      slot: null, phone: "", key: null, ref: "", findPhone: "", found: null, booking: null,
      windowType: null, masked: false,
    };
  }

  // -- small helpers -------------------------------------------------------------------

  function polite(data) {
    const message = data && typeof data.message === "string" ? data.message : "";
    return message && !PROGRAMMER_TEXT.test(message) ? message : say("generic");
  }

  async function call(url, body) {
    try {
      const init = body === undefined ? {} : {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
      };
      const resp = await fetch(url, init);
      let data = null;
      try { data = await resp.json(); } catch (e) { data = null; }
      return { ok: resp.ok, status: resp.status, data: data || {} };
    } catch (e) {
      return { ok: false, status: 0, data: { message: document.body.dataset.offline } };
    }
  }

  function bigButton(label, sub, onClick, cls) {
    const b = el("button", undefined, cls);
    b.type = "button";
    b.append(el("span", label, "k-tile-label"));
    if (sub) b.appendChild(el("small", sub));
    b.addEventListener("click", onClick);
    return b;
  }

  function flash(message) {
    $("k-flash").textContent = message || "";
    $("k-flash").hidden = !message;
  }

  const dayFormat = new Intl.DateTimeFormat("zh-CN", { timeZone: ck.TZ, month: "long", day: "numeric", weekday: "long" });
  const longDayFormat = new Intl.DateTimeFormat("zh-CN", { timeZone: ck.TZ, year: "numeric", month: "long", day: "numeric", weekday: "long" });
  // A booking day "2026-12-02" as "12月2日星期三" (noon, so no zone shifts the date).
  const dayLabel = (iso, long) => (long ? longDayFormat : dayFormat).format(new Date(iso + "T12:00:00+08:00"));
  const grouped = (digits) => digits.replace(/^(\d{3})(\d{1,4})?(\d{1,4})?$/, (m, a, b, c) => [a, b, c].filter(Boolean).join(" "));
  const masked = (digits) => (digits.length > 7 ? digits.slice(0, 3) + "****" + digits.slice(7) : "*".repeat(digits.length));

  // -- screens and 返回 ----------------------------------------------------------------

  function show(id) {
    current = id;
    for (const s of SCREENS) $(s).hidden = s !== id;
    $("k-back").hidden = id === "s-home" || id === "s-error";
    $("k-main").scrollTop = 0;
    const heading = $(id).querySelector("h2");
    if (heading && $("k-idle").hidden) heading.focus({ preventScroll: true });
    footer();
  }

  function go(id) {
    flash("");
    if (current !== id) trail.push(current);
    show(id);
  }

  function back() {
    flash("");
    if (!$("k-chat").hidden) { closeChat(); return; }
    const previous = trail.pop();
    if (!previous || previous === "s-done") { toHome(); return; }
    show(previous);
  }

  function toHome() {
    closeChat();
    state = fresh();
    trail = [];
    clearPersonal();
    flash("");
    show(kiosk ? "s-home" : "s-error");
  }

  // -- header, footer, clock -----------------------------------------------------------

  function tick() {
    const now = new Date();
    const p = ck.parts(now);
    $("k-date").textContent = longDayFormat.format(now);
    $("k-time").textContent = p.hour + ":" + p.minute;
    $("k-time").dateTime = p.year + "-" + p.month + "-" + p.day + "T" + p.hour + ":" + p.minute + "+08:00";
  }

  function footer() {
    const hotline = site.hotline ? say("foot_hotline", { note: site.hotline_note || "", hotline: site.hotline }) : "";
    $("k-foot-filing").textContent = site.filing || "";
    $("k-foot-filing").hidden = !site.filing;
    if (!kiosk) { $("k-foot-phone").textContent = hotline.trim(); return; }
    const office = kiosk.office;
    // At home the office's own number; once a window is chosen, that window's.
    const type = current === "s-home" ? null : (state.item ? state.item.window : state.windowType);
    const win = type ? ck.windowOf(office, type) : null;
    $("k-foot-address").textContent = say("foot_address", { address: office.address });
    $("k-foot-hours").textContent = say("foot_hours", { hours: ck.hoursOn(office, new Date()) });
    const phone = win
      ? say("foot_phone", { label: say("window", { type: win.type }), phone: win.phone })
      : say("foot_phone", { label: say("foot_office"), phone: office.phone });
    $("k-foot-phone").textContent = phone + hotline;
  }

  // -- 关怀模式 -------------------------------------------------------------------------

  function setCare(on) {
    if (on) document.documentElement.dataset.care = "on";
    else delete document.documentElement.dataset.care;
    $("k-care").setAttribute("aria-pressed", String(on));
    try {
      if (on) sessionStorage.setItem(CARE_KEY, "on"); else sessionStorage.removeItem(CARE_KEY);
    } catch (e) { /* storage unavailable: the switch still works for this page */ }
  }
  $("k-care").addEventListener("click", () => setCare(document.documentElement.dataset.care !== "on"));
  try { if (sessionStorage.getItem(CARE_KEY) === "on") setCare(true); } catch (e) { /* none */ }

  // -- home, windows, items ------------------------------------------------------------

  function home() {
    const office = kiosk.office;
    $("k-office-name").textContent = office.name;
    // The city's own office is the bureau itself: its name is not said twice.
    $("k-bureau").textContent = site.bureau && site.bureau !== office.name ? site.bureau : (site.service || "");
    $("k-loading").hidden = true;
    const shortcuts = $("k-shortcuts");
    shortcuts.replaceChildren();
    for (const s of kiosk.shortcuts) shortcuts.appendChild(bigButton(s.label, null, () => openItem(s.code)));
    $("k-shortcuts-title").hidden = kiosk.shortcuts.length === 0;
    const windows = $("k-windows");
    windows.replaceChildren();
    for (const w of office.windows) {
      const count = kiosk.items.filter((i) => i.category === w.type && i.here && i.status === "active").length;
      windows.appendChild(bigButton(say("window", { type: w.type }), say("items_count", { n: count }) + " · " + w.location,
        () => listItems(w.type)));
    }
    $("k-windows-title").hidden = false;
    $("k-find-open").hidden = false;
    show("s-home");
  }

  function itemTile(i) {
    const sub = i.status !== "active" ? say("tag_stopped") : (i.here ? i.aliases.slice(0, 2).join(" · ") : say("tag_elsewhere"));
    return bigButton(i.name, sub, () => openItem(i.code));
  }

  function listItems(type) {
    state.windowType = type;
    $("k-items-title").textContent = say("window", { type: type });
    const here = kiosk.items.filter((i) => i.category === type && i.here);
    const elsewhere = kiosk.items.filter((i) => i.category === type && !i.here);
    $("k-items").replaceChildren(...here.map(itemTile));
    $("k-elsewhere").replaceChildren(...elsewhere.map(itemTile));
    $("k-elsewhere-title").hidden = elsewhere.length === 0;
    go("s-items");
  }

  // -- one item ------------------------------------------------------------------------

  async function openItem(code) {
    const r = await call("/api/kiosk/items/" + encodeURIComponent(code) + "?" + new URLSearchParams({ office: OFFICE }));
    if (!r.ok) { flash(polite(r.data)); return; }
    const item = r.data;
    const same = state.item && state.item.code === item.code;
    state.item = item;
    if (!same) {
      state.type = item.business_types[0].type;
      state.have = new Set();
      state.applicant = null;
      state.slot = null;
      state.day = null;
    }
    $("k-qr").hidden = true;
    $("k-qr-img").removeAttribute("src");
    renderItemHead();
    renderItem();
    go("s-item");
  }

  function renderItemHead() {
    const item = state.item;
    const k = item.kiosk;
    const stopped = k.refusal === "item_stopped" || item.status !== "active";
    $("k-item-name").textContent = item.name;
    $("k-refusal").hidden = k.bookable && !stopped;
    $("k-refusal-title").textContent = say("refusal_" + (k.refusal || "item_stopped"));
    $("k-refusal-text").textContent = k.message || "";
    $("k-status-note").textContent = stopped ? (item.status_note || "") : "";
    $("k-redirect").textContent = stopped ? (item.redirect || "") : "";
    $("k-status-note").hidden = !$("k-status-note").textContent;
    $("k-redirect").hidden = !$("k-redirect").textContent;
    // A stopped item offers nothing to prepare; one taken elsewhere keeps its list
    // (to take there) but no booking, and no window of this office.
    $("k-checklist").hidden = stopped;
    $("k-facts").hidden = stopped;
    $("k-f-window-row").hidden = !k.bookable || !k.window;
    $("k-f-phone-row").hidden = !k.bookable || !k.window;
    $("k-do-book").hidden = !k.bookable || stopped;
    $("k-f-window").textContent = k.window ? say("window_at", { type: k.window.type, location: k.window.location }) : "";
    $("k-f-phone").textContent = k.window ? k.window.phone : "";
    $("k-f-fee").textContent = ck.fee(item);
    $("k-complaint").hidden = !(k.complaint_hotline && site.complaint_hotline);
    $("k-complaint-number").textContent = site.complaint_hotline || "";
  }

  function renderItem() {
    const item = state.item;
    const bt = ck.businessType(item, state.type);
    $("k-f-days").textContent = ck.timeLimit(item, bt);
    const types = $("k-types");
    types.replaceChildren();
    types.hidden = item.business_types.length < 2;
    for (const b of item.business_types) {
      const button = el("button", b.type);
      button.type = "button";
      button.setAttribute("aria-pressed", String(b.type === state.type));
      button.addEventListener("click", () => { state.type = b.type; renderItem(); });
      types.appendChild(button);
    }
    // Whether the applicant is a firm changes what is needed: ask only where it does.
    const asks = bt.documents.some((d) => d.when && d.when.applicant);
    $("k-applicant").hidden = !asks;
    for (const b of $("k-applicant").querySelectorAll("button")) {
      b.setAttribute("aria-pressed", String(b.dataset.applicant === state.applicant));
    }
    const docs = $("k-docs");
    docs.replaceChildren();
    for (const d of bt.documents) {
      const has = state.have.has(d.name);
      const b = el("button");
      b.type = "button";
      b.setAttribute("aria-pressed", String(has));
      b.append(el("span", ck.docLine(d), "k-doc-name"),
        el("span", has ? say("tag_have") : (d.required ? say("tag_missing") : say("tag_maybe")), "k-tag"));
      b.addEventListener("click", () => {
        if (state.have.has(d.name)) state.have.delete(d.name); else state.have.add(d.name);
        renderItem();
      });
      docs.appendChild(b);
    }
    ck.render($("k-print"), item, state.type, state.have, { site: site, office: kiosk.office });
  }

  for (const b of $("k-applicant").querySelectorAll("button")) {
    b.addEventListener("click", () => {
      state.applicant = state.applicant === b.dataset.applicant ? null : b.dataset.applicant;
      renderItem();
    });
  }

  function checklistQuery(extra) {
    return new URLSearchParams(Object.assign({ item: state.item.code, type: state.type,
      have: Array.from(state.have).join(",") }, extra || {})).toString();
  }

  $("k-do-print").addEventListener("click", () => window.print());
  $("k-do-qr").addEventListener("click", () => {
    $("k-qr-img").src = "/api/checklist-qr?" + checklistQuery();
    $("k-qr").hidden = false;
  });

  // -- days and times ------------------------------------------------------------------

  async function loadDays() {
    const r = await call("/api/kiosk/days?" + new URLSearchParams({ office: OFFICE, item: state.item.code }));
    if (!r.ok) return { message: polite(r.data) };
    state.days = r.data.days;
    return { message: r.data.message };
  }

  $("k-do-book").addEventListener("click", async () => {
    const loaded = await loadDays();
    if (!loaded.message && !state.days.length) loaded.message = say("generic");
    renderDays(loaded.message);
    go("s-days");
  });

  function renderDays(message) {
    $("k-days-for").textContent = say("days_for", { item: state.item.name, window: state.item.window });
    const box = $("k-days");
    box.replaceChildren();
    for (const d of state.days) {
      const am = d.slots.filter((s) => s.period === "morning").length;
      const pm = d.slots.length - am;
      const b = bigButton(dayLabel(d.date), say("day_sub", { am: am, pm: pm }), () => chooseDay(d.date));
      b.setAttribute("aria-pressed", String(d.date === state.day));
      box.appendChild(b);
    }
    $("k-days-message").textContent = message || "";
    $("k-days-message").hidden = !message;
  }

  function chooseDay(date) {
    if (state.day !== date) state.slot = null;
    state.day = date;
    renderDays();
    renderTimes();
    go("s-times");
  }

  function renderTimes() {
    const day = state.days.find((d) => d.date === state.day);
    const slots = day ? day.slots : [];
    $("k-times-title").textContent = say("times_title", { day: dayLabel(state.day) });
    for (const [period, box, title] of [["morning", "k-am", "k-am-title"], ["afternoon", "k-pm", "k-pm-title"]]) {
      const mine = slots.filter((s) => s.period === period);
      $(box).replaceChildren(...mine.map((s) => {
        const b = bigButton(s.time + "–" + s.end, say("slot_sub", { n: s.free }), () => chooseSlot(s));
        b.setAttribute("aria-pressed", String(state.slot !== null && state.slot.time === s.time));
        return b;
      }));
      $(box).hidden = $(title).hidden = mine.length === 0;
    }
  }

  function chooseSlot(slot) {
    const changed = !state.slot || state.slot.time !== slot.time || !state.key;
    state.slot = slot;
    // One booking attempt per chosen slot: the key makes a double tap book once.
    if (changed) state.key = crypto.randomUUID().replace(/-/g, "");
    renderTimes();
    renderPhoneScreen();
    go("s-phone");
  }

  // -- phone, name, confirm ------------------------------------------------------------

  function renderPhoneScreen() {
    const win = ck.windowOf(kiosk.office, state.item.window);
    $("k-sum-item").textContent = state.item.name + "（" + state.type + "）";
    $("k-sum-time").textContent = say("when", { day: dayLabel(state.day), start: state.slot.time, end: state.slot.end });
    $("k-sum-window").textContent = win ? say("window_at", { type: win.type, location: win.location }) : state.item.window;
    $("k-phone-error").textContent = "";
    renderNumbers();
  }

  function renderNumbers() {
    const shown = (digits) => (digits ? (state.masked ? masked(digits) : grouped(digits)) : "—");
    $("k-phone").textContent = shown(state.phone);
    $("k-find-phone").textContent = shown(state.findPhone);
    $("k-ref").textContent = state.ref ? (state.masked ? "*".repeat(state.ref.length) : state.ref) : "—";
  }

  // A keypad that edits one of the state's fields, keys from `keys` plus 删除 and 清空.
  function keypad(box, field, keys, max, errorId) {
    const press = (key) => {
      if (key === "clear") state[field] = "";
      else if (key === "delete") state[field] = state[field].slice(0, -1);
      else if (state[field].length < max()) state[field] += key;
      $(errorId).textContent = "";
      renderNumbers();
    };
    const all = keys.map((k) => [k, k]);
    // On the digit pad 清空 and 删除 sit left and right of 0, as on a phone.
    if (keys.length === 10) all.splice(9, 0, ["clear", say("key_clear")]);
    else all.push(["clear", say("key_clear")]);
    all.push(["delete", say("key_delete")]);
    for (const [key, label] of all) {
      const b = el("button", label, key.length > 1 ? "k-key-word" : "");
      b.type = "button";
      b.addEventListener("click", () => press(key));
      box.appendChild(b);
    }
  }
  const DIGITS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0"];
  keypad($("k-pad"), "phone", DIGITS, () => 11, "k-phone-error");
  keypad($("k-pad-find"), "findPhone", DIGITS, () => 11, "k-find-error");

  $("k-confirm").addEventListener("click", async () => {
    const button = $("k-confirm");
    if (button.dataset.busy) return;
    button.dataset.busy = "1";
    const body = {
      item_code: state.item.code, office: OFFICE, slot: state.day + " " + state.slot.time,
      phone: state.phone, key: state.key, channel: "kiosk", business_type: state.type,
      have: Array.from(state.have),
    };
    const name = $("k-name").value.trim();
    if (name) body.name = name;
    if (state.applicant) body.applicant = state.applicant;
    const r = await call("/api/bookings", body);
    delete button.dataset.busy;
    if (!r.ok) {
      $("k-phone-error").textContent = polite(r.data);
      // The times shown may be out of date now: fetch them again for 返回.
      if (["booking_slot_full", "booking_too_soon", "booking_closed"].includes(r.data.error)) {
        await loadDays();
        renderDays();
        renderTimes();
      }
      return;
    }
    state.booking = r.data;
    // The number has done its work: it is not kept on the page.
    state.phone = "";
    $("k-name").value = "";
    renderNumbers();
    renderTicket(r.data);
    trail = [];
    show("s-done");
  });

  function renderTicket(b) {
    const office = kiosk.office;
    const win = ck.windowOf(office, b.window_type);
    $("t-bureau").textContent = site.bureau || "";
    $("t-office").textContent = office.name !== site.bureau ? office.name : "";
    $("t-office").hidden = office.name === site.bureau;
    $("t-ref").textContent = b.ref;
    $("t-when").textContent = say("when", { day: dayLabel(b.day, true), start: b.start, end: state.slot ? state.slot.end : "" });
    $("t-item").textContent = b.item_name + (state.type ? "（" + state.type + "）" : "");
    $("t-window").textContent = win ? say("window_at", { type: win.type, location: win.location }) : b.window_type;
    $("t-address").textContent = office.address;
    $("t-name").textContent = b.citizen_name || "";
    $("t-name-row").hidden = !b.citizen_name;
    $("t-phone").textContent = b.phone_masked;
    $("t-missing").replaceChildren(...b.missing_docs.map((d) => el("li", d)));
    $("t-missing-title").hidden = b.missing_docs.length === 0;
    $("t-missing").hidden = b.missing_docs.length === 0;
    $("t-missing-none").hidden = b.missing_docs.length > 0;
    $("t-window-phone").textContent = win ? win.phone : office.phone;
    $("t-qr").src = "/api/checklist-qr?" + checklistQuery({ office: office.code, ref: b.ref });
    $("t-printed").textContent = ck.stamp(new Date());
  }

  $("k-ticket-print").addEventListener("click", () => window.print());
  $("k-done-home").addEventListener("click", toHome);

  // -- finding and cancelling a booking -------------------------------------------------

  $("k-find-open").addEventListener("click", () => {
    $("k-ref-error").textContent = "";
    renderNumbers();
    go("s-find-ref");
  });

  $("k-ref-next").addEventListener("click", () => {
    if (state.ref.length !== kiosk.ref_length) { $("k-ref-error").textContent = say("ref_short"); return; }
    $("k-find-error").textContent = "";
    go("s-find-phone");
  });

  $("k-find-go").addEventListener("click", async () => {
    const r = await call("/api/kiosk/lookup", { ref: state.ref, phone: state.findPhone });
    if (!r.ok) { $("k-find-error").textContent = polite(r.data); return; }
    state.found = r.data;
    renderFound("");
    go("s-found");
  });

  function renderFound(message) {
    const b = state.found;
    $("f-ref").textContent = b.ref;
    $("f-status").textContent = say("status_" + b.status);
    $("f-when").textContent = say("when", { day: dayLabel(b.day, true), start: b.start, end: b.end });
    $("f-item").textContent = b.item_name;
    $("f-office").textContent = b.office_name + "（" + b.address + "）";
    $("f-window").textContent = say("window_at", { type: b.window_type, location: b.window_location });
    $("f-phone").textContent = b.phone_masked;
    $("f-message").textContent = message || "";
    $("f-message").hidden = !message;
    $("k-cancel-ask").hidden = b.status !== "booked";
  }

  $("k-cancel-ask").addEventListener("click", () => {
    $("k-cancel-confirm").hidden = false;
    $("k-cancel-no").focus();
  });
  $("k-cancel-no").addEventListener("click", () => { $("k-cancel-confirm").hidden = true; });
  $("k-cancel-yes").addEventListener("click", async () => {
    $("k-cancel-confirm").hidden = true;
    const r = await call("/api/kiosk/cancel", { ref: state.found.ref, phone: state.findPhone });
    if (!r.ok) { renderFound(polite(r.data)); return; }
    state.found = r.data;
    state.findPhone = "";
    renderNumbers();
    // 返回 from here goes home: the steps before led to a booking that is gone.
    trail = [];
    renderFound(say("cancelled"));
  });

  // -- navigation and the chat -----------------------------------------------------------

  $("k-back").addEventListener("click", back);
  $("k-home").addEventListener("click", toHome);
  // The chat takes the place of the screen it was opened from; 关闭 or 返回 brings it back.
  function openChat() {
    $("k-main").hidden = true;
    $("k-chat").hidden = false;
    $("k-back").hidden = false;
    $("input").focus();
  }
  function closeChat() {
    if ($("k-chat").hidden) return;
    $("k-chat").hidden = true;
    $("k-main").hidden = false;
    show(current);
  }
  $("k-chat-open").addEventListener("click", openChat);
  $("k-chat-close").addEventListener("click", closeChat);

  // -- idle: ask with a countdown, then wipe everything -----------------------------------

  let idleTimer = null;
  let countdown = null;

  function clearPersonal() {
    // Nothing a person typed or was shown about a booking survives the next visitor.
    $("k-name").value = "";
    for (const id of ["k-phone-error", "k-find-error", "k-ref-error"]) $(id).textContent = "";
    for (const id of ["t-bureau", "t-office", "t-ref", "t-when", "t-item", "t-window", "t-address",
      "t-name", "t-phone", "t-window-phone", "t-printed", "f-ref", "f-status", "f-when", "f-item",
      "f-office", "f-window", "f-phone", "f-message"]) $(id).textContent = "";
    $("t-missing").replaceChildren();
    $("k-print").replaceChildren();
    $("t-qr").removeAttribute("src");
    $("k-qr-img").removeAttribute("src");
    $("k-qr").hidden = true;
    $("k-cancel-confirm").hidden = true;
    renderNumbers();
  }

  function busy() {
    return !["s-home", "s-error"].includes(current) || !$("k-chat").hidden || document.documentElement.dataset.care === "on" ||
      $("log").children.length > 0 || $("input").value !== "";
  }

  function arm() {
    clearTimeout(idleTimer);
    clearInterval(countdown);
    countdown = null;
    $("k-idle").hidden = true;
    if (state.masked) { state.masked = false; renderNumbers(); }
    idleTimer = setTimeout(ask, IDLE_MS);
  }

  function ask() {
    // An untouched home screen has nothing to clear: no need to disturb anyone.
    if (!busy()) { arm(); return; }
    let left = GRACE_S;
    $("k-idle-count").textContent = String(left);
    // Numbers are hidden while the screen waits for an answer.
    state.masked = true;
    renderNumbers();
    $("k-idle").hidden = false;
    $("k-still-here").focus();
    countdown = setInterval(() => {
      left -= 1;
      $("k-idle-count").textContent = String(Math.max(left, 0));
      if (left <= 0) wipe();
    }, 1000);
  }

  async function wipe() {
    clearInterval(countdown);
    countdown = null;
    $("k-idle").hidden = true;
    setCare(false);
    toHome();
    if (window.chuangkouChat) await window.chuangkouChat.wipe();
    arm();
  }

  $("k-still-here").addEventListener("click", arm);
  for (const type of ["pointerdown", "keydown", "touchstart"]) {
    document.addEventListener(type, () => { if ($("k-idle").hidden) arm(); }, { passive: true });
  }

  // -- start -----------------------------------------------------------------------------

  tick();
  setInterval(tick, 1000);

  (async function startUp() {
    const [siteAnswer, startAnswer] = await Promise.all([
      call("/api/site"),
      call("/api/kiosk/start?" + new URLSearchParams({ office: OFFICE })),
    ]);
    if (siteAnswer.ok) {
      site = siteAnswer.data.site || {};
      $("k-privacy").textContent = siteAnswer.data.privacy_notice || "";
    }
    if (!startAnswer.ok) {
      // A kiosk set up with a wrong or missing office says so instead of showing nothing.
      $("k-bureau").textContent = site.bureau || "";
      $("k-error-text").textContent = polite(startAnswer.data);
      show("s-error");
      arm();
      return;
    }
    kiosk = startAnswer.data;
    const reflen = () => kiosk.ref_length;
    // References avoid look-alike characters: the pad shows only those they use.
    const alphabet = Array.from(kiosk.ref_alphabet);
    const refKeys = alphabet.filter((c) => /\d/.test(c)).concat(alphabet.filter((c) => !/\d/.test(c)));
    keypad($("k-refpad"), "ref", refKeys, reflen, "k-ref-error");
    footer();
    home();
    arm();
  })();
})();
