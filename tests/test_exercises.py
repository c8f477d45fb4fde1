"""`mnist_hood.exercises.check`: every exercise accepts the course's own solution and rejects typical wrong ones,
each with the hint meant for that mistake; stubs are "not written yet"; errors in the learner's code are reported
with their line; only an unknown name raises."""

import pytest
import torch
from torch import nn

from mnist_hood.exercises import check, exercises, CheckResult, LEARNER_ATOL, TEN_DIGITS_MIN_ACCURACY
from mnist_hood.metrics import mnist_distance, is_3
from mnist_hood.linear_model import sigmoid, mnist_loss
from mnist_hood.training import batch_accuracy, calc_grad
from mnist_hood.learner import BasicOptim, BasicLearner
from mnist_hood.neural_net import simple_net
from mnist_hood.digits import train_ten_digits


def failed(name, solution, *words, status='failed'):
    "Check `solution`, assert it fails with `status`, and that the message holds each of `words`; return the result."
    r = check(name, solution)
    assert isinstance(r, CheckResult)
    assert r.passed is False, f"{name}: a wrong solution passed: {r.message}"
    assert r.status == status, f"{name}: expected status {status!r}, got {r.status!r}: {r.message}"
    for w in words: assert w.lower() in r.message.lower(), f"{name}: {w!r} not in the message: {r.message}"
    md = r._repr_markdown_()
    assert name in md and r.message.split('\n')[0] in md
    return r


def passed(name, solution):
    r = check(name, solution)
    assert r.passed is True and r.status == 'passed', f"{name}: the course's solution failed: {r.message}"
    return r


# ---- the entry point ----

def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(KeyError) as e: check('mnist_distanse', mnist_distance)
    for n in ('mnist_distance', 'BasicOptim', 'ten_digits'): assert n in str(e.value)


def test_every_name_has_a_signature_and_a_lesson():
    t = exercises()
    for n in ('mnist_distance', 'is_3', 'sigmoid', 'mnist_loss', 'batch_accuracy', 'calc_grad', 'BasicOptim',
              'simple_net', 'Learner', 'ten_digits'):
        assert n in t.index
        assert t.loc[n, 'signature'].startswith(n + '(')
        assert t.loc[n, 'lesson'][:2].isdigit()


def test_stubs_are_not_written_yet():
    def stub_dots(a, b):
        ...
    def stub_pass(a, b):
        "With a docstring."
        pass
    def stub_raise(a, b): raise NotImplementedError
    for s in (stub_dots, stub_pass, stub_raise, lambda a, b: ...):
        failed('mnist_distance', s, 'not written yet', status='not written')
    class Half:
        def __init__(self, params, lr): self.params, self.lr = list(params), lr
        def step(self): ...
        def zero_grad(self): ...
    failed('BasicOptim', Half, 'not written yet', 'step', 'zero_grad', status='not written')


def test_not_implemented_at_run_time_is_not_written_yet():
    def later(x):
        if x is not None: raise NotImplementedError("to do")
        return x
    failed('sigmoid', later, 'not written yet', status='not written')


def test_an_exception_is_reported_with_its_line():
    def broken(a, b):
        d = a - b
        return d.abs().mean(axis=(-1, -2), foo=1)
    r = failed('mnist_distance', broken, 'TypeError', 'return d.abs().mean(axis=(-1, -2), foo=1)', status='error')
    assert f'line {broken.__code__.co_firstlineno + 2}' in r.message


def test_an_exception_inside_a_library_call_points_at_the_learners_line():
    def calls_course_code(a, b):
        return mnist_distance(a.long(), b)      # the course's function rejects integer pixels
    failed('mnist_distance', calls_course_code, 'TypeError', 'mnist_distance(a.long(), b)', status='error')


def test_not_a_function_and_wrong_parameters():
    failed('sigmoid', sigmoid(torch.tensor([0.])), 'pass the name without calling it')
    def is_3_book(x): return x
    failed('is_3', is_3_book, 'is_3(x, mean3, mean7)', 'parameters')


