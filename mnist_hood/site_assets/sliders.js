/* Live sliders with no kernel: lesson 4's two slider experiments, redone in the page.

Each `<div class="mh-live" data-experiment="descent|quadratic">` holds a `<script type="application/json">` spec written
by `mnist_hood.sgd.Sliders.page_html` (the data, the starting values, the sliders' ranges and steps) and the still
picture of the notebook's run. This script replaces the picture by range inputs (with a box to type an exact value)
and an SVG drawing, and computes the same numbers as the Python callbacks, `show_descent` and `show_quadratic`. PyTorch
computes them in float32, so the arithmetic here rounds to float32 (Math.fround) after every operation as PyTorch does.
The numbers are shown as text and kept in full in `data-value` attributes. Our own code: no library, nothing fetched. */
(function () {
  'use strict';
  var SVGNS = 'http://www.w3.org/2000/svg';
  var f32 = Math.fround;
  var W = 400, H = 260, M = {l: 46, r: 10, t: 26, b: 34};   // the drawing's box and margins, in SVG units

  // ---- the numbers, as the Python callbacks compute them

  function descend(x0, lr, steps) {
    // mnist_hood.sgd.descend on x**2: x <- x - lr * 2x, each operation in float32 (lr too, as PyTorch casts it)
    var l = f32(lr), x = f32(x0), xs = [x];
    for (var i = 0; i < steps; i++) { x = f32(x - f32(l * f32(2 * x))); xs.push(x); }
    return xs;
  }

  function quadratic(t, a, b, c) {
    // mnist_hood.sgd.quadratic: a*(t**2) + (b*t) + c, in float32
    return f32(f32(f32(a * f32(t * t)) + f32(b * t)) + c);
  }

  function mse(time, speed, a, b, c) {
    // mnist_hood.sgd.mse of the quadratic with float32 parameters: the float32 squares, summed, divided by their number
    a = f32(a); b = f32(b); c = f32(c);
    var sum = 0;
    for (var i = 0; i < time.length; i++) {
      var d = f32(quadratic(time[i], a, b, c) - speed[i]);
      sum += f32(d * d);
    }
    return f32(f32(sum) / time.length);
  }

  // ---- numbers as Python formats them (its rounding of an exact tie is to even; JavaScript's is away from zero)

  function tieToEven(full, keep) {
    // `full`: the digits of a number, far beyond the `keep` ones shown; whether rounding at `keep` is a tie that
    // Python rounds down (to the even digit) where JavaScript rounds up
    return full[keep] === '5' && /^0*$/.test(full.slice(keep + 1)) && Number(full[keep - 1]) % 2 === 0;
  }

  function fmtG(v, p) {
    // Python's format(v, '.<p>g'), for titles that read as the notebook's
    if (!isFinite(v)) return isNaN(v) ? 'nan' : (v > 0 ? 'inf' : '-inf');
    if (v === 0) return Object.is(v, -0) ? '-0' : '0';
    var sign = v < 0 ? '-' : '', a = Math.abs(v);
    var e1 = a.toExponential(p - 1).split('e'), digits = e1[0].replace('.', ''), exp = Number(e1[1]);
    var full = a.toExponential(Math.min(100, p + 24)).split('e');
    if (tieToEven(full[0].replace('.', ''), p)) { digits = full[0].replace('.', '').slice(0, p); exp = Number(full[1]); }
    var strip = function (int, frac) { frac = frac.replace(/0+$/, ''); return sign + int + (frac ? '.' + frac : ''); };
    if (exp < -4 || exp >= p) {
      return strip(digits[0], digits.slice(1)) + 'e' + (exp < 0 ? '-' : '+') + (Math.abs(exp) < 10 ? '0' : '') + Math.abs(exp);
    }
    if (exp >= 0) return strip(digits.slice(0, exp + 1), digits.slice(exp + 1));
    return strip('0', '0'.repeat(-exp - 1) + digits);
  }

  function fmtF(v, d) {
    // Python's format(v, '.<d>f'), for numbers below 1e21
    var s = v.toFixed(d), full = Math.abs(v).toFixed(Math.min(100, d + 25)), point = full.indexOf('.');
    var digits = full.replace('.', ''), keep = point + d;
    if (tieToEven(digits, keep)) s = (v < 0 ? '-' : '') + full.slice(0, d ? point + 1 + d : point);
    return Object.is(v, -0) ? '-' + s : s;
  }

  // ---- drawing

  function el(name, attrs, parent) {
    var e = document.createElementNS(SVGNS, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }

  function scale(lo, hi, a, b) {
    if (!(hi > lo)) { lo -= 1; hi += 1; }
    return function (v) { return a + (v - lo) / (hi - lo) * (b - a); };
  }

  function num(v) { return (Math.round(v * 100) / 100).toString(); }

  function frame(svg, title, xr, yr, xlabel, ylabel) {
    // clear the drawing, then axes with their ends labelled and a title; returns the two scales
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var sx = scale(xr[0], xr[1], M.l, W - M.r), sy = scale(yr[0], yr[1], H - M.b, M.t);
    el('rect', {x: M.l, y: M.t, width: W - M.l - M.r, height: H - M.t - M.b, fill: 'none', stroke: '#999'}, svg);
    var text = function (x, y, s, anchor, cls) {
      var t = el('text', {x: x, y: y, 'text-anchor': anchor || 'middle', 'font-size': 12, fill: '#333'}, svg);
      if (cls) t.setAttribute('class', cls);
      t.textContent = s;
      return t;
    };
    text(W / 2, 16, title, 'middle', 'mh-title').setAttribute('font-size', 14);
    text(M.l, H - M.b + 14, fmtG(xr[0], 3)); text(W - M.r, H - M.b + 14, fmtG(xr[1], 3), 'end');
    text(M.l - 4, H - M.b, fmtG(yr[0], 3), 'end'); text(M.l - 4, M.t + 9, fmtG(yr[1], 3), 'end');
    text((M.l + W - M.r) / 2, H - 4, xlabel);
    var yl = text(12, (M.t + H - M.b) / 2, ylabel);
    yl.setAttribute('transform', 'rotate(-90 12 ' + (M.t + H - M.b) / 2 + ')');
    return {x: sx, y: sy};
  }

  function line(svg, pts, attrs) {
    var d = pts.map(function (p, i) { return (i ? 'L' : 'M') + num(p[0]) + ' ' + num(p[1]); }).join(' ');
    return el('path', Object.assign({d: d, fill: 'none'}, attrs), svg);
  }

  function dots(svg, pts, r, fill, cls) {
    pts.forEach(function (p) { el('circle', {cx: num(p[0]), cy: num(p[1]), r: r, fill: fill, 'class': cls}, svg); });
  }

  function legend(svg, items) {
    // a key at the top middle of the plot, where both parabolas leave room: [colour, label] for each kind of dot
    items.forEach(function (it, i) {
      var y = M.t + 14 + 15 * i, x = (M.l + W - M.r) / 2 + 60;
      el('circle', {cx: x, cy: y - 4, r: 4, fill: it[0]}, svg);
      var t = el('text', {x: x - 8, y: y, 'text-anchor': 'end', 'font-size': 12, fill: '#333'}, svg);
      t.textContent = it[1];
    });
  }

  // ---- the two experiments: each computes from the sliders' values, draws, and returns the numbers to show

  var EXPERIMENTS = {
    descent: function (spec, v, svg) {
      var xs = descend(spec.x0, v.lr, v.steps);
      var big = Math.max.apply(null, xs.map(Math.abs)), lim = Math.max(2, big * 1.1);   // as show_descent
      var s = frame(svg, 'lr = ' + fmtG(v.lr, 3) + ', ' + v.steps + ' steps', [-lim, lim], [0, lim * lim],
                    'x (the weight)', 'loss');
      var curve = [];
      for (var i = 0; i < 100; i++) { var x = -lim + 2 * lim * i / 99; curve.push([s.x(x), s.y(x * x)]); }
      line(svg, curve, {stroke: 'grey', 'stroke-width': 1.5, 'class': 'mh-curve'});
      var path = xs.map(function (x) { return [s.x(x), s.y(f32(x * x))]; });
      line(svg, path, {stroke: '#d62728', 'stroke-width': 1, 'class': 'mh-path'});
      dots(svg, path, 3, '#d62728', 'mh-point');
      dots(svg, path.slice(0, 1), 4.5, 'black', 'mh-start');
      legend(svg, [['black', 'start'], ['#d62728', 'after each step']]);
      var last = xs[xs.length - 1];
      return [{name: 'xs', value: xs, text: 'x after ' + v.steps + (v.steps === 1 ? ' step: ' : ' steps: ') + fmtG(last, 4)},
              {name: 'loss', value: f32(last * last), text: 'loss: ' + fmtG(f32(last * last), 4)}];
    },
    quadratic: function (spec, v, svg) {
      var t = spec.time, y = spec.speed, a = f32(v.a), b = f32(v.b), c = f32(v.c);
      var loss = mse(t, y, v.a, v.b, v.c), preds = t.map(function (ti) { return quadratic(ti, a, b, c); });
      var t0 = Math.min.apply(null, t), t1 = Math.max.apply(null, t), curve = [];
      for (var i = 0; i < 100; i++) { var ti = t0 + (t1 - t0) * i / 99; curve.push([ti, a * ti * ti + b * ti + c]); }
      var all = y.concat(preds, curve.map(function (p) { return p[1]; }));
      var lo = Math.min.apply(null, all), hi = Math.max.apply(null, all), pad = (hi - lo) * 0.05 || 1;
      var s = frame(svg, 'a = ' + fmtG(v.a, 3) + ', b = ' + fmtG(v.b, 3) + ', c = ' + fmtG(v.c, 3) + ': MSE ' + fmtF(loss, 1),
                    [t0 - 0.5, t1 + 0.5], [lo - pad, hi + pad], 'time (s)', 'speed');
      line(svg, curve.map(function (p) { return [s.x(p[0]), s.y(p[1])]; }),
           {stroke: '#d62728', 'stroke-opacity': 0.4, 'stroke-width': 1.5, 'class': 'mh-curve'});
      dots(svg, t.map(function (ti, i) { return [s.x(ti), s.y(y[i])]; }), 3.5, '#1f77b4', 'mh-measured');
      dots(svg, t.map(function (ti, i) { return [s.x(ti), s.y(preds[i])]; }), 3.5, '#d62728', 'mh-predicted');
      legend(svg, [['#1f77b4', 'measured'], ['#d62728', 'predicted']]);
      return [{name: 'mse', value: loss, text: 'MSE: ' + fmtF(loss, 1)}];
    }
  };

  // ---- the sliders

  var CSS = '.mh-live{max-width:100%;margin:.5em 0}div.mh-live svg.mh-plot{display:block;width:100%;max-width:560px;height:auto}' +
    '.mh-live .mh-slider{display:flex;flex-wrap:wrap;align-items:center;gap:.25em .6em;margin:.2em 0;max-width:560px}' +
    '.mh-live .mh-slider label{min-width:3.5em;font-family:monospace}' +
    '.mh-live .mh-slider input[type=range]{flex:1 1 10em;min-width:0}' +
    '.mh-live .mh-slider input[type=number]{width:7em;max-width:100%}' +
    '.mh-live .mh-readout{font-family:monospace;margin:.3em 0;overflow-wrap:anywhere}' +
    '.mh-live .mh-readout output{margin-right:1.5em}';

  var count = 0;

  function addSlider(box, sl, id, onchange) {
    // a labelled range input, and a number box showing the value, where an exact value can be typed
    var row = document.createElement('div'), label = document.createElement('label');
    var range = document.createElement('input'), box2 = document.createElement('input');
    row.className = 'mh-slider'; row.dataset.name = sl.name;
    label.htmlFor = id; label.textContent = sl.label;
    range.type = 'range'; range.id = id; range.min = sl.min; range.max = sl.max; range.step = sl.step;
    box2.type = 'number'; box2.step = 'any'; box2.setAttribute('aria-label', sl.label + ' (exact value)');
    var log = sl.kind === 'log', lo = log ? Math.pow(sl.base, sl.min) : sl.min, hi = log ? Math.pow(sl.base, sl.max) : sl.max;
    box2.min = lo; box2.max = hi;
    row.append(label, range, box2);
    box.appendChild(row);
    var set = function (value, from) {
      // the slider's value, as the notebook's widget holds it: a log slider's is base**position
      value = Math.min(hi, Math.max(lo, value));
      if (sl.kind === 'int') value = Math.round(value);
      row.dataset.value = String(value);
      if (from !== range) range.value = log ? Math.log(value) / Math.log(sl.base) : value;
      if (from !== box2) box2.value = sl.kind === 'int' ? String(value) : fmtG(value, 4);
      range.setAttribute('aria-valuetext', sl.label + ' = ' + fmtG(value, 4));
      return value;
    };
    range.addEventListener('input', function () {
      var p = Number(range.value);
      onchange(sl.name, set(log ? Math.pow(sl.base, p) : p, range));
    });
    box2.addEventListener('change', function () {
      var v = Number(box2.value);
      if (box2.value.trim() === '' || !isFinite(v)) { set(Number(row.dataset.value)); return; }
      onchange(sl.name, set(v, box2));
    });
    return set(sl.value);
  }

  function build(div) {
    if (div.dataset.ready) return;
    var tag = div.querySelector('script[type="application/json"]');
    var spec = JSON.parse(tag.textContent), run = EXPERIMENTS[div.dataset.experiment || spec.experiment];
    if (!run) return;   // an experiment this script does not know: the picture stays
    var k = ++count, values = {};
    var controls = document.createElement('div'), svg = el('svg', {viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'class': 'mh-plot'});
    var readout = document.createElement('div');
    controls.className = 'mh-controls'; readout.className = 'mh-readout'; readout.setAttribute('aria-live', 'polite');
    var redraw = function () {
      var shown = run(spec, values, svg);
      svg.setAttribute('aria-label', svg.querySelector('.mh-title').textContent);
      readout.textContent = '';
      shown.forEach(function (n) {
        var o = document.createElement('output');
        o.className = 'mh-value'; o.dataset.name = n.name; o.dataset.value = JSON.stringify(n.value);
        o.textContent = n.text;
        readout.appendChild(o);
      });
      div.dataset.draws = String(Number(div.dataset.draws || 0) + 1);
    };
    spec.sliders.forEach(function (sl) {
      values[sl.name] = addSlider(controls, sl, 'mh-live-' + k + '-' + sl.name, function (name, v) { values[name] = v; redraw(); });
    });
    var img = div.querySelector('img');
    if (img) img.hidden = true;   // the notebook's picture of the start, for pages where this script does not run
    div.append(controls, svg, readout);
    redraw();
    div.dataset.ready = '1';
  }

  function start() {
    var lives = document.querySelectorAll('.mh-live');
    if (!lives.length) return;
    if (!document.getElementById('mh-live-style')) {
      var st = document.createElement('style');
      st.id = 'mh-live-style'; st.textContent = CSS;
      document.head.appendChild(st);
    }
    lives.forEach(function (div) {
      try { build(div); } catch (e) { div.dataset.error = String(e); throw e; }
    });
  }

  window.mhLive = {descend: descend, mse: mse, fmtG: fmtG, fmtF: fmtF, build: build};   // for tests and the curious

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
