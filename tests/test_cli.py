"The `mnist-hood` command, run as a subprocess the way people run it."
import contextlib, errno, gzip, io, json, os, shutil, signal, stat, subprocess, sys, time
from pathlib import Path

import pytest
from PIL import Image

from mnist_hood import cli as command
from mnist_hood.data import MNIST_FILES, mnist_sample

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[1]
README_RUN = json.loads((ROOT/'tools'/'readme_run.json').read_text())   # the run the README shows (tools/make_readme.py)
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

def as_in_readme(rows, which):
    """The rows are those of the README's run `which` (tools/readme_run.json), field for field; only a course run's
    own seeded number may differ (another processor moves its last digit), and its verdict must still be within band."""
    readme = {r['key']: r for r in README_RUN[which]['rows']}
    assert [r['key'] for r in rows] == list(readme)
    for r in rows:
        want, seeded = readme[r['key']], 'band' in command.ROWS[r['key']]
        for field in ('quantity', 'book', 'version', 'verdict', 'this_run'):
            if seeded and field == 'this_run': continue
            if seeded and field == 'verdict' and want['verdict'].startswith('within band'):
                assert r['verdict'].startswith('within band'), r; continue
            assert r[field] == want[field], (field, r, want)


def test_run_quick_offline_sample(tmp_path):
    r = cli('run', '--quick', '--json', '--out', tmp_path/'out', MNIST_HOOD_OFFLINE='1')
    assert r.returncode == 0, r.stderr[-3000:]
    res = json.loads(r.stdout)
    assert res['data']['source'] == 'offline' and not res['data']['full'] and res['quick']
    v = {row['key']: row['verdict'] for row in res['rows']}
    assert all(v[k].startswith('not comparable (small offline sample)') for k in ('counts', 'l1_3', 'base_all', 'linear', 'ten_digits'))
    assert v['grad_x2'] == v['grad_sum'] == v['quad_drop'] == 'exact'
    assert res['numbers']['counts'] == [400, 400, 100, 100]
    as_in_readme(res['rows'], 'quick_offline')
    assert sorted(os.listdir(tmp_path/'out')) == FIGURES
    assert json.loads((tmp_path/'out'/'results.json').read_text()) == res
    assert res['versions']['torch'] and res['timings_seconds']['total'] > 0 and res['exit_status'] == 0
    assert len(res['numbers']['confusion_matrix']) == 10 and res['numbers']['ten_digits_full_mnist'] is False


def test_run_quick_full_sample(mnist_dir, tmp_path):
    "--quick tells the truth: the book's own runs are compared at the epoch they stop at; the course's runs show no book number."
    r = cli('run', '--quick', '--data', mnist_dir, '--out', tmp_path/'out')
    assert r.returncode == 0, r.stderr[-3000:]
    table = r.stdout
    assert 'the original MNIST files' in table and 'below band' not in table and 'MISMATCH' not in table
    for row in ('a_3 to the ideal 3, L1', 'baseline accuracy, overall', 'gradient of x**2 at 3', "nn.Linear + BasicOptim, the book's way"):
        line = next(l for l in table.splitlines() if l.startswith(row))
        assert line.rstrip().endswith('| exact'), line
    line = next(l for l in table.splitlines() if l.startswith('simple_net'))
    assert [c.strip() for c in line.split('|')][1] == '-' and 'not comparable (--quick: 2 of 40 epochs)' in line, line
    res = json.loads((tmp_path/'out'/'results.json').read_text())
    assert res['epochs'] == {k: command.RUNS[k]['quick'] for k in command.TRAINED}
    assert len(res['numbers']['runs']['linear_book']['history']) == command.RUNS['linear_book']['quick'] + 1  # before training, then each epoch
    as_in_readme(res['rows'], 'quick')


