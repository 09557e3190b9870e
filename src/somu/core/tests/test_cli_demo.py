"""`somu demo` points the links of its emails and chat messages at the port it serves on."""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

import pytest

from somu import cli
from somu.procedures.tests.test_demo_procedures import TODAY

TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.mark.parametrize(("host", "port", "expected"), [
    ("127.0.0.1", 8000, "http://127.0.0.1:8000"),
    ("127.0.0.1", 8123, "http://127.0.0.1:8123"),
    ("0.0.0.0", 9000, "http://127.0.0.1:9000"),  # noqa: S104
    ("somu.local", 8080, "http://somu.local:8080"),
    ("::1", 8001, "http://[::1]:8001"),
])
def test_the_demo_base_url_is_the_address_it_serves_on(host, port, expected):
    assert cli.demo_base_url(host, port) == expected


@pytest.fixture
def demo_env(db, settings, tmp_path, monkeypatch, time_machine):
    settings.DATA_DIR = tmp_path
    monkeypatch.setenv("SOMU_DATA_DIR", str(tmp_path))
    time_machine.move_to(dt.datetime(TODAY.year, TODAY.month, TODAY.day, 10, tzinfo=TOKYO))
    return tmp_path


def test_somu_demo_on_another_port_sets_somu_base_url_for_the_worker(
        demo_env, monkeypatch, capsys):
    monkeypatch.setenv("SOMU_BASE_URL", "")  # so that the teardown removes what the demo sets
    monkeypatch.delenv("SOMU_BASE_URL")
    assert cli.main(["demo", "--no-serve", "--port", "8123", "--data-dir", str(demo_env)]) == 0
    # The worker child process gets os.environ: its digests link to :8123, not :8000.
    assert os.environ["SOMU_BASE_URL"] == "http://127.0.0.1:8123"
    assert "http://127.0.0.1:8123 (SOMU_BASE_URL)" in capsys.readouterr().out


def test_somu_demo_keeps_a_base_url_the_operator_set(demo_env, monkeypatch, capsys):
    monkeypatch.setenv("SOMU_BASE_URL", "https://demo.example.jp")
    assert cli.main(["demo", "--no-serve", "--port", "8123", "--data-dir", str(demo_env)]) == 0
    assert os.environ["SOMU_BASE_URL"] == "https://demo.example.jp"
    assert "https://demo.example.jp (SOMU_BASE_URL)" in capsys.readouterr().out
