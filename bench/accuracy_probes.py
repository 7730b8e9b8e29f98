#!/usr/bin/env python3
"""Accuracy probes for the default label model (issue #4): the figures behind the
"tried and rejected" paragraphs of bench/validate-notes.md, so they can be re-checked.

A numpy mirror of humint's Dawid–Skene family (crates/validation/src/methods/
dawid_skene.rs): majority-vote start; full confusion rows shrunk towards the typical
source's matrix with `alpha` pseudo-counts per true class, or one accuracy per source
(Beta(2, 1)); EM stopped once posteriors move < 1e-3 or the log-likelihood < 1e-5 per
claim. It reproduces the engine's accuracies on the label sets (web 0.865 at strength 8,
zencrowd-all 0.789 / one-coin 0.852, bluebird 0.898 ...). It is a research tool, not a
peer and not part of the bench table.

Usage (numpy and pandas: the virtual environment bench/validate makes):
    bench/.venv/bin/python bench/accuracy_probes.py [PROBE ...]
PROBE: baseline, starts, oc_start, communities, mace, split, drift, latent, class_prior,
ordinal, ordinal_variants, ordinal_synthetic (all when none given). Each takes seconds to a
minute; nothing reads the truth except to score. ordinal_synthetic runs the engine itself
(the `assess` example named by $ASSESS, and $ASSESS_BEFORE if set) on generated sets.
"""
import os
import sys

import numpy as np
import pandas as pd

DATA = os.environ.get("HUMINT_VALIDATION_DATA", "/work/shared/data/validation")
LABEL_SETS = ["zencrowd-all", "bluebird", "web", "cf", "dog", "face", "ms", "product",
              "rte", "sp"]


def load(name):
    c = pd.read_csv(f"{DATA}/{name}/claims.csv", dtype=str)
    t = pd.read_csv(f"{DATA}/{name}/truth.csv", dtype=str)
    vi = {v: i for i, v in enumerate(sorted(set(c.value)))}
    oi = {o: i for i, o in enumerate(sorted(set(c.object)))}
    si = {s: i for i, s in enumerate(sorted(set(c.source)))}
    S = np.array([si[x] for x in c.source])
    O = np.array([oi[x] for x in c.object])
    V = np.array([vi[x] for x in c.value])
    truth = np.full(len(oi), -1)
    for o, v in zip(t.object, t.value):
        if o in oi:
            truth[oi[o]] = vi.get(v, -2)
    return S, O, V, len(si), len(oi), len(vi), truth


def accuracy(post, truth):
    m = truth != -1
    return (post.argmax(1)[m] == truth[m]).mean()


def majority(S, O, V, no, k, w):
    p = np.zeros((no, k))
    np.add.at(p, (O, V), w)
    s = p.sum(1, keepdims=True)
    return np.where(s > 0, p / np.maximum(s, 1e-300), 1.0 / k)


def counts_of(S, O, V, ns, k, post, w):
    cnt = np.zeros((ns, k, post.shape[1]))  # source, observed, latent
    np.add.at(cnt, (S, V), w[:, None] * post[O])
    return cnt


def typical(cnt):
    tot = cnt.sum((1, 2))
    t = (cnt[tot > 0] / tot[tot > 0][:, None, None]).sum(0)
    return np.maximum(t / t.sum(0, keepdims=True), 1e-10)


def m_step(cnt, alpha, symmetric):
    ns, k, _ = cnt.shape
    if symmetric:
        right = cnt[:, np.arange(k), np.arange(k)].sum(1)
        a = np.clip((right + 2) / (cnt.sum((1, 2)) + 3), 1e-4, 1 - 1e-4)
        E = np.ones((ns, k, k)) * ((1 - a) / (k - 1))[:, None, None]
        E[:, np.arange(k), np.arange(k)] = a[:, None]
        return E
    E = cnt + alpha * typical(cnt)[None]
    return E / E.sum(1, keepdims=True)