def test_run_full_chapter_matches_the_book(mnist_dir, tmp_path):
    "The README's claim: on the full sample every deterministic row is exact and every seed-dependent row within band."
    r = cli('run', '--json', '--data', mnist_dir, '--out', tmp_path/'out', timeout=1200)
    assert r.returncode == 0, r.stderr[-3000:]
    res = json.loads(r.stdout)
    for row in res['rows']:
        assert row['verdict'] == 'exact' or row['verdict'].startswith('within band'), row
    assert res['numbers']['ten_digits_full_mnist'] and res['epochs']['simple_net'] == command.RUNS['simple_net']['epochs']
    assert len(res['numbers']['runs']['learner']['losses']) == command.RUNS['learner']['epochs']
    as_in_readme(res['rows'], 'full')   # the README's table is this command's


def _numbers_without_seconds(res):
    "What a run measured, without how long it took."
    numbers = json.loads(json.dumps(res['numbers']))
    for r in numbers['runs'].values(): r.pop('seconds')
    return numbers


@pytest.mark.skipif(not hasattr(os, 'sched_setaffinity') or command._cores() < 2, reason='needs two cores and sched_setaffinity')
def test_one_core_and_two_processes_measure_the_same(mnist_dir_or_none, tmp_path):
    "The second process changes where stages run, not what they measure: on one core (all in one process) the numbers are the same."
    data = ['--data', mnist_dir_or_none] if mnist_dir_or_none else []
    env = {} if mnist_dir_or_none else dict(MNIST_HOOD_OFFLINE='1')
    two = cli('run', '--quick', '--json', *data, '--out', tmp_path/'two', **env)
    e = {**os.environ, **env}
    one = subprocess.run([str(BIN/'mnist-hood'), 'run', '--quick', '--json', *map(str, data), '--out', str(tmp_path/'one')],
                         capture_output=True, text=True, timeout=900, env=e, preexec_fn=lambda: os.sched_setaffinity(0, {0}))
    assert two.returncode == one.returncode == 0, (two.stderr[-2000:], one.stderr[-2000:])
    two, one = json.loads(two.stdout), json.loads(one.stdout)
    assert (two['machine']['processes'], one['machine']['processes']) == (2, 1)
    assert two['rows'] == one['rows'] and _numbers_without_seconds(two) == _numbers_without_seconds(one)
    assert sorted(os.listdir(tmp_path/'two')) == sorted(os.listdir(tmp_path/'one')) == FIGURES


def test_an_error_in_the_second_process_is_raised_here(tmp_path):
    "The second process's error comes back as the same exception (a DataError naming the folder); a process that dies says so."
    from mnist_hood.sources import DataError
    if command._cores() < 2: pytest.skip("one core: every stage runs in the command's own process")
    proc = command.start_worker(dict(data=str(tmp_path/'nowhere'), tmp=tmp_path, quick=True))
    try:
        command.send_sample(proc, tmp_path/'nowhere')
        with pytest.raises(DataError, match='nowhere'): command.worker_results(proc)
    finally: command.stop_worker(proc)
    proc = command.start_worker(dict(data=None, tmp=tmp_path, quick=True))
    proc.kill()
    command.send_sample(proc, tmp_path)   # to a process that has ended: nothing happens
    with pytest.raises(RuntimeError, match='stopped without its results, exit status -9'): command.worker_results(proc)
    assert os.listdir(tmp_path) == []


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
    for check in ('versions', 'tested versions', 'fastai vision', 'data', 'export in sync'): assert f'] {check}:' in r.stdout
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
    for args in ([], ['run'], ['doctor'], ['data'], ['lessons']):
        r = cli(*args, '--help')
        assert r.returncode == 0 and 'usage: mnist-hood' in r.stdout
    r = subprocess.run([sys.executable, '-m', 'mnist_hood', 'data', '--help'], capture_output=True, text=True)
    assert r.returncode == 0 and 'usage: mnist-hood data' in r.stdout


# ---- issue 9: what a hostile user found (each test failed before its fix)

