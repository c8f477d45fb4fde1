"The repository's own checks: notebooks clean, library in sync with the notebooks, every notebook runs in a real Jupyter kernel and its committed outputs are not stale."
import json, os, shutil, subprocess, sys, warnings
from pathlib import Path

import pytest

from mnist_hood.doctor import export_diff
from conftest import _mnist_folder

sys.path.insert(0, str(Path(__file__).resolve().parents[1]/'tools'))
from nbcheck import stale_outputs

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p.name for p in (ROOT/'nbs').glob('*.ipynb') if not p.name.startswith(('_', '.')))
BIN = Path(sys.executable).parent
ENV = dict(os.environ)  # as the test run started: the notebooks' kernels share its data source and cache
if not ENV.get('MNIST_HOOD_DATA') and not ENV.get('MNIST_HOOD_OFFLINE') and _mnist_folder():
    ENV['MNIST_HOOD_DATA'] = str(_mnist_folder())   # the MNIST files beside the checkout: compare outputs, as CI does


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


def test_ruff_clean():
    "`ruff check` (pyflakes and syntax errors; settings in pyproject.toml) finds nothing in the library, tools, tests and notebooks."
    ruff = BIN/'ruff' if (BIN/'ruff').exists() else shutil.which('ruff')
    assert ruff, 'ruff is missing: pip install -e ".[dev]" -c constraints.txt'
    r = subprocess.run([str(ruff), 'check', '--no-cache', '--output-format', 'concise', '.'], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, f'ruff check found problems (fix them, or `ruff check --fix`):\n{r.stdout[-4000:]}{r.stderr[-2000:]}'


def _times_dir(tmp_path_factory) -> Path:
    "Where each notebook's run time is recorded: `$MNIST_HOOD_NB_TIMES`, else `notebook-times` in this pytest run's tmp root."
    if ENV.get('MNIST_HOOD_NB_TIMES'): d = Path(ENV['MNIST_HOOD_NB_TIMES'])
    else:
        base = tmp_path_factory.getbasetemp()
        d = (base.parent if base.name.startswith('popen-gw') else base)/'notebook-times'   # one folder for all xdist workers
    d.mkdir(parents=True, exist_ok=True)
    return d


def _run_in_kernel(nb, out, env):
    "`tools/nbcheck.py run`: the notebook top to bottom in a fresh Jupyter kernel, every cell; its run's metadata ({} if none)."
    cmd = [sys.executable, str(ROOT/'tools'/'nbcheck.py'), 'run', f'nbs/{nb}', '--out', str(out)]
    r = run(cmd, cwd=ROOT, timeout=1200, env=env)
    ran = json.loads(out.read_text())['metadata']['nbcheck'] if out.exists() else {}
    return r, ran


@pytest.mark.timeout(1200)
@pytest.mark.parametrize('nb', NOTEBOOKS)
def test_notebook(nb, tmp_path, tmp_path_factory):
    """Each notebook runs as a learner's Run All runs it: a fresh Jupyter kernel (nbclient, ipykernel), every cell top
    to bottom (`#| slow` ones too), its cells' assertions included, stopping at the first error. Then, on the full
    sample, every number its committed outputs show must be what this run shows, to the printed precision (cells
    marked `# varies: <why>` excepted)."""
    env = {k: v for k, v in ENV.items() if k != 'MNIST_HOOD_QUIET'}
    out = tmp_path/nb
    r, ran = _run_in_kernel(nb, out, env)
    compared = bool(ENV.get('MNIST_HOOD_DATA'))
    if ran:
        (_times_dir(tmp_path_factory)/f'{nb}.json').write_text(json.dumps(dict(
            notebook=nb, seconds=round(ran['seconds'], 2), kernel_start=round(ran.get('kernel_start', 0), 2),
            passed=ran['ok'], runner=ran.get('runner'), compared=compared and bool(ran['ok']),
            sample='full' if compared else 'whatever mnist_sample() found')))
    assert r.returncode == 0 and ran.get('ok'), (r.stdout + r.stderr)[-6000:]
    if not compared:
        warnings.warn(f'{nb} ran and passed; its committed outputs were not compared: they come from the full sample, '
                      'and MNIST_HOOD_DATA is not set')
        return
    stale = stale_outputs(ROOT/'nbs'/nb, out)
    assert not stale, (f'{nb}: committed outputs differ from a fresh run on the full sample (re-run the notebook with '
                       'tools/refresh.py and commit it, or mark a cell that legitimately varies with `# varies: <why>`):\n'
                       + '\n'.join(stale))


OTHER_PATH = [nb for nb in NOTEBOOKS if nb[:2] in ('04', '05', '06', '07', '08', '09')]   # the lessons with seeded runs


@pytest.mark.timeout(1200)
@pytest.mark.parametrize('nb', OTHER_PATH)
def test_notebook_on_another_cpu_path(nb, tmp_path):
    """The lessons with seeded numbers pass on another CPU path too, in a real kernel: PyTorch's plain kernels (no
    vector instructions, `ATEN_CPU_CAPABILITY=default`) and four threads instead of one. The book's numbers hold
    exactly there, and the course's own runs stay in their bands; outputs are not compared (their last digit may move)."""
    env = {k: v for k, v in ENV.items() if k != 'MNIST_HOOD_QUIET'}
    env.update(ATEN_CPU_CAPABILITY='default', MNIST_HOOD_THREADS='4')
    r, ran = _run_in_kernel(nb, tmp_path/nb, env)
    assert r.returncode == 0 and ran.get('ok'), (r.stdout + r.stderr)[-6000:]
