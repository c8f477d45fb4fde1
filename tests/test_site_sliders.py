"""Lesson 4's live sliders on the course site, with no kernel: mnist_hood/site_assets/sliders.js, read in a real browser.

The site is built from the committed notebooks (or MNIST_HOOD_SITE, an existing build), lesson 4's page is opened in
Debian's headless Chromium through Playwright, the sliders are moved (by typing exact values and with the keyboard),
and the numbers the page shows are compared with the Python callbacks' (`show_descent`, `show_quadratic`) to 1e-6
relative. Without Chromium or Playwright the tests skip, saying why; with MNIST_HOOD_REQUIRE_BROWSER=1 that is a failure.
Where the site ships static/sliders.js, the page's own script tag is what runs (and it must be there, the file a copy
of site_assets/sliders.js); on a site that does not ship it, the test adds the script to the page itself."""
import json
from pathlib import Path

import matplotlib
matplotlib.use('Agg')
import matplotlib.pyplot as plt
import pytest
import torch

from mnist_hood.sgd import roller_coaster, show_descent, show_quadratic
from mnist_hood.site import assets_folder

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = assets_folder()/'sliders.js'
RTOL = 1e-6


def open_lesson_4(browser, server, site, width=1280):
    "Lesson 4's page with its live sliders built; returns (page, errors): what the page logged as errors is collected."
    page, errors = browser.new_page(), []
    page.set_viewport_size({'width': width, 'height': 900})
    page.on('console', lambda m: errors.append(f'{m.type}: {m.text}') if m.type == 'error' else None)
    page.on('pageerror', lambda e: errors.append(f'exception: {e}'))
    page.goto(server + '04_sgd.html', wait_until='load')
    own = page.locator('script[src="static/sliders.js"]').count()
    if own or (site/'static'/'sliders.js').exists():   # the site ships the script: the page must load it, as copied
        assert own == 1, '04_sgd.html does not load static/sliders.js (once, deferred)'
        assert (site/'static'/'sliders.js').read_bytes() == SCRIPT.read_bytes(), "the site's sliders.js is not site_assets/sliders.js"
    else: page.add_script_tag(path=str(SCRIPT))   # a site that does not ship it yet: the same file, added by the test
    page.wait_for_function("() => [...document.querySelectorAll('.mh-live')].every(d => d.dataset.ready === '1')", timeout=10000)
    return page, errors


@pytest.fixture(scope='module')
def lesson(browser, server, site):
    page, errors = open_lesson_4(browser, server, site)
    yield page, errors
    page.close()


def live(page, experiment):
    return page.locator(f'.mh-live[data-experiment="{experiment}"]')


def spec_of(page, experiment):
    return json.loads(live(page, experiment).locator('script[type="application/json"]').text_content())


def type_value(page, experiment, name, value):
    "Type `value` into the slider's box, then leave it with Tab, as a learner would; returns the slider's value as the page holds it."
    box = live(page, experiment).locator(f'.mh-slider[data-name="{name}"] input[type=number]')
    box.fill(str(value))
    box.press('Tab')
    return slider_value(page, experiment, name)


def slider_value(page, experiment, name):
    return float(live(page, experiment).locator(f'.mh-slider[data-name="{name}"]').get_attribute('data-value'))


def shown(page, experiment, name):
    "The number the page shows as `name` (in full, from its `data-value`)."
    return json.loads(live(page, experiment).locator(f'output[data-name="{name}"]').get_attribute('data-value'))


def title(page, experiment):
    return live(page, experiment).locator('svg .mh-title').text_content()


def assert_close(got, want, what):
    got, want = torch.tensor(got, dtype=torch.float64), torch.as_tensor(want).double()
    assert got.shape == want.shape, (what, got.shape, want.shape)
    bad = (got - want).abs() > RTOL*want.abs().clamp_min(1e-30)
    assert not bad.any(), f'{what}: the page gives {got[bad].tolist()} where Python gives {want[bad].tolist()}'


def python_descent(lr, steps, x0):
    "What the notebook's learning-rate sliders compute and title: show_descent's positions, and the title it draws."
    _, ax = plt.subplots()
    try: return show_descent(lr, steps, x0=x0, ax=ax), ax.get_title()
    finally: plt.close('all')


def python_quadratic(time, speed, a, b, c):
    "What the notebook's a, b, c sliders compute and title: show_quadratic's MSE, and its title."
    _, ax = plt.subplots()
    try: return show_quadratic(time, speed, a, b, c, ax=ax), ax.get_title()
    finally: plt.close('all')


def test_the_page_holds_the_notebooks_run(lesson):
    page, errors = lesson
    d, q = spec_of(page, 'descent'), spec_of(page, 'quadratic')
    rc = roller_coaster(42)   # the book's data, which lesson 4 draws from the seeded stream
    assert torch.equal(torch.tensor(q['time']), rc.time) and torch.equal(torch.tensor(q['speed']), rc.speed)
    assert d['x0'] == -1.5
    assert {s['name']: s['value'] for s in d['sliders']} == {'lr': 0.1, 'steps': 10}
    assert {s['name']: s['value'] for s in q['sliders']} == {'a': 0.5, 'b': -10, 'c': 60}
    # the sliders start where the notebook's do, and draw what the notebook drew there
    xs, t = python_descent(0.1, 10, -1.5)
    assert_close(shown(page, 'descent', 'xs'), xs, 'positions at the start')
    assert title(page, 'descent') == t == 'lr = 0.1, 10 steps'
    mse, t = python_quadratic(rc.time, rc.speed, 0.5, -10., 60.)
    assert_close(shown(page, 'quadratic', 'mse'), mse, 'MSE at the start')
    assert title(page, 'quadratic') == t
    assert live(page, 'descent').locator('img').is_hidden()   # the still picture gives way to the live drawing
    assert not errors, errors