def test_returns_none():
    def forgot_return(x): y = 1/(1 + torch.exp(-x))  # noqa: F841 (the learner's mistake under test)
    failed('sigmoid', forgot_return, 'forget `return`')


def test_a_check_leaves_the_random_streams_alone():
    import random, numpy as np
    torch.manual_seed(1); random.seed(1); np.random.seed(1)
    check('Learner', BasicLearner); check('BasicOptim', BasicOptim)
    a = (torch.rand(1).item(), random.random(), np.random.rand())
    torch.manual_seed(1); random.seed(1); np.random.seed(1)
    assert a == (torch.rand(1).item(), random.random(), np.random.rand())


def test_threads_restored():
    n = torch.get_num_threads()
    check('sigmoid', sigmoid)
    assert torch.get_num_threads() == n


def test_works_under_no_grad():
    with torch.no_grad(): passed('calc_grad', calc_grad)


def test_unusable_return_value_is_reported_not_raised():
    def weird(a, b): return 'a string'
    failed('mnist_distance', weird)


# ---- lesson 3 ----

def test_mnist_distance():
    passed('mnist_distance', mnist_distance)
    failed('mnist_distance', lambda a, b: (a - b).abs().mean(), 'averaged over every axis', '.mean((-1, -2))')
    failed('mnist_distance', lambda a, b: (a - b).mean((-1, -2)), 'absolute value')
    failed('mnist_distance', lambda a, b: ((a - b)**2).mean((-1, -2)).sqrt(), 'root mean squared')
    failed('mnist_distance', lambda a, b: (a - b).abs().sum((-1, -2)), 'summed')


def test_is_3():
    passed('is_3', is_3)
    passed('is_3', lambda x, m3, m7: (mnist_distance(x, m3) < mnist_distance(x, m7)).float())   # 1/0 is fine
    failed('is_3', lambda x, m3, m7: mnist_distance(x, m3) > mnist_distance(x, m7), "is it a 7?")
    failed('is_3', lambda x, m3, m7: mnist_distance(x, m3) - mnist_distance(x, m7), 'not the distances')
    failed('is_3', lambda x, m3, m7: (x - m3).abs().mean() < (x - m7).abs().mean(), 'one answer per image')


# ---- lesson 5 ----

def test_sigmoid():
    passed('sigmoid', sigmoid)
    passed('sigmoid', torch.sigmoid)
    failed('sigmoid', lambda x: 1/(1 + torch.exp(x)), 'sign of the exponent')
    failed('sigmoid', lambda x: 1/torch.exp(-x), 'left out the `1 +`')
    failed('sigmoid', lambda x: 1/(1 - torch.exp(-x)), '`1 + exp(-x)`')


def test_mnist_loss():
    passed('mnist_loss', mnist_loss)
    failed('mnist_loss', lambda p, t: torch.where(t == 1, 1 - p, p).mean(), 'sigmoid')
    failed('mnist_loss', lambda p, t: torch.where(t == 1, p.sigmoid(), 1 - p.sigmoid()).mean(), 'targets are swapped')
    failed('mnist_loss', lambda p, t: torch.where(t == 1, 1 - p.sigmoid(), p.sigmoid()), 'one number')
    failed('mnist_loss', lambda p, t: torch.where(t == 1, 1 - p.sigmoid(), p.sigmoid()).sum(), 'not the sum')
    def no_grad(p, t): return torch.tensor(mnist_loss(p, t).item())
    failed('mnist_loss', no_grad, 'no gradient', '.item()')


# ---- lesson 6 ----

