"""Publish one file into stores and SIGKILL each publish at a named point, as a power cut or the OOM killer
would (tests/pipeline/test_store.py). The points are the file-system steps the store's crash safety rests on,
seen through Python's audit events (sys.addaudithook), so nothing in the store is replaced or wrapped and the
kill lands at the same step on a fast machine and a slow one.

    python -m tests.pipeline.kill_publish FILE POINT DATA_DIR [POINT DATA_DIR ...]

The imports are paid once: one child process is forked per point, publishes FILE into its own DATA_DIR and is
killed there. Prints one line per point, `POINT RETURNCODE` (-9 when killed; 3 when the publish ended without
reaching POINT, i.e. the store no longer takes that step).
"""
from __future__ import annotations

import os
import signal
import sys
import traceback
from pathlib import Path

from leadsf.pipeline.store import Store, Upload

# In the order a publish reaches them.
POINTS = (
    "mkdir-temporary",   # the first temporary folder is made; nothing of the new release is written yet
    "write-manifest",    # the tables are written under temporary names; the manifest is next
    "rename-raw",        # the raw extracts' folder is about to take its release number
    "rename-release",    # the public tables' folder is about to take its release number
    "replace-current",   # everything is in place; `current` still names the previous release
    "after-switch",      # `current` names the new release: the next file-system step after the switch
)


def _path(arg) -> Path | None:
    return Path(os.fsdecode(arg)) if isinstance(arg, (str, bytes, os.PathLike)) else None


def step(event: str, args: tuple, root: Path) -> str | None:
    """The named point an audit event is, if any (os.replace raises the os.rename event too)."""
    if event == "os.mkdir" and (path := _path(args[0])) and path.name.startswith(".tmp-"):
        return "mkdir-temporary"
    if event == "open" and (path := _path(args[0])) and path.name == "manifest.json" \
            and path.parent.name.startswith(".tmp-") and "w" in (args[1] or ""):
        return "write-manifest"
    if event == "os.rename" and (dst := _path(args[1])):
        if dst == root / "current":
            return "replace-current"
        if dst.parent == root / "raw" and dst.name.isdigit():
            return "rename-raw"
        if dst.parent == root / "releases" and dst.name.isdigit():
            return "rename-release"
    return None


def killed_at(upload: Upload, root: Path, point: str) -> None:
    """In a forked child: publish into root and SIGKILL this process at point; never returns."""
    switched = False

    def hook(event: str, args: tuple) -> None:
        nonlocal switched
        if event not in ("open", "os.mkdir", "os.rename"):
            return
        name = step(event, args, root)
        if name == point or (point == "after-switch" and switched):
            os.kill(os.getpid(), signal.SIGKILL)
        switched = switched or name == "replace-current"

    try:
        store = Store(root)
        sys.addaudithook(hook)  # in the child only: an audit hook cannot be removed
        store.publish([upload], who="tests", note="killed")
        print(f"the publish ended without reaching {point}", file=sys.stderr)
        code = 3
    except BaseException:  # noqa: BLE001 - the child must end here, never return into the parent's loop
        traceback.print_exc()
        code = 1
    sys.stderr.flush()
    os._exit(code)


def main(file: str, *pairs: str) -> int:
    if not pairs or len(pairs) % 2:
        raise SystemExit("usage: python -m tests.pipeline.kill_publish FILE POINT DATA_DIR [POINT DATA_DIR ...]")
    runs = [(point, Path(data_dir).resolve()) for point, data_dir in zip(pairs[::2], pairs[1::2])]
    for point, _ in runs:
        if point not in POINTS:
            raise SystemExit(f"unknown point {point!r}; one of {', '.join(POINTS)}")
    path = Path(file)
    upload = Upload(path.name, path.read_bytes())
    for point, root in runs:
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            killed_at(upload, root, point)
        _, status = os.waitpid(pid, 0)
        print(point, os.waitstatus_to_exitcode(status), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
