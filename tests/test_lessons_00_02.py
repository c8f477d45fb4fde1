"Lessons 00-02's functions beyond what the lessons show: their one guard each, the stable tables, and the edges' errors."
import re

import matplotlib
matplotlib.use('Agg')
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from mnist_hood.data import DataError, mnist_sample
from mnist_hood.pixels import pixel_frame, show_digit
from mnist_hood.similarity import distances_to_ideals, ideal_digit, ideal_digits, l1_distance, rmse_distance


# ---- lesson 01: pixel_frame and show_digit ----
def test_pixel_frame_keeps_the_image_numbering_and_values():
    img = torch.arange(28*28).reshape(28, 28) % 256
    df = pixel_frame(img, rows=slice(4, 15), cols=slice(4, 22)).data
    assert df.shape == (11, 18) and (df.index[0], df.index[-1], df.columns[0], df.columns[-1]) == (4, 14, 4, 21)
    assert (df.values == img[4:15, 4:22].numpy()).all()


def test_pixel_frame_takes_pil_numpy_and_tensors_alike():
    a = (np.arange(28*28) % 256).astype(np.uint8).reshape(28, 28)
    frames = [pixel_frame(x, rows=slice(2, 6)).data for x in (Image.fromarray(a), a, torch.from_numpy(a))]
    assert all(f.equals(frames[0]) for f in frames)


def test_pixel_frame_html_is_stable_and_tables_do_not_share_ids():
    "The same pixels give the same HTML on every run (no random Styler id); two different windows get different ids."
    a = (torch.arange(28*28) % 256).reshape(28, 28).to(torch.uint8)
    html = lambda **kw: pixel_frame(a, **kw).to_html()
    assert html(rows=slice(4, 15)) == html(rows=slice(4, 15))
    assert pixel_frame(a, rows=slice(0, 3)).uuid != pixel_frame(a, rows=slice(3, 6)).uuid


def _css(styler, row, col):
    "The CSS pandas writes for the cell at (`row`, `col`) of the window."
    return re.search(rf'_row{row}_col{col}\b[^{{]*\{{([^}}]*)\}}', styler.to_html()).group(1).strip()


def test_pixel_frame_shades_on_a_fixed_scale():
    "Integers on 0..255 and floats on 0..1: a pixel's shade doesn't depend on the rest of the window."
    ints = torch.tensor([[0, 255], [0, 128]], dtype=torch.uint8)
    grey = _css(pixel_frame(ints), 1, 1)
    assert 'background-color' in grey
    assert _css(pixel_frame(ints, rows=slice(1, 2)), 0, 1) == grey        # without the 255 beside it
    assert _css(pixel_frame(ints.float()/255), 1, 1) == grey               # the same pixel as a float


def test_show_digit_draws_any_kind_of_image():
    a = (np.arange(28*28) % 256).astype(np.uint8).reshape(28, 28)
    for img, vmax in ((a, 255), (Image.fromarray(a), 255), (torch.from_numpy(a), 255),
                      (torch.from_numpy(a).float().div(255).requires_grad_(), 1.0)):
        ax = show_digit(img, title='t')
        im = ax.get_images()[0]
        assert im.get_clim() == (0, vmax) and ax.get_title() == 't' and ax.get_xlabel() == 'column'
        assert np.allclose(im.get_array(), torch.as_tensor(np.array(a)).numpy() / (255 if vmax == 1.0 else 1))
        plt.close(ax.figure)


# ---- lesson 02: the ideals and the distances ----
def test_ideal_digit_is_the_pixelwise_mean():
    pile = torch.stack([torch.zeros(28, 28), torch.ones(28, 28), torch.full((28, 28), 0.5)])
    assert torch.equal(ideal_digit(pile), torch.full((28, 28), 0.5))


def test_ideal_digit_refuses_a_single_image():
    "mean(0) of one image would average its rows: the one guard says so."
    with pytest.raises(ValueError, match=r'pile of images \(N, rows, cols\), got shape \(28, 28\)'):
        ideal_digit(torch.zeros(28, 28))


def test_ideal_digits_names_a_missing_folder(tmp_path):
    with pytest.raises(DataError, match='no such folder'): ideal_digits(tmp_path/'no_such_folder')


def test_ideal_digits_from_the_offline_sample(offline):
    path = mnist_sample()
    m3, m7 = ideal_digits(path)
    assert m3.shape == m7.shape == (28, 28) and not torch.equal(m3, m7)
    assert 0 < float(m3.max()) < 1 and float(m3.min()) == 0.0


def test_distances_by_hand():
    "Gaps 1, 1, 3, 0: mean absolute 5/4, RMSE sqrt(11/4)."
    a, z = torch.tensor([[1., -1.], [3., 0.]]), torch.zeros(2, 2)
    assert l1_distance(a, z).item() == pytest.approx(5/4) and rmse_distance(a, z).item() == pytest.approx((11/4)**0.5)
    assert l1_distance(a, z).ndim == 0 and rmse_distance(a, z).ndim == 0


def test_distances_agree_with_pytorch():
    g = torch.Generator().manual_seed(0)
    a, b = torch.rand(28, 28, generator=g), torch.rand(28, 28, generator=g)
    assert torch.allclose(l1_distance(a, b), F.l1_loss(a, b)) and torch.allclose(rmse_distance(a, b), F.mse_loss(a, b).sqrt())


@pytest.mark.parametrize('f', [l1_distance, rmse_distance])
def test_distances_refuse_shapes_that_would_broadcast(f):
    "A pile against one image would broadcast and silently give another number: the one guard says so."
    with pytest.raises(ValueError, match=rf'{f.__name__}: a and b must have the same shape, got \(3, 28, 28\) and \(28, 28\)'):
        f(torch.zeros(3, 28, 28), torch.zeros(28, 28))


@pytest.mark.parametrize('f', [l1_distance, rmse_distance])
def test_distances_refuse_integer_pixels_loudly(f):
    "uint8 pixels would wrap around (3 - 5 = 254): PyTorch refuses their mean, so no wrong number comes out."
    with pytest.raises((RuntimeError, NotImplementedError), match='dtype'):
        f(torch.tensor([3], dtype=torch.uint8), torch.tensor([5], dtype=torch.uint8))


def test_distances_to_ideals_table():
    m3, m7 = torch.zeros(2, 2), torch.ones(2, 2)
    img = torch.tensor([[0., 1.], [0., 0.]])
    d = distances_to_ideals(img, m3, m7)
    assert d.index.tolist() == ['ideal 3', 'ideal 7'] and d.columns.tolist() == ['l1', 'rmse']
    assert np.allclose(d.values, [[0.25, 0.5], [0.75, 0.75**0.5]])
    with pytest.raises(ValueError, match='same shape'): distances_to_ideals(torch.zeros(2, 2, 2), m3, m7)