def test_batch_accuracy():
    passed('batch_accuracy', batch_accuracy)
    passed('batch_accuracy', lambda xb, yb: ((xb > 0) == yb).float().mean().item())   # the sign decides too; a float is fine
    failed('batch_accuracy', lambda xb, yb: ((xb > 0.5) == yb).float().mean(), 'thresholded the raw outputs at 0.5', 'sigmoid')
    failed('batch_accuracy', lambda xb, yb: ((xb.sigmoid() > 0.5) == (1 - yb)).float().mean(), 'labels are swapped')
    failed('batch_accuracy', lambda xb, yb: (xb.sigmoid() > 0.5) == yb, 'one number')
    failed('batch_accuracy', lambda xb, yb: ((xb.sigmoid() > 0.5) == yb).float().sum(), 'number of correct answers')


def test_calc_grad():
    passed('calc_grad', calc_grad)
    def book(xb, yb, model):          # the book's version returns nothing: fine
        preds = model(xb)
        loss = mnist_loss(preds, yb)
        loss.backward()
    passed('calc_grad', book)
    def no_backward(xb, yb, model): return mnist_loss(model(xb), yb)
    failed('calc_grad', no_backward, 'backward()')
    def no_sigmoid(xb, yb, model): torch.where(yb == 1, 1 - model(xb), model(xb)).mean().backward()
    failed('calc_grad', no_sigmoid, 'without the sigmoid')
    def swapped(xb, yb, model): mnist_loss(model(xb), 1 - yb).backward()
    failed('calc_grad', swapped, 'labels swapped')
    def twice(xb, yb, model):
        mnist_loss(model(xb), yb).backward(); mnist_loss(model(xb), yb).backward()
    failed('calc_grad', twice, 'twice as big')


# ---- lesson 7 ----

class Uphill(BasicOptim):
    def step(self, *args, **kwargs):
        for p in self.params: p.data += p.grad.data*self.lr

class NoLr(BasicOptim):
    def step(self, *args, **kwargs):
        for p in self.params: p.data -= p.grad.data

class Rebinds(BasicOptim):
    def step(self, *args, **kwargs):
        for p in self.params: p = p - p.grad*self.lr

class LazyZero(BasicOptim):
    def zero_grad(self, *args, **kwargs):
        for p in self.params: g = p.grad; g = None  # noqa: F841 (the mistake under test: clears a name, not the gradient)

class KeepsGenerator:
    def __init__(self, params, lr): self.params, self.lr = params, lr
    def step(self):
        for p in self.params: p.data -= p.grad.data*self.lr
    def zero_grad(self):
        for p in self.params: p.grad = None


def test_BasicOptim():
    passed('BasicOptim', BasicOptim)
    class Zeroes(BasicOptim):       # zeroing in place is as good as None
        def zero_grad(self):
            for p in self.params: p.grad.zero_()
    passed('BasicOptim', Zeroes)
    failed('BasicOptim', Uphill, 'uphill')
    failed('BasicOptim', NoLr, 'ignores the learning rate')
    failed('BasicOptim', Rebinds, 'did not change', 'in place')
    failed('BasicOptim', LazyZero, 'zero_grad()', 'left the gradients')
    failed('BasicOptim', KeepsGenerator, 'generator', 'list(params)')


class _LearnerBase:
    def __init__(self, dls, model, opt_func=BasicOptim, loss_func=mnist_loss, metrics=batch_accuracy):
        self.dls, self.model, self.opt_func, self.loss_func, self.metrics = dls, model, opt_func, loss_func, metrics
    def fit(self, epochs, lr):
        opt = self.opt_func(list(self.model.parameters()), lr)
        for _ in range(self.epochs_run(epochs)):
            for xb, yb in self.dls.train:
                self.loss_func(self.model(xb), yb).backward()
                self.update(opt)
    def epochs_run(self, epochs): return epochs
    def update(self, opt): opt.step(); opt.zero_grad()


