"README.md is made from nbs/index.ipynb (nbdev's `readme_nb`) by tools/make_readme.py: the two must agree."
import re, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_readme_is_made_from_the_index():
    r = subprocess.run([sys.executable, 'tools/make_readme.py', '--check'], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_readme_check_notices_a_change(tmp_path):
    "The check itself can fail: a README that differs from the index is reported, naming the notebook."
    sys.path.insert(0, str(ROOT/'tools'))
    try:
        import make_readme
        text = make_readme.render(ROOT/'nbs'/'index.ipynb')
    finally: sys.path.pop(0)
    assert text.startswith('<!-- Generated from nbs/index.ipynb')
    assert '```python\nfrom mnist_hood.data import mnist_sample' in text       # code cells become Python blocks
    assert '](nbs/00_data.ipynb)' in text and '](00_data.ipynb)' not in text      # links made relative to the root
    assert not re.search(r'(?m)^#\|', text)                                     # nbdev's directive lines never show
    assert 'bash tools/test.sh' in text                                          # the test command CI calls


def map_rows(text):
    "The course map's rows of the index's markdown `text`: `{notebook file: [cells]}` for each row that links a notebook."
    rows = {}
    for line in text.splitlines():
        m = re.match(r'\|\s*\[[^\]]+\]\(([^)]+\.ipynb)\)\s*\|(.*)\|\s*$', line)
        if m: rows[m.group(1)] = [c.strip() for c in m.group(2).split('|')]
    return rows


def test_the_map_lists_every_notebook_with_its_measured_times():
    "Every lesson (00-11) and appendix (9x) has a row; a lesson's row names the book's section and has numbers for read and run."
    import json
    nb = json.loads((ROOT/'nbs'/'index.ipynb').read_text())
    text = '\n'.join(''.join(c['source']) for c in nb['cells'] if c['cell_type'] == 'markdown')
    rows = map_rows(text)
    notebooks = sorted(p.name for p in (ROOT/'nbs').glob('[0-9]*.ipynb'))
    assert sorted(rows) == notebooks
    number = re.compile(r'\d+(\.\d+)?$')
    for name, cells in rows.items():
        times = cells[-3:] if name < '90' else cells[-2:]   # lessons: read, run alone, run in order; appendices: read, run
        assert all(number.match(c) for c in times), (name, cells)
        if name < '90': assert cells[0], f'{name}: no book section'


def test_map_rows_reads_a_row():
    "The parser the check above relies on finds a row, its cells, and nothing in ordinary lines."
    rows = map_rows('text\n| [00 Data](00_data.ipynb) | Pixels | get digits | 6 | 10 | 3 |\n| lesson | a | b |')
    assert rows == {'00_data.ipynb': ['Pixels', 'get digits', '6', '10', '3']}
