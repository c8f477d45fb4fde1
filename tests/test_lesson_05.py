"""Lesson 5's functions (mnist_hood.linear_model) beyond what the lesson shows: the book's own calls, the one guard each
function keeps, and the checks that used to stand in the lesson as `test_fail`s."""
import pytest
import torch

from mnist_hood.linear_model import LinearData, flatten_images, init_params, linear1, linear_data, mnist_loss, sigmoid
from mnist_hood.sources import DataError


# ---- the book's calls work unchanged ----
def test_init_params_book_calls():
    w = init_params((28*28, 1), std=0.)                     # the book: zeros are a legal start
    assert w.shape == (784, 1) and w.requires_grad and not w.any()
    b = init_params(1)
    assert b.shape == (1,) and b.requires_grad
    torch.manual_seed(0); a = init_params((3, 2), 2.0)
    torch.manual_seed(0); assert torch.equal(a.detach(), torch.randn(3, 2)*2.0)   # std scales the global stream's draws


def test_init_params_private_generator():
    "`generator=` (lesson 4's private generator): the numbers depend on its seed alone, not on the global stream."
    a = init_params((784, 1), generator=torch.Generator().manual_seed(42))
    torch.randn(20)                                          # something else draws from the global generator
    b = init_params((784, 1), generator=torch.Generator().manual_seed(42))
    assert torch.equal(a, b)
    torch.manual_seed(42)
    assert torch.equal(a.detach(), torch.randn(784, 1))     # the first numbers of a stream seeded 42


def test_sigmoid_book_calls():
    got = sigmoid(torch.tensor([1, 2]))                      # integers, as the book may call it
    torch.testing.assert_close(got, torch.sigmoid(torch.tensor([1., 2.])))
    x = torch.linspace(-10, 10, 41)
    torch.testing.assert_close(sigmoid(x), torch.sigmoid(x))
    assert sigmoid(torch.tensor([0.])).item() == 0.5


# ---- linear1 and flatten_images ----
def test_linear1_is_a_matrix_product_plus_bias():
    xb, w, b = torch.randn(5, 4), torch.randn(4, 2), torch.randn(2)
    torch.testing.assert_close(linear1(xb, w, b), torch.stack([x @ w + b for x in xb]))
    with pytest.raises(RuntimeError): linear1(torch.randn(5, 3), w, b)   # a shape mismatch fails loudly in PyTorch


def test_flatten_images():
    ims = torch.rand(3, 28, 28)
    out = flatten_images(ims)
    assert out.shape == (3, 784) and torch.equal(out[1].view(28, 28), ims[1])
    assert flatten_images(ims.transpose(1, 2)).shape == (3, 784)          # a stack that is not contiguous
    with pytest.raises(ValueError, match=r'\(N, rows, cols\)'): flatten_images(ims[0])   # one image is not a stack


# ---- mnist_loss ----
def test_mnist_loss_values_and_gradient():
    t = torch.tensor([1., 0., 1.])
    for probs, want in (([0.9, 0.4, 0.2], 1.3/3), ([0.9, 0.4, 0.8], 0.7/3)):   # the book's toy examples, by hand
        assert abs(mnist_loss(torch.logit(torch.tensor(probs)), t).item() - want) < 1e-6
    p = torch.tensor([[2.], [-1.], [0.5]], requires_grad=True)
    y = torch.tensor([[1.], [0.], [0.]])
    mnist_loss(p, y).backward()
    s = torch.sigmoid(p.detach())
    torch.testing.assert_close(p.grad, torch.where(y == 1, -1., 1.)*s*(1 - s)/3)   # the chain rule of the lesson


def test_mnist_loss_refuses_shapes_that_would_broadcast():
    preds, targets = torch.randn(6, 1), torch.ones(6)
    with pytest.raises(ValueError, match='same shape'): mnist_loss(preds, targets)   # (6, 1) with (6,): a 6x6 table


def test_mnist_loss_never_nan():
    p = torch.tensor([[-100.], [100.]], requires_grad=True)
    mnist_loss(p, torch.tensor([[1.], [0.]])).backward()
    assert not torch.isnan(p.grad).any()                     # PyTorch's sigmoid inside, not the formula


# ---- linear_data ----
def test_linear_data_needs_a_sample_folder(tmp_path):
    with pytest.raises(DataError, match='no such folder'): linear_data(tmp_path)


def test_linear_data_dsets():
    d = LinearData(torch.zeros(3, 784), torch.ones(3, 1), torch.zeros(2, 784), torch.zeros(2, 1))
    assert len(d.dset) == 3 and len(d.valid_dset) == 2
    assert d.dset is d.dset   # made once, then kept: not a new list of pairs on every access
    x, y = d.dset[0]
    assert x.shape == (784,) and y.item() == 1.
    assert repr(d) == 'LinearData(train (3, 784), valid (2, 784))'