def e_step(S, O, V, no, E, prior, w):
    lp = np.tile(np.log(np.maximum(prior, 1e-10)), (no, 1))
    np.add.at(lp, O, w[:, None] * np.log(E[S, V]))
    m = lp.max(1, keepdims=True)
    p = np.exp(lp - m)
    z = p.sum(1, keepdims=True)
    return p / z, float((np.log(z) + m).sum())


def fit(S, O, V, ns, no, k, alpha=2.0, symmetric=False, w=None, post=None,
        iters=100, tol=1e-3, lltol=1e-5, m_step_fn=None, class_prior_beta=0.0):
    """EM as the engine runs it; returns (posteriors, confusion, class prior, log-lik)."""
    w = np.ones(len(S)) if w is None else w
    post = majority(S, O, V, no, k, w) if post is None else post
    mfn = m_step_fn or (lambda cnt: m_step(cnt, alpha, symmetric))
    prior_of = lambda p: (p.sum(0) + class_prior_beta) / (no + k * class_prior_beta)  # noqa: E731
    prior, E = prior_of(post), mfn(counts_of(S, O, V, ns, k, post, w))
    last, ll = -np.inf, -np.inf
    for _ in range(iters):
        new, ll = e_step(S, O, V, no, E, prior, w)
        moved = np.abs(new - post).max()
        post = new
        prior, E = prior_of(post), mfn(counts_of(S, O, V, ns, k, post, w))
        if moved < tol or abs(ll - last) / len(S) < lltol:
            break
        last = ll
    return post, E, prior, ll


CANDIDATES = [("full-2", 2.0, False), ("full-8", 8.0, False), ("full-32", 32.0, False),
              ("one-coin", 2.0, True)]


def heldout(S, O, V, ns, no, k, folds=5, **kw):
    """Held-out log-probability of each claim, as auto.rs's cross-validation scores it."""
    fold = np.random.default_rng(3).integers(0, folds, len(S))
    out = np.zeros(len(S))
    for f in range(folds):
        post, E, _, _ = fit(S, O, V, ns, no, k, w=(fold != f).astype(float), tol=1e-2,
                            lltol=1e-4, **kw)
        h = fold == f
        out[h] = np.log(np.maximum((post[O[h]] * E[S[h], V[h]]).sum(1), 1e-300))
    return out


def probe_baseline():
    print("# the mirror: accuracy (log-likelihood per claim) of each candidate")
    for name in LABEL_SETS:
        S, O, V, ns, no, k, tr = load(name)
        cells = []
        for label, a, sym in CANDIDATES:
            p, _, _, ll = fit(S, O, V, ns, no, k, alpha=a, symmetric=sym)
            cells.append(f"{label} {accuracy(p, tr):.3f} ({ll / len(S):.4f})")
        print(f"{name:13s} " + "  ".join(cells))


def probe_starts():
    print("# EM to full convergence from majority vote, the one-coin posterior and 10 random "
          "starts (label swaps show as 1 - accuracy)")
    for name, a in [("zencrowd-all", 2.0), ("zencrowd-all", 8.0), ("web", 8.0),
                    ("bluebird", 2.0)]:
        S, O, V, ns, no, k, tr = load(name)
        oc = fit(S, O, V, ns, no, k, symmetric=True, tol=1e-7, lltol=0)[0]
        rng = np.random.default_rng(0)
        starts = [("mv", None), ("one-coin", oc)] + [
            (f"r{i}", rng.dirichlet(np.ones(k), no)) for i in range(10)]
        cells = []
        for label, st in starts:
            p, _, _, ll = fit(S, O, V, ns, no, k, alpha=a, post=st, tol=1e-8, lltol=0,
                              iters=500)
            cells.append(f"{label} {accuracy(p, tr):.3f}/{ll / len(S):.5f}")
        print(f"{name} strength {a:g}: " + "  ".join(cells))


