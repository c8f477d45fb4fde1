"""The course site: `python -m mnist_hood.site` (the `mnist-hood site` command) and the pages it writes, read in a real browser.

The browser tests drive Debian's headless Chromium through Playwright. Without Chromium or Playwright they skip, saying
why; with MNIST_HOOD_REQUIRE_BROWSER=1 (CI sets it) that skip is a failure. MNIST_HOOD_SITE=DIR checks an already built
site instead of building one (that is how a planted defect is shown to fail a check)."""
import contextlib, errno, html, io, os, re, signal, stat, subprocess, sys, urllib.request
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from mnist_hood import outputs, site as site_module
from mnist_hood.site import MARKER, list_notebooks

ROOT = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------- the command's bad input (no browser needed)

def site_cmd(*args, cwd=ROOT):
    return subprocess.run([sys.executable, '-m', 'mnist_hood.site', *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=300, env={**os.environ, 'PYTHONPATH': str(ROOT)})


def leftovers(folder):
    "Temporary folders a build may have left beside its --out."
    return sorted(p.name for p in Path(folder).iterdir() if any(m in p.name for m in ('.tmp-', '.old-', '-tmp-')))


def one_error_line(r, culprit):
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith('mnist-hood site: error: ') and culprit in lines[0], r.stderr


def small_project(tmp_path, cells=None):
    "A folder with nbs/ (one index notebook) and the real mnist_hood/ library, for builds that must fail fast or stay small."
    import nbformat
    from nbformat.v4 import new_markdown_cell, new_notebook
    nbs = tmp_path/'nbs'
    nbs.mkdir()
    nb = new_notebook(cells=cells or [new_markdown_cell('# A course\n\nHello.')])
    nb.metadata['kernelspec'] = {'name': 'python3', 'display_name': 'Python 3', 'language': 'python'}
    nbformat.write(nb, str(nbs/'index.ipynb'))
    return nbs


def test_unparsable_notebook_is_one_line_and_writes_nothing(tmp_path):
    nbs = small_project(tmp_path)
    (nbs/'03_broken.ipynb').write_text('{"cells": [ not json')
    r = site_cmd('--out', tmp_path/'out', '--nbs', nbs, '--lib', ROOT/'mnist_hood')
    one_error_line(r, '03_broken.ipynb')
    assert not (tmp_path/'out').exists() and not leftovers(tmp_path)


def test_out_holding_other_files_is_refused_and_left_alone(tmp_path):
    nbs = small_project(tmp_path)
    out = tmp_path/'out'
    out.mkdir()
    (out/'thesis.tex').write_text('mine')
    r = site_cmd('--out', out, '--nbs', nbs, '--lib', ROOT/'mnist_hood')
    one_error_line(r, str(out))
    assert [p.name for p in out.iterdir()] == ['thesis.tex'] and not leftovers(tmp_path)


def test_out_in_missing_folder_and_missing_nbs(tmp_path):
    nbs = small_project(tmp_path)
    one_error_line(site_cmd('--out', tmp_path/'no'/'out', '--nbs', nbs, '--lib', ROOT/'mnist_hood'), str(tmp_path/'no'))
    one_error_line(site_cmd('--out', tmp_path/'out', '--nbs', tmp_path/'nope', '--lib', ROOT/'mnist_hood'), 'nope')
    assert not (tmp_path/'out').exists() and not leftovers(tmp_path)


def test_output_loading_from_a_cdn_is_refused(tmp_path):
    from nbformat.v4 import new_code_cell, new_output
    cell = new_code_cell('plot()', outputs=[new_output('display_data', data={
        'text/html': '<script src="https://cdn.example.org/plotly.min.js"></script><div>plot</div>', 'text/plain': 'plot'})])
    nbs = small_project(tmp_path, [cell])
    r = site_cmd('--out', tmp_path/'out', '--nbs', nbs, '--lib', ROOT/'mnist_hood')
    one_error_line(r, 'cdn.example.org')
    assert not (tmp_path/'out').exists() and not leftovers(tmp_path)


def test_directives_hidden_cells_details_and_paths(tmp_path):
    "nbdev's `#|` lines never show, `#| hide` cells are left out, `<details>` stay closed, machine paths are scrubbed."
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_output
    cells = [new_markdown_cell('# Small course\n\nThe sigmoid is $\\sigma(x) = 1/(1+e^{-x})$; `$HOME` is not math.'),
             new_code_cell('#| export\ndef f(x): return x + 1'),
             new_code_cell('#| hide\nsecret_setup = 42', outputs=[new_output('execute_result', data={'text/plain': '42'}, execution_count=1)]),
             new_code_cell('#|echo: false\nshown_output()', outputs=[new_output('stream', name='stdout',
                                                                                  text='data in /work/shared/data/mnist -> /root/.cache/x\n')]),
             new_markdown_cell('<details><summary>Answer</summary>\n\nIt is **7**.\n\n</details>')]
    nbs = small_project(tmp_path, cells)
    r = site_cmd('--out', tmp_path/'out', '--nbs', nbs, '--lib', ROOT/'mnist_hood')
    assert r.returncode == 0, r.stderr
    page = (tmp_path/'out'/'index.html').read_text()
    assert '#|' not in page and 'export' not in page.split('<article')[1].split('</article>')[0]
    assert 'secret_setup' not in page and 'shown_output' not in page
    assert 'data in …/mnist -&gt; ~/.cache/x' in page and '/root/' not in page and '/work/' not in page
    assert '<details><summary>Answer</summary>' in page and '<details open' not in page
    assert '<span class="tex-math">\\(\\sigma(x)' in page and '<code>$HOME</code>' in page
    assert (tmp_path/'out'/MARKER).is_file()
    # a second build replaces the first (the folder holds our marker), leaving nothing beside it
    (tmp_path/'out'/'stale.html').write_text('old')
    assert site_cmd('--out', tmp_path/'out', '--nbs', nbs, '--lib', ROOT/'mnist_hood').returncode == 0
    assert not (tmp_path/'out'/'stale.html').exists() and not leftovers(tmp_path)


def test_machine_path_in_a_lesson_text_is_refused(tmp_path):
    from nbformat.v4 import new_markdown_cell
    nbs = small_project(tmp_path, [new_markdown_cell('# Course\n\nOur data lives in /root/data/mnist.')])
    one_error_line(site_cmd('--out', tmp_path/'out', '--nbs', nbs, '--lib', ROOT/'mnist_hood'), 'index.ipynb')
    assert not (tmp_path/'out').exists()


# ---------------------------------------------------------------- --out as safe as `mnist-hood run --out` (issue: reliability, round 3)

def site_main(*args):
    "Run `python -m mnist_hood.site ARGS` in this process: `(exit status, stderr)`."
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()): status = site_module.main([str(a) for a in args])
    return status, err.getvalue()


