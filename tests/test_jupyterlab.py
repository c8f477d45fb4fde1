"""Lesson 4 in the real client: JupyterLab in headless Chromium (Playwright drives Debian's /usr/bin/chromium), Run All,
then the learner's sliders. Skipped, with the reason, where JupyterLab or Chromium is missing, unless
MNIST_HOOD_REQUIRE_BROWSER is set (CI sets it): then it fails."""
import json, os, secrets, shutil, socket, subprocess, sys, time, urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = '/usr/bin/chromium'
LESSON = '04_sgd.ipynb'
# the sliders' starting values as the lesson's text names them:
# "lr = 0.1 with ten steps", and "the sliders start at the rough guess" (0.5, -10, 60)
START = {'lr': 0.1, 'steps': 10, 'a': 0.5, 'b': -10, 'c': 60}


def _missing(what):
    if os.environ.get('MNIST_HOOD_REQUIRE_BROWSER'): pytest.fail(f'{what} (MNIST_HOOD_REQUIRE_BROWSER is set)')
    pytest.skip(what)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0)); return s.getsockname()[1]


@pytest.fixture
def lab(tmp_path, mnist_dir_or_none):
    "A JupyterLab server on 127.0.0.1 serving a copy of nbs/, with its own token and its own runtime, config and settings dirs."
    if not Path(CHROMIUM).exists(): _missing(f'no Chromium at {CHROMIUM} (apt-get install chromium)')
    try: import playwright.sync_api  # noqa: F401
    except ImportError: _missing('the playwright package is not installed (pip install -e ".[dev]")')
    if subprocess.run([sys.executable, '-c', 'import jupyterlab, ipywidgets'], capture_output=True).returncode:
        _missing('jupyterlab or ipywidgets is not installed (pip install -e ".[dev]")')
    root, home = tmp_path/'lessons', tmp_path/'jupyter'
    shutil.copytree(ROOT/'nbs', root, ignore=shutil.ignore_patterns('.*', '_*'))
    # every cell in the page (no windowing), so the whole notebook's outputs can be read
    settings = home/'lab-settings'/'@jupyterlab'/'notebook-extension'
    settings.mkdir(parents=True)
    (settings/'tracker.jupyterlab-settings').write_text(json.dumps({'windowingMode': 'none'}))
    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ, 'JUPYTER_RUNTIME_DIR': str(home/'runtime'), 'JUPYTER_CONFIG_DIR': str(home/'config'),
           'JUPYTERLAB_SETTINGS_DIR': str(home/'lab-settings'), 'JUPYTERLAB_WORKSPACES_DIR': str(home/'workspaces'),
           'IPYTHONDIR': str(home/'ipython'),
           # the kernel imports this checkout's library, as the notebook tests do
           'PYTHONPATH': os.pathsep.join([str(ROOT), *filter(None, [os.environ.get('PYTHONPATH')])])}
    if mnist_dir_or_none: env['MNIST_HOOD_DATA'] = str(mnist_dir_or_none)
    cmd = [sys.executable, '-m', 'jupyterlab', '--no-browser', '--ip=127.0.0.1', f'--port={port}',
           f'--IdentityProvider.token={token}', f'--ServerApp.root_dir={root}', '--ServerApp.port_retries=0',
           '--LabApp.expose_app_in_browser=True', '--LabApp.news_url=', '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate']
    if os.geteuid() == 0: cmd.append('--allow-root')
    log = (tmp_path/'lab.log').open('w')
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f'http://127.0.0.1:{port}'
    try:
        for _ in range(120):
            if proc.poll() is not None: break
            try:
                with urllib.request.urlopen(f'{url}/api/status?token={token}', timeout=2): break
            except OSError: time.sleep(0.5)
        else: pytest.fail('JupyterLab did not answer within a minute:\n' + (tmp_path/'lab.log').read_text()[-3000:])
        if proc.poll() is not None: pytest.fail('JupyterLab stopped:\n' + (tmp_path/'lab.log').read_text()[-3000:])
        yield dict(url=url, token=token, log=tmp_path/'lab.log')
    finally:
        proc.terminate()
        try: proc.wait(20)
        except subprocess.TimeoutExpired: proc.kill(); proc.wait()
        log.close()