def probe_oc_start():
    print("# the engine's stopping rule, started from majority vote against from the "
          "one-coin posterior")
    for name in LABEL_SETS:
        S, O, V, ns, no, k, tr = load(name)
        oc = fit(S, O, V, ns, no, k, symmetric=True)[0]
        cells = []
        for a in (2.0, 8.0, 32.0):
            p = fit(S, O, V, ns, no, k, alpha=a)[0]
            q = fit(S, O, V, ns, no, k, alpha=a, post=oc)[0]
            cells.append(f"{a:g}: {accuracy(p, tr):.3f} -> {accuracy(q, tr):.3f}")
        print(f"{name:13s} " + "  ".join(cells))


def community_m_step(alpha):
    """Rows shrunk towards a mixture of two community matrices (Venanzi et al. 2014)."""
    state = {}

    def step(cnt):
        tot = cnt.sum((1, 2))
        norm = np.zeros_like(cnt)
        norm[tot > 0] = cnt[tot > 0] / tot[tot > 0][:, None, None]
        if "r" not in state:
            pool = cnt.sum(0)
            C = np.stack([typical(cnt), pool / pool.sum(0, keepdims=True)])
        else:
            C = np.einsum("sm,sij->mij", state["r"], norm)
            C = C / np.maximum(C.sum(1, keepdims=True), 1e-300)
        C = np.maximum(C, 1e-10)
        pi = state.get("pi", np.ones(C.shape[0]) / C.shape[0])
        lr = np.log(pi)[None] + np.einsum("sij,mij->sm", cnt, np.log(C))
        r = np.exp(lr - lr.max(1, keepdims=True))
        r /= r.sum(1, keepdims=True)
        state["r"], state["pi"] = r, np.maximum(r.mean(0), 1e-6)
        E = cnt + alpha * np.einsum("sm,mij->sij", r, C)
        return E / E.sum(1, keepdims=True)

    return step


def probe_communities():
    print("# shrinkage towards one typical source against two communities")
    for name in LABEL_SETS:
        S, O, V, ns, no, k, tr = load(name)
        cells = []
        for a in (2.0, 8.0, 32.0):
            p = fit(S, O, V, ns, no, k, alpha=a)[0]
            q = fit(S, O, V, ns, no, k, m_step_fn=community_m_step(a))[0]
            cells.append(f"{a:g}: {accuracy(p, tr):.3f} -> {accuracy(q, tr):.3f}")
        print(f"{name:13s} " + "  ".join(cells))


def mace(S, O, V, ns, no, k, uniform_prior, iters=200):
    """MACE (Hovy et al. 2013) by maximum likelihood: truthful with probability theta,
    else a draw from the source's own spam distribution."""
    post, prior = majority(S, O, V, no, k, np.ones(len(S))), np.ones(k) / k
    th, xi = np.full(ns, 0.8), np.ones((ns, k)) / k
    ll = -np.inf
    for _ in range(iters):
        said = V[:, None] == np.arange(k)
        pv = th[S, None] * said + (1 - th[S, None]) * xi[S, V][:, None]
        truthful = (post[O] * th[S, None] * said / np.maximum(pv, 1e-300)).sum(1)
        th = np.clip((np.bincount(S, truthful, ns) + 1) / (np.bincount(S, minlength=ns) + 2),
                     1e-4, 1 - 1e-4)
        xc = np.zeros((ns, k))
        np.add.at(xc, (S, V), 1 - truthful)
        xi = (xc + 0.5) / (xc + 0.5).sum(1, keepdims=True)
        E = th[:, None, None] * np.eye(k)[None] + (1 - th)[:, None, None] * xi[:, :, None]
        if not uniform_prior:
            prior = post.mean(0)
        new, ll = e_step(S, O, V, no, E, prior, np.ones(len(S)))
        done = np.abs(new - post).max() < 1e-6
        post = new
        if done:
            break
    return post, ll


def probe_mace():
    print("# MACE by EM: fitted class prior / uniform class prior (accuracy, log-lik per "
          "claim)")
    for name in ["zencrowd-all", "bluebird", "web"]:
        S, O, V, ns, no, k, tr = load(name)
        cells = []
        for uniform in (False, True):
            p, ll = mace(S, O, V, ns, no, k, uniform)
            cells.append(f"{accuracy(p, tr):.3f} ({ll / len(S):.4f})")
        print(f"{name:13s} " + "  ".join(cells))


