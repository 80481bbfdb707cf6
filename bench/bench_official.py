"""Agency-file readers on national-size files: rows and seconds to read each (CPU time of this process).

    .venv/bin/python bench/bench_official.py

The national files are made from the New Mexico cuts in data/official/ (every state given the same rows), the
way tests/pipeline/test_official.py makes them; nothing is written.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from leadsf.pipeline import official  # noqa: E402
from tests.pipeline.test_official import PEP2024, VSRR_FILE, _national_wonder  # noqa: E402


def national_pep() -> bytes:
    pep = PEP2024.read_bytes().split(b"\n")
    return b"\n".join([pep[0]] + [r.replace(b",35,", f",{s:02d},".encode(), 1) for s in range(1, 100)
                                  for r in pep[1:] if r]) + b"\n"


def national_vsrr() -> bytes:
    vsrr = VSRR_FILE.read_text().splitlines()
    body = [f"{c},{c},{int(line.split(',')[2]) + shift},{line.split(',', 3)[3]}"
            for c in official.STATE_FIPS for shift in (0, 4) for line in vsrr[1:]]
    return ("\n".join([vsrr[0], *body]) + "\n").encode()


def main() -> int:
    for name, data in (("CDC WONDER by county", _national_wonder()), ("Census PEP co-est", national_pep()),
                       ("CDC VSRR", national_vsrr())):
        started = time.process_time()
        ex = official.read(data, name)
        print(f"{name}: {len(data) / 1e6:.1f} MB, {ex.rows:,} rows read, {len(ex.frame):,} figures, "
              f"{time.process_time() - started:.2f} s CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
