/* A stacked horizontal bar chart (households per card by township) drawn as SVG.
   Data: <script type="application/json" id="chart-data">{labels, series:[{name, colour, values}]}</script> */
(function () {
  "use strict";
  var host = document.getElementById("chart");
  var src = document.getElementById("chart-data");
  if (!host || !src) { return; }
  var data = JSON.parse(src.textContent);
  var NS = "http://www.w3.org/2000/svg";
  var labelW = 130, barH = 22, gap = 8, top = 34, right = 60, width = 900;
  var rows = data.labels.length;
  var height = top + rows * (barH + gap) + 10;
  var totals = data.labels.map(function (_, i) {
    return data.series.reduce(function (s, ser) { return s + ser.values[i]; }, 0);
  });
  var max = Math.max.apply(null, totals.concat([1]));
  var scale = (width - labelW - right) / max;
  var svg = el("svg", { viewBox: "0 0 " + width + " " + height, width: "100%", role: "img" });

  var x = labelW;
  data.series.forEach(function (ser) {  // legend
    svg.appendChild(el("rect", { x: x, y: 6, width: 14, height: 14, fill: ser.colour, stroke: "#555" }));
    svg.appendChild(text(x + 18, 18, ser.name, "start"));
    x += 30 + 14 * ser.name.length;
  });
  data.labels.forEach(function (label, i) {
    var y = top + i * (barH + gap);
    svg.appendChild(text(labelW - 6, y + barH * 0.7, label, "end"));
    var at = labelW;
    data.series.forEach(function (ser) {
      var w = ser.values[i] * scale;
      if (w <= 0) { return; }
      var r = el("rect", { x: at, y: y, width: w, height: barH, fill: ser.colour, stroke: "#fff" });
      var tip = el("title", {});
      tip.textContent = label + " " + ser.name + "：" + ser.values[i] + " 户";
      r.appendChild(tip);
      svg.appendChild(r);
      at += w;
    });
    svg.appendChild(text(at + 6, y + barH * 0.7, totals[i] + " 户", "start"));
  });
  host.appendChild(svg);

  function el(name, attrs) {
    var node = document.createElementNS(NS, name);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }
  function text(x, y, s, anchor) {
    var t = el("text", { x: x, y: y, "text-anchor": anchor, "font-size": 13 });
    t.textContent = s;
    return t;
  }
})();
