import re
from pathlib import Path

from django.conf import settings
from django.test import Client
from django.urls import reverse

TEMPLATES = Path(settings.BASE_DIR) / "opentemis" / "templates"


def test_healthz_reports_database(db):
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"]["status"] == "ok"
    assert body["database"]["vendor"] in {"sqlite", "postgresql"}


def test_home_requires_login(db):
    response = Client().get("/")
    assert response.status_code == 302


def test_vietnamese_by_default_english_available(world):
    client = world.client_for(world.officer_a)
    assert 'lang="vi"' in client.get("/").content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert 'lang="en"' in client.get("/").content.decode()


def test_friendly_404_page(world):
    response = world.client_for(world.officer_a).get("/khong-ton-tai/")
    assert response.status_code == 404
    assert "<html" in response.content.decode()


def test_navigation_follows_roles(world):
    officer = world.client_for(world.officer_a).get("/").content.decode()
    teacher = world.client_for(world.teacher_a1).get("/").content.decode()

    def link(name):
        return f'href="{reverse(name)}"'

    assert link("audit_list") in officer and link("account_list") in officer
    assert link("audit_list") not in teacher and link("staff_list") not in teacher
    assert reverse("staff_detail", args=[world.person_a1.pk]) in teacher


def test_no_external_assets_in_templates():
    pattern = re.compile(r"""(src|href)\s*=\s*["'](https?:)?//""", re.I)
    offenders = [
        str(path)
        for path in TEMPLATES.rglob("*.html")
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_first_page_weighs_under_300_kb(db):
    client = Client()
    page = client.get(reverse("login"))
    html = page.content.decode()
    total = len(page.content)
    assets = re.findall(r"""(?:src|href)="(/static/[^"]+)\"""", html)
    assert assets, "the page should load its local CSS and JS"
    static_root = Path(settings.BASE_DIR) / "opentemis" / "static"
    for url in assets:
        total += (static_root / url.removeprefix("/static/")).stat().st_size
    assert total < 300 * 1024


def test_vietnamese_number_grouping():
    from django.contrib.humanize.templatetags.humanize import intcomma
    from django.utils import translation

    with translation.override("vi"):
        assert intcomma(1234567) == "1.234.567"
