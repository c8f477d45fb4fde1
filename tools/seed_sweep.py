"""Seed sweep of the course's own seeded training runs: the bands behind the lessons' asserts.

The lessons assert the accuracies of their seed-42 runs. Another CPU or torch version can move the
last digit, so each assert is held to a band: what the same run gives over seeds 0-19. This script
trains each run for those seeds and for 42, exactly as its lesson does, and prints per run: seed 42's
value, the min, max and median over the swept seeds (42 apart), and the seconds the sweep took.

The sample comes from the environment, as for the lessons (a private cache keeps runs apart):
    full:    MNIST_HOOD_DATA=/path/to/the/four/mnist/files MNIST_HOOD_CACHE=$(mktemp -d) MNIST_HOOD_QUIET=1 \\
             python tools/seed_sweep.py --json full.json
    offline: MNIST_HOOD_OFFLINE=1 MNIST_HOOD_CACHE=$(mktemp -d) MNIST_HOOD_QUIET=1 python tools/seed_sweep.py
Options: --runs linear,basic_optim,...  (default: all but resnet18), --seeds 0-19 (or 0,3,7; '' for 42 only),
--threads 1 (the lessons' torch.set_num_threads), --resnet18 SEEDS (add the slow resnet18, over its own seeds),
--json FILE (every seed's value, and the setup). To see whether seed 42 moves with the CPU path, rerun with
`--seeds ''` under ATEN_CPU_CAPABILITY=default (set before python starts) or with --threads 4.

The runs (lesson: what its assert reads):
  linear             06, `history[-1]`: train_linear(data, seed=s)
  basic_optim        07, `history[-1]`: train_basic_optim(data, seed=s)
  learner            07, `learn_history[-1]`: train_learner(data, seed=s)
  simple_net         08, `run.accuracy`: train_simple_net(data, seed=s)
  linear_40          08, `linear[-1]`: BasicLearner(*seeded_setup(data, 256, s)).fit(40, 0.1)
  ten_digits         09, `run.accuracy`: train_ten_digits(data, seed=s) (RUNS: 5 epochs); also its confusion matrix's
                     errors and largest off-diagonal cell (actual, predicted, count)
  ten_digits_linear  09, `linear.accuracy`: train_ten_digits(data, n_hidden=0, seed=s)
  resnet18           08 (slow), `resnet_run.accuracy`: train_resnet18(path, seed=s)
"""
import argparse, functools, json, os, statistics, sys, time, warnings
warnings.filterwarnings('ignore', category=FutureWarning)   # said by fastai's import, not ours
import torch, fastai
from mnist_hood.data import mnist_sample, mnist_digits, is_full_sample
from mnist_hood.linear_model import linear_data
from mnist_hood.training import train_linear
from mnist_hood.learner import train_basic_optim, train_learner, BasicLearner, seeded_setup
from mnist_hood.neural_net import train_simple_net, train_resnet18
from mnist_hood.digits import digit_data, train_ten_digits, confusion_matrix, most_confused

@functools.cache
def sample(): return mnist_sample()                       # the 3s and 7s folder
@functools.cache
def data37(): return linear_data(sample())                # its tensors
@functools.cache
def digits(): return mnist_digits()                        # all ten digits
@functools.cache
def data10(): return digit_data(digits())

def linear_40(s):
    "Lesson 8's linear model beside the net: 40 epochs of BasicLearner at 0.1 on seeded_setup's RowLoaders."
    dls, model = seeded_setup(data37(), 256, s)
    return [round(v[2], 4) for v in BasicLearner(dls, model).fit(40, 0.1).values][-1]

def ten_digits(s):
    "Lesson 9's 784-30-10 net, and what its confusion matrix shows: the errors and the largest wrong cell."
    run, data = train_ten_digits(data10(), seed=s, quiet=True), data10()
    with torch.no_grad(): preds = run.model.eval()(data.valid_x).argmax(dim=1)
    cm = confusion_matrix(preds, data.valid_y)
    top = most_confused(cm, 2)                               # (actual, predicted, count), largest first
    return run.accuracy, dict(errors=int(cm.sum() - cm.diag().sum()), top=list(top[0]),
                              tie=len(top) > 1 and top[1][2] == top[0][2])

RUNS = {  # name: seed -> value, or (value, extras)
    'linear':            lambda s: train_linear(data37(), seed=s).accuracy,
    'basic_optim':       lambda s: train_basic_optim(data37(), seed=s).accuracy,
    'learner':           lambda s: train_learner(data37(), seed=s, quiet=True).accuracy,
    'simple_net':        lambda s: train_simple_net(data37(), seed=s, quiet=True).accuracy,
    'linear_40':         linear_40,
    'ten_digits':        ten_digits,
    'ten_digits_linear': lambda s: train_ten_digits(data10(), n_hidden=0, seed=s, quiet=True).accuracy,
    'resnet18':          lambda s: train_resnet18(sample(), seed=s, quiet=True).accuracy,
}
CHEAP = [r for r in RUNS if r != 'resnet18']

