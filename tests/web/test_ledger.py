"""The fairness ledger over weeks (issue 6 item 3): published rosters only, own record, planners' table and CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from scheduler.model import Assignment
from web.extensions import db
from web.models import Person, User
from web.services import solving
from web.services.ledger import ledger
from web.services.stations import import_station_folder

from .conftest import _HASH, PASSWORD

TINY = Path(__file__).resolve().parents[2] / "fixtures" / "tiny"  # day 08-16, night 22-06: 8 hours each
OLD, W1, W2, W3 = dt.date(2026, 1, 5), dt.date(2026, 3, 2), dt.date(2026, 3, 9), dt.date(2026, 3, 16)  # Mondays
SAT, SUN = 5, 6


def on(week: dt.date, day: int, shift: str, person: str, grid: str = "G1") -> Assignment:
    return Assignment(week + dt.timedelta(days=day), shift, grid, person)


W1_PUBLISHED = [on(W1, 0, "night", "V1"), on(W1, SAT, "day", "V1"), on(W1, 1, "day", "V2", "G2"),
                on(W1, SUN, "night", "P1")]
W1_DRAFT = W1_PUBLISHED + [on(W1, 2, "day", "V1"), on(W1, 3, "night", "V3")]  # newer, never published
W2_REPLACED = [on(W2, 0, "day", "V1"), on(W2, SAT, "night", "V1"), on(W2, 4, "day", "V3")]
W2_PUBLISHED = [on(W2, 2, "day", "V1"), on(W2, SUN, "night", "V2", "G2")]  # v2 of the week, replaces v1
W3_PUBLISHED = [on(W3, 0, "day", "V1")]  # after the chosen week
OLD_PUBLISHED = [on(OLD, 0, "night", "V1")]  # before a two-week look-back

# Hand count of W1 v1 and W2 v2: (nights, weekends, shifts, hours, weeks served)
EXPECTED = {"V1": (1, 1, 3, 24.0, 2), "V2": (1, 1, 2, 16.0, 2), "V3": (0, 0, 0, 0.0, 0),
            "P1": (1, 1, 1, 8.0, 1), "P2": (0, 0, 0, 0.0, 0), "A1": (0, 0, 0, 0.0, 0), "A2": (0, 0, 0, 0.0, 0)}


def _publish(station_id, week, assignments):
    solving.publish_roster(solving.store_roster(station_id, week, assignments))


@pytest.fixture
def station(app):
    """fixtures/tiny with accounts V1 (volunteer), P1 (officer) and the rosters above."""
    with app.app_context():
        row = import_station_folder(TINY)
        db.session.flush()
        for name, role in (("V1", "volunteer"), ("P1", "officer")):
            db.session.add(User(username=name, role=role, password_hash=_HASH, station_id=row.id, person_id=name))
        _publish(row.id, OLD, OLD_PUBLISHED)
        _publish(row.id, W1, W1_PUBLISHED)
        solving.store_roster(row.id, W1, W1_DRAFT)
        _publish(row.id, W2, W2_REPLACED)
        _publish(row.id, W2, W2_PUBLISHED)
        _publish(row.id, W3, W3_PUBLISHED)
        db.session.commit()
        return row.id


def login(client, name):
    assert client.post("/auth/login", data={"username": name, "password": PASSWORD}).status_code == 302


def counts(book) -> dict[str, tuple]:
    return {r.person_id: (r.nights, r.weekends, r.shifts, r.hours, r.weeks) for r in book.rows}


def test_counts_equal_a_hand_count_of_the_newest_published_versions(app, station):
    with app.app_context():
        book = ledger(station, W2 + dt.timedelta(days=3), 2)  # any day of the week stands for its Monday
        assert (book.first_week, book.until_week, book.counted_weeks) == (W1, W2, [W1, W2])
        assert counts(book) == EXPECTED
        assert book.role_average["volunteer"] == {"hours": 13.33, "shifts": 1.67, "nights": 0.67,
                                                  "weekends": 0.67, "weeks": 1.33}
        assert book.role_average["police"]["hours"] == 4.0 and book.role_average["auxiliary"]["shifts"] == 0


def test_the_look_back_excludes_older_weeks_and_reaches_them_when_longer(app, station):
    with app.app_context():
        assert counts(ledger(station, W2, 1))["V1"] == (0, 0, 1, 8.0, 1)  # W2 v2 only
        longer = ledger(station, W2, 10)  # OLD is 9 weeks before W2
        assert longer.counted_weeks == [OLD, W1, W2]
        assert counts(longer)["V1"] == (2, 1, 4, 32.0, 3)
        with pytest.raises(ValueError, match="weeks"):
            ledger(station, W2, 53)


def test_the_ledger_takes_a_few_queries_whatever_the_number_of_people(app, station):
    with app.app_context():
        db.session.add_all(Person(station_id=station, person_id=f"X{i}", name=f"X{i}", role="volunteer")
                           for i in range(40))
        db.session.commit()
        statements = []
        sa.event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
        book = ledger(station, W2, 8)
        assert len(book.rows) == 47 and len(statements) <= 4


def test_a_volunteer_sees_own_figures_and_the_role_average_only(client, station):
    login(client, "V1")
    page = client.get(f"/my/record?week={W2.isoformat()}&weeks=2").get_data(as_text=True)
    hours = re.search(r'data-measure="hours">.*?</tr>', page, re.S).group(0)
    assert 'class="mine" data-value="24.0"' in hours and 'class="average" data-value="13.33"' in hours
    nights = re.search(r'data-measure="nights">.*?</tr>', page, re.S).group(0)
    assert 'data-value="1"' in nights and 'data-value="0.67"' in nights
    assert "杨桂兰" not in page and "赵建国" not in page and "张伟" not in page  # V2, V3, P1
    assert "data-person" not in page and "16.0" not in page  # nobody else's row or hours


def test_an_officer_is_compared_with_the_police_average(client, station):
    login(client, "P1")
    page = client.get(f"/my/record?week={W2.isoformat()}&weeks=2").get_data(as_text=True)
    hours = re.search(r'data-measure="hours">.*?</tr>', page, re.S).group(0)
    assert 'class="mine" data-value="8.0"' in hours and 'class="average" data-value="4.0"' in hours


def test_a_wrong_look_back_is_named_and_the_default_used(client, station):
    login(client, "V1")
    page = client.get("/my/record?weeks=99&week=2026-13-01").get_data(as_text=True)
    assert "weeks" in page and "99" in page and "2026-13-01" in page
    assert 'name="weeks" min="1" max="52" value="8"' in page


def test_planners_see_everyone_sorted_by_a_column(client, station):
    login(client, "planner")
    page = client.get(f"/planner/stations/{station}/ledger?week={W2.isoformat()}&weeks=2&sort=hours")
    assert page.status_code == 200
    order = re.findall(r'data-person="(\w+)"', page.get_data(as_text=True))
    assert order == ["V1", "V2", "P1", "P2", "A1", "A2", "V3"]  # hours, largest first; ties in role order
    by_name = client.get(f"/planner/stations/{station}/ledger?week={W2.isoformat()}&weeks=2&sort=name")
    assert len(re.findall(r'data-person="(\w+)"', by_name.get_data(as_text=True))) == 7
    assert 'data-role="volunteer"' in page.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/planner/stations/{}/ledger", "/planner/stations/{}/ledger.csv"])
def test_volunteers_officers_and_anonymous_are_refused_the_planner_pages(client, station, path):
    url = path.format(station)
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/auth/login")
    for name in ("V1", "P1"):
        login(client, name)
        assert client.get(url).status_code == 403
        client.post("/auth/logout")


def test_the_csv_is_utf8_with_a_bom_and_neutralizes_formulas(app, client, station):
    with app.app_context():
        person = db.session.scalar(sa.select(Person).where(Person.station_id == station, Person.person_id == "V2"))
        person.name = '=HYPERLINK("http://evil.example","点我")'
        db.session.commit()
    login(client, "planner")
    response = client.get(f"/planner/stations/{station}/ledger.csv?week={W2.isoformat()}&weeks=2&sort=hours")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["person_id", "name", "role", "hours", "shifts", "nights", "weekends", "weeks"]
    assert rows[1] == ["V1", "陈秀英", "volunteer", "24.0", "3", "1", "1", "2"]
    assert rows[2][:2] == ["V2", '\'=HYPERLINK("http://evil.example","点我")']
    averages = [r for r in rows if r[0] == ""]
    assert [r[2] for r in averages] == ["police", "auxiliary", "volunteer"]
    assert averages[2][3:] == ["13.33", "1.67", "0.67", "0.67", "1.33"]


def test_a_wrong_look_back_in_the_csv_is_a_clear_400(client, station):
    login(client, "planner")
    response = client.get(f"/planner/stations/{station}/ledger.csv?weeks=0")
    assert response.status_code == 400 and "weeks" in response.get_data(as_text=True)


def test_an_account_without_a_person_gets_a_message_not_an_error(client, station):
    login(client, "volunteer")  # conftest's volunteer account is linked to no station
    response = client.get("/my/record")
    assert response.status_code == 200 and 'class="ledger' not in response.get_data(as_text=True)
    assert "flash error" in response.get_data(as_text=True)
