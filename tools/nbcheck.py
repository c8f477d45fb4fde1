"""Checks on the course's notebooks, used by tests/test_notebooks.py and tests/test_project.py.

Static checks (no execution), two of the course's writing rules:
  - `unchecked_floats(nb)`: a code cell whose committed output shows a float but which holds no check
    (`test_eq`, `test_close`, `test_fail`, ..., `assert`, `check(`). A cell with a comment line
    `# for reading: <why>` is allowed, and so are the cells of `ALLOWED` below.
  - `self_checks(nb)`: a check whose two sides are the same expression, as written or once a name is replaced by
    the single expression last assigned to it (`m = x.mean(0)` ... `test_eq(m, x.mean(0))`).

Running and comparing:
  - `run_in_kernel(path, out)`: executes the notebook as a learner's Run All does (and `jupyter nbconvert --execute`):
    a fresh Jupyter kernel (nbclient, ipykernel), every cell top to bottom, `#| slow` ones included; writes the executed
    notebook to `out` with the run's seconds and the indices of the cells that ran in its metadata. The tests use it.
  - `run_notebook(path, out)`: the same as nbdev-test does it (execnb's CaptureShell, in-process; cells flagged
    `#| slow` skipped unless `MNIST_HOOD_TEST_FLAGS=slow`). Kept for comparing the two ways; the tests don't use it.
  - `stale_outputs(committed, executed)`: every number in a text output of a cell that ran, compared with the
    committed one to the committed one's printed precision. Skipped: cells with a comment line `# varies: <why>`,
    images, memory addresses (hex), timings (a number followed by a time unit, or mm:ss).

Command line (from the repository's root):
    python tools/nbcheck.py static [nbs/X.ipynb ...]       # print every offending cell of the static checks
    python tools/nbcheck.py run nbs/X.ipynb --out F.ipynb  # execute in a Jupyter kernel; exit status 1 on failure
    python tools/nbcheck.py run nbs/X.ipynb --out F.ipynb --execnb   # ... or as nbdev-test does
    python tools/nbcheck.py compare nbs/X.ipynb F.ipynb    # committed outputs vs an executed copy
    python tools/nbcheck.py stats [nbs/X.ipynb ...]         # what a learner reads, per lesson (goals in tests/test_notebooks.py)
    python tools/nbcheck.py collapse [nbs/X.ipynb ...]      # mark `#| hide` cells collapsed in Jupyter
"""
from __future__ import annotations
import ast, json, os, re, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Cells allowed to show a float without a check: (notebook, text the cell's source contains) -> why.
ALLOWED = {
}

CHECK_RE = re.compile(r'\b(test_(eq|ne|close|fail|is|eq_type|shuffled|stdout|warns)\w*|check|as_book|in_band)\s*\(|\bassert\b')
READING_RE = re.compile(r'^\s*#\s*for reading:\s*\S', re.M)
VARIES_RE = re.compile(r'^\s*#\s*varies:\s*\S', re.M)
# a number standing alone: not part of a word, a hex address or a dotted version; floats need a point or exponent
NUM_RE = re.compile(r'(?<![\w.])[-+]?(?:\d+\.\d*(?:[eE][-+]?\d+)?|\d+[eE][-+]?\d+|\d+)(?![\w.]|\.\d)')
FLOAT_RE = re.compile(r'(?<![\w.])[-+]?(?:\d+\.\d*(?:[eE][-+]?\d+)?|\d+[eE][-+]?\d+)(?![\w.]|\.\d)')
TIME_RE = re.compile(r'\b\d+:\d\d(?::\d\d)?\b'                                             # 00:01, 1:02:03
                     r'|(?<![\w.])\d+(?:\.\d+)?\s*(?:s|ms|µs|us|ns|sec|secs|seconds|min|minutes)\b'  # 1.2 s
                     r'|\b(?:seconds|secs|elapsed|duration|wall)\s*[=:]\s*[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?')  # seconds=1.07
IMAGE_TYPES = ('image/png', 'image/jpeg', 'image/svg+xml')


def read_nb(path) -> dict:
    return json.loads(Path(path).read_text())


def source(cell) -> str:
    s = cell.get('source', '')
    return ''.join(s) if isinstance(s, list) else s


def first_line(cell) -> str:
    lines = [l for l in source(cell).splitlines() if l.strip() and not l.lstrip().startswith('#|')]
    return (lines[0] if lines else source(cell).split('\n')[0])[:100]


def code_cells(nb):
    "(index, cell) of each code cell of the notebook `nb` (a dict)."
    return [(i, c) for i, c in enumerate(nb['cells']) if c['cell_type'] == 'code']


def _text(x) -> str: return ''.join(x) if isinstance(x, list) else (x or '')


def as_terminal(text) -> str:
    "What a terminal shows of `text`: of each line rewritten with carriage returns (progress bars), its last version."
    return '\n'.join(next((p for p in reversed(line.split('\r')) if p.strip()), '') for line in text.split('\n'))


def shown_texts(cell) -> list:
    "The texts a cell's outputs show: stdout (as a terminal shows it) and the text of results and displays that are not images."
    out = []
    for o in cell.get('outputs', []):
        if o.get('output_type') == 'stream':
            if o.get('name') == 'stdout': out.append(as_terminal(_text(o.get('text'))))
        elif o.get('output_type') in ('execute_result', 'display_data'):
            data = o.get('data', {})
            if any(t in data for t in IMAGE_TYPES): continue
            out.append(_text(data.get('text/plain')))
    return out


def _allowed(nbname, src):
    return next((why for (n, s), why in ALLOWED.items() if n == nbname and s in src), None)


def is_hidden(cell) -> bool:
    "A code cell the site drops and Jupyter shows collapsed: first line `#| hide`."
    return cell['cell_type'] == 'code' and bool(re.match(r'\s*#\|\s*hide\b', source(cell)))


def _with_hidden_after(nb, i) -> str:
    "The source of cell `i` and of the hidden code cells right after it, where its checks may live."
    srcs, j = [source(nb['cells'][i])], i + 1
    while j < len(nb['cells']) and is_hidden(nb['cells'][j]): srcs.append(source(nb['cells'][j])); j += 1
    return '\n'.join(srcs)


def unchecked_floats(path) -> list:
    "Cells of the notebook at `path` that show a float with no check in them or in the hidden cells after them: [(index, first line)]."
    nb, name = read_nb(path), Path(path).name
    bad = []
    for i, c in code_cells(nb):
        src = _with_hidden_after(nb, i)
        if not any(FLOAT_RE.search(TIME_RE.sub(' ', t)) for t in shown_texts(c)): continue
        if CHECK_RE.search(src) or READING_RE.search(src) or _allowed(name, src): continue
        bad.append((i, first_line(c)))
    return bad


# ---- checks whose two sides are the same expression ----
CHECK_FUNCS = {'test_eq', 'test_ne', 'test_close', 'test_is', 'test_eq_type', 'test_shuffled'}


def _parse(src):
    "The cell's code as an AST, IPython magics and shell lines blanked; None if it still does not parse."
    lines = ['' if l.lstrip().startswith(('%', '!')) else l for l in src.splitlines()]
    try: return ast.parse('\n'.join(lines))
    except SyntaxError: return None


def _dump(node): return ast.dump(node, annotate_fields=False)


def _subst(node, defs):
    "`node` with each bare name replaced once by the expression last assigned to it (no recursion)."
    if isinstance(node, ast.Name) and node.id in defs: return defs[node.id]
    class T(ast.NodeTransformer):
        def visit_Name(self, n): return defs.get(n.id, n) if isinstance(n.ctx, ast.Load) else n
    return T().visit(ast.parse(ast.unparse(node), mode='eval').body)


def _same(a, b, defs) -> bool:
    "Same expression as written, or once the names of ONE side are replaced by the expressions last assigned to them."
    da, db = _dump(a), _dump(b)
    return da == db or _dump(_subst(a, defs)) == db or da == _dump(_subst(b, defs))


def _scope_walk(node):
    "Like ast.walk, but not into the bodies of functions, lambdas and classes (their names are not the cell's)."
    todo = [node]
    while todo:
        n = todo.pop(0)
        yield n
        todo += [c for c in ast.iter_child_nodes(n)
                 if not isinstance(c, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef))]