def call(*argv):
    "Run the command in this process: `(exit status, stdout, stderr)`."
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err): status = command.main([str(a) for a in argv])
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def fake_chapter(monkeypatch):
    "`run` with the chapter replaced by a stand-in that writes one figure at once; append to the list to act mid-run."
    during = []
    def run_chapter(data=None, tmp=None, quick=False, progress=False):
        (Path(tmp)/'figure.png').write_bytes(b'not really a figure')
        for act in during: act()
        return dict(rows=[dict(key='grad_x2', quantity='gradient', book=6.0, this_run=6.0, verdict='exact')],
                    data=dict(detail='stand-in data'), timings_seconds=dict(total=0.0))
    monkeypatch.setattr(command, 'run_chapter', run_chapter)
    return during


def finished(folder): return sorted(os.listdir(folder)) == ['figure.png', 'results.json']


def test_default_out_unique_in_the_same_second(fake_chapter, tmp_path, monkeypatch):
    "9.2: two runs here within one second each get their own folder, even when the other one finishes first."
    here = tmp_path/'here'; here.mkdir()
    monkeypatch.chdir(here)
    monkeypatch.setattr(command.time, 'strftime', lambda *a: '20260101-120000')  # every run starts in the same second
    assert call('run')[0] == 0
    rival = here/'mnist-hood-run-20260101-120000-2'  # the name the next run would pick: another run takes it first
    fake_chapter.append(lambda: (rival.mkdir(), (rival/'results.json').write_text('the other run')))
    status, out, err = call('run')
    assert status == 0, err
    made = sorted(os.listdir(here))
    assert len(made) == 3 and all(n.startswith('mnist-hood-run-20260101-120000') for n in made), made
    assert (rival/'results.json').read_text() == 'the other run'
    mine = [n for n in made if n != rival.name and n != 'mnist-hood-run-20260101-120000']
    assert finished(here/mine[0]) and str(here/mine[0]) in out


def test_disk_full_during_the_run_names_the_folder(fake_chapter, tmp_path):
    "A full disk while the results are written: one line naming the folder and saying 'disk full', and nothing left there."
    def no_space(): raise OSError(errno.ENOSPC, 'No space left on device')
    fake_chapter.append(no_space)
    status, out, err = call('run', '--out', tmp_path/'out')
    assert status == 2 and err.strip() == f"mnist-hood: error: {tmp_path}: disk full (no space left on device); nothing was left there", err
    assert os.listdir(tmp_path) == []


def test_data_prints_a_path_that_is_not_utf8(tmp_path):
    "Where stdout accepts only UTF-8, a cache path with a byte that is not UTF-8 is printed escaped, not a traceback."
    cache = os.fsdecode(bytes(tmp_path) + b'/c\xff')
    r = cli('data', MNIST_HOOD_CACHE=cache, MNIST_HOOD_OFFLINE='1', PYTHONIOENCODING='utf-8:strict')
    assert r.returncode == 0 and 'c\\xff/samples/' in r.stdout and 'Traceback' not in r.stderr, (r.stdout, r.stderr[-2000:])


def test_out_symlink_to_empty_folder(fake_chapter, tmp_path):
    "9.2: a symlink to an empty folder is accepted up front, so the results must land there."
    (tmp_path/'target').mkdir()
    (tmp_path/'link').symlink_to(tmp_path/'target')
    status, out, err = call('run', '--out', tmp_path/'link')
    assert status == 0, err
    assert (tmp_path/'link').is_symlink() and finished(tmp_path/'target')
    assert sorted(os.listdir(tmp_path)) == ['link', 'target']


def test_out_taken_during_the_run_keeps_the_results(fake_chapter, tmp_path):
    "9.2: when --out is filled by someone else mid-run, the finished results are kept, and the message says where."
    out = tmp_path/'out'
    fake_chapter.append(lambda: (out.mkdir(), (out/'theirs.txt').write_text('x')))
    status, stdout, err = call('run', '--out', out)
    assert status == 2 and err.count('\n') == 1 and str(out) in err, err
    assert os.listdir(out) == ['theirs.txt']
    kept = [p for p in tmp_path.iterdir() if p != out]
    assert len(kept) == 1 and finished(kept[0]) and str(kept[0]) in err, (kept, err)