def one_line_status(status, err, culprit):
    lines = err.strip().splitlines()
    assert status == 2 and len(lines) == 1 and lines[0].startswith('mnist-hood site: error: ') and culprit in lines[0], (status, err[:3000])


def build(nbs, out, text=None):
    "Build the small project into `out` (its index page saying `text`); the exit status and stderr."
    if text:
        import nbformat
        from nbformat.v4 import new_markdown_cell, new_notebook
        nbformat.write(new_notebook(cells=[new_markdown_cell(f'# A course\n\n{text}')]), str(nbs/'index.ipynb'))
    return site_main('--out', out, '--nbs', nbs, '--lib', ROOT/'mnist_hood')


def hidden(folder):
    "Hidden entries in `folder` other than a site's own."
    return sorted(n for n in os.listdir(folder) if n.startswith('.') and n not in (MARKER, '.nojekyll'))


def test_dangling_symlink_refused_before_the_build(tmp_path, monkeypatch):
    nbs = small_project(tmp_path)
    (tmp_path/'out').symlink_to(tmp_path/'gone')
    monkeypatch.setattr(site_module, 'render_site', lambda *a, **k: pytest.fail('the site was built before --out was refused'))
    status, err = build(nbs, tmp_path/'out')
    one_line_status(status, err, str(tmp_path/'out'))
    assert 'does not exist' in err and 'Errno' not in err
    assert (tmp_path/'out').is_symlink() and sorted(os.listdir(tmp_path)) == ['nbs', 'out']


