"""Lessons in a real Jupyter kernel, as a learner runs them: a cell run twice, then the cells after it, fails only
with the explaining sentence, never a bare AssertionError or an unrelated error."""
import os
from pathlib import Path

import pytest

nbformat = pytest.importorskip('nbformat')
nbclient = pytest.importorskip('nbclient')

ROOT = Path(__file__).resolve().parents[1]


def _errors(cells):
    return [(i, o) for i, c in cells for o in c.get('outputs', []) if o.get('output_type') == 'error']


@pytest.mark.timeout(600)
def test_rerun_explains_itself(mnist_dir, monkeypatch):
    """Lesson 6 in a kernel: run all; then run its first `init_params` cell again (the random stream moves on) and
    every cell after it. Whatever fails must say what was expected, the likely cause and what to do."""
    monkeypatch.setenv('MNIST_HOOD_DATA', str(mnist_dir))
    path = ROOT/'nbs'/'06_minibatch_sgd.ipynb'
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name='python3', allow_errors=True,
                                     resources={'metadata': {'path': str(path.parent)}})
    code = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == 'code']
    start = next(i for i, c in code if 'init_params(' in c.source and not c.source.lstrip().startswith('#| export'))
    with client.setup_kernel():
        for i, c in code: client.execute_cell(c, i)
        first = _errors(code)
        assert not first, f'Run All failed before any re-run: cell {first[0][0]}: {first[0][1]["evalue"][:500]}'
        again = [(i, c) for i, c in code if i >= start]
        for i, c in again: client.execute_cell(c, i)
    errs = _errors(again)
    assert errs, 'running the init_params cell again moved no number: the check after it cannot fail'
    bare = [(i, o['ename'], o['evalue'][:300]) for i, o in errs if 'Likely cause' not in o['evalue']]
    assert not bare, f'errors without the explaining sentence: {bare}'
