"""The argument checks that lessons 09-11 used to show (`test_fail` in view), kept here: the guards that remain at
the edges (`digit_data`, `cross_entropy`'s one `need` line, the trainer `train_ten_digits`, `plot_comparison`), and
the behaviour of the book-sized teaching functions on small hand-made inputs."""
import pandas as pd
import pytest
import torch
import torch.nn.functional as F
from torch import tensor
from mnist_hood.digits import (digit_data, softmax, log_softmax, cross_entropy, train_ten_digits, confusion_matrix,
                               most_confused, plot_confusion)
from mnist_hood.linear_model import LinearData
from mnist_hood.records import plot_comparison


def tiny_digits(n=40, seed=0):
    "Random rows with digit labels, as `digit_data` gives them."
    g = torch.Generator().manual_seed(seed)
    x, y = torch.rand(n, 784, generator=g), torch.randint(0, 10, (n,), generator=g)
    return LinearData(x[:30], y[:30], x[30:], y[30:])


def test_digit_data_names_what_it_needs():
    with pytest.raises(TypeError, match='Digits'): digit_data(tiny_digits())


def test_softmax_family_agrees_with_pytorch():
    acts = torch.randn(6, 10, generator=torch.Generator().manual_seed(1))*3
    targets = tensor([3, 7, 0, 3, 9, 1])
    assert torch.allclose(softmax(acts), F.softmax(acts, dim=1), atol=1e-6)
    assert torch.allclose(log_softmax(acts), F.log_softmax(acts, dim=1), atol=1e-5)
    assert torch.allclose(cross_entropy(acts, targets), F.cross_entropy(acts, targets), atol=1e-6)
    big = tensor([[1000., 999., 0.]])*100                       # no overflow, no log of 0
    assert torch.isfinite(softmax(big)).all() and torch.isfinite(log_softmax(big)).all()
    assert torch.allclose(cross_entropy(big, tensor([2])), F.cross_entropy(big, tensor([2])), rtol=1e-6)


def test_cross_entropy_wants_one_target_per_row():
    acts, targets = torch.randn(6, 10), tensor([3, 7, 0, 3, 9, 1])
    with pytest.raises(ValueError, match=r'shape \(6,\)'): cross_entropy(acts, targets[:3])     # would average 3 rows silently
    with pytest.raises(ValueError, match=r'shape \(6,\)'): cross_entropy(acts, targets[:, None])  # would broadcast to (6, 6)
    with pytest.raises(IndexError): cross_entropy(acts, targets.float())   # PyTorch's own error: indices must be integers
    with pytest.raises(IndexError): cross_entropy(acts, targets + 1)       # 10 is out of range for 10 classes


def test_train_ten_digits_names_bad_arguments():
    threes_sevens = LinearData(torch.rand(8, 784), torch.ones(8, 1), torch.rand(8, 784), torch.ones(8, 1))   # as linear_data gives
    with pytest.raises(ValueError, match='digit labels'): train_ten_digits(threes_sevens, quiet=True)
    with pytest.raises(ValueError, match='n_hidden must be'): train_ten_digits(tiny_digits(), n_hidden=-1, quiet=True)


def test_train_ten_digits_linear_and_net():
    lin = train_ten_digits(tiny_digits(), epochs=1, bs=10, n_hidden=0, quiet=True)
    net = train_ten_digits(tiny_digits(), epochs=1, bs=10, n_hidden=5, quiet=True)
    assert isinstance(lin.model, torch.nn.Linear) and lin.model.out_features == 10
    assert net.model(torch.rand(3, 784)).shape == (3, 10)


def test_confusion_matrix_and_most_confused():
    cm = confusion_matrix(tensor([0, 1, 1, 2, 2, 2]), tensor([0, 1, 0, 2, 1, 1]), 3)
    assert cm.tolist() == [[1, 1, 0], [0, 1, 2], [0, 0, 1]]        # rows actual, columns predicted
    assert most_confused(cm) == [(1, 2, 2), (0, 1, 1)]
    assert most_confused(tensor([[5, 2], [3, 4]]), k=1) == [(1, 0, 3)]
    assert most_confused(torch.eye(3, dtype=torch.int64)) == []     # no mistakes, nothing to list
    assert plot_confusion(cm).get_xlabel() == 'predicted digit'


def test_plot_comparison_needs_its_columns():
    with pytest.raises(ValueError, match='needs model, task'): plot_comparison(pd.DataFrame({'model': ['a'], 'accuracy': [0.9]}))
