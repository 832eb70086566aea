"""The one place where Markdown becomes (sanitised) HTML."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from xml.etree.ElementTree import Element

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

#: rewrites a relative link target ("images/a.svg", "02-x.md#part") to a URL, or returns None to keep it
LinkResolver = Callable[[str], "str | None"]

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del", "details",
    "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub",
    "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}
ALLOWED_ATTRIBUTES = {
    "*": {"id", "title"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height", "loading"},
    "td": {"colspan", "rowspan", "style"},
    "th": {"colspan", "rowspan", "style", "scope"},
    "ol": {"start"},
}


@dataclass
class Rendered:
    html: str
    #: [[level, anchor, text], …] of the h2/h3 headings
    toc: list


def is_relative(target: str) -> bool:
    """True for a link inside the course ("images/x.svg", "02-a.md"), False for URLs and anchors."""
    return bool(target) and not target.startswith(("#", "/", "mailto:", "tel:")) and ":" not in target.split("/")[0]


class _LinkRewriter(Treeprocessor):
    def __init__(self, md, resolver: LinkResolver):
        super().__init__(md)
        self.resolver = resolver

    def run(self, root: Element) -> None:
        for el in root.iter():
            attr = {"a": "href", "img": "src"}.get(el.tag)
            if attr is None:
                continue
            if el.tag == "img":
                el.set("loading", "lazy")  # slow phones: pictures below the fold wait
            target = el.get(attr, "")
            if is_relative(target):
                url = self.resolver(target)
                if url is not None:
                    el.set(attr, url)


class _LinkExtension(Extension):
    def __init__(self, resolver: LinkResolver):
        super().__init__()
        self.resolver = resolver

    def extendMarkdown(self, md) -> None:  # noqa: N802 (Markdown's API name)
        md.treeprocessors.register(_LinkRewriter(md, self.resolver), "course_links", 1)


def render_markdown(text: str, resolver: LinkResolver | None = None) -> Rendered:
    """Render course Markdown to sanitised HTML plus a table of contents.

    Raw HTML in the source is escaped by nh3's allow-list, so an author (or an imported file) can
    never inject script. Called at sync time only; pages serve the stored result.
    """
    extensions = ["tables", "sane_lists", "fenced_code", "toc", "attr_list"]
    if resolver is not None:
        extensions.append(_LinkExtension(resolver))
    md = markdown.Markdown(extensions=extensions, extension_configs={"toc": {"toc_depth": "2-3"}})
    html = md.convert(text)
    toc: list = []

    def walk(tokens: list) -> None:
        for tok in tokens:
            toc.append([tok["level"], tok["id"], tok["name"]])
            walk(tok["children"])

    walk(getattr(md, "toc_tokens", []))
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    return Rendered(html=clean, toc=toc)


def render_inline(text: str) -> str:
    """Render a short piece (an option, a feedback line) without the surrounding <p>."""
    html = render_markdown(text).html.strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html
