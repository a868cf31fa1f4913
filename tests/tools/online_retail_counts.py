#!/usr/bin/env python3
"""Independent count of what cobuy's online-retail cleaning keeps, for tests/core/ingest_test.cpp.

Same rules, written separately with the standard library only: a row is malformed if it has the
wrong number of fields or an unparsable number/date; then, in this order, cancellation (InvoiceNo
starts with C), non-product code, quantity <= 0, price <= 0, exact duplicate of an earlier row of
the same invoice. Usage: online_retail_counts.py ../shared/datasets/online-retail/online_retail.csv.gz
"""
import csv, gzip, sys
from collections import Counter

NON_PRODUCT = {"POST", "DOT", "M", "m", "C2", "D", "S", "B", "CRUK", "PADS", "AMAZONFEE", "BANK CHARGES"}
PREFIXES = ("DCGS", "gift_0001_")

def main(path):
    dropped = Counter()
    rows = kept = no_customer = 0
    seen = set()
    orders, items, customers = set(), set(), set()
    with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        for row in reader:
            if not row:
                continue
            rows += 1
            if len(row) != len(header):
                dropped["malformed"] += 1
                continue
            inv, code, desc, qty, date, price, cust, country = (x.strip() if i in (0, 1, 6) else x for i, x in enumerate(row))
            try:
                q = float(qty); p = float(price)
            except ValueError:
                dropped["malformed"] += 1
                continue
            if inv.startswith("C"):
                dropped["cancellation"] += 1
            elif code in NON_PRODUCT or code.startswith(PREFIXES):
                dropped["non_product_code"] += 1
            elif q <= 0:
                dropped["non_positive_quantity"] += 1
            elif p <= 0:
                dropped["non_positive_price"] += 1
            elif tuple(row) in seen:
                dropped["duplicate_line"] += 1
            else:
                seen.add(tuple(row))
                kept += 1
                orders.add(inv); items.add(code)
                if cust:
                    customers.add(cust)
                else:
                    no_customer += 1
    print(f"rows_read={rows} rows_kept={kept} rows_without_customer={no_customer}")
    print(f"orders={len(orders)} items={len(items)} customers={len(customers)}")
    for k, v in sorted(dropped.items()):
        print(f"dropped.{k}={v}")

if __name__ == "__main__":
    main(sys.argv[1])
