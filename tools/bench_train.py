"""Benchmark: the training stages of `mnist-hood run` against their floor, and the whole command against an older one.

Run from the repo with the four original MNIST files (the full sample):
    MNIST_HOOD_DATA=../shared/data/mnist python tools/bench_train.py [--reps 5] [--old /tmp/oldmain --run-reps 3]

1. Stages. For each run of each stage of `mnist-hood run` (the book's stream: linear_book, basic_optim_book; 3s vs 7s:
   linear, basic_optim, learner, simple_net; ten digits: ten_digits), the wall time of `train_course_run(name, data)`
   (our trainer, with the settings of `RUNS`) against its floor: a plain PyTorch loop doing the same epochs and steps
   (same model, same loss, the same validation each epoch) over batches cut before the clock starts, so it pays no
   per-batch Python of a loader or a Learner. The two alternate within each repetition; medians and their ratio.
   A second floor column ("floor+cut") also cuts each epoch's batches inside the clock, with one index per batch, as
   any shuffled run must: the part of our time no loop can avoid.
2. Run (with --old FOLDER, a checkout of an older commit, e.g. `git worktree add /tmp/oldmain 8fa8058`): the wall time
   of `python -m mnist_hood run --out DIR` from this checkout and from FOLDER, alternated, `--run-reps` times each.
The machine's load average is printed beside the figures: two cores shared with other work make every figure noisy,
so compare figures of one run only.
"""
import argparse, os, statistics, subprocess, sys, tempfile, time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
STAGES = {"book's stream": ['linear_book', 'basic_optim_book'],
          '3s vs 7s': ['linear', 'basic_optim', 'learner', 'simple_net'],
          'ten digits': ['ten_digits']}


def load() -> str: return '/'.join(f'{x:.1f}' for x in os.getloadavg())


def cut(x, y, bs, order=None) -> list:
    "The batches of one epoch: views of `x`, `y` in order, or rows gathered by `order` one batch at a time (`index_select`, as `RowLoader` does)."
    if order is None: return [(x[i:i + bs], y[i:i + bs]) for i in range(0, len(x), bs)]
    return [(x.index_select(0, b), y.index_select(0, b)) for i in range(0, len(x), bs) for b in [order[i:i + bs]]]


def floor(name, data, cut_inside=False) -> float:
    "Seconds of a plain PyTorch loop with the settings of the course run `name`: same model, loss, epochs, steps, validation."
    from mnist_hood.course import RUNS
    from mnist_hood.linear_model import init_params, linear1, mnist_loss
    from mnist_hood.neural_net import make_simple_net
    from mnist_hood.digits import cross_entropy
    s = RUNS[name]
    epochs, lr, bs, book = s['epochs'], s['lr'], s['bs'], 'seed' not in s
    n, g = len(data.train_x), torch.Generator().manual_seed(0)
    orders = [None if book else torch.randperm(n, generator=g) for _ in range(epochs)]
    epochs_batches = None if cut_inside else [cut(data.train_x, data.train_y, bs, o) for o in orders]
    valid = cut(data.valid_x, data.valid_y, bs)
    if name == 'linear_book' or name == 'linear':
        w, b = init_params((784, 1)), init_params(1)
        params, model = [w, b], lambda xb: linear1(xb, w, b)
    else:
        net = torch.nn.Linear(784, 1) if name in ('basic_optim_book', 'basic_optim', 'learner') else \
              make_simple_net(784, s['n_hidden'], 10 if name == 'ten_digits' else 1)
        params, model = list(net.parameters()), net
    ten = name == 'ten_digits'
    loss_func = cross_entropy if ten else mnist_loss
    right = (lambda p, y: (p.argmax(1) == y).float().mean()) if ten else (lambda p, y: ((p.sigmoid() > 0.5) == y).float().mean())

    def validate():
        with torch.no_grad():
            rows = [(right(p, yb).item(), loss_func(p, yb).item(), len(yb)) for xb, yb in valid for p in [model(xb)]]
        return sum(a*k for a, _, k in rows), sum(l*k for _, l, k in rows)
    t0 = time.perf_counter()
    if name == 'linear_book': validate()
    for e in range(epochs):
        batches = cut(data.train_x, data.train_y, bs, orders[e]) if cut_inside else epochs_batches[e]
        for xb, yb in batches:
            loss_func(model(xb), yb).backward()
            with torch.no_grad():
                for p in params: p -= lr*p.grad; p.grad = None
        validate()
    return time.perf_counter() - t0


