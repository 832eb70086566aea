"""Role × route access table, including another agency's pages."""
from datetime import timedelta

import pytest

from app.core.dates import today
from app.quizzes.services import start_attempt
from app.training.models import TrainingClass, TrainingPlan
from tests.factories import make_agency, make_person

ROLES = ("anonymous", "learner", "secretary", "manager", "dost", "admin")


@pytest.fixture
def province(db, courses):
    top = make_agency("P", name="UBND tỉnh", type="UBND_TINH")
    dost = make_agency("DOST", name="Sở KH&CN", type="OVERSIGHT_DOST", parent=top)
    a = make_agency("A", name="UBND xã A")
    a_centre = make_agency("A-PVHCC", name="Trung tâm PVHCC xã A", type="TT_PVHCC_XA", parent=a)
    b = make_agency("B", name="UBND xã B")
    learner = make_person("learner", agency=a_centre)
    make_person("secretary", agency=a, roles=("iso_secretary",))
    make_person("manager", agency=a, access_role="agency_manager")
    make_person("dost", agency=dost, access_role="dost")
    make_person("admin", access_role="admin")
    attempt = start_attempt(learner.id, courses["FX-01"])
    plan = TrainingPlan(year=today().year, title="Kế hoạch")
    start = today() + timedelta(days=10)
    classes = [TrainingClass(plan=plan, course_id=courses["FX-01"].course_id, title=f"Lớp {code}", start_date=start,
                             end_date=start, capacity=30, cutoff_date=start, agencies=[agency])
               for code, agency in (("A", a), ("B", b))]
    db.session.add_all(classes)
    db.session.commit()
    return {"attempt": attempt.id, "plan": plan.id, "class_a": classes[0].id, "class_b": classes[1].id}


def allowed(*roles):
    return {role: (200 if role in roles else 403) for role in ROLES if role != "anonymous"}


EVERYONE = allowed("learner", "secretary", "manager", "dost", "admin")
MANAGERS_UP = allowed("secretary", "manager", "dost", "admin")
PROVINCE = allowed("dost", "admin")

TABLE = [
    ("/", EVERYONE),
    ("/courses/FX-01/", EVERYONE),
    ("/courses/FX-01/01-mo-dau", EVERYONE),
    ("/courses/FX-01/quiz", EVERYONE),
    ("/agencies/", MANAGERS_UP),
    ("/agencies/A", MANAGERS_UP),
    ("/agencies/A-PVHCC", MANAGERS_UP),  # under A: managers of A see it
    ("/agencies/B", PROVINCE),  # another agency
    ("/agencies/P", PROVINCE),  # the agency above A
    ("/reports/agencies", MANAGERS_UP),
    ("/reports/agencies.csv", MANAGERS_UP),
    ("/reports/agencies.xlsx", MANAGERS_UP),
    ("/reports/coverage", MANAGERS_UP),
    ("/reports/coverage.csv", MANAGERS_UP),
    ("/reports/coverage.xlsx", MANAGERS_UP),
    ("/reports/coverage/agency/A", MANAGERS_UP),
    ("/reports/coverage/agency/A-PVHCC", MANAGERS_UP),
    ("/reports/coverage/agency/B", PROVINCE),
    ("/reports/coverage/agency/A/people.csv", MANAGERS_UP),
    ("/reports/coverage/agency/B/people.xlsx", PROVINCE),
    ("/reports/completions", MANAGERS_UP),
    ("/attempts/{attempt}", allowed("learner", "admin")),
    ("/training/", MANAGERS_UP),
    ("/training/mine", EVERYONE),
    ("/training/plans/new", allowed("manager", "dost", "admin")),  # a manager plans for their agency
    ("/training/plans/{plan}", PROVINCE),  # the province's plan
    ("/training/plans/{plan}/classes/new", PROVINCE),
    ("/training/plans/{plan}/report", PROVINCE),
    ("/training/plans/{plan}/report.xlsx", PROVINCE),
    ("/training/classes/{class_a}/attendance.xlsx", PROVINCE),
    ("/training/classes/{class_a}/attendance.csv", PROVINCE),
    ("/training/classes/{class_a}", MANAGERS_UP),  # A is invited: A's secretary and manager see it
    ("/training/classes/{class_a}/roster", MANAGERS_UP),
    ("/training/classes/{class_a}/edit", PROVINCE),
    ("/training/classes/{class_b}", PROVINCE),  # only B is invited
    ("/training/classes/{class_b}/roster", PROVINCE),
    ("/stats/questions", PROVINCE),
    ("/stats/questions?course=FX-02&year=", PROVINCE),
    ("/stats/questions.xlsx", PROVINCE),
    ("/stats/clauses", MANAGERS_UP),
    ("/stats/clauses.xlsx", MANAGERS_UP),
    ("/stats/clauses?agency=A", MANAGERS_UP),
    ("/stats/clauses?agency=A-PVHCC", MANAGERS_UP),
    ("/certificates/agency/A", MANAGERS_UP),
    ("/certificates/agency/A-PVHCC", MANAGERS_UP),
    ("/certificates/agency/B", PROVINCE),
    ("/stats/clauses?agency=B", allowed("dost", "admin") | {"secretary": 404, "manager": 404}),  # not theirs
]


@pytest.mark.parametrize("url,expected", TABLE, ids=[row[0] for row in TABLE])
@pytest.mark.parametrize("role", ROLES)
def test_role_route_access(client, login, province, url, expected, role):
    if role != "anonymous":
        assert login(role).status_code == 302
    response = client.get(url.format(**province))
    if role == "anonymous":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    else:
        assert response.status_code == expected[role]


def test_manager_report_lists_only_their_agencies(client, login, province):
    login("manager")
    page = client.get("/reports/agencies").text
    assert "UBND xã A" in page and "Trung tâm PVHCC xã A" in page
    assert "UBND xã B" not in page


def test_inactive_account_cannot_sign_in(client, db):
    make_person("gone", active=False)
    db.session.commit()
    response = client.post("/login", data={"username": "gone", "password": "mat-khau-123"})
    assert response.status_code == 200
    assert "không đúng" in response.text


def test_wrong_password_is_refused_kindly(client, login, province):
    response = login("learner", "sai-mat-khau")
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.text


def test_login_does_not_redirect_off_site(client, province):
    response = client.post("/login?next=//evil.example/x", data={"username": "learner", "password": "mat-khau-123"})
    assert response.headers["Location"] == "/"


def test_a_post_without_the_csrf_token_is_refused(app, province):
    from app import create_app

    strict = create_app("testing", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                                     "WTF_CSRF_ENABLED": True})
    client = strict.test_client()
    response = client.post("/login", data={"username": "learner", "password": "mat-khau-123"})
    assert response.status_code == 400
    page = client.get("/login")
    assert 'name="csrf_token"' in page.text


@pytest.mark.parametrize("username,password", [("learner", "sai-mat-khau"), ("khong-ai-co", "sai-mat-khau"),
                                               ("KHONG-AI-CO ", "mat-khau-123")])
def test_an_unknown_username_is_refused_like_a_wrong_password_through_one_hash_check(client, province, monkeypatch,
                                                                                     username, password):
    from app.accounts import services

    checked = []
    real = services.check_password_hash
    monkeypatch.setattr(services, "check_password_hash", lambda h, p: checked.append(h) or real(h, p))
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 200 and "Tên đăng nhập hoặc mật khẩu không đúng." in response.text
    assert len(checked) == 1 and checked[0].startswith("pbkdf2:sha256:1000$")  # the same method, the same cost