def test_symlink_to_an_empty_folder_is_filled_in_place(tmp_path):
    nbs = small_project(tmp_path)
    (tmp_path/'target').mkdir()
    (tmp_path/'link').symlink_to(tmp_path/'target')
    for text in ('first', 'second'):   # a new site, then one replacing it, both through the symlink
        status, err = build(nbs, tmp_path/'link', text)
        assert status == 0, err
        assert (tmp_path/'link').is_symlink() and text in (tmp_path/'target'/'index.html').read_text()
        assert sorted(os.listdir(tmp_path)) == ['link', 'nbs', 'target'] and hidden(tmp_path/'target') == []


@pytest.mark.parametrize('umask', [0o022, 0o027], ids=['umask022', 'umask027'])
def test_site_folder_modes_follow_the_umask(tmp_path, umask):
    "A web server running as another user can read the site: the folder has the mode `mkdir` gives, not mkdtemp's 0700."
    nbs = small_project(tmp_path)
    old = os.umask(umask)
    try: status, err = build(nbs, tmp_path/'out')
    finally: os.umask(old)
    assert status == 0, err
    assert stat.S_IMODE((tmp_path/'out').stat().st_mode) == 0o777 & ~umask
    assert stat.S_IMODE((tmp_path/'out'/'index.html').stat().st_mode) == 0o666 & ~umask


@contextlib.contextmanager
def tmpfs(folder, size):
    "A tmpfs of `size` mounted at `folder` (as root); the test is skipped where it can't be mounted."
    folder.mkdir()
    if os.geteuid() != 0: pytest.skip('mounting a tmpfs needs root')
    r = subprocess.run(['mount', '-t', 'tmpfs', '-o', f'size={size}', 'tmpfs', str(folder)], capture_output=True, text=True)
    if r.returncode: pytest.skip(f'could not mount a tmpfs here: {r.stderr.strip()}')
    try: yield folder
    finally: subprocess.run(['umount', '-l', str(folder)], check=False)


def test_mount_point_as_out(tmp_path):
    "A mount point can't be renamed: the site is built inside it, and an earlier site there is replaced in place."
    nbs = small_project(tmp_path)
    with tmpfs(tmp_path/'mnt', '100m') as mnt:
        for text in ('first', 'second'):
            status, err = build(nbs, mnt, text)
            assert status == 0, err
            assert text in (mnt/'index.html').read_text() and hidden(mnt) == [] and not leftovers(tmp_path)


def test_full_disk_is_one_short_line_and_leaves_nothing(tmp_path):
    "shutil's list of every file it failed to copy becomes one short line; nothing is left on the full disk."
    nbs = small_project(tmp_path)
    with tmpfs(tmp_path/'small', '5m') as small:
        status, err = build(nbs, small/'site')
        one_line_status(status, err, f'{small}: disk full (no space left on device)')
        assert len(err) < 1000, len(err)
        assert os.listdir(small) == []


def test_bad_base64_in_an_image_output_names_the_notebook(tmp_path):
    from nbformat.v4 import new_code_cell, new_output
    cell = new_code_cell('plot()', outputs=[new_output('display_data', data={'image/png': 'abc', 'text/plain': 'figure'})])
    nbs = small_project(tmp_path, [cell])
    r = site_cmd('--out', tmp_path/'out', '--nbs', nbs, '--lib', ROOT/'mnist_hood')
    one_error_line(r, 'index.ipynb')
    assert 'base64' in r.stderr and 'Traceback' not in r.stderr
    assert not (tmp_path/'out').exists() and not leftovers(tmp_path)


def between_the_renames(monkeypatch, out, act):
    """Call `act()` at the moment a build puts its site at `out`: just before the one-step swap, or, where the site is
    moved with two renames (as before), just after the earlier site has been moved away. Only once."""
    real_rename, real_exchange, done = os.rename, getattr(outputs, '_exchange', None), []
    def once():
        if not done: done.append(1); act()
    def rename(src, dst, *a, **k):
        r = real_rename(src, dst, *a, **k)
        if Path(src) == out: once()
        return r
    def exchange(a, b):
        if Path(b) == out: once()
        return real_exchange(a, b)
    monkeypatch.setattr(os, 'rename', rename)
    monkeypatch.setattr(outputs, '_exchange', exchange, raising=False)
    return done


