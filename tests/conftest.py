"Shared fixtures: an isolated cache per test, quiet reports, and the original MNIST files when this machine has them."
import os
from pathlib import Path

import pytest

from mnist_hood.data import MNIST_FILES

ROOT = Path(__file__).resolve().parents[1]
GIVEN = os.environ.get('MNIST_HOOD_DATA')  # read once, before any test's fixtures change the environment


def _mnist_folder():
    "The four original MNIST files: `$MNIST_HOOD_DATA` if it holds them, else `../shared/data/mnist` beside the repo."
    for cand in (GIVEN, ROOT.parent/'shared'/'data'/'mnist'):
        if cand and all((Path(cand)/n).is_file() for n in MNIST_FILES): return Path(cand).resolve()
    return None


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    "Every test gets its own cache folder and a quiet `mnist_sample`, and starts with no data source set."
    monkeypatch.setenv('MNIST_HOOD_CACHE', str(tmp_path/'cache'))
    monkeypatch.setenv('MNIST_HOOD_QUIET', '1')
    monkeypatch.delenv('MNIST_HOOD_DATA', raising=False)
    return tmp_path/'cache'


@pytest.fixture
def mnist_dir():
    "The original MNIST files; the test is skipped, with the reason, where there are none."
    d = _mnist_folder()
    if d is None: pytest.skip('no original MNIST files: set MNIST_HOOD_DATA to a folder holding the four files')
    return d


@pytest.fixture
def offline(monkeypatch):
    "No data source but the embedded one."
    monkeypatch.setenv('MNIST_HOOD_OFFLINE', '1')
