"""Every page, as every role, stays Vietnamese: no English string in the Vietnamese interface.

The crawl walks the URL resolver: every GET route, those without arguments as they are and those
with arguments filled from a test world (the three-actor world of conftest.py, the evaluation
world of opentemis/evaluations/tests/conftest.py, and a few more records so that the history,
the audit log, notices and evidence have something to show). It signs in as each role, asks for
each page with ``Accept-Language: en-US`` (the browser's language must not switch the
interface), and reads the visible text of every HTML answer, attributes a person sees or hears
(placeholder, title, aria-label, alt, button values) included.

English is recognised without a dictionary: Vietnamese is written in syllables, and a word of
plain ASCII letters that is not a possible Vietnamese syllable ("Save", "password", "submit",
"auth", "None") is foreign; a few English words that happen to be possible syllables ("the",
"True", "not") are listed. Words with Vietnamese diacritics, codes in capitals (TT, BM, PDF),
numbers, file names, e-mail addresses and links are not words here. Technical formats a person
should never read are caught too: Python literals (``{'1': 'Kha'}``), ISO dates, times with
seconds, UTC offsets. Text in an element marked with another language (``lang="en"``, the
language switcher's "English") is that language's, on purpose.

A new route needs its arguments in the ``crawl`` fixture (the test fails naming it) or a reason in
``SKIP``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from opentemis.accounts.models import User
from opentemis.core.scoping import actor_scope, system_scope
from opentemis.training.models import ProgrammeContent
from opentemis.training.services import load_builtin_catalogues
from tests.world_learning import HOSTILE_ROUTES as LEARNING_HOSTILE
from tests.world_learning import learning_kwargs, learning_things

# --- recognising English -------------------------------------------------------------------

# A Vietnamese syllable written without its diacritics: initial consonant, one to three vowels,
# final consonant. English words rarely fit ("save" ends in -ve, "and" in -nd).
VI_SYLLABLE = re.compile(
    r"^(ngh|ng|gh|gi|kh|nh|ph|qu|th|tr|ch|[bcdghklmnprstvx])?[aeiouy]{1,3}(ng|nh|ch|[cmnpt])?$"
)
# English words that are also possible Vietnamese syllables, but not Vietnamese words one reads
# in an interface without diacritics.
ENGLISH_SYLLABLES = {
    "the", "it", "at", "on", "up", "by", "not", "but", "true", "my", "go", "he", "be", "if",
    "yet", "per", "via", "vs", "ok", "hi", "set", "get", "put", "run", "top", "tip", "cut",
    "kit", "hot", "pin", "ping", "king", "long", "song", "ton", "big", "mic",
}  # fmt: skip
# Loanwords written the same in Vietnamese ("file" is as common as "tệp"), names of products,
# and names of ethnic groups (Ra-glai, Bru-Vân Kiều) written without diacritics.
ALLOWED = {
    "OpenTEMIS", "Email", "email", "File", "file", "Excel", "Word", "PowerPoint",
    "OpenDocument", "Zalo", "Google", "Chrome", "Firefox", "glai", "Bru",
    "Video", "video", "SCORM", "Moodle", "zip",
}  # fmt: skip

NOT_WORDS = re.compile(
    r"https?://\S*|www\.\S+|[\w.+-]+@[\w-]+(\.[\w-]+)+"  # links, e-mail addresses
    r"|[\w.()\-]*\.(pdf|xlsx|xls|csv|docx?|yaml|yml|json|png|jpe?g|zip|txt)\b",  # files, types
    re.IGNORECASE,
)
WORD = re.compile(r"[^\W\d_]+")
TECHNICAL = {
    "Python literal": re.compile(r"[{\[]'|'[}\]]|': "),
    "ISO date": re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),
    "time with seconds": re.compile(r"\b\d{1,2}:\d{2}:\d{2}\b"),
    "UTC offset": re.compile(r"[+-]\d\d:\d\d\b"),
}


def english_in(text: str, data: Iterable[str] = ()) -> list[str]:
    """The English words and technical formats in ``text`` (empty for Vietnamese); ``data``:
    identifiers people chose (user names), which are nobody's language."""
    found = [f"{name}: {m.group()!r}" for name, rx in TECHNICAL.items() for m in rx.finditer(text)]
    text = NOT_WORDS.sub(" ", text)
    for identifier in data:
        text = text.replace(identifier, " ")
    for match in WORD.finditer(text):
        word = match.group()
        if not word.isascii() or len(word) == 1 or word in ALLOWED:
            continue
        if word.isupper():  # codes: TT, BM, HT, PDF
            continue
        lower = word.lower()
        if lower in ENGLISH_SYLLABLES or not VI_SYLLABLE.match(lower):
            found.append(word)
    return found


