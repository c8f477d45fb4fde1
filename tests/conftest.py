"Shared fixtures: an isolated cache per test, quiet reports, the original MNIST files when this machine has them, and the site built once and served for the browser tests."
import functools, http.server, os, shutil, subprocess, sys, threading
from pathlib import Path

import pytest

from mnist_hood.data import MNIST_FILES

ROOT = Path(__file__).resolve().parents[1]
GIVEN = os.environ.get('MNIST_HOOD_DATA')  # read once, before any test's fixtures change the environment


def _mnist_folder():
    "The four original MNIST files: `$MNIST_HOOD_DATA` if it holds them, else `../shared/data/mnist` beside the repo."
    for cand in (GIVEN, ROOT.parent/'shared'/'data'/'mnist'):
        if cand and all((Path(cand)/n).is_file() for n in MNIST_FILES): return Path(cand).resolve()
    return None


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    "Every test gets its own cache folder and a quiet `mnist_sample`, and starts with no data source set (nor MNIST_HOOD_OFFLINE)."
    monkeypatch.setenv('MNIST_HOOD_CACHE', str(tmp_path/'cache'))
    monkeypatch.setenv('MNIST_HOOD_QUIET', '1')
    monkeypatch.delenv('MNIST_HOOD_DATA', raising=False)
    monkeypatch.delenv('MNIST_HOOD_OFFLINE', raising=False)  # tests that want it say so, with the `offline` fixture
    return tmp_path/'cache'


@pytest.fixture
def mnist_dir():
    "The original MNIST files; the test is skipped, with the reason, where there are none."
    d = _mnist_folder()
    if d is None: pytest.skip('no original MNIST files: set MNIST_HOOD_DATA to a folder holding the four files')
    return d


@pytest.fixture
def mnist_dir_or_none():
    "The original MNIST files when this run has them, else None (for tests that run either way: full or default sample)."
    return _mnist_folder()


@pytest.fixture
def offline(monkeypatch):
    "No data source but the embedded one."
    monkeypatch.setenv('MNIST_HOOD_OFFLINE', '1')


def _probe_denied(prefix, folder):
    "True when a child run with `prefix` can work in `folder` but is refused a folder of mode 000 (file permissions apply to it)."
    locked = folder/'locked'
    locked.mkdir(exist_ok=True); locked.chmod(0)
    try:
        code = 'import os, sys; os.listdir(sys.argv[1]); print("can work here"); os.listdir(sys.argv[2])'
        r = subprocess.run(prefix + [sys.executable, '-c', code, str(folder), str(locked)], capture_output=True, text=True, timeout=60)
    except OSError: return False
    finally: locked.chmod(0o755); locked.rmdir()
    return 'can work here' in r.stdout and 'PermissionError' in r.stderr


@pytest.fixture
def unprivileged(tmp_path):
    """A function running `python -c CODE` in a child that file permissions apply to; the test skips where there is none.
    As root that child is root without its capabilities (`setpriv`), or the user `nobody` (`runuser`)."""
    if os.geteuid() != 0: prefix = []  # an ordinary user already
    else:
        cands = [['setpriv', '--bounding-set=-all', '--inh-caps=-all', '--'], ['runuser', '-u', 'nobody', '--']]
        prefix = next((c for c in cands if shutil.which(c[0]) and _probe_denied(c, tmp_path)), None)
        if prefix is None: pytest.skip('no way to drop root privileges here (setpriv and runuser both missing or not allowed)')
    def run(code, *args, **env):
        e = {**os.environ, **{k: v for k, v in env.items() if v is not None}}
        for k, v in env.items():
            if v is None: e.pop(k, None)
        return subprocess.run(prefix + [sys.executable, '-c', code, *map(str, args)], capture_output=True, text=True,
                              timeout=600, env=e, cwd=tmp_path)
    run.prefix = prefix
    return run


@pytest.fixture(scope='session')
def site(tmp_path_factory):
    "The course's site (tests/test_site*.py): built once per session from the committed notebooks, or MNIST_HOOD_SITE, an existing build."
    from mnist_hood.site import build_site
    given = os.environ.get('MNIST_HOOD_SITE')
    if given: return Path(given)
    out = tmp_path_factory.mktemp('site')/'site'
    build_site(out, nbs=ROOT/'nbs', lib=ROOT/'mnist_hood')
    return out


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a): pass


@pytest.fixture(scope='session')
def server(site):
    "The site served on 127.0.0.1 (a free port), for this session."
    httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f'http://127.0.0.1:{httpd.server_address[1]}/'
    httpd.shutdown()
    httpd.server_close()


CHROMIUM = os.environ.get('MNIST_HOOD_CHROMIUM', '/usr/bin/chromium')
CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
                  '--disable-component-update', '--disable-sync']


@pytest.fixture(scope='session')
def playwright():
    """Playwright's sync API, started once per test process and shared by every browser test: a second instance in the
    same process refuses to start while the first runs ("Sync API inside the asyncio loop"). Skipped where Playwright
    or Debian's Chromium is missing, or failed when MNIST_HOOD_REQUIRE_BROWSER=1 (CI sets it)."""
    reason = None
    try: from playwright.sync_api import sync_playwright
    except ImportError: reason = 'Playwright for Python is not installed (pip install -e ".[dev]")'
    if reason is None and not Path(CHROMIUM).is_file(): reason = f'no Chromium at {CHROMIUM} (as root: apt-get install -y chromium)'
    if reason:
        if os.environ.get('MNIST_HOOD_REQUIRE_BROWSER') == '1': pytest.fail(f'MNIST_HOOD_REQUIRE_BROWSER=1 but {reason}')
        pytest.skip(reason)
    pw = sync_playwright().start()
    yield pw
    pw.stop()


@pytest.fixture(scope='session')
def browser(playwright, tmp_path_factory):
    "Debian's Chromium, headless, with an empty profile, for the site's tests."
    ctx = playwright.chromium.launch_persistent_context(str(tmp_path_factory.mktemp('chromium-profile')), executable_path=CHROMIUM,
                                                        headless=True, args=CHROMIUM_FLAGS, viewport={'width': 1280, 'height': 900})
    yield ctx
    ctx.close()