def test_swap_failure_keeps_the_earlier_site(tmp_path, monkeypatch):
    "A failure as the new site is put in place (here ENOSPC) leaves the earlier site where it was, and nothing else."
    nbs = small_project(tmp_path)
    out = tmp_path/'out'
    assert build(nbs, out, 'first')[0] == 0
    def fail(): raise OSError(errno.ENOSPC, 'No space left on device')
    done = between_the_renames(monkeypatch, out, fail)
    status, err = build(nbs, out, 'second')
    assert done
    one_line_status(status, err, str(out))
    assert 'first' in (out/'index.html').read_text() and not leftovers(tmp_path) and hidden(out) == []


def test_signal_during_the_swap_waits_for_it(tmp_path, monkeypatch):
    "SIGTERM as the new site is put in place: the swap finishes, then the command ends with 143, nothing stranded."
    nbs = small_project(tmp_path)
    out = tmp_path/'out'
    assert build(nbs, out, 'first')[0] == 0
    done = between_the_renames(monkeypatch, out, lambda: os.kill(os.getpid(), signal.SIGTERM))
    status, err = build(nbs, out, 'second')
    assert done and status == 143 and err.strip() == 'mnist-hood site: terminated', (status, err)
    assert 'second' in (out/'index.html').read_text() and not leftovers(tmp_path) and hidden(out) == []


def test_concurrent_build_during_the_swap(tmp_path, monkeypatch):
    "Another build finishing into the same --out while this one swaps: both succeed, one whole site remains, nothing stranded."
    nbs = small_project(tmp_path)
    out = tmp_path/'out'
    assert build(nbs, out, 'first')[0] == 0
    other = []
    done = between_the_renames(monkeypatch, out, lambda: other.append(build(nbs, out)))
    status, err = build(nbs, out, 'second')
    assert done and other and other[0][0] == 0, other
    assert status == 0, err
    assert 'second' in (out/'index.html').read_text() and not leftovers(tmp_path) and hidden(out) == []


# ---------------------------------------------------------------- the real site, in a real browser

def expected_pages():
    """The page files the site must have: one per notebook, in the order of study, the maintainers' page (the index's
    other sections) after the appendices, and one per exported module."""
    from mnist_hood.site import exported_modules, study_key
    paths = list_notebooks(ROOT/'nbs')
    nbs = ['index.html' if p.stem == 'index' else f'{p.stem}.html' for p in paths]
    last_appendix = max(i for i, p in enumerate(paths) if study_key(p.name)[0] <= 4)
    nbs.insert(last_appendix + 1, 'maintainers.html')
    return nbs + [f'{m}.html' for m, _ in exported_modules(ROOT/'mnist_hood')]


# What each page reports from inside the browser, once loaded and once MathJax (where the page has math) is done.
PROBE = r"""() => {
  const visible = el => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  const imgs = [...document.images].map(i => ({src: i.getAttribute('src'), ok: i.complete && i.naturalWidth > 0, shown: visible(i)}));
  const links = [...document.querySelectorAll('a[href]')].map(a => a.href);
  const maths = [...document.querySelectorAll('.tex-math')].map(m => ({
      rendered: !!m.querySelector('.MathJax, .MathJax_Display, .MathJax_MathML, .MathJax_SVG, mjx-container, math'), text: m.innerText.slice(0, 80)}));
  // the page's text outside code, scripts and rendered math: where raw TeX would show
  const clone = document.querySelector('article').cloneNode(true);
  clone.querySelectorAll('pre, code, script, style, .MathJax, .MathJax_Display, .MathJax_MathML, .MathJax_Preview, math').forEach(e => e.remove());
  const styled = [...document.querySelectorAll('table[id^="T_"]')].map(t => {
      const colors = [...t.querySelectorAll('td')].map(td => getComputedStyle(td).backgroundColor);
      return {id: t.id, cells: colors.length, shaded: colors.filter(c => c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent').length,
              distinct: new Set(colors).size};
  });
  const details = [...document.querySelectorAll('details')].map(d => d.open);
  return {imgs, links, maths, text: clone.innerText, styled, details, title: document.title};
}"""

RAW_MATH = re.compile(r'\$\$|\\\(|\\\[|\\frac|\\sum|\\begin\{|\$[^$\s][^$\n]{0,200}?[^$\s\\]\$')