# In the page: the notebook's cells as its model holds them (the outputs the kernel sent), and the sliders as drawn.
CELLS_JS = """() => { const nb = window.jupyterapp.shell.currentWidget.content;
  return nb.widgets.filter(c => c.model.type === 'code').map(c => ({
    count: c.model.executionCount, outputs: c.model.outputs.toJSON().map(o => ({type: o.output_type,
      ename: o.ename || '', evalue: (o.evalue || '').slice(0, 300), name: o.name || '',
      text: (Array.isArray(o.text) ? o.text.join('') : (o.text || '')).slice(0, 300)}))})); }"""
def _sliders(page) -> dict:
    "The sliders on the page: {label: the value its readout shows}."
    return {s['name'].strip(): float(s['value'].replace('\u2212', '-')) for s in page.evaluate(SLIDERS_JS)}


SLIDERS_JS = """() => [...document.querySelectorAll('.jp-Notebook .widget-slider')].map(s => ({
  name: (s.querySelector('.widget-label') || {}).textContent || '',
  value: ((s.querySelector('.widget-readout') || {}).textContent || '').trim()}))"""
IMAGES_JS = """() => [...document.querySelectorAll('.jp-Notebook .widget-interact')].map(w =>
  [...w.querySelectorAll('img')].map(i => i.src).join('|'))"""


@pytest.mark.timeout(300)
def test_lesson_4_in_jupyterlab(lab, playwright):
    """Run All in JupyterLab: no cell fails; the two groups of sliders are live ipywidgets starting where the text
    says (lr 0.1 with ten steps; a, b, c at the rough guess 0.5, -10, 60); moving one redraws its figure."""
    # the session's Playwright (tests/conftest.py): a second one can't start in this process while it runs
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=['--no-sandbox'])
    try:
        page = browser.new_page(viewport={'width': 1400, 'height': 1000})
        page.goto(f"{lab['url']}/lab/tree/{LESSON}?token={lab['token']}")
        page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
                               " && window.jupyterapp.shell.currentWidget.sessionContext"
                               " && window.jupyterapp.shell.currentWidget.sessionContext.session"
                               " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel"
                               " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status === 'idle'",
                               timeout=60_000)
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        # done when every code cell has its execution count and the kernel is idle again
        page.wait_for_function("""() => { const w = window.jupyterapp.shell.currentWidget;
            const cells = w.content.widgets.filter(c => c.model.type === 'code' && c.model.sharedModel.getSource().trim());
            return w.sessionContext.session.kernel.status === 'idle' && cells.every(c => c.model.executionCount)
              || cells.some(c => c.model.outputs.toJSON().some(o => o.output_type === 'error')); }""",
                               timeout=240_000, polling=500)
        cells = page.evaluate(CELLS_JS)
        errors = [(i, o['ename'], o['evalue']) for i, c in enumerate(cells) for o in c['outputs'] if o['type'] == 'error']
        assert not errors, f'Run All failed in JupyterLab: code cell {errors[0][0]}: {errors[0][1]}: {errors[0][2]}'
        traces = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]',
                              has_text='Traceback')
        assert traces.count() == 0, f'a traceback on the page: {traces.first.inner_text()[:1000]}'
        # the sliders: live ipywidgets, drawn by the widget manager, at the values the text names
        page.wait_for_selector('.jp-Notebook .widget-slider', timeout=30_000)
        sliders = _sliders(page)
        assert sliders == START, f'the sliders on the page: {sliders}; the lesson says they start at {START}'
        before = page.evaluate(IMAGES_JS)
        assert len(before) == 2 and all(before), f'each group of sliders shows its picture: {[len(b) for b in before]} image bytes'
        # move `steps` one notch with the keyboard, as a learner can, and the first figure is drawn again
        steps = page.locator('.jp-Notebook .widget-slider', has=page.locator('.widget-label', has_text='steps'))
        steps.locator('.noUi-handle').first.focus()
        page.keyboard.press('ArrowRight')
        page.wait_for_function(f"before => ({IMAGES_JS})()[0] !== before", arg=before[0], timeout=30_000)
        after = page.evaluate(IMAGES_JS)
        assert after[0] != before[0] and after[1] == before[1]
        moved = _sliders(page)
        assert moved == {**START, 'steps': 11}, moved
    finally: browser.close()
