"""The one background process: runs queued tasks, retries failures, runs the periodic jobs.

Built on django-tasks-db's queue table and its claim (one worker per task: ``SELECT … FOR
UPDATE SKIP LOCKED`` on PostgreSQL, an exclusive transaction on SQLite), adding what its
``db_worker`` lacks: retries with backoff (``core.tasks.retrying``), runs whose worker died are
queued again after a lease, and the schedule of ``core.tasks.periodic`` jobs.
"""

from __future__ import annotations

import logging
import signal
import threading
import time

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.core.management.base import BaseCommand
from django.db import DatabaseError, OperationalError, close_old_connections
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, TaskContext, task_backends
from django_tasks.base import TaskResultStatus
from django_tasks.signals import task_finished, task_started
from django_tasks.utils import get_exception_traceback, get_module_path
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from core.tasks import periodic_schedule, retry_policy, tasks_discover, tasks_reclaim

logger = logging.getLogger("core.worker")


class Worker:
    def __init__(
        self,
        *,
        backend: str = DEFAULT_TASK_BACKEND_ALIAS,
        queues: list[str] | None = None,
        interval: float = 1.0,
        lease: int = 600,
        maintenance_every: float | None = None,
        batch: bool = False,
        schedule: bool = True,
        worker_id: str | None = None,
        recycle_connections: bool = True,
    ):
        self.backend = backend
        self.queues = queues or sorted(task_backends[backend].queues)
        self.interval = interval
        self.lease = lease
        # Look for lost runs (and schedule) every 30 s, or more often when the lease is short.
        self.maintenance_every = maintenance_every or min(30.0, max(0.5, lease / 2))
        self.batch = batch
        self.schedule = schedule
        self.worker_id = worker_id or get_random_string(32)
        # Drop broken or old database connections between tasks, as Django does per request.
        self.recycle_connections = recycle_connections
        self.stopping = False
        self._wake = threading.Event()
        self._next_maintenance = 0.0
        self.ran = 0

    # --- signals: the first Ctrl+C / SIGTERM finishes the task at hand, a second aborts it
    def install_signal_handlers(self) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self._stop)

    def _stop(self, signum, frame) -> None:
        if self.stopping:
            raise KeyboardInterrupt
        logger.info("Stopping after the current task (again to abort it).")
        self.stopping = True
        self._wake.set()

    # --- the loop
    def run(self) -> int:
        logger.info("Worker %s runs queues %s.", self.worker_id, ",".join(self.queues))
        while not self.stopping:
            if self.recycle_connections:
                close_old_connections()
            if time.monotonic() >= self._next_maintenance:
                self.maintain()
            row = self.claim()
            if row is not None:
                try:
                    self.run_task(row)
                except DatabaseError as error:
                    # The database went away mid-task: the run stays "running" and is
                    # taken up again after the lease; this worker waits and goes on.
                    logger.warning("Lost the database while running task %s: %s", row.id, error)
                    self._wake.wait(self.interval)
                continue
            if self.batch:
                break
            self._wake.wait(self.interval)
        return self.ran

    def maintain(self) -> None:
        """Queue again what dead workers left running; give every periodic job its next run."""
        self._next_maintenance = time.monotonic() + self.maintenance_every
        try:
            tasks_reclaim(lease_seconds=self.lease)
            if self.schedule:
                periodic_schedule()
        except OperationalError as error:  # database away or busy: next round
            logger.warning("Worker maintenance skipped: %s", error)

    def claim(self) -> DBTaskResult | None:
        ready = DBTaskResult.objects.ready().filter(backend_name=self.backend, queue_name__in=self.queues)
        try:
            with exclusive_transaction(ready.db):
                row = ready.get_locked()
                if row is not None:
                    row.claim(self.worker_id)
                return row
        except OperationalError as error:
            if not is_locked_database_exception(error):
                logger.warning("Could not fetch a task: %s", error)
                self._wake.wait(self.interval)
            return None

    def run_task(self, row: DBTaskResult) -> None:
        self.ran += 1
        try:
            task = row.task
        except (ImportError, SuspiciousOperation) as error:
            logger.error("Task %s points at %s, which is not a task.", row.id, row.task_path)
            row.set_failed(error)
            return
        backend = type(task.get_backend())
        result = row.task_result
        attempt = len(row.worker_ids)
        task_started.send(sender=backend, task_result=result)
        try:
            args = (TaskContext(task_result=result), *result.args) if task.takes_context else result.args
            row.set_successful(task.call(*args, **result.kwargs))
        except Exception as error:
            policy = retry_policy(task)
            if policy is not None and policy.should_retry(error, attempt):
                delay = policy.delay(attempt)
                self.retry_later(row, error, delay)
                logger.warning(
                    "Task %s (%s) failed on attempt %d, retrying in %s: %s",
                    task.name,
                    row.id,
                    attempt,
                    delay,
                    error,
                )
                return
            row.set_failed(error)
            logger.error("Task %s (%s) failed on attempt %d.", task.name, row.id, attempt, exc_info=error)
        except BaseException:
            # Aborted (second Ctrl+C): not the task's fault, so it runs again at once.
            DBTaskResult.objects.filter(pk=row.pk).update(status=TaskResultStatus.READY)
            raise
        task_finished.send(sender=backend, task_result=row.task_result)

    @staticmethod
    def retry_later(row: DBTaskResult, error: Exception, delay) -> None:
        """Back into the queue, due after ``delay``; the last error stays visible meanwhile."""
        DBTaskResult.objects.filter(pk=row.pk).update(
            status=TaskResultStatus.READY,
            run_after=timezone.now() + delay,
            exception_class_path=get_module_path(type(error)),
            traceback=get_exception_traceback(error),
        )


class Command(BaseCommand):
    help = (
        "Run background jobs: mail, retries, and the periodic clean-ups (one process replaces "
        "every cron line; run one or more, e.g. under systemd)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--queue", action="append", dest="queues", help="Queue to run (repeatable).")
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds to wait when the queue is empty."
        )
        parser.add_argument(
            "--lease",
            type=int,
            default=None,
            help="Seconds after which a task still running is taken to have lost its worker "
            "(default: TASKS_LEASE_SECONDS).",
        )
        parser.add_argument(
            "--batch", action="store_true", help="Run what is due now, then exit (no waiting)."
        )
        parser.add_argument(
            "--no-schedule", action="store_false", dest="schedule", help="Do not queue the periodic jobs."
        )
        parser.add_argument("--worker-id", default=None, help="Unique name of this worker (default: random).")

    def handle(self, *args, queues, interval, lease, batch, schedule, worker_id, **options):
        if not logging.getLogger().handlers and not logger.handlers:
            logger.addHandler(logging.StreamHandler(self.stdout))
        logger.setLevel({0: logging.WARNING, 1: logging.INFO}.get(options["verbosity"], logging.DEBUG))
        tasks_discover()
        worker = Worker(
            queues=queues,
            interval=max(0.05, interval),
            lease=lease if lease is not None else settings.TASKS_LEASE_SECONDS,
            batch=batch,
            schedule=schedule,
            worker_id=worker_id,
        )
        worker.install_signal_handlers()
        try:
            ran = worker.run()
        except KeyboardInterrupt:
            logger.warning("Worker %s aborted.", worker.worker_id)
            return
        logger.info("Worker %s stopped after %d task(s).", worker.worker_id, ran)