# The layout at the current width: sideways scroll, the menu button and the sidebar, the "On this page" list.
LAYOUT = r"""() => {
  const shown = el => !!el && getComputedStyle(el).display !== 'none' && getComputedStyle(el).visibility !== 'hidden' && el.getClientRects().length > 0;
  const article = document.querySelector('article');
  const heads = [...article.querySelectorAll('h2[id], h3[id]')].filter(h => !h.closest('.toc'));
  const toc = article.querySelector('nav.toc');
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: innerWidth,
          button: shown(document.querySelector('.menu-button')), nav: shown(document.getElementById('sidebar')),
          expanded: document.querySelector('.menu-button').getAttribute('aria-expanded'),
          sections: heads.length, toc: toc ? [...toc.querySelectorAll('a')].map(a => a.getAttribute('href').slice(1)) : null,
          heads: heads.map(h => h.id), searchIndex: !!window.SITE_INDEX};
}"""

WIDTHS = {'desktop': (1280, 900), 'phone': (390, 844)}  # the phone last: its menu is tried after the visit


@pytest.fixture(scope='session')
def visits(browser, server):
    """Every page, loaded at 1280 px and again at 390 px (one tab, reused): what it logged and requested, what it showed,
    its layout at each width, and at 390 px what the menu button did (clicked, then Escape)."""
    found, rec = {}, {}
    page = browser.new_page()
    page.on('console', lambda m: rec['console'].append(f'{m.type}: {m.text}') if m.type == 'error' else None)
    page.on('pageerror', lambda e: rec['console'].append(f'exception: {e}'))
    page.on('requestfailed', lambda r: rec['failed'].append(f'{r.url} ({r.failure})'))
    page.on('request', lambda r: rec['requests'].append(r.url))
    page.on('response', lambda r: rec['bad_status'].append(f'{r.url} ({r.status})') if r.status >= 400 else None)
    for name in expected_pages():
        rec = {'console': [], 'failed': [], 'requests': [], 'bad_status': [], 'layout': {}}
        for width, (w, h) in WIDTHS.items():
            page.set_viewport_size({'width': w, 'height': h})
            resp = page.goto(server + name, wait_until='load')
            rec['status'] = resp.status if resp else None
            if page.evaluate('() => !!window.MathJax'):
                page.wait_for_function("() => document.documentElement.dataset.mathjax === 'done'", timeout=30000)
            if width == 'desktop': rec.update(page.evaluate(PROBE))
            rec['layout'][width] = page.evaluate(LAYOUT)
        # the phone's menu, from the keyboard: Enter on the button opens the sidebar, Escape folds it again
        page.focus('.menu-button')
        page.keyboard.press('Enter')
        rec['layout']['menu open'] = page.evaluate(LAYOUT)
        page.keyboard.press('Escape')
        rec['layout']['menu closed'] = page.evaluate(LAYOUT)
        rec['foreign'] = [u for u in rec['requests'] if urlparse(u).scheme not in ('data', 'about', 'blob') and urlparse(u).hostname != '127.0.0.1']
        found[name] = rec
    page.close()
    return found


def _problems(visits, key):
    return {n: v[key] for n, v in visits.items() if v[key]}


def test_every_page_exists_in_order_of_study(site):
    names = expected_pages()
    missing = [n for n in names if not (site/n).is_file()]
    assert not missing, f'pages missing from the site: {missing}'
    nav = re.findall(r'<li(?: class="current")?><a href="([^"]+)"', (site/'index.html').read_text())
    assert nav == names, 'the sidebar is not in the order of study'


def test_pages_load_without_console_errors_or_failed_requests(visits):
    assert all(v['status'] == 200 for v in visits.values()), {n: v['status'] for n, v in visits.items() if v['status'] != 200}
    assert not _problems(visits, 'console'), _problems(visits, 'console')
    assert not _problems(visits, 'failed'), _problems(visits, 'failed')
    assert not _problems(visits, 'bad_status'), _problems(visits, 'bad_status')


def test_no_request_leaves_127_0_0_1(visits):
    assert not _problems(visits, 'foreign'), f'requests to other hosts: {_problems(visits, "foreign")}'


def test_every_image_is_displayed(visits):
    bad = {n: [i['src'] for i in v['imgs'] if not i['ok']] for n, v in visits.items()}
    assert not {n: b for n, b in bad.items() if b}, f'images not displayed (naturalWidth 0): {bad}'
    assert sum(len(v['imgs']) for v in visits.values()) >= 5, 'the lessons show plots: the site should too'