# --- reading what a person sees or hears ---------------------------------------------------

SKIPPED_ELEMENTS = {"script", "style", "textarea", "template"}  # code, and what people typed
HEARD = ("placeholder", "title", "aria-label", "alt")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class VisibleText(HTMLParser):
    """Text nodes and the attributes a person sees or hears, outside elements in another
    language and outside scripts, styles and text areas."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip: list[str] = []  # open elements whose content is skipped (innermost last)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        lang = (attr.get("lang") or "vi").lower()
        untranslated = attr.get("translate") == "no"  # a name: the brand, a code
        if self._skip:
            if tag not in VOID:
                self._skip.append(tag)
            return
        if tag in SKIPPED_ELEMENTS or untranslated or (tag != "html" and not lang.startswith("vi")):
            if tag not in VOID:
                self._skip.append(tag)
            return
        self.parts.extend(attr[name] or "" for name in HEARD if attr.get(name))
        if tag == "input" and attr.get("type") in {"submit", "button", "reset"}:
            self.parts.append(attr.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if self._skip and self._skip[-1] == tag:
            self._skip.pop()

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    return parser.parts


def english_on_page(html: str, data: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(what, the text it is in) for each English finding of a page."""
    return [(found, part[:120]) for part in visible_text(html) for found in english_in(part, data)]


# --- the detector itself -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Save",
        "This field is required.",
        "Your password can\u2019t be too similar to your other personal information.",
        "evaluation.submit",
        "auth.login_failed",
        "before: {'1': 'Kha'}",
        "True",
        "None",
        "2026-05-17 07:51:03.123456+00:00",
        "Menu",
        "Page 2 of 5",
    ],
)
def test_detector_finds_english(text: str) -> None:
    assert english_in(text)


@pytest.mark.parametrize(
    "text",
    [
        "Lưu bản nháp",
        "Trường Tiểu học Hòa An · Nguyễn Văn An",
        "Thông tư 20/2018/TT-BGDĐT, BM1, PDF, Excel",
        "Tải mẫu staff_template.xlsx hoặc gửi tới hotro@example.edu.vn",
        "17/05/2026 14:51",
        "Tiêu chí 3: Khá → Tốt",
        "Nguyen Van A, Hoa An, Ban giam hieu",  # Vietnamese typed without diacritics
        "OpenTEMIS",
    ],
)
def test_detector_passes_vietnamese(text: str) -> None:
    assert english_in(text) == []


def test_visible_text_reads_attributes_and_skips_scripts_and_other_languages() -> None:
    html = (
        '<html lang="vi"><head><title>Trang chủ</title><style>.a{color:red}</style></head>'
        '<body><input placeholder="Search"><button aria-label="Close">\u00d7</button>'
        "<script>var x = 'Hello';</script><textarea>typed by a person</textarea>"
        '<button lang="en">English</button><img src="a.png" alt="Logo"><br>'
        '<input type="submit" value="Submit"><p>Xin chào</p></body></html>'
    )
    seen = ["Trang chủ", "Search", "Close", "\u00d7", "Logo", "Submit", "Xin chào"]
    assert visible_text(html) == seen


# --- the routes ----------------------------------------------------------------------------

