"""The one place where Markdown becomes (sanitised) HTML."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from xml.etree.ElementTree import Element

import re

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
    "td": {"colspan", "rowspan", "style", "class"},
    "th": {"colspan", "rowspan", "style", "class", "scope"},
    "ol": {"start"},
}
#: the only style property read (a table column's alignment, which Markdown writes as a style); it
#: becomes one of ALIGN_CLASSES, so the page's Content-Security-Policy needs no inline style, and
#: nothing an author writes can move, cover or restyle the page around the course text
STYLE_PROPERTIES = {"text-align"}
ALIGN_CLASSES = frozenset({"align-left", "align-center", "align-right"})
_CELL = re.compile(r"<(td|th)\b([^>]*)>")
_STYLE = re.compile(r'\s*style="([^"]*)"')
_ALIGN = re.compile(r"text-align:\s*(left|center|right)")
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
#: ids the pages themselves use (tests/test_course_html.py keeps this in step with the templates):
#: a course heading may not take one of them
RESERVED_IDS = frozenset({"username", "password", "upload", "trend-title", "obligations", "kind", "invite-url",
                          "giay-chung-nhan", "file", "confirm", "clause-chart-title", "agencies", "main", "identifier",
                          "invite-url-help", "module-actions"})


def keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    """nh3's attribute filter: an id only on a heading (the contents' anchors), never a page's own."""
    if attribute == "id" and (tag not in HEADINGS or value in RESERVED_IDS):
        return None
    if attribute == "class" and value not in ALIGN_CLASSES:
        return None
    return value


def _align_class(match: re.Match) -> str:
    """A cell's style="text-align:…" as class="align-…" (any other style is dropped)."""
    tag, attrs = match.group(1), match.group(2)
    style = _STYLE.search(attrs)
    if style is None:
        return match.group(0)
    attrs = _STYLE.sub("", attrs)
    align = _ALIGN.search(style.group(1))
    if align and "class=" not in attrs:
        attrs += f' class="align-{align.group(1)}"'
    return f"<{tag}{attrs}>"


def sanitise(html: str) -> str:
    """Course HTML through the allow-list (idempotent: cleaning clean HTML changes nothing)."""
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, attribute_filter=keep_attribute,
                      filter_style_properties=STYLE_PROPERTIES, url_schemes={"http", "https", "mailto"},
                      link_rel="noopener noreferrer")
    return _CELL.sub(_align_class, clean)


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
        link_pictures(root)


def link_pictures(root: Element) -> None:
    """Each picture not already in a link becomes a link to itself: on a phone a diagram shrinks to
    the screen and its captions with it; the picture alone can be zoomed. A picture without alt text
    is decorative and stays as it is (a link needs a name)."""
    linked = {id(el) for a in root.iter("a") for el in a.iter()}
    for parent in list(root.iter()):
        for index, child in enumerate(list(parent)):
            if child.tag == "img" and child.get("src") and child.get("alt") and id(child) not in linked:
                link = Element("a", {"href": child.get("src")})
                link.tail, child.tail = child.tail, None
                parent.remove(child)
                link.append(child)
                parent.insert(index, link)


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
    return Rendered(html=sanitise(html), toc=[t for t in toc if t[1] not in RESERVED_IDS])


def render_inline(text: str) -> str:
    """Render a short piece (an option, a feedback line) without the surrounding <p>."""
    html = render_markdown(text).html.strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html
