#!/usr/bin/env python
"""Write README.md from the notebook named by `readme_nb` in pyproject.toml's [tool.nbdev] (nbs/index.ipynb).

nbdev's own `nbdev-readme` renders through Quarto, which can't be installed offline; this does the part we need:
markdown cells as they are, code cells as Python blocks followed by their text output, `#| hide` cells left out,
nbdev's `#|` directive lines dropped, and links to notebooks made relative to the repository's root.

The README's run section (what `mnist-hood run` prints, its counts, stage times and quick figures) is one markdown
cell of the index, made here from a real run's results kept in tools/readme_run.json (numbers, times and verdicts
only); `--measure` makes that file anew by running the command three times (full sample, --quick with and without
the MNIST files).

    python tools/make_readme.py           # write the index's run section and README.md
    python tools/make_readme.py --check   # exit 1 (naming what to run) when either is out of date
    python tools/make_readme.py --measure [MNIST_DIR]   # run the command, write tools/readme_run.json, then as above
"""
import json, os, re, resource, subprocess, sys, tempfile, time, tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADER = '<!-- Generated from {nb} by tools/make_readme.py: edit the notebook, then run the script. -->\n\n'
RUN_JSON = ROOT/'tools'/'readme_run.json'
RUN_MARK = '<!-- made by tools/make_readme.py from tools/readme_run.json: measure again, do not edit this cell -->'
WORDS = 'no one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty twenty-one'.split()


def _directives(src):
    "The nbdev directives (`#| name ...`) at the top of a code cell, and the source without them."
    lines, names = src.splitlines(), set()
    while lines and lines[0].startswith('#|'):
        names.add(lines.pop(0)[2:].strip().split(" ")[0])
    return names, '\n'.join(lines).strip('\n')


def _relink(md, nbs):
    "Links to files in nbs/ (`01_pixels.ipynb`, `./x.ipynb#part`) made relative to the repository's root."
    def fix(m):
        target = m.group(2)
        if re.match(r'[a-z]+:|/|#', target): return m.group(0)
        return f'{m.group(1)}({nbs}/{target.removeprefix("./")})'
    return re.sub(r'(\[[^\]]*\])\(([^)\s]+)\)', fix, md)


def _text_output(outputs):
    "The plain-text part of a code cell's outputs (results and printed text), or ''."
    parts = []
    for o in outputs:
        if o.get('output_type') == 'stream': parts.append(''.join(o.get('text', '')))
        elif 'data' in o and 'text/plain' in o['data'] and not {'image/png', 'text/html'} & set(o['data']):
            parts.append(''.join(o['data']['text/plain']))
    return ''.join(parts).strip('\n')


def render(nb_path, nbs='nbs'):
    "README.md's text, made from the notebook at `nb_path`."
    try: nb = json.loads(Path(nb_path).read_text())
    except (OSError, ValueError) as e: raise SystemExit(f'make_readme: {nb_path}: not a readable notebook ({e})')
    out = [HEADER.format(nb=f'{nbs}/{Path(nb_path).name}')]
    for c in nb['cells']:
        src = ''.join(c['source'])
        if c['cell_type'] == 'markdown': out.append(_relink(src.strip('\n'), nbs) + '\n\n')
        elif c['cell_type'] == 'code':
            names, code = _directives(src)
            if 'hide' in names or not code: continue
            out.append(f'```python\n{code}\n```\n\n')
            text = _text_output(c.get('outputs', []))
            if text: out.append(f'```\n{text}\n```\n\n')
    return ''.join(out).rstrip('\n') + '\n'


def _trim(res, wall):
    "What the README needs of a run's results.json: its rows, data line, tally and times (no paths, no images)."
    rows = [{k: r[k] for k in ('key', 'quantity', 'book', 'version', 'this_run', 'verdict')} for r in res['rows']]
    return dict(data=res['data']['detail'], source=res['data']['source'], quick=res['quick'], rows=rows,
                exit_status=res['exit_status'], timings_seconds=res['timings_seconds'], wall_seconds=round(wall, 1),
                processes=res['machine'].get('processes', 1))


def measure(mnist_dir):
    "Run `mnist-hood run` on the full sample, then `--quick` with the MNIST files and without; write tools/readme_run.json."
    runs, base = {}, {k: v for k, v in os.environ.items() if k not in ('MNIST_HOOD_DATA', 'MNIST_HOOD_OFFLINE')}
    with tempfile.TemporaryDirectory() as tmp:
        cache = {'MNIST_HOOD_CACHE': f'{tmp}/cache'}
        with_files, without = {**base, **cache, 'MNIST_HOOD_DATA': str(mnist_dir)}, {**base, **cache, 'MNIST_HOOD_OFFLINE': '1'}
        for env in (with_files, without):   # build both samples first: the runs then time the course, not the cache
            subprocess.run([sys.executable, '-m', 'mnist_hood', 'data'], env=env, check=True, capture_output=True)
        load = os.getloadavg()[0]
        for name, args, env in (('full', [], with_files), ('quick', ['--quick'], with_files), ('quick_offline', ['--quick'], without)):
            t0 = time.perf_counter()
            r = subprocess.run([sys.executable, '-m', 'mnist_hood', 'run', '--out', f'{tmp}/{name}', *args], env=env, capture_output=True, text=True)
            wall = time.perf_counter() - t0
            if r.returncode not in (0, 1): raise SystemExit(f'make_readme: mnist-hood run {" ".join(args)} failed: {r.stderr[-2000:]}')
            if r.returncode: print(f'make_readme: warning: mnist-hood run {" ".join(args)} had rows outside their bands (exit status 1)')
            runs[name] = _trim(json.loads(Path(f'{tmp}/{name}/results.json').read_text()), wall)
            if name == 'full': runs[name]['peak_gb'] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss/2**20, 2)
    meta = dict(date=time.strftime('%Y-%m-%d'), cores=os.cpu_count(), load_average=round(load, 1))
    RUN_JSON.write_text(json.dumps(dict(measured=meta, **runs), indent=1) + '\n')


