"""Benchmark: writing the full 3s-and-7s sample (14,434 PNGs), the obvious way against `write_sample`.

The obvious way is a plain loop saving each image with PIL (`Image.fromarray(a).save(path)`, zlib level 1 as
`write_sample` uses); `write_sample` writes each folder in its own thread and builds the PNG bytes with `png_bytes`.
Run from the repo with the four original MNIST files:
    MNIST_HOOD_DATA=../shared/data/mnist python tools/bench_sample.py [repeats]
Both ways run in one process, alternating, each into a fresh temporary folder; the median of each is reported with
their ratio, because the machine's disk is noisy. The folders are removed only at the end: this disk is mounted with
`discard`, so deleting 14,434 files right before a write slows that write down several times over.
"""
import os, shutil, statistics, sys, tempfile, time
from pathlib import Path

import numpy as np
from PIL import Image

from mnist_hood.sources import load_mnist, write_sample


def obvious_way(root, splits, digits=(3, 7)):
    for split, (images, labels, ids) in splits.items():
        for digit in digits:
            folder = root/split/str(digit)
            folder.mkdir(parents=True)
            for i in np.flatnonzero(labels == digit): Image.fromarray(images[i]).save(folder/f'{ids[i]}.png', compress_level=1)


def timed(top, write, splits):
    root = Path(tempfile.mkdtemp(dir=top))
    t0 = time.perf_counter()
    write(root, splits)
    return time.perf_counter() - t0


def main(repeats=3):
    folder = os.environ.get('MNIST_HOOD_DATA')
    if not folder: sys.exit('bench_sample: set MNIST_HOOD_DATA to the folder of the four original MNIST files')
    tx, ty, vx, vy = load_mnist(folder)
    splits = {'train': (tx, ty, np.arange(len(tx))), 'valid': (vx, vy, np.arange(len(vx)))}
    ways = {'PIL, plain loop': obvious_way, 'write_sample': write_sample}
    times, top = {k: [] for k in ways}, tempfile.mkdtemp(prefix='mnist_hood_bench_sample_')
    try:
        for _ in range(repeats):
            for k, write in ways.items(): times[k].append(timed(top, write, splits))
    finally: shutil.rmtree(top, ignore_errors=True)
    for k, ts in times.items(): print(f"{k}: " + ', '.join(f'{t:.2f}' for t in ts) + ' s')
    obvious, ours = (statistics.median(ts) for ts in times.values())
    print(f"median: PIL in a plain loop {obvious:.2f} s, write_sample {ours:.2f} s, {obvious/ours:.1f}x faster")


if __name__ == '__main__': main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
