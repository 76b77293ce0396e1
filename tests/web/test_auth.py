"""Login, logout, passwords, CSRF, rate limiting and role checks."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from web.extensions import db
from web.models import User

from .conftest import PASSWORD, USERS


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)[1]


def test_login_page_is_chinese_by_default(client):
    page = client.get("/auth/login").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page
    assert "登录" in page and "用户名" in page


@pytest.mark.parametrize("username", sorted(USERS))
def test_login_success_greets_by_role(client, auth, username):
    response = auth.login(username)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert f"您好，{username}" in page
    role_zh = {"admin": "管理员", "planner": "排班员", "officer": "民警/辅警", "volunteer": "义警"}[username]
    assert f"您当前的身份是{role_zh}" in page


@pytest.mark.parametrize(("username", "password"), [("planner", "wrong-password"), ("nobody", PASSWORD), ("", "")])
def test_login_failure(client, auth, username, password):
    response = auth.login(username, password)
    assert response.status_code == 200
    if username:
        assert "用户名或密码错误" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still anonymous


def test_login_follows_only_local_next(client, auth):
    assert auth.login(query_string={"next": "/planner/"}).headers["Location"] == "/planner/"
    client.post("/auth/logout")
    for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        assert auth.login(query_string={"next": evil}).headers["Location"] == "/"
        client.post("/auth/logout")


def test_logout(client, auth):
    auth.login()
    assert client.get("/").status_code == 200
    response = auth.logout()
    assert response.headers["Location"] == "/auth/login"
    assert client.get("/").status_code == 302
    assert client.get("/auth/logout").status_code == 405  # no logout by a link another site could embed


def test_csrf_rejected_without_token(make_app):
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    response = client.post("/auth/login", data={"username": "planner", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/").status_code == 302  # not logged in

    token = csrf_token(client.get("/auth/login").get_data(as_text=True))
    response = client.post("/auth/login", data={"username": "planner", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert client.post("/auth/logout").status_code == 400  # logout needs the token too


def test_session_cookie_is_httponly_and_samesite_lax(client, auth):
    cookie = auth.login().headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_password_is_stored_hashed(app):
    from web.services.users import create_user

    with app.app_context():
        user = create_user("V0099", "volunteer", "a-secret-pass")
        stored = db.session.scalar(sa.select(User.password_hash).where(User.username == "V0099"))
        assert user.check_password("a-secret-pass") and not user.check_password("a-secret-pasS")
    assert "a-secret-pass" not in stored
    assert stored.startswith("scrypt:")


def test_change_password(client, auth, app):
    auth.login("volunteer")
    form = {"current_password": "wrong", "new_password": "new-password-1", "confirm": "new-password-1"}
    assert "当前密码不正确" in client.post("/auth/password", data=form).get_data(as_text=True)
    form |= {"current_password": PASSWORD, "confirm": "other"}
    assert "两次输入的密码不一致" in client.post("/auth/password", data=form).get_data(as_text=True)
    form |= {"new_password": "short", "confirm": "short"}
    assert "至少需要 8 个字符" in client.post("/auth/password", data=form).get_data(as_text=True)
    form |= {"new_password": "new-password-1", "confirm": "new-password-1"}
    assert client.post("/auth/password", data=form).status_code == 302
    auth.logout()
    assert auth.login("volunteer").status_code == 200  # the old password no longer works
    assert auth.login("volunteer", "new-password-1").status_code == 302


def test_login_rate_limit(client, auth):
    for _ in range(10):
        assert auth.login("planner", "wrong-password").status_code == 200
    response = auth.login("planner", PASSWORD)  # even the right password is refused while locked out
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "登录尝试次数过多" in page and "请等待一分钟后再试" in page
    assert client.get("/auth/login").status_code == 200  # only the POST is limited

    client.get("/lang/en")
    page = auth.login("planner", PASSWORD).get_data(as_text=True)
    assert "Too many login attempts" in page and "wait a minute" in page


def test_rate_limit_is_per_client_ip(client, auth):
    for _ in range(11):
        auth.login("planner", "wrong-password")
    assert auth.login(environ_base={"REMOTE_ADDR": "10.0.0.2"}).status_code == 302


def test_password_change_ends_other_sessions_and_remember_me_cookies(app, auth):
    phone, laptop = app.test_client(), app.test_client()
    assert phone.post("/auth/login", data={"username": "volunteer", "password": PASSWORD,
                                           "remember": "y"}).status_code == 302
    remember = phone.get_cookie("remember_token")
    assert remember is not None and remember.http_only
    assert laptop.post("/auth/login", data={"username": "volunteer", "password": PASSWORD}).status_code == 302
    assert laptop.get("/auth/password").status_code == 200

    form = {"current_password": PASSWORD, "new_password": "new-password-1", "confirm": "new-password-1"}
    assert laptop.post("/auth/password", data=form).status_code == 302
    assert laptop.get("/auth/password").status_code == 200  # the session that changed it goes on

    assert phone.get("/auth/password").status_code == 302  # the old session is over
    stolen = app.test_client()  # only the old remember-me cookie, no session
    stolen.set_cookie("remember_token", remember.value)
    response = stolen.get("/auth/password")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_remember_me_cookie_logs_in_without_a_session(app):
    phone = app.test_client()
    phone.post("/auth/login", data={"username": "volunteer", "password": PASSWORD, "remember": "y"})
    browser_restarted = app.test_client()
    browser_restarted.set_cookie("remember_token", phone.get_cookie("remember_token").value)
    assert browser_restarted.get("/auth/password").status_code == 200
