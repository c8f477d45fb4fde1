"The book's random stream (mnist_hood.book): replayable without data, refused for unknown sections."
import json, random, re
from pathlib import Path

import pytest
import torch

from mnist_hood.book import BOOK, SECTIONS, at_book_stream, book_stream, book_value
from mnist_hood.sgd import mse, quadratic, roller_coaster_data, sgd_step


def test_roller_coaster_is_the_books_text_bit_for_bit():
    "No data needed: from the book's stream, the roller coaster's ten losses are those the text prints."
    book_stream('roller_coaster')
    time_ = torch.arange(0, 20).float()
    speed = torch.randn(20)*3 + 0.75*(time_ - 9.5)**2 + 1
    params = torch.randn(3).requires_grad_()
    assert torch.equal(speed, roller_coaster_data(42)[1])
    loss = mse(quadratic(time_, params), speed)
    loss.backward()
    assert round(loss.item(), 4) == book_value('rc_first_loss')
    with torch.no_grad(): params -= 1e-5*params.grad
    params.grad = None
    assert [sgd_step(params, time_, speed) for _ in range(10)] == book_value('rc_losses')
    assert at_book_stream('init_params')


def test_dataloader_examples_are_the_books_text():
    from fastai.data.load import DataLoader
    book_stream('dataloader')
    assert [b.tolist() for b in DataLoader(range(15), batch_size=5, shuffle=True)] == book_value('dl_numbers')


def test_sections_differ_and_checking_moves_nothing():
    states = []
    for s in SECTIONS:
        book_stream(s)
        states.append((torch.get_rng_state(), random.getstate()))
    assert all(not torch.equal(a[0], b[0]) for a, b in zip(states, states[1:]))
    book_stream('learner')
    before = torch.get_rng_state()
    assert at_book_stream('learner') and not at_book_stream('optimizer')
    assert torch.equal(before, torch.get_rng_state())


def test_unknown_section_and_version():
    with pytest.raises(ValueError, match='roller_coaster, init_params'): book_stream('roller')
    with pytest.raises(ValueError, match="'printed', 'notebook'"): book_value('rc_losses', 'text')
    with pytest.raises(ValueError, match="book's text does not show"): book_value('learner')
    with pytest.raises(KeyError, match='no book number'): book_value('nope')
    assert all(b.printed is not None or b.notebook is not None for b in BOOK.values())


# ---- one home for the book's numbers (issue 18.1)

ROOT = Path(__file__).resolve().parents[1]
# (file, literal) -> why a copy of a book number may stand there. Keep it short: each entry is a second home.
COPIES_ALLOWED = {
    ('nbs/04_sgd.ipynb', '5435.53564453125'): "a comment on the line that checks against book_value('rc_losses'): "
                                              'it shows the reader the number, the check reads it from BOOK',
    ('nbs/04_sgd.ipynb', '25823.8086'): "a comment saying where 160.698 (a square root, not a book number) comes from",
}


def _floats(v):
    if isinstance(v, list):
        for x in v: yield from _floats(x)
    elif isinstance(v, float): yield v


def book_literals() -> set:
    "The book's numbers as they would be typed: every float of `BOOK` with 3 or more decimals (6.0 or 0.5 could be anything)."
    return {repr(f) for b in BOOK.values() for v in (b.printed, b.notebook) for f in _floats(v) if len(repr(f).split('.')[1]) >= 3}


def copies_of_book_numbers(root=ROOT) -> list:
    """`(file, literal, line)` for each book number typed out in the library's code (mnist_hood/*.py) or a notebook's
    code cells, outside its home (appendix 92 and the module it exports). Prose may quote the book; code must ask `book_value`."""
    lits = sorted(book_literals(), key=len, reverse=True)
    pat = re.compile(r'(?<![\d.])(' + '|'.join(map(re.escape, lits)) + r')(?!\d)')
    sources = [(p.relative_to(root), p.read_text()) for p in sorted((root/'mnist_hood').glob('*.py'))
               if p.name not in ('book.py', '_modidx.py')]
    for nb in sorted((root/'nbs').glob('*.ipynb')):
        if nb.name == '92_book.ipynb': continue
        cells = json.loads(nb.read_text())['cells']
        sources.append((nb.relative_to(root), '\n'.join(''.join(c['source']) for c in cells if c['cell_type'] == 'code')))
    return [(str(f), m.group(1), text[:m.start()].count('\n') + 1) for f, text in sources for m in pat.finditer(text)
            if (str(f), m.group(1)) not in COPIES_ALLOWED]


def test_no_copy_of_a_book_number_outside_book():
    "A book number has one home, book.BOOK: a copy anywhere in the library's or the notebooks' code fails, naming file and line."
    found = copies_of_book_numbers()
    assert not found, 'copies of book numbers (use book_value or as_book): ' + '; '.join(f'{f}:{line} {lit}' for f, lit, line in found)


def test_the_copy_check_finds_a_copy(tmp_path):
    "The check can fail: a library file and a notebook cell that type out the book's baseline accuracy are both found."
    (tmp_path/'mnist_hood').mkdir(); (tmp_path/'nbs').mkdir()
    (tmp_path/'mnist_hood'/'x.py').write_text('BASE = 0.9511  # the baseline\n')
    cell = dict(cell_type='code', source=['a = 1\n', 'test_eq(acc, 0.9168)'], metadata={}, outputs=[])
    prose = dict(cell_type='markdown', source=['The book prints 0.9854.'], metadata={})
    (tmp_path/'nbs'/'03_x.ipynb').write_text(json.dumps(dict(cells=[cell, prose])))
    assert copies_of_book_numbers(tmp_path) == [('mnist_hood/x.py', '0.9511', 1), ('nbs/03_x.ipynb', '0.9168', 2)]
    assert {'0.9511', '25823.8086', '0.4912068545818329'} <= book_literals()
