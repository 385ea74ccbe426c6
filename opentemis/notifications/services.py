"""Writes: remind lagging units (in-app notices and emails, recorded), mark notices read.

:func:`remind_units` is the one action behind the dashboard's "remind" button (issue 4 item 4).
For each target unit it finds the people responsible for the lagging work: a school's principal
and school administrators; for a commune or a department, its own unit officers **and the
principals (and school administrators) of its lagging schools beneath it** (completion below
group A, read from the report's summary rows), since a commune usually has no account of its own
and the work waits in its schools (issue 9 item 4). Teachers are not reminded one by one: their
principal answers for the school's progress, and the daily deadline notices already tell each
teacher with a pending self-evaluation (``events.remind_deadlines``). Each person reached gets
a :class:`Notice` about the school concerned, and one email if they have an address.
Emails leave after the commit, from a task (``send_reminder_emails``): a mail server that is
down never fails the request; failures are logged and counted on the :class:`Reminder`.

Notices and emails are written in the site language (Vietnamese) whatever the sender's page
language: they are stored text, read later by someone else.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Mapping

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from opentemis.accounts.audit_text import person_name
from opentemis.accounts.models import RoleAssignment, User
from opentemis.accounts.permissions import has_perm_on, perm_paths, require_perm_on
from opentemis.accounts.roles import Perm, Role
from opentemis.accounts.services import audit
from opentemis.core.text import normalize_text
from opentemis.evaluations.selectors import cycles_covering
from opentemis.notifications import emails, selectors
from opentemis.notifications.models import (
    EmailChoice,
    EmailState,
    Notice,
    NoticePreference,
    Reminder,
    ReminderTarget,
)
from opentemis.orgs.models import SchoolYear, Unit, UnitKind
from opentemis.orgs.selectors import current_school_year
from opentemis.reports.models import EvalCell
from opentemis.reports.refresh import ensure_fresh

logger = logging.getLogger(__name__)

# Who is told about a unit: the roles that manage it, by kind of unit.
SCHOOL_RECIPIENT_ROLES = (Role.PRINCIPAL, Role.SCHOOL_ADMIN)
OFFICE_RECIPIENT_ROLES = (Role.UNIT_OFFICER,)
# One sender reminds one unit at most once in this interval, unless forced.
MIN_INTERVAL = dt.timedelta(hours=1)
MAX_MESSAGE = 4000


class RecentlyReminded(ValidationError):
    """Some targets were reminded by the same sender less than ``MIN_INTERVAL`` ago.

    ``units`` lists them, so a page can show them and offer to send anyway (``force=True``).
    """

    def __init__(self, units: list[Unit]) -> None:
        self.units = units
        names = ", ".join(u.name for u in units)
        super().__init__(
            _(
                "You already reminded %(units)s less than an hour ago. "
                "Wait before reminding them again, or confirm to send anyway."
            )
            % {"units": names},
            code="recently_reminded",
        )


def recipient_roles(unit: Unit) -> tuple[str, ...]:
    return SCHOOL_RECIPIENT_ROLES if unit.is_school else OFFICE_RECIPIENT_ROLES


def recipients_of(units: Iterable[Unit]) -> dict[int, list[User]]:
    """Active users holding a managing role on each unit itself (not on an ancestor)."""
    by_id = {u.pk: u for u in units}
    result: dict[int, list[User]] = {pk: [] for pk in by_id}
    grants = (
        RoleAssignment.objects.filter(
            unit_id__in=list(by_id),
            is_active=True,
            user__is_active=True,
            role__in={*SCHOOL_RECIPIENT_ROLES, *OFFICE_RECIPIENT_ROLES},
        )
        .select_related("user")
        .order_by("unit_id", "user__username")
    )
    for grant in grants:
        unit = by_id[grant.unit_id]
        people = result[unit.pk]
        if grant.role in recipient_roles(unit) and all(u.pk != grant.user_id for u in people):
            people.append(grant.user)
    return result


def completion_rates(*, units: list[Unit], school_year: SchoolYear | None) -> dict[int, float]:
    """Percent finalised of each unit's subtree in ``school_year`` (no entry: nobody to evaluate).

    Read from the TEMIS report's summary rows (brought up to date first, as a report is), so
    a reminder states the rate the dashboard shows, without recounting the subtrees.
    """
    if school_year is None or not units:
        return {}

    ensure_fresh(school_year, settings.REPORT_MAX_STALENESS)
    totals: dict[int, list[int]] = {u.pk: [0, 0] for u in units}
    for unit_id, to_evaluate, finalised in EvalCell.objects.filter(
        school_year=school_year, unit__in=units
    ).values_list("unit_id", "to_evaluate", "finalised"):
        totals[unit_id][0] += to_evaluate
        totals[unit_id][1] += finalised
    return {
        pk: round(100.0 * finalised / whole, 1)
        for pk, (whole, finalised) in totals.items()
        if whole
    }


def review_deadlines(*, units: list[Unit], school_year: SchoolYear | None) -> dict[int, dt.date]:
    """The review deadline of the open cycle covering each unit (the nearest one above it)."""
    if school_year is None or not units:
        return {}
    cycles = cycles_covering([u.path for u in units], school_year=school_year, open_only=True)
    return {u.pk: cycles[u.path].review_due for u in units if u.path in cycles}


def lagging_schools(
    *, units: list[Unit], school_year: SchoolYear | None
) -> dict[int, list[tuple[Unit, float]]]:
    """For each non-school unit, its schools beneath below group A's completion, with their
    rate (percent finalised), from the report's summary rows: one grouped query, one for the
    schools. Schools with nobody to evaluate are not lagging."""
    offices = [u for u in units if not u.is_school]
    if school_year is None or not offices:
        return {}

    ensure_fresh(school_year, settings.REPORT_MAX_STALENESS)
    threshold = settings.REPORT_GROUPS[0][1]
    under = Q()
    for office in offices:
        under |= Q(unit_path__startswith=office.path)
    rows = (
        EvalCell.objects.filter(under, school_year=school_year)
        .filter(unit__kind__in=[UnitKind.SCHOOL, UnitKind.GDTX_CENTRE])
        .values("unit_id")
        .annotate(whole=Sum("to_evaluate"), done=Sum("finalised"))
    )
    rates = {
        r["unit_id"]: round(100.0 * r["done"] / r["whole"], 1)
        for r in rows
        if r["whole"] and 100.0 * r["done"] / r["whole"] < threshold
    }
    schools = Unit.objects.filter(pk__in=list(rates)).order_by("path")
    result: dict[int, list[tuple[Unit, float]]] = {o.pk: [] for o in offices}
    for school in schools:
        # The nearest target above the school (targets are usually siblings).
        owner = max(
            (o for o in offices if school.path.startswith(o.path)), key=lambda o: len(o.path)
        )
        result[owner.pk].append((school, rates[school.pk]))
    return result


def _from_unit(actor: User, targets: list[Unit], given: Unit | None) -> Unit:
    """The unit the sender acts from: ``given`` (checked: the actor sees it and it holds every
    target), else the actor's own unit granting ``Perm.SEND_REMINDERS`` over all targets (the
    nearest one), else, for a superuser, the nearest unit above all targets."""
    if given is not None:
        require_perm_on(actor, Perm.VIEW_EVALUATIONS, given.path)
        if not all(t.path.startswith(given.path) for t in targets):
            raise ValidationError(_("Only units inside the chosen unit can be reminded."))
        return given
    paths = perm_paths(actor, Perm.SEND_REMINDERS)
    if paths is None:
        common = targets[0].path[: -Unit.steplen] or targets[0].path
        for target in targets[1:]:
            while not target.path.startswith(common):
                common = common[: -Unit.steplen]
        candidates: tuple[str, ...] = (common,) if common else ()
    else:
        candidates = tuple(p for p in paths if all(t.path.startswith(p) for t in targets))
    unit: Unit | None = Unit.objects.filter(path__in=candidates).order_by("-depth").first()
    if unit is None:
        raise ValidationError(_("Remind the units of one of your units at a time."))
    return unit


def _status_lines(
    *, rate: float | None, deadline: dt.date | None, school_year: SchoolYear | None
) -> list[str]:
    if rate is None:
        lines = [_("The evaluation of your unit is not finalised yet.")]
    elif school_year is not None:
        lines = [
            _("The evaluation of your unit for the school year %(year)s is %(rate)s%% finalised.")
            % {"year": school_year.code, "rate": formats.number_format(rate, 1)}
        ]
    else:
        lines = [
            _("The evaluation of your unit is %(rate)s%% finalised.")
            % {"rate": formats.number_format(rate, 1)}
        ]
    if deadline is not None:
        lines.append(_("The deadline is %(date)s.") % {"date": deadline.strftime("%d/%m/%Y")})
    return lines


def _notice_body(
    *,
    unit: Unit,
    message: str,
    sender: str,
    from_unit: Unit,
    rate: float | None,
    deadline: dt.date | None,
    school_year: SchoolYear | None,
) -> str:
    status = " ".join(_status_lines(rate=rate, deadline=deadline, school_year=school_year))
    if message:
        return f"{message}\n\n{unit.name}: {status}"
    return "\n\n".join(
        [
            _("Dear %(unit)s,") % {"unit": unit.name},
            status,
            _("Please complete the evaluation of your teachers and managers on time."),
            f"{sender}\n{from_unit.name}",
        ]
    )


@transaction.atomic
def remind_units(
    *,
    actor: User,
    units: Iterable[Unit],
    school_year: SchoolYear | None = None,
    message: str = "",
    url_for_unit: Callable[[Unit], str] | None = None,
    rates: Mapping[int, float | None] | None = None,
    from_unit: Unit | None = None,
    force: bool = False,
) -> Reminder:
    """Remind ``units``: a notice to each of their managers, an email to those with an address.

    - 404 unless the actor holds ``Perm.VIEW_EVALUATIONS`` on every target; 403 unless they
      also hold ``Perm.SEND_REMINDERS`` there (unit officers, system administrators).
    - ``school_year``: defaults to the current one; gives the rate and the cycle's deadline.
    - ``message``: the sender's text; empty means a polite default written per unit.
    - ``url_for_unit(unit)``: a link stored on each notice (e.g. the unit's report page).
    - ``rates``: {unit id: percent} as the caller's dashboard showed them; missing units are
      computed (percent finalised).
    - ``from_unit``: the unit the sender acts from (the dashboard's unit; every target must be
      inside it); by default the actor's own role unit covering all targets. The reminder is
      scoped by its path.
    - Raises :class:`RecentlyReminded` if the actor reminded one of the units less than
      ``MIN_INTERVAL`` ago, unless ``force``.
    """
    targets = list({u.pk: u for u in units}.values())
    if not targets:
        raise ValidationError(_("Choose at least one unit to remind."))
    for unit in targets:
        require_perm_on(actor, Perm.VIEW_EVALUATIONS, unit.path)
    if not all(has_perm_on(actor, Perm.SEND_REMINDERS, u.path) for u in targets):
        raise PermissionDenied
    origin = _from_unit(actor, targets, from_unit)
    now = timezone.now()
    if not force:
        recent = set(
            selectors.recently_reminded(
                actor=actor, unit_ids=[u.pk for u in targets], since=now - MIN_INTERVAL
            )
        )
        if recent:
            raise RecentlyReminded([u for u in targets if u.pk in recent])
    if school_year is None:
        school_year = current_school_year()
    message = normalize_text(message)[:MAX_MESSAGE]
    known = dict(rates or {})
    missing = [u for u in targets if u.pk not in known]
    known.update(completion_rates(units=missing, school_year=school_year))
    deadlines = review_deadlines(units=targets, school_year=school_year)
    beneath = lagging_schools(units=targets, school_year=school_year)
    schools = [school for rows in beneath.values() for school, _rate in rows]
    recipients = recipients_of([*targets, *schools])
    sender = person_name(actor)

    with translation.override(settings.LANGUAGE_CODE):
        if school_year is not None:
            title = _("Reminder: complete the evaluation of the school year %(year)s") % {
                "year": school_year.code
            }
        else:
            title = _("Reminder: complete the evaluation")
        reminder = Reminder.objects.create(
            sent_by=actor,
            sent_at=now,
            school_year=school_year,
            from_unit=origin,
            title=title[:200],
            message=message,
        )
        rows: list[ReminderTarget] = []
        notices: list[Notice] = []
        told: set[tuple[int, int]] = set()  # (person, unit): one notice each
        for target in targets:
            deadline = deadlines.get(target.pk)
            # The target's own managers about the target, then each lagging school's.
            concerned = [(target, known.get(target.pk)), *beneath.get(target.pk, [])]
            reached: set[int] = set()
            for unit, rate in concerned:
                people = [
                    p
                    for p in recipients[unit.pk]
                    if p.pk != actor.pk and (p.pk, unit.pk) not in told
                ]
                if not people:
                    continue
                body = _notice_body(
                    unit=unit,
                    message=message,
                    sender=sender,
                    from_unit=origin,
                    rate=rate,
                    deadline=deadline,
                    school_year=school_year,
                )
                url = _safe_url(url_for_unit(unit)) if url_for_unit is not None else ""
                for person in people:
                    told.add((person.pk, unit.pk))
                    reached.add(person.pk)
                    notices.append(
                        Notice(
                            recipient=person,
                            reminder=reminder,
                            unit=unit,
                            title=f"{title} · {unit.name}"[:200],
                            body=body,
                            url=url,
                            created_at=now,
                            email_state=EmailState.PENDING if person.email else EmailState.NONE,
                        )
                    )
            rows.append(
                ReminderTarget(
                    reminder=reminder,
                    unit=target,
                    rate=known.get(target.pk),
                    deadline=deadline,
                    recipient_count=len(reached),
                )
            )
    ReminderTarget.objects.bulk_create(rows)
    Notice.objects.bulk_create(notices)
    reminder.notice_count = len(notices)
    reminder.email_count = sum(1 for n in notices if n.recipient.email)
    reminder.save(update_fields=["notice_count", "email_count"])
    audit(
        actor=actor,
        action="reports.remind",
        unit=origin,
        obj=reminder,
        changes={
            "units": [u.code for u in targets],
            "no_recipient": [r.unit.code for r in rows if not r.recipient_count],
            "schools_beneath": [u.code for u in schools],
            "people": len({n.recipient_id for n in notices}),
            "rates": {r.unit.code: r.rate for r in rows},
            "notices": reminder.notice_count,
            "emails": reminder.email_count,
            "forced": force,
        },
    )
    if reminder.email_count:
        _queue_emails(reminder.pk)
    return reminder


def _queue_emails(reminder_id: int) -> None:
    """Queue the emails once the reminder is committed; send inline if the queue is down."""

    def run() -> None:
        # Local: the tasks module imports this one at load time.
        from opentemis.notifications.tasks import send_reminder_emails

        try:
            send_reminder_emails.enqueue(reminder_id)
        except Exception:
            logger.exception("could not queue the emails of reminder %s; sending now", reminder_id)
            try:
                deliver_reminder_emails(reminder_id)
            except Exception:
                logger.exception("could not send the emails of reminder %s", reminder_id)

    transaction.on_commit(run)


def _safe_url(url: str | None) -> str:
    """A site path or an http(s) address; anything else (``javascript:``...) is dropped."""
    url = (url or "").strip()
    if url.startswith(("/", "https://", "http://")) and not url.startswith("//"):
        return url[:500]
    return ""


def _absolute(url: str) -> str:
    base = getattr(settings, "SITE_URL", "")
    return f"{base}{url}" if url.startswith("/") and base else url


def deliver_reminder_emails(reminder_id: int) -> tuple[int, int]:
    """Send the emails of a reminder, one per notice whose recipient has an address.

    Never raises for a mail problem: each failure is logged and counted on the reminder
    (``email_failed``), successes in ``email_sent``. The notices' emails are claimed and
    leased like every notice email (``emails.deliver_pending``), so a sending that dies is
    retried. Returns (sent, failed).
    """
    return emails.deliver_pending(reminder_id=reminder_id)


def notice_mark_read(*, actor: User, notice: Notice) -> Notice:
    """Mark one of the actor's notices read (idempotent; someone else's: 404 upstream)."""
    if notice.recipient_id != actor.pk:
        raise PermissionDenied
    if notice.read_at is None:
        notice.read_at = timezone.now()
        Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=notice.read_at)
    return notice


def notices_mark_all_read(*, actor: User) -> int:
    """Mark every unread notice of the actor read; returns how many."""
    return Notice.objects.filter(recipient_id=actor.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notice_preference_set(*, actor: User, email: str) -> NoticePreference:
    """Record how the actor wants the email copy of their notices (their own choice only)."""
    if not actor.is_authenticated:
        raise PermissionDenied
    if email not in EmailChoice.values:
        raise ValidationError(_("Choose how you want to receive emails."))
    preference, _created = NoticePreference.objects.update_or_create(
        user_id=actor.pk, defaults={"email": email}
    )
    return preference
