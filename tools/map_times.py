"""The run times of the course map (nbs/index.ipynb): each notebook's seconds in a real Jupyter kernel, as a learner's
Run All takes them, measured two ways on this machine, with the machine's yardstick beside them.

- alone: the notebook by itself, a fresh kernel and a new, empty cache, so it also builds the sample from the MNIST
  files and trains whatever earlier run it needs;
- in order: every notebook one after another in file order, each in a fresh kernel (as a learner opens one lesson after
  another), sharing one cache.

The seconds are those of the cells (Run All), from the moment the kernel is ready; the kernel's start is recorded apart.
Run from the repo with the full data (the map's numbers are for the full sample):
    MNIST_HOOD_DATA=../shared/data/mnist python tools/map_times.py [--json F.json] [nbs/X.ipynb ...]
It prints a markdown table (notebook, alone, in order, the 1-minute load average when each run started) and, with
--json, writes every figure. The caches are made in a temporary folder and removed only at the end: this disk is
mounted with `discard`, and deleting a sample's 14,434 files right before a run slows that run down.

The machine is noisy (the same lesson has taken 14 s and 21 s ten minutes apart on it), so the table ends with a
yardstick taken before and after the runs: the median seconds of a fixed matrix product in PyTorch on one thread
(512x512 by 512x512, 50 times), of ten million Python additions, and the load average. Compare figures of one run, and
runs whose yardsticks agree.
"""
import argparse, json, os, platform, shutil, statistics, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/'tools'))
from nbcheck import run_in_kernel  # noqa: E402


def run(nb, cache, out) -> dict:
    "Execute notebook `nb` in a fresh kernel with `cache` as MNIST_HOOD_CACHE: its seconds, kernel start, outcome and the load when it began."
    load = os.getloadavg()[0]
    ok, secs = run_in_kernel(ROOT/nb, out, env=dict(MNIST_HOOD_CACHE=str(cache)))
    meta = json.loads(Path(out).read_text())['metadata']['nbcheck']
    return dict(seconds=round(secs, 1), kernel_start=round(meta.get('kernel_start', 0), 1), ok=ok, load=round(load, 2))


def yardstick() -> dict:
    "How fast this machine runs just now: a fixed matmul on one PyTorch thread, Python additions, the load average."
    import torch
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        a, b = torch.randn(512, 512, generator=torch.Generator().manual_seed(0)), torch.randn(512, 512)
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            for _ in range(50): a @ b
            times.append(time.perf_counter() - t0)
    finally: torch.set_num_threads(threads)
    t0, total = time.perf_counter(), 0
    for i in range(10_000_000): total += i
    adds = time.perf_counter() - t0
    return dict(matmul_s=round(statistics.median(times), 3), python_adds_s=round(adds, 2),
                load=[round(x, 2) for x in os.getloadavg()], cpus=os.cpu_count())


def table(res) -> str:
    show = lambda r: f"{r['seconds']:.1f}" + ('' if r['ok'] else ' (failed)')
    rows = ['| notebook | alone (s) | in order (s) | load (alone, in order) |', '|---|---:|---:|---:|']
    for nb in res['notebooks']:
        a, o = res['alone'][nb], res['in_order'][nb]
        rows.append(f"| {Path(nb).name} | {show(a)} | {show(o)} | {a['load']:.1f}, {o['load']:.1f} |")
    y0, y1 = res['yardstick_before'], res['yardstick_after']
    tot = lambda k: sum(res[k][nb]['seconds'] for nb in res['notebooks'])
    rows += ['', f"total: {tot('alone'):.0f} s alone, {tot('in_order'):.0f} s in order (seconds of the cells; a kernel "
             f"starts in {statistics.median(r['kernel_start'] for r in res['alone'].values()):.1f} s more)",
             f"yardstick (matmul 512x512 x50 on 1 thread / 10M Python additions / load average, of {y0['cpus']} CPUs): "
             f"{y0['matmul_s']:.3f} s / {y0['python_adds_s']:.2f} s / {y0['load'][0]:.1f} before the runs, "
             f"{y1['matmul_s']:.3f} s / {y1['python_adds_s']:.2f} s / {y1['load'][0]:.1f} after"]
    return '\n'.join(rows)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('nbs', nargs='*', help='notebooks (default: the numbered ones, nbs/[0-9]*.ipynb)')
    p.add_argument('--json', help='also write every figure to this JSON file')
    a = p.parse_args(argv)
    if not os.environ.get('MNIST_HOOD_DATA'): sys.exit('map_times: set MNIST_HOOD_DATA to the four original MNIST files (the map is for the full sample)')
    nbs = a.nbs or sorted(str(p.relative_to(ROOT)) for p in (ROOT/'nbs').glob('[0-9]*.ipynb'))
    res = dict(notebooks=nbs, machine=platform.platform(), python=platform.python_version(), yardstick_before=yardstick(),
               alone={}, in_order={})
    top = Path(tempfile.mkdtemp(prefix='mnist_hood_map_times_'))
    try:
        for i, nb in enumerate(nbs):
            time.sleep(2)   # let the previous run's writes settle
            res['alone'][nb] = run(nb, top/f'alone-{i}', top/'out.ipynb')
            print(f"alone    {nb}: {res['alone'][nb]}", file=sys.stderr)
        for nb in nbs:
            res['in_order'][nb] = run(nb, top/'in-order', top/'out.ipynb')
            print(f"in order {nb}: {res['in_order'][nb]}", file=sys.stderr)
    finally: shutil.rmtree(top, ignore_errors=True)
    res['yardstick_after'] = yardstick()
    if a.json: Path(a.json).write_text(json.dumps(res, indent=1) + '\n')
    print(table(res))
    return 0 if all(r['ok'] for r in [*res['alone'].values(), *res['in_order'].values()]) else 1


if __name__ == '__main__': sys.exit(main())
