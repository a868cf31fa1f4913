#!/usr/bin/python3
"""Skip-gram throughput and quality: cobuy's SGNS trainer against gensim's Word2Vec.

Run with Debian's python (it has python3-gensim 4.2 and numpy), from the project root:

    /usr/bin/python3 bench/gensim_compare.py --driver build-sgns/bench/cobuy_sgns_bench

Both trainers see the same baskets: Online Retail invoices before 2011-09-01, cleaned roughly as
the online-retail preset does (no C-invoices, quantity > 0, price > 0, no non-product codes), one
basket of distinct stock codes per invoice, written to a file one basket per line, with the same
hyperparameters (dim, epochs, negatives, subsample, ns_exponent, learning rates, threads).
Setups (--setups; default window):
  window: the throughput comparison at equal work. Both trainers pair every kept item with the
          kept items within +-W positions (--window, default 10), clipped at the basket's ends:
          cobuy window=W (in a fresh shuffle of the basket each epoch) against gensim
          Word2Vec(sg=1, hs=0, window=W, shrink_windows=False) (in file order). Both subsample
          with word2vec's formula on the same counts, so they train the same number of pairs per
          epoch in expectation; the table shows both counts and their ratio.
  capped: cobuy's default max_contexts=20 (a centre in a long basket sees 20 random others)
          beside gensim with window=10. Not equal work: cobuy trains about 12% more pairs.
  whole:  every ordered pair of every basket: cobuy window=0, max_contexts=0 against gensim
          window=longest basket. Equal work, but bulk orders of 700 items dominate it.

Throughput is skip-gram pairs per second of training wall time (CPU seconds are shown too, as
the machine may be shared). cobuy reports the pairs it trained (and the script prints its
expectation beside it); gensim's pairs are the exact expectation under gensim's own subsampling
probabilities: the kept count K of a basket is Poisson-binomial, and a basket contributes
E[pairs(K)], pairs(k) = k(k-1) when k - 1 <= W, else 2 (W(W+1)/2 + (k-1-W) W).

Quality is basket completion on the later invoices (2011-09-01 on) whose items all appear in
training and that have >= 2 distinct items: one item per order is hidden (seeded RNG), every
training item not in the rest of the basket is scored by sum over the basket's items a of
input[a] . output[c], and NDCG@10 = 1/log2(rank + 1) when rank <= 10.

--sweep additionally trains cobuy over a grid of hyperparameters and ranks them by NDCG@10.
"""
import argparse
import csv
import gzip
import itertools
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time

import numpy as np

NON_PRODUCT = {"POST", "DOT", "M", "m", "C2", "D", "S", "B", "CRUK", "PADS", "AMAZONFEE", "BANK CHARGES"}
NON_PRODUCT_PREFIXES = ("DCGS", "gift_0001_")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def default_orders():
    shared = os.path.join(ROOT, "..", "shared", "datasets", "online-retail", "online_retail.csv.gz")
    return shared if os.path.exists(shared) else os.path.join(ROOT, "datasets", "online_retail.csv.gz")


def load_baskets(path, split_date):
    """(train baskets, test baskets): lists of lists of distinct stock codes, in file order."""
    invoices = {}  # invoice -> (date, [codes])
    with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        col = {name: i for i, name in enumerate(header)}
        for row in reader:
            if len(row) != len(header):
                continue
            inv = row[col["InvoiceNo"]].strip()
            code = row[col["StockCode"]].strip()
            try:
                qty = float(row[col["Quantity"]])
                price = float(row[col["UnitPrice"]])
            except ValueError:
                continue
            if inv.startswith("C") or code in NON_PRODUCT or code.startswith(NON_PRODUCT_PREFIXES):
                continue
            if qty <= 0 or price <= 0:
                continue
            entry = invoices.get(inv)
            if entry is None:
                entry = invoices[inv] = (row[col["InvoiceDate"]], [], set())
            if code not in entry[2]:
                entry[2].add(code)
                entry[1].append(code)
    train, test = [], []
    for date, codes, _ in invoices.values():
        (train if date < split_date else test).append(codes)
    return train, test


def write_baskets(baskets, path):
    with open(path, "w") as f:
        for b in baskets:
            f.write(" ".join(b) + "\n")


def make_queries(train, test, seed):
    """[(remaining items, hidden item)] for test orders fully covered by training items."""
    known = {i for b in train for i in b}
    rng = random.Random(seed)
    queries = []
    for b in test:
        if len(b) < 2 or any(i not in known for i in b):
            continue
        hidden = rng.randrange(len(b))
        queries.append(([i for k, i in enumerate(b) if k != hidden], b[hidden]))
    return queries