def _is_check_call(call) -> bool:
    f = call.func
    name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ''
    return bool(re.fullmatch(r'test_\w+|check|print|display', name))


PURE = {'len', 'round', 'float', 'int', 'bool', 'str', 'abs', 'sorted', 'list', 'tuple', 'set', 'dict', 'sum', 'min',
        'max', 'isinstance', 'type', 'range', 'zip', 'enumerate', 'repr', 'all', 'any', 'tensor'}


def _has_effects(stmt) -> bool:
    """Whether `stmt` may change what an expression gives: a call made for its effect (`train_epoch(...)`,
    `loss.backward()`), or a check calling a function of ours (`test_eq(at_book_stream('x'), True)`)."""
    for node in _scope_walk(stmt):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            if not _is_check_call(node.value): return True
            for n in ast.walk(node.value):
                if isinstance(n, ast.Call) and n is not node.value and isinstance(n.func, ast.Name) \
                        and n.func.id not in PURE and not _is_check_call(n): return True
    return False


def _record_assignments(stmt, defs):
    "Update `defs` (name -> the expression last assigned to it) after the statement `stmt`."
    if _has_effects(stmt):
        # forget every definition, rather than call a real before/after check a restatement
        defs.clear()
        return
    for node in _scope_walk(stmt):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            t = node.targets[0]
            if isinstance(t, ast.Name): defs[t.id] = node.value
            elif isinstance(t, ast.Tuple) and isinstance(node.value, ast.Tuple) and len(t.elts) == len(node.value.elts):
                for n, v in zip(t.elts, node.value.elts):
                    if isinstance(n, ast.Name): defs[n.id] = v
            else:
                for n in ast.walk(t):
                    if isinstance(n, ast.Name): defs.pop(n.id, None)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)) and isinstance(node.target, ast.Name):
            defs.pop(node.target.id, None)
        elif isinstance(node, (ast.For, ast.comprehension)):
            for n in ast.walk(node.target):
                if isinstance(n, ast.Name): defs.pop(n.id, None)


