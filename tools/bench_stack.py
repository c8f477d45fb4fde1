"""Benchmark: stacking the sample's 12,396 training images, the book's way against `stack_images`, cold and warm.

Run from the repo (MNIST_HOOD_DATA pointing at the four original MNIST files gives the full sample):
    MNIST_HOOD_DATA=../shared/data/mnist python tools/bench_stack.py
All three ways run in one process, one after another, on the same folders; the book's way and the warm path are
timed several times and the median is reported, because the machine is noisy.
"""
import atexit, os, shutil, statistics, sys, tempfile, time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

os.environ['MNIST_HOOD_CACHE'] = tempfile.mkdtemp(prefix='mnist_hood_bench_')  # its own empty cache: a true cold start
atexit.register(shutil.rmtree, os.environ['MNIST_HOOD_CACHE'], True)  # and none left behind (a full sample is 14,434 files)
from mnist_hood.data import mnist_sample, sample_counts, stack_images
from mnist_hood.sources import _png_listing, _signature


def listing_and_signature(folder):
    "What a warm call does before reading the cache: list the folder, `stat` every file, digest the results."
    return _signature(*_png_listing(folder))


def books_way(folder):
    "PIL per file, in sorted order, stacked, to float, divided by 255 (the chapter's code, written out)."
    return torch.stack([torch.tensor(np.array(Image.open(o))) for o in sorted(Path(folder).iterdir())]).float()/255


def timed(f, *args):
    t0 = time.perf_counter(); out = f(*args); return time.perf_counter() - t0, out


def main(repeats=5):
    path = mnist_sample()
    folders = [path/'train'/'3', path/'train'/'7']
    n = sum(sample_counts(path)[k] for k in ('train/3', 'train/7'))
    both = lambda f: [f(d) for d in folders]
    book = [timed(both, books_way) for _ in range(repeats)]
    cold, ours = timed(both, stack_images)
    warm = [timed(both, stack_images)[0] for _ in range(repeats)]
    assert all(torch.equal(a, b) for a, b in zip(book[0][1], ours)), 'stack_images differs from the book'
    check = [timed(both, listing_and_signature)[0] for _ in range(repeats)]  # the part of a warm call that checks every file
    tb, tw, tc = statistics.median(t for t, _ in book), statistics.median(warm), statistics.median(check)
    print(f'{n} training images ({path})')
    print("| way | seconds | vs the book's way |\n|---|---|---|")
    print(f"| book's way (PIL per file), median of {repeats} | {tb:.3f} | 1x |")
    print(f'| stack_images, cold (reads the PNGs, writes the cache) | {cold:.3f} | {tb/cold:.1f}x |')
    print(f'| stack_images, warm (from the cache), median of {repeats} | {tw:.4f} | {tb/tw:.0f}x |')
    print(f'| of which: listing and checking every file (name, size, mtime, inode, ctime), median of {repeats} | {tc:.4f} | {tc/tw:.0%} of warm |')
    print(f"warm is {tb/tw:.0f}x the book's way: {'meets' if tb/tw >= 30 else 'BELOW'} the 30x target "
          f'(without listing and checking the files it would be about {tb/(tw-tc):.0f}x)')
    return tb/tw


if __name__ == '__main__':
    ratio = main()
    sys.exit(0 if ratio >= 30 else 1)
