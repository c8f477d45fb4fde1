"""Benchmark: `mnist-hood run` on the full sample, time per stage, against executing the lesson notebooks.

Run from the repo, with the four original MNIST files:
    MNIST_HOOD_DATA=../shared/data/mnist python tools/bench_run.py
One run each, one after another, with a warm data cache (the sample is built first, outside the timings):
`mnist-hood run`, `mnist-hood run --quick`, and `nbdev-test` over lessons 01-09 (the obvious way to check the
chapter: run its notebooks). Wall time by time.perf_counter, peak memory of each child by wait4.
"""
import json, os, subprocess, sys, tempfile, time
from pathlib import Path

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[1]


def timed(cmd):
    "Wall seconds, this child's own peak RSS in MB (from wait4), and its stdout."
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        p = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=ROOT)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        out.seek(0); err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1): sys.exit(f'{cmd[0]} failed:\n{stderr[-3000:]}')
    return wall, usage.ru_maxrss/1024, stdout, code


def main():
    if not os.environ.get('MNIST_HOOD_DATA'): sys.exit('set MNIST_HOOD_DATA to the four original MNIST files (the full sample)')
    subprocess.run([str(BIN/'mnist-hood'), 'data'], check=True, capture_output=True)  # build the sample once, untimed
    out = Path(tempfile.mkdtemp(prefix='mnist_hood_bench_run_'))
    w_full, m_full, stdout, _ = timed([str(BIN/'mnist-hood'), 'run', '--json', '--out', str(out/'full')])
    res = json.loads(stdout)
    w_quick, m_quick, _, _ = timed([str(BIN/'mnist-hood'), 'run', '--quick', '--json', '--out', str(out/'quick')])
    w_nbs, m_nbs, _, code_nbs = timed([str(BIN/'nbdev-test'), '--n-workers', '2', '--file-re', r'^0[1-9]_', 'nbs'])
    print(f"data: {res['data']['detail']}")
    print('| stage of `mnist-hood run` | seconds |\n|---|---|')
    for stage, s in res['timings_seconds'].items(): print(f'| {stage} | {s:.2f} |')
    print("\n| way to check the chapter | wall seconds | peak memory (MB) | vs notebooks |\n|---|---|---|---|")
    print(f'| nbdev-test on lessons 01-09 (2 workers) | {w_nbs:.1f} | {m_nbs:.0f} (largest process) | 1x |')
    print(f'| mnist-hood run | {w_full:.1f} | {m_full:.0f} | {w_nbs/w_full:.1f}x |')
    print(f'| mnist-hood run --quick | {w_quick:.1f} | {m_quick:.0f} | {w_nbs/w_quick:.1f}x |')
    print(f"\nrun's verdicts: {sorted(set(row['verdict'] for row in res['rows']))}; notebooks: "
          f"{'all passed' if code_nbs == 0 else 'FAILED'}")


if __name__ == '__main__': main()