def probe_split():
    print("# reproducibility across disjoint halves of the sources: each candidate fitted "
          "on each half, share of objects (labelled by both) on which the halves agree, "
          "mean of 4 random splits")
    for name in LABEL_SETS:
        S, O, V, ns, no, k, tr = load(name)
        rng = np.random.default_rng(1)
        agree = {c[0]: [] for c in CANDIDATES}
        for _ in range(4):
            half = rng.integers(0, 2, ns)
            both = np.zeros((no, 2))
            np.add.at(both, (O, half[S]), 1)
            both = (both > 0).all(1)
            fits = [[fit(S, O, V, ns, no, k, alpha=a, symmetric=sym,
                         w=(half[S] == h).astype(float))[0] for (_, a, sym) in CANDIDATES]
                    for h in (0, 1)]
            for i, (label, _, _) in enumerate(CANDIDATES):
                agree[label].append((fits[0][i][both].argmax(1)
                                     == fits[1][i][both].argmax(1)).mean())
        cells = []
        for label, a, sym in CANDIDATES:
            p = fit(S, O, V, ns, no, k, alpha=a, symmetric=sym)[0]
            cells.append(f"{label} acc {accuracy(p, tr):.3f} agree {np.mean(agree[label]):.3f}")
        print(f"{name:13s} " + "  ".join(cells))


def probe_drift():
    print("# accuracy [total-variation distance of the fitted class prior from the labels' "
          "shares, from the majority vote's shares]")
    for name in LABEL_SETS:
        S, O, V, ns, no, k, tr = load(name)
        labels = np.bincount(V, minlength=k) / len(V)
        mv = np.bincount(majority(S, O, V, no, k, np.ones(len(S))).argmax(1), minlength=k) / no
        cells = []
        for label, a, sym in CANDIDATES:
            p, _, prior, _ = fit(S, O, V, ns, no, k, alpha=a, symmetric=sym)
            cells.append(f"{label} {accuracy(p, tr):.3f}"
                         f"[{0.5 * np.abs(prior - labels).sum():.3f},"
                         f"{0.5 * np.abs(prior - mv).sum():.3f}]")
        print(f"{name:13s} " + " ".join(cells))


def probe_latent():
    print("# binary sets with 3 latent classes (best of 5 random starts): what each latent "
          "class holds")
    for name in ["zencrowd-all", "bluebird"]:
        S, O, V, ns, no, k, tr = load(name)
        best = None
        for seed in range(5):
            post = np.random.default_rng(seed).dirichlet(np.ones(k + 1), no)
            for _ in range(300):
                cnt = counts_of(S, O, V, ns, k, post, np.ones(len(S)))
                E = cnt + 2.0 * typical(cnt)[None]
                E /= E.sum(1, keepdims=True)
                new, ll = e_step(S, O, V, no, E, post.mean(0), np.ones(len(S)))
                done = np.abs(new - post).max() < 1e-6
                post = new
                if done:
                    break
            if best is None or ll > best[1]:
                best = (post, ll)
        z = best[0].argmax(1)
        share = np.zeros(no)
        np.add.at(share, O, V == 1)
        share /= np.bincount(O)
        for c in range(k + 1):
            m = (z == c) & (tr >= 0)
            print(f"{name} latent {c}: {m.sum()} objects, gold {np.bincount(tr[m], minlength=k)}"
                  f", mean share of '1' labels {share[z == c].mean():.2f}")


