"""The packages of the lead's demo course: ``demo_scorm(activity=...)`` attaches the project's
own SCORM package (``builder.py``) to a SCORM activity (1.2 by default, 2004 on request), and
``demo_h5p(activity=...)`` the project's H5P package to an H5P activity."""

from __future__ import annotations

import io

from opentemis.learning.models import Activity
from opentemis.packages import services
from opentemis.packages.demo.builder import h5p_zip, scorm12_zip, scorm2004_zip
from opentemis.packages.models import Package


def demo_scorm(*, activity: Activity, version: str = "1.2") -> Package:
    content = scorm2004_zip() if version == "2004" else scorm12_zip()
    name = "kiem-tra-nhanh-scorm2004.zip" if version == "2004" else "kiem-tra-nhanh-scorm12.zip"
    return services.package_upload(
        actor=None, activity=activity, upload=io.BytesIO(content), size=len(content), name=name
    )


def demo_h5p(*, activity: Activity) -> Package:
    content = h5p_zip()
    return services.package_upload(
        actor=None,
        activity=activity,
        upload=io.BytesIO(content),
        size=len(content),
        name="kiem-tra-nhanh.h5p",
    )