# Routes the crawl does not read, and why.
SKIP = {
    "logout": "POST only",
    "set_language": "POST only",
    "healthz": "a machine's answer (JSON)",
    "cycle_finish": "POST only",
    "evaluation_autosave": "POST only",
    "evaluation_preview": "an HTMX fragment computed from posted levels",
    "notice_read_all": "POST only",
    "report_export": "files (PDF, xlsx, JSON), not pages",
    "job_download": "a file",
    "job_retry": "POST only",
    "evidence_download": "a file",
    "framework_xlsx": "a file",
    "training_catalogue_lock": "POST only",
    "training_catalogue_new_version": "POST only",
    "training_catalogue_export": "a file",
    "bdtx_ledger_add": "POST only",
    "bdtx_ledger_dispute": "POST only",
    "bdtx_school_confirm": "POST only",
    "bdtx_school_reject": "POST only",
    "bdtx_school_record": "POST only",
    "bdtx_school_assess": "POST only",
    "bdtx_school_compute": "POST only",
    "bdtx_school_results_confirm": "POST only",
    "bdtx_school_results_export": "files (PDF, xlsx), not pages",
    **dict.fromkeys(
        (
            "plan_save",
            "plan_item_add",
            "plan_change_request",
            "plan_item_update",
            "plan_item_remove",
            "plan_deadline",
            "plan_approve",
            "plan_return",
            "plan_change_decide",
        ),
        "POST only",
    ),
    "plans_school_activity": "POST only",
    "plans_school_report": "POST only",
    **dict.fromkeys(LEARNING_HOSTILE, "POST only, or a file (tests/world_*.py HOSTILE)"),
}


def _walk(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern), entry


def page_routes() -> list[tuple[str, list[str]]]:
    """(name, argument names) of every page route: the API and Django's admin are not pages,
    and routes ending in a file extension serve files."""
    routes = []
    for route, entry in _walk(get_resolver()):
        if route.startswith(("admin/", "api/")) or not entry.name or entry.name in SKIP:
            continue
        if re.search(r"\.[a-z]{3,4}$", route):
            continue
        routes.append((entry.name, sorted(entry.pattern.converters)))
    return routes


@dataclass
class Crawl:
    roles: dict[str, Any]
    kwargs: dict[str, list[dict[str, Any]]]
    # Arguments of routes the crawl does not read but the hostile-input test posts to.
    hostile: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # The learning apps' things (tests/world_learning.py): kind -> (pk, owner).
    learning: dict[str, tuple[int, Any]] = field(default_factory=dict)


