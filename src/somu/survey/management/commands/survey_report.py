"""`somu survey report --org SLUG --round NAME --out report.xlsx [--refresh]`.

Writes the round's analysis as the Excel workbook the analysis page offers (a sheet per view,
native charts) and prints the headline figures. The cached analysis is used while the round's
data is unchanged; ``--refresh`` recomputes it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from somu.core import tenancy
from somu.org.models import Organization
from somu.survey import selectors, terms
from somu.survey.models import SurveyRound
from somu.survey.report import build_report_xlsx


class Command(BaseCommand):
    help = "Write the analysis of a survey round as an Excel workbook."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="slug of the organization")
        parser.add_argument("--round", required=True, help="name of the survey round")
        parser.add_argument("--out", required=True, help="the .xlsx file to write")
        parser.add_argument("--refresh", action="store_true",
                            help="recompute the analysis instead of using the cached one")

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        if not out.parent.is_dir():
            raise CommandError(_("No such directory: %(path)s") % {"path": out.parent})
        organization = Organization.objects.filter(slug=options["org"]).first()
        if organization is None:
            raise CommandError(_("No organization with slug %(slug)r.") % {"slug": options["org"]})

        with tenancy.activate(organization):
            try:
                survey_round = selectors.round_get_by_name(name=options["round"])
            except SurveyRound.DoesNotExist:
                names = list(SurveyRound.objects.order_by("-created_at")
                             .values_list("name", flat=True)[:10])
                raise CommandError(
                    _("No survey round %(name)r in %(org)s. Rounds: %(rounds)s") % {
                        "name": options["round"], "org": organization.slug,
                        "rounds": ", ".join(names) or _("none")}
                ) from None
            result = selectors.round_analysis(survey_round=survey_round,
                                              refresh=options["refresh"])
            data = build_report_xlsx(survey_round=survey_round, result=result,
                                     labels=selectors.analysis_labels(result=result))
        try:
            out.write_bytes(data)
        except OSError as exc:
            raise CommandError(_("Cannot write %(path)s: %(error)s")
                               % {"path": out, "error": exc.strerror or exc}) from exc

        dependency = result.dependency
        bus = next((b for b in result.bus_factors if b.scope == "organization"), None)
        if bus is None or bus.value is None:
            bus_text = _("n/a (no hours)")
        else:
            bus_text = _("%(value)d (%(method)s)") % {
                "value": bus.value, "method": terms.BUS_FACTOR_METHODS[bus.method]}
        lines = [
            _("Wrote %(path)s (%(size)d KB) for %(round)s.") % {
                "path": out, "size": max(1, len(data) // 1024), "round": survey_round.name},
            _("Total hours: %(hours)s h/month by %(people)d people on %(tasks)d tasks") % {
                "hours": f"{result.totals.hours:,.1f}", "people": result.totals.people_with_hours,
                "tasks": result.totals.tasks},
            _("Person-dependent tasks: %(count)d of %(tasks)d, %(by_count)s by count, "
              "%(by_hours)s by hours") % {
                "count": dependency.dependent_tasks, "tasks": dependency.tasks,
                "by_count": f"{dependency.rate_by_count:.1%}",
                "by_hours": f"{dependency.rate_by_hours:.1%}"},
            _("Bus factor of the organization: %(value)s") % {"value": bus_text},
        ]
        self.stdout.write("\n".join(lines))
