"""`make serve`: the production arrangement on one machine, in the foreground.

    python deploy/serve.py [--port 8080] [--workers 2] [--host 127.0.0.1] [--no-staff] [--no-warm]
                           [--state-dir DIR]

nginx on HOST:PORT in front of WORKERS `streamlit run dashboard.py` processes and one staff process
(`--server.baseUrlPath staff`, reached at /staff), all on loopback and one LEADSF_DATA_DIR, with the site
rendered from deploy/leadsf.nginx.in exactly as on a Debian server (deploy/site.py). nginx runs from a private
temporary prefix (its config, pid, logs, cache and temp files; removed at the end, its logs first copied to
the state directory), so it needs no system configuration and leaves none. The app processes' logs are in
the state directory (a temporary one, also removed, unless --state-dir is given).

Each app process has its pages opened once in headless chromium (deploy/warm.py) before nginx starts, so the
first visitor does not pay the imports and release load, and a deep link works from the start; `--no-warm`
starts without that (sooner, and the first visitor of each page on each process waits instead). Ctrl-C or
SIGTERM stops nginx and every app process and waits for them; children also get SIGTERM if this process dies
(PR_SET_PDEATHSIG). An app process that dies is not restarted (nginx sends its visitors to the others, and
says so here); on a server, systemd restarts it (deploy/systemd/).

`--state-file PATH` writes the URL, ports and PIDs as JSON once everything is up (tests and bench use it).
"""
from __future__ import annotations

import argparse
import ctypes
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from deploy import site, warm  # noqa: E402
from leadsf.pipeline import opendata, publishing  # noqa: E402
from leadsf.pipeline.store import Store  # noqa: E402

ROOT = site.ROOT
STOP_TIMEOUT = 10.0


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if not found:
        raise SystemExit("nginx is not installed: `make serve` installs it (apt-get install nginx)")
    return found


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the parent (this script) dies, however it dies."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen
    port: int | None = None
    base: str = ""
    log: Path | None = None
    reported: bool = False

    @property
    def pid(self) -> int:
        return self.popen.pid

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}" + (f"/{self.base}" if self.base else "")

    def alive(self) -> bool:
        return self.popen.poll() is None

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.pid)

    def rss_mb(self) -> float:
        try:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return 0.0


def _descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            kids = [int(k) for k in Path(f"/proc/{p}/task/{p}/children").read_text().split()]
        except OSError:
            kids = []
        out += kids
        todo += kids
    return out


