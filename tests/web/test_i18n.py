"""Chinese first, English second: the switch, the browser's language, and a complete catalogue."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "web" / "translations" / "zh" / "LC_MESSAGES"


def test_language_switch_shows_english(client, auth):
    auth.login("volunteer")
    assert "您好" in client.get("/").get_data(as_text=True)
    response = client.get("/lang/en", query_string={"next": "/"})
    assert response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Hello, volunteer" in page and "You are logged in as volunteer." in page
    assert ">中文</a>" in page  # the way back
    client.get("/lang/zh")
    assert "您好" in client.get("/").get_data(as_text=True)


def test_unknown_language_is_ignored(client):
    client.get("/lang/xx")
    assert "登录" in client.get("/auth/login").get_data(as_text=True)


def test_browser_language_is_used_until_switched(client):
    assert "Log in" in client.get("/auth/login", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert "登录" in client.get("/auth/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(as_text=True)
    client.get("/lang/zh")
    assert "登录" in client.get("/auth/login", headers={"Accept-Language": "en-US"}).get_data(as_text=True)


def test_every_string_has_a_chinese_translation_and_the_mo_is_compiled():
    method_map = [("web/**.py", "python"), ("web/templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
    extracted = {message for _file, _line, message, _comments, _context in
                 extract_from_dir(str(ROOT), method_map, keywords=keywords)}
    extracted = {m if isinstance(m, str) else m[0] for m in extracted}
    with open(CATALOGUE / "messages.po", "rb") as handle:
        po = {m.id: m.string for m in read_po(handle) if m.id}
    missing = sorted(m for m in extracted if not po.get(m))
    assert not missing, f"add to messages.po (pybabel update, then translate): {missing}"
    with open(CATALOGUE / "messages.mo", "rb") as handle:
        mo = {m.id: m.string for m in read_mo(handle) if m.id}
    assert mo == po, "messages.mo is stale: run pybabel compile -d web/translations"
