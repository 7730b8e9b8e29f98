#!/usr/bin/env python3
"""Runs the peer methods (crowd-kit 1.4.2, truthdiscovery 1.0.4) on one data set.

Usage: peers.py DATASET_DIR  -> prints one JSON object {method: {"accuracy", "seconds"}}
       peers.py --ds-time CLAIMS.csv  -> seconds for crowd-kit DawidSkene fit (n_iter=100)

Accuracy uses meta.json's metric ("exact", or "relative_1pct": within 1 % of the truth),
over every object in truth.csv (objects a method leaves without a value count as wrong).
"""
import json
import math
import os
import sys
import time
import types
import warnings

warnings.filterwarnings("ignore")
# truthdiscovery imports pycairo for its graph drawing, which needs the system cairo
# library to build; the algorithms do not use it.
sys.modules.setdefault("cairo", types.ModuleType("cairo"))

import pandas as pd  # noqa: E402

CK = ["MV", "Wawa", "DS", "OneCoinDS", "GLAD", "MACE"]
TD = ["Sums", "AverageLog", "Investment", "PooledInvestment", "TruthFinder", "CRH"]
TD_LABEL = {"AverageLog": "AvgLog"}


def load(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def matches(est, truth, metric):
    if est is None:
        return False
    if str(est) == truth:
        return True
    if metric == "relative_1pct":
        try:
            e, t = float(str(est).replace(",", "")), float(truth.replace(",", ""))
            return abs(e - t) <= 0.01 * abs(t)
        except ValueError:
            return False
    return False


def accuracy(pred, truth, metric):
    ok = sum(matches(pred.get(o), v, metric) for o, v in truth.items())
    return ok / len(truth)


def crowdkit(name, df):
    from crowdkit import aggregation as a

    model = {
        "MV": a.MajorityVote,
        "Wawa": a.Wawa,
        "DS": lambda: a.DawidSkene(n_iter=100),
        "OneCoinDS": lambda: a.OneCoinDawidSkene(n_iter=100),
        "GLAD": a.GLAD,
        "MACE": a.MACE,
    }[name]()
    data = df.rename(columns={"source": "worker", "object": "task", "value": "label"})
    return model.fit_predict(data).to_dict()


def truthdiscovery(name, df):
    import truthdiscovery as td

    algo = getattr(td, name)()
    # Values are coded per data set so every algorithm sees plain numbers; the code is
    # mapped back to the text for scoring.
    codes = {v: i for i, v in enumerate(sorted(set(df["value"])))}
    back = {i: v for v, i in codes.items()}
    data = td.Dataset(zip(df["source"], df["object"], (codes[v] for v in df["value"])))
    res = algo.run(data)
    return {o: back[max(b, key=b.get)] for o, b in res.belief.items() if b}


def run_dataset(path):
    meta = json.load(open(os.path.join(path, "meta.json")))
    df = load(os.path.join(path, "claims.csv"))
    truth = dict(load(os.path.join(path, "truth.csv")).values.tolist())
    out = {}
    fixed_labels = df["value"].nunique() <= 64
    for name in CK + TD:
        if name in CK and not fixed_labels:
            continue  # crowd-kit models one fixed label set
        if name in ("GLAD", "MACE") and len(df) > 60000:
            continue  # too slow for the benchmark's time budget
        if name == "CRH" and len(df) > 60000:
            continue  # truthdiscovery's CRH needs memory quadratic in claims
        t0 = time.perf_counter()
        try:
            pred = crowdkit(name, df) if name in CK else truthdiscovery(name, df)
        except Exception as e:  # a peer failing is reported, not fatal
            print(f"{path}: {name} failed: {e}", file=sys.stderr)
            continue
        secs = time.perf_counter() - t0
        label = ("ck:" if name in CK else "td:") + TD_LABEL.get(name, name)
        out[label] = {"accuracy": accuracy(pred, truth, meta["metric"]), "seconds": secs}
    return out


def ds_time(claims):
    from crowdkit.aggregation import DawidSkene

    df = load(claims).rename(columns={"source": "worker", "object": "task", "value": "label"})
    t0 = time.perf_counter()
    DawidSkene(n_iter=100).fit(df)
    return time.perf_counter() - t0


if __name__ == "__main__":
    if sys.argv[1] == "--ds-time":
        print(json.dumps({"fit_seconds": ds_time(sys.argv[2])}))
    else:
        print(json.dumps(run_dataset(sys.argv[1])))