def test_every_internal_link_resolves(visits, server):
    seen, bad, cache = set(), [], {}
    for name, v in visits.items():
        for href in v['links']:
            u = urlparse(href)
            if u.hostname != '127.0.0.1' or href in seen: continue
            seen.add(href)
            target = u._replace(fragment='').geturl()
            if target not in cache:
                try:
                    with urllib.request.urlopen(target, timeout=10) as r: cache[target] = (r.status, r.read().decode('utf-8', 'replace'))
                except Exception as e: cache[target] = (getattr(e, 'code', str(e)), '')
            status, body = cache[target]
            if status != 200: bad.append(f'{name}: {href} ({status})')
            elif u.fragment and target.endswith('.html'):
                ids = {html.unescape(i) for i in re.findall(r'\bid="([^"]*)"', body)}
                # as a browser finds the indicated element: the fragment as written first, then percent-decoded
                if u.fragment not in ids and unquote(u.fragment) not in ids: bad.append(f'{name}: {href} (no such anchor)')
    assert seen and not bad, f'dead internal links: {bad}'


def test_math_is_rendered_not_raw(visits):
    raw = {n: RAW_MATH.findall(v['text'])[:3] for n, v in visits.items() if RAW_MATH.search(v['text'])}
    assert not raw, f'raw TeX shown as text: {raw}'
    unrendered = {n: [m['text'] for m in v['maths'] if not m['rendered']] for n, v in visits.items()}
    assert not {n: u for n, u in unrendered.items() if u}, f'math left unrendered: {unrendered}'
    assert sum(len(v['maths']) for v in visits.values()) >= 2, 'lessons 5 and 9 have formulas: the site should render them'


def test_styled_pandas_table_keeps_its_shading(visits):
    tables = {n: v['styled'] for n, v in visits.items() if v['styled']}
    assert tables, "no styled pandas table on any page (lesson 1 shows one)"
    flat = {f"{n} #{t['id']}": t for n, ts in tables.items() for t in ts}
    pale = {k: t for k, t in flat.items() if t['shaded'] < t['cells'] // 2 or t['distinct'] < 3}
    assert not pale, f'styled tables lost their shading: {pale}'


def test_hidden_answers_start_closed(visits):
    opened = {n: v['details'] for n, v in visits.items() if any(v['details'])}
    assert not opened, f'<details> shown open before a click: {opened}'


def test_no_page_scrolls_sideways_on_a_phone_or_a_desktop(visits):
    "Wide tables, code and math scroll in their own box and figures scale: the page itself never scrolls sideways."
    wide = {f'{n} at {w}': (lay['scrollWidth'], lay['innerWidth']) for n, v in visits.items() for w, lay in v['layout'].items()
            if lay['scrollWidth'] > lay['innerWidth']}
    assert not wide, f'pages wider than the window (scrollWidth, innerWidth): {wide}'


def test_menu_folds_the_sidebar_on_a_phone(visits):
    "At 1280 px the sidebar shows and the menu button doesn't; at 390 px the sidebar folds behind the button, which opens and closes it."
    bad = {}
    for n, v in visits.items():
        lay = v['layout']
        got = (lay['desktop']['button'], lay['desktop']['nav'], lay['phone']['button'], lay['phone']['nav'],
               lay['menu open']['nav'], lay['menu open']['expanded'], lay['menu closed']['nav'], lay['menu closed']['expanded'])
        if got != (False, True, True, False, True, 'true', False, 'false'): bad[n] = got
    assert not bad, ('(desktop button, desktop nav, phone button, phone nav, nav after Enter, aria-expanded, '
                     f'nav after Escape, aria-expanded): {bad}')


def test_contents_list_on_every_page_with_more_than_three_sections(visits):
    "A page with more than three h2/h3 sections lists them all under its title, linked; a shorter page has no list."
    bad = {}
    for n, v in visits.items():
        lay = v['layout']['desktop']
        want = lay['heads'] if lay['sections'] > 3 else None
        if lay['toc'] != want: bad[n] = (lay['sections'], lay['toc'])
    assert not bad, f'(sections, contents list) wrong: {bad}'
    assert sum(v['layout']['desktop']['toc'] is not None for v in visits.values()) >= 10, 'the long lessons should have contents lists'


def test_sidebar_numbers_and_groups(site):
    "The sidebar numbers lessons as the lessons do (\"4 · ...\"), in groups: lessons, practice, appendices, then the API reference."
    page = (site/'04_sgd.html').read_text()
    nav = page.split('<nav class="sidebar"')[1].split('</nav>')[0]
    groups = re.findall(r'<h2>([^<]+)</h2>', nav)
    assert [g for g in groups if g in ('Lessons', 'Practice', 'Appendices', 'API reference')] == ['Lessons', 'Practice', 'Appendices', 'API reference'], groups
    labels = dict(re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav))
    assert labels['04_sgd.html'].startswith('4 · ') and labels['10_jargon.html'].startswith('10 · ') and labels['95_site.html'].startswith('95 · '), labels
    assert not any(v.startswith(('Appendix', 'mnist_hood.')) for v in labels.values()), labels
    section = lambda g: nav.split(f'<h2>{g}</h2>')[1].split('<h2>')[0]
    assert '11_questionnaire.html' in section('Practice') and 'mnist_hood.sgd.html' in section('API reference')
    assert 'mnist_hood.' not in section('Lessons') + section('Appendices')


