"""somu.rules stays pure: no Django and no somu app, so every app can use it and it tests fast."""

from __future__ import annotations

import ast
from pathlib import Path

import somu.rules

PACKAGE = Path(somu.rules.__file__).parent


def forbidden_imports(source: str) -> list[str]:
    """The modules ``source`` imports (function-local ones included) that are not allowed."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module == "somu":
            names = [f"somu.{alias.name}" for alias in node.names]  # from somu import org
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue  # relative imports stay inside somu.rules
        for name in names:
            top = name.split(".")[0]
            if top == "django" or (top == "somu" and not _in_rules(name)):
                found.append(name)
    return found


def _in_rules(name: str) -> bool:
    return name == "somu.rules" or name.startswith("somu.rules.")


def test_the_rules_package_imports_neither_django_nor_any_somu_app():
    modules = [p for p in PACKAGE.rglob("*.py") if "tests" not in p.relative_to(PACKAGE).parts]
    assert len(modules) >= 5
    offenders = {
        str(path.relative_to(PACKAGE)): bad
        for path in modules
        if (bad := forbidden_imports(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}


def test_the_purity_check_catches_django_and_app_imports_even_inside_functions():
    source = (
        "import django.db\n"
        "from somu.rules.due import DueRule\n"
        "def f():\n"
        "    from somu.procedures.engine.spec import START\n"
        "    import somu.core.tenancy\n"
        "    from somu import org, rules\n"
    )
    assert forbidden_imports(source) == [
        "django.db", "somu.procedures.engine.spec", "somu.core.tenancy", "somu.org",
    ]
