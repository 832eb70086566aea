"""Request bodies: about 1 MB anywhere, the import limit on the upload routes only."""
from tests.factories import make_person
from tests.test_imports_pages import upload


def test_a_large_body_on_an_ordinary_form_is_refused_in_vietnamese(client):
    response = client.post("/login", data={"username": "lan", "password": "x" * (2 * 2**20)})
    assert response.status_code == 413 and "Dữ liệu gửi lên quá lớn" in response.text


def test_a_body_under_a_megabyte_is_read(client, db):
    make_person("lan")
    db.session.commit()
    response = client.post("/login", data={"username": "lan", "password": "x" * 500_000})
    assert response.status_code == 200 and "quá lớn" not in response.text  # read (and refused as a password)


def test_the_upload_route_still_takes_a_file_of_several_megabytes(client, login, db):
    make_person("quantri", access_role="admin")
    db.session.commit()
    login("quantri")
    response = upload(client, "staff", b"ma_cong_chuc,ho_ten\n" + b"x" * (3 * 2**20))
    assert response.status_code in (200, 302)  # read and checked, not refused for its size
