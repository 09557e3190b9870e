"""The `somu` command.

    somu demo [--data-dir DIR] [--host H] [--port P] [--no-serve]
    somu serve [--host H] [--port P] [--workers N]
    somu migrate
    somu createadmin --username NAME [--email E] [--org SLUG [--org-name NAME]]
    somu audit verify [--org SLUG]
    somu org import-people FILE --org SLUG [--create-departments] [--dry-run]
    somu survey import FILE --org SLUG --round NAME [--layout auto|long|wide] [--create-tasks]
                       [--dry-run]
    somu survey report --org SLUG --round NAME --out FILE.xlsx
    somu procedures import FILE.yaml [FILE.yaml …] --org SLUG [--update]
    somu procedures export --org SLUG [--template NAME] [--out DIR|FILE]
    somu worker [--once] [--interval SECONDS]
    somu backup [--out FILE|DIR]
    somu restore FILE [--force]
    somu manage <django management command> …   (anything else Django offers)
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


def _manage(*argv: str) -> None:
    from django.core.management import CommandError, call_command

    try:
        call_command(*argv)
    except CommandError as exc:
        # What `manage.py` does: the message and an exit status, not a traceback.
        print(f"Error: {exc}", file=sys.stderr)
        raise SystemExit(exc.returncode) from None


def _migrate(verbosity: int = 1) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


def _serve(host: str, port: int, workers: int | None, *, banner: str = "") -> None:
    from somu.core.server import run_server

    run_server(host=host, port=port, workers=workers, banner=banner)


def demo_base_url(host: str, port: int) -> str:
    """The address of a demo served on ``host``:``port``, for the links in its emails and chat."""
    # A wildcard address is where the server listens, not an address anyone can open.
    shown = "127.0.0.1" if host in ("", "0.0.0.0", "::", "[::]") else host  # noqa: S104
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


def cmd_demo(args: argparse.Namespace) -> int:
    started = time.monotonic()
    # Before settings are read (here and in the worker child, which inherits the environment):
    # links in mails point at the port the demo serves on, unless the operator set the address.
    base_url = os.environ.setdefault("SOMU_BASE_URL", demo_base_url(args.host, args.port))
    _setup(args.data_dir)
    from django.conf import settings
    from django.utils import timezone

    from somu.core.demo import ensure_demo

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
    banner = "\n".join(lines)
    if args.no_serve:
        print(banner)
        return 0
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


def cmd_createadmin(args: argparse.Namespace) -> int:
    _setup()
    argv = ["createadmin", "--username", args.username]
    if args.email:
        argv += ["--email", args.email]
    if args.org:
        argv += ["--org", args.org]
    if args.org_name:
        argv += ["--org-name", args.org_name]
    _manage(*argv)
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    _setup()
    argv = ["audit_verify"]
    if args.org:
        argv += ["--org", args.org]
    _manage(*argv)
    return 0


def cmd_org(args: argparse.Namespace) -> int:
    _setup()
    argv = ["import_people", args.file, "--org", args.org]
    if args.actor:
        argv += ["--actor", args.actor]
    if args.create_departments:
        argv.append("--create-departments")
    if args.dry_run:
        argv.append("--dry-run")
    _manage(*argv)
    return 0


def cmd_survey_import(args: argparse.Namespace) -> int:
    _setup()
    argv = ["survey_import", args.file, "--org", args.org, "--round", args.round,
            "--layout", args.layout]
    if args.create_tasks:
        argv.append("--create-tasks")
    if args.actor:
        argv += ["--actor", args.actor]
    if args.dry_run:
        argv.append("--dry-run")
    _manage(*argv)
    return 0


def cmd_survey_report(args: argparse.Namespace) -> int:
    _setup()
    argv = ["survey_report", "--org", args.org, "--round", args.round, "--out", args.out]
    if args.refresh:
        argv.append("--refresh")
    _manage(*argv)
    return 0


def cmd_procedures_import(args: argparse.Namespace) -> int:
    _setup()
    argv = ["procedures_import", *args.files, "--org", args.org]
    if args.update:
        argv.append("--update")
    _manage(*argv)
    return 0


def cmd_procedures_export(args: argparse.Namespace) -> int:
    _setup()
    argv = ["procedures_export", "--org", args.org]
    if args.template:
        argv += ["--template", args.template]
    if args.out:
        argv += ["--out", args.out]
    _manage(*argv)
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    _setup()
    argv = ["worker", "--interval", str(args.interval)]
    if args.once:
        argv.append("--once")
    if args.worker_id:
        argv += ["--worker-id", args.worker_id]
    _manage(*argv)
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

    admin = sub.add_parser("createadmin", help="create an administrator (password asked)")
    admin.add_argument("--username", required=True)
    admin.add_argument("--email", default="")
    admin.add_argument("--org", help="organization slug to administer (created if missing)")
    admin.add_argument("--org-name", help="name for a new organization")
    admin.set_defaults(func=cmd_createadmin)

    audit = sub.add_parser("audit", help="audit log tools")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    verify = audit_sub.add_parser("verify", help="verify the hash chain")
    verify.add_argument("--org", help="organization slug (default: all)")
    verify.set_defaults(func=cmd_audit)

    org = sub.add_parser("org", help="organization tools")
    org_sub = org.add_subparsers(dest="org_command", required=True)
    imp = org_sub.add_parser("import-people", help="import people from .xlsx or .csv")
    imp.add_argument("file")
    imp.add_argument("--org", required=True, help="organization slug")
    imp.add_argument("--actor", help="username recorded in the audit log")
    imp.add_argument("--create-departments", action="store_true",
                     help="create departments the file names that do not exist")
    imp.add_argument("--dry-run", action="store_true",
                     help="check the file and print what would change; save nothing")
    imp.set_defaults(func=cmd_org)

    survey = sub.add_parser("survey", help="work survey tools")
    survey_sub = survey.add_subparsers(dest="survey_command", required=True)
    simp = survey_sub.add_parser(
        "import", help="import survey hours and capabilities (.xlsx/.csv, long or wide layout)"
    )
    simp.add_argument("file")
    simp.add_argument("--org", required=True, help="organization slug")
    simp.add_argument("--round", required=True, help="survey round name (created if missing)")
    simp.add_argument("--layout", choices=["auto", "long", "wide"], default="auto")
    simp.add_argument("--create-tasks", action="store_true",
                      help="add tasks missing from the inventory instead of failing")
    simp.add_argument("--actor", help="username recorded in the audit log")
    simp.add_argument("--dry-run", action="store_true",
                      help="check the file and print what would change; save nothing")
    simp.set_defaults(func=cmd_survey_import)
    rep = survey_sub.add_parser("report", help="write the analysis of a round as an Excel workbook")
    rep.add_argument("--org", required=True, help="organization slug")
    rep.add_argument("--round", required=True, help="survey round name")
    rep.add_argument("--out", required=True, help="the .xlsx file to write")
    rep.add_argument("--refresh", action="store_true", help="recompute instead of using the cache")
    rep.set_defaults(func=cmd_survey_report)

    proc = sub.add_parser("procedures", help="procedure templates (手順) tools")
    proc_sub = proc.add_subparsers(dest="procedures_command", required=True)
    pimp = proc_sub.add_parser(
        "import", help="import templates from YAML (all files or nothing)"
    )
    pimp.add_argument("files", nargs="+", metavar="FILE.yaml")
    pimp.add_argument("--org", required=True, help="organization slug")
    pimp.add_argument("--update", action="store_true",
                      help="save a new version of a template with the same name instead of failing")
    pimp.set_defaults(func=cmd_procedures_import)
    pexp = proc_sub.add_parser("export", help="export templates as YAML")
    pexp.add_argument("--org", required=True, help="organization slug")
    pexp.add_argument("--template", help="one template (name or id); default: all")
    pexp.add_argument("--out", help="directory (all templates) or file; default: standard output")
    pexp.set_defaults(func=cmd_procedures_export)

    worker = sub.add_parser(
        "worker", help="run scheduled launches and notifications (several may run at once)"
    )
    worker.add_argument("--once", action="store_true", help="do what is due now and exit")
    worker.add_argument("--interval", type=int, default=30, help="seconds between checks")
    worker.add_argument("--worker-id", help="name in logs and job locks (default host:pid)")
    worker.set_defaults(func=cmd_worker)

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
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
