"""Admission control's classes (core/admission.py), for the proxy and for people.

``manage.py admission haproxy``: the lines to include in the HAProxy backend of the app servers
(the arrival stamp, the classes as ACLs, their places in the queue), generated from the one
table the middleware reads. ``manage.py admission classes``: the classes, budgets and routes.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from opentemis.core import admission


class Command(BaseCommand):
    help = "Print admission control's HAProxy lines (haproxy) or its classes (classes)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("what", choices=["haproxy", "classes"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["what"] == "haproxy":
            self.stdout.write("\n".join(admission.haproxy_lines()))
            return
        for name, spec in admission.CLASSES.items():
            seconds = admission.budget(name)
            shown = f"{seconds:g} s" if seconds else "never shed"
            queue = f"class {spec.haproxy_class:>2} offset {spec.haproxy_offset_ms:>5} ms"
            line = f"{name.value:8} {queue}  budget {shown:10}  {spec.what}"
            self.stdout.write(line)
        for route in admission.completing_routes():
            self.stdout.write(f"  completes work: {route.regex}  ({route.name})")
