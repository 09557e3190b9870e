"""Template YAML files: reading them safely, writing them for people to read and edit.

Reading accepts what an office PC produces (UTF-8 with or without BOM, or Shift_JIS/CP932),
uses only ``yaml.safe_load`` semantics, refuses aliases (no "billion laughs") and duplicate
keys (a silently lost field is worse than an error), and reports syntax errors with the line.
Writing keeps Japanese as is, keeps the documented key order, writes multi-line text as ``|``
blocks and short lists and small mappings on one line (``[a, b]``, ``{param: 入社者}``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode

from somu.procedures.engine.spec import SpecError, SpecProblem

MAX_BYTES: Final = 1024 * 1024
_FLOW_WIDTH: Final = 80  # longest list or mapping written on one line (in characters)
_SCALARS: Final = (str, int, float, bool, Decimal, dt.date, type(None))


def _problem(message: str, path: str = "") -> SpecError:
    return SpecError([SpecProblem(path, message)])


def decode(data: bytes) -> str:
    """The text of an uploaded file: UTF-8 (BOM or not), else CP932 (Shift_JIS on Windows)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932")
    except UnicodeDecodeError:
        raise _problem("the file is not text in UTF-8 or Shift_JIS") from None


class _Loader(yaml.SafeLoader):
    """``yaml.SafeLoader`` without aliases and without duplicate keys."""

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise ConstructorError(
                None, None, "aliases (*name) are not supported; write the value out",
                event.start_mark,
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[tuple[str, str]] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, ScalarNode):
                key = (key_node.tag, key_node.value)
                if key in seen:
                    raise ConstructorError(
                        None, None, f"duplicate key '{key_node.value}'", key_node.start_mark
                    )
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


def load_yaml(data: bytes | str) -> dict[str, Any]:
    """The mapping in a template YAML file; raises :class:`SpecError` for a bad file."""
    if len(data) > MAX_BYTES or (isinstance(data, str) and len(data.encode()) > MAX_BYTES):
        raise _problem(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    text = decode(data) if isinstance(data, bytes) else data.removeprefix("\ufeff")
    try:
        loaded = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem:
            reason = f"{exc.problem} ({exc.context})"
        raise _problem(reason, where) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise _problem(f"character U+{code:04X} is not allowed in YAML", f"line {line}") from None
    except yaml.YAMLError as exc:
        raise _problem(f"invalid YAML: {exc}") from None
    if loaded is None:
        raise _problem("the file is empty")
    if not isinstance(loaded, dict):
        raise _problem("the file must hold a template (key: value lines) at the top level")
    return loaded


# --- writing -----------------------------------------------------------------------------------

class _Block(dict[str, Any]):
    """A mapping always written in block style (each step of a template)."""


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Indent list items under their key ("  - key: …"), as people write them.
        super().increase_indent(flow, False)


def _is_short_scalar(value: Any) -> bool:
    return isinstance(value, _SCALARS) and not (isinstance(value, str) and "\n" in value)


def _flow_length(value: Any) -> int:
    if isinstance(value, Mapping):
        return sum(len(str(k)) + 2 + _flow_length(v) for k, v in value.items()) + 2
    if isinstance(value, list | tuple):
        return sum(_flow_length(v) + 2 for v in value) + 2
    return len(str(value))


# Line breaks other than \n that YAML would fold into \n or a space in a plain or block scalar:
# values holding one are written double-quoted, where they are escaped (\N, \L, \P, \r).
_OTHER_BREAKS = ("\x85", "\u2028", "\u2029", "\r")


def _represent_str(dumper: yaml.SafeDumper, value: str) -> ScalarNode:
    if any(c in value for c in _OTHER_BREAKS):
        style: str | None = '"'
    else:
        style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_list(dumper: yaml.SafeDumper, value: list[Any]) -> Node:
    flow = all(_is_short_scalar(v) for v in value) and _flow_length(value) <= _FLOW_WIDTH
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


def _represent_tuple(dumper: yaml.SafeDumper, value: tuple[Any, ...]) -> Node:
    return _represent_list(dumper, list(value))


def _represent_dict(dumper: yaml.SafeDumper, value: dict[Any, Any]) -> Node:
    flow = not isinstance(value, _Block) and all(
        _is_short_scalar(v) or (isinstance(v, list) and all(_is_short_scalar(i) for i in v))
        for v in value.values()
    ) and _flow_length(value) <= _FLOW_WIDTH
    return dumper.represent_mapping("tag:yaml.org,2002:map", value.items(), flow_style=flow)


def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> Node:
    return dumper.represent_scalar("tag:yaml.org,2002:float", str(value))


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(tuple, _represent_tuple)
_Dumper.add_representer(dict, _represent_dict)
_Dumper.add_representer(_Block, _represent_dict)
_Dumper.add_representer(Decimal, _represent_decimal)


def dump_yaml(data: Mapping[str, Any]) -> str:
    """``data`` (a canonical template dict) as YAML for people: Japanese kept, order kept."""
    document = _Block(data)
    if isinstance(data.get("steps"), list):
        document["steps"] = [_Block(s) if isinstance(s, Mapping) else s for s in data["steps"]]
    return yaml.dump(
        document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=120, indent=2,
    )
