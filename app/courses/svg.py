"""Pictures in SVG are parsed, not pattern-matched: every element and attribute must be on an
allow-list, and nothing may point outside the picture (no script, no event handler, no link, no
external fetch that would tell a third party who read the course)."""
from __future__ import annotations

import re
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
