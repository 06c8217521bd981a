"""The production profile started for real: PostgreSQL, Redis, two Rasa servers.

Used by the fault tests and the latency benchmark. PostgreSQL and Redis are
the machine's own; each run gets fresh databases. Between every process and
PostgreSQL or Redis sits a :class:`FaultProxy`, so a test can make either one
vanish for the whole system (open connections cut, new ones refused, as when
the server stops) and come back, without stopping the machine's services that
other tests and programs use.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.cli import (
    action_server_command,
    rasa_server_command,
    server_command,
    service_env,
    stop_processes,
)
from tests.e2e import MODEL, ROOT, free_port, say_to, wait_for

POSTGRES = os.environ.get("COPRO_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_PORT = int(os.environ.get("COPRO_TEST_REDIS_PORT", "6379"))


def services_missing() -> list[str]:
    """Which of PostgreSQL and Redis cannot be reached on this machine."""
    missing = []
    address = make_url(POSTGRES)
    for name, port in (("PostgreSQL", address.port or 5432), ("Redis", REDIS_PORT)):
        try:
            socket.create_connection((address.host or "127.0.0.1", port), timeout=2).close()
        except OSError:
            missing.append(name)
    return missing


class FaultProxy:
    """A TCP proxy to a real server that can be cut and restored."""

    def __init__(self, target_port: int, host: str = "127.0.0.1") -> None:
        self.target = (host, target_port)
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self.restore()

    @property
    def up(self) -> bool:
        return self._listener is not None

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        """Refuse new connections and break every open one."""
        listener, self._listener = self._listener, None
        if listener is not None:
            with suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        with self._lock:
            doomed, self._open = self._open, set()
        for sock in doomed:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                if self._listener is not listener:
                    client.close()
                    upstream.close()
                    return
                self._open.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.cut()


def _admin():
    return create_engine(POSTGRES, future=True, isolation_level="AUTOCOMMIT")


def create_databases(*names: str) -> None:
    engine = _admin()
    with engine.connect() as connection:
        for name in names:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def drop_databases(*names: str) -> None:
    engine = _admin()
    with engine.connect() as connection:
        for name in names:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def _url(database: str, port: int) -> str:
    address = make_url(POSTGRES)
    return str(address.set(database=database, port=port, host="127.0.0.1"))


@dataclass
class Production:
    """The running production profile and the handles a test needs."""

    workdir: Path
    database_url: str  # ours, through the proxy
    tracker_url: str  # Rasa's, through the proxy
    direct_database_url: str  # ours, not through the proxy (for checking)
    direct_tracker_url: str
    postgres: FaultProxy
    redis: FaultProxy
    rasa_urls: list[str]
    server_url: str
    env: dict[str, str]
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    logs: dict[str, Path] = field(default_factory=dict)

    def start(self, name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = self.workdir / f"{name}.log"
        with log.open("ab") as out:
            process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        self.processes[name] = process
        self.logs[name] = log
        return process

    def kill(self, name: str) -> None:
        """kill -9: no chance to tidy up."""
        process = self.processes[name]
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def say_to(self, rasa_url: str, sender: str, message: str) -> list[dict]:
        return say_to(rasa_url, sender, message)


@contextmanager
def running_production(
    workdir: Path, rasa_servers: int = 2, via_proxy: bool = True
) -> Iterator[Production]:
    """Action server, ``rasa_servers`` Rasa servers and bot.server, on fresh databases.

    ``via_proxy=False`` connects straight to PostgreSQL and Redis (for timings).
    """
    from bot.store.db import upgrade

    if not MODEL.exists():
        raise RuntimeError("No trained model: run `make test`, which trains first.")
    tag = secrets.token_hex(4)
    ours, trackers = f"copro_fault_{tag}", f"copro_fault_tracker_{tag}"
    create_databases(ours, trackers)
    postgres = FaultProxy(make_url(POSTGRES).port or 5432)
    redis = FaultProxy(REDIS_PORT)
    action_port, server_port = free_port(), free_port()
    rasa_ports = [free_port() for _ in range(rasa_servers)]
    direct = make_url(POSTGRES).port or 5432
    pg_port = postgres.port if via_proxy else direct
    redis_port = redis.port if via_proxy else REDIS_PORT
    production = Production(
        workdir=workdir,
        database_url=_url(ours, pg_port),
        tracker_url=_url(trackers, pg_port),
        direct_database_url=_url(ours, direct),
        direct_tracker_url=_url(trackers, direct),
        postgres=postgres,
        redis=redis,
        rasa_urls=[f"http://127.0.0.1:{port}" for port in rasa_ports],
        server_url=f"http://127.0.0.1:{server_port}",
        env={},
    )
    base = service_env(
        dict(
            os.environ,
            COPRO_DATABASE_URL=production.database_url,
            COPRO_TRACKER_URL=production.tracker_url,
            COPRO_REDIS_URL=f"redis://127.0.0.1:{redis_port}/2",
            COPRO_ACTION_URL=f"http://127.0.0.1:{action_port}/webhook",
            COPRO_CHARTER="wirral",
            COPRO_SECRET_KEY=secrets.token_urlsafe(32),
            COPRO_SPOOL_PATH=str(workdir / "spool.db"),
            COPRO_RASA_URL=",".join(production.rasa_urls),
            COPRO_PORT=str(server_port),
            # A lock left by a Rasa server killed mid-message frees after 10 s.
            TICKET_LOCK_LIFETIME="10",
        )
    )
    production.env = base
    try:
        upgrade(production.direct_database_url)
        actions = production.start("actions", action_server_command(action_port), base)
        endpoints = ROOT / "endpoints.production.yml"
        rasas = [
            production.start(f"rasa{n}", rasa_server_command(MODEL, endpoints, port), base)
            for n, port in enumerate(rasa_ports)
        ]
        server = production.start("server", server_command("127.0.0.1", server_port), base)
        wait_for(f"http://127.0.0.1:{action_port}/health", actions, production.logs["actions"])
        for n, (port, rasa) in enumerate(zip(rasa_ports, rasas, strict=True)):
            wait_for(
                f"http://127.0.0.1:{port}/webhooks/rest/", rasa, production.logs[f"rasa{n}"], 420
            )
        wait_for(f"{production.server_url}/health", server, production.logs["server"])
        yield production
    finally:
        stop_processes(list(production.processes.values()), timeout=20)
        postgres.close()
        redis.close()
        drop_databases(ours, trackers)


def restart_rasa(production: Production, name: str, port: int) -> subprocess.Popen:
    """Start a Rasa server again under ``name`` on ``port`` and wait until it answers."""
    process = production.start(
        name,
        rasa_server_command(MODEL, ROOT / "endpoints.production.yml", port),
        production.env,
    )
    wait_for(f"http://127.0.0.1:{port}/webhooks/rest/", process, production.logs[name], 420)
    return process