def probe_class_prior():
    print("# class prior under a symmetric Dirichlet of beta pseudo-objects per class: "
          "accuracy, and held-out log-lik per claim against beta = 0 (mean ± s.e.)")
    for name in LABEL_SETS:
        S, O, V, ns, no, k, tr = load(name)
        cells = []
        for a in (2.0, 8.0):
            base = heldout(S, O, V, ns, no, k, alpha=a)
            for beta in (0.0, no / k / 10, no / k):
                p = fit(S, O, V, ns, no, k, alpha=a, class_prior_beta=beta)[0]
                d = heldout(S, O, V, ns, no, k, alpha=a, class_prior_beta=beta) - base
                cells.append(f"a{a:g} b{beta:.0f} {accuracy(p, tr):.3f} "
                             f"{d.mean():+.4f}±{d.std() / np.sqrt(len(d)):.4f}")
        print(f"{name:13s} " + "  ".join(cells))


# --- Graded labels: the ordinal pull (methods/ordinal.rs) and the variants rejected ----

def positions(name):
    """Each label's place on the scale, as ordinal::positions decides (None: no scale)."""
    names = sorted(set(pd.read_csv(f"{DATA}/{name}/claims.csv", dtype=str).value))
    try:
        ints = [int(x) for x in names]
    except ValueError:
        return None
    k, lo, span = len(ints), min(ints), max(ints) - min(ints)
    if not 3 <= k <= 16 or len(set(ints)) != k or span >= 2 * k:
        return None
    return np.array([x - lo for x in ints], dtype=float)


def ordinal_features(pos, kind):
    """Features of (said j, truth i) for the log-linear shapes: "engine" is the engine's
    (a preference per grade and -|j - i|); "bias_spread" a discretised Gaussian around
    truth + bias (d and -d^2); "offsets" a free weight per offset d = j - i."""
    k = len(pos)
    D = pos[:, None] - pos[None, :]
    fs = []
    if kind == "engine":
        fs.append(-np.abs(D))
        fs += [np.broadcast_to((np.arange(k) == j)[:, None], (k, k)).astype(float)
               for j in range(1, k)]
    elif kind == "bias_spread":
        fs += [D, -D * D]
    elif kind == "offsets":
        fs += [(D == d).astype(float) for d in np.unique(D) if d != 0]
    return np.stack(fs, -1)


def loglinear_fit(C, F, iters=40, ridge=1e-6):
    """Per source, the log-linear matrix P(j | i) ∝ exp(theta · F[j, i]) fitted to counts
    C[s, j, i] by Newton's method (to convergence; the engine takes one warm step per
    M-step instead, which lands on the same web figure)."""
    ns, k, _ = C.shape
    nf = F.shape[-1]
    M = C.sum(1)
    obs = np.einsum("sjt,jtf->sf", C, F)
    th = np.zeros((ns, nf))
    scale = ridge * C.sum((1, 2))[:, None]
    for _ in range(iters):
        lp = np.einsum("sf,jtf->sjt", th, F)
        P = np.exp(lp - lp.max(1, keepdims=True))
        P /= P.sum(1, keepdims=True)
        EF = np.einsum("sjt,jtf->stf", P, F)
        g = obs - np.einsum("st,stf->sf", M, EF) - scale * th
        cov = np.einsum("sjt,jtf,jtg->stfg", P, F, F) - EF[..., :, None] * EF[..., None, :]
        H = np.einsum("st,stfg->sfg", M, cov) + scale[:, :, None] * np.eye(nf)
        step = np.linalg.solve(H, g[..., None])[..., 0]
        th += step * np.minimum(1, 3 / np.maximum(np.abs(step).max(1, keepdims=True), 1e-12))
    lp = np.einsum("sf,jtf->sjt", th, F)
    P = np.exp(lp - lp.max(1, keepdims=True))
    return np.maximum(P / P.sum(1, keepdims=True), 1e-10)


def ordinal_m_step(pos, alpha, kind="engine", how="target"):
    """how: "target" (the engine: each source's rows shrunk towards its own ordinal fit
    to its counts plus alpha x the typical matrix); "direct" (the ordinal fit is the
    source's matrix); "shared" (rows shrunk towards the ordinal fit of the typical
    matrix, one for all sources)."""
    F = ordinal_features(pos, kind)

    def step(cnt):
        T = typical(cnt)
        if how == "shared":
            O = loglinear_fit(T[None], F)
        else:
            O = loglinear_fit(cnt + alpha * T[None], F)
            if how == "direct":
                return O
        E = cnt + alpha * O
        return E / E.sum(1, keepdims=True)

    return step


