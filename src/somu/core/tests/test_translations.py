"""Japanese is the default language: every message has a translation, and the compiled catalog
that Django actually loads matches the .po file translators edit."""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

import pytest

import somu

LOCALE = Path(somu.__file__).parent / "locale" / "ja" / "LC_MESSAGES"


def _parse_po(path: Path) -> list[dict[str, object]]:
    """A small .po reader: msgctxt, msgid, msgid_plural, msgstr / msgstr[0], flags."""
    entries: list[dict[str, object]] = []
    current: dict[str, object] = {}
    key = ""
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            if current:
                entries.append(current)
            current, key = {}, ""
            continue
        if line.startswith("#,"):
            current["flags"] = line[2:].strip()
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            current[key] = str(current[key]) + ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            current[key] = ast.literal_eval(value)
    return [e for e in entries if e.get("msgid")]


@pytest.fixture(scope="module")
def entries() -> list[dict[str, object]]:
    return _parse_po(LOCALE / "django.po")


def test_every_message_has_a_japanese_translation(entries):
    untranslated = [e["msgid"] for e in entries
                    if not (e.get("msgstr") or e.get("msgstr[0]"))]
    assert untranslated == []


def test_no_translation_is_marked_fuzzy(entries):
    assert [e["msgid"] for e in entries if "fuzzy" in str(e.get("flags", ""))] == []


def test_the_compiled_catalog_matches_the_po_file(entries):
    catalog = gettext.GNUTranslations((LOCALE / "django.mo").open("rb"))
    stale = []
    for e in entries:
        msgid = str(e["msgid"])
        if "msgctxt" in e:  # pgettext: the same msgid may read differently in another context
            got = catalog.pgettext(str(e["msgctxt"]), msgid)
            want = e.get("msgstr")
        elif "msgid_plural" in e:
            got = catalog.ngettext(msgid, str(e["msgid_plural"]), 1)
            want = e.get("msgstr[0]")
        else:
            got = catalog.gettext(msgid)
            want = e.get("msgstr")
        if got != want:
            stale.append(msgid)
    assert stale == [], "run `django-admin compilemessages` in src/somu"


def test_pages_render_in_japanese_by_default(client_as, admin_a, org_a):
    body = client_as(admin_a, org_a).get("/").content.decode()
    assert '<html lang="ja">' in body
    assert "人員" in body and "監査ログ" in body
