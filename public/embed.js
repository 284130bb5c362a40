/* Huodong embed script: creates the activity iframe in a partner's page.
 * The full postMessage protocol (ready, resize, result, share, close) is
 * documented in the README; this first version creates and sizes the frame. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var target = document.querySelector(script.getAttribute("data-target") || "#huodong");
  var src = script.getAttribute("data-src");
  if (!target || !src) return;
  var frame = document.createElement("iframe");
  frame.src = src;
  frame.title = script.getAttribute("data-title") || "活动";
  frame.style.cssText = "width:100%;border:0;min-height:640px;display:block";
  frame.setAttribute("allow", "clipboard-write");
  target.appendChild(frame);
})();
