"""A step's instructions as safe HTML: ``{{ parameter }}`` filled in, then Markdown rendered.

Instructions are written by template editors and parameter values by whoever launches a run;
neither may inject markup. Raw HTML in the Markdown is shown as text (``html: False``), the
substituted values are escaped so that they cannot form Markdown either (a value cannot turn
into a link or a heading), and links may only point to http, https, mailto or relative URLs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from somu.procedures.engine.spec import PLACEHOLDER_RE

SAFE_SCHEMES: Final = frozenset({"http", "https", "mailto"})
_SCHEME_RE: Final = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.\-]*):")
# Every ASCII punctuation character can be backslash-escaped in CommonMark, which makes it
# literal text: no emphasis, link, heading, HTML or entity can come out of a value.
_PUNCTUATION_RE: Final = re.compile(r"""([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])""")
_LINE_BREAKS_RE: Final = re.compile(r"[\r\n\u2028\u2029]+")


class _SafeMarkdown(MarkdownIt):
    """CommonMark with tables and strikethrough, without raw HTML or unsafe links."""

    def validateLink(self, url: str) -> bool:
        match = _SCHEME_RE.match(url)
        return match is None or match.group(1).lower() in SAFE_SCHEMES


def _open_links_in_new_tab(
    renderer: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    href = str(token.attrGet("href") or "")
    if href.lower().startswith(("http:", "https:")):  # do not hand the opener to another site
        token.attrSet("target", "_blank")
        token.attrSet("rel", "noopener noreferrer")
    return str(renderer.renderToken(tokens, idx, options, env))


def _build() -> MarkdownIt:
    md = _SafeMarkdown("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.add_render_rule("link_open", _open_links_in_new_tab)
    return md


_MARKDOWN: Final = _build()


def escape_value(value: str) -> str:
    """``value`` as Markdown source that renders as exactly this text, on one line."""
    return _PUNCTUATION_RE.sub(r"\\\1", _LINE_BREAKS_RE.sub(" ", value))


def fill_placeholders(text: str, values: Mapping[str, str]) -> str:
    """``text`` with each ``{{ key }}`` of ``values`` replaced by its escaped value.

    Placeholders for keys not in ``values`` stay as they are.
    """
    def replace(match: re.Match[str]) -> str:
        key = match.group(1)
        return escape_value(values[key]) if key in values else match.group(0)

    return PLACEHOLDER_RE.sub(replace, text)


def render_instructions(text: str, values: Mapping[str, str]) -> str:
    """The instructions as HTML, with the parameters' display values filled in.

    The result is safe to mark safe in a template.
    """
    if not text.strip():
        return ""
    return _MARKDOWN.render(fill_placeholders(text, values))


def render_markdown(text: str) -> str:
    """Any editor-written Markdown (template notes, descriptions) as safe HTML."""
    return _MARKDOWN.render(text) if text.strip() else ""
