"""Tasks for the worker's own tests (importable by path, as the queue needs)."""

from django_tasks import task

from core.tasks import Backoff, retrying


@task(takes_context=True)
@retrying(Backoff(attempts=3, base=30, cap=45))
def flaky(context, *, fail_until: int) -> int:
    """Fails (like a mail server that is down) until its ``fail_until``-th attempt."""
    if context.attempt < fail_until:
        raise ConnectionRefusedError(f"attempt {context.attempt}: down")
    return context.attempt


@task()
def broken() -> None:
    raise ValueError("a bug, not a hiccup")
