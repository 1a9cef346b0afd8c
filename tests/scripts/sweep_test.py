#!/usr/bin/env python3
"""CTest driver for scripts/sweep and scripts/plot: one case per invocation.

  sweep_test.py CASE --vp build/iommu-vp --src . --work build/tests/scripts_work

Cases: local_2x2, pcie_selector, bad_key, slurm, task, plot. Exit 0 pass,
1 fail (with the reason), 77 skipped (plot without matplotlib).
"""

import argparse
import csv
import json
import os
import shutil
import stat
import subprocess
import sys

SKIP = 77


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)


class Env:
    def __init__(self, a):
        self.vp = os.path.abspath(a.vp)
        self.src = os.path.abspath(a.src)
        self.work = os.path.join(os.path.abspath(a.work), a.case)
        shutil.rmtree(self.work, ignore_errors=True)
        os.makedirs(self.work)
        self.sweep = os.path.join(self.src, "scripts", "sweep")
        self.plot = os.path.join(self.src, "scripts", "plot")

    def config(self, name):
        return os.path.join(self.src, "configs", name)

    def run(self, args, expect=0, env=None):
        e = dict(os.environ, IOMMU_VP=self.vp, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1")
        e.update(env or {})
        p = subprocess.run(args, capture_output=True, text=True, env=e, cwd=self.work)
        if expect is not None and p.returncode != expect:
            raise Failure(f"{' '.join(args)}: exit {p.returncode}, expected {expect}\n"
                          f"--- stdout\n{p.stdout}--- stderr\n{p.stderr}")
        return p

    def sweep_run(self, out, *args, expect=0, env=None):
        return self.run([self.sweep, "run", "--vp", self.vp, "--out", out] + list(args),
                        expect=expect, env=env)


def read_csv(path):
    with open(path, newline="") as f:
        r = csv.DictReader(f)
        return r.fieldnames, list(r)


def read_json(path):
    with open(path) as f:
        return json.load(f)


# ---------------------------------------------------------------------------

def case_local_2x2(env):
    out = os.path.join(env.work, "sw")
    p = env.sweep_run(out, "--config", env.config("default.json"),
                      "--param", "dma.burst_bytes=64,256",
                      "--param", "scenario.dma_copy.bytes=4096,16384",
                      "--metric", "stats.dma.bus_transactions", "stats.iommu.iotlb.hit_rate",
                      "--jobs", "2", "--runner", "python")
    manifest = read_json(os.path.join(out, "manifest.json"))
    check([q["key"] for q in manifest["params"]] == ["dma.burst_bytes", "scenario.dma_copy.bytes"],
          f"manifest params: {manifest['params']}")
    check(len(manifest["runs"]) == 4, f"manifest has {len(manifest['runs'])} runs, expected 4")
    combos = [(r["params"]["dma.burst_bytes"], r["params"]["scenario.dma_copy.bytes"])
              for r in manifest["runs"]]
    check(combos == [(64, 4096), (64, 16384), (256, 4096), (256, 16384)],
          f"manifest combinations: {combos}")
    for r in manifest["runs"]:
        rdir = os.path.join(out, r["dir"])
        stats = read_json(os.path.join(rdir, "stats.json"))
        config = read_json(os.path.join(rdir, "config.json"))
        check(config["dma"]["burst_bytes"] == r["params"]["dma.burst_bytes"],
              f"{r['dir']}/config.json: dma.burst_bytes {config['dma']['burst_bytes']}")
        # The simulator saw the value: its effective config is in the stats.
        check(stats["config"]["scenario"]["dma_copy"]["bytes"] ==
              r["params"]["scenario.dma_copy.bytes"], f"{r['dir']}/stats.json config")
    cols, rows = read_csv(os.path.join(out, "results.csv"))
    for c in ["index", "status", "dma.burst_bytes", "scenario.dma_copy.bytes", "ok",
              "simulated_ns", "bytes", "throughput_gbps", "stats.dma.bus_transactions",
              "stats.iommu.iotlb.hit_rate"]:
        check(c in cols, f"results.csv has no column {c}: {cols}")
    check(len(rows) == 4, f"results.csv has {len(rows)} rows")
    check(all(r["status"] == "ok" and r["ok"] == "true" for r in rows),
          f"not all runs ok: {[r['status'] for r in rows]}")
    check([r["index"] for r in rows] == ["0", "1", "2", "3"], "row order")
    for r in rows:
        check(r["bytes"] == r["scenario.dma_copy.bytes"],
              f"run {r['index']}: bytes {r['bytes']} != swept size")
        # 64-byte bursts: one request per 64 bytes read and written.
        want = 2 * int(r["bytes"]) // int(r["dma.burst_bytes"])
        got = int(r["stats.dma.bus_transactions"])
        check(want <= got <= want + 4, f"run {r['index']}: {got} DMA transactions, ~{want} expected")
    by = {(r["dma.burst_bytes"], r["scenario.dma_copy.bytes"]): r for r in rows}
    # The swept burst size changes the result: fewer, larger requests are faster.
    check(float(by[("256", "16384")]["simulated_ns"]) < float(by[("64", "16384")]["simulated_ns"]),
          "burst_bytes did not change simulated_ns")
    check(float(by[("64", "16384")]["simulated_ns"]) > float(by[("64", "4096")]["simulated_ns"]),
          "copy size did not change simulated_ns")
    check("index" in p.stdout and "4 ok, 0 failed, 0 missing" in p.stdout,
          f"no table/summary printed:\n{p.stdout}")
    units = read_json(os.path.join(out, "units.json"))
    check(units.get("throughput_gbps") == "GB/s" and units.get("dma.burst_bytes") == "bytes",
          f"units.json: {units}")

    # A failed run is a row, not the end of the sweep.
    out2 = os.path.join(env.work, "sw_fail")
    env.sweep_run(out2, "--param", "dma.burst_bytes=64,8192",
                  "--param", "scenario.dma_copy.bytes=4096", "--jobs", "2")
    _, rows = read_csv(os.path.join(out2, "results.csv"))
    check([r["status"] for r in rows] == ["ok", "failed"], f"statuses {[r['status'] for r in rows]}")
    check(rows[1]["exit_code"] == "2" and "burst_bytes" in rows[1]["message"],
          f"failed row: {rows[1]}")


def case_pcie_selector(env):
    out = os.path.join(env.work, "sw")
    env.sweep_run(out, "--config", env.config("pcie_switch.json"), "--scenario", "pcie-enumerate",
                  "--param", "pcie.nodes[name=sw0].link.width=1,8",
                  "--param", "scenario.pcie_enumerate.bytes=4096", "--jobs", "2")
    manifest = read_json(os.path.join(out, "manifest.json"))
    check(len(manifest["runs"]) == 2, "2 runs expected")
    for r in manifest["runs"]:
        config = read_json(os.path.join(out, r["dir"], "config.json"))
        nodes = {n["name"]: n for n in config["pcie"]["nodes"]}
        check(nodes["sw0"]["link"]["width"] == r["params"]["pcie.nodes[name=sw0].link.width"],
              f"{r['dir']}: sw0 link {nodes['sw0']['link']}")
        check(nodes["rp0"]["link"]["width"] == 16, "rp0's link changed too")
        check(config["run"]["scenario"] == "pcie-enumerate", "scenario not in the run's config")
    cols, rows = read_csv(os.path.join(out, "results.csv"))
    check("pcie.nodes[name=sw0].link.width" in cols, f"columns {cols}")
    check(all(r["status"] == "ok" for r in rows), f"statuses {[r['status'] for r in rows]}")
    x1 = next(r for r in rows if r["pcie.nodes[name=sw0].link.width"] == "1")
    x8 = next(r for r in rows if r["pcie.nodes[name=sw0].link.width"] == "8")
    check(float(x1["simulated_ns"]) > float(x8["simulated_ns"]),
          f"x1 link not slower: {x1['simulated_ns']} vs {x8['simulated_ns']}")

    # Index path to the same node, and a member the base config does not spell
    # out (the DMA endpoint's params object), which iommu-vp accepts.
    out2 = os.path.join(env.work, "sw_index")
    env.sweep_run(out2, "--config", env.config("pcie_switch.json"),
                  "--param", "pcie.nodes[2].link.width=4",
                  "--param", "pcie.nodes[name=dma0].params.ats=false",
                  "--param", "scenario.pcie_enumerate.bytes=4096")
    config = read_json(os.path.join(out2, "runs", "0000", "config.json"))
    check(config["pcie"]["nodes"][2]["link"]["width"] == 4, "pcie.nodes[2] not set")
    check(config["pcie"]["nodes"][3]["params"] == {"ats": False}, "dma0 params not added")
    _, rows = read_csv(os.path.join(out2, "results.csv"))
    check(rows[0]["status"] == "ok", f"run failed: {rows[0]}")


def case_bad_key(env):
    cases = [
        ("default.json", "dma.burst_byte=64,128", "dma.burst_byte"),
        ("default.json", "iommu.iotlb.setz=1,2", "iommu.iotlb.setz"),
        ("pcie_switch.json", "pcie.nodes[name=rp9].link.width=1,8", "pcie.nodes[name=rp9]"),
        ("pcie_switch.json", "pcie.nodes[7].link.width=1", "pcie.nodes[7]"),
        ("pcie_switch.json", "pcie.nodes[name=dma0].params.atz=true", "atz"),
    ]
    for i, (config, param, name) in enumerate(cases):
        out = os.path.join(env.work, f"sw{i}")
        p = env.sweep_run(out, "--config", env.config(config), "--param", "dma.tags=4,8",
                          "--param", param, expect=2)
        check(name in p.stderr, f"--param {param}: error does not name the key:\n{p.stderr}")
        check(not os.path.exists(os.path.join(out, "runs")),
              f"--param {param}: runs were written before the error")


def case_slurm(env):
    out = os.path.join(env.work, "sw")
    p = env.sweep_run(out, "--param", "dma.burst_bytes=64,128,256,512",
                      "--param", "scenario.dma_copy.bytes=4096", "--slurm", "--jobs", "2",
                      "--slurm-opt", "--time=00:05:00 -p short", "--slurm-opt", "--mem=1G")
    script = os.path.join(out, "sweep.sbatch")
    with open(script) as f:
        text = f.read()
    lines = text.splitlines()
    check(lines[0] == "#!/bin/bash", "no shebang")
    sbatch = [l for l in lines if l.startswith("#SBATCH ")]
    for want in ["#SBATCH --array=0-3%2", "#SBATCH --time=00:05:00", "#SBATCH -p short",
                 "#SBATCH --mem=1G"]:
        check(want in sbatch, f"{want!r} not in sweep.sbatch:\n{text}")
    # Every #SBATCH line comes before the first command (sbatch stops reading there).
    first_cmd = next(i for i, l in enumerate(lines) if l and not l.startswith("#"))
    check(all(lines.index(l) < first_cmd for l in sbatch), "#SBATCH after a command")
    task = [l for l in lines if ' task ' in l]
    check(len(task) == 1 and task[0].endswith(f'task {out} "$SLURM_ARRAY_TASK_ID"'),
          f"per-task command: {task}")
    check(subprocess.run(["bash", "-n", script]).returncode == 0, "sweep.sbatch is not valid bash")
    check(os.path.exists(os.path.join(out, "merge.sbatch")), "no merge.sbatch")
    check(not any(os.path.exists(os.path.join(out, "runs", d, "stats.json"))
                  for d in os.listdir(os.path.join(out, "runs"))), "--slurm ran runs locally")
    check("sbatch " in p.stdout, f"no submit hint:\n{p.stdout}")

    # The array script itself runs its task (as a node would).
    env.run(["bash", script], env={"SLURM_ARRAY_TASK_ID": "3"})
    check(read_json(os.path.join(out, "runs", "0003", "status.json"))["exit_code"] == 0,
          "task 3 of the array script did not run")

    # --submit: an error without sbatch, nothing written; with a stand-in
    # sbatch, the array and then the merge (afterany) are submitted.
    no_sbatch_path = "/usr/bin:/bin"
    if not any(os.path.exists(os.path.join(d, "sbatch")) for d in no_sbatch_path.split(":")):
        out2 = os.path.join(env.work, "sw_nosbatch")
        p = env.sweep_run(out2, "--param", "dma.tags=4,8", "--slurm", "--submit", expect=2,
                          env={"PATH": no_sbatch_path})
        check("sbatch" in p.stderr and not os.path.exists(out2), f"--submit: {p.stderr}")
    fake = os.path.join(env.work, "bin")
    os.makedirs(fake)
    with open(os.path.join(fake, "sbatch"), "w") as f:
        f.write(f'#!/bin/sh\necho "$@" >> {fake}/calls\necho "777;cluster"\n')
    os.chmod(os.path.join(fake, "sbatch"), stat.S_IRWXU)
    out3 = os.path.join(env.work, "sw_submit")
    p = env.sweep_run(out3, "--param", "dma.tags=4,8", "--slurm", "--submit",
                      env={"PATH": fake + ":" + os.environ["PATH"]})
    with open(os.path.join(fake, "calls")) as f:
        calls = f.read().splitlines()
    check(calls == [f"--parsable {out3}/sweep.sbatch",
                    f"--parsable --dependency=afterany:777 {out3}/merge.sbatch"],
          f"sbatch calls: {calls}")
    check("777" in p.stdout, f"job id not reported:\n{p.stdout}")


def case_task(env):
    out = os.path.join(env.work, "sw")
    env.sweep_run(out, "--param", "dma.burst_bytes=64,256",
                  "--param", "scenario.dma_copy.bytes=4096,8192", "--slurm")
    p = env.run([env.sweep, "task", out, "2"])
    check("run 0002 ok" in p.stdout, f"task output: {p.stdout}")
    status = read_json(os.path.join(out, "runs", "0002", "status.json"))
    check(status["exit_code"] == 0, f"status {status}")
    stats = read_json(os.path.join(out, "runs", "0002", "stats.json"))
    check(stats["run"]["ok"] and stats["run"]["bytes"] == 4096, f"run 2: {stats['run']}")
    check(stats["config"]["dma"]["burst_bytes"] == 256, "run 2 is not (256, 4096)")
    others = [d for d in ("0000", "0001", "0003")
              if os.path.exists(os.path.join(out, "runs", d, "stats.json"))]
    check(not others, f"task 2 also ran {others}")
    env.run([env.sweep, "task", out, "4"], expect=2)
    env.run([env.sweep, "merge", out])
    _, rows = read_csv(os.path.join(out, "results.csv"))
    check([r["status"] for r in rows] == ["missing", "missing", "ok", "missing"],
          f"statuses after one task: {[r['status'] for r in rows]}")


def has_matplotlib():
    for py in (sys.executable, "/usr/bin/python3"):
        if os.access(py, os.X_OK) and subprocess.run(
                [py, "-c", "import matplotlib"], capture_output=True).returncode == 0:
            return True
    return False


def case_plot(env):
    out = os.path.join(env.work, "sw")
    env.sweep_run(out, "--param", "dma.burst_bytes=32,128,512",
                  "--param", "scenario.dma_copy.bytes=4096,8192", "-q")
    csv_path = os.path.join(out, "results.csv")
    png = os.path.join(env.work, "throughput.png")
    args = [env.plot, csv_path, "--x", "dma.burst_bytes", "--y", "throughput_gbps",
            "--series", "scenario.dma_copy.bytes", "--logx", "--out", png]
    if not has_matplotlib():
        p = env.run(args, expect=None)
        check(p.returncode != 0 and "apt-get install python3-matplotlib" in p.stderr,
              f"plot without matplotlib: exit {p.returncode}\n{p.stderr}")
        print("matplotlib not installed (scripts/setup installs it): skipped")
        raise SystemExit(SKIP)
    env.run(args)
    with open(png, "rb") as f:
        data = f.read()
    check(data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 5000,
          f"{png}: not a PNG of a plot ({len(data)} bytes)")
    svg = os.path.join(env.work, "t.svg")
    env.run([env.plot, csv_path, "--x", "scenario.dma_copy.bytes", "--y", "simulated_ns",
             "--out", svg])
    with open(svg) as f:
        text = f.read()
    check("<svg" in text and "simulated_ns [ns]" in text, "SVG without the y label and unit")
    p = env.run([env.plot, csv_path, "--x", "dma.burst_bytes", "--y", "nope"], expect=2)
    check("nope" in p.stderr, f"bad column error: {p.stderr}")


CASES = {"local_2x2": case_local_2x2, "pcie_selector": case_pcie_selector,
         "bad_key": case_bad_key, "slurm": case_slurm, "task": case_task, "plot": case_plot}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("case", choices=sorted(CASES))
    ap.add_argument("--vp", required=True)
    ap.add_argument("--src", required=True)
    ap.add_argument("--work", required=True)
    a = ap.parse_args()
    env = Env(a)
    try:
        CASES[a.case](env)
    except Failure as e:
        print(f"FAIL {a.case}: {e}")
        return 1
    print(f"PASS {a.case}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
