"""Helpers for the worker, schedule and notification tests: a real local HTTP server that
records what chat webhooks receive, and a quick way to put runs with steps in the database."""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from somu.core import tenancy
from somu.org.models import Organization, Person
from somu.procedures.models import (
    Run,
    RunStatus,
    Step,
    StepState,
    Template,
    TemplateVersion,
)


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class ChatServer:
    """What a local HTTP server received; ``status`` is what it answers, ``delay`` how many
    seconds it waits first (a slow receiver: it counts what it received all the same)."""

    url: str = ""
    status: int = 200
    delay: float = 0
    hang_up: bool = False  # it reads the message, then closes the connection without answering
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self) -> int:
        with self.lock:
            return len(self.received)


@contextmanager
def chat_server() -> Iterator[ChatServer]:
    """A real HTTP server on 127.0.0.1 in a thread (no mocks between somu and the socket)."""
    state = ChatServer()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            with state.lock:
                state.received.append(Received(
                    self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body,
                ))
            time.sleep(state.delay)
            if state.hang_up:
                self.close_connection = True
                return
            try:
                self.send_response(state.status)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"ok" if state.status < 400 else b"server error")
            except (BrokenPipeError, ConnectionResetError):
                pass  # a sender that timed out has gone

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_port}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def hung_smtp_server() -> Iterator[int]:
    """A local TCP port that accepts connections and never answers (a hung mail server)."""
    server = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=5)
        for sock in held:
            sock.close()
        server.close()


@dataclass
class SilentSmtpServer:
    """A local SMTP server that takes each message and never confirms it (a mail server that
    hangs after DATA); ``messages`` counts what it received."""

    port: int = 0
    messages: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


@contextmanager
def smtp_server_silent_after_data() -> Iterator[SilentSmtpServer]:
    state = SilentSmtpServer()
    server = socket.create_server(("127.0.0.1", 0))
    state.port = server.getsockname()[1]
    stop = threading.Event()

    def serve(conn: socket.socket) -> None:
        reader = conn.makefile("rb")
        conn.sendall(b"220 silent.example ESMTP\r\n")
        for line in reader:
            command = line.strip().upper()
            if command == b"DATA":
                conn.sendall(b"354 go ahead\r\n")
                for body_line in reader:
                    if body_line in (b".\r\n", b".\n"):
                        break
                with state.lock:
                    state.messages += 1
                stop.wait(30)  # the confirmation never comes
                return
            conn.sendall(b"250 ok\r\n")

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        stop.set()
        thread.join(timeout=5)
        server.close()


def refused_url() -> str:
    """A local URL where nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"


def make_template(organization: Organization, name: str = "入社手続き") -> Template:
    with tenancy.activate(organization):
        template = Template.objects.create(organization=organization, name=name)
        version = TemplateVersion.objects.create(
            organization=organization, template=template, number=1,
            spec={"somu": "procedure/1", "name": name, "steps": []},
        )
        template.current_version = version
        template.save(update_fields=["current_version"])
    return template


def make_run(
    organization: Organization,
    name: str,
    steps: Sequence[tuple[str, Person | None, dt.date | None, str]],
    *,
    status: str = RunStatus.RUNNING,
    template: Template | None = None,
) -> list[Step]:
    """A run with steps given as (name, assignee, due date, state)."""
    template = template or make_template(organization, f"テンプレート {name}")
    with tenancy.activate(organization):
        version = TemplateVersion.objects.get(pk=template.current_version_id)
        run = Run.objects.create(
            organization=organization, template=template, version=version, name=name,
            start_date=dt.date(2026, 4, 1), status=status,
        )
        return [
            Step.objects.create(
                organization=organization, run=run, key=f"s{i}", name=step_name, position=i,
                assignee=assignee, due_date=due, state=state,
            )
            for i, (step_name, assignee, due, state) in enumerate(steps)
        ]


READY = StepState.READY
WAITING = StepState.WAITING
DONE = StepState.DONE
