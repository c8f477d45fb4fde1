"""Lessons in a real Jupyter kernel, as a learner runs them: a cell run twice, then the cells after it, fails only
with the explaining sentence, never a bare AssertionError or an unrelated error."""
import os
from pathlib import Path

import pytest

nbformat = pytest.importorskip('nbformat')
nbclient = pytest.importorskip('nbclient')

ROOT = Path(__file__).resolve().parents[1]


_RERUN = r"""
import json, sys
from pathlib import Path
import nbclient, nbformat
path, out = Path(sys.argv[1]), Path(sys.argv[2])
nb = nbformat.read(path, as_version=4)
client = nbclient.NotebookClient(nb, timeout=300, kernel_name='python3', allow_errors=True,
                                 resources={'metadata': {'path': str(path.parent)}})
code = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == 'code']
start = next(i for i, c in code if 'init_params(' in c.source and not c.source.lstrip().startswith('#| export'))
def errors(cells): return [(i, o['ename'], o['evalue']) for i, c in cells for o in c.get('outputs', []) if o.get('output_type') == 'error']
with client.setup_kernel():
    for i, c in code: client.execute_cell(c, i)
    first = errors(code)
    again = [(i, c) for i, c in code if i >= start]
    if not first:
        for i, c in again: client.execute_cell(c, i)
out.write_text(json.dumps(dict(first=first, again=[] if first else errors(again))))
"""


@pytest.mark.timeout(600)
def test_rerun_explains_itself(mnist_dir, tmp_path, monkeypatch):
    """Lesson 6 in a kernel: run all; then run its first `init_params` cell again (the random stream moves on) and
    every cell after it. Whatever fails must say what was expected, the likely cause and what to do."""
    import json, subprocess, sys
    monkeypatch.setenv('MNIST_HOOD_DATA', str(mnist_dir))
    # the kernel imports this checkout's library, as the notebook tests' kernels do (tools/nbcheck.py)
    monkeypatch.setenv('PYTHONPATH', os.pathsep.join([str(ROOT), *filter(None, [os.environ.get('PYTHONPATH')])]))
    # in a child process: nbclient's event loop must not stay behind in this pytest worker (Playwright's sync API refuses one)
    out = tmp_path/'rerun.json'
    r = subprocess.run([sys.executable, '-c', _RERUN, str(ROOT/'nbs'/'06_minibatch_sgd.ipynb'), str(out)],
                       capture_output=True, text=True, timeout=580)
    assert r.returncode == 0 and out.exists(), r.stderr[-3000:]
    res = json.loads(out.read_text())
    assert not res['first'], f"Run All failed before any re-run: cell {res['first'][0][0]}: {res['first'][0][2][:500]}"
    errs = res['again']
    assert errs, 'running the init_params cell again moved no number: the check after it cannot fail'
    bare = [(i, name, value[:300]) for i, name, value in errs if 'Likely cause' not in value]
    assert not bare, f'errors without the explaining sentence: {bare}'


@pytest.mark.timeout(300)
def test_failed_check_fails_the_kernel_run(tmp_path, monkeypatch):
    """The notebook tests' kernel run (tools/nbcheck.py) stops at a failed check, and fails, with the lesson's handler
    in place: `course_setup()` explains a bare AssertionError and leaves a BookMismatch's own message; the cells after
    the failure do not run."""
    import subprocess, sys
    from mnist_hood.course import CHECK_HELP
    monkeypatch.setenv('PYTHONPATH', os.pathsep.join([str(ROOT), *filter(None, [os.environ.get('PYTHONPATH')])]))
    setup = nbformat.v4.new_code_cell('from mnist_hood.course import course_setup, mismatch\ncourse_setup()')
    cases = {'test_eq': 'from fastcore.test import test_eq\ntest_eq(1 + 1, 3)',
             'mismatch': "raise mismatch('the loss', 0.5, 0.6, 'a cell was run twice')"}
    for name, failing in cases.items():
        nb = nbformat.v4.new_notebook(cells=[setup, nbformat.v4.new_code_cell(failing), nbformat.v4.new_code_cell('print("after")')])
        nbformat.write(nb, tmp_path/f'{name}.ipynb')
        # in a child process, as the notebook tests run it (nbclient's event loop never lands in this pytest worker)
        r = subprocess.run([sys.executable, str(ROOT/'tools'/'nbcheck.py'), 'run', str(tmp_path/f'{name}.ipynb'),
                            '--out', str(tmp_path/f'{name}.run.ipynb')], capture_output=True, text=True, timeout=240)
        ok = r.returncode == 0
        ran = nbformat.read(tmp_path/f'{name}.run.ipynb', as_version=4)
        errs = [o for o in ran.cells[1].outputs if o.output_type == 'error']
        assert not ok and len(errs) == 1 and not ran.cells[2].get('outputs'), (name, ok, ran.cells[1].outputs)
        assert (CHECK_HELP in errs[0].evalue) == (name == 'test_eq') and 'Likely cause' in errs[0].evalue, errs[0].evalue
