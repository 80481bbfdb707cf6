"""`python -m leadsf`: every staff action from a terminal, through the same functions as the staff page.

Exit codes: 0 done, 2 input rejected (reasons on stderr), 1 anything else.

Each command imports what it runs: building a release loads pandas, pandera and scipy (about 1.5 s), which
`--help`, `boundaries` and `hash-password` do not need.
"""
from __future__ import annotations

import argparse
import gc
import getpass
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from leadsf import config

from . import contract
from .findings import ExtractRejected

EXIT_OK, EXIT_ERROR, EXIT_REJECTED = 0, 1, 2


def _who() -> str:
    return os.environ.get("LEADSF_USER") or f"cli:{getpass.getuser()}"


def _read(path: str):
    from .store import Upload

    p = Path(path)
    limit = max(config.get("max_upload_bytes"), config.get("max_official_bytes"))
    with open(p, "rb") as fh:  # read one byte past the limit so the validator can say the file is too big
        return Upload(p.name, fh.read(limit + 1))


def _report(exc: ExtractRejected) -> int:
    for problem in exc.problems[:200]:
        print(problem, file=sys.stderr)
    if len(exc.problems) > 200:
        print(f"... and {len(exc.problems) - 200} more problems", file=sys.stderr)
    print("Nothing was published; the live release is unchanged.", file=sys.stderr)
    return EXIT_REJECTED


def cmd_validate(args) -> int:
    from . import extracts, official

    up = _read(args.file)
    try:
        ex = (official.read(up.data, up.filename) if official.recognise(up.data) else
              extracts.read_extract(up.data, up.filename, kind=args.kind))
    except ExtractRejected as exc:
        return _report(exc)
    first, last = ex.months
    areas = f", areas from the {ex.boundary_set} boundary set" if ex.boundary_set else ""
    period = f", {first} to {last}" if first else ""
    print(f"{extracts.display_name(up.filename)}: valid {ex.kind} extract, {ex.rows} rows{areas}{period}")
    return EXIT_OK