def test_Learner():
    passed('Learner', BasicLearner)
    passed('Learner', _LearnerBase)
    class NoZero(_LearnerBase):
        def update(self, opt): opt.step()
    failed('Learner', NoZero, 'piled up', 'zero_grad()')
    class OneEpoch(_LearnerBase):
        def epochs_run(self, epochs): return 1
    failed('Learner', OneEpoch, 'one epoch only')
    class NoStep(_LearnerBase):
        def update(self, opt): opt.zero_grad()
    failed('Learner', NoStep, 'did not move', 'opt.step()')
    class NoFit:
        def __init__(self, dls, model, opt_func=None, loss_func=None, metrics=None): self.model = model
        def train(self): return 1
    failed('Learner', NoFit, 'no `fit` method')
    assert str(LEARNER_ATOL) in check('Learner', BasicLearner).message


# ---- lesson 8 ----

def test_simple_net():
    passed('simple_net', simple_net)
    failed('simple_net', lambda xb, w1, b1, w2, b2: (xb@w1 + b1)@w2 + b2, 'no nonlinearity')
    failed('simple_net', lambda xb, w1, b1, w2, b2: ((xb@w1 + b1)@w2 + b2).clamp_min(0), 'not after the last one')
    failed('simple_net', lambda xb, w1, b1, w2, b2: (xb@w1 + b1).sigmoid()@w2 + b2, 'not the sigmoid')


# ---- lesson 9 ----

def test_ten_digits(offline):
    r = passed('ten_digits', lambda data: train_ten_digits(data, quiet=True).model)
    assert f'{TEN_DIGITS_MIN_ACCURACY}' in r.message
    passed('ten_digits', lambda data: train_ten_digits(data, quiet=True))          # a Run is accepted: its model is used
    failed('ten_digits', lambda data: nn.Sequential(nn.Linear(784, 30), nn.ReLU(), nn.Linear(30, 10)), 'guessing')
    failed('ten_digits', lambda data: nn.Linear(784, 1), 'shape (1000, 10)', '10 outputs')
    def forgot(data): model = nn.Linear(784, 10)  # noqa: F841 (the learner's mistake under test)
    failed('ten_digits', forgot, 'returned None')


# ---- the questionnaire's coding questions ----

def test_double_odds():
    passed('double_odds', lambda numbers: [2*x for x in numbers if x % 2 == 1])
    failed('double_odds', lambda numbers: [2*x for x in numbers if x % 2 == 0], 'doubled the even numbers')
    failed('double_odds', lambda numbers: [2*x for i, x in enumerate(numbers) if i % 2 == 1], 'odd positions')
    failed('double_odds', lambda numbers: [x for x in numbers if x % 2 == 1], 'did not double')
    failed('double_odds', lambda numbers: (2*x for x in numbers if x % 2 == 1), 'generator')
    def with_a_loop(numbers):
        out = []
        for x in numbers:
            if x % 2: out.append(2*x)
        return out
    failed('double_odds', with_a_loop, 'asks for a list comprehension')


def test_tensor_ops():
    def right():
        t = torch.arange(1, 10).view(3, 3)
        return t, t*2, (t*2)[-2:, -2:]
    passed('tensor_ops', right)
    def from_zero():
        t = torch.arange(9).view(3, 3)
        return t, t*2, (t*2)[1:, 1:]
    failed('tensor_ops', from_zero, 'from 1 to 9')
    def one_number():
        t = torch.arange(1, 10).view(3, 3)
        return t, t*2, (t*2)[2:, 2:]
    failed('tensor_ops', one_number, 'keeps one number')
    def of_original():
        t = torch.arange(1, 10).view(3, 3)
        return t, t*2, t[1:, 1:]
    failed('tensor_ops', of_original, 'corner of the doubled tensor')
    def flat():
        t = torch.arange(1, 10)
        return t, t*2, t[-4:]
    failed('tensor_ops', flat, '3 rows of 3')


def test_relu():
    passed('relu', torch.relu)
    passed('relu', lambda x: x.max(torch.tensor(0.0)))        # the book's spelling
    failed('relu', lambda x: x.max(), 'whole tensor')
    failed('relu', lambda x: x.abs(), 'not into positive ones')
    failed('relu', lambda x: (-x).clamp_min(0.), 'kept the negative numbers')


