"""What the notifications app does on the events and hooks of the apps below it.

Imported once by ``apps.py`` (``ready``); the lower apps import nothing of this one
(docs/decisions/0014-layers.md).
"""

from __future__ import annotations

from opentemis.certificates.signals import certificate_issued
from opentemis.evaluations.signals import evaluation_changed
from opentemis.forums.signals import post_created
from opentemis.jobs.services import register_sweep
from opentemis.learning.signals import course_completed
from opentemis.notifications.certificate_events import on_certificate_issued
from opentemis.notifications.emails import sweep_and_send
from opentemis.notifications.events import on_evaluation_changed
from opentemis.notifications.grading_events import (
    on_appeal_decided,
    on_appeal_lodged,
    on_second_mark_differs,
)
from opentemis.notifications.learning_events import (
    on_course_completed,
    on_post_created,
    on_product_graded,
    on_product_submitted,
)
from opentemis.notifications.plan_events import on_plan_changed
from opentemis.notifications.views_remind import remind_outcome_context
from opentemis.plans.signals import plan_changed
from opentemis.products.signals import (
    appeal_decided,
    appeal_lodged,
    product_graded,
    product_submitted,
    second_mark_differs,
)
from opentemis.reports.views import register_page_extra

# A workflow step of an evaluation, after its commit: the notices it brings.
evaluation_changed.connect(on_evaluation_changed, dispatch_uid="notices-evaluation")
# A step of a BDTX plan, after its commit: the approvers or the person are told.
plan_changed.connect(on_plan_changed, dispatch_uid="notices-plan")
# Online learning: a course completed, a final product handed in or graded, a forum reply.
course_completed.connect(on_course_completed, dispatch_uid="notices-course-completed")
product_submitted.connect(on_product_submitted, dispatch_uid="notices-product-submitted")
product_graded.connect(on_product_graded, dispatch_uid="notices-product-graded")
post_created.connect(on_post_created, dispatch_uid="notices-forum-post")
# A certificate issued (or re-issued): its holder is told.
certificate_issued.connect(on_certificate_issued, dispatch_uid="notices-certificate-issued")
# Grading that never stalls: an appeal and its final decision, a second marking that differs.
appeal_lodged.connect(on_appeal_lodged, dispatch_uid="notices-appeal-lodged")
appeal_decided.connect(on_appeal_decided, dispatch_uid="notices-appeal-decided")
second_mark_differs.connect(on_second_mark_differs, dispatch_uid="notices-second-mark")

# Notice emails whose sending died are given back by the task worker's sweep too.
register_sweep(sweep_and_send)

# The report page shows the outcome of the sender's own reminder beside the form.
register_page_extra(remind_outcome_context)
