"""The `somu` command.

    somu demo [--data-dir DIR] [--host H] [--port P] [--no-serve]
    somu serve [--host H] [--port P] [--workers N]
    somu migrate
    somu backup [--out FILE|DIR]
    somu restore FILE [--force]
    somu manage <django management command> …   (anything else Django offers)

and the sub-commands the apps declare in their registry entries (``somu --help`` lists them),
each a Django management command with its own ``--help``, e.g.

    somu createadmin --username NAME [--email E] [--org SLUG [--org-name NAME]]
    somu org import-people FILE --org SLUG [--create-departments] [--dry-run]
    somu survey import FILE --org SLUG --round NAME [--layout auto|long|wide] [--dry-run]
    somu procedures import FILE.yaml [FILE.yaml …] --org SLUG [--update]
    somu worker [--once] [--interval SECONDS]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Sequence

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def _setup(data_dir: str | None = None) -> None:
    if data_dir:
        os.environ["SOMU_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "somu.settings")
    import django

    django.setup()


def _migrate(verbosity: int = 1) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


def _serve(host: str, port: int, workers: int | None, *, banner: str = "") -> None:
    from somu.server import run_server

    run_server(host=host, port=port, workers=workers, banner=banner)


def demo_base_url(host: str, port: int) -> str:
    """The address of a demo served on ``host``:``port``, for the links in its emails and chat."""
    # A wildcard address is where the server listens, not an address anyone can open.
    shown = "127.0.0.1" if host in ("", "0.0.0.0", "::", "[::]") else host  # noqa: S104
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


def cmd_demo(args: argparse.Namespace) -> int:
    if not args.no_serve:
        return _demo_served(args)
    started = time.monotonic()
    # Before settings are read (here and in the worker child, which inherits the environment):
    # links in mails point at the port the demo serves on, unless the operator set the address.
    base_url = os.environ.setdefault("SOMU_BASE_URL", demo_base_url(args.host, args.port))
    _setup(args.data_dir)
    from django.conf import settings
    from django.utils import timezone

    from somu.shell.demo import ensure_demo

    _migrate(verbosity=0)
    # The one place the demo reads the clock: runs and due steps are built around today.
    login = ensure_demo(today=timezone.localdate())
    url = f"http://{args.host}:{args.port}/"
    lines = [
        "",
        "somu demo" + (" (created)" if login.created else " (existing data)"),
        f"  data directory : {settings.DATA_DIR}",
        f"  URL            : {url}",
        f"  links in mails : {base_url} (SOMU_BASE_URL)",
        f"  login          : {login.username} / {login.password}",
    ]
    if login.role_usernames:
        lines.append(f"  other logins   : {', '.join(login.role_usernames)} (same password)")
    lines += [f"  ready in       : {time.monotonic() - started:.1f} s", ""]
    print("\n".join(lines))
    return 0


def _demo_served(args: argparse.Namespace) -> int:
    """Build the demo in a child process (``somu demo --no-serve``), then serve it.

    Not in this process: building it runs the survey analysis with Polars, whose thread pool
    does not survive the fork of the web server's worker processes — a worker's next Polars
    call (a scenario page) would hang until the server killed it.
    """
    os.environ.setdefault("SOMU_BASE_URL", demo_base_url(args.host, args.port))
    command = [sys.executable, "-m", "somu.cli", "demo", "--no-serve",
               "--host", args.host, "--port", str(args.port)]
    if args.data_dir:
        command += ["--data-dir", args.data_dir]
    built = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)  # noqa: S603
    # The banner is the child's last lines (a solver may have printed its own before them).
    start = built.stdout.rfind("\nsomu demo")
    banner = built.stdout[start:] if start >= 0 else built.stdout
    if built.returncode != 0:
        sys.stdout.write(built.stdout)
        return built.returncode
    _setup(args.data_dir)
    from django.conf import settings

    # The demo also runs the background worker (schedules, notification digests), as a child
    # process beside the web server; emails go to the console unless EMAIL_HOST is set.
    worker = None
    if not args.no_worker:
        worker = subprocess.Popen(
            [sys.executable, "-m", "somu.cli", "worker"],
            env={**os.environ, "SOMU_DATA_DIR": str(settings.DATA_DIR)},
        )
    try:
        _serve(args.host, args.port, args.workers, banner=banner)
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    _setup()
    _serve(args.host, args.port, args.workers)
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    _setup()
    _migrate()
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    _setup()
    from pathlib import Path

    from django.utils import timezone

    from somu.core.backup import BackupError, backup_create

    try:
        manifest = backup_create(out=Path(args.out), now=timezone.now())
    except BackupError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    rows = sum(manifest["tables"].values())
    print(f"Backup written: {manifest['path']}")
    print(f"  {manifest['database_engine']}, {len(manifest['tables'])} tables, {rows} rows, "
          f"{manifest['media_files']} uploaded files, secret key included (keep it private)")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    _setup()
    from pathlib import Path

    from somu.core.backup import BackupError, backup_restore

    try:
        report = backup_restore(archive=Path(args.file), force=args.force)
    except BackupError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    manifest = report.manifest
    print(f"Restored backup of {manifest['created_at']} (somu {manifest['somu_version']}, "
          f"{manifest['database_engine']}).")
    if report.mismatched:
        for table, (expected, found) in sorted(report.mismatched.items()):
            print(f"MISMATCH {table}: {expected} rows in the archive, {found} restored")
    else:
        print(f"OK      row counts: all {len(manifest['tables'])} tables match the manifest")
    print(report.audit_output.rstrip())
    print("OK      audit chain verified" if report.audit_ok else "BROKEN  audit chain")
    if report.unknown_migrations:
        print("WARNING the archive comes from a newer somu (unknown migrations: "
              + ", ".join(report.unknown_migrations) + "); upgrade somu before using it")
    if report.pending_migrations:
        print("NOTE    run `somu migrate`: this somu has newer migrations ("
              + ", ".join(report.pending_migrations) + ")")
    for warning in report.warnings:
        print(f"WARNING {warning}")
    return 0 if report.ok else 1


def _app_commands() -> list[tuple[list[str], str, str]]:
    """The registered apps' sub-commands: (words, help, management command)."""
    _setup()
    from somu.core import registry

    return [(c.name.split(), str(c.help), c.target)
            for entry in registry.entries() for c in entry.contribution.commands]