def ndcg_at_10(vectors, queries):
    """vectors: (ids, input matrix, output matrix). Mean NDCG@10 and HR@10 over the queries."""
    ids, inp, out = vectors
    index = {w: k for k, w in enumerate(ids)}
    ndcg = hits = 0.0
    for start in range(0, len(queries), 1024):
        chunk = queries[start:start + 1024]
        q = np.zeros((len(chunk), inp.shape[1]), dtype=np.float64)
        for r, (items, _) in enumerate(chunk):
            q[r] = inp[[index[i] for i in items]].sum(axis=0)
        scores = q @ out.T.astype(np.float64)
        for r, (items, hidden) in enumerate(chunk):
            s = scores[r]
            target = s[index[hidden]]
            s[[index[i] for i in items]] = -np.inf
            rank = 1 + int(np.count_nonzero(s > target))
            if rank <= 10:
                hits += 1
                ndcg += 1.0 / math.log2(rank + 1)
    return ndcg / len(queries), hits / len(queries)


def read_cobuy_vectors(path):
    with open(path) as f:
        n, dim = map(int, f.readline().split())
        ids = []
        data = np.empty((n, 2 * dim), dtype=np.float32)
        for k, line in enumerate(f):
            parts = line.split()
            ids.append(parts[0])
            data[k] = np.array(parts[1:], dtype=np.float32)
    return ids, data[:, :dim], data[:, dim:]


def run_cobuy(args, baskets_path, threads, params, vectors_path=None):
    cmd = [args.driver, "--baskets", baskets_path, "--dim", str(args.dim), "--negatives", str(args.negatives),
           "--threads", str(threads), "--min-count", "1", "--seed", str(args.seed)]
    for flag, key in (("--epochs", "epochs"), ("--subsample", "subsample"), ("--ns-exponent", "ns_exponent"),
                      ("--lr", "lr"), ("--min-lr", "min_lr"), ("--max-contexts", "max_contexts"),
                      ("--window", "window")):
        cmd += [flag, str(params[key])]
    if vectors_path:
        cmd += ["--out-vectors", vectors_path]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1]), cmd


def window_pairs(k, window):
    """(centre, context) pairs in a sentence of k kept items with a fixed window of +-window
    (clipped at the ends); k may be an array."""
    k = np.asarray(k, dtype=np.float64)
    w = float(window)
    full = k * (k - 1)
    clipped = 2.0 * (w * (w + 1) / 2 + (k - 1 - w) * w)
    return np.where(k - 1 <= w, full, clipped)


def expected_pairs(keep_probabilities, baskets, window):
    """Expected (centre, context) pairs per epoch when each occurrence of item i is kept with
    probability keep_probabilities[i] and every kept item pairs with the kept items within
    +-window positions (exact: the kept count of a basket is Poisson-binomial)."""
    total = 0.0
    for b in baskets:
        p = np.array([keep_probabilities[i] for i in b], dtype=np.float64)
        if window >= len(b) - 1:  # every pair: E[K(K-1)] = (sum p)^2 - sum p^2
            s = p.sum()
            total += s * s - (p * p).sum()
            continue
        dist = np.zeros(len(p) + 1)  # distribution of the kept count
        dist[0] = 1.0
        for n, x in enumerate(p, start=1):
            dist[1:n + 1] = dist[1:n + 1] * (1 - x) + dist[:n] * x
            dist[0] *= 1 - x
        total += float(dist @ window_pairs(np.arange(len(p) + 1), window))
    return total


def cobuy_expected_pairs(baskets, params):
    """Expected pairs per epoch of cobuy's window and whole-basket modes from its subsampling rule
    (word2vec's formula on basket counts, as gensim's); None for max_contexts caps."""
    counts = {}
    for b in baskets:
        for i in b:
            counts[i] = counts.get(i, 0) + 1
    threshold = params["subsample"] * sum(counts.values())
    keep = {i: 1.0 if threshold == 0 else min(1.0, (math.sqrt(c / threshold) + 1) * threshold / c)
            for i, c in counts.items()}
    if params["window"]:
        return expected_pairs(keep, baskets, params["window"])
    if params["max_contexts"] == 0:
        return expected_pairs(keep, baskets, max(len(b) for b in baskets))
    return float("nan")


def gensim_pairs(model, baskets, window):
    """(centre, context) pairs per epoch under gensim's own subsampling probabilities."""
    wv = model.wv
    keep = {w: min(1.0, wv.get_vecattr(w, "sample_int") / 2.0**32) for w in wv.index_to_key}
    return expected_pairs(keep, baskets, window)