def test_out_read_only_empty_folder_refused(fake_chapter, tmp_path):
    "9.7: an empty folder marked read-only is not silently replaced (root ignores the mode, so the command must not)."
    ro = tmp_path/'ro'; ro.mkdir(); ro.chmod(0o555)
    fake_chapter.append(lambda: pytest.fail('the run started'))
    status, _, err = call('run', '--out', ro)
    assert status == 2 and err.count('\n') == 1 and str(ro) in err and 'read-only' in err, err
    assert ro.is_dir() and stat.S_IMODE(ro.stat().st_mode) == 0o555 and sorted(os.listdir(tmp_path)) == ['ro']


def test_out_read_only_empty_folder_refused_unprivileged(unprivileged, tmp_path):
    "9.7, unprivileged: refused before any work, with one line."
    ro = tmp_path/'ro'; ro.mkdir(); ro.chmod(0o555)
    code = 'import sys; from mnist_hood.cli import main; sys.exit(main(sys.argv[1:]))'
    r = unprivileged(code, 'run', '--quick', '--out', ro, MNIST_HOOD_OFFLINE='1')
    assert r.returncode == 2 and str(ro) in r.stderr and 'read-only' in r.stderr, (r.returncode, r.stderr[-2000:])
    assert ro.stat().st_ino and os.listdir(ro) == [] and not (tmp_path/'cache').exists()  # refused before any work


def test_out_current_folder_refused(fake_chapter, tmp_path, monkeypatch):
    "9.7: `--out .` would remove the caller's folder and make it anew."
    here = tmp_path/'here'; here.mkdir()
    ino = here.stat().st_ino
    monkeypatch.chdir(here)
    fake_chapter.append(lambda: pytest.fail('the run started'))
    status, _, err = call('run', '--out', '.')
    assert status == 2 and err.count('\n') == 1 and 'current folder' in err, err
    assert here.stat().st_ino == ino and os.listdir(here) == []


@pytest.mark.parametrize('umask', [0o022, 0o027], ids=['umask022', 'umask027'])
def test_out_modes_follow_the_umask(fake_chapter, tmp_path, umask):
    "9.7: the output folder and its files get the modes a normal folder and file would have."
    old = os.umask(umask)
    try: status, _, err = call('run', '--out', tmp_path/'out')
    finally: os.umask(old)
    assert status == 0, err
    mode = lambda p: stat.S_IMODE(p.stat().st_mode)
    assert mode(tmp_path/'out') == 0o777 & ~umask
    assert mode(tmp_path/'out'/'results.json') == mode(tmp_path/'out'/'figure.png') == 0o666 & ~umask


def start_run(here, *args):
    """Start a real `mnist-hood run` writing into `here/out`; return the process once its temporary folder holds a figure.
    A full-length run, not `--quick`: on a loaded machine a quick run could finish before the test's signal is sent."""
    p = subprocess.Popen([str(BIN/'mnist-hood'), 'run', '--out', here/'out', *args], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env={**os.environ, 'MNIST_HOOD_OFFLINE': '1'})
    while not any(f.suffix == '.png' for d in here.glob('.*') if d.is_dir() for f in d.iterdir()):   # a hang ends at the test's timeout
        assert p.poll() is None, p.communicate()
        time.sleep(0.05)
    return p


def test_sigterm_leaves_nothing(tmp_path):
    "9.3: `kill -TERM` mid-run cleans up as Ctrl-C does."
    here = tmp_path/'here'; here.mkdir()
    p = start_run(here)
    helpers = children(p.pid)   # the second process, on two cores
    if command._cores() >= 2: assert helpers, 'no second process to check'
    p.send_signal(signal.SIGTERM)
    _, err = p.communicate(timeout=300)
    assert p.returncode == 143 and 'Traceback' not in err and err.strip().splitlines() == ['mnist-hood: terminated'], (p.returncode, err)
    assert os.listdir(here) == []
    assert not [c for c in helpers if Path(f'/proc/{c}').exists()], 'a process of the run outlived it'