def race(per_fold):
    """auto.rs's choice over candidates scored fold by fold: the leader by total, a
    candidate dropped when the leader beats it by > 4 s.e. of the paired per-claim
    difference, a stop once one is left or the rest are within 0.01 nats with 2 s.e. to
    spare. Ties go to the earlier candidate."""
    alive, acc = list(range(len(per_fold[0]))), [[] for _ in per_fold[0]]
    for f, scores in enumerate(per_fold):
        for i in alive:
            acc[i].extend(scores[i])
        leader = alive[0]
        for i in alive[1:]:
            if sum(acc[i]) > sum(acc[leader]):
                leader = i
        if f + 1 == len(per_fold):
            return leader
        equivalent, keep = True, []
        for i in alive:
            if i != leader:
                d = np.array(acc[leader]) - np.array(acc[i])
                m, se = d.mean(), d.std(ddof=1) / np.sqrt(len(d))
                equivalent &= m + 2 * se < 0.01
                if m > 4 * se:
                    continue
            keep.append(i)
        alive = keep
        if len(alive) == 1 or equivalent:
            return leader


def choose(name, extra):
    """Accuracy and held-out log-likelihood of the default's candidates and of `extra`
    ones, and the race's choice without and with the extras."""
    S, O, V, ns, no, k, tr = load(name)
    cands = [(c[0], dict(alpha=c[1], symmetric=c[2])) for c in CANDIDATES] + extra
    fold = np.random.default_rng(3).integers(0, 5, len(S))
    per_fold = [[None] * len(cands) for _ in range(5)]
    rows = []
    for ci, (label, kw) in enumerate(cands):
        acc = accuracy(fit(S, O, V, ns, no, k, **kw)[0], tr)
        for f in range(5):
            post, E, _, _ = fit(S, O, V, ns, no, k, w=(fold != f).astype(float), tol=1e-2,
                                lltol=1e-4, **kw)
            h = fold == f
            per_fold[f][ci] = np.log(np.maximum((post[O[h]] * E[S[h], V[h]]).sum(1), 1e-300))
        rows.append((label, acc, np.concatenate([pf[ci] for pf in per_fold]).mean()))
    before = race([pf[:len(CANDIDATES)] for pf in per_fold])
    after = race(per_fold)
    return rows, before, after


def probe_ordinal():
    print("# the engine's ordinal pull (each source's rows shrunk towards its own fit of a "
          "preference per grade and a chance falling with |said - truth|) as extra "
          "candidates: accuracy (held-out log-lik per claim), and the choice before -> after")
    for name in LABEL_SETS:
        pos = positions(name)
        extra = [] if pos is None else [
            (f"ordinal-{a:g}", dict(m_step_fn=ordinal_m_step(pos, a))) for a in (2.0, 8.0, 32.0)]
        rows, before, after = choose(name, extra)
        cells = "  ".join(f"{label} {acc:.3f} ({ho:+.4f})" for label, acc, ho in rows)
        print(f"{name:13s} {rows[before][0]} {rows[before][1]:.3f} -> {rows[after][0]} "
              f"{rows[after][1]:.3f}   {cells}")


def probe_ordinal_variants():
    print("# ordinal shapes tried and rejected (graded and integer label sets, k >= 3): "
          "accuracy (held-out log-lik per claim)")
    variants = [("offsets", "offsets", "direct"), ("bias-spread", "bias_spread", "direct"),
                ("engine-direct", "engine", "direct"), ("shared-target", "engine", "shared"),
                ("offsets-target", "offsets", "target")]
    for name in ["web", "cf", "dog", "face", "ms"]:
        pos = positions(name)
        extra = [(f"{label}-{a:g}", dict(m_step_fn=ordinal_m_step(pos, a, kind, how)))
                 for label, kind, how in variants for a in (2.0, 8.0, 32.0)]
        rows, _, _ = choose(name, extra)
        print(f"{name:13s} " + "  ".join(f"{label} {acc:.3f} ({ho:+.4f})"
                                         for label, acc, ho in rows))


