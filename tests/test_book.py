"The book's random stream (mnist_hood.book): replayable without data, refused for unknown sections."
import random

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