def children(pid) -> list:
    "The processes whose parent is `pid` (Linux's /proc; [] elsewhere)."
    kids = []
    for d in Path('/proc').glob('[0-9]*'):
        try: stat = (d/'stat').read_text()
        except OSError: continue
        if int(stat.rsplit(')', 1)[1].split()[1]) == pid: kids.append(int(d.name))
    return kids


def test_stale_temporary_of_a_dead_run_is_swept(fake_chapter, tmp_path):
    "9.3: a run killed outright leaves its temporary folder; the next run in that folder removes it."
    here = tmp_path/'here'; here.mkdir()
    p = start_run(here)
    p.kill(); p.communicate(timeout=300)
    assert [n for n in os.listdir(here) if n.startswith('.')], 'the killed run left no temporary folder: nothing to test'
    status, _, err = call('run', '--out', here/'next')
    assert status == 0, err
    assert os.listdir(here) == ['next']


def test_doctor_with_a_cache_that_is_a_file(tmp_path):
    "9.4: every check still reports, and the broken cache folder is a FAIL with a fix naming MNIST_HOOD_CACHE."
    (tmp_path/'a_file').write_text('')
    r = cli('doctor', MNIST_HOOD_CACHE=tmp_path/'a_file', MNIST_HOOD_OFFLINE='1')
    assert r.returncode == 1 and r.stderr == '', (r.stdout, r.stderr)
    for check in ('versions', 'fastai vision', 'data', 'export in sync'): assert f'] {check}:' in r.stdout, r.stdout
    lines = r.stdout.splitlines()
    fails = [i for i, l in enumerate(lines) if l.startswith('[FAIL]')]
    assert fails and all(lines[i + 1].strip().startswith('fix:') for i in fails), r.stdout
    assert any(str(tmp_path/'a_file') in lines[i] and 'MNIST_HOOD_CACHE' in lines[i] + lines[i + 1] for i in fails), r.stdout


def bad_sample(tmp_path, how):
    "A tiny sample folder with one bad image in valid/3 (`how`: corrupt, 32x32 or RGB); returns the folder and the file."
    from test_data import tiny_layout
    s = tiny_layout(tmp_path/'s')
    victim = s/'valid'/'3'/'1.png'
    if how == 'corrupt': victim.write_bytes(b'\x89PNG\r\n\x1a\n and then nothing')
    elif how == '32x32': Image.new('L', (32, 32)).save(victim)
    else: Image.new('RGB', (28, 28)).save(victim)
    return s, victim


@pytest.mark.parametrize('how', ['corrupt', '32x32', 'RGB'])
def test_data_checks_every_image(tmp_path, how):
    "9.6: `mnist-hood data` vouches for the sample only after reading every image; exit 2 naming the first bad one."
    s, victim = bad_sample(tmp_path, how)
    status, out, err = call('data', '--source', s)
    assert status == 2 and err.count('\n') == 1 and str(victim) in err, (status, out, err)


def test_data_refuses_an_empty_folder(tmp_path):
    "9.6: an empty valid/7 is not the book's sample, nor any sample."
    from test_data import tiny_layout
    s = tiny_layout(tmp_path/'s')
    for f in (s/'valid'/'7').iterdir(): f.unlink()
    status, _, err = call('data', '--source', s)
    assert status == 2 and 'valid/7' in err, err


def test_data_counts_upper_case_png(tmp_path):
    "9.6: a `.PNG` is counted as it is stacked."
    from test_data import tiny_layout
    s = tiny_layout(tmp_path/'s')
    shutil.copy(s/'valid'/'7'/'0.png', s/'valid'/'7'/'X.PNG')
    status, out, err = call('data', '--json', '--source', s)
    assert status == 0, err
    assert json.loads(out)['counts']['valid/7'] == 3


