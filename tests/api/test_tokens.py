"""Health, bearer tokens (issue, expiry, revoke, hash only, rate limit), JSON errors and their language."""

from __future__ import annotations

import datetime as dt
import hashlib

import sqlalchemy as sa

from web.api.models import ApiToken
from web.extensions import db
from web.models import User

from .conftest import PASSWORD, error_of


def test_health_needs_no_token(api):
    response = api.get("/api/v1/health")
    assert response.status_code == 200 and response.get_json() == {"status": "ok", "api": "v1"}


def test_token_for_username_and_password_works_and_only_its_hash_is_stored(app, api, client):
    response = client.post("/api/v1/auth/token", json={"username": "planner", "password": PASSWORD})
    assert response.status_code == 201 and "Set-Cookie" not in response.headers  # no session: the token is all
    body = response.get_json()
    assert body["token_type"] == "Bearer" and body["role"] == "planner"
    expires = dt.datetime.fromisoformat(body["expires_at"].removesuffix("Z"))
    assert dt.timedelta(days=29) < expires - dt.datetime.now(dt.UTC).replace(tzinfo=None) <= dt.timedelta(days=30)
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200 and me.get_json()["username"] == "planner"
    with app.app_context():
        [row] = db.session.scalars(sa.select(ApiToken)).all()
        assert row.token_hash == hashlib.sha256(body["token"].encode()).hexdigest()
        assert body["token"] not in row.token_hash


def test_wrong_password_and_unknown_user_are_401(client):
    for username in ("planner", "nobody"):
        response = client.post("/api/v1/auth/token", json={"username": username, "password": "wrong-password"})
        assert response.status_code == 401
        assert error_of(response)["code"] == "bad_credentials"


def test_token_request_validation_names_the_field(client):
    cases = [({"password": PASSWORD}, "username"), ({"username": "planner"}, "password"),
             ({"username": "", "password": PASSWORD}, "username"), ({"username": "planner", "password": 5}, "password")]
    for body, field in cases:
        response = client.post("/api/v1/auth/token", json=body)
        assert response.status_code == 400
        assert error_of(response)["field"] == field and error_of(response)["code"] == "validation_error"
    response = client.post("/api/v1/auth/token", data="not json", content_type="application/json")
    assert response.status_code == 400 and error_of(response)["code"] == "invalid_json"


def test_no_token_and_bad_tokens_are_401_json(app, api, client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401 and error_of(response)["code"] == "token_missing"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    for header in ("Bearer not-a-token", "Basic cGxhbm5lcjpw", "Bearer " + "x" * 500):
        response = client.get("/api/v1/me", headers={"Authorization": header})
        assert response.status_code == 401, header


def test_expired_token_is_refused(app, api):
    api.token("planner")
    with app.app_context():
        db.session.execute(sa.update(ApiToken).values(expires_at=dt.datetime(2020, 1, 1)))
        db.session.commit()
    response = api.get("/api/v1/me", as_="planner")
    assert response.status_code == 401 and error_of(response)["code"] == "token_invalid"


def test_revoked_token_stops_working_and_others_go_on(api):
    other = api.token("planner")
    api._tokens.pop("planner")  # the next call gets a second token of the same account
    assert api.delete("/api/v1/auth/token", as_="planner").status_code == 204
    assert api.get("/api/v1/me", as_="planner").status_code == 401  # the revoked one
    assert api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {other}"}).status_code == 200


def test_a_password_change_ends_the_accounts_tokens(app, api):
    assert api.get("/api/v1/me", as_="officer").status_code == 200
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "officer"))
        user.set_password("a-new-password")
        db.session.commit()
    response = api.get("/api/v1/me", as_="officer")
    assert response.status_code == 401 and error_of(response)["code"] == "token_invalid"


def test_the_session_cookie_is_not_accepted(client, auth):
    auth.login("planner")
    assert client.get("/planner/").status_code == 200  # logged in in the browser sense
    response = client.get("/api/v1/stations")
    assert response.status_code == 401 and error_of(response)["code"] == "token_missing"


def test_api_needs_no_csrf_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    response = app.test_client().post("/api/v1/auth/token", json={"username": "planner", "password": PASSWORD})
    assert response.status_code == 201


def test_token_requests_are_rate_limited_like_the_login_form_with_a_json_429(client):
    codes = [client.post("/api/v1/auth/token", json={"username": "planner", "password": "wrong-password"}).status_code
             for _ in range(10)]
    assert codes == [401] * 10
    response = client.post("/api/v1/auth/token", json={"username": "planner", "password": PASSWORD})
    assert response.status_code == 429 and error_of(response)["code"] == "rate_limited"


def test_error_messages_follow_accept_language_chinese_by_default(client):
    wrong = {"username": "planner", "password": "wrong-password"}
    messages = {language: error_of(client.post("/api/v1/auth/token", json=wrong,
                                               headers={"Accept-Language": language}))["message"]
                for language in ("zh-CN,zh;q=0.9", "en-US,en;q=0.9", "fr")}
    assert messages == {"zh-CN,zh;q=0.9": "用户名或密码错误。", "fr": "用户名或密码错误。",
                        "en-US,en;q=0.9": "Wrong username or password."}


def test_unknown_paths_and_wrong_methods_under_the_api_are_json(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"
    response = client.put("/api/v1/health")
    assert response.status_code == 405 and error_of(response)["code"] == "method_not_allowed"
    assert "GET" in response.headers["Allow"]
    assert "<html" in client.get("/no-such-page").get_data(as_text=True).lower()  # the HTML site keeps its pages


def test_an_unexpected_failure_is_a_json_500(make_app, monkeypatch):
    app = make_app(TESTING=False, PROPAGATE_EXCEPTIONS=False)
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"username": "planner", "password": PASSWORD}).get_json()["token"]

    def broken(*args):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("web.api.staff.get_or_404", broken)
    response = client.get("/api/v1/rosters/1", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 500 and error_of(response)["code"] == "internal_error"
    assert "database went away" not in response.get_data(as_text=True)
