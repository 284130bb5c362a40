/* Huodong embed script: puts an activity in a partner's web page.
 *
 *   <div id="huodong"></div>
 *   <script src="https://RUNTIME/embed.js" data-target="#huodong"
 *           data-src="https://RUNTIME/a/ACTIVITY_ID?ticket=TICKET"></script>
 *
 * It creates the iframe, tells the activity this page's origin (`embed=`),
 * and listens for the activity's messages — only from the frame it made and
 * only from the runtime's exact origin; the activity in turn posts only to
 * this page's exact origin (never "*"). Each message is re-dispatched on the
 * target element as a DOM event `huodong:<type>` whose `detail` is the
 * message:
 *   ready   {activity}                          the activity is on screen
 *   resize  {activity, height}                  the frame is resized to it
 *   result  {activity, won, prize?, prize_kind?, draw_id?, score?, streak?, code?}
 *   share   {activity, url}                     share it the host's way
 *   close   {activity}                          the player closed it; the
 *           frame is removed unless data-close="keep"
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var target = document.querySelector(script.getAttribute("data-target") || "#huodong");
  var src = script.getAttribute("data-src");
  if (!target || !src) return;
  var url = new URL(src, location.href);
  var runtime = url.origin;
  url.searchParams.set("embed", location.origin);
  var frame = document.createElement("iframe");
  frame.src = url.toString();
  frame.title = script.getAttribute("data-title") || "活动";
  frame.style.cssText = "width:100%;border:0;display:block;height:" +
    (parseInt(script.getAttribute("data-min-height"), 10) || 640) + "px";
  frame.setAttribute("allow", "clipboard-write");
  frame.setAttribute("data-huodong", "");
  target.appendChild(frame);
  window.addEventListener("message", function (event) {
    if (event.origin !== runtime || event.source !== frame.contentWindow) return;
    var m = event.data;
    if (!m || m.source !== "huodong" || typeof m.type !== "string") return;
    if (m.type === "resize" && typeof m.height === "number" && m.height > 0) {
      frame.style.height = Math.ceil(Math.min(m.height, 20000)) + "px";
    }
    target.dispatchEvent(new CustomEvent("huodong:" + m.type, { detail: m }));
    if (m.type === "close" && script.getAttribute("data-close") !== "keep") {
      frame.remove();
    }
  });
})();
