"""Instructions: parameters filled in, Markdown rendered, nothing unsafe let through."""

import pytest

from somu.procedures.engine.render import (
    escape_value,
    fill_placeholders,
    render_instructions,
    render_markdown,
)


def test_it_fills_parameters_and_renders_markdown():
    html = render_instructions(
        "## 手順\n\n{{入社者}}さんの**資格取得届**を提出する（{{ 入社日 }}入社）。"
        "\n\n- 年金手帳\n- 被保険者証",
        {"入社者": "山田太郎", "入社日": "2026-04-01"},
    )
    assert "<h2>手順</h2>" in html
    assert "<p>山田太郎さんの<strong>資格取得届</strong>を提出する（2026-04-01入社）。</p>" in html
    assert "<li>年金手帳</li>" in html


def test_tables_and_strikethrough_are_rendered():
    html = render_instructions("|書類|期限|\n|-|-|\n|資格取得届|5日以内|\n\n~~旧手順~~", {})
    assert "<table>" in html and "<td>資格取得届</td>" in html
    assert "<s>旧手順</s>" in html


def test_unknown_placeholders_stay_as_written():
    assert "{{ 不明 }}" in render_instructions("{{ 不明 }} です", {})


def test_blank_instructions_render_nothing():
    assert render_instructions("  \n", {"a": "b"}) == ""


def test_raw_html_in_instructions_is_shown_as_text():
    html = render_instructions('<script>alert(1)</script>\n\n<img src=x onerror="alert(1)">', {})
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "vbscript:msgbox(1)", "data:text/html,<b>x</b>",
     "file:///etc/passwd", "java\tscript:alert(1)", "&#106;avascript:alert(1)",
     "data:image/png;base64,AAAA"],
)
def test_links_with_unsafe_schemes_are_not_rendered_as_links(url):
    html = render_instructions(f"[click]({url}) and ![img]({url})", {})
    assert "href=" not in html and "src=" not in html


def test_http_https_mailto_and_relative_links_are_kept():
    html = render_instructions(
        "[a](https://www.nenkin.go.jp/) [b](http://example.com) [c](mailto:jinji@example.co.jp) "
        "[d](/procedures/runs/1)", {},
    )
    assert '<a href="https://www.nenkin.go.jp/" target="_blank" rel="noopener noreferrer">' in html
    assert 'href="http://example.com"' in html
    assert '<a href="mailto:jinji@example.co.jp">' in html
    assert '<a href="/procedures/runs/1">' in html


def test_bare_urls_are_not_turned_into_links():
    assert "<a " not in render_instructions("https://example.com を参照", {})


@pytest.mark.parametrize(
    "value",
    ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "[x](javascript:alert(1))",
     "<a href='javascript:alert(1)'>x</a>", "**bold** _it_ `code`", "&lt;script&gt;",
     "# 見出し\n\n<b>x</b>", "![x](https://evil.example/track.png)"],
)
def test_a_parameter_value_cannot_inject_markup(value):
    html = render_instructions("担当: {{担当者}}", {"担当者": value})
    for marker in ("<script", "<img", "<a ", "<b>", "<strong>", "<em>", "<code>", "<h1>"):
        assert marker not in html, (value, html)


def test_a_value_renders_as_exactly_its_text():
    html = render_instructions("{{x}}", {"x": 'A&B <株> "引用" 1. * _x_'})
    assert html == "<p>A&amp;B &lt;株&gt; &quot;引用&quot; 1. * _x_</p>\n"


def test_a_value_with_an_entity_shows_the_entity_text():
    assert render_instructions("{{x}}", {"x": "&amp;"}) == "<p>&amp;amp;</p>\n"


def test_a_multiline_value_stays_on_one_line():
    assert escape_value("a\nb\r\nc") == "a b c"
    assert render_instructions("{{x}}", {"x": "1行目\n# 2行目"}) == "<p>1行目 # 2行目</p>\n"


def test_a_value_inside_a_link_target_is_validated_like_any_link():
    bad = render_instructions("[申請書]({{url}})", {"url": "javascript:alert(1)"})
    assert "href" not in bad
    good = render_instructions("[申請書]({{url}})", {"url": "https://example.com/a_b?x=1&y=2"})
    assert 'href="https://example.com/a_b?x=1&amp;y=2"' in good


def test_fill_placeholders_only_replaces_known_keys():
    assert fill_placeholders("{{a}} {{ b }} {{c}}", {"a": "1", "b": "2"}) == "1 2 {{c}}"


def test_render_markdown_renders_notes_safely():
    html = render_markdown("根拠: [健康保険法施行規則](https://elaws.e-gov.go.jp/) <script>")
    assert 'href="https://elaws.e-gov.go.jp/"' in html and "<script" not in html
    assert render_markdown("") == ""
