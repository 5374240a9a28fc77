"""Command line: python -m corpus OUT_DIR --seed N --customers N [--files N] [--dpi N] [--formats pdf,...]."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import FORMATS, generate


def main(argv: list[str] | None = None) -> int:
    """Generate a corpus and print its summary."""
    ap = argparse.ArgumentParser(
        prog="python -m corpus",
        description="Generate scanned-looking dealer paperwork "
        "with truth.jsonl, customers.csv and dealer.json.",
    )
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--customers", type=int, default=5)
    ap.add_argument(
        "--files", type=int, default=None, help="number of files (default: as a dealer's scans come)"
    )
    ap.add_argument("--dpi", type=int, default=None, help="scan resolution (default: a 150/200/300 mix)")
    ap.add_argument(
        "--formats", default=",".join(FORMATS), help=f"comma-separated subset of {','.join(FORMATS)}"
    )
    args = ap.parse_args(argv)
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    try:
        manifest = generate(
            args.out_dir,
            seed=args.seed,
            customers=args.customers,
            files=args.files,
            formats=formats,
            dpi=args.dpi,
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)  # noqa: T201
        return 2
    print(manifest.summary())  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
