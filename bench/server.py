"""Start a real `streamlit run` server on loopback (a free port) over a temporary copy of a published store,
the same way tests/e2e/conftest.py does; used by the browser and load benchmarks and tests/deploy/test_load_smoke.py."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from deploy import warm  # noqa: E402
from deploy.serve import Arrangement, cpu_seconds, free_port  # noqa: E402


def published_store(root: Path | None = None) -> Path:
    """A data directory with the bundled sample published as release 1 (made once per call)."""
    from leadsf import config
    from leadsf.pipeline import publishing
    from leadsf.pipeline.store import Store, Upload

    root = Path(root or tempfile.mkdtemp(prefix="leadsf-bench-store-"))
    store = Store(root)
    if store.current() is None:
        publishing.publish(store, [Upload(p.name, p.read_bytes()) for p in sorted(config.SAMPLE_DIR.glob("*.csv"))],
                           who="bench", note="sample", synthetic=True)
    return root


def standalone(doc: str, run, print_table, repeat: str, default: int, argv=None) -> int:
    """The command line of a benchmark that runs over a freshly published sample store:
    `--<repeat> N` (how many calls or loads) and `--json PATH`; prints its table."""
    import argparse
    import json

    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument(f"--{repeat}", type=int, default=default)
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="leadsf-bench-") as work:
        res = run(published_store(Path(work) / "published"), getattr(args, repeat))
    print_table(res)
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=2) + "\n")
    return 0


class Server:
    """`streamlit run SCRIPT` on 127.0.0.1:<free port>; stop() ends it (and only it)."""

    def __init__(self, data_dir: Path, log_path: Path, script: str = "dashboard.py", cwd: Path = ROOT,
                 extra: tuple[str, ...] = (), port: int | None = None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = Path(log_path)
        self._log = open(self.log_path, "wb")
        env = os.environ | {"LEADSF_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", script, "--server.headless=true",
             f"--server.port={self.port}", "--server.address=127.0.0.1", "--browser.gatherUsageStats=false",
             "--server.fileWatcherType=none", *extra],
            cwd=cwd, env=env, stdout=self._log, stderr=subprocess.STDOUT)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-20_000:]

    def rss_mb(self) -> float:
        """Resident memory of the server process (from /proc; Linux)."""
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return float("nan")

    def cpu_seconds(self) -> float:
        """CPU time the server process has used (deploy.serve.cpu_seconds: nanoseconds, ended threads in)."""
        return cpu_seconds(self.proc.pid)

    def wait_healthy(self, timeout: float = 60) -> "Server":
        if warm.wait_healthy(self.url, timeout, alive=lambda: self.proc.poll() is None):
            return self
        if self.proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {self.proc.returncode}:\n{self.log()}")
        raise RuntimeError(f"streamlit not healthy after {timeout}s:\n{self.log()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._log.close()

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def start(store: Path, work: Path, script: str = "dashboard.py", cwd: Path = ROOT) -> Server:
    """A server over a private copy of `store` (so a benchmark never touches it)."""
    work = Path(work)
    data = work / "store"
    if not data.exists():
        shutil.copytree(store, data)
    server = Server(data, work / f"streamlit-{Path(script).stem}.log", script=script, cwd=cwd)
    try:
        return server.wait_healthy()
    except Exception:
        server.stop()
        raise


def start_proxy(store: Path, work: Path, workers: int = 2, script: str = "dashboard.py", cwd: Path = ROOT):
    """`make serve`'s arrangement (deploy/serve.py: nginx in front of `workers` app processes, no staff
    process) on a free port over a private copy of `store`; stop() ends all of it. Like Server it has url,
    cpu_seconds() and rss_mb() (summed over the app processes), plus nginx_cpu_seconds()."""
    work = Path(work)
    data = work / "proxy-store"
    if not data.exists():
        shutil.copytree(store, data)
    return Arrangement(free_port(), workers, data_dir=data, staff=False, state_dir=work / f"proxy-{Path(script).stem}",
                       say=lambda msg: None, script=script, cwd=cwd).start()


def empty_app(directory: Path) -> Path:
    """An empty Streamlit page (`import streamlit as st`) with this project's .streamlit/config.toml: the
    baseline the browser benchmarks compare with."""
    directory = Path(directory)
    (directory / ".streamlit").mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / ".streamlit" / "config.toml", directory / ".streamlit" / "config.toml")
    (directory / "empty.py").write_text("import streamlit as st\n")
    return directory