def _plot(*fs, lo=-2, hi=2, give=lambda fig, ax: ax):
    import matplotlib.pyplot as plt
    def draw():
        x = torch.linspace(lo, hi, 50)
        fig, ax = plt.subplots()
        for f in fs: ax.plot(x, f(x))
        return give(fig, ax)
    return draw


def test_activation_plot():
    passed('activation_plot', _plot(torch.sigmoid, torch.relu))
    passed('activation_plot', _plot(torch.relu, torch.sigmoid, lo=-4, hi=4, give=lambda fig, ax: fig))    # a Figure will do
    failed('activation_plot', _plot(lambda x: 1/(1 + torch.exp(x)), torch.relu), 'sign of the exponent')
    failed('activation_plot', _plot(torch.sigmoid), 'follows the ReLU')
    failed('activation_plot', _plot(torch.sigmoid, torch.relu, lo=0, hi=2), 'from -2 to 2')
    failed('activation_plot', _plot(torch.sigmoid, torch.relu, give=lambda fig, ax: None), 'return the Axes')


def test_my_zip():
    passed('my_zip', zip)
    passed('my_zip', lambda a, b: [(a[i], b[i]) for i in range(min(len(a), len(b)))])
    failed('my_zip', lambda a, b: [[a[i], b[i]] for i in range(min(len(a), len(b)))], 'make each one a tuple')
    failed('my_zip', lambda a, b: (a, b), 'returned the two sequences')
    def too_long(a, b): return [(a[i], b[i]) for i in range(len(a))]
    failed('my_zip', too_long, 'IndexError', status='error')


def test_train_epoch():
    from mnist_hood.training import train_epoch
    passed('train_epoch', train_epoch)
    def no_zero(model, dl, lr, params):
        for xb, yb in dl:
            calc_grad(xb, yb, model)
            for p in params: p.data -= p.grad*lr
    failed('train_epoch', no_zero, 'piled up')
    def uphill(model, dl, lr, params):
        for xb, yb in dl:
            calc_grad(xb, yb, model)
            for p in params: p.data += p.grad*lr; p.grad.zero_()
    failed('train_epoch', uphill, 'uphill')
    def once(model, dl, lr, params):
        for xb, yb in dl: calc_grad(xb, yb, model)
        for p in params: p.data -= p.grad*lr; p.grad.zero_()
    failed('train_epoch', once, 'after every batch')


# ---- every name: a blank stub is "not written yet", code that raises is an error with its line ----

CLASS_STUBS = {
    'BasicOptim': ("class BasicOptim:\n    def __init__(self, params, lr): ...\n    def step(self): ...\n    def zero_grad(self): ...\n",
                   "class BasicOptim:\n    def __init__(self, params, lr): self.params, self.lr = list(params), lr\n"
                   "    def step(self):\n        return 1/0\n    def zero_grad(self): self.params = []\n", 'return 1/0'),
    'Learner': ("class Learner:\n    def __init__(self, dls, model, opt_func=None, loss_func=None, metrics=None):\n        pass\n"
                "    def fit(self, epochs, lr):\n        raise NotImplementedError\n",
                "class Learner:\n    def __init__(self, dls, model, opt_func=None, loss_func=None, metrics=None): self.dls = dls\n"
                "    def fit(self, epochs, lr):\n        for xb, yb in self.dls.train: xb.no_such_method()\n", 'xb.no_such_method()'),
}


def _module(tmp_path, name, source, stem):
    "Import `source` as a module from the file `stem`.py, so that `inspect.getsource` can read it, as in a notebook; return its `name`."
    import importlib.util
    fn = tmp_path/f'{stem}.py'
    fn.write_text(source)
    spec = importlib.util.spec_from_file_location(fn.stem, fn)
    mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
    return getattr(mod, name)