def _identical_compares(node, defs):
    "Comparisons inside `node` whose two sides are the same expression."
    for n in ast.walk(node):
        if isinstance(n, ast.Compare) and len(n.ops) == 1 and _same(n.left, n.comparators[0], defs):
            yield ast.unparse(n)


def self_checks(path) -> list:
    "Checks of the notebook at `path` that compare an expression with itself: [(index, first line, the check)]."
    nb, name = read_nb(path), Path(path).name
    bad, defs = [], {}
    for i, c in code_cells(nb):
        tree = _parse(source(c))
        if tree is None: continue
        found = []
        for stmt in tree.body:
            for node in ast.walk(stmt):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in CHECK_FUNCS \
                        and len(node.args) >= 2:
                    if _same(node.args[0], node.args[1], defs): found.append(ast.unparse(node))
                    else: found += [f'{node.func.id}({s}, ...)' for s in _identical_compares(node.args[0], defs)]
                elif isinstance(node, ast.Assert):
                    found += [f'assert {s}' for s in _identical_compares(node.test, defs)]
            _record_assignments(stmt, defs)
        if found and not _allowed(name, source(c)): bad += [(i, first_line(c), f) for f in found]
    return bad


# ---- running a notebook: in a real Jupyter kernel (as a learner does), or as nbdev-test does ----
def _write_run(nb_dict, out, **meta):
    nb_dict.setdefault('metadata', {})['nbcheck'] = meta
    Path(out).write_text(json.dumps(nb_dict, indent=1, default=str, ensure_ascii=False) + '\n')


