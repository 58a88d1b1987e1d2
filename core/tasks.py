"""Background jobs: how tasks retry, which run on a schedule, and the blog's own periodic jobs.

Tasks use Django's tasks API (``django-tasks`` on Django 5.2) with the database backend and
run in ``python manage.py blogwerk_worker``. Two things the API leaves to the worker are
declared here, next to the task:

- ``@retrying(Backoff(...))`` under ``@task()``: a failed run goes back into the queue with an
  exponentially growing delay instead of failing for good (the worker reads the policy).
- ``@periodic(every=...)`` over ``@task()``: the worker keeps exactly one waiting run of the
  task in the queue, due ``every`` after the last one started, across any number of workers.

Apps declare their jobs in their own ``tasks.py``; the worker imports every app's module.
The worker is ``core/management/commands/blogwerk_worker.py``.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Callable
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.db import connections
from django.db.models import Max
from django.utils import timezone
from django_tasks import task
from django_tasks.base import Task, TaskResultStatus
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

logger = logging.getLogger(__name__)

UNFINISHED = [TaskResultStatus.READY, TaskResultStatus.RUNNING]


# --- retries ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Backoff:
    """Retry up to ``attempts`` runs in all, waiting ``base`` × 2^(n-1) seconds (at most ``cap``)."""

    attempts: int = 10
    base: float = 30
    cap: float = 3600
    give_up_on: tuple[type[BaseException], ...] = ()

    def delay(self, attempt: int) -> timedelta:
        """The wait after the ``attempt``-th run failed (1 for the first)."""
        return timedelta(seconds=min(self.cap, self.base * 2 ** max(0, attempt - 1)))

    def should_retry(self, error: BaseException, attempt: int) -> bool:
        return attempt < self.attempts and not isinstance(error, self.give_up_on)


def retrying(policy: Backoff) -> Callable:
    """Declare a task's retry policy; put it under ``@task()``."""

    def mark(func):
        func.retry_policy = policy
        return func

    return mark


def retry_policy(task_obj: Task) -> Backoff | None:
    return getattr(task_obj.func, "retry_policy", None)


# --- periodic jobs ------------------------------------------------------------------------
@dataclass(frozen=True)
class Periodic:
    task: Task
    every: timedelta


PERIODIC: dict[str, Periodic] = {}


def periodic(*, every: timedelta) -> Callable[[Task], Task]:
    """Run the task on a schedule in the worker; put it over ``@task()``."""

    def register(task_obj: Task) -> Task:
        PERIODIC[task_obj.module_path] = Periodic(task_obj, every)
        return task_obj

    return register


def tasks_discover() -> None:
    """Import every installed app's ``tasks`` module, so that all periodic jobs are known."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("tasks")


@contextmanager
def job_lock(name: str):
    """A transaction that only one process at a time holds under ``name``, on any database:
    SQLite's write lock, or a transaction-scoped advisory lock on PostgreSQL (which needs no
    row to exist, unlike ``select_for_update``)."""
    alias = DBTaskResult.objects.db
    with exclusive_transaction(alias):
        connection = connections[alias]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(name.encode())])
        yield


def periodic_schedule(*, now=None) -> list[str]:
    """Give every periodic task exactly one waiting run; return the paths that got one now."""
    if not PERIODIC:
        return []
    now = now or timezone.now()
    queued = []
    with job_lock("core.tasks.periodic_schedule"):
        waiting = set(
            DBTaskResult.objects.filter(task_path__in=list(PERIODIC), status__in=UNFINISHED).values_list(
                "task_path", flat=True
            )
        )
        missing = [path for path in PERIODIC if path not in waiting]
        if not missing:
            return []
        last_started = dict(
            DBTaskResult.objects.filter(task_path__in=missing)
            .order_by()
            .values("task_path")
            .annotate(last=Max("started_at"))
            .values_list("task_path", "last")
        )
        for path in missing:
            job = PERIODIC[path]
            last = last_started.get(path)
            due = max(now, last + job.every) if last else now
            job.task.using(run_after=due).enqueue()
            queued.append(path)
    return queued


def tasks_reclaim(*, lease_seconds: int, now=None) -> int:
    """Tasks "running" longer than the lease lost their worker: queue them again."""
    now = now or timezone.now()
    count = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=now - timedelta(seconds=lease_seconds)
    ).update(status=TaskResultStatus.READY, run_after=now)
    if count:
        logger.warning("Queued %d task(s) again whose worker stopped while running them.", count)
    return count


# --- core's periodic jobs -------------------------------------------------------------------
@periodic(every=timedelta(days=1))
@task()
def sessions_clear() -> None:
    """Delete expired sessions (what ``manage.py clearsessions`` does)."""
    engine = import_module(settings.SESSION_ENGINE)
    with suppress(NotImplementedError):  # cache-only engines expire by themselves
        engine.SessionStore.clear_expired()


@periodic(every=timedelta(days=1))
@task()
def task_results_prune(*, keep_days: int = 7, keep_failed_days: int = 30) -> int:
    """Forget finished task runs: successful ones after a week, failed ones after a month."""
    now = timezone.now()
    successful = DBTaskResult.objects.successful().filter(finished_at__lt=now - timedelta(days=keep_days))
    failed = DBTaskResult.objects.failed().filter(finished_at__lt=now - timedelta(days=keep_failed_days))
    return successful.delete()[0] + failed.delete()[0]


@periodic(every=timedelta(hours=1))
@task()
def captcha_purge() -> int:
    """Forget answered captcha tasks that would have expired anyway."""
    from core.captcha import challenges_purge

    return challenges_purge()
