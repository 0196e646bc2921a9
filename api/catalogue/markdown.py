"""Long descriptions: Markdown rendered by markdown-it-py (raw HTML off), then sanitised by nh3."""

from __future__ import annotations

import html
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "del",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


@lru_cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(
        ["table", "strikethrough"]
    )


def _demote_headings(html: str) -> str:
    """Headings of a description sit under the page's h2: h1/h2 become h3."""
    for level in (1, 2):
        html = html.replace(f"<h{level}>", "<h3>").replace(f"</h{level}>", "</h3>")
    return html


@lru_cache(maxsize=4096)
def render_markdown(text: str) -> str:
    """Safe HTML for a Markdown text (no scripts, no event handlers, only http(s)/mailto links).

    Cached: the same descriptions are rendered again and again by lists, pages and exports."""
    if not text.strip():
        return ""
    html = _demote_headings(_parser().render(text))
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def plain_text(text: str) -> str:
    """A Markdown text without its markup (feeds, calendars): the text of the rendered HTML."""
    return html.unescape(nh3.clean(_parser().render(text), tags=set())).strip()