@pytest.mark.parametrize('lr,steps', [(0.5, 1), (0.5, 30), (0.01, 30), (0.95, 30), (1.1, 30), (1.2, 30), (0.3, 1),
                                      (0.001, 7), (100, 30)])
def test_descent_matches_python(lesson, lr, steps):
    page, errors = lesson
    lr = type_value(page, 'descent', 'lr', lr)            # 100 is beyond the slider: it stops at its end, 10**0.08
    steps = int(type_value(page, 'descent', 'steps', steps))
    xs, t = python_descent(lr, steps, spec_of(page, 'descent')['x0'])
    got = shown(page, 'descent', 'xs')
    assert_close(got, xs, f'positions at lr = {lr}, {steps} steps')
    assert title(page, 'descent') == t
    if lr == 0.5: assert got == [-1.5] + [0.] * steps    # exactly 0.5: the first step lands on the minimum and stays
    if lr > 1: assert all(abs(b) > abs(a) for a, b in zip(got, got[1:]))   # above 1: it diverges, further out at every step
    assert not errors, errors


@pytest.mark.parametrize('a,b,c', [(0.75, -14.25, 68.6875), (-1, -20, -10), (2, 5, 100), (0.33, -7.1, 41.25), (0, 0, 0)])
def test_quadratic_matches_python(lesson, a, b, c):
    page, errors = lesson
    a, b, c = (type_value(page, 'quadratic', n, v) for n, v in zip('abc', (a, b, c)))
    rc = roller_coaster(42)
    mse, t = python_quadratic(rc.time, rc.speed, a, b, c)
    assert_close(shown(page, 'quadratic', 'mse'), mse, f'MSE at a, b, c = {a}, {b}, {c}')
    assert title(page, 'quadratic') == t
    assert not errors, errors


def test_keyboard_moves_the_sliders_and_the_drawing_follows(lesson):
    page, errors = lesson
    type_value(page, 'descent', 'lr', 0.1)
    type_value(page, 'descent', 'steps', 10)
    path = live(page, 'descent').locator('svg .mh-path')
    before, draws = path.get_attribute('d'), int(live(page, 'descent').get_attribute('data-draws'))
    lr_range = live(page, 'descent').locator('.mh-slider[data-name="lr"] input[type=range]')
    lr_range.focus()
    page.keyboard.press('ArrowRight')                     # one step of the log slider: 10**-0.99
    lr = slider_value(page, 'descent', 'lr')
    assert lr == pytest.approx(10**-0.99, rel=1e-12)
    assert path.get_attribute('d') != before and int(live(page, 'descent').get_attribute('data-draws')) == draws + 1
    steps_range = live(page, 'descent').locator('.mh-slider[data-name="steps"] input[type=range]')
    steps_range.focus()
    page.keyboard.press('End')                            # the last step count, 30
    assert slider_value(page, 'descent', 'steps') == 30
    xs, t = python_descent(lr, 30, -1.5)
    assert_close(shown(page, 'descent', 'xs'), xs, 'positions after the keys')
    assert title(page, 'descent') == t
    c_range = live(page, 'quadratic').locator('.mh-slider[data-name="c"] input[type=range]')
    c_range.focus()
    page.keyboard.press('Home')                           # c at its lowest, -10
    values = [slider_value(page, 'quadratic', n) for n in 'abc']
    assert values[2] == -10
    rc = roller_coaster(42)
    assert_close(shown(page, 'quadratic', 'mse'), python_quadratic(rc.time, rc.speed, *values)[0], 'MSE after the keys')
    labels = page.locator('.mh-live label').all_text_contents()
    assert labels == ['lr', 'steps', 'a', 'b', 'c']       # every slider has a label tied to it (label for=)
    assert not errors, errors


FORMATTED = [0.1, 0.5, -14.25, 41.25, 68.6875, 0.125, 0.375, 2.5, -2.5, 1e-05, 0.0001234, 12345.678, 1.2023, 1e+22,
             -0.0, 0.0, 999.5, 9.995, 0.0009765625, 123.45, 8.75, 8.65, 336.05, 1234567.25, 3e-300, -7.1]


def test_titles_format_numbers_as_python(lesson):
    "The page writes numbers into titles as Python's format does (`.3g`, `.1f`), ties to even included."
    page, errors = lesson
    got = page.evaluate("vs => vs.map(v => [mhLive.fmtG(v, 3), mhLive.fmtG(v, 4), Math.abs(v) < 1e21 ? mhLive.fmtF(v, 1) : null])",
                        FORMATTED)
    want = [[f'{v:.3g}', f'{v:.4g}', f'{v:.1f}' if abs(v) < 1e21 else None] for v in FORMATTED]
    assert got == want
    assert not errors, errors


def test_the_sliders_fit_a_phone(browser, server, site):
    page, errors = open_lesson_4(browser, server, site, width=390)
    try:
        boxes = page.evaluate("""() => [...document.querySelectorAll('.mh-live, .mh-live svg, .mh-live input')].map(e => {
            const r = e.getBoundingClientRect(); return {left: r.left, right: r.right, width: r.width}; })""")
        assert boxes and all(b['left'] >= 0 and b['right'] <= 390 and b['width'] > 0 for b in boxes), boxes
        assert page.evaluate("() => [...document.querySelectorAll('.mh-live')].every(d => d.scrollWidth <= d.clientWidth)")
        assert not errors, errors
    finally: page.close()
