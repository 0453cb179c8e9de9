// Shared by the kiosk and the /checklist page: the page's own words (#ck-texts), an
// item's facts (time limit, fee, window, hours) and the printed checklist (#cl-template).
// Every value goes into the page with textContent, never as markup.
"use strict";

(function () {
  const TZ = "Asia/Shanghai";

  // A phrase of the page (kept in its HTML, not here), with {placeholders} filled.
  function text(key, values) {
    const node = document.querySelector('#ck-texts [data-k="' + key + '"]');
    let out = node ? node.textContent : "";
    for (const [name, value] of Object.entries(values || {})) {
      out = out.split("{" + name + "}").join(String(value));
    }
    return out;
  }

  function el(tag, content, cls) {
    const n = document.createElement(tag);
    if (content !== undefined && content !== null) n.textContent = content;
    if (cls) n.className = cls;
    return n;
  }

  function businessType(item, typeName) {
    return item.business_types.find((b) => b.type === typeName) || item.business_types[0];
  }

  function timeLimit(item, bt) {
    const limit = (bt && bt.time_limit) || item.time_limit || {};
    const days = limit.promised_days;
    if (days === null || days === undefined) return "";
    return days > 0 ? text("workdays", { n: days }) : text("no_wait");
  }

  function fee(item) {
    const f = item.fee || {};
    if (f.amount === 0) return text("fee_free");
    if (typeof f.amount === "number") return text("fee_amount", { n: f.amount });
    // "By a published standard": the catalog says which.
    return f.note || f.basis || "";
  }

  function parts(when) {
    const out = {};
    const fmt = new Intl.DateTimeFormat("en-US", { timeZone: TZ, year: "numeric", month: "2-digit",
      day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    for (const p of fmt.formatToParts(when)) out[p.type] = p.value;
    return out;
  }

  // The office's hours in the season of `when` (summer hours inside their season).
  function hoursOn(office, when) {
    if (!office || !office.hours) return "";
    const p = parts(when || new Date());
    const key = p.month + "-" + p.day;
    const s = office.summer_hours;
    const h = s && s.season_from && s.season_to && s.season_from <= key && key <= s.season_to ? s : office.hours;
    return text("hours", { am: h.morning.join("–"), pm: h.afternoon.join("–") });
  }

  function windowOf(office, type) {
    return (office && (office.windows || []).find((w) => w.type === type)) || null;
  }

  function docLine(d) {
    return d.name + text("copies", { form: d.form, n: d.copies }) +
      (d.required ? "" : "：" + (d.condition || ""));
  }

  // "2026年12月1日星期二 15:39" in the bureaus' time zone.
  function stamp(when) {
    const day = new Intl.DateTimeFormat("zh-CN", { timeZone: TZ, year: "numeric", month: "long",
      day: "numeric", weekday: "long" }).format(when);
    const p = parts(when);
    return day + " " + p.hour + ":" + p.minute;
  }

  // Fills `container` with the checklist of an item's business type. `context` adds the
  // office (window, address, hours, phone), who runs the site, and a booking reference.
  function render(container, item, typeName, have, context) {
    const ctx = context || {};
    const bt = businessType(item, typeName);
    const template = document.getElementById("cl-template");
    container.replaceChildren();
    if (!template) return bt;
    container.appendChild(template.content.cloneNode(true));
    const office = ctx.office || null;
    const win = windowOf(office, item.window);
    const values = {
      bureau: (ctx.site && ctx.site.bureau) || "",
      // The city's own office is the bureau itself: its name is not printed twice.
      office: office && !(ctx.site && ctx.site.bureau === office.name) ? office.name : "",
      ref: ctx.ref ? text("ticket_ref", { ref: ctx.ref }) : "",
      title: item.name + (bt && bt.type ? "（" + bt.type + "）" : ""),
      window: win ? text("window_at", { type: win.type, location: win.location }) : text("window", { type: item.window }),
      address: office ? office.address : "",
      hours: hoursOn(office, new Date()),
      phone: win ? win.phone : (office ? office.phone : ""),
      days: timeLimit(item, bt),
      fee: fee(item),
      date: text("printed", { date: stamp(new Date()) }),
    };
    for (const node of container.querySelectorAll("[data-f]")) {
      const key = node.dataset.f;
      if (key !== "docs") node.textContent = values[key] || "";
      if (key !== "docs" && !values[key]) node.hidden = true;
    }
    for (const row of container.querySelectorAll("[data-row]")) row.hidden = !values[row.dataset.row];
    const list = container.querySelector('[data-f="docs"]');
    for (const d of (bt ? bt.documents : [])) {
      const held = have.has(d.name);
      const li = el("li", undefined, held ? "cl-have" : "cl-missing");
      li.append(el("span", held ? "✓ " : "□ ", "cl-mark"), el("span", docLine(d) + (d.note ? "，" + d.note : "")));
      list.appendChild(li);
    }
    return bt;
  }

  window.ck = { TZ, text, el, businessType, timeLimit, fee, hoursOn, windowOf, docLine, stamp, parts, render };
  window.renderChecklist = render;
})();
