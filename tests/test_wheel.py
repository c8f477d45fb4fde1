"""A pip user gets the course: the wheel built from this checkout, installed in a fresh virtual environment (which
reuses this environment's torch and the rest, not the checkout), and used from an empty folder: `mnist-hood lessons`
copies the notebooks, one lesson runs in a Jupyter kernel of that environment, `mnist-hood site` builds the website."""
import os, shutil, site, subprocess, sys, venv, zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LESSON = '01_pixels.ipynb'   # a quick lesson that reads the data


def sh(cmd, cwd, env=None, timeout=600):
    r = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert r.returncode == 0, f'{" ".join(map(str, cmd))} failed ({r.returncode}):\n{(r.stdout + r.stderr)[-4000:]}'
    return r


@pytest.fixture(scope='module')
def wheel(tmp_path_factory):
    "The wheel of this checkout, built offline from a copy (no build isolation: it uses this environment's setuptools)."
    pytest.importorskip('build', reason='the `build` package is not installed (pip install -e ".[dev]")')
    top = tmp_path_factory.mktemp('wheel')
    src = top/'src'
    src.mkdir()
    for p in ('pyproject.toml', 'README.md', 'LICENSE'):
        if (ROOT/p).exists(): shutil.copy(ROOT/p, src/p)
    shutil.copytree(ROOT/'nbs', src/'nbs', ignore=shutil.ignore_patterns('.*'))
    shutil.copytree(ROOT/'mnist_hood', src/'mnist_hood', symlinks=True, ignore=shutil.ignore_patterns('__pycache__'))
    r = sh([sys.executable, '-m', 'build', '--wheel', '--no-isolation', '--outdir', top/'dist'], cwd=src)
    whl, = (top/'dist').glob('mnist_hood-*.whl')
    return whl, r.stdout + r.stderr


@pytest.fixture(scope='module')
def installed(wheel, tmp_path_factory):
    """A fresh venv holding the wheel (`pip install --no-deps`); its dependencies come from this environment's
    site-packages, named in a .pth file (so this environment's editable mnist_hood is not on its path)."""
    whl, _ = wheel
    env_dir = tmp_path_factory.mktemp('venv')/'env'
    venv.EnvBuilder(with_pip=False, symlinks=True).create(env_dir)
    py = env_dir/'bin'/'python'
    purelib = Path(sh([py, '-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'], cwd=env_dir).stdout.strip())
    sh([sys.executable, '-m', 'pip', '--python', py, 'install', '--quiet', '--no-deps', '--no-index', whl], cwd=env_dir)
    # after the install, so pip never sees (nor offers to replace) this environment's own mnist_hood
    (purelib/'_this_ci_environment.pth').write_text('\n'.join(site.getsitepackages()) + '\n')
    return env_dir


def test_wheel_carries_lessons_and_builds_quietly(wheel):
    whl, log = wheel
    names = zipfile.ZipFile(whl).namelist()
    lessons = {Path(n).name for n in names if n.startswith('mnist_hood/lessons/') and n.endswith('.ipynb')}
    assert lessons == {p.name for p in (ROOT/'nbs').glob('*.ipynb') if not p.name.startswith(('.', '_'))}, sorted(lessons)
    assert any(n.startswith('mnist_hood/site_assets/') for n in names)
    assert 'is absent from the `packages` configuration' not in log, log[-3000:]


@pytest.mark.timeout(900)
def test_pip_user_gets_the_course(installed, tmp_path, mnist_dir_or_none):
    """From an empty folder, with only the installed package: the lessons, one lesson run in a kernel, the site."""
    nbformat = pytest.importorskip('nbformat')
    pytest.importorskip('nbclient')
    home = tmp_path/'learner'
    home.mkdir()
    py, cmd = installed/'bin'/'python', installed/'bin'/'mnist-hood'
    env = {k: v for k, v in os.environ.items() if k not in ('PYTHONPATH', 'MNIST_HOOD_DATA', 'VIRTUAL_ENV')}
    env.update(PATH=f"{installed/'bin'}{os.pathsep}{env.get('PATH', '')}", MNIST_HOOD_CACHE=str(tmp_path/'cache'),
               JUPYTER_RUNTIME_DIR=str(tmp_path/'runtime'), IPYTHONDIR=str(tmp_path/'ipython'))
    if mnist_dir_or_none: env['MNIST_HOOD_DATA'] = str(mnist_dir_or_none)
    else: env['MNIST_HOOD_OFFLINE'] = '1'
    where = sh([py, '-c', 'import mnist_hood; print(mnist_hood.__file__)'], cwd=home, env=env).stdout.strip()
    assert Path(where).is_relative_to(installed), f'the fresh venv imports mnist_hood from {where}, not from the wheel'
    # 1. the lessons, copied into a folder of the learner's
    sh([cmd, 'lessons'], cwd=home, env=env)
    folders = [d for d in home.iterdir() if d.is_dir() and any(d.glob('*.ipynb'))]
    assert len(folders) == 1, f'`mnist-hood lessons` made {[d.name for d in home.iterdir()]}'
    lessons = folders[0]
    assert {p.name for p in lessons.glob('*.ipynb')} >= {LESSON, '04_sgd.ipynb', '09_all_digits.ipynb'}
    # 2. one lesson, run there as Run All runs it: a Jupyter kernel of the fresh venv (its python)
    code = ('import sys, nbformat; from nbclient import NotebookClient; p = sys.argv[1]; nb = nbformat.read(p, as_version=4); '
            'NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": sys.argv[2]}}).execute(); '
            'nbformat.write(nb, p + ".run.ipynb")')
    sh([py, '-c', code, lessons/LESSON, lessons], cwd=home, env=env, timeout=900)
    ran = nbformat.read(lessons/f'{LESSON}.run.ipynb', as_version=4)
    assert all(c.get('execution_count') for c in ran.cells if c.cell_type == 'code')
    # 3. the course's website, built outside any clone
    sh([cmd, 'site', '--out', 'site'], cwd=home, env=env, timeout=900)
    assert (home/'site'/'index.html').is_file(), sorted(p.name for p in (home/'site').iterdir()) if (home/'site').exists() else 'no site folder'