def test_sigterm_while_the_results_move_in_waits_for_them(fake_chapter, tmp_path, monkeypatch):
    "Round 3: a signal as the finished run is put at --out (shared with `site --out`) waits until it is whole, then ends the command."
    out, real_rename = tmp_path/'out', os.rename
    def rename(src, dst, *a, **k):
        if Path(dst) == out: os.kill(os.getpid(), signal.SIGTERM)
        return real_rename(src, dst, *a, **k)
    monkeypatch.setattr(os, 'rename', rename)
    status, _, err = call('run', '--out', out)
    assert status == 143 and err.strip() == 'mnist-hood: terminated', (status, err)
    assert finished(out) and os.listdir(tmp_path) == ['out']


# ---- issue 20: a failed import names the module, in every subcommand; doctor's diagnoses

SHIM = """
import importlib.abc, importlib.util, os, sys
MISSING = set(filter(None, os.environ.get('SHIM_MISSING', '').split(',')))
BROKEN = dict(x.split('=', 1) for x in filter(None, os.environ.get('SHIM_BROKEN', '').split(';')))
class Broken(importlib.abc.Loader):
    def create_module(self, spec): return None
    def exec_module(self, module): raise RuntimeError(BROKEN[module.__name__])
class Shim(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name in MISSING: raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        if name in BROKEN: return importlib.util.spec_from_loader(name, Broken())
sys.meta_path.insert(0, Shim())
"""


def shimmed(tmp_path, *args, cwd=None, **env):
    "Run `mnist-hood ARGS` with modules made missing (SHIM_MISSING=a,b) or broken (SHIM_BROKEN=name=message) by a sitecustomize."
    shim = tmp_path/'shim'; shim.mkdir(exist_ok=True)
    (shim/'sitecustomize.py').write_text(SHIM)
    e = {**os.environ, **env, 'PYTHONPATH': os.pathsep.join(filter(None, [str(shim), os.environ.get('PYTHONPATH')]))}
    return subprocess.run([str(BIN/'mnist-hood'), *map(str, args)], capture_output=True, text=True, timeout=900, env=e, cwd=cwd)


@pytest.mark.parametrize('module, pip', [('fastprogress', 'pip install fastprogress'), ('fasthtml', 'pip install python-fasthtml')])
def test_run_with_a_missing_module_is_one_line(tmp_path, module, pip):
    "20.5: fastai's import failing on a missing module ends `run` with one line naming it and what to install, exit 2."
    r = shimmed(tmp_path, 'run', '--quick', '--out', tmp_path/'out', MNIST_HOOD_OFFLINE='1', SHIM_MISSING=module)
    if module == 'fasthtml' and r.returncode == 0: pytest.skip('this fastprogress does not import fasthtml')
    one_line_error(r, f"the Python module '{module}' is missing")
    assert pip in r.stderr and 'torchvision' not in r.stderr and not (tmp_path/'out').exists()


def test_data_doctor_and_site_with_a_missing_module(tmp_path):
    "20.5: every subcommand turns a failed import into one line naming the module (lessons imports nothing beyond the standard library)."
    one_line_error(shimmed(tmp_path, 'data', MNIST_HOOD_OFFLINE='1', SHIM_MISSING='PIL'), "the Python module 'PIL' is missing")
    r = shimmed(tmp_path, 'site', '--out', tmp_path/'site', cwd=ROOT, SHIM_MISSING='nbformat,nbconvert')
    one_line_error(r, 'is missing')
    assert 'nbformat' in r.stderr or 'nbconvert' in r.stderr


def test_doctor_names_the_missing_module_not_the_torch_pair(tmp_path):
    "20.5: a module missing under fastai's import is named, with pip's fix; the torch pair is not offered."
    r = shimmed(tmp_path, 'doctor', MNIST_HOOD_OFFLINE='1', SHIM_MISSING='fastprogress')
    lines = r.stdout.splitlines()
    i = next(i for i, l in enumerate(lines) if l.startswith('[FAIL] fastai vision:'))
    assert "the Python module 'fastprogress' is missing" in lines[i] and 'fastai' in lines[i], lines[i]
    assert lines[i + 1].strip() == 'fix: pip install fastprogress' and r.returncode == 1, r.stdout