@pytest.mark.parametrize('name', list(exercises().index))
def test_every_exercise_stub_and_error(name, tmp_path, offline):
    sig = exercises().loc[name, 'signature']
    if name in CLASS_STUBS:
        stub_src, raising_src, line = CLASS_STUBS[name]
    else:
        head = sig if sig.startswith(name + '(') else f'{name}()'
        stub_src, raising_src, line = f"def {head}:\n    ...   # your code here\n", f"def {head}:\n    x = 1\n    return x/0\n", 'return x/0'
    failed(name, _module(tmp_path, name, stub_src, 'stub'), 'not written yet', status='not written')
    r = failed(name, _module(tmp_path, name, raising_src, 'raising'), line, status='error')
    assert 'line ' in r.message and ('ZeroDivisionError' in r.message or 'AttributeError' in r.message)


# ---- what check restores, refuses and cannot be fooled by ----

def test_a_solution_that_overwrites_its_input_fails():
    r = failed('sigmoid', lambda x: x.neg_().exp_().add_(1).reciprocal_(), 'in place', 'modified by an inplace operation')
    assert '`x`' in r.message
    def sub_in_place(a, b):
        a -= b
        return a.abs().mean((-1, -2))
    failed('mnist_distance', sub_in_place, 'in place', '`a`')
    passed('sigmoid', lambda x: x.clone().neg_().exp_().add_(1).reciprocal_())   # in place on its own copy is fine


@pytest.mark.parametrize('change', ['dtype', 'deterministic', 'seterr', 'anomaly'])
def test_global_settings_are_restored(change):
    import numpy as np
    def solution(x):
        if change == 'dtype': torch.set_default_dtype(torch.float64)
        if change == 'deterministic': torch.use_deterministic_algorithms(True)
        if change == 'seterr': np.seterr(all='raise')
        if change == 'anomaly': torch.autograd.set_detect_anomaly(True)
        return sigmoid(x)
    before = (torch.get_default_dtype(), torch.are_deterministic_algorithms_enabled(), np.geterr(), torch.is_anomaly_enabled())
    try:
        check('sigmoid', solution)
        assert (torch.get_default_dtype(), torch.are_deterministic_algorithms_enabled(), np.geterr(), torch.is_anomaly_enabled()) == before
    finally:
        torch.set_default_dtype(before[0]); torch.use_deterministic_algorithms(before[1]); np.seterr(**before[2])
        torch.autograd.set_detect_anomaly(before[3])


@pytest.mark.parametrize('exc', ['exit', 'GeneratorExit', 'BaseException'])
def test_base_exceptions_from_the_learner_are_reported(exc):
    import sys
    class Custom(BaseException): pass
    def leaves(x):
        if exc == 'exit': sys.exit(3)
        if exc == 'GeneratorExit': raise GeneratorExit('bye')
        raise Custom('out')
    r = failed('sigmoid', leaves, {'exit': 'SystemExit', 'GeneratorExit': 'GeneratorExit', 'BaseException': 'Custom'}[exc], status='error')
    assert 'line ' in r.message
    class ExitsLater:                       # raised outside `_call`, while the checker reads the answer
        def __iter__(self): sys.exit(1)
    failed('my_zip', lambda a, b: ExitsLater(), 'SystemExit')


def test_keyboard_interrupt_still_stops_the_check():
    n, dtype = torch.get_num_threads(), torch.get_default_dtype()
    def interrupted(x):
        torch.set_default_dtype(torch.float64)
        raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt): check('sigmoid', interrupted)
    assert (torch.get_num_threads(), torch.get_default_dtype()) == (n, dtype)   # and the settings are back


