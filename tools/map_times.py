"""The run times of the course map (nbs/index.ipynb): each notebook's seconds, measured two ways on this machine.

- alone: the notebook by itself with a new, empty cache, so it also builds the sample from the MNIST files and trains
  whatever earlier run it needs;
- in order: every notebook one after another in file order, sharing one cache, as a learner reading the course runs them.

Each run is `python tools/nbcheck.py run` (nbdev-test's way of executing, in a fresh process); the seconds are its
execution time. Run from the repo with the full data (the map's numbers are for the full sample):
    MNIST_HOOD_DATA=../shared/data/mnist python tools/map_times.py [nbs/X.ipynb ...]
The caches are made in a temporary folder and removed only at the end: this disk is mounted with `discard`, and deleting
a sample's 14,434 files right before a run slows that run down. The machine is noisy: the same lesson has taken 14 s
and 21 s ten minutes apart on it. So the table ends with a yardstick, the seconds ten million Python additions took
before and after the runs (0.4 to 0.5 s on a quiet minute of the project's 2-core machine, over 1 s on a busy one):
compare figures of one run, and runs whose yardsticks agree.
"""
import json, os, shutil, subprocess, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(nb, cache, out) -> tuple:
    "Execute notebook `nb` with `cache` as MNIST_HOOD_CACHE; `(seconds, ok)`."
    env = dict(os.environ, MNIST_HOOD_CACHE=str(cache))
    subprocess.run([sys.executable, str(ROOT/'tools'/'nbcheck.py'), 'run', str(nb), '--out', str(out)], cwd=ROOT, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try: meta = json.loads(Path(out).read_text())['metadata']['nbcheck']
    except (OSError, ValueError, KeyError): return float('nan'), False
    return meta['seconds'], meta['ok']


def yardstick() -> float:
    "Seconds for ten million additions in a Python loop: how fast this machine is running just now."
    t0, total = time.perf_counter(), 0
    for i in range(10_000_000): total += i
    return time.perf_counter() - t0


def main(nbs):
    if not os.environ.get('MNIST_HOOD_DATA'): sys.exit('map_times: set MNIST_HOOD_DATA to the four original MNIST files (the map is for the full sample)')
    top, before = Path(tempfile.mkdtemp(prefix='mnist_hood_map_times_')), yardstick()
    try:
        alone = {}
        for i, nb in enumerate(nbs):
            time.sleep(2)   # let the previous run's writes settle
            alone[nb] = run(nb, top/f'alone-{i}', top/'out.ipynb')
        in_order = {nb: run(nb, top/'in-order', top/'out.ipynb') for nb in nbs}
    finally: shutil.rmtree(top, ignore_errors=True)
    show = lambda r: f'{r[0]:.1f}' + ('' if r[1] else ' (failed)')
    print('| notebook | alone (s) | in order (s) |\n|---|---:|---:|')
    for nb in nbs: print(f'| {Path(nb).name} | {show(alone[nb])} | {show(in_order[nb])} |')
    print(f'\nyardstick (10M Python additions): {before:.2f} s before the runs, {yardstick():.2f} s after')
    return 0 if all(r[1] for r in [*alone.values(), *in_order.values()]) else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:] or sorted(str(p.relative_to(ROOT)) for p in (ROOT/'nbs').glob('[0-9]*.ipynb'))))