def graded_set(path, seed, n_src, items, per, acc, near, fav, zipf, k=5):
    """Graded labels 1..k in the spirit of web: rater quality ~ N(acc, 0.1); a wrong label
    goes to a neighbour (share `near` of errors), the rater's favourite grade (`fav`) or
    anywhere; raters drawn uniformly or by a Zipf law (a few prolific, many occasional)."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(1, k + 1, items)
    favs = rng.integers(1, k + 1, n_src)
    w = 1.0 / np.arange(1, n_src + 1) ** (1.0 if zipf else 0.0)
    w /= w.sum()
    qual = np.clip(rng.normal(acc, 0.1, n_src), 0.05, 0.95)
    os.makedirs(path, exist_ok=True)
    with open(f"{path}/claims.csv", "w") as f:
        f.write("source,object,value\n")
        for i in range(items):
            for s in rng.choice(n_src, per, replace=False, p=w):
                u, t = rng.random(), truth[i]
                if u < qual[s]:
                    v = t
                elif u < qual[s] + near * (1 - qual[s]):
                    v = int(np.clip(t + rng.choice([-1, 1]), 1, k))
                elif u < qual[s] + (near + fav) * (1 - qual[s]):
                    v = favs[s]
                else:
                    v = rng.integers(1, k + 1)
                f.write(f"s{s},i{i},{v}\n")
    with open(f"{path}/truth.csv", "w") as f:
        f.write("object,value\n")
        for i in range(items):
            f.write(f"i{i},{truth[i]}\n")


def probe_ordinal_synthetic():
    import re
    import subprocess
    import tempfile
    print("# the engine's default on 16 generated graded sets (raters, items, labels an item, "
          "mean quality, share of errors to a neighbour / to the favourite grade, Zipf)")
    runs = [("before", os.environ.get("ASSESS_BEFORE")), ("after", os.environ.get("ASSESS"))]
    runs = [(n, b) for n, b in runs if b]
    if not runs:
        print("set ASSESS (and ASSESS_BEFORE) to the assess example")
        return
    scenarios = [(60, 1500, 5, 0.45, 0.6, 0.3, False), (200, 1500, 5, 0.5, 0.6, 0.3, True),
                 (400, 2000, 5, 0.55, 0.7, 0.2, True), (30, 1000, 3, 0.6, 0.8, 0.1, False),
                 (100, 2000, 7, 0.4, 0.5, 0.4, True), (100, 1000, 4, 0.5, 0.0, 0.5, False),
                 (100, 1000, 4, 0.6, 0.0, 0.0, False), (50, 1500, 5, 0.35, 0.9, 0.0, False)]
    with tempfile.TemporaryDirectory() as tmp:
        for i, sc in enumerate(scenarios):
            for seed in (1, 2):
                path = f"{tmp}/s{i}-{seed}"
                graded_set(path, seed, *sc)
                cells = []
                for label, binary in runs:
                    out = subprocess.run([binary, "--claims", f"{path}/claims.csv", "--truth",
                                          f"{path}/truth.csv"], capture_output=True, text=True)
                    text = out.stdout + out.stderr
                    acc = re.search(r"accuracy ([0-9.]+)", text).group(1)
                    model = re.search(r"method auto:([a-z-]+)", text).group(1)
                    cells.append(f"{label} {acc} {model}")
                print(f"{sc} seed {seed}: " + "  ".join(cells))


PROBES = {n[len("probe_"):]: f for n, f in globals().items() if n.startswith("probe_")}

if __name__ == "__main__":
    for probe in sys.argv[1:] or list(PROBES):
        PROBES[probe]()
        print()
