#!/usr/bin/env bash
# The project's test command. Runs, in one pytest session (two workers):
#   - the nbdev-clean check and the export-in-sync check (tests/test_project.py, on a copy of the repo),
#   - every notebook in nbs/ once, as a learner's Run All runs it (a fresh Jupyter kernel, every cell, `#| slow` ones
#     too), comparing its committed outputs with the fresh run when the MNIST files are at hand ($MNIST_HOOD_DATA, else
#     ../shared/data/mnist beside the checkout; tests/test_project.py, tools/nbcheck.py), the lessons with seeded runs
#     again on another CPU path, and the static notebook checks (tests/test_notebooks.py),
#   - the library's tests, the command's, the exercises', the README's, the site in headless Chromium, lesson 4 in
#     JupyterLab (tests/test_jupyterlab.py) and the wheel installed in a fresh venv (tests/test_wheel.py).
# Arguments are passed to pytest (`bash tools/test.sh -k data`); `--slow` is accepted and changes nothing (every cell runs).
# Ends with the line `N passed, N failed, N skipped`, after a note of the notebook outputs not compared, if any.
set -uo pipefail
cd "$(dirname "$0")/.."
args=()
for a in "$@"; do
  if [ "$a" != "--slow" ]; then args+=("$a"); fi
done
# The committed outputs are the full sample's: compare them whenever the original MNIST files are at hand, as CI does
# (not with MNIST_HOOD_OFFLINE set: that run is the offline sample's).
if [ -z "${MNIST_HOOD_DATA:-}" ] && [ -z "${MNIST_HOOD_OFFLINE:-}" ] && [ -f ../shared/data/mnist/train-images-idx3-ubyte.gz ]; then
  MNIST_HOOD_DATA="$(cd ../shared/data/mnist && pwd)"; export MNIST_HOOD_DATA
fi
report=$(mktemp)
# each notebook test records its run there (seconds, passed, compared): tools/lesson_minutes.py reads them too
times="${MNIST_HOOD_NB_TIMES:-$(mktemp -d)}"; keep_times="${MNIST_HOOD_NB_TIMES:-}"
MNIST_HOOD_NB_TIMES="$times" python -m pytest -n "${MNIST_HOOD_WORKERS:-2}" --junitxml="$report" ${args[@]+"${args[@]}"}
rc=$?
python - "$report" "$rc" "${MNIST_HOOD_DATA:-}" "$times" <<'PY'
import json, os, sys, xml.etree.ElementTree as ET
from pathlib import Path
try: suites = ET.parse(sys.argv[1]).getroot().iter('testsuite')
except Exception: suites = []
tests = failed = skipped = 0
for s in suites:
    tests += int(s.get('tests', 0)); skipped += int(s.get('skipped', 0))
    failed += int(s.get('failures', 0)) + int(s.get('errors', 0))
if tests == 0 and sys.argv[2] != '0': failed = 1  # pytest stopped before running anything: count it as a failure
runs = [json.loads(p.read_text()) for p in Path(sys.argv[4]).glob('*.ipynb.json')]
skipped_cmp = [r['notebook'] for r in runs if r.get('passed') and not r.get('compared')]
if skipped_cmp:
    why = ('MNIST_HOOD_OFFLINE is set, so they ran on the offline sample' if os.environ.get('MNIST_HOOD_OFFLINE')
           else 'no MNIST files (set MNIST_HOOD_DATA, or put them in ../shared/data/mnist)' if not sys.argv[3]
           else 'see the warnings above')
    print(f'note: {len(skipped_cmp)} of {len(runs)} notebooks ran without comparing their committed outputs '
          f'(they are the full sample\'s): {why}')
elif runs: print(f'{len(runs)} notebooks ran in a Jupyter kernel; the committed outputs of those that passed were compared')
print(f'{tests - failed - skipped} passed, {failed} failed, {skipped} skipped')
PY
rm -f "$report"
[ -n "$keep_times" ] || rm -rf "$times"
exit $rc
