"""The OpenAPI document describes exactly the API's routes, and its readable page lists every operation."""

from __future__ import annotations

import re

from web.api.openapi import document

PREFIX = "/api/v1"


def _routes(app) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = re.sub(r"<(?:int:)?(\w+)>", r"{\1}", rule.rule.removeprefix(PREFIX))
            found |= {(method.lower(), path) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return found


def test_document_and_routes_agree(app):
    documented = {(method, path) for path, methods in document()["paths"].items() for method in methods}
    assert documented == _routes(app)


def test_document_is_served_as_json(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.is_json
    body = response.get_json()
    assert body["openapi"].startswith("3.") and body["servers"] == [{"url": "/api/v1"}]
    assert body["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}


def test_every_operation_with_a_token_documents_401_and_403(app):
    for path, methods in document()["paths"].items():
        for method, operation in methods.items():
            if "x-roles" in operation:
                assert {"401", "403"} <= set(operation["responses"]), (method, path)
            else:
                assert operation["security"] == [], (method, path)


def test_readable_page_lists_every_operation_without_outside_assets(client):
    response = client.get("/api/v1/docs", headers={"Accept-Language": "en"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    for path, methods in document()["paths"].items():
        for method in methods:
            assert f'id="{method}-{PREFIX}{path}"' in page, (method, path)
    assert "POST /api/v1/auth/token" in page and "SlotCreate" in page
    assert not re.search(r'(?:src|href)="(?:https?:)?//', page)  # no CDN: there is no internet at runtime
