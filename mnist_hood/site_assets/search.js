// Client-side search over window.SITE_INDEX (static/search-index.js, loaded the first time the search box is used):
// no server, nothing from another host.
(function () {
  var input = document.getElementById('search'), list = document.getElementById('search-results');
  if (!input || !list) return;
  var state = 'none', waiting = [];   // the index: none, loading, ready, failed
  function load(then) {
    if (state === 'ready') return then();
    if (then) waiting.push(then);
    if (state !== 'none') return;
    state = 'loading';
    var s = document.createElement('script');
    s.src = 'static/search-index.js';
    s.onload = function () { state = 'ready'; waiting.splice(0).forEach(function (f) { f(); }); };
    s.onerror = function () { state = 'failed'; message('The search index could not be loaded.'); };
    document.head.appendChild(s);
  }
  function count(text, w) { var n = 0, i = text.indexOf(w); while (i >= 0 && n < 20) { n++; i = text.indexOf(w, i + w.length); } return n; }
  function search(q) {
    var terms = q.toLowerCase().split(/\s+/).filter(Boolean), found = [];
    if (!terms.length) return found;
    (window.SITE_INDEX || []).forEach(function (e) {
      var s = e.s.toLowerCase(), t = e.t.toLowerCase(), x = e.x.toLowerCase(), score = 0;
      for (var k = 0; k < terms.length; k++) {
        var w = terms[k], inS = s.indexOf(w) >= 0, inT = t.indexOf(w) >= 0, n = count(x, w);
        if (!inS && !inT && !n) return;
        // a heading or title that names it, how often it is mentioned, and where it is defined
        score += (inS ? 20 : 0) + (inT ? 10 : 0) + n + (x.indexOf('def ' + w + '(') >= 0 || x.indexOf('class ' + w) >= 0 ? 30 : 0);
      }
      if (e.g !== 'API reference') score += 5;  // the lesson that teaches it before the page that lists it
      found.push([score, e]);
    });
    found.sort(function (a, b) { return b[0] - a[0]; });
    return found.slice(0, 12).map(function (r) { return r[1]; });
  }
  function href(e) { return e.p + (e.a ? '#' + encodeURIComponent(e.a) : ''); }
  function snippet(e, q) {
    var w = q.toLowerCase().split(/\s+/).filter(Boolean)[0] || '', i = Math.max(0, e.x.toLowerCase().indexOf(w));
    var s = e.x.slice(Math.max(0, i - 50), i + 90);
    return (i > 50 ? '…' : '') + s + (i + 90 < e.x.length ? '…' : '');
  }
  function message(text) {
    var li = document.createElement('li');
    li.className = 'none'; li.textContent = text;
    list.textContent = ''; list.appendChild(li); list.hidden = false;
  }
  function show() {
    var q = input.value;
    if (!q.trim()) { list.textContent = ''; list.hidden = true; return; }
    if (state !== 'ready') { message('Loading the index…'); return load(show); }
    var res = search(q);
    if (!res.length) return message('No results for “' + q.trim() + '”.');
    list.textContent = '';
    res.forEach(function (e) {
      var li = document.createElement('li'), a = document.createElement('a'), where = document.createElement('span'), snip = document.createElement('span');
      a.href = href(e);
      where.className = 'where'; where.textContent = e.t + (e.s && e.s !== e.t ? ' › ' + e.s : '');
      snip.className = 'snippet'; snip.textContent = snippet(e, q);
      a.appendChild(where); a.appendChild(snip); li.appendChild(a); list.appendChild(li);
    });
    list.hidden = false;
  }
  input.addEventListener('focus', function () { load(); });
  input.addEventListener('input', show);
  input.addEventListener('keydown', function (ev) {
    if (ev.key === 'Enter') load(function () { var r = search(input.value); if (r.length) window.location.href = href(r[0]); });
    if (ev.key === 'Escape') { list.hidden = true; }
  });
  document.addEventListener('click', function (ev) { if (!list.contains(ev.target) && ev.target !== input) list.hidden = true; });
})();