class Arrangement:
    """nginx + N app processes (+ the staff process) on one machine; a context manager."""

    def __init__(self, port: int, workers: int = 2, data_dir: Path | None = None, host: str = "127.0.0.1",
                 staff: bool = True, state_dir: Path | None = None, say=print, script: str = "dashboard.py",
                 cwd: Path = ROOT, warm: bool = True):
        if workers < 1:
            raise ValueError("WORKERS must be at least 1")
        self.host, self.port, self.n_workers, self.with_staff, self.say = host, port, workers, staff, say
        self.warm = warm
        self.script, self.cwd = script, Path(cwd)  # another app (bench/: an empty Streamlit page) for comparison
        self.data_dir = Path(data_dir or os.environ.get("LEADSF_DATA_DIR") or ROOT / "data" / "store").resolve()
        self._own_state = state_dir is None
        self.state_dir = Path(state_dir or tempfile.mkdtemp(prefix="leadsf-serve-")).resolve()
        self.nginx_dir: Path | None = None
        self.workers: list[Proc] = []
        self.staff: Proc | None = None
        self.nginx: Proc | None = None

    @property
    def url(self) -> str:
        return f"http://{'127.0.0.1' if self.host in ('0.0.0.0', '') else self.host}:{self.port}"

    @property
    def apps(self) -> list[Proc]:
        return self.workers + ([self.staff] if self.staff else [])

    # -- the app processes -------------------------------------------------------------------------------
    def _start_app(self, name: str, base: str = "") -> Proc:
        port = free_port()
        log = self.state_dir / f"{name}.log"
        env = os.environ | {"LEADSF_DATA_DIR": str(self.data_dir), "PYTHONUNBUFFERED": "1",
                            "LEADSF_STAFF_PAGE": "1" if base == site.STAFF_BASE else "0"}
        args = [sys.executable, "-m", "streamlit", "run", self.script, "--server.address=127.0.0.1",
                f"--server.port={port}", "--server.headless=true", "--browser.gatherUsageStats=false",
                *([f"--server.baseUrlPath={base}"] if base else [])]
        with open(log, "wb") as out:
            popen = subprocess.Popen(args, cwd=self.cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        return Proc(name, popen, port, base, log)

    def _wait_healthy(self, proc: Proc, timeout: float = 90) -> None:
        if not warm.wait_healthy(proc.url, timeout, alive=proc.alive):
            state = f"exited with {proc.popen.returncode}" if not proc.alive() else f"not healthy after {timeout:.0f}s"
            raise RuntimeError(f"{proc.name} {state}:\n{self.tail(proc)}")

    def warm_up(self) -> None:
        """Each app process's pages opened once in headless chromium (deploy/warm.py), the processes at once:
        a public process's every public page, the staff process's Home. A process that cannot be warmed (no
        browser) starts cold, as a systemd unit does, and says so."""
        def one(proc: Proc) -> None:
            try:
                warm.open_once(proc.url, warm.public_paths() if proc in self.workers else ("",))
            except RuntimeError as exc:
                self.say(f"{proc.name} not warmed: {exc}")

        with ThreadPoolExecutor(max_workers=len(self.apps)) as pool:
            list(pool.map(one, self.apps))

    # -- nginx ---------------------------------------------------------------------------------------------
    def _render_nginx(self) -> Path:
        # Its own directory, readable by nginx's unprivileged workers (a state directory may sit below a
        # private one, as pytest's do).
        self.nginx_dir = Path(tempfile.mkdtemp(prefix="leadsf-nginx-")).resolve()
        self.nginx_dir.chmod(0o755)
        prefix = self.nginx_dir
        conf_site = prefix / "leadsf.conf"
        conf_site.write_text(site.Site(
            servers=[f"127.0.0.1:{w.port}" for w in self.workers],
            # Without a staff process /staff/ answers 502, never a public process's staff page.
            staff=f"127.0.0.1:{self.staff.port if self.staff else free_port()}",
            listen=f"{self.host}:{self.port}", static_listen=f"127.0.0.1:{free_port()}",
            cache_dir=str(prefix / "cache"), access_log=str(prefix / "access.log"),
            public_dir=str(self.data_dir / opendata.PUBLIC),
        ).render())
        user = None
        if os.geteuid() == 0:  # nginx's workers drop root; Debian's nginx package runs them as www-data
            user = "www-data www-data" if _has_user("www-data") else "nobody nogroup"
            # It reads the store's public tree too (/data/), which may sit below a private directory as well.
            if not _reachable_by_others(prefix) or not _reachable_by_others(self.data_dir):
                user = "root root"
        conf = prefix / "nginx.conf"
        conf.write_text(site.main_conf(prefix, conf_site, user=user, workers="1"))
        (prefix / "tmp").mkdir(exist_ok=True)
        return conf

    def _start_nginx(self) -> Proc:
        conf, nginx = self._render_nginx(), nginx_binary()
        check = subprocess.run([nginx, "-t", "-q", "-p", str(self.nginx_dir), "-c", str(conf)],
                               capture_output=True, text=True)
        if check.returncode:
            raise RuntimeError(f"nginx -t failed:\n{check.stderr}")
        log = self.state_dir / "nginx.out"
        with open(log, "wb") as out:
            popen = subprocess.Popen([nginx, "-p", str(self.nginx_dir), "-c", str(conf), "-g", "daemon off;"],
                                     stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     preexec_fn=_die_with_parent)
        proc = Proc("nginx", popen, self.port, log=log)
        if warm.wait_healthy(self.url, 15, alive=proc.alive):
            return proc
        if not proc.alive():
            raise RuntimeError(f"nginx exited:\n{self.tail(proc)}\n{self._error_log()}")
        raise RuntimeError(f"nginx not answering on {self.url}:\n{self._error_log()}")

    def _error_log(self) -> str:
        p = (self.nginx_dir or self.state_dir) / "error.log"
        return p.read_text(errors="replace")[-3000:] if p.exists() else ""

    def tail(self, proc: Proc, n: int = 3000) -> str:
        return proc.log.read_text(errors="replace")[-n:] if proc.log and proc.log.exists() else ""

    # -- whole arrangement ----------------------------------------------------------------------------------
    def start(self) -> "Arrangement":
        self.state_dir.mkdir(parents=True, exist_ok=True)
        try:
            # Before any app process: an empty store gets the sample (a publish takes seconds, never inside a
            # visitor's page run), an older one its /data/ tree; publishes and rollbacks keep it up to date.
            publishing.start(Store(self.data_dir))
            self.workers = [self._start_app(f"app{i + 1}") for i in range(self.n_workers)]
            if self.with_staff:
                self.staff = self._start_app("staff", base=site.STAFF_BASE)
            for proc in self.apps:
                self._wait_healthy(proc)
            if self.warm:
                self.warm_up()
            self.nginx = self._start_nginx()
        except BaseException:
            self.stop()
            raise
        return self

    def state(self) -> dict:
        def row(p: Proc) -> dict:
            return {"name": p.name, "pid": p.pid, "port": p.port, "url": p.url}
        return {"url": self.url, "pid": os.getpid(), "state_dir": str(self.state_dir),
                "nginx_dir": str(self.nginx_dir),
                "data_dir": str(self.data_dir), "nginx": row(self.nginx) if self.nginx else None,
                "workers": [row(w) for w in self.workers], "staff": row(self.staff) if self.staff else None}

    def stop(self) -> None:
        """nginx first (no new requests), then every app process; SIGKILL whatever is still there after
        STOP_TIMEOUT seconds."""
        procs = [p for p in ([self.nginx] if self.nginx else []) + self.apps]
        leftovers = {pid for p in procs if p.alive() for pid in _descendants(p.pid)}
        for p in procs:
            if p.alive():
                p.popen.terminate()
        deadline = time.monotonic() + STOP_TIMEOUT
        for p in procs:
            try:
                p.popen.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                p.popen.kill()
                p.popen.wait(timeout=5)
        for pid in leftovers:  # e.g. nginx workers whose master was killed
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.nginx_dir:
            if not self._own_state:
                for name in ("access.log", "error.log", "nginx.conf", "leadsf.conf"):
                    if (self.nginx_dir / name).exists():
                        shutil.copy(self.nginx_dir / name, self.state_dir / f"nginx-{name}")
            shutil.rmtree(self.nginx_dir, ignore_errors=True)
        if self._own_state:
            shutil.rmtree(self.state_dir, ignore_errors=True)

    def check(self) -> bool:
        """Report app processes that died; False when the site can no longer serve (nginx or every app
        process gone)."""
        for p in self.apps:
            if not p.alive() and not p.reported:
                p.reported = True
                self.say(f"{p.name} (pid {p.pid}, port {p.port}) exited with {p.popen.returncode}; "
                         + ("nginx sends its visitors to the others" if p in self.workers else
                            "staff uploads are unavailable") + f". Its log: {p.log}")
        return bool(self.nginx and self.nginx.alive() and any(w.alive() for w in self.workers))

    # -- figures for bench/ -------------------------------------------------------------------------------
    def cpu_seconds(self) -> float:
        """CPU time used by the public app processes (not nginx, not the staff process)."""
        return sum(w.cpu_seconds() for w in self.workers)

    def rss_mb(self) -> float:
        return sum(w.rss_mb() for w in self.workers)

    def nginx_pids(self) -> list[int]:
        """nginx's master and worker processes."""
        return [self.nginx.pid, *_descendants(self.nginx.pid)] if self.nginx else []

    def nginx_cpu_seconds(self) -> float:
        return sum(cpu_seconds(pid) for pid in self.nginx_pids())

    def __enter__(self) -> "Arrangement":
        return self if self.nginx else self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def cpu_seconds(pid: int) -> float:
    """CPU seconds one process has used, its ended threads included (Streamlit runs each script run on a
    thread of its own). Read from the kernel's clock for that process, in nanoseconds
    (clock_getcpuclockid(3): MAKE_PROCESS_CPUCLOCK(pid, CPUCLOCK_SCHED)); /proc/<pid>/stat counts in 10 ms
    ticks, too coarse for a script run of 20-40 ms, and is the fallback. 0.0 once the process is gone."""
    try:
        return time.clock_gettime_ns((~pid << 3) | 2) / 1e9
    except OSError:
        pass
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError):
        return 0.0


