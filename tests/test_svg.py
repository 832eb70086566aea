"""Course pictures: an SVG is parsed and checked against an allow-list; anything that could run or
fetch from outside is refused, whatever its spelling."""
from pathlib import Path

import pytest

from app.courses.svg import small_text, svg_problem

REAL = sorted((Path(__file__).parent.parent / "courses").glob("*/images/*.svg"))
HEAD = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">'

HOSTILE = {
    "onload without a space": '<svg/onload=alert(1) xmlns="http://www.w3.org/2000/svg"></svg>',
    "onload attribute": '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
    "script element": HEAD + "<script>alert(1)</script></svg>",
    "entity-encoded javascript": HEAD + '<use href="&#106;avascript:alert(1)"/></svg>',
    "protocol-relative image": HEAD + '<image href="//evil.example/p.png"/></svg>',
    "iframe with data": HEAD + '<iframe src="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;"/></svg>',
    "foreignObject": HEAD + "<foreignObject><p>x</p></foreignObject></svg>",
    "style element": HEAD + "<style>@import url(https://evil.example/x.css);</style></svg>",
    "style attribute": HEAD + '<rect style="fill:url(https://evil.example/t)"/></svg>',
    "fill from outside": HEAD + '<rect fill="url(https://evil.example/p#g)"/></svg>',
    "xlink href outside": HEAD + '<use xlink:href="https://evil.example/s.svg#x"/></svg>',
    "link": HEAD + '<a href="https://evil.example"><text>x</text></a></svg>',
    "animate that rewrites a link": HEAD + '<set attributeName="href" to="javascript:alert(1)"/></svg>',
    "style sheet instruction": '<?xml-stylesheet href="https://evil.example/x.css"?>' + HEAD + "</svg>",
    "DOCTYPE with an entity": '<!DOCTYPE svg [<!ENTITY x "javascript:">]>' + HEAD + '<use href="&x;a"/></svg>',
    "external entity": '<!DOCTYPE svg [<!ENTITY x SYSTEM "https://evil.example/">]>' + HEAD + "<text>&x;</text></svg>",
    "not svg at all": "<html><body>x</body></html>",
    "svg without its namespace": '<svg viewBox="0 0 1 1"><rect/></svg>',
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_svg_is_refused(name):
    assert svg_problem(HOSTILE[name].encode()) is not None, name


def test_the_courses_own_pictures_pass():
    assert len(REAL) >= 10
    assert {p.name: svg_problem(p.read_bytes()) for p in REAL} == {p.name: None for p in REAL}


def test_references_inside_the_picture_are_allowed():
    svg = (HEAD + '<defs><marker id="m"><path d="M0 0L1 1"/></marker></defs>'
           '<line x1="0" y1="0" x2="5" y2="5" stroke="#000" marker-end="url(#m)"/><use href="#m"/></svg>')
    assert svg_problem(svg.encode()) is None


def test_the_loader_reports_the_line_of_a_hostile_element(tmp_path):
    from app.courses.loader import read_tree

    source = Path(__file__).parent / "fixtures" / "courses" / "FX-01"
    course = tmp_path / "FX-01"
    import shutil

    shutil.copytree(source, course)
    picture = next(course.glob("images/*.svg"))
    picture.write_text(HEAD + '\n<rect width="1" height="1"/>\n<image href="//evil.example/p.png"/>\n</svg>',
                       encoding="utf-8")
    _courses, problems = read_tree(tmp_path)
    assert any(str(p.path).endswith(picture.name) and p.line == 3 and "<image>" in p.message for p in problems), problems


def svg(body: str, root: str = 'viewBox="0 0 600 300" width="600"') -> bytes:
    return f'<svg xmlns="http://www.w3.org/2000/svg" {root}>{body}</svg>'.encode()


def test_captions_of_a_600_wide_picture_shrink_to_6_px_on_a_phone():
    found = small_text(svg('<g font-size="14"><text>Lập kế hoạch</text><text font-size="10">ghi chú</text></g>'))
    assert (found.written, found.px, found.needed) == ("10", 6.0, 20.2)


def test_a_picture_narrower_than_the_phone_is_not_shrunk():
    assert small_text(svg('<text font-size="12">P</text>', 'viewBox="0 0 300 100" width="300"')) is None
    assert small_text(svg('<text font-size="12">P</text>', 'viewBox="0 0 600 200" width="300"')).px == 6.0  # drawn 300 wide


def test_font_sizes_are_inherited_and_empty_or_hidden_text_does_not_count():
    assert small_text(svg('<title>tiny</title><text font-size="21"><tspan>To</tspan></text>'
                          '<text font-size="4"> </text>')) is None
    found = small_text(svg('<g font-size="20"><text>A<tspan font-size=".5em">b</tspan></text></g>'))
    assert found.size == 10.0
    assert small_text(svg("<text>mặc định 16</text>", 'viewBox="0 0 358 100"')) is None


def test_check_warns_of_small_captions_and_still_passes(runner, tmp_path):
    import shutil

    from tests.conftest import FIXTURE_COURSES

    shutil.copytree(FIXTURE_COURSES, tmp_path / "courses")
    picture = tmp_path / "courses" / "FX-01" / "images" / "vong.svg"
    picture.write_bytes(svg('\n<text font-size="14">PDCA</text>\n<text font-size="11">nhỏ</text>'))
    result = runner.invoke(args=["courses", "check", str(tmp_path / "courses")])
    assert result.exit_code == 0, result.output
    assert ("FX-01/images/vong.svg:3: WARNING: SVG: text of font-size 11 is 6.6 px on a phone (358 px wide); "
            "under 12 px it cannot be read without zooming: use font-size 20.2 or more, or a narrower viewBox"
            in result.output)
    assert "1 warning(s)" in result.output