def run_in_kernel(path, out, timeout=None, kernel_name='python3', env=None) -> tuple:
    """Execute the notebook at `path` as a learner's Run All does, as `jupyter nbconvert --execute` does: a fresh Jupyter
    kernel (nbclient, ipykernel) started in the notebook's folder, every code cell top to bottom (`#| slow` ones
    included), stopping at the first error. Writes it with its fresh outputs to `out`; its metadata holds the seconds
    the cells took (`seconds`; the kernel's start apart, `kernel_start`) and the indices of the cells that ran.
    `env`: variables to set for the kernel, on top of this process's. Returns (ok, seconds)."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError
    path = Path(path).resolve()
    cell_timeout = timeout if timeout is not None else 300   # no cell of the course takes a minute; a lost kernel message waits this long
    # inside this repository, the kernel imports the checkout's library (as nbdev-test does), whatever is installed
    env = {**os.environ, **(env or {})}
    if path.is_relative_to(ROOT):
        env['PYTHONPATH'] = os.pathsep.join([str(ROOT), *filter(None, [env.get('PYTHONPATH')])])
    for attempt in (1, 2):
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(nb, timeout=int(cell_timeout) or None, kernel_name=kernel_name, allow_errors=False,
                                resources={'metadata': {'path': str(path.parent)}})
        t0 = time.perf_counter()
        ok, ran, started, again = True, [], None, False
        try:
            with client.setup_kernel(env=env):
                started = time.perf_counter()
                for i, cell in enumerate(nb.cells):
                    if cell.cell_type != 'code': continue
                    ran.append(i)
                    client.execute_cell(cell, i)
        except CellExecutionError as e:
            sys.stderr.write(f'{path.name}: cell {ran[-1] if ran else "?"} failed in the kernel:\n{str(e)[-6000:]}\n')
            ok = False
        except CellTimeoutError as e:
            # Seen rarely on a loaded machine: the kernel sits idle, its reply to a cell never arrives. That is the
            # transport's fault, not the notebook's: run the whole notebook once more in a new kernel, and say so.
            sys.stderr.write(f'{path.name}: cell {ran[-1] if ran else "?"} got no reply from the kernel in {cell_timeout} s '
                             f'(attempt {attempt} of 2): {str(e)[-300:]}\n')
            ok, again = False, attempt == 1
        except Exception as e:   # the kernel died, or would not start
            sys.stderr.write(f'{path.name}: {type(e).__name__} in the kernel run: {str(e)[-3000:]}\n')
            ok = False
        if not again: break
    end = time.perf_counter()
    seconds = end - (started or t0)
    _write_run(nbformat.from_dict(nb), out, ok=ok, seconds=seconds, kernel_start=(started or end) - t0, ran=ran,
               flags=['all cells'], runner='kernel')
    return ok, seconds


def run_notebook(path, out, flags=None, timeout=None) -> tuple:
    """Execute the notebook at `path` as nbdev's `test_nb` does (execnb's CaptureShell, in the notebook's folder, the
    project's `tst_flags` skipped unless in `flags`); write it with its fresh outputs to `out`. Returns (ok, seconds)."""
    from execnb.shell import CaptureShell
    from nbdev.test import working_directory
    from nbdev.config import get_config
    from nbdev.process import NBProcessor
    from nbdev.test import _skip_cell
    path = Path(path).resolve()
    cfg = get_config(path.parent)
    skip_flags = cfg.tst_flags.split() if isinstance(cfg.tst_flags, str) else list(cfg.tst_flags or [])
    force = (flags or os.environ.get('MNIST_HOOD_TEST_FLAGS', '')).split()
    sys.path.insert(0, str(cfg.config_path))
    os.environ['IN_TEST'] = '1'
    nb = NBProcessor(path, rm_directives=False, process=True).nb
    skip = _skip_cell(nb, skip_flags, force)
    ran = [i for i, c in enumerate(nb.cells) if not skip(c)]
    cell_timeout = timeout if timeout is not None else (cfg.get('cell_timeout') or 600)
    k = CaptureShell(path, profile=bool(cfg.get('exec_profile', True)))
    start, ok = time.perf_counter(), True
    try:
        with working_directory(path.parent):
            k.run_all(nb, exc_stop=True, preproc=skip, cell_timeout=int(cell_timeout) or None)
    except BaseException:
        import traceback
        sys.stderr.write((k.prettytb(fname=path) or traceback.format_exc()) + '\n')
        ok = False
    seconds = time.perf_counter() - start
    cells = []
    for c in nb.cells:
        d = {k2: v for k2, v in dict(c).items() if not k2.endswith('_') and k2 not in ('idx_',)}
        d['outputs'] = [dict(o) for o in c.get('outputs', [])] if c.cell_type == 'code' else []
        cells.append(json.loads(json.dumps(d, default=str)))
    _write_run(dict(cells=cells, nbformat=4, nbformat_minor=5), out, ok=ok, seconds=seconds, ran=ran, flags=force,
               runner='execnb')
    return ok, seconds