def test_doctor_offers_the_torch_pair_for_torchvision_ops(tmp_path):
    "20.5: only when torchvision's compiled operators fail does the fix say to reinstall torch and torchvision as a pair."
    r = shimmed(tmp_path, 'doctor', MNIST_HOOD_OFFLINE='1', SHIM_BROKEN='torchvision=operator torchvision::nms does not exist')
    lines = r.stdout.splitlines()
    i = next(i for i, l in enumerate(lines) if l.startswith('[FAIL] fastai vision:'))
    assert 'torchvision::nms does not exist' in lines[i] and 'matching pair' in lines[i + 1], r.stdout


def test_doctor_reports_versions_that_differ_from_constraints(tmp_path, monkeypatch):
    "20.4: each installed version that differs from constraints.txt is named with the tested one; a wheel install says it can't check."
    from mnist_hood import doctor
    (tmp_path/'constraints.txt').write_text('numpy==0.0.1\nno-such-package==1.0\n# a comment\n')
    name, ok, detail, fix = doctor.check_constraints(tmp_path)
    assert ok is False and detail == f"1 differ from constraints.txt: numpy {doctor._version('numpy')} (tested: 0.0.1)", detail
    assert '-c constraints.txt' in fix
    monkeypatch.setattr(doctor, 'repo_root', lambda: None)
    assert doctor.check_constraints()[1] is None and 'not checked' in doctor.check_constraints()[2]


# ---- issue 20: `mnist-hood lessons`

def course_notebooks(): return sorted(p.name for p in command.lessons_dir().glob('*.ipynb'))


def test_lessons_copies_the_notebooks_here(tmp_path):
    "20.7: with no DIR, a folder mnist_hood_lessons here, holding every notebook; it says what to do next."
    here = tmp_path/'here'; here.mkdir()
    r = subprocess.run([str(BIN/'mnist-hood'), 'lessons'], cwd=here, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert os.listdir(here) == ['mnist_hood_lessons'] and sorted(os.listdir(here/'mnist_hood_lessons')) == course_notebooks()
    assert 'jupyter lab mnist_hood_lessons' in r.stdout and len(r.stdout.strip().splitlines()) == 1, r.stdout
    lesson = here/'mnist_hood_lessons'/'00_data.ipynb'
    assert lesson.read_bytes() == (command.lessons_dir()/'00_data.ipynb').read_bytes()


def test_lessons_keeps_edited_notebooks(tmp_path):
    "20.7: a second copy refreshes unedited lessons; an edited one is kept, in one line, unless --force."
    out = tmp_path/'mine'
    assert call('lessons', out)[0] == 0
    assert call('lessons', out)[0] == 0   # nothing edited: refreshed
    (out/'03_broadcasting_metrics.ipynb').write_text('{"my": "work"}')
    status, _, err = call('lessons', out)
    assert status == 2 and err.count('\n') == 1 and '03_broadcasting_metrics.ipynb' in err and '--force' in err, err
    assert (out/'03_broadcasting_metrics.ipynb').read_text() == '{"my": "work"}'
    status, _, err = call('lessons', '--force', out)
    assert status == 0, err
    assert (out/'03_broadcasting_metrics.ipynb').read_bytes() == (command.lessons_dir()/'03_broadcasting_metrics.ipynb').read_bytes()
    assert [n for n in os.listdir(tmp_path) if n != 'cache'] == ['mine']   # no temporary folder left


def test_lessons_refuses_a_folder_of_other_files(tmp_path):
    "20.7: a folder holding anything but the course's notebooks is never replaced, even with --force."
    out = tmp_path/'work'; out.mkdir(); (out/'thesis.txt').write_text('mine')
    for args in (['lessons', out], ['lessons', '--force', out]):
        status, _, err = call(*args)
        assert status == 2 and err.count('\n') == 1 and str(out) in err, err
    assert os.listdir(out) == ['thesis.txt']
