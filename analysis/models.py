from django.db import models

from faceapi.jobs import Job


class AnalysisJob(Job):
    """Many images analysed on the worker. ``inputs`` lists the stored files; ``result["images"]`` one entry each."""

    kind = "analysis"
    task_name = "analysis.run_job"

    options = models.JSONField(default=dict, blank=True)  # features, detect, min_face_size
    inputs = models.JSONField(default=list, blank=True)  # [{"name": original name, "file": stored name}]

    class Meta(Job.Meta):
        pass
