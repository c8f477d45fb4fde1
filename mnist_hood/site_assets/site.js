// The page's own behaviour: the menu that folds the sidebar on a phone, and a copy button on each block of code.
(function () {
  var button = document.querySelector('.menu-button'), nav = document.getElementById('sidebar');
  if (button && nav) {
    function set(open) {
      var bar = document.querySelector('.topbar');
      if (open && bar) document.documentElement.style.setProperty('--bar', Math.round(bar.getBoundingClientRect().bottom) + 'px');
      document.body.classList.toggle('nav-open', open); button.setAttribute('aria-expanded', open ? 'true' : 'false');
    }
    button.addEventListener('click', function () { set(!document.body.classList.contains('nav-open')); });
    document.addEventListener('keydown', function (ev) {
      if (ev.key === 'Escape' && document.body.classList.contains('nav-open')) { set(false); button.focus(); }
    });
    nav.addEventListener('click', function (ev) { if (ev.target.closest('a')) set(false); });
  }
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    return new Promise(function (ok, fail) {   // a page opened from a file: the older way
      var t = document.createElement('textarea'); t.value = text; t.setAttribute('readonly', ''); t.style.position = 'fixed'; t.style.opacity = '0';
      document.body.appendChild(t); t.select();
      var done = false; try { done = document.execCommand('copy'); } catch (e) { done = false; }
      document.body.removeChild(t); done ? ok() : fail(new Error('copy refused'));
    });
  }
  document.querySelectorAll('article .highlight, article .markdown pre').forEach(function (block) {
    var pre = block.tagName === 'PRE' ? block : block.querySelector('pre');
    if (!pre || block.querySelector('.copy')) return;
    var b = document.createElement('button');
    b.type = 'button'; b.className = 'copy'; b.textContent = 'Copy'; b.setAttribute('aria-label', 'Copy this code');
    b.addEventListener('click', function () {
      copyText(pre.innerText.replace(/\n$/, '')).then(function () { b.textContent = 'Copied'; b.classList.add('copied'); },
                                                      function () { b.textContent = 'Select and copy'; })
        .then(function () { setTimeout(function () { b.textContent = 'Copy'; b.classList.remove('copied'); }, 2000); });
    });
    var box = document.createElement('div'); box.className = 'copy-box';
    block.parentNode.insertBefore(box, block); box.appendChild(block); box.appendChild(b);
  });
})();