def _run_app_command(argv: list[str]) -> int | None:
    """Run ``argv`` when it starts with an app's sub-command (the longest match); else None."""
    matches = [(words, target) for words, _help, target in _app_commands()
               if argv[:len(words)] == words]
    if not matches:
        return None
    words, target = max(matches, key=lambda m: len(m[0]))
    from django.core.management import get_commands, load_command_class

    command = load_command_class(get_commands()[target], target)
    # As manage.py runs a command: its own parser (``--help``), messages instead of tracebacks,
    # exit status 1 on an error — but named as the user typed it ("somu survey import").
    command.run_from_argv(["somu", " ".join(words), *argv[len(words):]])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="somu", description="somu (総務): back office, visible.")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="load the demo organization and serve it")
    demo.add_argument("--data-dir", help="where the database and keys live (default ./somu-data)")
    demo.add_argument("--host", default=DEFAULT_HOST)
    demo.add_argument("--port", type=int, default=DEFAULT_PORT)
    demo.add_argument("--workers", type=int, default=2)
    demo.add_argument("--no-serve", action="store_true", help="load the demo and exit")
    demo.add_argument("--no-worker", action="store_true",
                      help="do not run the background worker beside the server")
    demo.set_defaults(func=cmd_demo)

    serve = sub.add_parser("serve", help="serve somu with several worker processes (gunicorn)")
    serve.add_argument("--host", default=os.environ.get("SOMU_HOST", DEFAULT_HOST))
    serve.add_argument("--port", type=int, default=int(os.environ.get("SOMU_PORT", DEFAULT_PORT)))
    serve.add_argument("--workers", type=int, default=None,
                       help="worker processes (default: SOMU_WORKERS or 2 × cores + 1)")
    serve.set_defaults(func=cmd_serve)

    migrate = sub.add_parser("migrate", help="create or update the database tables")
    migrate.set_defaults(func=cmd_migrate)

    backup = sub.add_parser(
        "backup", help="write the database, uploaded files and secret key to one .tar.gz"
    )
    backup.add_argument("--out", default=".", help="archive file or directory (default: .)")
    backup.set_defaults(func=cmd_backup)
    restore = sub.add_parser("restore", help="restore a `somu backup` archive and check it")
    restore.add_argument("file", help="the .tar.gz written by `somu backup`")
    restore.add_argument("--force", action="store_true",
                         help="replace the data of a database / data directory that is not empty")
    restore.set_defaults(func=cmd_restore)

    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "manage":
        _setup()
        from django.core.management import execute_from_command_line

        execute_from_command_line(["somu manage", *argv[1:]])
        return 0
    builtin = {"demo", "serve", "migrate", "backup", "restore", "-h", "--help"}
    if argv and argv[0] not in builtin:
        status = _run_app_command(argv)
        if status is not None:
            return status
    parser = build_parser()
    if not argv or argv[0] in ("-h", "--help"):
        parser.epilog = "app commands:\n" + "\n".join(
            f"  {' '.join(words):<24} {help_text}" for words, help_text, _t in _app_commands())
        parser.formatter_class = argparse.RawDescriptionHelpFormatter
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
