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
