#!/usr/bin/env python3
"""Driver for bench/validate: accuracy/time table, speed and copy-detection checks."""
import json
import os
import re
import shlex
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY = sys.executable
CACHE = os.path.join(ROOT, "bench", ".cache")
SYNTH = os.path.join(ROOT, "bench", ".synthetic")
DOC = os.path.join(ROOT, "docs", "benchmarks.md")
os.makedirs(CACHE, exist_ok=True)
os.makedirs(SYNTH, exist_ok=True)


def humint(assess, path, meta):
    tol = "0.01" if meta["metric"] == "relative_1pct" else "0"
    t0 = time.perf_counter()
    out = subprocess.run(
        [*assess, "--claims", f"{path}/claims.csv", "--truth", f"{path}/truth.csv",
         "--tolerance", tol, "--format", "json"],
        check=True, capture_output=True, text=True).stdout
    secs = time.perf_counter() - t0
    rep = json.loads(out)
    return rep["accuracy"]["accuracy"], secs, rep["method"]


def peers(path, name):
    cache = os.path.join(CACHE, f"peers-{name}.json")
    if os.path.exists(cache) and not os.environ.get("REFRESH_PEERS"):
        return json.load(open(cache))
    out = subprocess.run([PY, os.path.join(ROOT, "bench", "peers.py"), path],
                         check=True, capture_output=True, text=True).stdout
    open(cache, "w").write(out)
    return json.loads(out)


