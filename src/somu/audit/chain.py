"""The hash chain of the audit log, free of Django so it can be checked on its own.

Each entry's hash covers its own content and the previous entry's hash, so editing, deleting or
reordering any stored entry changes every hash after it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


def canonical_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def entry_hash(prev_hash: str, content: Mapping[str, Any]) -> str:
    digest = hashlib.sha256()
    digest.update(prev_hash.encode("ascii"))
    digest.update(b"\n")
    digest.update(canonical_json(content).encode("utf-8"))
    return digest.hexdigest()


@dataclass(frozen=True)
class StoredEntry:
    id: int
    seq: int
    prev_hash: str
    hash: str
    content: Mapping[str, Any]


@dataclass(frozen=True)
class ChainBreak:
    entry_id: int
    seq: int
    reason: str


def verify(entries: Iterable[StoredEntry]) -> tuple[int, ChainBreak | None]:
    """Walk entries in sequence order; return how many were checked and the first break."""
    expected_prev = GENESIS
    expected_seq = 1
    checked = 0
    for entry in entries:
        if entry.seq != expected_seq:
            return checked, ChainBreak(
                entry.id, entry.seq, f"sequence gap: expected {expected_seq}, found {entry.seq}"
            )
        if entry.prev_hash != expected_prev:
            return checked, ChainBreak(entry.id, entry.seq, "previous hash does not match")
        if entry_hash(entry.prev_hash, entry.content) != entry.hash:
            return checked, ChainBreak(entry.id, entry.seq, "content does not match its hash")
        expected_prev = entry.hash
        expected_seq += 1
        checked += 1
    return checked, None