def test_landing_page_is_for_a_learner(site):
    """The front page says what the course is, then the course map, how to start, what to do when numbers differ, and
    links to the maintainers' page, which holds every other section of the README (index.ipynb): none is lost."""
    from mnist_hood.site import landing_split, read_notebook
    nb = read_notebook(ROOT/'nbs'/'index.ipynb')
    assert landing_split(nb)[2] == [], f'learner sections missing from index.ipynb: {landing_split(nb)[2]}'
    heads = lambda f: [html.unescape(re.sub(r'<[^>]+>', '', h)).rstrip('#').strip()
                       for h in re.findall(r'<h2 id="[^"]*"[^>]*>(.*?)</h2>', (site/f).read_text(), re.S)]
    front, back = heads('index.html'), heads('maintainers.html')
    where = lambda pattern: next(i for i, h in enumerate(front) if re.search(pattern, h, re.I))
    assert where('course map') < where(r'install|start') < where('numbers differ') < where('maintainers'), front
    readme = [l[3:].replace('`', '').strip() for c in nb.cells if c.cell_type == 'markdown' for l in c.source.splitlines() if l.startswith('## ')]
    assert sorted(readme) == sorted(front[:-1] + back), (readme, front, back)
    assert 'href="maintainers.html"' in (site/'index.html').read_text()
    assert not re.search(r'signal|benchmark|speed of|cache key', ' '.join(front), re.I), front


def test_alt_text_says_what_a_figure_shows(site):
    alts = {f.name: re.findall(r'<img [^>]*alt="([^"]*)"', f.read_text()) for f in site.glob('*.html')}
    bad = {n: [a for a in al if not a.strip() or 'figure of' in a] for n, al in alts.items()}
    assert not {n: b for n, b in bad.items() if b}, bad
    assert sum(map(len, alts.values())) >= 5


def test_check_marks_need_no_emoji_font(site):
    "check's ✅ ❌ 💥 ✏️ ⚠️ reach the page as drawn marks, outside the code a learner copies."
    left = {}
    for f in site.glob('*.html'):
        text = re.sub(r'<div class="highlight">.*?</pre></div>|<pre class="value">.*?</pre>', '', f.read_text(), flags=re.S)
        if (found := re.findall('[✅❌💥✏⚠]', text)): left[f.name] = found[:5]
    assert not left, f'emoji left outside code: {left}'
    assert 'class="mh-mark"' in (site/'93_exercises.html').read_text()


def test_reference_pages_have_no_empty_cells_and_document_properties(site):
    bad = {f.name: len(re.findall(r'<td>(?:<code></code>)?</td>', f.read_text())) for f in site.glob('mnist_hood.*.html')}
    assert not {n: k for n, k in bad.items() if k}, f'empty table cells: {bad}'
    page = (site/'mnist_hood.linear_model.html').read_text()
    dset = page.split('id="LinearData.dset"')[1].split('</section>')[0]
    assert '(property)' in dset and 'no docstring' not in dset, dset[:500]


