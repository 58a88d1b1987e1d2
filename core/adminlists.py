"""Admin change lists that answer hostile filter values with the admin's own notice, not a 500.

Django turns most bad filter values into ``IncorrectLookupParameters`` (a redirect to
``?e=1``), but not numbers beyond 64 bits: ``?published_at__year=99999999999999999999``
overflows in ``datetime()`` on every database, and ``?author=99999999999999999999`` overflows
in SQLite's driver when the list is counted. Every changelist with filters or a date
hierarchy uses ``SafeChangeListMixin``.
"""

from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList


class SafeChangeList(ChangeList):
    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except OverflowError as exc:
            raise IncorrectLookupParameters(exc) from exc

    def get_results(self, request):
        try:
            return super().get_results(request)
        except OverflowError as exc:
            raise IncorrectLookupParameters(exc) from exc


class SafeChangeListMixin:
    """For ``ModelAdmin`` classes: use ``SafeChangeList``."""

    def get_changelist(self, request, **kwargs):
        return SafeChangeList