def run_gensim(args, baskets, baskets_path, threads, params, window, corpus_file):
    from gensim.models import Word2Vec
    model = Word2Vec(vector_size=args.dim, sg=1, hs=0, negative=args.negatives, window=window,
                     min_count=1, sample=params["subsample"], ns_exponent=params["ns_exponent"],
                     alpha=params["lr"], min_alpha=params["min_lr"], workers=threads, seed=args.seed,
                     shrink_windows=False, epochs=params["epochs"])
    cpu = time.process_time()
    if corpus_file:
        model.build_vocab(corpus_file=baskets_path)
        cpu, start = time.process_time(), time.perf_counter()
        model.train(corpus_file=baskets_path, total_examples=model.corpus_count,
                    total_words=model.corpus_total_words, epochs=params["epochs"])
    else:
        model.build_vocab(corpus_iterable=baskets)
        cpu, start = time.process_time(), time.perf_counter()
        model.train(corpus_iterable=baskets, total_examples=model.corpus_count, epochs=params["epochs"])
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu
    pairs = gensim_pairs(model, baskets, window) * params["epochs"]
    vectors = (list(model.wv.index_to_key), model.wv.vectors, model.syn1neg)
    return {"pairs": pairs, "seconds": seconds, "cpu_seconds": cpu_seconds,
            "pairs_per_second": pairs / seconds}, vectors