def test_every_page_loads_the_scripts_and_copies_them(site):
    scripts = ['site.js', 'search.js'] + (['sliders.js'] if (ROOT/'mnist_hood'/'site_assets'/'sliders.js').is_file() else [])
    for f in site.glob('*.html'):
        page = f.read_text()
        assert all(f'<script src="static/{s}" defer></script>' in page for s in scripts), f.name
        assert 'src="static/search-index.js"' not in page, f'{f.name} loads the search index before the search box is used'
    assert all((site/'static'/s).is_file() for s in scripts + ['search-index.js'])


def test_search_loads_its_index_on_first_use_and_says_no_results(browser, server):
    page = browser.new_page()
    fetched = []
    page.on('request', lambda r: fetched.append(r.url) if 'search-index.js' in r.url else None)
    page.goto(server + '04_sgd.html', wait_until='networkidle')
    assert not fetched and not page.evaluate('() => !!window.SITE_INDEX'), 'the search index was loaded with the page'
    page.fill('#search', 'zqxjvkwpf')
    page.wait_for_selector('#search-results li.none')
    assert fetched, 'the index was never fetched'
    assert 'No results' in page.inner_text('#search-results') and 'zqxjvkwpf' in page.inner_text('#search-results')
    page.fill('#search', 'sigmoid')
    page.wait_for_selector('#search-results li a')
    page.close()


def test_copy_button_copies_the_code(browser, server):
    browser.grant_permissions(['clipboard-read', 'clipboard-write'], origin=server.rstrip('/'))
    page = browser.new_page()
    page.goto(server + '05_mnist_loss.html', wait_until='load')
    blocks, buttons = page.locator('article .cell.code .input .highlight').count(), page.locator('article .cell.code .input button.copy').count()
    assert blocks and buttons == blocks, (blocks, buttons)
    first = page.locator('article .cell.code .input').first
    first.locator('button.copy').click()
    page.wait_for_function("() => document.querySelector('article .cell.code .input button.copy').textContent === 'Copied'")
    copied = page.evaluate('() => navigator.clipboard.readText()')
    assert copied.strip() == first.locator('pre').inner_text().strip(), copied[:200]
    page.close()


def test_site_builds_outside_a_clone(tmp_path):
    "In a folder that is no project (as after installing the wheel), the site is built from the lessons and modules that came with the package."
    r = site_cmd('--out', tmp_path/'out', cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path/'out'/'index.html').is_file() and (tmp_path/'out'/'04_sgd.html').is_file()
    assert (tmp_path/'out'/'mnist_hood.sgd.html').is_file()


def test_search_finds_mnist_loss_in_its_lesson(browser, server):
    lesson = next(p for p in list_notebooks(ROOT/'nbs') if 'def mnist_loss(' in p.read_text())
    page = browser.new_page()
    page.goto(server + 'index.html')
    page.fill('#search', 'mnist_loss')
    page.wait_for_selector('#search-results li a')
    first = page.locator('#search-results li a').first.get_attribute('href')
    page.press('#search', 'Enter')
    page.wait_for_url(re.compile(re.escape(lesson.stem) + r'\.html'))
    assert urlparse(page.url).path.endswith(f'/{lesson.stem}.html'), (first, page.url)
    page.close()


def test_screenshots_of_index_and_lessons(browser, server, tmp_path_factory):
    "Screenshots for a person to look at, at 390 and 1280 px, in the test run's output folder (its path is printed)."
    out = Path(os.environ.get('MNIST_HOOD_SCREENSHOTS') or tmp_path_factory.getbasetemp()/'screenshots')
    out.mkdir(parents=True, exist_ok=True)
    lessons = [p.stem for p in list_notebooks(ROOT/'nbs') if p.stem.startswith(('03', '04', '08'))]
    page = browser.new_page()
    for name in ('index', *lessons):
        for width, (w, h) in WIDTHS.items():
            page.set_viewport_size({'width': w, 'height': h})
            page.goto(f'{server}{name}.html', wait_until='networkidle')
            page.screenshot(path=str(out/f'{name}-{w}.png'), full_page=False)
            assert (out/f'{name}-{w}.png').stat().st_size > 10_000
    page.set_viewport_size({'width': 390, 'height': 844})
    page.click('.menu-button')
    page.screenshot(path=str(out/'menu-390.png'))
    page.close()
    print(f'screenshots in {out}')