@pytest.fixture
def crawl(ev: Any) -> Crawl:
    """The evaluation world, with a history worth reading: a self-evaluation returned,
    resubmitted, given an opinion and finalised; a colleague's submitted one; the principal's
    own (with its poll); a failed sign-in; a unit and a staff record changed; a notice; a job;
    an evidence link."""
    from opentemis.accounts.services import login_failed
    from opentemis.evaluations import services
    from opentemis.evidence.services import evidence_add_link
    from opentemis.jobs.services import job_create
    from opentemis.notifications.models import Notice
    from opentemis.orgs.services import unit_update
    from opentemis.plans import services as plan_services
    from opentemis.staff.services import person_update
    from tests.factories import make_user

    w = ev.w
    admin = make_user("root", superuser=True)
    names = {
        w.officer_a: "Đỗ Thị Sở",
        w.principal_a1: "Trần Thị Hiệu",
        w.teacher_a1: "Nguyễn Văn An",
        ev.leader: "Võ Văn Tổ",
        admin: "Quản Trị Viên",
    }
    for user, name in names.items():
        user.first_name = name
        user.save(update_fields=["first_name"])
    mine = ev.submitted()
    with system_scope():
        mine = services.evaluation_return(
            actor=w.principal_a1, evaluation=mine, version=mine.version, reason="Bổ sung minh chứng"
        )
        mine = services.evaluation_submit(
            actor=w.teacher_a1, evaluation=mine, version=mine.version, levels=ev.levels("Kha")
        )
        services.opinion_give(actor=ev.colleague, evaluation=mine, level="Tot", comment="Tốt")
        mine = services.evaluation_finalise(
            actor=w.principal_a1, evaluation=mine, version=mine.version, levels=ev.levels("Kha")
        )
        leaders = ev.submitted(ev.leader)
        principals = ev.submitted(w.principal_a1)
        unit_update(
            actor=w.officer_a,
            unit=w.school_a1,
            name=w.school_a1.name,
            kind=w.school_a1.kind,
            levels=["TH"],
            disadvantaged_area=True,
            status=w.school_a1.status,
        )
        person = w.person_a1
        person_update(
            actor=w.principal_a1,
            person=person,
            version=person.version,
            fields={"phone": "0912345678", "subject_group": None},
        )
        link = evidence_add_link(
            actor=w.teacher_a1, owner=w.person_a1, url="https://example.edu.vn/bai-giang"
        )
        job = job_create(actor=w.officer_a, kind="evaluations.print_school", unit=w.school_a1)
    with actor_scope(w.teacher_a1):
        login_failed(username="teacher_a1")
    notice = Notice.objects.create(
        recipient=w.teacher_a1, unit=w.school_a1, title="Nhắc nhở tự đánh giá", body="Hạn 15/5."
    )
    catalogue = load_builtin_catalogues(school_year=w.year).catalogues[0][0]
    with system_scope():  # before the content below, which the pages then edit and remove
        plan = plan_services.plan_open(actor=w.teacher_a1, person=w.person_a1, school_year=w.year)
    content = ProgrammeContent.objects.create(
        school_year=w.year, programme="02", unit=w.province_a, code="SA-01", title="Địa phương"
    )
    evaluations = [{"pk": e.pk} for e in (mine, leaders, principals)]
    kwargs = {
        "account_roles": [{"pk": w.teacher_a1.pk}],
        "account_reset_password": [{"pk": w.teacher_a1.pk}],
        "unit_detail": [{"pk": w.province_a.pk}, {"pk": w.school_a1.pk}],
        "unit_children": [{"pk": w.province_a.pk}],
        "unit_edit": [{"pk": w.school_a1.pk}],
        "unit_move": [{"pk": w.school_a1.pk}],
        "unit_move_submit": [{"pk": w.school_a1.pk}],
        "staff_detail": [{"pk": w.person_a1.pk}],
        "staff_edit": [{"pk": w.person_a1.pk}],
        "staff_core_toggle": [{"pk": w.person_a1.pk}],
        "staff_transfer": [{"pk": w.person_a1.pk}],
        "framework_detail": [{"pk": mine.framework_id}],
        "framework_year": [{"code": w.year.code}],
        "framework_year_defaults": [{"code": w.year.code}],
        "framework_application_remove": [{"code": w.year.code, "pk": 1}],
        "evaluator_rule_remove": [{"pk": 1}],
        "cycle_detail": [{"pk": ev.cycle.pk}],
        "evaluation_school": [{"unit_pk": w.school_a1.pk}],
        "print_school_all": [{"unit_pk": w.school_a1.pk}],
        "paper_home": [{"unit_pk": w.school_a1.pk}],
        "paper_confirm": [{"unit_pk": w.school_a1.pk}],
        "evidence_delete": [{"pk": link.pk}],
        "evidence_person_library": [{"person_pk": w.person_a1.pk}],
        "job_detail": [{"pk": job.pk}],
        "report_unit": [{"pk": w.province_a.pk}, {"pk": w.school_a1.pk}],
        "report_remind": [{"pk": w.school_a1.pk}],
        "notice_detail": [{"pk": notice.pk}],
        "training_catalogue": [{"pk": catalogue.pk}],
        "training_module_edit": [{"pk": catalogue.modules.values_list("pk", flat=True)[0]}],
        "training_contents": [{"unit": w.province_a.pk}],
        "training_content_edit": [{"pk": content.pk}],
        "plan_review": [{"pk": plan.pk}],
        "password_reset_confirm": [{"uidb64": "MQ", "token": "invalid-token"}],
        "bdtx_ledger": [{"person": w.person_a1.pk}],
        "bdtx_result": [{"person": w.person_a1.pk, "year": w.year.code}],
        "bdtx_school": [{"unit": w.school_a1.pk}],
        "plans_rollup": [{"unit": w.province_a.pk}, {"unit": w.school_a1.pk}],
        "plans_school": [{"unit": w.school_a1.pk}],
        "plans_school_plans": [{"unit": w.province_a.pk}],
    }
    for name in (
        "evaluation_detail",
        "evaluation_self",
        "evaluation_evidence",
        "evaluation_review",
        "evaluation_acknowledge",
        "evaluation_reopen",
        "evaluation_poll",
    ):
        kwargs[name] = evaluations
    roles = {
        "teacher": w.teacher_a1,
        "group leader": ev.leader,
        "principal": w.principal_a1,
        "officer": w.officer_a,
        "admin": admin,
    }
    learning = learning_things(w)
    kwargs.update(learning_kwargs(learning, "CRAWL"))
    return Crawl(
        roles=roles,
        kwargs=kwargs,
        hostile=learning_kwargs(learning, "HOSTILE"),
        learning=learning,
    )


