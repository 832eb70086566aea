"""Pictures in SVG are parsed, not pattern-matched: every element and attribute must be on an
allow-list, and nothing may point outside the picture (no script, no event handler, no link, no
external fetch that would tell a third party who read the course)."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"

ELEMENTS = frozenset({
    "svg", "g", "defs", "title", "desc", "text", "tspan", "rect", "line", "path", "circle", "ellipse",
    "polygon", "polyline", "marker", "linearGradient", "radialGradient", "stop", "clipPath", "symbol", "use",
})
ATTRIBUTES = frozenset({
    "id", "class", "version", "viewBox", "preserveAspectRatio", "width", "height", "x", "y", "x1", "y1", "x2", "y2",
    "cx", "cy", "r", "rx", "ry", "dx", "dy", "d", "points", "transform", "fill", "fill-opacity", "fill-rule",
    "stroke", "stroke-width", "stroke-opacity", "stroke-dasharray", "stroke-dashoffset", "stroke-linecap",
    "stroke-linejoin", "stroke-miterlimit", "opacity", "clip-path", "clip-rule", "font-size", "font-family",
    "font-weight", "font-style", "text-anchor", "dominant-baseline", "alignment-baseline", "letter-spacing",
    "textLength", "lengthAdjust", "role", "aria-label", "aria-labelledby", "aria-describedby", "aria-hidden",
    "refX", "refY", "orient", "markerWidth", "markerHeight", "markerUnits", "marker-start", "marker-mid",
    "marker-end", "offset", "stop-color", "stop-opacity", "gradientUnits", "gradientTransform", "fx", "fy",
    "clipPathUnits", "href", "lang", "space",
})
#: an attribute may refer only to something inside the picture: url(#id) or, for href, #id
_URL = re.compile(r"url\s*\(", re.IGNORECASE)
_LOCAL_URL = re.compile(r"url\(\s*#[\w.-]+\s*\)\Z")
_LOCAL_HREF = re.compile(r"#[\w.-]+\Z")


def _local(name: str) -> tuple[str, str]:
    """(namespace, local name) of an ElementTree tag or attribute name."""
    if name.startswith("{"):
        ns, _, local = name[1:].partition("}")
        return ns, local
    return "", name


def svg_problem(data: bytes) -> tuple[str, str] | None:
    """(what, where it first appears) when the SVG may not be served, else None."""
    text = data.decode("utf-8", "replace")
    if re.search(r"<\?xml-stylesheet", text, re.IGNORECASE):
        return "a style sheet instruction (<?xml-stylesheet?>) may fetch from outside", "<?xml-stylesheet"
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, ParseError) as exc:
        return f"not a well-formed SVG without a DOCTYPE or entities ({exc.__class__.__name__})", "<!"
    ns, name = _local(root.tag)
    if ns != SVG_NS or name != "svg":
        return "the file is not an SVG picture (its root must be <svg> in the SVG namespace)", "<"
    for element in root.iter():
        problem = _element_problem(element)
        if problem:
            return problem
    return None


def _element_problem(element: Element) -> tuple[str, str] | None:
    ns, name = _local(element.tag)
    if ns != SVG_NS or name not in ELEMENTS:
        return f"element <{name}> is not allowed in a course picture", f"<{name}"
    for key, value in element.attrib.items():
        attr_ns, attr = _local(key)
        if attr_ns not in ("", XLINK_NS, XML_NS) or attr not in ATTRIBUTES or (attr_ns == XML_NS) != (attr in ("lang", "space")):
            return f"attribute {attr} on <{name}> is not allowed", attr
        stripped = re.sub(r"\s+", "", value).lower()
        if attr == "href":
            if not _LOCAL_HREF.match(value.strip()):
                return f"<{name}> links outside the picture ({attr}=\"{value[:40]}\")", attr
        elif _URL.search(value) and not _LOCAL_URL.match(value.strip()):
            return f"attribute {attr} on <{name}> refers outside the picture", attr
        elif "javascript:" in stripped or "data:" in stripped:
            return f"attribute {attr} on <{name}> holds a script or data URL", attr
    return None


#: the main column of a 390 px phone; a picture wider than it is shrunk to it, captions included
PHONE_WIDTH = 358
#: the smallest caption a phone user can read without zooming
MIN_TEXT_PX = 12
_LENGTH = re.compile(r"\s*([0-9]*\.?[0-9]+)\s*(px|em|%)?\s*\Z")


@dataclass(frozen=True)
class SmallText:
    #: the smallest font-size of the picture's text, in its own units, as written ("10.5")
    written: str
    size: float
    #: what that becomes on the phone, in CSS pixels
    px: float
    #: the font-size that would reach MIN_TEXT_PX
    needed: float


def _length(value: str | None, inherited: float) -> float | None:
    match = _LENGTH.match(value or "")
    if match is None:
        return None
    number, unit = float(match[1]), match[2]
    return number * inherited if unit == "em" else number * inherited / 100 if unit == "%" else number


def phone_scale(root: Element, screen: float = PHONE_WIDTH) -> float:
    """How much the picture shrinks in a `screen`-wide column: it is drawn `width` px wide (its
    viewBox width without one, or the column when it has neither) but never wider than the column,
    and never enlarged."""
    box = (root.get("viewBox") or "").replace(",", " ").split()
    written = root.get("width") or ""
    width = None if "%" in written else _length(written, 0)
    units = _length(box[2], 0) if len(box) == 4 else width
    if not units:
        return 1.0
    return min(1.0, min(width or screen, screen) / units)


def small_text(data: bytes, screen: float = PHONE_WIDTH) -> SmallText | None:
    """The smallest text of an SVG that passed `svg_problem`, when on a phone it is under
    MIN_TEXT_PX; else None. Font sizes are inherited as in SVG (16 when none is set); a transform
    that scales text is not followed."""
    root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    scale = phone_scale(root, screen)
    found: list[tuple[float, str]] = []

    def walk(element: Element, size: float, written: str) -> None:
        own = element.get("font-size")
        if _length(own, size) is not None:
            size, written = _length(own, size), own.strip()
        name = _local(element.tag)[1]
        if name in ("title", "desc"):
            return
        if name in ("text", "tspan") and ((element.text or "").strip()
                                          or any((child.tail or "").strip() for child in element)):
            found.append((size, written))
        for child in element:
            walk(child, size, written)

    walk(root, 16.0, "16")
    if not found:
        return None
    size, written = min(found)
    if size * scale >= MIN_TEXT_PX:
        return None
    return SmallText(written, size, round(size * scale, 1), math.ceil(MIN_TEXT_PX / scale * 10) / 10)
