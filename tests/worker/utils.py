"""Run queued tasks inside the test process, the way ``blogwerk_worker --batch`` does."""

from __future__ import annotations

from contextlib import contextmanager

from django_tasks_db.models import DBTaskResult

from core.management.commands.blogwerk_worker import Worker


def tasks_run(*, schedule: bool = False) -> int:
    """Run every task that is due now (and those it queues); return how many ran."""
    # The test's transaction must survive: no recycling of connections between tasks.
    worker = Worker(batch=True, schedule=schedule, worker_id="test-worker", recycle_connections=False)
    return worker.run()


def task_rows(path: str = ""):
    rows = DBTaskResult.objects.order_by("enqueued_at")
    return rows.filter(task_path=path) if path else rows


@contextmanager
def committed_then_worker(capture):
    """Run the block, its on-commit callbacks (which queue tasks), then the queued tasks."""
    with capture(execute=True) as callbacks:
        yield callbacks
    tasks_run()
