"""`somu procedures export --org SLUG [--template NAME|ID …] [--out DIR|FILE]`: templates as YAML.

One YAML file per template (its current version), named after the template (``入社手続き.yaml``),
in the directory ``--out``. With one template and no ``--out`` the YAML goes to standard
output; with one template and ``--out FILE.yaml`` to that file. ``somu procedures import`` reads
the files back into the same definition.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from somu.core import tenancy
from somu.org.models import Organization
from somu.procedures.engine import yamlio
from somu.procedures.engine.parse import spec_dict
from somu.procedures.models import Template
from somu.procedures.selectors import templates as template_selectors

# Characters file systems refuse (Windows is the strictest), and control characters.
UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def file_name(template: Template, taken: set[str]) -> str:
    """``<template name>.yaml``, made safe for file systems and unique within ``taken``."""
    stem = UNSAFE.sub("_", template.name).strip(" ._") or f"template-{template.pk}"
    name = f"{stem}.yaml"
    if name.casefold() in taken:
        name = f"{stem}-{template.pk}.yaml"
    taken.add(name.casefold())
    return name


def template_yaml(template: Template) -> str:
    assert template.current_version is not None
    return yamlio.dump_yaml(spec_dict(template_selectors.version_spec(template.current_version)))


class Command(BaseCommand):
    help = "Export procedure templates as YAML files (one per template)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="slug of the organization")
        parser.add_argument("--template", action="append", default=[], metavar="NAME|ID",
                            help="a template to export (repeatable; default: all of them)")
        parser.add_argument("--out", help="directory for the files (or FILE.yaml for one "
                                          "template; default for one template: standard output)")
        parser.add_argument("--include-archived", action="store_true",
                            help="also export archived templates (when exporting all)")

    def handle(self, *args: Any, **options: Any) -> None:
        organization = Organization.objects.filter(slug=options["org"]).first()
        if organization is None:
            raise CommandError(_("No organization with slug %(slug)r.") % {"slug": options["org"]})
        with tenancy.activate(organization):
            templates = self._templates(options["template"], options["include_archived"])
            if not templates:
                raise CommandError(_("%(org)s has no templates to export.") % {
                    "org": organization.slug})
            out = options["out"]
            if out is None:
                if len(templates) > 1:
                    raise CommandError(ngettext(
                        "%(count)d template: give --out DIR to write one file each.",
                        "%(count)d templates: give --out DIR to write one file each.",
                        len(templates)) % {"count": len(templates)})
                self.stdout.write(template_yaml(templates[0]), ending="")
                return
            target = Path(out)
            if len(templates) == 1 and not target.is_dir() and target.suffix.lower() in (
                    ".yaml", ".yml"):
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(template_yaml(templates[0]), encoding="utf-8")
                self.stdout.write(_("Wrote %(file)s.") % {"file": target})
                return
            target.mkdir(parents=True, exist_ok=True)
            taken: set[str] = set()
            for template in templates:
                path = target / file_name(template, taken)
                path.write_text(template_yaml(template), encoding="utf-8")
                self.stdout.write(str(path))
            self.stdout.write(ngettext(
                "Exported %(count)d template to %(dir)s.",
                "Exported %(count)d templates to %(dir)s.", len(templates),
            ) % {"count": len(templates), "dir": target})

    def _templates(self, wanted: list[str], include_archived: bool) -> list[Template]:
        """The templates named (by name or id), or all of them; unknown ones are an error."""
        with_version = Template.objects.filter(current_version__isnull=False).select_related(
            "current_version")
        if not wanted:
            templates = with_version if include_archived else with_version.filter(archived=False)
            return list(templates.order_by("category", "name", "pk"))
        found: list[Template] = []
        for ref in wanted:
            template = with_version.filter(name=ref).first()
            if template is None and ref.isdigit() and len(ref) <= 18:
                template = with_version.filter(pk=int(ref)).first()
            if template is None:
                raise CommandError(_("No template named or numbered %(ref)r.") % {"ref": ref})
            if template not in found:
                found.append(template)
        return found