def _count(n): return WORDS[n] if n < len(WORDS) else str(n)


def run_section(res) -> str:
    "The index's markdown cell on what `mnist-hood run` prints, from the measured results `res` (tools/readme_run.json)."
    sys.path.insert(0, str(ROOT))
    try: from mnist_hood.cli import IN_WORKER, format_table, tally
    finally: sys.path.pop(0)
    full, quick, offline, m = res['full'], res['quick'], res['quick_offline'], res['measured']
    rows = full['rows']
    exact = [r for r in rows if r['verdict'] == 'exact']
    band = [r for r in rows if r['verdict'].startswith('within band')]
    close = [r for r in rows if r['verdict'].startswith('within 0')]
    off = [r for r in rows if r['verdict'].startswith(('below', 'above', 'MISMATCH'))]
    t = full['timings_seconds']
    table = format_table([dict(r) for r in rows])
    apart = IN_WORKER if full.get('processes', 1) == 2 else ()
    stages = '\n'.join(f"| {k}{' (second process)' if k in apart else ''} | {v:.2f} |" for k, v in t.items())
    qt = lambda run: f"{run['timings_seconds']['total']:.1f} s"
    return f"""{RUN_MARK}
### What `mnist-hood run` prints, and how long it takes

A real run on the full sample (`MNIST_HOOD_DATA=../shared/data/mnist mnist-hood run`), on the project's
{m['cores']}-core machine on {m['date']} (load average {m['load_average']} as the runs began: other jobs were running).
{_count(len(exact)).capitalize()} rows are exact: every deterministic number, and every seeded number the book's own random stream
reproduces (the roller coaster, the random model, the book's from-scratch and `BasicOptim` runs).{
f" {_count(len(close)).capitalize()} within 0.0001 of the book: the book read its validation files in a listing order of its own disk, which moves the fourth place." if close else ''}
The {_count(len(band))} within band depend on the seed ({'; '.join(r['quantity'].rsplit(', ', 1)[0] for r in band)}):
the course trains them its own way (private seeds, shuffled batches), and holds each to the band a sweep over seeds gave,
printed beside it.{
f" Outside its band or the book's: {'; '.join(r['quantity'] for r in off)} (exit status 1)." if off else ''}

```
data: {full['data']}
{table}
{tally(full['rows'])}; {qt(full)}; figures and results.json in mnist-hood-run-DATE-TIME
```

| stage of `mnist-hood run` | seconds |
|---|---|
{stages}

The whole command took {full['wall_seconds']} s of wall time, and its larger process {full['peak_gb']} GB at its peak (the samples already built:
a first run builds them from the MNIST files, a few seconds more).

`mnist-hood run --quick` trains each run for one or two epochs. With the MNIST files it took {qt(quick)}
({tally(quick['rows'])}): the deterministic rows are exact as before, the book's own runs are compared with the book's
number for the epoch they stopped at, and the course's runs show `-` in the book column and say they are not
comparable, because their bands describe full-length runs. Without the files (`MNIST_HOOD_OFFLINE=1`, or no network
and no `MNIST_HOOD_DATA`) it took {qt(offline)} ({tally(offline['rows'])}): the course then uses its small offline sample
(400 + 100 images per digit), so only the numbers that involve no images, the gradients and the roller coaster,
can be held to the book's.

The runs use one PyTorch thread each: these models are tiny, and two threads on a busy 2-core machine were
measured up to 10x slower. On two cores the command starts a second process that runs the book's stream and the
ten digits while it runs the rest (appendix 94); the table gives each stage's own seconds, so the second process's
overlap the others', and `total` is the command's. `tools/bench_train.py` times each training stage against a plain
PyTorch loop and the command against an older commit; `tools/bench_run.py` times the command against running the
notebooks."""


def _with_run_section(nb):
    "The index notebook `nb` with its run section made from tools/readme_run.json; and whether that changed it."
    cells = [c for c in nb['cells'] if c['cell_type'] == 'markdown' and ''.join(c['source']).startswith(RUN_MARK)]
    if len(cells) != 1: raise SystemExit(f'make_readme: the index needs one markdown cell starting with {RUN_MARK}')
    text = run_section(json.loads(RUN_JSON.read_text()))
    changed = ''.join(cells[0]['source']) != text
    cells[0]['source'] = text.splitlines(True)
    return nb, changed


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    cfg = tomllib.loads((ROOT/'pyproject.toml').read_text())['tool']['nbdev']
    nbs, nb = cfg.get('nbs_path', 'nbs'), cfg.get('readme_nb', 'index.ipynb')
    if '--measure' in argv:
        rest = [a for a in argv if not a.startswith('--')]
        measure(Path(rest[0] if rest else os.environ.get('MNIST_HOOD_DATA') or ROOT.parent/'shared'/'data'/'mnist').resolve())
    index = ROOT/nbs/nb
    notebook, changed = _with_run_section(json.loads(index.read_text()))
    if '--check' in argv:
        if changed:
            print(f'{nbs}/{nb}: its run section is not what tools/readme_run.json gives; run python tools/make_readme.py'); return 1
        if (ROOT/'README.md').read_text() != render(index, nbs):
            print(f'README.md is out of date: it is made from {nbs}/{nb}; run python tools/make_readme.py'); return 1
        return 0
    if changed: index.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + '\n')
    (ROOT/'README.md').write_text(render(index, nbs))
    return 0


if __name__ == '__main__': sys.exit(main())
