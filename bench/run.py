#!/usr/bin/python3
"""bench/run.py: initlab against numpy and PyTorch on the same workloads, in one run (scripts/bench).

Every workload runs on each engine in turn, the order rotating, --runs times; the table gives the median
wall time of each (whole processes, started fresh) and the ratios, checks issue 5's targets, and is
written with the machine, date and versions to bench/results.md. A peer that is not installed is
skipped with a note. Timings on a shared machine move with its load: the load average is recorded.

Workloads (the peers' programs are in bench/):
  lesson  lua/lessons/initialization.lua --no-report      vs the notebook's numpy code, and PyTorch
  step    bench/step.lua: a Lua-driven step of the lesson's model vs the fused C step (in-process)
  depth   30 hidden ReLU layers of 50 units, 300 circles, 500 steps (bench/train.lua and its peers),
          and lua/experiments/depth.lua --depth 30 --width 50 --iterations 500 --init he
  wide    [2, 1024, 1024, 1] on 4096 examples (bench/train.lua and its peers)
"""
import argparse
import datetime
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYTHON = "/usr/bin/python3"


def run_measured(cmd):
    """Runs cmd (a list) from the source root: (wall seconds, the child's own peak RSS in KB, its stdout)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)  # the child's rusage, not all children's
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            sys.exit("bench: %s failed (exit %d):\n%s" % (" ".join(cmd), proc.returncode,
                                                           err.read().decode()[-2000:]))
        return wall, usage.ru_maxrss, out.read().decode()


def python_has(module):
    if not os.path.exists(PYTHON):
        return False
    return subprocess.run([PYTHON, "-c", "import " + module], capture_output=True).returncode == 0


def output_of(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT).stdout.strip()
    except OSError:
        return ""


def machine():
    lscpu = output_of(["lscpu"])
    model = re.search(r"Model name:\s*(.+)", lscpu)
    return {"cpu": model.group(1).strip() if model else platform.processor(),
            "cores": os.cpu_count(), "kernel": platform.release()}


def versions(initlab, have_numpy, have_torch):
    v = {"initlab": output_of([initlab, "--version"]) or "?"}
    v["gcc"] = (output_of(["gcc", "--version"]).splitlines() or ["?"])[0]
    v["lua"] = output_of(["dpkg-query", "-W", "-f=${Version}", "liblua5.4-dev"]) or "?"
    v["OpenBLAS"] = output_of(["dpkg-query", "-W", "-f=${Version}", "libopenblas0-pthread"]) or "?"
    probe = ("import ctypes, ctypes.util; lib = ctypes.CDLL('libopenblas.so.0'); "
             "lib.openblas_get_corename.restype = ctypes.c_char_p; print(lib.openblas_get_corename().decode())")
    v["OpenBLAS kernels"] = output_of([PYTHON, "-c", probe]) if os.path.exists(PYTHON) else "?"
    if have_numpy:
        v["numpy"] = output_of([PYTHON, "-c", "import numpy; print(numpy.__version__)"])
    if have_torch:
        v["torch"] = output_of([PYTHON, "-c", "import torch; print(torch.__version__, torch.get_num_threads(), 'threads')"])
    v["python"] = output_of([PYTHON, "--version"]) if os.path.exists(PYTHON) else "absent"
    return v


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def fmt_s(x):
    return "—" if x != x else ("%.3f s" % x if x < 10 else "%.2f s" % x)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--initlab", default=os.path.join(ROOT, "build", "initlab"), help="the initlab host to time")
    ap.add_argument("--runs", type=int, default=3, help="runs of each workload on each engine (median)")
    ap.add_argument("--only", default="lesson,step,depth,wide", help="comma-separated workloads")
    ap.add_argument("--wide-steps", type=int, default=3, help="steps of the wide network")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results.md"))
    args = ap.parse_args()
    initlab = os.path.abspath(args.initlab)
    if not os.access(initlab, os.X_OK):
        sys.exit("bench: %s is not built (scripts/bench builds it)" % initlab)
    only = set(args.only.split(","))

    have_numpy = python_has("numpy") and python_has("sklearn")
    have_torch = python_has("torch") and have_numpy
    notes = []
    if not have_numpy:
        notes.append("numpy (and scikit-learn) for %s not installed: numpy skipped" % PYTHON)
    if not have_torch:
        notes.append("PyTorch for %s not installed: PyTorch skipped (Debian: python3-torch)" % PYTHON)

    W = "2,1024,1024,1"
    wide = ["--sizes", W, "--examples", "4096", "--steps", str(args.wide_steps), "--every", "1"]
    deep = ["--sizes", "2,50x30,1", "--examples", "300", "--steps", "500", "--every", "100"]
    workloads = []  # (key, title, {engine: command})
    if "lesson" in only:
        # The target is the command a user types: scripts/initlab, its up-to-date check included.
        workloads.append(("lesson", "lesson: scripts/initlab lua/lessons/initialization.lua --no-report (3 x 15000 steps + predictions)", {
            "initlab": [os.path.join(ROOT, "scripts", "initlab"), "lua/lessons/initialization.lua", "--no-report"],
            "numpy": [PYTHON, "bench/lesson_numpy.py"] if have_numpy else None,
            "torch": [PYTHON, "bench/lesson_torch.py"] if have_torch else None}))
    if "depth" in only:
        workloads.append(("depth", "depth: 30 ReLU layers x 50, 300 examples, 500 steps (bench/train.lua)", {
            "initlab": [initlab, "bench/train.lua"] + deep,
            "numpy": [PYTHON, "bench/train_numpy.py"] + deep if have_numpy else None,
            "torch": [PYTHON, "bench/train_torch.py"] + deep if have_torch else None}))
        workloads.append(("depth.lua", "depth.lua --depth 30 --width 50 --iterations 500 --init he "
                          "(the experiment: + diagnostics every 100 steps)", {
                              "initlab": [initlab, "lua/experiments/depth.lua", "--depth", "30", "--width", "50",
                                          "--iterations", "500", "--init", "he", "--quiet"],
                              "numpy": [PYTHON, "bench/train_numpy.py"] + deep if have_numpy else None,
                              "torch": [PYTHON, "bench/train_torch.py"] + deep if have_torch else None}))
    if "wide" in only:
        workloads.append(("wide", "wide: [2, 1024, 1024, 1] on 4096 examples, %d steps" % args.wide_steps, {
            "initlab": [initlab, "bench/train.lua"] + wide,
            "numpy": [PYTHON, "bench/train_numpy.py"] + wide if have_numpy else None,
            "torch": [PYTHON, "bench/train_torch.py"] + wide if have_torch else None}))

    load_before = os.getloadavg()
    started = datetime.datetime.now()
    times = {key: {"initlab": [], "numpy": [], "torch": []} for key, _, _ in workloads}
    rss = {key: [] for key, _, _ in workloads}
    step = {"network": [], "calls": [], "lua": [], "step": [], "fused": []}
    step_ratio = {k: [] for k in step}
    engines = ["initlab", "numpy", "torch"]
    for r in range(args.runs):
        for key, title, cmds in workloads:
            order = engines[r % 3:] + engines[:r % 3]  # alternate who goes first
            for engine in order:
                cmd = cmds[engine]
                if cmd is None:
                    continue
                wall, peak, _ = run_measured(cmd)
                times[key][engine].append(wall)
                if engine == "initlab":
                    rss[key].append(peak)
                print("  run %d  %-9s %-8s %8.3f s" % (r + 1, key, engine, wall), flush=True)
        if "step" in only:
            _, _, out = run_measured([initlab, "bench/step.lua"])
            for line in out.splitlines():
                name, value, ratio = line.split()
                step[name].append(float(value))
                step_ratio[name].append(float(ratio))
            print("  run %d  step      %s" % (r + 1, " ".join("%s %.2f us" % (k, v[-1]) for k, v in step.items())),
                  flush=True)
    load_after = os.getloadavg()

    # ---- the table ----
    rows = []
    verdicts = []
    for key, title, cmds in workloads:
        t = {e: median(times[key][e]) for e in engines}
        rows.append((title, t, max(rss[key]) if rss[key] else 0))
    lines = []
    lines.append("| workload | initlab | numpy | PyTorch | numpy / initlab | PyTorch / initlab |")
    lines.append("|---|---:|---:|---:|---:|---:|")
    for title, t, _ in rows:
        rn = t["numpy"] / t["initlab"] if t["numpy"] == t["numpy"] else float("nan")
        rt = t["torch"] / t["initlab"] if t["torch"] == t["torch"] else float("nan")
        lines.append("| %s | %s | %s | %s | %s | %s |" % (title, fmt_s(t["initlab"]), fmt_s(t["numpy"]),
                     fmt_s(t["torch"]), "—" if rn != rn else "%.1f×" % rn, "—" if rt != rt else "%.1f×" % rt))
    table = "\n".join(lines)

    step_lines = []
    if "step" in only:
        s = {k: median(v) for k, v in step.items()}
        q = {k: median(v) for k, v in step_ratio.items()}
        step_lines = ["| one step of the lesson's model (300 examples), bench/step.lua | µs per step | / fused C step |",
                      "|---|---:|---:|"]
        labels = {"network": "Lua-driven: network.lua forward / backward / update (the lesson's loop)",
                  "calls": "Lua-driven: the layer functions called from Lua directly",
                  "lua": "Lua-driven: network.lua's layer-by-layer Lua code (net.fused = false)",
                  "step": "il.fused plan:step — one C call per step",
                  "fused": "il.fused plan:train — the fused C training step, looped in C"}
        for k in ("network", "calls", "lua", "step", "fused"):
            step_lines.append("| %s | %.2f | %.2f× |" % (labels[k], s[k], q[k]))
        ratio = q["network"]
        verdicts.append(("2. Lua-driven step (the lesson's loop over network.lua) within 1.3× of the fused C step",
                         "%.2f×" % ratio, ratio <= 1.3))

    by_key = {key: (t, peak) for (key, _, _), (_, t, peak) in zip(workloads, rows)}
    if "lesson" in by_key:
        t, peak = by_key["lesson"]
        if t["numpy"] == t["numpy"]:
            ratio = t["numpy"] / t["initlab"]
            verdicts.append(("1. lesson at least 30× faster than numpy", "%.1f×" % ratio, ratio >= 30))
        verdicts.append(("4. lesson peak memory under 30 MB (no allocation per step: tests/lua/test_alloc.lua)",
                         "%.1f MB" % (peak / 1024), peak < 30 * 1024))
    for key, name in (("depth", "3. depth (30 x 50) at least as fast as numpy"),
                      ("depth.lua", "3. depth.lua --depth 30 --width 50 --iterations 500 at least as fast as numpy"),
                      ("wide", "3. [2, 1024, 1024, 1] on 4096 examples at least as fast as numpy")):
        if key in by_key and by_key[key][0]["numpy"] == by_key[key][0]["numpy"]:
            t = by_key[key][0]
            verdicts.append((name, "%.2f×" % (t["numpy"] / t["initlab"]), t["initlab"] <= t["numpy"]))
    verdict_lines = ["| target (issue 5) | measured | |", "|---|---:|---|"]
    for name, value, ok in sorted(verdicts):
        verdict_lines.append("| %s | %s | %s |" % (name, value, "met" if ok else "**not met**"))

    m = machine()
    v = versions(initlab, have_numpy, have_torch)
    header = [
        "# initlab benchmarks",
        "",
        "Written by `scripts/bench` (bench/run.py) on %s. Median wall time of %d runs per engine, the engines "
        "alternating; whole processes, started fresh." % (started.strftime("%Y-%m-%d %H:%M"), args.runs),
        "",
        "- machine: %s, %d cores, Linux %s; load average %.2f before, %.2f after (other work on the machine "
        "moves these numbers)" % (m["cpu"], m["cores"], m["kernel"], load_before[0], load_after[0]),
        "- versions: " + "; ".join("%s %s" % (k, v[k]) for k in v),
    ]
    for n in notes:
        header.append("- note: " + n)
    text = "\n".join(header) + "\n\n" + table + "\n"
    if step_lines:
        text += "\n" + "\n".join(step_lines) + "\n"
    text += "\n" + "\n".join(verdict_lines) + "\n"
    print()
    print(text)
    partial = args.out + ".partial"  # written whole, then renamed: an interrupted run leaves the old file
    with open(partial, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(partial, args.out)
    print("bench: wrote %s" % os.path.relpath(args.out, ROOT))


if __name__ == "__main__":
    main()
