// Embed the 窗口助手 chat on another site:
//   <script src="https://<gateway>/static/embed.js" defer></script>
// It adds a round button; tapping it opens the chat in a panel (an iframe of the gateway).
"use strict";
(function () {
  const origin = new URL(document.currentScript.src).origin;
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = "窗口助手";
  button.setAttribute("aria-expanded", "false");
  button.style.cssText = "position:fixed;right:16px;bottom:16px;z-index:2147483000;border:0;" +
    "border-radius:24px;padding:12px 18px;background:#067a43;color:#fff;font-size:16px;" +
    "box-shadow:0 2px 8px rgba(0,0,0,.3);cursor:pointer";
  const frame = document.createElement("iframe");
  frame.title = "窗口助手";
  frame.src = origin + "/";
  frame.hidden = true;
  frame.style.cssText = "position:fixed;right:16px;bottom:72px;width:min(380px,calc(100vw - 32px));" +
    "height:min(600px,calc(100vh - 96px));border:1px solid #ccc;border-radius:8px;" +
    "z-index:2147483000;background:#ededed";
  button.addEventListener("click", () => {
    frame.hidden = !frame.hidden;
    button.setAttribute("aria-expanded", String(!frame.hidden));
  });
  document.body.append(frame, button);
})();