@pytest.mark.parametrize('target', ['allclose', 'exp', 'Tensor.exp'])
def test_monkeypatched_torch_neither_fools_the_check_nor_stays(target):
    original = torch.allclose, torch.exp, torch.Tensor.exp
    def patches(x):
        if target == 'allclose': torch.allclose = lambda *a, **k: True
        if target == 'exp': torch.exp = lambda t: t*0
        if target == 'Tensor.exp': torch.Tensor.exp = lambda t: t*0
        return 1/(1 + torch.exp(x)) if target == 'allclose' else 1/(1 + torch.exp(-x)).clone()
    try:
        r = check('sigmoid', patches)
        assert (torch.allclose, torch.exp, torch.Tensor.exp) == original, "the patch stayed after the check"
        if target == 'Tensor.exp': assert r.passed is True, r.message     # a right answer, whatever else it did
        else: assert r.passed is False, r.message       # `1/(1 + exp(x))`, or `exp` giving 0, is compared with the real sigmoid
        failed('sigmoid', lambda x: 1/(1 + torch.exp(x)), 'sign of the exponent')   # a later wrong answer still fails
    finally:
        torch.allclose, torch.exp = original[:2]
        if 'exp' in vars(torch.Tensor) and torch.Tensor.exp is not original[2]: del torch.Tensor.exp


def test_a_patch_made_before_the_check_does_not_change_the_verdict(monkeypatch):
    monkeypatch.setattr(torch, 'allclose', lambda *a, **k: True)
    failed('sigmoid', lambda x: 1/(1 + torch.exp(x)), 'sign of the exponent')
    assert torch.allclose(torch.zeros(1), torch.ones(1)) is True   # the learner's own patch is theirs to keep


def test_ten_digits_reports_bad_data_as_a_data_problem(tmp_path, mnist_dir, monkeypatch):
    import shutil
    from mnist_hood.data import MNIST_FILES
    for n in MNIST_FILES: shutil.copy(mnist_dir/n, tmp_path/n)
    f = tmp_path/'t10k-labels-idx1-ubyte.gz'
    f.write_bytes(f.read_bytes()[:100])
    monkeypatch.setenv('MNIST_HOOD_DATA', str(tmp_path))
    ran = []
    def ten_digits(data): ran.append(1); return nn.Linear(784, 10)
    r = check('ten_digits', ten_digits)
    assert (r.passed, r.status) == (False, 'no data'), r.message
    assert not ran
    assert 'data' in r.message and 't10k-labels-idx1-ubyte.gz' in r.message
    assert 'your code' not in r.message and 'should return' not in r.message


def test_a_name_that_is_not_a_string_is_a_clear_error():
    with pytest.raises(TypeError, match="name of an exercise, a string"): check(['sigmoid'], sigmoid)
    with pytest.raises(TypeError, match="name of an exercise, a string"): check(sigmoid, 'sigmoid')


def test_ten_digits_leaves_the_models_mode_alone(offline):
    model = nn.Sequential(nn.Linear(784, 10), nn.Dropout(0.1))
    model.train(); model[1].eval()
    check('ten_digits', lambda data: model)
    assert (model.training, model[0].training, model[1].training) == (True, True, False)


def test_a_half_precision_answer_mentions_precision():
    failed('sigmoid', lambda x: torch.sigmoid(x.half()), 'float16', 'precision')
    failed('mnist_distance', lambda a, b: (a.half() - b.half()).abs().mean((-1, -2)), 'float16', 'precision')


def test_docstring_states_the_guarantees():
    doc = ' '.join(check.__doc__.split())
    for w in ('restores', 'default dtype', 'np.seterr', 'in place', 'monkeypatch', 'SystemExit', 'KeyboardInterrupt',
              'Ctrl-C', 'loops forever', 'TypeError'):
        assert w in doc, w


def test_a_method_put_on_tensors_before_the_check_stays():
    torch.Tensor.my_helper = lambda t: t*2                      # the learner's (or a library's) own, added after the import
    try:
        passed('sigmoid', sigmoid)
        assert torch.Tensor.my_helper(torch.ones(1)).item() == 2
    finally: del torch.Tensor.my_helper
