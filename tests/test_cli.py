"The `mnist-hood` command, run as a subprocess the way people run it."
import gzip, json, os, shutil, subprocess, sys
from pathlib import Path

import pytest

from mnist_hood.data import MNIST_FILES, mnist_sample

BIN = Path(sys.executable).parent
FIGURES = ['confusion_matrix.png', 'ideal_digits.png', 'quadratic_fit.png', 'results.json', 'training.png']


def cli(*args, timeout=900, **env):
    "Run `mnist-hood ARGS` with the test's environment plus `env`; return the CompletedProcess."
    e = {**os.environ, **env}
    return subprocess.run([str(BIN/'mnist-hood'), *map(str, args)], capture_output=True, text=True, timeout=timeout, env=e)


def one_line_error(r, culprit):
    "Exit status 2, one line on stderr naming `culprit`, no traceback."
    assert r.returncode == 2, (r.returncode, r.stdout[-2000:], r.stderr[-2000:])
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    assert len(lines) == 1 and lines[0].startswith('mnist-hood: error: ') and str(culprit) in lines[0], r.stderr
    assert 'Traceback' not in r.stderr


def left_in(folder):
    "What a run left in `folder`: nothing is expected after a failed run."
    return sorted(p.name for p in Path(folder).iterdir())


# ---- run

def test_run_quick_offline_sample(tmp_path):
    r = cli('run', '--quick', '--json', '--out', tmp_path/'out', MNIST_HOOD_OFFLINE='1')
    assert r.returncode == 0, r.stderr[-3000:]
    res = json.loads(r.stdout)
    assert res['data']['source'] == 'offline' and not res['data']['full'] and res['quick']
    v = {row['key']: row['verdict'] for row in res['rows']}
    assert all(v[k].startswith('not comparable (small offline sample)') for k in ('counts', 'l1_3', 'base_all', 'linear', 'ten_digits'))
    assert v['grad_x2'] == v['grad_sum'] == 'exact' and v['quad_drop'].startswith('within band')
    assert res['numbers']['counts'] == [400, 400, 100, 100]
    assert sorted(os.listdir(tmp_path/'out')) == FIGURES
    assert json.loads((tmp_path/'out'/'results.json').read_text()) == res
    assert res['versions']['torch'] and res['timings_seconds']['total'] > 0 and res['exit_status'] == 0
    assert len(res['numbers']['confusion_matrix']) == 10 and res['numbers']['ten_digits_full_mnist'] is False


def test_run_quick_full_sample(mnist_dir, tmp_path):
    r = cli('run', '--quick', '--data', mnist_dir, '--out', tmp_path/'out')
    assert r.returncode == 0, r.stderr[-3000:]
    table = r.stdout
    assert 'the original MNIST files' in table and 'below band' not in table and 'MISMATCH' not in table
    for row in ('a_3 to the ideal 3, L1', 'baseline accuracy, overall', 'gradient of x**2 at 3'):
        line = next(l for l in table.splitlines() if l.startswith(row))
        assert line.rstrip().endswith('| exact'), line
    assert 'not comparable (--quick' in table


def test_run_full_chapter_matches_the_book(mnist_dir, tmp_path):
    "The README's claim: on the full sample every deterministic row is exact and every seed-dependent row within band."
    r = cli('run', '--json', '--data', mnist_dir, '--out', tmp_path/'out', timeout=1200)
    assert r.returncode == 0, r.stderr[-3000:]
    res = json.loads(r.stdout)
    for row in res['rows']:
        assert row['verdict'] == 'exact' or row['verdict'].startswith('within band'), row
    assert res['numbers']['ten_digits_full_mnist'] and res['epochs']['simple_net'] == 40
    assert len(res['numbers']['runs']['learner']['losses']) == 10


def test_default_out_is_a_new_folder_here(tmp_path):
    here = tmp_path/'here'; here.mkdir()
    r = subprocess.run([str(BIN/'mnist-hood'), 'run', '--quick'], cwd=here, capture_output=True, text=True, timeout=900,
                       env={**os.environ, 'MNIST_HOOD_OFFLINE': '1'})
    assert r.returncode == 0, r.stderr[-3000:]
    made, = here.iterdir()
    assert made.name.startswith('mnist-hood-run-') and sorted(os.listdir(made)) == FIGURES


# ---- bad input: exit 2, one line naming the culprit, no output folder

def test_run_missing_data_folder(tmp_path):
    one_line_error(cli('run', '--quick', '--data', tmp_path/'nowhere', '--out', tmp_path/'out'), tmp_path/'nowhere')
    assert left_in(tmp_path) == []


