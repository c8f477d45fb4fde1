"Lesson 4 (mnist_hood.sgd): the argument checks and behaviours that the lesson no longer shows, checked here."
import matplotlib
matplotlib.use('Agg')
import matplotlib.pyplot as plt
import pytest
import torch

from mnist_hood.book import book_value
from mnist_hood.sgd import (Sliders, descend, fit_quadratic, grad_check, grad_of, mse, numerical_grad, plot_preds,
                            plot_sgd_loop, quadratic, quadratic_params, roller_coaster, roller_coaster_data, sgd_step,
                            show_descent)


def test_mse_refuses_shapes_that_would_broadcast():
    speed = roller_coaster_data(42)[1]
    with pytest.raises(ValueError, match='differ in shape'): mse(speed[:, None], speed)
    assert mse(torch.tensor([1., 2.]), torch.tensor([1., 4.])).item() == 2.


def test_sgd_step_gives_the_books_losses_from_the_private_generator():
    torch.randn(100)   # draws on the global generator do not matter
    rc = roller_coaster(42)
    p = rc.params.detach().clone().requires_grad_()
    losses = [sgd_step(p, rc.time, rc.speed) for _ in range(11)]
    assert round(losses[0], 4) == book_value('rc_first_loss')
    assert losses[1:] == book_value('rc_losses')
    assert p.grad is None


def test_fit_quadratic_copies_its_start_and_keeps_every_point():
    rc = roller_coaster(42)
    before = rc.params.detach().clone()
    fit = fit_quadratic(rc.time, rc.speed, steps=11, params=rc.params)
    assert torch.equal(rc.params.detach(), before) and rc.params.grad is None
    assert len(fit.history) == len(fit.losses) == len(fit.mses) == 12
    assert fit.losses[1:11] == book_value('rc_losses')
    assert 'QuadraticFit(11 steps' in repr(fit)
    assert torch.equal(fit_quadratic(rc.time, rc.speed, steps=2, seed=3).history[0], quadratic_params(3).detach())


def test_roller_coaster_is_its_two_parts():
    rc = roller_coaster(7)
    g = torch.Generator().manual_seed(7)
    time_, speed = roller_coaster_data(generator=g)
    assert torch.equal(rc.speed, speed) and torch.equal(rc.time, time_)
    assert torch.equal(rc.params, quadratic_params(generator=g)) and rc.params.requires_grad
    assert torch.equal(quadratic(torch.tensor([0., 1., 2.]), torch.tensor([1., 2., 3.])), torch.tensor([3., 6., 11.]))


def test_gradients_and_their_checks():
    x = torch.tensor([3., 4., 10.])
    assert torch.equal(grad_of(lambda t: (t**2).sum(), x), torch.tensor([6., 8., 20.])) and x.grad is None
    with pytest.raises(RuntimeError, match='floating point'): grad_of(lambda t: (t**2).sum(), torch.tensor([3, 4]))
    with pytest.raises(RuntimeError, match='scalar'): grad_of(lambda t: t**2, x)
    assert torch.allclose(numerical_grad(lambda t: (t**3).sum(), torch.tensor([1., 2.])), torch.tensor([3., 12.], dtype=torch.float64))
    assert grad_check(lambda t: (t**2).sum(), x).ok
    assert not grad_check(lambda t: (t.detach()**2 * t).sum(), torch.tensor([1., 2.])).ok


def test_descend_and_show_descent():
    xs = descend(lambda t: t**2, -1.5, lr=0.1, steps=3)
    assert torch.allclose(xs, -1.5*0.8**torch.arange(4.))
    _, ax = plt.subplots()
    assert torch.equal(show_descent(0.5, steps=2, ax=ax), torch.tensor([-1.5, 0., 0.]))
    assert ax.get_title() == 'lr = 0.5, 2 steps'
    plt.close('all')


def test_helpers_name_what_is_wrong():
    with pytest.raises(ValueError, match='unknown steps'): plot_sgd_loop(notes={'jump': 'x'})
    with pytest.raises(ValueError, match='at least one slider'): Sliders(show_descent)
    with pytest.raises(TypeError, match='callback must be a function'): Sliders(3, lr=0.1)
    rc = roller_coaster(42)
    ax = plot_preds(rc.time, rc.speed, quadratic(rc.time, rc.params), title='start')
    assert ax.get_title() == 'start' and len(ax.collections) == 2
    plt.close('all')


def test_sliders_move_without_drawing_and_show_a_note():
    from ipywidgets import FloatLogSlider, IntSlider
    s = Sliders(show_descent, note='a note', lr=FloatLogSlider(value=0.1, base=10, min=-3, max=0.08, description='lr'),
                steps=IntSlider(value=10, min=1, max=30, description='steps'))
    assert s.values == {'lr': 0.1, 'steps': 10} and s.drawn == ['lr = 0.1, 10 steps']
    plt.close('all')
    assert torch.equal(s.set(lr=0.5, steps=3), torch.tensor([-1.5, 0., 0., 0.]))
    assert plt.get_fignums() == [] and s.values == {'lr': 0.5, 'steps': 3}
    with pytest.raises(ValueError, match='no slider named'): s.set(d=1)
    bundle = s._repr_mimebundle_()
    assert bundle['text/plain'] == 'a note' and bundle['image/png'] == s.png   # the start, for pages without widgets
    assert s.png.startswith('iVBOR')                                            # base64 of a PNG file


def test_sliders_carry_what_the_website_script_needs():
    "For a web page the output carries the spec sliders.js builds live sliders from, at the values of the picture drawn."
    import json, re
    from functools import partial
    from ipywidgets import FloatLogSlider, FloatSlider, IntSlider
    from mnist_hood.sgd import live_experiment, show_quadratic
    s = Sliders(partial(show_descent, x0=0.7), lr=FloatLogSlider(value=0.2, base=10, min=-3, max=0.08, step=0.01, description='lr'),
                steps=IntSlider(value=4, min=1, max=30, description='a</script>b'))
    plt.close('all')
    s.set(lr=0.5)                            # moved without drawing: the page still starts where the picture was drawn
    page = s._repr_mimebundle_()['text/html']
    assert page.startswith('<div class="mh-live" data-experiment="descent">') and page.count('</script>') == 1
    spec = json.loads(re.search(r'<script type="application/json">(.*?)</script>', page, re.S).group(1))
    assert spec == {'experiment': 'descent', 'x0': 0.7, 'sliders': [
        {'name': 'lr', 'label': 'lr', 'kind': 'log', 'min': -3, 'max': 0.08, 'step': 0.01, 'value': 0.2, 'base': 10},
        {'name': 'steps', 'label': 'a</script>b', 'kind': 'int', 'min': 1, 'max': 30, 'step': 1, 'value': 4}]}
    assert f'src="data:image/png;base64,{s.png}"' in page and 'alt="lr = 0.2, 4 steps"' in page
    rc = roller_coaster(42)
    assert live_experiment(partial(show_quadratic, rc.time, rc.speed)) == {
        'experiment': 'quadratic', 'time': rc.time.tolist(), 'speed': rc.speed.tolist()}
    assert live_experiment(partial(show_descent, f=lambda x: x**4)) is None   # the script knows the loss x**2 only
    assert live_experiment(lambda lr: lr) is None
    def draw(lr): plt.subplots(); return lr
    other = Sliders(draw, lr=FloatSlider(value=0.1, description='lr'))
    bundle = other._repr_mimebundle_()
    assert 'text/html' not in bundle and bundle['image/png'] == other.png    # a callback it cannot redo: the picture only
    plt.close('all')