def timed(cmd):
    """Wall seconds, max RSS (KiB), stderr, stdout and CPU seconds (user + system) of a
    command pinned to two cores. On a shared machine the CPU seconds say what the work
    cost whatever the queue for the cores."""
    full = ["/usr/bin/time", "-f", "MAXRSS %M CPU %U %S", "taskset", "-c", "0,1"] + cmd
    t0 = time.perf_counter()
    p = subprocess.run(full, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - t0
    m = re.search(r"MAXRSS (\d+) CPU ([0-9.]+) ([0-9.]+)", p.stderr)
    rss, cpu = int(m.group(1)), float(m.group(2)) + float(m.group(3))
    return wall, rss, p.stderr, p.stdout, cpu


def generate(assess, out, **kw):
    if os.path.exists(os.path.join(out, "claims.csv")):
        return
    args = [*assess, "generate", "--out", out]
    for k, v in kw.items():
        args += ["--" + k.replace("_", "-"), str(v)]
    subprocess.run(args, check=True, capture_output=True)


def dependencies(assess, name, min_dependency, **params):
    """Generates a synthetic set, runs the default on it and returns the dependencies it
    reports and each source's origin (the source it copies, or itself)."""
    d = os.path.join(SYNTH, name)
    generate(assess, d, **params)
    rep = json.loads(subprocess.run(
        [*assess, "--claims", f"{d}/claims.csv", "--format", "json", "--min-dependency", str(min_dependency)],
        check=True, capture_output=True, text=True).stdout)
    orig = {}
    for line in open(f"{d}/sources.csv").read().splitlines()[1:]:
        s, _, c = line.split(",")
        orig[s] = c or s
    return rep["dependencies"], orig


def auc(assess):
    deps, orig = dependencies(assess, "copy", 0, sources=100, objects=2000, claims_per_object=10,
                              copiers=0.2, seed=5)
    pos, neg = [], []
    for dep in deps:
        (pos if orig[dep["source_a"]] == orig[dep["source_b"]] else neg).append(dep["probability"])
    neg.sort()
    import bisect
    wins = sum(bisect.bisect_left(neg, x) + 0.5 * (bisect.bisect_right(neg, x) - bisect.bisect_left(neg, x)) for x in pos)
    return wins / (len(pos) * len(neg)), len(pos), len(neg)


def reported(assess, name, sources, objects, per_object, copiers, seed):
    """Pairs the default reports as dependent (probability ≥ 0.5) on a synthetic set, and how
    many of them are truly dependent (a copier and its original, or two copiers of one)."""
    deps, orig = dependencies(assess, name, 0.5, sources=sources, objects=objects,
                              claims_per_object=per_object, copiers=copiers, seed=seed)
    members = {}
    for s, o in orig.items():
        members.setdefault(o, []).append(s)
    true = sum(len(m) * (len(m) - 1) // 2 for m in members.values())
    right = sum(1 for dep in deps if orig[dep["source_a"]] == orig[dep["source_b"]])
    return len(deps), right, true


def main():
    assess, data = shlex.split(sys.argv[1]), sys.argv[2]
    names = sorted(n for n in os.listdir(data) if os.path.isfile(os.path.join(data, n, "meta.json")))
    rows, columns = [], []
    for name in names:
        path = os.path.join(data, name)
        meta = json.load(open(os.path.join(path, "meta.json")))
        acc, secs, method = humint(assess, path, meta)
        p = peers(path, name)
        for k in p:
            if k not in columns:
                columns.append(k)
        rows.append((name, meta["claims"], acc, secs, method, p))
        print(f"{name}: humint {acc:.3f} ({method}, {secs:.2f}s)", file=sys.stderr)

    lines = ["## Validation", "",
             "Produced by `bench/validate` (humint's default method, no per-data-set settings; "
             "peers crowd-kit 1.4.2 `ck:` and truthdiscovery 1.0.4 `td:` with their defaults; "
             "— : the peer cannot take the data or was skipped, as in PEERS.md). "
             "Accuracy against truth.csv with meta.json's metric; time is the whole humint "
             "process (reading, estimating, writing JSON) and the peers' fit.", "",
             "| data set | claims | humint | humint s | humint model | " + " | ".join(columns) + " | best peer | humint − best |",
             "|---|---:|---:|---:|---|" + "---:|" * len(columns) + "---|---:|"]
    means = {c: [] for c in columns}
    ours_by = []
    ok_all = True
    for name, n, acc, secs, method, p in rows:
        best = max(p.items(), key=lambda kv: kv[1]["accuracy"])
        diff = acc - best[1]["accuracy"]
        ok_all &= diff >= -0.01
        cells = [f"{p[c]['accuracy']:.3f}" if c in p else "—" for c in columns]
        model = method.split(":", 1)[-1]
        lines.append(f"| {name} | {n} | **{acc:.3f}** | {secs:.2f} | {model} | " + " | ".join(cells)
                     + f" | {best[1]['accuracy']:.3f} {best[0]} | {diff:+.3f} |")
        ours_by.append((name, acc))
        for c in columns:
            if c in p:
                means[c].append((name, p[c]["accuracy"]))
    ours = dict(ours_by)
    lines += ["", "Averages over the data sets each peer ran on (humint on the same sets):", "",
              "| peer | data sets | peer mean | humint mean |", "|---|---:|---:|---:|"]
    beat_all = True
    for c in columns:
        if not means[c]:
            continue
        pm = sum(a for _, a in means[c]) / len(means[c])
        hm = sum(ours[n] for n, _ in means[c]) / len(means[c])
        beat_all &= hm > pm
        lines.append(f"| {c} | {len(means[c])} | {pm:.3f} | {hm:.3f} |")
    lines += ["", f"Within 0.01 of the best peer on every data set: **{'yes' if ok_all else 'no'}**; "
              f"above every peer's average: **{'yes' if beat_all else 'no'}**.", "",
              "How the default chooses (from the claims alone; `crates/validation/src/methods/auto.rs`): "
              "a shared label set → smoothed Dawid–Skene (rows shrunk towards the typical source's "
              "confusion, each source counting once, with 2, 8 or 32 pseudo-counts per true class) "
              "or the one-coin model, or, when every label is an integer (a graded scale could be "
              "meant) and the claims that depart from their object's most given label fall nearer "
              "it than chance would (by 2 standard errors), the full model pulled towards each source's own ordinal fit at 8 or 32, "
              "whichever predicts "
              "held-out claims best in 5-fold cross-validation on the claims (on a sample of "
              "objects above 30,000 claims; a candidate is dropped once the leader beats it by more "
              "than 4 standard errors of the paired per-claim difference, and the folds stop once one "
              "is left or the rest are within 0.01 nats per claim of the leader with 2 standard "
              "errors to spare); object-specific figures → the numeric model; "
              "object-specific lists (`a|b|c`, ≥ 5 % of claims) → the item-wise latent truth model "
              "(Zhao et al. 2012); other object-specific values → the copy-aware model "
              "(Dong et al. 2009). The model column shows the choice.", ""]

    # Speed: 1M claims, 2,000 sources, 4 classes, in two shapes: four claims per object
    # (250,000 objects) and ten (100,000 objects). crowd-kit's time grows with the objects,
    # humint's copy detection with the pairs of claims per object, so each shape favours one
    # side. The machine is shared, so humint runs three times (median) and the load average
    # is recorded with the figures.
    quiet = None
    peers_md = os.path.join(sys.argv[2], "PEERS.md")
    if os.path.exists(peers_md):
        m = re.search(r"Dawid.Skene on a 1,000,000-claim.*?: ([0-9.]+) s", open(peers_md).read())
        quiet = float(m.group(1)) if m else None
    load_before = os.getloadavg()[0]
    rows = []
    for name, objects, per_object in (("1m", 250000, 4), ("1m-b", 100000, 10)):
        d1 = os.path.join(SYNTH, name)
        generate(assess, d1, sources=2000, objects=objects, claims_per_object=per_object, copiers=0.1, seed=7)
        runs = []
        for _ in range(3):
            wall, rss, err, _, cpu = timed([*assess, "--claims", f"{d1}/claims.csv", "--format", "json", "--timings"])
            est = float(re.search(r"estimate ([0-9.]+) s", err).group(1))
            runs.append((est, wall, rss, cpu))
        runs.sort()
        est, wall, rss, cpu = runs[1]
        ck = json.loads(subprocess.run([PY, os.path.join(ROOT, "bench", "peers.py"), "--ds-time", f"{d1}/claims.csv"],
                                       check=True, capture_output=True, text=True).stdout)["fit_seconds"]
        rows.append(f"| 1,000,000 claims, 2,000 sources, 4 classes, {objects:,} objects × {per_object} claims "
                    f"| {est:.3f} | {wall:.2f} | {cpu:.2f} | {rss/1024:.0f} | {ck:.2f} | {ck/est:.1f}× |"
                    + (f" {quiet/est:.1f}× ({quiet} s) |" if quiet else ""))
    lines += ["### Speed", "",
              f"Load average when the speed runs started: {load_before:.1f} on {os.cpu_count()} cores "
              "(the machine is shared with other builds; everything here slows down with it, "
              "crowd-kit included). humint figures are the median of three runs.", "",
              "| run | humint estimate s | humint whole process s | whole process CPU s | max RSS MiB | crowd-kit DS fit s (same run) | ratio (fit/estimate) |"
              + (" ratio vs PEERS.md quiet-machine fit |" if quiet else ""),
              "|---|---:|---:|---:|---:|---:|---:|" + ("---:|" if quiet else ""),
              *rows]
    if not os.environ.get("SKIP_10M"):
        d10 = os.path.join(SYNTH, "10m")
        generate(assess, d10, sources=100000, objects=1000000, claims_per_object=10, copiers=0.1, seed=9)
        load10 = os.getloadavg()[0]
        wall, rss, err, _, cpu = timed([*assess, "--claims", f"{d10}/claims.csv", "--format", "json", "--timings"])
        est = float(re.search(r"estimate ([0-9.]+) s", err).group(1))
        read = float(re.search(r"read ([0-9.]+) s", err).group(1))
        lines.append(f"| 10,000,000 claims, 100,000 sources, 4 classes (2 cores; load {load10:.1f}; reading {read:.1f} s) | {est:.2f} | {wall:.2f} | {cpu:.2f} | {rss/1024:.0f} | — | — |"
                     + (" — |" if quiet else ""))
    a, npos, nneg = auc(assess)
    lines += ["", "### Copy detection", "",
              f"Synthetic: 100 sources (20 % copiers, copy rate 0.8), 2,000 objects, 10 claims per object: "
              f"ROC AUC **{a:.3f}** telling {npos} dependent pairs from {nneg} independent pairs "
              "(default method, `--min-dependency 0`).", "",
              "What the default reports (pairs with dependence probability ≥ 0.5, the default "
              "`--min-dependency`):", "",
              "| synthetic set | pairs reported | truly dependent among them | dependent pairs in the set |",
              "|---|---:|---:|---:|"]
    for label, args in (("100 sources, 20 % copiers, 2,000 objects × 10 claims (the set above)", ("copy", 100, 2000, 10, 0.2, 5)),
                        ("600 sources, no copier, 12,000 objects × 5 claims", ("sparse", 600, 12000, 5, 0.0, 17)),
                        ("2,000 sources, 10 % copiers, 100,000 objects × 10 claims", ("1m-b", 2000, 100000, 10, 0.1, 7))):
        n, right, true = reported(assess, *args)
        lines.append(f"| {label} | {n} | {right} | {true} |")
    lines += ["",
              f"Commands: `bench/validate` (synthetic sets from `assess generate`, seeds 7, 9, 5 and 17; "
              f"machine: {os.cpu_count()} cores).", ""]
    notes = os.path.join(ROOT, "bench", "validate-notes.md")
    if os.path.exists(notes):
        lines += [open(notes).read().rstrip("\n"), ""]
    write_section("\n".join(lines))
    print("\n".join(lines))


def write_section(text):
    """Replaces the '## Validation' section of docs/benchmarks.md, leaving the rest."""
    os.makedirs(os.path.dirname(DOC), exist_ok=True)
    old = open(DOC).read() if os.path.exists(DOC) else "# Benchmarks\n"
    m = re.search(r"^## Validation\n.*?(?=^## |\Z)", old, flags=re.S | re.M)
    if m:
        # Subsections written by hand (the station's figures) are kept, after ours.
        kept = re.search(r"^### In the station.*", m.group(0), flags=re.S | re.M)
        if kept:
            text = text.rstrip("\n") + "\n\n" + kept.group(0).rstrip("\n") + "\n"
    new = old[:m.start()] + text + "\n" + old[m.end():] if m else old.rstrip("\n") + "\n\n" + text + "\n"
    open(DOC, "w").write(new)


if __name__ == "__main__":
    main()
