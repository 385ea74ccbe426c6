#!/usr/bin/env python3
"""The scale-out topology on one machine, from one command (issue 15; docs/operations.md,
"Scale-out topology").

Every piece is a real, separate process of a well-kept engine, configured by the same
environment variables as production:

* a PostgreSQL primary and a streaming replica (``initdb`` + ``pg_basebackup -R``), each in its
  own data directory on its own port: never the machine's shared server;
* Redis (cache, sessions, sign-in counters) shared by every node;
* an S3-compatible store (moto's server here; any S3 in production) for uploaded files;
* N stateless app nodes (gunicorn, gthread workers) and task workers (``db_worker``) on two
  of them;
* HAProxy in front: health checks on ``/healthz``, least-connections balancing, a dead node
  taken out within seconds, connection failures retried on another node.

    python deploy/cluster.py up [--nodes 3] [--workers 2] [--threads 4] [--data small]
    python deploy/cluster.py status | env NODE | down
    python deploy/cluster.py kill-node K | start-node K | kill-worker K | start-worker K
    python deploy/cluster.py stop-replica | start-replica | restart-redis

State (ports, process ids) lives in ``<dir>/state.json``; ``--dir`` (or CLUSTER_DIR) defaults
to /tmp/opentemis-cluster. Only the Python standard library is used here, so the script runs
before anything else is installed; the app's commands run with the project's virtualenv.
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(os.environ.get("CLUSTER_VENV_BIN", ROOT / ".venv" / "bin"))
PYTHON = str(VENV_BIN / "python")
DEFAULT_DIR = Path(os.environ.get("CLUSTER_DIR", "/tmp/opentemis-cluster"))
DB_NAME = "opentemis"
BUCKET = "opentemis-media"

# Ports, from a base (--port-base, default 56000): PostgreSQL primary +1, replica +2, Redis +3,
# the S3 emulator +4, the load balancer +80, its statistics page +81, app node k at +10+k.
OFFSETS = {"primary": 1, "replica": 2, "redis": 3, "s3": 4, "lb": 80, "stats": 81}


# --- small helpers ------------------------------------------------------------------------------


def log(message: str) -> None:
    print(f"[cluster {time.strftime('%H:%M:%S')}] {message}", flush=True)


def as_postgres(args: list[str]) -> list[str]:
    """PostgreSQL's tools refuse to run as root: run them as the postgres account then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


def pg_bin(name: str) -> str:
    """A PostgreSQL server tool: on PATH, else Debian's versioned directory."""
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    raise SystemExit(f"{name} not found: install PostgreSQL's server package")


def wait_port(port: int, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            s.settimeout(0.5)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"nothing listens on port {port} after {seconds:.0f} s")


def wait_http(url: str, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    last = ""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError) as exc:
            last = repr(exc)
        time.sleep(0.3)
    raise SystemExit(f"{url} did not answer 200 in {seconds:.0f} s ({last})")


def alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    # A zombie (exited, not yet reaped by its parent) is not alive.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def spawn(args: list[str], logfile: Path, env: dict[str, str] | None = None) -> int:
    """A detached process (its own session: it outlives this script), output to ``logfile``."""
    with logfile.open("ab") as out:
        process = subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    return process.pid


def stop(pid: int | None, sig: int = signal.SIGTERM, wait: float = 15.0) -> None:
    """Signal a process group (gunicorn's master and its workers) and wait for it to go."""
    if not alive(pid):
        return
    assert pid is not None
    try:
        os.killpg(pid, sig)
    except OSError:
        os.kill(pid, sig)
    deadline = time.monotonic() + wait
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if alive(pid):
        os.killpg(pid, signal.SIGKILL)


# --- the cluster ------------------------------------------------------------------------------


