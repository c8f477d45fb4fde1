"""The trainers' printed table, which the lessons never show (they train with quiet=True), checked on a few random rows;
and the one home of the run settings, `RUNS`: every trainer's defaults, `COURSE_RUNS`, the notebooks, `train_course_run`."""
import inspect, json, re
from pathlib import Path

import pytest
import torch
from mnist_hood.course import RUNS
from mnist_hood.records import COURSE_RUNS, train_course_run
from mnist_hood.linear_model import LinearData
from mnist_hood.neural_net import train_simple_net


def tiny_data(n=64, seed=0):
    g = torch.Generator().manual_seed(seed)
    x, y = torch.rand(n, 784, generator=g), (torch.rand(n, 1, generator=g) > 0.5).float()
    return LinearData(x[:48], y[:48], x[48:], y[48:])


def test_train_simple_net_prints_its_epochs_unless_quiet(capsys):
    run = train_simple_net(tiny_data(), epochs=2, bs=16)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ['epoch', 'train_loss', 'valid_loss', 'batch_accuracy']
    assert [l.split()[0] for l in lines[1:]] == ['0', '1']
    assert float(lines[-1].split()[-1]) == run.history[-1]   # the table shows the run's own last accuracy (to 6 places)
    train_simple_net(tiny_data(), epochs=2, bs=16, quiet=True)
    assert capsys.readouterr().out == ''


# ---- one home for the run settings: RUNS ----

NBS = Path(__file__).resolve().parents[1]/'nbs'


def settings(name):
    return {k: v for k, v in RUNS[name].items() if k != 'quick'}


@pytest.mark.parametrize('name', list(RUNS))
def test_every_trainer_takes_its_defaults_from_runs(name):
    "A trainer's defaults are its run's settings in RUNS (ten_digits_linear is train_ten_digits with n_hidden=0)."
    params = inspect.signature(COURSE_RUNS[name][2]).parameters
    for k, v in settings(name).items():
        if name == 'ten_digits_linear' and k == 'n_hidden': continue
        assert params[k].default == v, f"{name}: the trainer's default {k}={params[k].default!r}, RUNS says {v!r}"


def test_course_runs_cover_runs_and_hold_no_settings():
    assert list(COURSE_RUNS) == list(RUNS)
    assert all(len(entry) == 3 for entry in COURSE_RUNS.values())   # what, lesson, trainer: the settings are RUNS'


def test_no_training_notebook_spells_a_runs_settings():
    "The settings of a course run are written once, in RUNS: no dict(epochs=...) copy in the training lessons and appendix 91."
    for nb in ['06_minibatch_sgd', '07_optimizer_learner', '08_neural_net', '09_all_digits', '91_records']:
        cells = json.loads((NBS/f'{nb}.ipynb').read_text())['cells']
        code = '\n'.join(''.join(c['source']) for c in cells if c['cell_type'] == 'code')
        assert not re.search(r'dict\(epochs=\d', code), f'{nb} spells out a run\'s settings: read them from RUNS'
        assert not re.search(r"def train_\w+\([^)]*epochs: int = \d", code), f'{nb}: a trainer default not from RUNS'


def test_train_course_run_uses_runs_and_shortens():
    run = train_course_run('linear', tiny_data(), epochs=2)
    assert run.name == 'linear' and run.config == {**settings('linear'), 'epochs': 2} and len(run.history) == 2
    book = train_course_run('linear_book', tiny_data(), epochs=1)
    assert book.config == dict(epochs=1, lr=RUNS['linear_book']['lr'], bs=256, stream='book', validation='unweighted')
    with pytest.raises(ValueError, match='no course run'): train_course_run('nope', tiny_data())