def parse_seeds(text):
    "'0-19' -> [0, ..., 19]; '0,3,7' -> [0, 3, 7]; '' -> []."
    seeds = []
    for part in filter(None, text.replace(' ', '').split(',')):
        lo, _, hi = part.partition('-')
        seeds += range(int(lo), int(hi or lo) + 1)
    return seeds

def sweep(name, seeds):
    "Train run `name` for seed 42 and each of `seeds`; its values, extras and statistics."
    (data10 if name.startswith('ten_digits') else data37)()   # load the data first, outside the timing
    values, extras, t0 = {}, {}, time.perf_counter()
    for s in [42] + [s for s in seeds if s != 42]:
        t = time.perf_counter()
        out = RUNS[name](s)
        values[s], extra = out if isinstance(out, tuple) else (out, None)
        if extra is not None: extras[s] = extra
        print(f'  {name} seed {s}: {values[s]:.4f} {extra or ""} ({time.perf_counter() - t:.1f}s)', file=sys.stderr, flush=True)
    swept = [values[s] for s in seeds]
    stats = dict(min=min(swept), max=max(swept), median=statistics.median(swept)) if swept else {}
    return dict(seed42=values[42], n_seeds=len(swept), **stats, seconds=round(time.perf_counter() - t0, 1),
                values=values, **({'extras': extras} if extras else {}))

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--runs', default=','.join(CHEAP), help=f"comma-separated, of: {', '.join(RUNS)}")
    p.add_argument('--seeds', default='0-19', help="seeds to sweep besides 42: '0-19', '0,3,7', or '' for 42 only")
    p.add_argument('--threads', type=int, default=1, help='torch.set_num_threads (the lessons: 1)')
    p.add_argument('--resnet18', metavar='SEEDS', help="also sweep the slow resnet18 over these seeds (and 42), e.g. '0-4'")
    p.add_argument('--json', metavar='FILE', help='write every value and the setup to FILE')
    a = p.parse_args()
    plan = [(r, parse_seeds(a.seeds)) for r in filter(None, a.runs.split(',')) if r != 'none']
    if a.resnet18 is not None: plan.append(('resnet18', parse_seeds(a.resnet18)))
    if bad := [r for r, _ in plan if r not in RUNS]: p.error(f"unknown runs {bad}; known: {', '.join(RUNS)}")
    torch.set_num_threads(a.threads)
    setup = dict(torch=torch.__version__, fastai=fastai.__version__, threads=torch.get_num_threads(),
                 cpu_capability=torch.backends.cpu.get_cpu_capability(), ATEN_CPU_CAPABILITY=os.environ.get('ATEN_CPU_CAPABILITY'),
                 sample='offline' if os.environ.get('MNIST_HOOD_OFFLINE') else os.environ.get('MNIST_HOOD_DATA', 'default'))
    print(' '.join(f'{k}={v}' for k, v in setup.items()))
    results = {}
    for name, seeds in plan:
        results[name] = r = sweep(name, seeds)
        r['full'] = digits().full if name.startswith('ten_digits') else is_full_sample(sample())   # which sample it ran on
    f = lambda v, d=4: '-' if v is None else f'{v:.{d}f}'
    print(f"\n{'run':18} {'seed 42':>8} {'min':>8} {'max':>8} {'median':>8} {'seeds':>5} {'seconds':>8}")
    for name, r in results.items():
        print(f"{name:18} {f(r['seed42']):>8} {f(r.get('min')):>8} {f(r.get('max')):>8} {f(r.get('median'), 5):>8} "
              f"{r['n_seeds']:>5} {r['seconds']:>8.1f}")
        if 'extras' in r:
            ex = [r['extras'][s] for s in r['values'] if s != 42]
            e42 = r['extras'][42]
            if ex: print(f"  confusion: errors {min(e['errors'] for e in ex)}-{max(e['errors'] for e in ex)} (seed 42: {e42['errors']}); "
                         f"largest wrong cell {min(e['top'][2] for e in ex)}-{max(e['top'][2] for e in ex)} (seed 42: {tuple(e42['top'])}); "
                         f"its (actual, predicted): {sorted({tuple(e['top'][:2]) for e in ex})}")
            else: print(f"  confusion, seed 42: errors {e42['errors']}, largest wrong cell {tuple(e42['top'])}")
    if a.json:
        with open(a.json, 'w') as fh: json.dump(dict(setup=setup, runs=results), fh, indent=1)

if __name__ == '__main__': main()
