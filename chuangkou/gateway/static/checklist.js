// Renders an item's document checklist (kiosk and /checklist page share it). Text only.
"use strict";

window.renderChecklist = function (container, item, typeName, have) {
  const el = (tag, text, cls) => {
    const n = document.createElement(tag);
    if (text !== undefined) n.textContent = text;
    if (cls) n.className = cls;
    return n;
  };
  const bt = item.business_types.find((b) => b.type === typeName) || item.business_types[0];
  container.replaceChildren();
  container.append(el("h2", item.name + (bt.type ? "（" + bt.type + "）" : ""), "cl-title"));
  container.append(el("p", "办理窗口：" + item.window + "　承诺时限：" + item.time_limit.promised_days + " 个工作日", "cl-meta"));
  const list = el("ol", undefined, "cl-list");
  for (const d of bt.documents) {
    const li = el("li", undefined, have.has(d.name) ? "cl-have" : "cl-missing");
    li.append(el("span", have.has(d.name) ? "✓ " : "□ ", "cl-mark"),
      el("span", d.name + "（" + d.form + d.copies + "份）" + (d.required ? "" : "：" + (d.condition || "")) + (d.note ? "，" + d.note : "")));
    list.appendChild(li);
  }
  container.appendChild(list);
  return bt;
};
