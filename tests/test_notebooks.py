"""The notebooks' own rules, checked without running them (tools/nbcheck.py does the work):
every float a cell shows is checked in that cell, and no check compares an expression with itself.
The last tests plant each defect in a scratch notebook and make sure the checks catch it."""
import json, sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/'tools'))
import nbcheck  # noqa: E402

NOTEBOOKS = [p.name for p in nbcheck.notebooks(ROOT/'nbs')]


@pytest.mark.parametrize('nb', NOTEBOOKS)
def test_shown_floats_are_checked(nb):
    "A code cell whose committed output shows a float holds a check, or a comment line `# for reading: <why>`."
    bad = nbcheck.unchecked_floats(ROOT/'nbs'/nb)
    assert not bad, (f'{nb}: these cells show a float but check nothing (add a check about what they show, or a '
                     '`# for reading: <why>` line):\n' + '\n'.join(f'  cell {i}: {line}' for i, line in bad))


@pytest.mark.parametrize('nb', NOTEBOOKS)
def test_checks_compare_different_things(nb):
    "No check compares an expression with itself, as written or through a name assigned from that expression."
    bad = nbcheck.self_checks(ROOT/'nbs'/nb)
    assert not bad, (f'{nb}: these checks cannot fail (both sides are the same expression):\n'
                     + '\n'.join(f'  cell {i} `{line}`: {chk}' for i, line, chk in bad))


LESSONS = [n for n in NOTEBOOKS if nbcheck.LESSON_RE.match(n)]


@pytest.mark.parametrize('nb', LESSONS)
def test_lesson_reads_like_the_book(nb):
    """What a learner reads in lessons 00-11: under 5% of the visible code lines are asserts (the rest sit in hidden
    cells), no `if full` branch (`as_book` knows the sample), at most two visible `test_fail`s (where the error is the
    lesson), and no visible code cell over 15 lines."""
    r = nbcheck.reading_stats(ROOT/'nbs'/nb)
    problems = []
    if r['share'] >= 0.05: problems.append(f"{r['share']:.0%} of its {r['lines']} visible code lines are asserts (goal: under 5%)")
    if r['if_full']: problems.append(f"{r['if_full']} `if full` branch(es): show book numbers with `as_book`")
    if r['test_fails'] > 2: problems.append(f"{r['test_fails']} visible test_fail calls: move argument checks to tests/ or the appendix")
    if r['long_cells']: problems.append('visible code cells over 15 lines: ' + '; '.join(r['long_cells']))
    assert not problems, f'{nb}: ' + '\n  '.join(problems)


@pytest.mark.parametrize('nb', [n for n in LESSONS if n < '10'])
def test_lesson_ends_with_what_we_learned(nb):
    "Lessons 00-09 end with `## What we learned` (only an optional `## Going further` may come after it)."
    heads = [l for c in nbcheck.read_nb(ROOT/'nbs'/nb)['cells'] if c['cell_type'] == 'markdown'
             for l in nbcheck.source(c).splitlines() if l.startswith('## ')]
    assert '## What we learned' in heads, f'{nb}: no "## What we learned" section'
    after = heads[heads.index('## What we learned') + 1:]
    assert all(h.startswith('## Going further') for h in after), f'{nb}: sections after "What we learned": {after}'


@pytest.mark.parametrize('nb', NOTEBOOKS)
def test_hidden_cells_collapsed(nb):
    "Every `#| hide` cell is collapsed in Jupyter too (`python tools/nbcheck.py collapse` sets it)."
    cells = nbcheck.read_nb(ROOT/'nbs'/nb)['cells']
    bad = [i for i, c in enumerate(cells) if nbcheck.is_hidden(c) and not c['metadata'].get('jupyter', {}).get('source_hidden')]
    assert not bad, f'{nb}: hidden cells {bad} are not collapsed in Jupyter: run `python tools/nbcheck.py collapse {nb}`'


def test_allow_list_has_reasons():
    for key, why in nbcheck.ALLOWED.items():
        assert isinstance(why, str) and len(why.split()) >= 3, f'allow-list entry {key} needs a reason'


# ---- the checks catch what they look for ----
def _nb(path, *cells):
    "Write a notebook of code cells given as (source, outputs) to `path`."
    path.write_text(json.dumps(dict(nbformat=4, nbformat_minor=5, metadata={}, cells=[
        dict(cell_type='code', metadata={}, source=src, outputs=outs, execution_count=None) for src, outs in cells])))
    return path


