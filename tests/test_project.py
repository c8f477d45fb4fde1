"The repository's own checks: notebooks clean, library in sync with the notebooks, every notebook runs."
import os, shutil, subprocess, sys
from pathlib import Path

import pytest

from mnist_hood.cli import export_diff

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p.name for p in (ROOT/'nbs').glob('*.ipynb') if not p.name.startswith(('_', '.')))
BIN = Path(sys.executable).parent
ENV = dict(os.environ)  # as the test run started: notebooks share its data source and cache, as under plain nbdev-test


def run(cmd, cwd, timeout=900, env=None):
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)


@pytest.fixture
def copy(tmp_path):
    "A copy of what nbdev-clean reads and writes, so the check never touches the working tree."
    dest = tmp_path/'repo'
    dest.mkdir()
    for p in ('pyproject.toml', 'nbs', 'mnist_hood'):
        (shutil.copytree if (ROOT/p).is_dir() else shutil.copy)(ROOT/p, dest/p)
    return dest


def changed(a, b, pattern):
    "Files matching `pattern` that differ between folders `a` and `b`, or exist in only one."
    fa, fb = ({p.relative_to(d) for p in d.rglob(pattern) if '__pycache__' not in p.parts} for d in (a, b))
    return sorted(str(p) for p in fa ^ fb) + sorted(str(p) for p in fa & fb if (a/p).read_bytes() != (b/p).read_bytes())


def test_notebooks_are_clean(copy):
    r = run([str(BIN/'nbdev-clean')], cwd=copy)
    assert r.returncode == 0, r.stderr
    diff = changed(ROOT/'nbs', copy/'nbs', '*.ipynb')
    assert not diff, f'run nbdev-clean and commit: these notebooks are not clean: {diff}'


def test_library_in_sync_with_notebooks():
    "The same check `mnist-hood doctor` makes: nbdev-export in a scratch copy changes nothing."
    diff = export_diff(ROOT)
    assert not diff, f'run nbdev-export and commit: the library differs from the notebooks in {diff}'


@pytest.mark.timeout(1200)
@pytest.mark.parametrize('nb', NOTEBOOKS)
def test_notebook(nb):
    "Each notebook runs top to bottom under nbdev-test, its cells' assertions included (`MNIST_HOOD_TEST_FLAGS=slow` adds slow cells)."
    env = {k: v for k, v in ENV.items() if k != 'MNIST_HOOD_QUIET'}
    cmd = [str(BIN/'nbdev-test'), f'nbs/{nb}', '--do-print']
    if ENV.get('MNIST_HOOD_TEST_FLAGS'): cmd += ['--flags', ENV['MNIST_HOOD_TEST_FLAGS']]
    r = run(cmd, cwd=ROOT, timeout=1200, env=env)
    assert r.returncode == 0 and 'Success' in r.stdout + r.stderr, (r.stdout + r.stderr)[-6000:]