class Cluster:
    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.state_file = directory / "state.json"
        self.state: dict[str, Any] = (
            json.loads(self.state_file.read_text()) if self.state_file.exists() else {}
        )

    def save(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        self.state_file.write_text(json.dumps(self.state, indent=2))

    def port(self, name: str) -> int:
        return int(self.state["port_base"]) + OFFSETS[name]

    def node_port(self, k: int) -> int:
        return int(self.state["port_base"]) + 10 + k

    # The environment of every app node and worker: production's variables, nothing else.
    def env(self, node: int) -> dict[str, str]:
        s = self.state
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_"))}
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "opentemis.settings",
                "DATABASE_URL": f"postgresql://postgres@127.0.0.1:{self.port('primary')}/{DB_NAME}",
                "DATABASE_REPLICA_URL": (
                    f"postgresql://postgres@127.0.0.1:{self.port('replica')}/{DB_NAME}"
                ),
                "REDIS_URL": f"redis://127.0.0.1:{self.port('redis')}/0",
                "S3_BUCKET": BUCKET,
                "S3_ENDPOINT_URL": f"http://127.0.0.1:{self.port('s3')}",
                "S3_REGION": "us-east-1",
                "S3_ACCESS_KEY_ID": "cluster",
                "S3_SECRET_ACCESS_KEY": "cluster-secret",
                "SECRET_KEY": s["secret_key"],
                "OPENTEMIS_REQUIRE_SECRET": "1",
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "TRUSTED_PROXIES": "127.0.0.1",
                "OPENTEMIS_VAR_DIR": str(self.dir / f"var-node{node}"),
                "OPENTEMIS_NODE": f"node{node}",
                "STATIC_ROOT": str(self.dir / "static"),
                # A worker killed mid-job is noticed within seconds here (production: minutes).
                "JOB_LEASE_SECONDS": s.get("job_lease", "120"),
                "JOB_SWEEP_SECONDS": s.get("job_sweep", "30"),
                "ADMISSION_CONTROL": "1" if s.get("admission", True) else "0",
                "LOG_LEVEL": "WARNING",
            }
        )
        env.update(s.get("extra_env", {}))
        return env

    # PostgreSQL -------------------------------------------------------------------------------

    def _pg_dir(self, name: str) -> Path:
        return self.dir / f"pg-{name}"

    def _pg_ctl(self, name: str, action: str) -> None:
        args = [pg_bin("pg_ctl"), "-D", str(self._pg_dir(name)), "-w", "-t", "60"]
        if action == "start":
            args += ["-l", str(self.dir / f"pg-{name}.log"), "start"]
        elif action == "stop":
            args += ["-m", "fast", "stop"]
        else:
            args += [action]
        subprocess.run(as_postgres(args), check=action != "stop", stdout=subprocess.DEVNULL)

    def init_postgres(self) -> None:
        primary = self._pg_dir("primary")
        replica = self._pg_dir("replica")
        for d in (primary, replica):
            if d.exists():
                shutil.rmtree(d)
        self.dir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            uid = pwd.getpwnam("postgres")
            os.chown(self.dir, uid.pw_uid, uid.pw_gid)
        log("PostgreSQL primary: initdb")
        subprocess.run(
            as_postgres(
                [
                    pg_bin("initdb"),
                    "-D",
                    str(primary),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        conf = {
            "port": self.port("primary"),
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{self.dir}'",
            "wal_level": "replica",
            "max_wal_senders": 5,
            "wal_keep_size": "'256MB'",
            "hot_standby": "on",
            "max_connections": 300,
            "shared_buffers": "'256MB'",
            # Reads on the replica are not cancelled by the primary's vacuum.
            "hot_standby_feedback": "on",
        }
        with (primary / "postgresql.conf").open("a") as f:
            f.write("\n# deploy/cluster.py\n")
            f.writelines(f"{k} = {v}\n" for k, v in conf.items())
        with (primary / "pg_hba.conf").open("a") as f:
            f.write("host replication postgres 127.0.0.1/32 trust\n")
        self._pg_ctl("primary", "start")
        log("PostgreSQL replica: pg_basebackup -R (streaming)")
        subprocess.run(
            as_postgres(
                [
                    pg_bin("pg_basebackup"),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(self.port("primary")),
                    "-U",
                    "postgres",
                    "-D",
                    str(replica),
                    "-R",
                    "-X",
                    "stream",
                ]
            ),
            check=True,
        )
        with (replica / "postgresql.conf").open("a") as f:
            f.write(f"\n# the replica\nport = {self.port('replica')}\n")
        self._pg_ctl("replica", "start")
        subprocess.run(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port("primary")),
                "-U",
                "postgres",
                "-qc",
                f"CREATE DATABASE {DB_NAME}",
            ],
            check=True,
        )

    # Redis and S3 -------------------------------------------------------------------------------

    def start_redis(self) -> None:
        pid = spawn(
            [
                shutil.which("redis-server") or "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port("redis")),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
            ],
            self.dir / "redis.log",
        )
        self.state["redis_pid"] = pid
        wait_port(self.port("redis"))

    def start_s3(self) -> None:
        moto = VENV_BIN / "moto_server"
        if not moto.exists():
            raise SystemExit("moto_server missing: make cluster installs the '.[cluster]' extra")
        pid = spawn([str(moto), "-H", "127.0.0.1", "-p", str(self.port("s3"))], self.dir / "s3.log")
        self.state["s3_pid"] = pid
        wait_port(self.port("s3"))
        # The bucket, made with the same client library the app uses (boto3, via storages).
        code = (
            "import boto3,sys;"
            "boto3.client('s3',endpoint_url=sys.argv[1],region_name='us-east-1',"
            "aws_access_key_id='cluster',aws_secret_access_key='cluster-secret')"
            ".create_bucket(Bucket=sys.argv[2])"
        )
        subprocess.run(
            [PYTHON, "-c", code, f"http://127.0.0.1:{self.port('s3')}", BUCKET], check=True
        )

    # The application ----------------------------------------------------------------------------

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=self.env(1), check=check)

    def start_node(self, k: int) -> None:
        nodes = self.state.setdefault("nodes", {})
        if alive(nodes.get(str(k))):
            return
        args = [
            str(VENV_BIN / "gunicorn"),
            "opentemis.wsgi",
            "--bind",
            f"127.0.0.1:{self.node_port(k)}",
            "--workers",
            str(self.state["workers"]),
            "--threads",
            str(self.state["threads"]),
            "--worker-class",
            "gthread",
            "--timeout",
            "60",
            "--graceful-timeout",
            "20",
            "--access-logfile",
            str(self.dir / f"node{k}-access.log"),
            "--access-logformat",
            "%(t)s %(m)s %(U)s %(s)s %(M)s",
        ]
        nodes[str(k)] = spawn(args, self.dir / f"node{k}.log", self.env(k))
        self.save()

    def start_worker(self, k: int) -> None:
        workers = self.state.setdefault("task_workers", {})
        if alive(workers.get(str(k))):
            return
        workers[str(k)] = spawn(
            [PYTHON, "manage.py", "db_worker", "--no-reload", "-v0", "--worker-id", f"worker{k}"],
            self.dir / f"worker{k}.log",
            self.env(k),
        )
        self.save()

    # The load balancer --------------------------------------------------------------------------

    def haproxy_config(self) -> str:
        s = self.state
        admission = s.get("admission", True)
        per_node = int(s["workers"]) * int(s["threads"])
        lines = self._admission_lines() if admission else []
        errorfile = ROOT / "deploy" / "haproxy" / "503.http"
        servers = "\n".join(
            f"    server node{k} 127.0.0.1:{self.node_port(k)} check" for k in self.node_ids()
        )
        maxconn = f" maxconn {per_node}" if admission else ""
        return f"""# Generated by deploy/cluster.py: the scale-out topology's load balancer.
global
    maxconn 8000
    pidfile {self.dir}/haproxy.pid
    stats socket {self.dir}/haproxy.sock mode 600 level admin

defaults
    mode http
    timeout connect 2s
    timeout client 120s
    timeout server 120s
    # A request waits at most this long for a free slot on a node, then gets the 503 page.
    timeout queue {"20s" if admission else "120s"}
    # A connection refused by a dead node is tried again on another (nothing was sent).
    retries 2
    option redispatch 1
    retry-on conn-failure
{f"    errorfile 503 {errorfile}" if admission and errorfile.exists() else ""}

frontend web
    bind 127.0.0.1:{self.port("lb")}
    option forwardfor
    http-request set-header X-Forwarded-Proto http
    # When the request reached the load balancer (ms since the epoch): the nodes' admission
    # control sheds a request that waited past its class's budget (opentemis/core/admission.py).
    http-request set-header X-Request-Start t=%[date(0,ms)]
{chr(10).join("    " + line for line in lines)}
    default_backend app

backend app
    balance leastconn
    # A queued request whose person gave up is dropped, not run for nobody.
    option abortonclose
    option httpchk
    http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host localhost
    http-check expect status 200
    # Checked every second: a dead node is out after 2 failed checks, back after 2 good ones.
    default-server inter 1s fastinter 500ms fall 2 rise 2{maxconn}
{servers}

listen stats
    bind 127.0.0.1:{self.port("stats")}
    stats enable
    stats uri /
    stats refresh 2s
"""

    def _admission_lines(self) -> list[str]:
        """The priority classes' HAProxy lines, generated from the one table in Python."""
        answer = subprocess.run(
            [PYTHON, "manage.py", "admission", "haproxy"],
            cwd=ROOT,
            env=self.env(1),
            capture_output=True,
            text=True,
        )
        if answer.returncode != 0:
            return []
        return [line for line in answer.stdout.splitlines() if line.strip()]

    def start_lb(self) -> None:
        config = self.dir / "haproxy.cfg"
        config.write_text(self.haproxy_config())
        haproxy = shutil.which("haproxy")
        if not haproxy:
            raise SystemExit("haproxy missing: apt-get install haproxy (make cluster does)")
        subprocess.run([haproxy, "-c", "-q", "-f", str(config)], check=True)
        old = self.state.get("lb_pid")
        if alive(old):
            stop(old)
        self.state["lb_pid"] = spawn([haproxy, "-db", "-f", str(config)], self.dir / "lb.log")
        self.save()
        wait_port(self.port("lb"))

    def node_ids(self) -> list[int]:
        return list(range(1, int(self.state["node_count"]) + 1))

    # Up and down --------------------------------------------------------------------------------

    def up(self, args: argparse.Namespace) -> None:
        if self.state.get("up"):
            self.down()
        if self.dir.exists():
            shutil.rmtree(self.dir)
        self.dir.mkdir(parents=True)
        self.state = {
            "port_base": args.port_base,
            "node_count": args.nodes,
            "workers": args.workers,
            "threads": args.threads,
            "secret_key": secrets.token_urlsafe(50),
            "admission": not args.no_admission,
            "job_lease": str(args.job_lease),
            "job_sweep": str(args.job_sweep),
            "extra_env": dict(kv.split("=", 1) for kv in args.env),
            "up": True,
        }
        self.save()
        self.init_postgres()
        self.start_redis()
        self.start_s3()
        self.save()
        log("migrate, collectstatic")
        self.manage("migrate", "--noinput", "-v0")
        self.manage("collectstatic", "--noinput", "-v0")
        if args.data == "demo":
            log("demo dataset")
            self.manage("demo")
        for k in self.node_ids():
            self.start_node(k)
        for k in self.node_ids()[:2]:
            self.start_worker(k)
        for k in self.node_ids():
            wait_http(f"http://127.0.0.1:{self.node_port(k)}/healthz")
        self.start_lb()
        wait_http(f"http://127.0.0.1:{self.port('lb')}/healthz")
        log(f"up: http://127.0.0.1:{self.port('lb')}/ (statistics :{self.port('stats')})")
        self.status()

    def down(self) -> None:
        s = self.state
        stop(s.get("lb_pid"))
        for pid in s.get("nodes", {}).values():
            stop(pid)
        for pid in s.get("task_workers", {}).values():
            stop(pid)
        stop(s.get("redis_pid"))
        stop(s.get("s3_pid"))
        for name in ("replica", "primary"):
            if (self._pg_dir(name) / "postmaster.pid").exists():
                self._pg_ctl(name, "stop")
        s["up"] = False
        self.save()
        log("down")

    def status(self) -> None:
        s = self.state
        rows = [("load balancer", s.get("lb_pid"), self.port("lb"))]
        rows += [
            (f"node{k}", s.get("nodes", {}).get(str(k)), self.node_port(k)) for k in self.node_ids()
        ]
        rows += [(f"worker{k}", pid, None) for k, pid in s.get("task_workers", {}).items()]
        rows += [("redis", s.get("redis_pid"), self.port("redis"))]
        rows += [("s3", s.get("s3_pid"), self.port("s3"))]
        for name in ("primary", "replica"):
            pidfile = self._pg_dir(name) / "postmaster.pid"
            pid = int(pidfile.read_text().split()[0]) if pidfile.exists() else None
            rows.append((f"postgres {name}", pid, self.port(name)))
        for name, pid, port in rows:
            state = "up" if alive(pid) else "down"
            print(f"{name:18} {state:5} pid {pid or '-':>8}  port {port or '-'}")

    # Faults ---------------------------------------------------------------------------------------

    def kill_node(self, k: int) -> None:
        """The node dies at once (SIGKILL on gunicorn's master and workers): no graceful end."""
        stop(self.state.get("nodes", {}).get(str(k)), signal.SIGKILL)
        log(f"node{k} killed")

    def kill_worker(self, k: int) -> None:
        stop(self.state.get("task_workers", {}).get(str(k)), signal.SIGKILL)
        log(f"worker{k} killed")

    def stop_replica(self) -> None:
        self._pg_ctl("replica", "stop")
        log("replica stopped")

    def start_replica(self) -> None:
        self._pg_ctl("replica", "start")
        log("replica started")

    def restart_redis(self) -> None:
        stop(self.state.get("redis_pid"))
        self.start_redis()
        self.save()
        log("redis restarted (empty: it keeps nothing on disk)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up")
    up.add_argument("--nodes", type=int, default=3)
    up.add_argument("--workers", type=int, default=2)
    up.add_argument("--threads", type=int, default=4)
    up.add_argument(
        "--port-base", type=int, default=int(os.environ.get("CLUSTER_PORT_BASE", 56000))
    )
    up.add_argument("--data", choices=["demo", "none"], default="demo")
    up.add_argument("--no-admission", action="store_true", help="HAProxy without bounds")
    up.add_argument("--job-lease", type=int, default=120)
    up.add_argument("--job-sweep", type=int, default=30)
    up.add_argument("--env", action="append", default=[], help="NAME=value for every node")
    sub.add_parser("down")
    sub.add_parser("status")
    env = sub.add_parser("env", help="print a node's environment (to run manage.py against it)")
    env.add_argument("node", type=int, nargs="?", default=1)
    for name in ("kill-node", "start-node", "kill-worker", "start-worker"):
        sub.add_parser(name).add_argument("k", type=int)
    for name in ("stop-replica", "start-replica", "restart-redis", "reload-lb"):
        sub.add_parser(name)
    args = parser.parse_args(argv)
    cluster = Cluster(args.dir)
    if args.command != "up" and not cluster.state:
        raise SystemExit(f"no cluster in {args.dir}: run `deploy/cluster.py up` first")
    match args.command:
        case "up":
            cluster.up(args)
        case "down":
            cluster.down()
        case "status":
            cluster.status()
        case "env":
            for key, value in sorted(cluster.env(args.node).items()):
                if key.startswith(("DATABASE_", "REDIS_", "S3_", "SECRET_KEY", "OPENTEMIS_")):
                    print(f"export {key}={value!r}")
        case "kill-node":
            cluster.kill_node(args.k)
        case "start-node":
            cluster.start_node(args.k)
        case "kill-worker":
            cluster.kill_worker(args.k)
        case "start-worker":
            cluster.start_worker(args.k)
        case "stop-replica":
            cluster.stop_replica()
        case "start-replica":
            cluster.start_replica()
        case "restart-redis":
            cluster.restart_redis()
        case "reload-lb":
            cluster.start_lb()


if __name__ == "__main__":
    sys.exit(main())
