"""Background tasks of the comments app: its mail, and its periodic clean-ups.

Run by ``python manage.py blogwerk_worker`` (see ``core/tasks.py`` for retries and schedules).
"""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta

from django.core.mail import get_connection
from django_tasks import task

from comments import notifications, spamfilter
from comments.conf import comments_settings
from comments.models import ModerationSettings
from comments.services import comments_erase_ips, comments_purge_spam
from core.tasks import Backoff, periodic, retrying

logger = logging.getLogger(__name__)


class MailRejected(Exception):
    """The mail server refused the message for good (a 5xx answer): sending again cannot help."""


class MailNotSent(Exception):
    """The mail backend reported nothing sent without saying why: try again later."""


# 30 s, 1, 2, 4 … minutes, at most an hour apart: ten tries over about three hours.
MAIL_RETRY = Backoff(attempts=10, base=30, cap=3600, give_up_on=(MailRejected,))


@task()
@retrying(MAIL_RETRY)
def mail_send(message: dict) -> str:
    """Send one mail; done only once the mail server accepted it. Returns its Message-ID."""
    email = notifications.message_from_data(message)
    try:
        with get_connection(fail_silently=False) as connection:
            sent = connection.send_messages([email])
    except smtplib.SMTPRecipientsRefused as error:
        raise MailRejected(f"recipient refused: {error.recipients}") from error
    except smtplib.SMTPResponseException as error:
        if error.smtp_code >= 500:
            raise MailRejected(f"{error.smtp_code} {error.smtp_error!r}") from error
        raise  # 4xx: the server asks us to come back later
    if not sent:
        raise MailNotSent(f"mail to {email.to} was not sent")
    return email.extra_headers.get("Message-ID", "")


@task()
@retrying(Backoff(attempts=5, base=10, cap=600))
def notices_prepare(name: str, *args, **kwargs) -> int:
    """Prepare the mails one comment event causes (see ``notifications.schedule``)."""
    return notifications.notices_queue(name, *args, **kwargs)


@periodic(every=timedelta(minutes=1))
@task()
def moderators_notify() -> int:
    """Mail moderators what waits once the batching interval is over (no cron line needed)."""
    return notifications.notices_queue("moderators_digest")


@periodic(every=timedelta(days=1))
@task()
def comment_ips_erase() -> int:
    """Forget IP addresses and browsers after ``COMMENTS_IP_RETENTION_DAYS`` (GDPR)."""
    return comments_erase_ips(older_than_days=max(0, comments_settings.IP_RETENTION_DAYS))


@periodic(every=timedelta(days=1))
@task()
def spam_purge() -> int:
    """Delete spam older than the moderation settings keep it ("delete spam after days")."""
    days = ModerationSettings.load().spam_purge_days
    return comments_purge_spam(older_than_days=days)


@task()
@retrying(Backoff(attempts=3, base=60, cap=600))
def spamfilter_retrain() -> list[int]:
    """Rebuild the spam filter from every decision and refit its calibration (in the worker)."""
    return list(spamfilter.retrain())
