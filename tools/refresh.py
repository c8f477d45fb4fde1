"""Re-execute notebooks as a learner runs them (a real Jupyter kernel, every cell, `#| slow` ones included, top to
bottom) and write their fresh outputs back in place, then clean them as nbdev-clean does.

    MNIST_HOOD_DATA=../shared/data/mnist python tools/refresh.py nbs/03_broadcasting_metrics.ipynb [more ...]

The committed outputs are the full sample's: run it with `MNIST_HOOD_DATA` naming the four original MNIST files.
A notebook whose run fails is left as it was, and the error is printed; the exit status is then 1.
"""
import os, subprocess, sys, time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[1]


def refresh(path, timeout=1200) -> bool:
    "Execute the notebook at `path` in a fresh kernel, in its folder; on success save it with its outputs and clean it."
    path = Path(path).resolve()
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name='python3', resources={'metadata': {'path': str(path.parent)}})
    start = time.perf_counter()
    try: client.execute()
    except CellExecutionError as e:
        print(f'{path.name}: FAILED after {time.perf_counter() - start:.0f} s\n{str(e)[-3000:]}', file=sys.stderr)
        return False
    nbformat.write(nb, path)
    subprocess.run([str(Path(sys.executable).parent/'nbdev-clean'), '--fname', str(path)], cwd=ROOT, check=True)
    print(f'{path.name}: refreshed in {time.perf_counter() - start:.0f} s')
    return True


if __name__ == '__main__':
    if not os.environ.get('MNIST_HOOD_DATA'): print('note: MNIST_HOOD_DATA is not set: outputs will not be the full sample\'s', file=sys.stderr)
    sys.exit(0 if all([refresh(p) for p in sys.argv[1:]]) else 1)
