"""Benchmark: writing the full 3s-and-7s sample (14,434 PNGs), the plain loop (`workers=1`) against the threaded default.

Run from the repo with the four original MNIST files:
    MNIST_HOOD_DATA=../shared/data/mnist python tools/bench_sample.py [repeats]
Both ways run in one process, alternating, each into a fresh temporary folder; the median of each is reported with
their ratio, because the machine's disk is noisy. The folders are removed only at the end: this disk is mounted with
`discard`, so deleting 14,434 files right before a write slows that write down several times over.
"""
import os, shutil, statistics, sys, tempfile, time
from pathlib import Path

import numpy as np

from mnist_hood.sources import load_mnist, write_sample


def timed_write(top, splits, workers):
    root = Path(tempfile.mkdtemp(dir=top))
    t0 = time.perf_counter()
    write_sample(root, splits, workers=workers)
    return time.perf_counter() - t0


def main(repeats=3):
    folder = os.environ.get('MNIST_HOOD_DATA')
    if not folder: sys.exit('bench_sample: set MNIST_HOOD_DATA to the folder of the four original MNIST files')
    tx, ty, vx, vy = load_mnist(folder)
    splits = {'train': (tx, ty, np.arange(len(tx))), 'valid': (vx, vy, np.arange(len(vx)))}
    times, top = {1: [], 4: []}, tempfile.mkdtemp(prefix='mnist_hood_bench_sample_')
    try:
        for _ in range(repeats):
            for workers in times: times[workers].append(timed_write(top, splits, workers))
    finally: shutil.rmtree(top, ignore_errors=True)
    plain, threaded = (statistics.median(times[w]) for w in (1, 4))
    for w, ts in times.items(): print(f"workers={w}: " + ', '.join(f'{t:.2f}' for t in ts) + ' s')
    print(f"median: plain loop {plain:.2f} s, four threads {threaded:.2f} s, {plain/threaded:.1f}x faster")


if __name__ == '__main__': main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
