"""Lesson 6's library (`mnist_hood.training`) at its edges: the trainers refuse bad arguments with a message naming
them (the lesson keeps its book-sized functions free of such checks), and the helpers behave as the lesson says,
on a few random rows instead of the images."""
import pytest
import torch
from fastai.data.load import DataLoader

from mnist_hood.linear_model import LinearData, linear1, mnist_loss
from mnist_hood.training import (Run, RowLoader, batch_accuracy, calc_grad, check_run, make_loaders, train_epoch,
                                 train_linear, train_linear_book, valid_loss, validate_epoch)


def tiny_data(n=64, seed=0):
    g = torch.Generator().manual_seed(seed)
    x, y = torch.rand(n, 784, generator=g), (torch.rand(n, 1, generator=g) > 0.5).float()
    return LinearData(x[:48], y[:48], x[48:], y[48:])


def tiny_params():
    return torch.zeros(784, 1).requires_grad_(), torch.zeros(1).requires_grad_()


# ---- the trainers' entry points ----

@pytest.mark.parametrize('trainer', [train_linear, train_linear_book])
@pytest.mark.parametrize('epochs', [0, -1, 1.5, True, '3'])
def test_trainers_refuse_bad_epochs(trainer, epochs):
    with pytest.raises(ValueError, match='epochs must be a positive int'): trainer(tiny_data(), epochs=epochs)


@pytest.mark.parametrize('trainer', [train_linear, train_linear_book])
@pytest.mark.parametrize('lr', [0, -1, True, '1', None])
def test_trainers_refuse_bad_lr(trainer, lr):
    with pytest.raises(ValueError, match='lr must be a positive number'): trainer(tiny_data(), lr=lr)


@pytest.mark.parametrize('bs', [0, -1, 2.5, True])
def test_bad_batch_size_is_refused(bs):
    with pytest.raises(ValueError, match='bs must be a positive int'): make_loaders(tiny_data(), bs=bs)
    with pytest.raises(ValueError, match='bs must be a positive int'): train_linear(tiny_data(), epochs=1, bs=bs)


def test_check_run_accepts_good_values_and_names_the_bad_one():
    check_run(epochs=1, lr=1, bs=1); check_run(lr=0.1); check_run()
    with pytest.raises(ValueError, match='n_hidden must be a positive int'): check_run(epochs=3, n_hidden=0)


@pytest.mark.parametrize('shuffle', [False, True])
@pytest.mark.parametrize('drop_last', [False, True])
def test_row_loader_gives_a_data_loaders_batches_and_draws(shuffle, drop_last):
    "The same batches, pass after pass, and the same random numbers drawn, as fastai's DataLoader over the list of pairs."
    import random
    from fastai.torch_core import set_seed
    d = tiny_data()
    state = lambda dl: (random.getstate(), torch.get_rng_state().tolist(), dl.rng.getstate())
    set_seed(3); rows = RowLoader(d.train_x, d.train_y, 10, shuffle=shuffle, drop_last=drop_last)
    got = [b for _ in range(3) for b in rows]
    set_seed(3); items = DataLoader(list(zip(d.train_x, d.train_y)), batch_size=10, shuffle=shuffle, drop_last=drop_last)
    want = [b for _ in range(3) for b in items]
    assert len(got) == len(want) == 3*(4 if drop_last else 5)
    for (x1, y1), (x2, y2) in zip(got, want): assert torch.equal(x1, x2) and torch.equal(y1, y2)
    assert state(rows) == state(items)


# ---- the book's functions ----

def test_batch_accuracy_refuses_a_column_against_a_row():
    "(N,1) outputs against (N,) labels would broadcast into an (N,N) table and give a meaningless mean."
    outs, labels = torch.tensor([[2.], [3.], [-1.], [-2.]]), torch.tensor([1., 1., 0., 0.])
    with pytest.raises(ValueError, match='same shape'): batch_accuracy(outs, labels)
    assert batch_accuracy(outs, labels[:, None]).item() == 1.0
    assert batch_accuracy(outs, 1 - labels[:, None]).item() == 0.0


def test_calc_grad_returns_the_loss_and_accumulates():
    d = tiny_data()
    w, b = tiny_params()
    model = lambda xb: linear1(xb, w, b)
    loss = calc_grad(d.train_x[:8], d.train_y[:8], model)
    assert not loss.requires_grad and abs(loss.item() - 0.5) < 1e-6   # zero weights: every sigmoid is 0.5
    once = b.grad.clone()
    calc_grad(d.train_x[:8], d.train_y[:8], model)
    assert torch.allclose(b.grad, 2*once)


def test_train_epoch_steps_each_batch_and_zeroes_the_gradients():
    d = tiny_data()
    w, b = tiny_params()
    model = lambda xb: linear1(xb, w, b)
    before = mnist_loss(model(d.train_x), d.train_y).item()
    train_epoch(model, DataLoader(d.dset, batch_size=48), 0.1, (w, b))   # one batch: one small step downhill
    assert (w.grad == 0).all() and (b.grad == 0).all()
    assert mnist_loss(model(d.train_x), d.train_y).item() < before
    train_epoch(model, DataLoader(d.dset, batch_size=16), 0.1, (w, b))   # three batches: three steps
    assert (w.grad == 0).all() and mnist_loss(model(d.train_x), d.train_y).item() < before


def test_validate_epoch_weighted_and_plain():
    "Batches of 3 and 1: the plain mean gives the single item as much say as the three."
    outs, labels = torch.tensor([[1.], [1.], [1.], [1.]]), torch.tensor([[1.], [1.], [1.], [0.]])
    batches = [(outs[:3], labels[:3]), (outs[3:], labels[3:])]
    identity = lambda xb: xb
    assert validate_epoch(identity, batches) == 0.75
    assert validate_epoch(identity, batches, weighted=False) == 0.5


def test_valid_loss_weights_by_batch_size():
    outs, labels = torch.zeros(4, 1), torch.tensor([[1.], [1.], [1.], [0.]])
    batches = [(outs[:3], labels[:3]), (outs[3:], labels[3:])]
    assert valid_loss(lambda xb: xb, batches) == 0.5   # sigmoid(0) = 0.5: every item's loss is 0.5


def test_train_linear_is_repeatable_and_returns_a_run():
    r1, r2 = train_linear(tiny_data(), epochs=2, bs=16), train_linear(tiny_data(), epochs=2, bs=16)
    assert isinstance(r1, Run) and len(r1.history) == 2 and len(r1.losses) == 2
    assert r1.history == r2.history and r1.accuracy == r1.history[-1]
    assert r1.config == dict(epochs=2, lr=1.0, bs=16, seed=42)
