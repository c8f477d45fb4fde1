"""Per notebook: the seconds a test run took to execute it, and the minutes it takes to read, as a markdown table.

Run times come from the notebook tests of tests/test_project.py (each notebook in a fresh Jupyter kernel; the seconds
of its cells, the kernel's start apart), which write one `<notebook>.json` per notebook into `$MNIST_HOOD_NB_TIMES`
(else `notebook-times` in the pytest run's tmp folder). They run two notebooks at a time; for the course map's
figures, measured alone and in order with a yardstick, use tools/map_times.py. Reading time is the word count
of a notebook's markdown and visible code cells at 200 words a minute (hidden cells are collapsed in Jupyter and
dropped by the site; an optional '## Going further' section is counted apart).

    MNIST_HOOD_NB_TIMES=/tmp/nb-times bash tools/test.sh -k test_notebook
    python tools/lesson_minutes.py --times /tmp/nb-times
With no --times and no $MNIST_HOOD_NB_TIMES it uses the newest `notebook-times` folder of this user's pytest runs.
"""
import argparse, getpass, json, os, sys, tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORDS_PER_MINUTE = 200


def _src(c) -> str: return ''.join(c['source']) if isinstance(c['source'], list) else c['source']


def words(nb_path, optional: bool = False) -> int:
    """Words a reader reads in the notebook at `nb_path`: its markdown and visible code cells (the `#| hide` cells,
    collapsed in Jupyter and dropped by the site, and the outputs are not counted). With `optional`, only those of
    its optional "## Going further" section; without, only those before it."""
    n, further = [0, 0], False
    for c in json.loads(Path(nb_path).read_text())['cells']:
        src = _src(c)
        if c['cell_type'] == 'markdown' and src.lstrip().startswith('## Going further'): further = True
        if c['cell_type'] == 'markdown' or (c['cell_type'] == 'code' and not src.lstrip().startswith('#| hide')):
            n[further] += len(src.split())
    return n[optional]


def minutes(nb_path) -> str:
    "Minutes to read, at 200 words a minute, with the optional section's apart: '20' or '20 + 22 optional'."
    main, extra = (round(words(nb_path, o)/WORDS_PER_MINUTE) for o in (False, True))
    return f'{main}' + (f' + {extra} optional' if extra else '')


def newest_times_dir():
    "The newest `notebook-times` folder under this user's pytest tmp root, or None."
    root = Path(tempfile.gettempdir())/f'pytest-of-{getpass.getuser()}'
    found = sorted(root.glob('pytest-*/notebook-times'), key=lambda p: p.stat().st_mtime) if root.exists() else []
    return found[-1] if found else None


def table(nbs_dir, times_dir) -> str:
    rows = ['| notebook | seconds to run | minutes to read |', '|---|---:|---:|']
    for nb in sorted(p for p in Path(nbs_dir).glob('*.ipynb') if not p.name.startswith(('_', '.'))):
        rec = Path(times_dir)/f'{nb.name}.json' if times_dir else None
        secs = '-'
        if rec and rec.exists():
            r = json.loads(rec.read_text())
            secs = f"{r['seconds']:.1f}" + ('' if r.get('passed', True) else ' (failed)')
        rows.append(f'| {nb.name} | {secs} | {minutes(nb)} |')
    return '\n'.join(rows)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--times', help='folder of <notebook>.json run times (default: $MNIST_HOOD_NB_TIMES, else the newest pytest run)')
    p.add_argument('--nbs', default=str(ROOT/'nbs'), help='folder of notebooks (default: nbs/)')
    a = p.parse_args(argv)
    times = a.times or os.environ.get('MNIST_HOOD_NB_TIMES') or newest_times_dir()
    if times is None or not Path(times).is_dir():
        print('no run times found (run the notebook tests first); showing reading times only', file=sys.stderr)
        times = None
    else: print(f'run times from {times}', file=sys.stderr)
    print(table(a.nbs, times))


if __name__ == '__main__': main()
