"""Lessons 07 and 08: the trainers' entry checks (moved here from the lessons, which keep the book's one-liners free
of them), and the book-sized `BasicOptim` and `simple_net` on small made-up inputs."""
import pytest
import torch
from torch import nn

from mnist_hood.linear_model import LinearData
from mnist_hood.learner import (BasicLearner, BasicOptim, seeded_setup, train_basic_optim, train_basic_optim_book,
                                train_learner, train_model)
from mnist_hood.neural_net import make_simple_net, relu_net, simple_net, train_resnet18, train_simple_net


def tiny_data(n=64, seed=0):
    g = torch.Generator().manual_seed(seed)
    x, y = torch.rand(n, 784, generator=g), (torch.rand(n, 1, generator=g) > 0.5).float()
    return LinearData(x[:48], y[:48], x[48:], y[48:])


# ---- the trainers' entry points name the culprit ----

@pytest.mark.parametrize('train', [train_basic_optim, train_learner, train_simple_net])
@pytest.mark.parametrize('bad', [0, -1, 2.5, True])
def test_trainers_reject_bad_epochs(train, bad):
    with pytest.raises(ValueError, match='epochs must be a positive int'): train(tiny_data(), epochs=bad)


@pytest.mark.parametrize('train', [train_basic_optim, train_learner, train_simple_net, train_basic_optim_book])
@pytest.mark.parametrize('bad', [0, -0.1, True, '1'])
def test_trainers_reject_bad_lr(train, bad):
    with pytest.raises(ValueError, match='lr must be a positive number'): train(tiny_data(), lr=bad)


def test_book_trainer_rejects_bad_epochs():
    with pytest.raises(ValueError, match='epochs must be'): train_basic_optim_book(tiny_data(), epochs=0)


def test_resnet18_needs_a_sample_folder(tmp_path):
    (tmp_path/'train').mkdir()
    with pytest.raises(FileNotFoundError, match='needs train/ and valid/'): train_resnet18(tmp_path)
    with pytest.raises(ValueError, match='epochs must be'): train_resnet18(tmp_path, epochs=0)


def test_trainers_run_on_good_input():
    assert len(train_basic_optim(tiny_data(), epochs=2, bs=16).history) == 2
    assert len(train_learner(tiny_data(), epochs=2, bs=16, quiet=True).history) == 2


# ---- the book-sized teaching pieces ----

def test_basic_optim_steps_downhill_and_clears():
    w = torch.tensor([1., -2.], requires_grad=True)
    opt = BasicOptim((p for p in [w]), 0.5)          # a generator is kept as a list
    (w**2).sum().backward()                          # gradient 2w = [2, -4]
    opt.step(); opt.step()                           # the second step must still see the parameter
    assert torch.equal(w.detach(), torch.tensor([1. - 2*0.5*2, -2. + 2*0.5*4]))
    opt.zero_grad()
    assert w.grad is None


def test_train_model_matches_basic_learner():
    "`train_model` with `BasicOptim` and `BasicLearner` take the same steps from the same start."
    data = tiny_data()
    dls, a = seeded_setup(data, bs=16)
    hist = train_model(a, 3, dls.train, dls.valid, BasicOptim(a.parameters(), 0.5))
    dls, b = seeded_setup(data, bs=16)
    values = BasicLearner(dls, b, opt_func=BasicOptim).fit(3, 0.5).values
    assert hist == [round(v[2], 4) for v in values]
    assert torch.allclose(a.weight, b.weight)


def test_simple_net_is_relu_between_two_linear_layers():
    g = torch.Generator().manual_seed(0)
    xb, w1, b1, w2, b2 = (torch.randn(*s, generator=g) for s in [(4, 6), (6, 3), (3,), (3, 1), (1,)])
    net = make_simple_net(6, 3, 1)
    with torch.no_grad():
        net[0].weight.copy_(w1.T); net[0].bias.copy_(b1); net[2].weight.copy_(w2.T); net[2].bias.copy_(b2)
    assert torch.allclose(simple_net(xb, w1, b1, w2, b2), net(xb), atol=1e-6)
    assert [type(m) for m in relu_net([1, 4, 4, 1])] == [nn.Linear, nn.ReLU, nn.Linear, nn.ReLU, nn.Linear]


def test_seeded_setup_starts_the_same_as_the_trainer():
    "`seeded_setup`, which lesson 7 shows, and `train_basic_optim`, which goes through `train_run`, make the same start."
    data = tiny_data()
    dls, model = seeded_setup(data, 16)
    hist = train_model(model, 2, dls.train, dls.valid, BasicOptim(model.parameters(), 1.0))
    run = train_basic_optim(data, epochs=2, bs=16)
    assert run.history == hist and torch.equal(run.model.weight, model.weight)


@pytest.mark.parametrize('train', [train_basic_optim, train_learner, train_simple_net])
@pytest.mark.parametrize('bad', [0, 2.5, False])
def test_trainers_reject_bad_batch_size(train, bad):
    with pytest.raises(ValueError, match='bs must be a positive int'): train(tiny_data(), bs=bad)


@pytest.mark.timeout(900)
def test_resnet18_switch_trains_in_the_band(mnist_dir, monkeypatch):
    """What lesson 8's `train_resnet = True` runs, which Run All leaves off: resnet18 from scratch for one epoch on the
    full sample, on the CPU, lands in the band of the course's seed sweep (about a minute on two cores)."""
    from mnist_hood.book import in_band
    from mnist_hood.data import mnist_sample
    monkeypatch.setenv('MNIST_HOOD_DATA', str(mnist_dir))
    run = train_resnet18(mnist_sample(), quiet=True)
    assert len(run.history) == 1
    in_band(run.accuracy, 'resnet18')   # raises, with the explaining sentence, outside the band
