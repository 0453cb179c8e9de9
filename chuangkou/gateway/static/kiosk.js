// The hall kiosk: browse windows → items → documents → book, all by touch. Nothing is
// kept in browser storage; after a long idle everything is wiped, the conversation too.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.search);
  const OFFICE = params.get("office") || "HG";
  const IDLE_MS = Number(params.get("idle") || 90) * 1000;    // ask "还在吗？" after this
  const GRACE_MS = Number(params.get("grace") || 20) * 1000;  // then wipe after this
  const WINDOWS = ["行政审批", "行政服务", "法定检验", "咨询投诉"];
  const SCREENS = ["s-home", "s-items", "s-item", "s-days", "s-times", "s-phone", "s-done"];
  let items = [];
  let state = fresh();

  function fresh() { return { item: null, type: null, have: new Set(), slot: null, phone: "", key: null }; }

  function el(tag, text, cls) {
    const n = document.createElement(tag);
    if (text !== undefined) n.textContent = text;
    if (cls) n.className = cls;
    return n;
  }

  function bigButton(label, sub, onClick) {
    const b = el("button");
    b.type = "button";
    b.append(document.createTextNode(label));
    if (sub) b.appendChild(el("small", sub));
    b.addEventListener("click", onClick);
    return b;
  }

  function show(id) { for (const s of SCREENS) $(s).hidden = s !== id; window.scrollTo(0, 0); }

  async function getJSON(url) { const r = await fetch(url); return { ok: r.ok, data: await r.json() }; }

  function home() {
    const box = $("k-windows");
    box.replaceChildren();
    for (const w of WINDOWS) {
      const count = items.filter((i) => i.category === w && i.status === "active").length;
      box.appendChild(bigButton(w, count + " 个事项", () => listItems(w)));
    }
    show("s-home");
  }

  function listItems(windowName) {
    $("k-items-title").textContent = windowName;
    const box = $("k-items");
    box.replaceChildren();
    for (const i of items.filter((x) => x.category === windowName)) {
      box.appendChild(bigButton(i.name, i.aliases.slice(0, 3).join(" · "), () => openItem(i.code)));
    }
    show("s-items");
  }

  async function openItem(code) {
    const r = await getJSON("/api/catalog/items/" + encodeURIComponent(code));
    if (!r.ok) return;
    state.item = r.data;
    state.type = r.data.business_types[0].type;
    state.have = new Set();
    $("k-qr").hidden = true;
    const stopped = r.data.status === "stopped";
    $("k-stopped").hidden = !stopped;
    $("k-stopped").textContent = stopped ? r.data.status_note + " " + r.data.redirect : "";
    $("k-do-book").hidden = stopped;
    renderItem();
    show("s-item");
  }

  function renderItem() {
    const item = state.item;
    const types = $("k-types");
    types.replaceChildren(el("strong", item.name));
    if (item.business_types.length > 1) {
      for (const bt of item.business_types) {
        const b = el("button", bt.type);
        b.type = "button";
        b.setAttribute("aria-pressed", String(bt.type === state.type));
        b.addEventListener("click", () => { state.type = bt.type; renderItem(); });
        types.appendChild(b);
      }
    }
    const bt = item.business_types.find((b) => b.type === state.type);
    const docs = $("k-docs");
    docs.replaceChildren();
    for (const d of bt.documents) {
      const has = state.have.has(d.name);
      const b = el("button");
      b.type = "button";
      b.setAttribute("aria-pressed", String(has));
      b.append(el("span", d.name + "（" + d.form + d.copies + "份）" + (d.required ? "" : "：" + (d.condition || ""))),
        el("span", has ? "已有" : (d.required ? "还缺" : "视情况"), "k-tag"));
      b.addEventListener("click", () => {
        if (state.have.has(d.name)) state.have.delete(d.name); else state.have.add(d.name);
        renderItem();
      });
      docs.appendChild(b);
    }
    window.renderChecklist($("k-print"), item, state.type, state.have);
  }

  function checklistQuery() {
    return new URLSearchParams({ item: state.item.code, type: state.type,
      have: Array.from(state.have).join(",") }).toString();
  }

  $("k-do-print").addEventListener("click", () => window.print());
  $("k-do-qr").addEventListener("click", () => {
    $("k-qr-img").src = "/api/checklist-qr?" + checklistQuery();
    $("k-qr").hidden = false;
  });

  $("k-do-book").addEventListener("click", async () => {
    const box = $("k-days");
    box.replaceChildren();
    const today = new Date();
    for (let i = 0; i < 14 && box.children.length < 8; i++) {
      const d = new Date(today.getTime() + i * 86400000);
      const day = d.toLocaleDateString("sv-SE", { timeZone: "Asia/Shanghai" });
      const r = await getJSON("/api/slots?" + new URLSearchParams({ office: OFFICE,
        window: state.item.window, date: day }));
      const free = r.ok ? r.data.slots.filter((s) => s.free) : [];
      if (free.length) {
        const label = d.toLocaleDateString("zh-CN", { timeZone: "Asia/Shanghai", month: "long", day: "numeric", weekday: "short" });
        box.appendChild(bigButton(label, free.length + " 个时段可约", () => chooseTime(day, label, free)));
      }
    }
    show("s-days");
  });

  function chooseTime(day, label, free) {
    $("k-times-title").textContent = label + " · 选择时间";
    const box = $("k-times");
    box.replaceChildren();
    for (const s of free) {
      box.appendChild(bigButton(s.time, "剩余 " + s.free + " 个名额", () => {
        state.slot = day + " " + s.time;
        state.phone = "";
        state.key = crypto.randomUUID().replace(/-/g, "");
        renderPhone();
        show("s-phone");
      }));
    }
    show("s-times");
  }

  function renderPhone() { $("k-phone").textContent = state.phone || "—"; }

  (function buildPad() {
    const pad = $("k-pad");
    for (const key of ["1", "2", "3", "4", "5", "6", "7", "8", "9", "清空", "0", "⌫"]) {
      const b = el("button", key);
      b.type = "button";
      b.setAttribute("aria-label", key === "⌫" ? "删除一位" : key);
      b.addEventListener("click", () => {
        if (key === "清空") state.phone = "";
        else if (key === "⌫") state.phone = state.phone.slice(0, -1);
        else if (state.phone.length < 11) state.phone += key;
        $("k-phone-error").textContent = "";
        renderPhone();
      });
      pad.appendChild(b);
    }
  })();

  $("k-confirm").addEventListener("click", async () => {
    const resp = await fetch("/api/bookings", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ item_code: state.item.code, office: OFFICE, slot: state.slot,
        name: document.body.dataset.anonymousName, phone: state.phone, key: state.key, channel: "kiosk" }) });
    const data = await resp.json();
    if (!resp.ok) { $("k-phone-error").textContent = data.message || ""; return; }
    $("k-done").textContent = "预约号：" + data.ref + "\n" + data.day + " " + data.start + "\n" +
      data.item_name + " · " + data.window_type + "窗口\n手机：" + data.phone_masked;
    show("s-done");
  });

  $("k-done-home").addEventListener("click", () => { state = fresh(); home(); });
  $("k-home").addEventListener("click", () => { state = fresh(); home(); });
  $("k-chat-open").addEventListener("click", () => { $("k-chat").hidden = false; });
  $("k-chat-close").addEventListener("click", () => { $("k-chat").hidden = true; });

  // Idle: ask, then wipe the page state and the bot's conversation.
  let idleTimer = null;
  let wipeTimer = null;
  function arm() {
    clearTimeout(idleTimer);
    clearTimeout(wipeTimer);
    $("k-idle").hidden = true;
    idleTimer = setTimeout(() => {
      $("k-idle").hidden = false;
      wipeTimer = setTimeout(wipe, GRACE_MS);
    }, IDLE_MS);
  }
  async function wipe() {
    state = fresh();
    $("k-chat").hidden = true;
    $("k-qr").hidden = true;
    $("k-phone-error").textContent = "";
    if (window.chuangkouChat) await window.chuangkouChat.wipe();
    home();
    arm();
  }
  $("k-still-here").addEventListener("click", arm);
  for (const type of ["pointerdown", "keydown", "touchstart"]) {
    document.addEventListener(type, () => { if ($("k-idle").hidden) arm(); }, { passive: true });
  }

  getJSON("/api/site").then((r) => { if (r.ok) $("k-privacy").textContent = r.data.privacy_notice; });
  getJSON("/api/catalog/items").then((r) => { items = r.ok ? r.data.items : []; home(); arm(); });
})();
