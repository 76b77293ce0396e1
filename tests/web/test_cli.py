"""run.py's portal commands: create-user and serve --demo; and what the processes import."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

import run
from web.extensions import db
from web.models import User

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def instance(tmp_path, monkeypatch) -> Path:
    """The portal's instance folder for run.py commands in this test (and no DATABASE_URL)."""
    monkeypatch.setenv("PINGAN_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("SECRET_KEY", "cli-test")
    return tmp_path / "instance"


def users_in(database: Path) -> dict[str, tuple]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT username, role, person_id, password_hash FROM user").fetchall()
    return {name: (role, person, hashed) for name, role, person, hashed in rows}


def test_create_user_in_a_subprocess(instance):
    done = subprocess.run([sys.executable, "run.py", "create-user", "chief", "--role", "admin", "--password",
                           "s3cret-pass"], cwd=ROOT, capture_output=True, text=True, encoding="utf-8",
                          env=os.environ | {"PYTHONIOENCODING": "utf-8"}, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Created user 'chief' with role admin" in done.stdout
    role, person, hashed = users_in(instance / "pingan.sqlite")["chief"]
    assert role == "admin" and person is None and hashed.startswith("scrypt:")


def test_create_user_errors_and_password_prompt(instance, monkeypatch, capsys):
    assert run.main(["create-user", "x", "--role", "volunteer", "--person", "V0001", "--password", "long-enough"]) == 2
    assert "no person 'V0001'" in capsys.readouterr().err
    assert run.main(["create-user", "x", "--role", "planner", "--password", "short"]) == 2
    assert "at least 8 characters" in capsys.readouterr().err

    answers = iter(["typed-password", "typed-password"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert run.main(["create-user", "x", "--role", "planner"]) == 0
    assert run.main(["create-user", "x", "--role", "planner", "--password", "long-enough"]) == 2
    assert "taken" in capsys.readouterr().err
    assert set(users_in(instance / "pingan.sqlite")) == {"x"}

    answers = iter(["one-password", "another-password"])
    assert run.main(["create-user", "y", "--role", "planner"]) == 2
    assert "differ" in capsys.readouterr().err


def test_serve_demo_seeds_once_and_prints_the_password(instance, monkeypatch, capsys):
    started = []
    monkeypatch.setattr("flask.Flask.run", lambda app, **options: started.append(options))
    assert run.main(["serve", "--demo", "--port", "5099"]) == 0
    out = capsys.readouterr().out
    password = (instance / "demo-password.txt").read_text(encoding="utf-8").strip()
    assert f"demo-only password: {password}" in out and "imported 五里墩派出所" in out
    assert started == [{"host": "127.0.0.1", "port": 5099, "debug": False, "use_reloader": False, "threaded": True}]

    users = users_in(instance / "pingan.sqlite")
    assert len(users) == 151
    assert users["planner"][:2] == ("planner", None)
    assert users["V0001"][:2] == ("volunteer", "V0001") and users["P001"][:2] == ("officer", "P001")
    assert users["A001"][:2] == ("officer", "A001")

    assert run.main(["serve", "--demo"]) == 0  # a second start seeds nothing more, same password
    out = capsys.readouterr().out
    assert "nothing was seeded" in out and password in out
    assert len(users_in(instance / "pingan.sqlite")) == 151

    from web import create_app

    app = create_app({"RATELIMIT_ENABLED": False})
    with app.app_context():
        planner = db.session.scalar(sa.select(User).where(User.username == "planner"))
        assert planner.check_password(password)
        db.engine.dispose()
    client = app.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/auth/login", data={"username": "V0042", "password": password, "csrf_token": token})
    assert response.status_code == 302


def test_engine_commands_do_not_load_flask_and_the_portal_never_loads_a_solver():
    code = (
        "import sys, run\n"
        "assert 'flask' not in sys.modules, 'run.py loads Flask for the engine commands'\n"
        "import pkgutil, importlib, web\n"
        "for module in pkgutil.walk_packages(web.__path__, 'web.'):\n"
        "    importlib.import_module(module.name)\n"
        "web.create_app({'SQLALCHEMY_DATABASE_URI': 'sqlite://', 'SECRET_KEY': 'x'})\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('ortools', 'pulp'))\n"
        "assert not loaded, loaded\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