# ---- comparing committed outputs with a fresh run ----
def _numbers(texts):
    return [m.group() for t in texts for m in NUM_RE.finditer(TIME_RE.sub(' ', t))]


def _places(tok):
    "Half a unit in the last printed place of the number `tok`."
    m = re.fullmatch(r'[-+]?\d+(?:\.(\d*))?(?:[eE]([-+]?\d+))?', tok)
    dec, exp = len(m.group(1) or ''), int(m.group(2) or 0)
    return 0.5*10**(exp - dec)


def _close(committed, fresh) -> bool:
    a, b = float(committed), float(fresh)
    return abs(a - b) <= _places(committed)*(1 + 1e-9) + 1e-12*abs(a)


def stale_outputs(committed_path, executed_path) -> list:
    "Cells whose numbers differ between the committed notebook and an executed copy: a list of readable lines."
    committed, executed = read_nb(committed_path), read_nb(executed_path)
    ran = set(executed['metadata'].get('nbcheck', {}).get('ran', range(len(executed['cells']))))
    problems = []
    if len(committed['cells']) != len(executed['cells']):
        return [f'the executed copy has {len(executed["cells"])} cells, the committed notebook {len(committed["cells"])}']
    for i, c in code_cells(committed):
        if i not in ran or VARIES_RE.search(source(c)) or not c.get('outputs'): continue
        old, new = _numbers(shown_texts(c)), _numbers(shown_texts(executed['cells'][i]))
        if not old: continue
        where = f'cell {i} `{first_line(c)}`'
        if len(old) != len(new):
            problems.append(f'{where}: committed output shows {len(old)} numbers, the fresh run {len(new)} '
                            f'(committed {old[:6]}..., fresh {new[:6]}...)')
            continue
        diff = [(a, b) for a, b in zip(old, new) if not _close(a, b)]
        if diff:
            problems.append(f'{where}: {len(diff)} number(s) changed, e.g. committed {diff[0][0]} -> fresh {diff[0][1]}')
    return problems


# ---- what a learner reads: the visible code of a lesson ----
ASSERT_LINE = re.compile(r'^\s*(?:(?:if|elif)\b[^:]*:\s*|else:\s*)?(?:test_\w+\s*\(|assert\b)')
LESSON_RE = re.compile(r'(0\d|1[01])_')   # lessons 00-11; the appendices (9x) and the index are reference pages


def visible_lines(cell) -> list:
    "The lines of a visible code cell that a reader reads (no directives, no blank lines)."
    return [l for l in source(cell).splitlines() if l.strip() and not l.lstrip().startswith('#|')]


def reading_stats(path) -> dict:
    """What a learner meets in the notebook at `path`: visible code lines, the share that are assertions, visible
    `test_fail` calls, `if full` branches, and visible code cells over 15 lines (their first lines)."""
    nb = read_nb(path)
    cells = [c for _, c in code_cells(nb) if not is_hidden(c)]
    lines = [l for c in cells for l in visible_lines(c)]
    asserts = sum(bool(ASSERT_LINE.match(l)) for l in lines)
    return dict(lines=len(lines), asserts=asserts, share=asserts/max(1, len(lines)),
                test_fails=sum('test_fail(' in l for l in lines),
                if_full=sum(bool(re.search(r'\bif\s+(not\s+)?(full|is_full_sample\b)', l)) for l in lines),
                long_cells=[first_line(c) for c in cells if len(visible_lines(c)) > 15],
                hidden=sum(map(is_hidden, nb['cells'])))


