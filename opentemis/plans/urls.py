"""The plans app's pages under /bdtx/: the personal plan and its approval (urls_plans), the
hours ledger and the year's results (urls_ledger), the school plan and roll-ups (urls_rollup)."""

from opentemis.plans.urls_ledger import urlpatterns as ledger
from opentemis.plans.urls_plans import urlpatterns as plans
from opentemis.plans.urls_rollup import urlpatterns as rollup

urlpatterns = [*plans, *ledger, *rollup]