@contextmanager
def _building() -> Iterator[None]:
    """While a release is built, what is printed to file descriptor 1 goes to stderr, like the progress lines.
    HiGHS prints a one-line banner there (below Python's sys.stdout) when a process makes its first model,
    before any option of that model can apply; the models themselves are quiet (suppression._model sets
    output_flag and log_to_console before they run). A command's stdout is for its result alone. Only here,
    at run time: a single-threaded command owns its descriptor 1; a server process never redirects it."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def cmd_publish(args) -> int:
    from . import publishing
    from .store import PublishError, Store

    store = Store()
    uploads = [_read(f) for f in args.files]
    try:
        with _building():
            manifest = publishing.publish(store, uploads, who=_who(), note=args.note, synthetic=args.synthetic,
                                          progress=lambda step: print(f"... {step}", file=sys.stderr))
    except ExtractRejected as exc:
        return _report(exc)
    except PublishError as exc:
        print(f"Not published: {exc}", file=sys.stderr)
        return EXIT_REJECTED
    audit = manifest["audit"]
    print(f"Published release {manifest['version']}: {audit['withheld_cells']} cells withheld, audit passed "
          f"(narrowest range {audit['narrowest_range']}); {len(manifest['refused'])} notes on tables not published "
          "or merged at their grain (see `history --json`).")
    return EXIT_OK


def cmd_history(args) -> int:
    from .store import Store

    rows = Store().history()
    if args.json:
        print(json.dumps(rows, indent=2))
        return EXIT_OK
    if not rows:
        print("No releases yet.")
    for m in rows:
        mark = "*" if m["current"] else " "
        kinds = ", ".join(sorted(m["files"]))
        print(f"{mark} {m['version']:>4}  {m['created_at']}  {m['who']}  data through {m['data_through']}  "
              f"[{kinds}]  {m['note']}")
    return EXIT_OK


def cmd_rollback(args) -> int:
    from . import publishing
    from .store import PublishError, Store

    try:
        with _building():  # the rollback's audit solves models too
            manifest = publishing.rollback(Store(), args.release, who=_who())
    except PublishError as exc:
        print(f"Not rolled back: {exc}", file=sys.stderr)
        return EXIT_REJECTED
    print(f"Release {manifest['version']} is live again.")
    return EXIT_OK


def cmd_export(args) -> int:
    from .export import write_bundle
    from .store import Store

    store = Store()
    live = store.current()
    if live is None:
        print("Nothing is published yet; run `python -m leadsf sample --publish` or publish an extract.",
              file=sys.stderr)
        return EXIT_ERROR
    for path in write_bundle(store, live, Path(args.dir)):
        print(path)
    return EXIT_OK


def cmd_template(args) -> int:
    from . import extracts

    sys.stdout.write(extracts.template(args.kind))
    return EXIT_OK


def cmd_sample(args) -> int:
    from .sample import write_sample

    paths = write_sample(Path(args.dir))
    for p in paths:
        print(p)
    if args.publish:
        from .official_table import bundled

        args.files = [str(p) for p in [*paths, *bundled()]]
        args.note, args.synthetic = "Synthetic sample data, with the agencies' official figures", True
        return cmd_publish(args)
    return EXIT_OK


def cmd_hash_password(args) -> int:
    from .auth import hash_password

    if args.stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("New staff password: ")
        if getpass.getpass("Again: ") != password:
            print("The two passwords differ.", file=sys.stderr)
            return EXIT_REJECTED
    if len(password) < 12:
        print("Use at least 12 characters.", file=sys.stderr)
        return EXIT_REJECTED
    print(hash_password(password))
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m leadsf", description="Staff tools for the LEAD Santa Fe "
                                  "dashboard. The data directory is $LEADSF_DATA_DIR (default data/store/).")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="Check one extract against the contract without publishing.")
    p.add_argument("file", help="CSV extract (UTF-8).")
    p.add_argument("--kind", choices=sorted(contract.EXTRACTS), help="Expected kind (default: from the header).")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("publish", help="Validate, suppress, audit and publish extracts as a new release.")
    p.add_argument("files", nargs="+", metavar="FILE", help="One CSV per kind; kinds not given are carried "
                   "over from the live release.")
    p.add_argument("--note", default="", help="What changed, shown in the release history.")
    p.add_argument("--synthetic", action="store_true", help="Mark the release as synthetic sample data.")
    p.set_defaults(func=cmd_publish)

    p = sub.add_parser("history", help="List releases, newest first; * marks the live one.")
    p.add_argument("--json", action="store_true", help="Print the manifests as JSON.")
    p.set_defaults(func=cmd_history)

    p = sub.add_parser("rollback", help="Make an earlier release live again (audited against the live one).")
    p.add_argument("release", type=int, help="Release number from `history`.")
    p.set_defaults(func=cmd_rollback)

    p = sub.add_parser("export", help="Write the public open-data bundle (CSVs + datapackage.json).")
    p.add_argument("dir", help="Folder to write into.")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("template", help="Print a template extract for a kind.")
    p.add_argument("kind", choices=sorted(contract.EXTRACTS), help="Extract kind.")
    p.set_defaults(func=cmd_template)

    p = sub.add_parser("sample", help="Write the synthetic sample extracts (deterministic).")
    p.add_argument("--dir", default=str(config.SAMPLE_DIR), help="Folder to write into (default data/sample).")
    p.add_argument("--publish", action="store_true", help="Also publish them as a new release.")
    p.set_defaults(func=cmd_sample)

    p = sub.add_parser("hash-password", help="Print an argon2 hash of a staff password for secrets.toml.")
    p.add_argument("--stdin", action="store_true", help="Read the password from standard input.")
    p.set_defaults(func=cmd_hash_password)

    from .boundaries import add_cli  # the boundaries command lives with its validator
    add_cli(sub)
    return top


def batch_gc() -> None:
    """Python's cycle collector for a run that makes millions of short-lived objects (a publish) beside a large
    long-lived heap (pandas, pyarrow, DuckDB, matplotlib): what is alive at the call is moved out of its sight
    (gc.freeze), and it runs less often. At Python's defaults three publishes of revised referrals spent 3.0
    of their 22.8 s of CPU in it (13%); 0.7 s with these thresholds."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except (OSError, ValueError, KeyError) as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return EXIT_ERROR