def test_every_page_route_has_arguments_or_a_reason(crawl: Crawl) -> None:
    missing = [name for name, args in page_routes() if args and name not in crawl.kwargs]
    assert missing == [], f"give these routes arguments in crawl(), or a reason in SKIP: {missing}"


def _urls(crawl: Crawl) -> list[str]:
    urls = []
    for name, args in page_routes():
        for kwargs in crawl.kwargs.get(name, [{}]) if args else [{}]:
            urls.append(reverse(name, kwargs=kwargs))
    return urls


@pytest.mark.parametrize("role", ["teacher", "group leader", "principal", "officer", "admin"])
def test_every_page_is_vietnamese_for(role: str, crawl: Crawl) -> None:
    client = Client(headers={"accept-language": "en-US,en;q=0.9"})
    client.force_login(crawl.roles[role])
    findings: dict[str, list[str]] = {}
    names = list(User.objects.values_list("username", flat=True))
    pages = 0
    for url in _urls(crawl):
        response = client.get(url)
        if not response["Content-Type"].startswith("text/html"):
            continue
        pages += 1
        html = response.content.decode()
        where = findings.setdefault(f"{url} [{response.status_code}]", [])
        if '<html lang="vi"' not in html and "<html" in html:
            where.append("the page is not served in Vietnamese (html lang)")
        where.extend(f"{found} in {context!r}" for found, context in english_on_page(html, names))
    assert pages > 20
    findings = {url: found for url, found in findings.items() if found}
    report = "\n".join(f"{url}: " + "; ".join(dict.fromkeys(f)) for url, f in findings.items())
    assert not findings, f"English in the Vietnamese interface as {role}:\n{report}"


def test_login_page_is_vietnamese_for_an_english_browser(client: Client, db: Any) -> None:
    response = client.get(reverse("login"), headers={"accept-language": "en-US,en;q=0.9"})
    assert response.status_code == 200
    assert '<html lang="vi"' in response.content.decode()
    assert english_on_page(response.content.decode()) == []


def test_refusals_of_sign_in_and_password_forms_are_vietnamese(world: Any) -> None:
    """The crawl reads pages as they are first shown; these are the answers to wrong input."""
    browser = Client(headers={"accept-language": "en-US,en;q=0.9"})
    answers = [browser.post(reverse("login"), {"username": "teacher_a1", "password": "sai"})]
    browser.force_login(world.teacher_a1)
    for new in ("abc", "12345678", "teacher_a1", "password"):
        answers.append(
            browser.post(
                reverse("password_change"),
                {"old_password": "Mat-khau-2025!", "new_password1": new, "new_password2": new},
            )
        )
    answers.append(
        browser.post(
            reverse("password_change"),
            {"old_password": "sai", "new_password1": "Ab-12345x", "new_password2": "Ab-12345y"},
        )
    )
    names = ["teacher_a1"]
    findings = [english_on_page(a.content.decode(), names) for a in answers]
    assert all(a.status_code == 200 for a in answers)
    assert all(
        re.search(r'class="(errorlist|alert alert-error)', a.content.decode()) for a in answers
    )
    assert findings == [[]] * len(answers)