def collapse_hidden(path) -> int:
    "Give every `#| hide` code cell of the notebook at `path` Jupyter's collapsed-source flag; returns how many changed."
    nb, n = read_nb(path), 0
    for c in nb['cells']:
        if is_hidden(c) and not c.get('metadata', {}).get('jupyter', {}).get('source_hidden'):
            c.setdefault('metadata', {}).setdefault('jupyter', {})['source_hidden'] = True; n += 1
    if n: Path(path).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n')
    return n


def notebooks(folder=ROOT/'nbs'):
    return sorted(p for p in Path(folder).glob('*.ipynb') if not p.name.startswith(('_', '.')))


def _main(argv):
    import argparse
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = p.add_subparsers(dest='cmd', required=True)
    s = sub.add_parser('static'); s.add_argument('nbs', nargs='*')
    r = sub.add_parser('run', help='execute a notebook: in a real Jupyter kernel (default), or as nbdev-test does (--execnb)')
    r.add_argument('nb'); r.add_argument('--out', required=True)
    r.add_argument('--execnb', action='store_true', help="execnb's CaptureShell, as nbdev-test does (`#| slow` cells skipped)")
    r.add_argument('--flags', help='with --execnb: the tst_flags to run anyway (e.g. slow)')
    r.add_argument('--timeout', type=int, help='seconds a cell may take (default 600)')
    c = sub.add_parser('compare'); c.add_argument('committed'); c.add_argument('executed')
    st = sub.add_parser('stats', help="what a learner reads: per lesson, the visible code's share of asserts and more")
    st.add_argument('nbs', nargs='*')
    co = sub.add_parser('collapse', help='mark every `#| hide` cell collapsed in Jupyter'); co.add_argument('nbs', nargs='*')
    a = p.parse_args(argv)
    if a.cmd == 'stats':
        print(f"{'notebook':34s} {'lines':>5s} {'asserts':>8s} {'test_fail':>9s} {'if full':>7s} {'>15 lines':>9s} {'hidden':>6s}")
        for nb in (a.nbs or [p for p in notebooks() if LESSON_RE.match(p.name)]):
            r = reading_stats(nb)
            print(f"{Path(nb).name[:34]:34s} {r['lines']:5d} {r['share']:8.1%} {r['test_fails']:9d} {r['if_full']:7d} "
                  f"{len(r['long_cells']):9d} {r['hidden']:6d}")
        return 0
    if a.cmd == 'collapse':
        for nb in (a.nbs or notebooks()): print(f'{Path(nb).name}: {collapse_hidden(nb)} cell(s) collapsed')
        return 0
    if a.cmd == 'static':
        n = 0
        for nb in (a.nbs or notebooks()):
            for i, line in unchecked_floats(nb):
                n += 1; print(f'{Path(nb).name} cell {i}: shows a float, no check: {line}')
            for i, line, chk in self_checks(nb):
                n += 1; print(f'{Path(nb).name} cell {i}: compares an expression with itself: {chk}  [{line}]')
        print(f'{n} problem(s)')
        return 1 if n else 0
    if a.cmd == 'run':
        ok, secs = run_notebook(a.nb, a.out, a.flags, a.timeout) if a.execnb else run_in_kernel(a.nb, a.out, a.timeout)
        print(f'{Path(a.nb).name}: {"passed" if ok else "FAILED"} in {secs:.1f} s ({"execnb" if a.execnb else "kernel"})')
        return 0 if ok else 1
    probs = stale_outputs(a.committed, a.executed)
    for pr in probs: print(pr)
    print(f'{len(probs)} stale output(s)')
    return 1 if probs else 0


if __name__ == '__main__': sys.exit(_main(sys.argv[1:]))
