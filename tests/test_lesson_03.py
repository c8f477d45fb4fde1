"""Lesson 03's library code beyond what the lesson shows: `explain_broadcast` agrees with PyTorch on many shapes and
says clearly when it is not given a shape; `mnist_distance` refuses integer pixels; `baseline_accuracies` names a
missing folder."""
import itertools

import numpy as np
import pytest
import torch

from mnist_hood.metrics import mnist_distance, is_3, explain_broadcast, baseline_accuracy, baseline_accuracies


# ---- explain_broadcast: the lesson's helper ----

SIZES = [(), (1,), (3,), (0,), (1, 1), (3, 1), (1, 4), (3, 4), (2, 1, 4), (2, 3, 4), (5, 1, 1), (1, 0)]


@pytest.mark.parametrize('a,b', list(itertools.product(SIZES, SIZES)))
def test_agrees_with_pytorch(a, b):
    "Every pair of a small set of shapes, both ways round: the same result as `torch.broadcast_shapes`, or both refuse."
    e = explain_broadcast(a, b)
    try: expected = torch.broadcast_shapes(a, b)
    except RuntimeError: expected = None
    if expected is None:
        assert not e.ok and e.result is None
        with pytest.raises(ValueError, match="can't broadcast"): e.shape
        assert 'cannot broadcast' in repr(e)
    else:
        assert e.ok and e.shape == expected and e.result == tuple(expected)
        if a or b: assert repr(e).endswith(f'result shape: {tuple(expected)}')   # two rank-0 shapes: test_rank_0


def test_takes_tensors_arrays_and_shapes():
    for a in ((2, 3), [2, 3], torch.Size([2, 3]), torch.zeros(2, 3), np.zeros((2, 3))):
        assert explain_broadcast(a, (3,)).result == (2, 3)


def test_says_which_axes_are_stretched():
    e = explain_broadcast((1010, 28, 28), (28, 28), names=('valid_3_tens', 'mean3'))
    assert e.stretched == {'valid_3_tens': [], 'mean3': [0]}
    text = repr(e)
    assert 'valid_3_tens: used as it is' in text
    assert 'mean3: axis 0 is missing: added as size 1, stretched to 1010' in text
    assert explain_broadcast((3, 1), (4,)).stretched == {'a': [1], 'b': [0]}
    assert 'axis 1 has size 1: stretched to 4' in repr(explain_broadcast((3, 1), (4,)))


def test_names_the_axis_that_does_not_fit():
    e = explain_broadcast((1010, 28, 28), (28, 27))
    assert e.bad_axis == 2
    assert 'at axis 2 (lined up from the right) a has size 28 and b has size 27' in e.reason


def test_rank_0():
    assert 'both are single numbers (rank 0): result shape ()' in repr(explain_broadcast((), ()))


@pytest.mark.parametrize('a,words,error', [
    ('abc', 'must be a tensor, an array or a shape tuple', TypeError),
    (3, 'must be a tensor, an array or a shape tuple', TypeError),
    ((2.5, 3), 'whole numbers', TypeError),
    ((True, 3), 'whole numbers', TypeError),
    ((-1, 3), "can't be negative", ValueError)])
def test_not_a_shape(a, words, error):
    with pytest.raises(error, match=words): explain_broadcast(a, (3,))
    with pytest.raises(error, match=words): explain_broadcast((3,), a)


@pytest.mark.parametrize('names', [('a',), ('a', 'b', 'c'), ('a', 2)])
def test_names_must_be_two_strings(names):
    with pytest.raises(TypeError, match='names must be two strings'): explain_broadcast((3,), (3,), names=names)


# ---- mnist_distance and is_3: the book's one-liners, with one guard ----

def test_mnist_distance_refuses_integer_pixels():
    img = torch.rand(28, 28)
    for a, b in ((img.mul(255).byte(), img), (img, img.mul(255).byte()), (img.long(), img.long())):
        with pytest.raises(TypeError, match=r'pixels must be floats in \[0, 1\].*convert with \.float\(\)/255'):
            mnist_distance(a, b)
    with pytest.raises(TypeError): is_3(img.mul(255).byte(), img, img)


def test_mnist_distance_one_per_image():
    g = torch.Generator().manual_seed(0)
    stack, one = torch.rand(5, 28, 28, generator=g), torch.rand(28, 28, generator=g)
    d = mnist_distance(stack, one)
    assert d.shape == (5,)
    torch.testing.assert_close(d, torch.stack([torch.nn.functional.l1_loss(x, one) for x in stack]))
    torch.testing.assert_close(mnist_distance(one, stack), d)


def test_mnist_distance_shapes_that_do_not_broadcast():
    "No guard of ours: PyTorch itself refuses images of other sizes, and stacks of different lengths."
    with pytest.raises(RuntimeError): mnist_distance(torch.zeros(28, 28), torch.zeros(27, 28))
    with pytest.raises(RuntimeError): mnist_distance(torch.zeros(4, 28, 28), torch.zeros(5, 28, 28))


# ---- baseline_accuracy(ies): for programs ----

def test_baseline_accuracy_on_made_up_ideals():
    "Images that are exactly the ideals: every 3 is called a 3 and every 7 a 7."
    g = torch.Generator().manual_seed(1)
    mean3, mean7 = torch.rand(28, 28, generator=g), torch.rand(28, 28, generator=g)
    threes, sevens = mean3.expand(4, 28, 28), mean7.expand(6, 28, 28)
    assert baseline_accuracy(threes, sevens, mean3, mean7) == {'threes': 1.0, 'sevens': 1.0, 'overall': 1.0}
    assert baseline_accuracy(sevens, threes, mean3, mean7) == {'threes': 0.0, 'sevens': 0.0, 'overall': 0.0}


def test_baseline_accuracies_names_a_missing_folder(tmp_path):
    with pytest.raises(Exception, match='no such folder'): baseline_accuracies(tmp_path/'no_such_folder')


def test_baseline_accuracies_offline(offline):
    from mnist_hood.data import mnist_sample
    accs = baseline_accuracies(mnist_sample(quiet=True))
    assert set(accs) == {'threes', 'sevens', 'overall'}
    assert accs['threes'] > 0.8 and accs['sevens'] > 0.8
    assert accs['overall'] == pytest.approx((accs['threes'] + accs['sevens'])/2)