def test_run_empty_data_folder(tmp_path):
    (tmp_path/'empty').mkdir()
    one_line_error(cli('run', '--quick', '--data', tmp_path/'empty', '--out', tmp_path/'out'), tmp_path/'empty')
    assert left_in(tmp_path) == ['empty']


def test_run_folder_of_something_else(tmp_path):
    (tmp_path/'docs').mkdir(); (tmp_path/'docs'/'notes.txt').write_text('not digits')
    one_line_error(cli('run', '--quick', '--data', tmp_path/'docs', '--out', tmp_path/'out'), tmp_path/'docs')
    assert left_in(tmp_path) == ['docs']


def test_run_corrupt_image(tmp_path, monkeypatch):
    monkeypatch.setenv('MNIST_HOOD_OFFLINE', '1')
    sample = tmp_path/'sample'
    shutil.copytree(mnist_sample(), sample)
    victim = sorted((sample/'train'/'3').iterdir())[7]
    victim.write_bytes(b'\x89PNG\r\n\x1a\n but then nothing')
    one_line_error(cli('run', '--quick', '--data', sample, '--out', tmp_path/'out'), victim.name)
    assert left_in(tmp_path) == ['cache', 'sample']


def test_run_altered_mnist_file(mnist_dir, tmp_path):
    src = tmp_path/'mnist'; src.mkdir()
    for n in MNIST_FILES: shutil.copy(mnist_dir/n, src/n)
    (src/'t10k-images-idx3-ubyte.gz').write_bytes(gzip.compress(b'\0\0\x08\x03' + bytes(12)))
    one_line_error(cli('run', '--quick', '--data', src, '--out', tmp_path/'out'), src/'t10k-images-idx3-ubyte.gz')
    assert left_in(tmp_path) == ['mnist']


def test_run_out_not_writable(tmp_path):
    (tmp_path/'a_file').write_text('x')
    one_line_error(cli('run', '--quick', '--out', tmp_path/'a_file'/'run', MNIST_HOOD_OFFLINE='1'), tmp_path/'a_file')
    (tmp_path/'full').mkdir(); (tmp_path/'full'/'mine.txt').write_text('keep me')
    one_line_error(cli('run', '--quick', '--out', tmp_path/'full', MNIST_HOOD_OFFLINE='1'), tmp_path/'full')
    assert left_in(tmp_path/'full') == ['mine.txt']
    one_line_error(cli('run', '--quick', '--out', tmp_path/'new'/'run', MNIST_HOOD_OFFLINE='1'), tmp_path/'new')
    assert not (tmp_path/'new').exists()  # no parent folders made for a run that cannot start


def test_debug_shows_the_traceback(tmp_path):
    r = cli('run', '--quick', '--debug', '--data', tmp_path/'nowhere', '--out', tmp_path/'out')
    assert r.returncode == 2 and 'Traceback' in r.stderr and 'mnist-hood: error:' in r.stderr


# ---- doctor, data, help

def test_doctor():
    r = cli('doctor', MNIST_HOOD_OFFLINE='1')
    assert r.returncode == 0, r.stdout + r.stderr
    for check in ('versions', 'fastai vision', 'data', 'export in sync'): assert f'] {check}:' in r.stdout
    assert 'verdict: all good' in r.stdout


def test_doctor_reports_bad_data(tmp_path):
    (tmp_path/'empty').mkdir()
    r = cli('doctor', '--source', tmp_path/'empty')
    assert r.returncode == 1 and '[FAIL] data:' in r.stdout and 'problems with data' in r.stdout


def test_data(mnist_dir):
    r = cli('data', '--source', mnist_dir)
    assert r.returncode == 0 and "train/3 6131" in r.stdout and "(the book's sample)" in r.stdout
    j = json.loads(cli('data', '--json', MNIST_HOOD_OFFLINE='1').stdout)
    assert j['source'] == 'offline' and j['counts'] == {'train/3': 400, 'train/7': 400, 'valid/3': 100, 'valid/7': 100}
    assert Path(j['path']).is_dir() and j['full'] is False


def test_help_everywhere():
    for args in ([], ['run'], ['doctor'], ['data']):
        r = cli(*args, '--help')
        assert r.returncode == 0 and 'usage: mnist-hood' in r.stdout
    r = subprocess.run([sys.executable, '-m', 'mnist_hood', 'data', '--help'], capture_output=True, text=True)
    assert r.returncode == 0 and 'usage: mnist-hood data' in r.stdout
