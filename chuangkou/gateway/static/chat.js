// The chat widget. Every text from the person or the bot is put into the page with
// textContent (never innerHTML), so a message can never become markup or script.
"use strict";

(function () {
  const STORE = "chuangkou.chat.v1";          // sessionStorage: survives reload, not the tab
  const CARE = "ck-care";                       // sessionStorage: 关怀模式 on or off
  const SEP_GAP_MS = 5 * 60 * 1000;             // time separator after 5 minutes of silence
  const NEAR_LIMIT = 0.9;                       // show the count from 90 % of the limit on
  const URL_RE = /(https?:\/\/[^\s，。、）)]+)/g;
  const body = document.body;
  const log = document.getElementById("log");
  const form = document.getElementById("composer");
  const input = document.getElementById("input");
  const typing = document.getElementById("typing");
  const typingText = document.getElementById("typing-text");
  const careButton = document.getElementById("care");
  const count = document.getElementById("count");
  const note = document.getElementById("composer-note");
  const footer = document.getElementById("site-footer");
  // Pages without the template (the kiosk) show no 好差评.
  const feedbackTemplate = document.getElementById("feedback-template");
  const channel = body.dataset.channel || "widget";
  // The kiosk keeps nothing in browser storage: its conversation lives in memory only.
  const memoryOnly = body.dataset.storage === "memory";
  // The server's limit (max_message_chars of /api/site) replaces this once it is known.
  let maxChars = 5000;

  // 关怀模式 first: the page is drawn at the size the person chose.
  function setCare(on, remember) {
    const root = document.documentElement;
    if (on) root.dataset.care = "on";
    else delete root.dataset.care;
    careButton.setAttribute("aria-pressed", String(on));
    if (remember && !memoryOnly) {
      try {
        if (on) sessionStorage.setItem(CARE, "on");
        else sessionStorage.removeItem(CARE);
      } catch (e) { /* storage unavailable: the switch still works on this page */ }
    }
  }
  if (careButton) {
    let saved = null;
    try { saved = memoryOnly ? null : sessionStorage.getItem(CARE); } catch (e) { /* none */ }
    setCare(saved === "on", false);
    careButton.addEventListener("click", () => {
      setCare(careButton.getAttribute("aria-pressed") !== "true", true);
      log.scrollTop = log.scrollHeight;
    });
  }

  let state = load();
  // Numbers are hidden with the server's own patterns (GET /api/site) the moment a
  // message is sent; the server's masked echo ("you") then replaces the bubble and is
  // what is kept. Until the patterns arrive, a typed message waits for the echo.
  let numbers = null;
  const bubbles = new Map();
  fetch("/api/site").then((r) => r.json()).then((site) => {
    const patterns = (site.mask_patterns || []).map((p) => "(?:" + p + ")");
    if (patterns.length) numbers = new RegExp(patterns.join("|"), "g");
    if (Number.isInteger(site.max_message_chars) && site.max_message_chars > 0) {
      maxChars = site.max_message_chars;
      updateCount();
    }
    showSite(site.site || {});
  }).catch(() => { /* stays null: bubbles wait for the server's echo */ });

  function fill(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, (m, key) =>
      key in values ? String(values[key]) : m);
  }

  function showSite(info) {
    // Header: the page's own text stays as the fallback when a value is unset.
    const bureau = document.getElementById("site-bureau");
    const service = document.getElementById("site-service");
    if (info.bureau && bureau) bureau.textContent = info.bureau;
    if (info.service && service) service.textContent = info.service;
    if (info.bureau && service) document.title = service.textContent + " · " + info.bureau;
    if (!footer) return;
    for (const el of footer.querySelectorAll("[data-site]")) {
      const value = String(info[el.dataset.site] || "");
      el.textContent = value;
      // Phone numbers can be called with one tap: digits (and +) only in the address.
      if (el.tagName === "A") el.href = "tel:" + value.replace(/[^0-9+]/g, "");
    }
    for (const line of footer.querySelectorAll("[data-site-line]")) {
      line.hidden = !info[line.dataset.siteLine];
    }
    footer.hidden = !info.host;
  }

  function hideNumbers(text) {
    return numbers ? text.replace(numbers, (m) => "*".repeat(m.length)) : null;
  }

  function fresh() {
    return { sessionId: null, items: [], lastAt: 0, turn: 0 };
  }

  function load() {
    if (memoryOnly) return fresh();
    try {
      const saved = JSON.parse(sessionStorage.getItem(STORE) || "null");
      if (saved && Array.isArray(saved.items)) {
        // A conversation kept before answers were counted cannot be rated: its count
        // would not match the server's.
        if (!Number.isInteger(saved.turn)) saved.turn = saved.items.length ? null : 0;
        return saved;
      }
    } catch (e) { /* a broken entry starts a fresh conversation */ }
    return fresh();
  }

  function save() {
    if (memoryOnly) return;
    try { sessionStorage.setItem(STORE, JSON.stringify(state)); } catch (e) { /* full */ }
  }

  function timeLabel(ms) {
    const d = new Date(ms);
    return String(d.getHours()).padStart(2, "0") + ":" + String(d.getMinutes()).padStart(2, "0");
  }

  function appendText(parent, text) {
    // Links are made from the text itself, as elements; nothing is parsed as HTML.
    let last = 0;
    for (const match of text.matchAll(URL_RE)) {
      parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      const a = document.createElement("a");
      a.href = match[0];
      a.textContent = match[0];
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      parent.appendChild(a);
      last = match.index + match[0].length;
    }
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  async function postFeedback(turn, helpful, comment) {
    const request = { session_id: state.sessionId, turn: turn, helpful: helpful, channel: channel };
    if (comment) request.comment = comment;
    try {
      const resp = await fetch("/api/feedback", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(request),
      });
      const data = await resp.json().catch(() => ({}));
      return { ok: resp.ok, message: data.message || "" };
    } catch (e) {
      return { ok: false, message: "" };
    }
  }

  // 好差评 under an answer: 有用 stores at once; 没用 stores at once too, then offers an
  // optional comment (sent as a second vote on the same answer, which replaces the first).
  function renderFeedback(item) {
    const row = feedbackTemplate.content.firstElementChild.cloneNode(true);
    const yes = row.querySelector(".feedback-yes");
    const no = row.querySelector(".feedback-no");
    const why = row.querySelector(".feedback-why");
    const done = row.querySelector(".feedback-done");
    row.dataset.turn = String(item.rate);
    function pressed(vote) {
      yes.setAttribute("aria-pressed", String(vote === true));
      no.setAttribute("aria-pressed", String(vote === false));
    }
    async function vote(helpful, comment) {
      const answer = await postFeedback(item.rate, helpful, comment);
      done.textContent = answer.message || (answer.ok ? "" : body.dataset.feedbackFailed || "");
      if (!answer.ok) return false;
      item.vote = helpful;
      save();
      pressed(helpful);
      return true;
    }
    pressed(item.vote);
    yes.addEventListener("click", () => { why.hidden = true; vote(true); });
    no.addEventListener("click", async () => { if (await vote(false)) why.hidden = false; });
    why.addEventListener("submit", async (event) => {
      event.preventDefault();
      const comment = why.elements.comment.value.trim();
      if (!comment) return;
      if (await vote(false, comment)) { why.hidden = true; why.elements.comment.value = ""; }
    });
    log.appendChild(row);
  }

  function render(item, restoring) {
    if (item.at - state.renderedAt > SEP_GAP_MS || !state.renderedAt) {
      const sep = document.createElement("div");
      sep.className = "time-sep";
      const span = document.createElement("span");
      span.textContent = timeLabel(item.at);
      sep.appendChild(span);
      log.appendChild(sep);
    }
    state.renderedAt = item.at;
    if (item.text) {
      const row = document.createElement("div");
      row.className = "row " + item.who;
      const img = document.createElement("img");
      img.className = "avatar";
      img.src = item.who === "bot" ? "/static/avatar-bot.svg" : "/static/avatar-user.svg";
      img.alt = item.who === "bot" ? "助手" : "我";
      const bubble = document.createElement("div");
      bubble.className = "bubble";
      appendText(bubble, item.text);
      row.append(img, bubble);
      log.appendChild(row);
      bubbles.set(item, bubble);
    }
    if (item.buttons && item.buttons.length && !restoring) {
      const quick = document.createElement("div");
      quick.className = "quick";
      quick.setAttribute("role", "group");
      quick.setAttribute("aria-label", "快捷回复");
      for (const b of item.buttons) {
        const btn = document.createElement("button");
        btn.type = "button";
        btn.textContent = b.title;
        btn.addEventListener("click", (event) => {
          // The group goes away with the focused button; focus stays in the conversation:
          // the input after a key press, the log after a tap (no keyboard popping up).
          if (event.detail === 0) input.focus();
          else log.focus({ preventScroll: true });
          quick.remove();
          send(b.payload, b.title);
        });
        quick.appendChild(btn);
      }
      log.appendChild(quick);
    }
    if (item.rate && feedbackTemplate) renderFeedback(item);
    log.scrollTop = log.scrollHeight;
  }

  function add(item) {
    state.items.push(item);
    save();
    render(item, false);
    return item;
  }

  function replaceText(item, text) {
    item.text = text;
    save();
    const bubble = bubbles.get(item);
    if (bubble) { bubble.replaceChildren(); appendText(bubble, text); }
  }

  function setTyping(on) {
    const dots = typing.querySelector(".typing-dots");
    if (dots) {
      // The status region stays; its text is what screen readers announce.
      dots.hidden = !on;
      if (typingText) typingText.textContent = on ? typing.dataset.label || "" : "";
    } else {
      typing.hidden = !on;
      typing.setAttribute("aria-hidden", String(!on));
    }
  }

  async function send(message, shown) {
    // A button shows its title; the greeting at start shows nothing on the person's side.
    const typed = shown === undefined;
    const greeting = shown === "";
    const display = typed ? hideNumbers(message) : shown;
    let mine = display === null ? null : add({ who: "user", text: display, at: Date.now() });
    setTyping(true);
    try {
      const resp = await fetch("/api/chat", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ message: message, session_id: state.sessionId, channel: channel }),
      });
      const data = await resp.json();
      if (data.session_id) { state.sessionId = data.session_id; }
      if (typed && typeof data.you === "string") {
        if (mine) replaceText(mine, data.you);
        else mine = add({ who: "user", text: data.you, at: Date.now() });
      }
      const messages = data.messages || [{ text: data.message || "", buttons: [] }];
      // Answered turns are numbered as the server counts them (the greeting is 1): only
      // an answer the engine gave counts, not a refusal or "try again later".
      let rate = null;
      if (resp.ok && data.available !== false && messages.length && state.turn !== null) {
        state.turn += 1;
        if (!greeting) rate = state.turn;
      }
      messages.forEach((m, i) => {
        const item = { who: "bot", text: m.text, buttons: m.buttons, at: Date.now() };
        if (rate && i === messages.length - 1) item.rate = rate;
        add(item);
      });
    } catch (e) {
      // Never shown unmasked: without the patterns the text goes back into the box.
      if (typed && !mine) input.value = message;
      add({ who: "bot", text: body.dataset.offline || "…", buttons: [], at: Date.now() });
    } finally {
      setTyping(false);
    }
  }

  function length(text) {
    return [...text].length;  // characters as the server counts them (code points)
  }

  function updateCount() {
    if (!count) return;
    const n = length(input.value);
    count.hidden = n < Math.floor(maxChars * NEAR_LIMIT);
    count.textContent = fill(body.dataset.count || "{n}/{max}", { n: n, max: maxChars });
    count.classList.toggle("over", n > maxChars);
    if (note && n <= maxChars) note.textContent = "";
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    const n = length(text);
    if (n > maxChars) {
      // Not cut and not sent: the person decides what to leave out.
      if (note) note.textContent = fill(body.dataset.tooLong, { n: n, max: maxChars });
      input.focus();
      return;
    }
    if (note) note.textContent = "";
    input.value = "";
    updateCount();
    send(text);
  });

  input.addEventListener("input", updateCount);

  input.addEventListener("keydown", (event) => {
    // While a Chinese IME is composing, Enter confirms the candidate: it must not send.
    if (event.key === "Enter" && (event.isComposing || event.keyCode === 229)) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);

  window.chuangkouChat = {
    send: send,
    // Forget the conversation here and in the engine (the kiosk's idle wipe).
    wipe: async function () {
      const old = state.sessionId;
      if (!memoryOnly) sessionStorage.removeItem(STORE);
      state = fresh();
      state.renderedAt = 0;
      log.replaceChildren();
      input.value = "";
      updateCount();
      if (old) {
        await fetch("/api/chat", { method: "POST", headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ message: "/restart", session_id: old, channel: channel }) })
          .catch(() => null);
      }
    },
  };

  state.renderedAt = 0;
  if (state.items.length) {
    state.items.forEach((item, i) => render(item, i < state.items.length - 1));
  } else if (!body.dataset.noGreet) {
    send("/greet", "");
  }
})();
