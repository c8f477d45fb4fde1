#!/usr/bin/env bash
# The project's test command. Runs, in one pytest session (two workers):
#   - the nbdev-clean check and the export-in-sync check (tests/test_project.py, on a copy of the repo),
#   - every notebook in nbs/ once, as nbdev-test runs it, comparing its committed outputs with the fresh run when
#     the MNIST files are at hand ($MNIST_HOOD_DATA, else ../shared/data/mnist beside the checkout; tests/test_project.py,
#     tools/nbcheck.py), and the static notebook checks (tests/test_notebooks.py),
#   - the library's tests, the command's, the exercises', the README's, and the site in headless Chromium (tests/test_*.py).
# Options: --slow also runs the cells flagged `#| slow`; anything else is passed to pytest.
# Ends with the line `N passed, N failed, N skipped`.
set -uo pipefail
cd "$(dirname "$0")/.."
args=()
for a in "$@"; do
  if [ "$a" = "--slow" ]; then export MNIST_HOOD_TEST_FLAGS=slow; else args+=("$a"); fi
done
# The committed outputs are the full sample's: compare them whenever the original MNIST files are at hand, as CI does
# (not with MNIST_HOOD_OFFLINE set: that run is the offline sample's).
if [ -z "${MNIST_HOOD_DATA:-}" ] && [ -z "${MNIST_HOOD_OFFLINE:-}" ] && [ -f ../shared/data/mnist/train-images-idx3-ubyte.gz ]; then
  MNIST_HOOD_DATA="$(cd ../shared/data/mnist && pwd)"; export MNIST_HOOD_DATA
fi
report=$(mktemp)
python -m pytest -n "${MNIST_HOOD_WORKERS:-2}" --junitxml="$report" "${args[@]}"
rc=$?
python - "$report" "$rc" "${MNIST_HOOD_DATA:-}" <<'PY'
import sys, xml.etree.ElementTree as ET
try: suites = ET.parse(sys.argv[1]).getroot().iter('testsuite')
except Exception: suites = []
tests = failed = skipped = 0
for s in suites:
    tests += int(s.get('tests', 0)); skipped += int(s.get('skipped', 0))
    failed += int(s.get('failures', 0)) + int(s.get('errors', 0))
if tests == 0 and sys.argv[2] != '0': failed = 1  # pytest stopped before running anything: count it as a failure
if not sys.argv[3]: print('note: no notebook outputs were compared with the committed ones: no MNIST files '
                         '(set MNIST_HOOD_DATA, or put them in ../shared/data/mnist)')
print(f'{tests - failed - skipped} passed, {failed} failed, {skipped} skipped')
PY
rm -f "$report"
exit $rc
