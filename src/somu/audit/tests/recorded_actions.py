"""The actions the code records, read from the source: every ``audit_record(action=…)``,
``audit_record_many`` entry (``{"action": …}``) and ``save_with_audit(action_prefix=…)``.

An action the reader cannot work out (built from a variable it cannot follow) is reported as
unresolved, so a new way of naming actions fails the test instead of escaping it.
"""

from __future__ import annotations

import ast
import itertools
from dataclasses import dataclass, field
from pathlib import Path

import somu

SOURCE = Path(somu.__file__).parent


@dataclass
class Recorded:
    actions: dict[str, set[str]] = field(default_factory=dict)  # action → files recording it
    unresolved: list[str] = field(default_factory=list)  # file:line of what could not be read

    def add(self, action: str, where: str) -> None:
        self.actions.setdefault(action, set()).add(where)


def _values(node: ast.AST, assignments: dict[str, list[ast.AST]]) -> set[str] | None:
    """The strings an expression can evaluate to, or None when it cannot be told."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        body, orelse = _values(node.body, assignments), _values(node.orelse, assignments)
        return None if body is None or orelse is None else body | orelse
    if isinstance(node, ast.JoinedStr):
        parts: list[set[str]] = []
        for part in node.values:
            value = part.value if isinstance(part, ast.FormattedValue) else part
            options = _values(value, assignments)
            if options is None:
                return None
            parts.append(options)
        return {"".join(p) for p in itertools.product(*parts)}
    if isinstance(node, ast.Name) and node.id in assignments:
        result: set[str] = set()
        for value in assignments[node.id]:
            options = _values(value, assignments)
            if options is None:
                return None
            result |= options
        return result
    return None


def _function_assignments(tree: ast.AST) -> dict[ast.AST, dict[str, list[ast.AST]]]:
    """For each function, the values its local names are assigned."""
    scopes: dict[ast.AST, dict[str, list[ast.AST]]] = {}
    for func in ast.walk(tree):
        if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            names: dict[str, list[ast.AST]] = {}
            for node in ast.walk(func):
                if isinstance(node, ast.Assign):
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            names.setdefault(target.id, []).append(node.value)
            scopes[func] = names
    return scopes


def _callee(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def recorded_actions(root: Path = SOURCE) -> Recorded:
    recorded = Recorded()
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).parts
        # The audit app records nothing itself: it stores and shows what the others record.
        if "tests" in parts or parts[0] == "audit":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = str(path.relative_to(root))
        scopes = _function_assignments(tree)
        owner: dict[ast.AST, dict[str, list[ast.AST]]] = {}
        for func, names in scopes.items():
            for node in ast.walk(func):
                owner[node] = names
        for node in ast.walk(tree):
            names = owner.get(node, {})
            if isinstance(node, ast.Call) and _callee(node) == "audit_record":
                for kw in node.keywords:
                    if kw.arg == "action":
                        _collect(recorded, kw.value, names, f"{where}:{node.lineno}")
            elif isinstance(node, ast.Call) and _callee(node) == "save_with_audit":
                for kw in node.keywords:
                    if kw.arg == "action_prefix":
                        prefixes = _values(kw.value, names)
                        if prefixes is None:
                            recorded.unresolved.append(f"{where}:{node.lineno}")
                            continue
                        for prefix in prefixes:
                            recorded.add(f"{prefix}.create", where)
                            recorded.add(f"{prefix}.update", where)
            elif isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values, strict=True):
                    if isinstance(key, ast.Constant) and key.value == "action" \
                            and value is not None:
                        _collect(recorded, value, names, f"{where}:{node.lineno}")
    return recorded


def _collect(recorded: Recorded, node: ast.AST, names: dict[str, list[ast.AST]],
             where: str) -> None:
    values = _values(node, names)
    if values is None:
        recorded.unresolved.append(where)
        return
    for value in values:
        recorded.add(value, where.partition(":")[0])
