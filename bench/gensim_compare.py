#!/usr/bin/python3
"""Skip-gram throughput and quality: cobuy's SGNS trainer against gensim's Word2Vec.

Run with Debian's python (it has python3-gensim 4.2 and numpy), from the project root:

    /usr/bin/python3 bench/gensim_compare.py --driver build-sgns/bench/cobuy_sgns_bench

Both trainers see the same baskets: Online Retail invoices before 2011-09-01, cleaned roughly as
the online-retail preset does (no C-invoices, quantity > 0, price > 0, no non-product codes), one
basket of distinct stock codes per invoice, written to a file one basket per line. gensim runs
Word2Vec(sg=1, hs=0, shrink_windows=False, window=longest basket) so every ordered pair of a
basket is a (centre, context) pair, as cobuy's window=0; cobuy runs with long_basket=0 so it does
the same work (--long-basket changes that).

Throughput is skip-gram pairs per second of training wall time. cobuy reports the pairs it
trained; for gensim the pairs are computed from its own subsampling probabilities as the
expectation sum over baskets of (sum p)^2 - sum p^2 per epoch (exact when subsample = 0).

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
           "--threads", str(threads), "--window", "0", "--long-basket", str(args.long_basket),
           "--min-count", "1", "--seed", str(args.seed)]
    for flag, key in (("--epochs", "epochs"), ("--subsample", "subsample"), ("--ns-exponent", "ns_exponent"),
                      ("--lr", "lr"), ("--min-lr", "min_lr")):
        cmd += [flag, repr(params[key])]
    if vectors_path:
        cmd += ["--out-vectors", vectors_path]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1]), cmd


def gensim_pairs(model, baskets):
    """Expected (centre, context) pairs per epoch under gensim's own subsampling."""
    wv = model.wv
    keep = {w: min(1.0, wv.get_vecattr(w, "sample_int") / 2.0**32) for w in wv.index_to_key}
    total = 0.0
    for b in baskets:
        p = [keep[i] for i in b if i in keep]
        s = sum(p)
        total += s * s - sum(x * x for x in p)
    return total


