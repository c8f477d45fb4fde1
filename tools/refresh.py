"""Re-execute notebooks as a learner runs them (a real Jupyter kernel, every cell, `#| slow` ones included, top to
bottom) and write their fresh outputs back in place, then clean them as nbdev-clean does.

    MNIST_HOOD_DATA=../shared/data/mnist python tools/refresh.py nbs/03_broadcasting_metrics.ipynb [more ...]

The committed outputs are the full sample's: run it with `MNIST_HOOD_DATA` naming the four original MNIST files.
A notebook whose run fails is left as it was, and the error is printed; the exit status is then 1.
"""
import os, subprocess, sys, tempfile
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/'tools'))
from nbcheck import run_in_kernel  # noqa: E402  the notebook tests' way of running a notebook


def refresh(path, timeout=1200) -> bool:
    "Execute the notebook at `path` in a fresh kernel, in its folder; on success save it with its outputs and clean it."
    path = Path(path).resolve()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)/path.name
        ok, secs = run_in_kernel(path, out, timeout=timeout)   # a failure is printed on stderr
        if not ok:
            print(f'{path.name}: FAILED after {secs:.0f} s; left as it was', file=sys.stderr)
            return False
        nb = nbformat.read(out, as_version=4)
    nb.metadata.pop('nbcheck', None)
    nbformat.write(nb, path)
    subprocess.run([str(Path(sys.executable).parent/'nbdev-clean'), '--fname', str(path)], cwd=ROOT, check=True)
    print(f'{path.name}: refreshed in {secs:.0f} s')
    return True


if __name__ == '__main__':
    if not os.environ.get('MNIST_HOOD_DATA'): print('note: MNIST_HOOD_DATA is not set: outputs will not be the full sample\'s', file=sys.stderr)
    sys.exit(0 if all([refresh(p) for p in sys.argv[1:]]) else 1)