def ours(name, data) -> float:
    from mnist_hood.records import train_course_run
    t0 = time.perf_counter()
    train_course_run(name, data)
    return time.perf_counter() - t0


def stages(reps):
    from mnist_hood.data import mnist_sample, mnist_digits
    from mnist_hood.linear_model import linear_data
    from mnist_hood.digits import digit_data
    data37, data10 = linear_data(mnist_sample(quiet=True)), digit_data(mnist_digits(quiet=True))
    times = {n: dict(ours=[], floor=[], cut=[]) for names in STAGES.values() for n in names}
    before = load()
    for _ in range(reps):
        for names in STAGES.values():
            for n in names:
                d = data10 if n == 'ten_digits' else data37
                times[n]['ours'].append(ours(n, d)); times[n]['floor'].append(floor(n, d))
                times[n]['cut'].append(floor(n, d, cut_inside=True))
    med = lambda xs: statistics.median(xs)
    print(f'load average (1/5/15 min) before the stages: {before}')
    print('| stage | run | ours (s) | floor (s) | ratio | floor+cut (s) | ratio to floor+cut |\n|---|---|---|---|---|---|---|')
    for stage, names in STAGES.items():
        tot = {k: sum(med(times[n][k]) for n in names) for k in ('ours', 'floor', 'cut')}
        for n in names:
            o, f, c = (med(times[n][k]) for k in ('ours', 'floor', 'cut'))
            print(f'| {stage} | {n} | {o:.2f} | {f:.2f} | {o/f:.2f}x | {c:.2f} | {o/c:.2f}x |')
        print(f"| **{stage}** | all | {tot['ours']:.2f} | {tot['floor']:.2f} | {tot['ours']/tot['floor']:.2f}x | "
              f"{tot['cut']:.2f} | {tot['ours']/tot['cut']:.2f}x |")
    print(f'load average after: {load()}')


def whole_run(old, reps):
    out = Path(tempfile.mkdtemp(prefix='mnist_hood_bench_train_'))
    ways = {'this checkout': ROOT, f'old ({old})': Path(old)}
    times = {k: [] for k in ways}
    for i in range(reps):
        for k, folder in ways.items():
            env = dict(os.environ, PYTHONPATH=str(folder))
            t0 = time.perf_counter()
            p = subprocess.run([sys.executable, '-m', 'mnist_hood', 'run', '--out', str(out/f'{i}-{len(times[k])}-{folder.name}')],
                               cwd=folder, env=env, capture_output=True, text=True)
            times[k].append(time.perf_counter() - t0)
            if p.returncode not in (0, 1): sys.exit(f'{k}: mnist-hood run failed ({p.returncode}):\n{p.stderr[-2000:]}')
    print(f'\nload average after the runs: {load()}')
    print('| `mnist-hood run`, full sample | runs (s) | median (s) |\n|---|---|---|')
    for k, ts in times.items(): print(f"| {k} | {', '.join(f'{t:.1f}' for t in ts)} | {statistics.median(ts):.1f} |")
    new, prev = (statistics.median(ts) for ts in times.values())
    print(f'\nnew/old: {new/prev:.2f}')


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--reps', type=int, default=5)
    ap.add_argument('--old', help='a checkout of an older commit, to time `mnist-hood run` against')
    ap.add_argument('--run-reps', type=int, default=3)
    ap.add_argument('--no-stages', action='store_true')
    a = ap.parse_args()
    if not os.environ.get('MNIST_HOOD_DATA'): sys.exit('set MNIST_HOOD_DATA to the four original MNIST files (the full sample)')
    from mnist_hood.course import course_setup
    course_setup()   # one thread, as the lessons and the command train
    if not a.no_stages: stages(a.reps)
    if a.old: whole_run(a.old, a.run_reps)


if __name__ == '__main__': main()
