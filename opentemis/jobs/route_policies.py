"""Who may use the jobs' routes (core/route_policy.py): a job is its starter's alone."""

from opentemis.core.route_policy import OBJECT, Actor, RoutePolicy

ROUTE_POLICIES: dict[str, RoutePolicy] = {
    "job_detail": OBJECT("job", actor=Actor.OWNER),
    "job_download": OBJECT("job", actor=Actor.OWNER),
    "job_retry": OBJECT("job", actor=Actor.OWNER),
}