def _reachable_by_others(path: Path) -> bool:
    return all(p.stat().st_mode & 0o001 for p in [path, *path.parents])


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 8080))
    ap.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS") or 2))
    ap.add_argument("--host", default=os.environ.get("HOST") or "127.0.0.1", help="nginx's listen address")
    ap.add_argument("--no-staff", action="store_true", help="no staff process (/staff/ answers 502)")
    ap.add_argument("--no-warm", action="store_true",
                    help="start without opening each page once (the first visitor of each page waits instead)")
    ap.add_argument("--state-dir", type=Path, help="keep nginx's config, logs and cache here")
    ap.add_argument("--state-file", type=Path, help="write URL, ports and PIDs here as JSON once up")
    args = ap.parse_args(argv)

    stopping: list[int] = []

    def on_signal(signum, _frame):
        stopping.append(signum)
        raise KeyboardInterrupt

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, on_signal)
    say = lambda msg: print(msg, flush=True)  # noqa: E731
    arrangement = Arrangement(args.port, args.workers, host=args.host, staff=not args.no_staff,
                              state_dir=args.state_dir, say=say, warm=not args.no_warm)
    code = 0
    try:
        say(f"starting {args.workers} app process(es){'' if args.no_staff else ' and the staff process'} "
            f"over {arrangement.data_dir}; logs in {arrangement.state_dir}")
        arrangement.start()
        if args.state_file:
            tmp = args.state_file.with_suffix(".tmp")
            tmp.write_text(json.dumps(arrangement.state(), indent=2))
            tmp.replace(args.state_file)
        say(f"LEAD Santa Fe on {arrangement.url}  (staff: {arrangement.url}/staff; "
            f"app PIDs {[w.pid for w in arrangement.workers]}; Ctrl-C stops everything)")
        while arrangement.check():
            time.sleep(0.5)
        say("nginx or every app process has exited; stopping")
        code = 1
    except KeyboardInterrupt:
        say("stopping")
    except RuntimeError as exc:
        say(f"could not start: {exc}")
        code = 1
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)  # a second Ctrl-C must not cut the clean-up short
        arrangement.stop()
    return code


if __name__ == "__main__":
    sys.exit(main())