def _result(text): return [dict(output_type='execute_result', data={'text/plain': text}, metadata={}, execution_count=1)]


def _stdout(text): return [dict(output_type='stream', name='stdout', text=text)]


def test_planted_unchecked_float(tmp_path):
    nb = _nb(tmp_path/'a.ipynb',
             ('acc = 0.95\nacc', _result('0.95')),                                      # planted: no check
             ('acc = 0.95\ntest_eq(acc > 0.9, True)\nacc', _result('0.95')),            # checked
             ('# for reading: a table\nprint(df)', _stdout('a  0.5\nb  0.25')),         # marked for reading
             ('n = 3\nn', _result('3')),                                               # an int, not a float
             ('sw.stop()', _result('2.5 s')),                                          # a timing is not a claim
             ('fig', [dict(output_type='display_data', metadata={},
                           data={'image/png': 'iVBOR', 'text/plain': '<Figure size 6.4x4.8>'})]))
    assert nbcheck.unchecked_floats(nb) == [(0, 'acc = 0.95')]


def test_checks_in_the_hidden_cell_after(tmp_path):
    "A cell's float may be checked in the hidden cells right after it, not in a visible cell further on."
    nb = _nb(tmp_path/'h.ipynb',
             ('acc', _result('0.95')), ('#| hide\ntest_eq(acc > 0.9, True)', []),                   # checked under the hood
             ('acc2', _result('0.95')), ('test_eq(acc2 > 0.9, True)', []),                           # a visible cell: no
             ('as_book(acc, "accuracy")', _result('0.9511, as the book prints')))                     # the book's form
    assert nbcheck.unchecked_floats(nb) == [(2, 'acc2')]
    assert nbcheck.reading_stats(nb)['hidden'] == 1 and nbcheck.reading_stats(nb)['asserts'] == 1


def test_planted_self_check(tmp_path):
    nb = _nb(tmp_path/'b.ipynb',
             ('x = f(1)\ntest_eq(x, x)', []),                                           # planted: literally the same
             ('m = stacked.mean(0)', []),
             ('test_eq(m, stacked.mean(0))', []),                                      # planted: restates m
             ('assert a.max() <= a.max()', []),                                        # planted
             ('before = validate()\ntrain()\ntest_ne(validate(), before)', []),          # a real before/after check
             ('test_close(s, sum(v.tolist()))', []))                                   # a second way
    assert [i for i, _, _ in nbcheck.self_checks(nb)] == [0, 2, 3]


def test_planted_stale_number(tmp_path):
    "A committed number that the fresh run does not show is caught, to the committed number's printed precision."
    src = 'acc\ntest_eq(acc > 0.9, True)'
    committed = _nb(tmp_path/'c.ipynb', (src, _result('0.9677')), ('# varies: a timing\nt', _result('1.25')),
                    ('x', _result('tensor([1.5000, 2.0000])')), ('obj', _result('<Foo at 0x7f3a2b1c>')))
    fresh = dict(json.loads(committed.read_text()))
    def executed(values):
        for c, v in zip(fresh['cells'], values): c['outputs'] = _result(v)
        fresh['metadata'] = {'nbcheck': {'ran': [0, 1, 2, 3]}}
        return _nb_json(tmp_path/'fresh.ipynb', fresh)
    same = executed(['0.96774', '9.99', 'tensor([1.5000, 2.0000])', '<Foo at 0x7f00ffee>'])
    assert nbcheck.stale_outputs(committed, same) == []          # within half a unit of the 4th place; timing skipped
    moved = executed(['0.9678', '1.25', 'tensor([1.5000, 2.0001])', '<Foo at 0x7f3a2b1c>'])
    problems = nbcheck.stale_outputs(committed, moved)
    assert len(problems) == 2 and 'committed 0.9677 -> fresh 0.9678' in problems[0] and '2.0001' in problems[1]
    longer = executed(['0.9677 0.5', '1.25', 'tensor([1.5000, 2.0000])', '<Foo>'])
    assert 'shows 1 numbers, the fresh run 2' in nbcheck.stale_outputs(committed, longer)[0]


def _nb_json(path, nb):
    path.write_text(json.dumps(nb))
    return path
