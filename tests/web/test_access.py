"""Every route checks roles: enumerated from the app's URL map, never hand-picked (STYLE.md)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from web import create_app
from web.api.tokens import issue_token
from web.config import TestConfig
from web.extensions import db
from web.models import USER_ROLES, User

from .conftest import settings

PUBLIC_ENDPOINTS = {"static", "auth.login", "main.set_language", "volunteer.calendar_feed"}  # the feed: a secret token
PUBLIC_ENDPOINTS |= {"api.health", "api.create_token", "api.openapi_json", "api.docs"}  # the API's open doors


def _routes():
    app = create_app(settings(TestConfig))
    rules = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"OPTIONS", "HEAD"})[0]
        url = rule.rule
        for argument in rule.arguments:
            url = url.replace(f"<{argument}>", "1").replace(f"<int:{argument}>", "1")
        rules.append((rule.endpoint, method, url, getattr(view, "required_roles", None), view))
    return rules


ROUTES = _routes()
PROTECTED = [(endpoint, method, url, roles) for endpoint, method, url, roles, _ in ROUTES
             if roles is not None and not endpoint.startswith("api.")]
# The JSON API (bearer tokens): 401 instead of the login page, 403 as JSON.
API = [(endpoint, method, url, roles) for endpoint, method, url, roles, _ in ROUTES
       if roles is not None and endpoint.startswith("api.")]


def test_every_route_is_protected_or_declared_public():
    for endpoint, _method, _url, roles, view in ROUTES:
        if endpoint in PUBLIC_ENDPOINTS:
            assert getattr(view, "public", False) or endpoint == "static", endpoint
        else:
            assert roles, f"{endpoint} has no roles_required"
            assert roles <= set(USER_ROLES)


@pytest.mark.parametrize(("endpoint", "method", "url", "roles"), PROTECTED, ids=[p[0] for p in PROTECTED])
def test_anonymous_is_sent_to_login(client, endpoint, method, url, roles):
    response = client.open(url, method=method)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")


REFUSED = [(role, endpoint, method, url) for endpoint, method, url, roles in PROTECTED
           for role in USER_ROLES if role not in roles]


@pytest.mark.parametrize(("role", "endpoint", "method", "url"), REFUSED, ids=[f"{r[0]}-{r[1]}" for r in REFUSED])
def test_other_roles_get_403(client, auth, role, endpoint, method, url):
    auth.login(role)
    assert client.open(url, method=method).status_code == 403


def test_planner_only_page(client, auth):
    auth.login("volunteer")
    response = client.get("/planner/")
    assert response.status_code == 403
    assert "您的账户无权打开此页面" in response.get_data(as_text=True)
    auth.logout()
    auth.login("planner")
    assert client.get("/planner/").status_code == 200


def test_anonymous_redirected_from_protected_page(client):
    response = client.get("/planner/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login?next=%2Fplanner%2F"


@pytest.mark.parametrize(("endpoint", "method", "url", "roles"), API, ids=[p[0] for p in API])
def test_api_without_a_token_is_401_json(client, endpoint, method, url, roles):
    response = client.open(url, method=method)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "token_missing"


API_REFUSED = [(role, endpoint, method, url) for endpoint, method, url, roles in API
               for role in USER_ROLES if role not in roles]


@pytest.mark.parametrize(("role", "endpoint", "method", "url"), API_REFUSED,
                         ids=[f"{r[0]}-{r[1]}" for r in API_REFUSED])
def test_api_other_roles_get_403_json(app, client, role, endpoint, method, url):
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == role))
        token = issue_token(user)[0]
    response = client.open(url, method=method, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"


def test_the_api_is_audited_too():
    assert len(API) > 30 and {"api.sign_up", "api.create_slot", "api.people_create"} <= {a[0] for a in API}