def run_gensim(args, baskets, baskets_path, threads, params, corpus_file):
    from gensim.models import Word2Vec
    window = max(len(b) for b in baskets)
    model = Word2Vec(vector_size=args.dim, sg=1, hs=0, negative=args.negatives, window=window,
                     min_count=1, sample=params["subsample"], ns_exponent=params["ns_exponent"],
                     alpha=params["lr"], min_alpha=params["min_lr"], workers=threads, seed=args.seed,
                     shrink_windows=False, epochs=params["epochs"])
    if corpus_file:
        model.build_vocab(corpus_file=baskets_path)
        start = time.perf_counter()
        model.train(corpus_file=baskets_path, total_examples=model.corpus_count,
                    total_words=model.corpus_total_words, epochs=params["epochs"])
    else:
        model.build_vocab(corpus_iterable=baskets)
        start = time.perf_counter()
        model.train(corpus_iterable=baskets, total_examples=model.corpus_count, epochs=params["epochs"])
    seconds = time.perf_counter() - start
    pairs = gensim_pairs(model, baskets) * params["epochs"]
    vectors = (list(model.wv.index_to_key), model.wv.vectors, model.syn1neg)
    return {"pairs": pairs, "seconds": seconds, "pairs_per_second": pairs / seconds}, vectors


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
    p.add_argument("--long-basket", type=int, default=0, help="cobuy's long_basket (0 = whole basket, as gensim)")
    p.add_argument("--repeats", type=int, default=1, help="timed runs per row; the fastest is reported")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--gensim-modes", default="iterable,corpus_file")
    p.add_argument("--skip-gensim", action="store_true")
    p.add_argument("--sweep", action="store_true", help="also sweep cobuy's hyperparameters by NDCG@10")
    p.add_argument("--sweep-threads", type=int, default=2)
    args = p.parse_args()

    t0 = time.perf_counter()
    train, test = load_baskets(args.orders, args.split)
    queries = make_queries(train, test, args.seed)
    print(f"data: {len(train)} train baskets, {len(test)} test baskets, {len(queries)} queries, "
          f"longest basket {max(len(b) for b in train)}, raw pairs/epoch {sum(len(b) * (len(b) - 1) for b in train)} "
          f"(loaded in {time.perf_counter() - t0:.1f} s)", file=sys.stderr)
    base = {"epochs": args.epochs, "subsample": args.subsample, "ns_exponent": args.ns_exponent,
            "lr": args.lr, "min_lr": args.min_lr}

    with tempfile.TemporaryDirectory() as tmp:
        baskets_path = os.path.join(tmp, "baskets.txt")
        vectors_path = os.path.join(tmp, "vectors.txt")
        write_baskets(train, baskets_path)
        rows = []
        for threads in [int(t) for t in args.threads.split(",")]:
            best = None
            for _ in range(args.repeats):
                stats, cmd = run_cobuy(args, baskets_path, threads, base, vectors_path)
                if best is None or stats["seconds"] < best["seconds"]:
                    best = stats
                    ndcg, hr = ndcg_at_10(read_cobuy_vectors(vectors_path), queries)
            print(f"cobuy threads={threads}: {best} ndcg@10={ndcg:.4f}", file=sys.stderr)
            print("  " + " ".join(cmd), file=sys.stderr)
            rows.append(("cobuy", threads, best, ndcg, hr))
            if args.skip_gensim:
                continue
            for mode in args.gensim_modes.split(","):
                best = None
                for _ in range(args.repeats):
                    stats, vectors = run_gensim(args, train, baskets_path, threads, base, mode == "corpus_file")
                    if best is None or stats["seconds"] < best["seconds"]:
                        best = stats
                        ndcg, hr = ndcg_at_10(vectors, queries)
                print(f"gensim ({mode}) threads={threads}: {best} ndcg@10={ndcg:.4f}", file=sys.stderr)
                rows.append((f"gensim {gensim_version()} ({mode})", threads, best, ndcg, hr))

        print(f"\nOnline Retail before {args.split}: {len(train)} baskets; {len(queries)} test queries; "
              f"dim={args.dim} epochs={args.epochs} negatives={args.negatives} subsample={args.subsample} "
              f"ns_exponent={args.ns_exponent} lr={args.lr}->{args.min_lr}\n")
        print("| trainer | threads | pairs/s | wall s | cobuy/gensim pairs/s | NDCG@10 | HR@10 |")
        print("|---|---|---|---|---|---|---|")
        for name, threads, stats, ndcg, hr in rows:
            rivals = [r[2]["pairs_per_second"] for r in rows if r[0].startswith("gensim") and r[1] == threads]
            cobuy = [r[2]["pairs_per_second"] for r in rows if r[0] == "cobuy" and r[1] == threads]
            ratio = f"{cobuy[0] / max(rivals):.2f}x (vs fastest gensim)" if name == "cobuy" and rivals else ""
            if name != "cobuy" and cobuy:
                ratio = f"{cobuy[0] / stats['pairs_per_second']:.2f}x"
            print(f"| {name} | {threads} | {stats['pairs_per_second'] / 1e6:.2f} M | {stats['seconds']:.2f} | "
                  f"{ratio} | {ndcg:.4f} | {hr:.4f} |")

        if args.sweep:
            sweep(args, baskets_path, queries, base)


def gensim_version():
    import gensim
    return gensim.__version__


def sweep(args, baskets_path, queries, base):
    grid = {"ns_exponent": [0.75, 0.5, -0.5], "subsample": [1e-3, 1e-4, 0.0], "epochs": [5, 10, 20],
            "lr": [0.025, 0.05]}
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        vectors_path = os.path.join(tmp, "vectors.txt")
        for values in itertools.product(*grid.values()):
            params = dict(base, **dict(zip(grid.keys(), values)))
            stats, _ = run_cobuy(args, baskets_path, args.sweep_threads, params, vectors_path)
            ndcg, hr = ndcg_at_10(read_cobuy_vectors(vectors_path), queries)
            results.append((ndcg, hr, params, stats["seconds"]))
            print(f"sweep {params} ndcg@10={ndcg:.4f} hr@10={hr:.4f} {stats['seconds']:.1f} s",
                  file=sys.stderr, flush=True)
    results.sort(key=lambda r: -r[0])
    print("\ncobuy hyperparameter sweep (NDCG@10, best first):\n")
    print("| ns_exponent | subsample | epochs | lr | NDCG@10 | HR@10 | train s |")
    print("|---|---|---|---|---|---|---|")
    for ndcg, hr, params, seconds in results:
        print(f"| {params['ns_exponent']} | {params['subsample']:g} | {params['epochs']} | {params['lr']} | "
              f"{ndcg:.4f} | {hr:.4f} | {seconds:.1f} |")


if __name__ == "__main__":
    main()
