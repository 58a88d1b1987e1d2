"""What core keeps in the database: captcha tasks that have been used up."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UsedChallenge(models.Model):
    """A captcha task that was answered: the primary key makes "once" a database fact.

    Tasks themselves are signed, never stored, so showing a page writes nothing; only an
    answer does. Rows are useless once the task would have expired anyway and are purged.
    """

    nonce = models.CharField(_("task"), max_length=32, primary_key=True)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)

    class Meta:
        verbose_name = _("used captcha task")
        verbose_name_plural = _("used captcha tasks")

    def __str__(self):
        return self.nonce