def best_of(repeats, run):
    """Runs `run` (-> (stats, vectors-or-loader)) `repeats` times; the fastest run and its vectors."""
    best = None
    for _ in range(repeats):
        stats, vectors = run()
        if best is None or stats["seconds"] < best[0]["seconds"]:
            best = (stats, vectors() if callable(vectors) else vectors)
    return best


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--orders", default=default_orders())
    p.add_argument("--driver", default=os.path.join(ROOT, "build-sgns", "bench", "cobuy_sgns_bench"))
    p.add_argument("--split", default="2011-09-01")
    p.add_argument("--dim", type=int, default=64)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--negatives", type=int, default=5)
    p.add_argument("--subsample", type=float, default=1e-3)
    p.add_argument("--ns-exponent", type=float, default=0.75)
    p.add_argument("--lr", type=float, default=0.025)
    p.add_argument("--min-lr", type=float, default=0.0001)
    p.add_argument("--threads", default="2", help="comma-separated thread counts, e.g. 1,2")
    p.add_argument("--setups", default="window",
                   help="window: +-window items around each kept item, both trainers (the same pairs per "
                        "epoch); capped: cobuy's default max_contexts=20 beside gensim window=10; whole: every "
                        "pair of every basket (cobuy max_contexts=0, gensim window=longest basket)")
    p.add_argument("--window", type=int, default=10, help="the window of the window setup")
    p.add_argument("--repeats", type=int, default=1, help="timed runs per row; the fastest is reported")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--gensim-modes", default="corpus_file",
                   help="comma-separated: corpus_file (gensim's fastest path), iterable (lists in memory)")
    p.add_argument("--skip-gensim", action="store_true")
    p.add_argument("--sweep", action="store_true", help="also sweep cobuy's hyperparameters by NDCG@10")
    p.add_argument("--sweep-threads", type=int, default=2)
    args = p.parse_args()

    t0 = time.perf_counter()
    train, test = load_baskets(args.orders, args.split)
    queries = make_queries(train, test, args.seed)
    longest = max(len(b) for b in train)
    print(f"data: {len(train)} train baskets, {len(test)} test baskets, {len(queries)} queries, "
          f"longest basket {longest}, raw pairs/epoch {sum(len(b) * (len(b) - 1) for b in train)} "
          f"(loaded in {time.perf_counter() - t0:.1f} s)", file=sys.stderr)
    base = {"epochs": args.epochs, "subsample": args.subsample, "ns_exponent": args.ns_exponent,
            "lr": args.lr, "min_lr": args.min_lr, "max_contexts": 20, "window": 0}
    # name -> (cobuy's parameters, gensim's window)
    setups = {"window": ({"window": args.window}, args.window),
              "capped": ({"max_contexts": 20}, 10),
              "whole": ({"max_contexts": 0}, longest)}

    with tempfile.TemporaryDirectory() as tmp:
        baskets_path = os.path.join(tmp, "baskets.txt")
        vectors_path = os.path.join(tmp, "vectors.txt")
        write_baskets(train, baskets_path)
        rows = []
        for setup in args.setups.split(","):
            overrides, window = setups[setup]
            params = dict(base, **overrides)
            cobuy_name = (f"cobuy (window={params['window']})" if params["window"]
                          else f"cobuy (max_contexts={params['max_contexts']})")
            for threads in [int(t) for t in args.threads.split(",")]:
                def cobuy_run():
                    stats, cmd = run_cobuy(args, baskets_path, threads, params, vectors_path)
                    print("  " + " ".join(cmd), file=sys.stderr)
                    return stats, lambda: ndcg_at_10(read_cobuy_vectors(vectors_path), queries)
                stats, (ndcg, hr) = best_of(args.repeats, cobuy_run)
                print(f"{setup} cobuy threads={threads}: {stats} ndcg@10={ndcg:.4f}", file=sys.stderr, flush=True)
                stats["pairs_per_epoch"] = stats["pairs"] / params["epochs"]
                print(f"{setup} cobuy pairs/epoch: {stats['pairs_per_epoch']:.0f} trained, "
                      f"{cobuy_expected_pairs(train, params):.0f} expected", file=sys.stderr, flush=True)
                rows.append((setup, cobuy_name, threads, stats, ndcg, hr))
                if args.skip_gensim:
                    continue
                for mode in args.gensim_modes.split(","):
                    def gensim_run():
                        stats, vectors = run_gensim(args, train, baskets_path, threads, params, window,
                                                    mode == "corpus_file")
                        return stats, lambda: ndcg_at_10(vectors, queries)
                    stats, (ndcg, hr) = best_of(args.repeats, gensim_run)
                    stats["pairs_per_epoch"] = stats["pairs"] / params["epochs"]
                    print(f"{setup} gensim ({mode}) threads={threads}: {stats} ndcg@10={ndcg:.4f}",
                          file=sys.stderr, flush=True)
                    rows.append((setup, f"gensim {gensim_version()} {mode} (window={window})", threads, stats,
                                 ndcg, hr))

        print(f"\nOnline Retail invoices before {args.split}: {len(train)} baskets (longest {longest}); "
              f"{len(queries)} test queries; dim={args.dim} epochs={args.epochs} negatives={args.negatives} "
              f"subsample={args.subsample} ns_exponent={args.ns_exponent} lr={args.lr}->{args.min_lr}\n")
        print("| setup | trainer | threads | pairs/epoch | cobuy/gensim pairs/epoch | pairs/s | wall s | CPU s | "
              "cobuy/gensim pairs/s | NDCG@10 | HR@10 |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        for setup, name, threads, stats, ndcg, hr in rows:
            same = [r for r in rows if r[0] == setup and r[2] == threads]
            cobuy = [r[3] for r in same if r[1].startswith("cobuy")]
            ratio = work = ""
            if name.startswith("gensim") and cobuy:
                ratio = f"**{cobuy[0]['pairs_per_second'] / stats['pairs_per_second']:.2f}x**"
                work = f"{cobuy[0]['pairs_per_epoch'] / stats['pairs_per_epoch']:.3f}"
            print(f"| {setup} | {name} | {threads} | {stats['pairs_per_epoch'] / 1e6:.3f} M | {work} | "
                  f"{stats['pairs_per_second'] / 1e6:.2f} M | "
                  f"{stats['seconds']:.1f} | {stats['cpu_seconds']:.1f} | {ratio} | {ndcg:.4f} | {hr:.4f} |")

    if args.sweep:
        with tempfile.TemporaryDirectory() as tmp:
            baskets_path = os.path.join(tmp, "baskets.txt")
            write_baskets(train, baskets_path)
            sweep(args, baskets_path, queries, base)


def gensim_version():
    import gensim
    return gensim.__version__


def sweep(args, baskets_path, queries, base):
    """The grid of the brief at the default max_contexts, then max_contexts alone."""
    grid = {"ns_exponent": [0.75, 0.5, -0.5], "subsample": [1e-3, 1e-4, 0.0], "epochs": [5, 10, 20],
            "lr": [0.025, 0.05]}
    settings = [dict(base, **dict(zip(grid.keys(), values))) for values in itertools.product(*grid.values())]
    settings += [dict(base, max_contexts=m) for m in (10, 50, 100)]
    results = []
    vectors_path = os.path.join(os.path.dirname(baskets_path), "vectors.txt")
    for params in settings:
        stats, _ = run_cobuy(args, baskets_path, args.sweep_threads, params, vectors_path)
        ndcg, hr = ndcg_at_10(read_cobuy_vectors(vectors_path), queries)
        results.append((ndcg, hr, params, stats["seconds"]))
        print(f"sweep {params} ndcg@10={ndcg:.4f} hr@10={hr:.4f} {stats['seconds']:.1f} s",
              file=sys.stderr, flush=True)
    results.sort(key=lambda r: -r[0])
    print(f"\ncobuy hyperparameter sweep, {args.sweep_threads} threads, dim={args.dim} negatives={args.negatives} "
          f"min_lr={args.min_lr} seed={args.seed} (NDCG@10, best first):\n")
    print("| ns_exponent | subsample | epochs | lr | max_contexts | NDCG@10 | HR@10 | train s |")
    print("|---|---|---|---|---|---|---|---|")
    for ndcg, hr, params, seconds in results:
        print(f"| {params['ns_exponent']} | {params['subsample']:g} | {params['epochs']} | {params['lr']} | "
              f"{params['max_contexts']} | {ndcg:.4f} | {hr:.4f} | {seconds:.1f} |")


if __name__ == "__main__":
    main()
