// The chat widget. Every text from the person or the bot is put into the page with
// textContent (never innerHTML), so a message can never become markup or script.
"use strict";

(function () {
  const STORE = "chuangkou.chat.v1";          // sessionStorage: survives reload, not the tab
  const SEP_GAP_MS = 5 * 60 * 1000;             // time separator after 5 minutes of silence
  const URL_RE = /(https?:\/\/[^\s，。、）)]+)/g;
  const log = document.getElementById("log");
  const form = document.getElementById("composer");
  const input = document.getElementById("input");
  const typing = document.getElementById("typing");
  const channel = document.body.dataset.channel || "widget";
  // The kiosk keeps nothing in browser storage: its conversation lives in memory only.
  const memoryOnly = document.body.dataset.storage === "memory";

  let state = load();
  // Numbers are hidden with the server's own patterns (GET /api/site) the moment a
  // message is sent; the server's masked echo ("you") then replaces the bubble and is
  // what is kept. Until the patterns arrive, a typed message waits for the echo.
  let numbers = null;
  const bubbles = new Map();
  fetch("/api/site").then((r) => r.json()).then((site) => {
    const patterns = (site.mask_patterns || []).map((p) => "(?:" + p + ")");
    if (patterns.length) numbers = new RegExp(patterns.join("|"), "g");
  }).catch(() => { /* stays null: bubbles wait for the server's echo */ });

  function hideNumbers(text) {
    return numbers ? text.replace(numbers, (m) => "*".repeat(m.length)) : null;
  }

  function load() {
    if (memoryOnly) return { sessionId: null, items: [], lastAt: 0 };
    try {
      const saved = JSON.parse(sessionStorage.getItem(STORE) || "null");
      if (saved && Array.isArray(saved.items)) return saved;
    } catch (e) { /* a broken entry starts a fresh conversation */ }
    return { sessionId: null, items: [], lastAt: 0 };
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
        btn.addEventListener("click", () => { quick.remove(); send(b.payload, b.title); });
        quick.appendChild(btn);
      }
      log.appendChild(quick);
    }
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

  async function send(message, shown) {
    // A button shows its title; the greeting at start shows nothing on the person's side.
    const typed = shown === undefined;
    const display = typed ? hideNumbers(message) : shown;
    let mine = display === null ? null : add({ who: "user", text: display, at: Date.now() });
    typing.hidden = false;
    typing.setAttribute("aria-hidden", "false");
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
      for (const m of messages) add({ who: "bot", text: m.text, buttons: m.buttons, at: Date.now() });
    } catch (e) {
      // Never shown unmasked: without the patterns the text goes back into the box.
      if (typed && !mine) input.value = message;
      add({ who: "bot", text: document.body.dataset.offline || "…", buttons: [], at: Date.now() });
    } finally {
      typing.hidden = true;
      typing.setAttribute("aria-hidden", "true");
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    send(text);
  });

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
      state = { sessionId: null, items: [], lastAt: 0, renderedAt: 0 };
      log.replaceChildren();
      input.value = "";
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
  } else if (!document.body.dataset.noGreet) {
    send("/greet", "");
  }
})();
