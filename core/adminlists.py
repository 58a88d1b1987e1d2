"""Admin change lists that answer hostile filter values with the admin's own notice, not a 500.

Django turns most bad filter values into ``IncorrectLookupParameters`` (a redirect to
``?e=1``), but not numbers beyond 64 bits: ``?published_at__year=99999999999999999999``
overflows in ``datetime()`` on every database, and ``?author=99999999999999999999`` overflows
in SQLite's driver when the list is counted. Every changelist with filters or a date
hierarchy uses ``SafeChangeListMixin``.
"""

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import ValidationError
from django.db.models import BooleanField, Count, ExpressionWrapper, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce


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


class ScaledChangeList(SafeChangeList):
    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        if not queryset.query.distinct or queryset.query.distinct_fields:
            return queryset
        # A many-to-many filter or search can repeat rows; the admin then selects DISTINCT
        # over every column, post bodies included, for the count and for the page. The same
        # rows picked by id read only the ids twice.
        matching = queryset.order_by()
        matching.query.distinct = False
        unique = self.root_queryset.filter(pk__in=matching.values("pk")).order_by(*queryset.query.order_by)
        unique.query.select_related = queryset.query.select_related
        return unique


class ScaledAdminMixin(SafeChangeListMixin):
    """Change lists that cost the same at 100 rows and at 100,000.

    No full ``COUNT(*)`` of the unfiltered table next to the filtered one ("show counts" is a
    link an editor can still follow) and no facet counts per filter choice: both rescan the
    table on every request. Rows a many-to-many filter repeats are removed by id, not by
    ``DISTINCT`` over every column. The date hierarchy lists its years from two cheap queries
    (``core/templatetags/admin_lists.py``).
    """

    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    # The same list with a date hierarchy that does not truncate every row to find the years.
    change_list_template = "admin/core/change_list.html"

    def get_changelist(self, request, **kwargs):
        return ScaledChangeList


def _clean_find(value) -> str:
    """What an editor typed into a filter's search field, safe to use in a query."""
    return str(value or "").replace("\x00", "").strip()[:100]


class TopRelatedListFilter(admin.RelatedFieldListFilter):
    """A relation filter that lists the ``limit`` most used choices and finds the others.

    The stock filter lists every related row (500 tags, every user); this one shows the
    choices used most often, the selected one, and a search field that looks the rest up
    through the related admin's ``search_fields``. Two small queries (the most used ids from
    the link column, then those rows), whatever the size of the site.
    """

    template = "admin/core/top_related_filter.html"
    limit = 10

    def __init__(self, field, request, params, model, model_admin, field_path):
        self.find_kwarg = f"find_{field_path}"
        found = params.pop(self.find_kwarg, None) or [""]
        self.find = _clean_find(found[-1])
        self.has_more = False
        super().__init__(field, request, params, model, model_admin, field_path)

    def has_output(self):
        return True  # the search field is useful even when the top list is short

    def _selected_pks(self, related) -> list:
        pks = []
        for value in self.lookup_val or []:
            try:
                pks.append(related._meta.pk.to_python(value))
            except ValidationError:
                continue  # the change list answers the bad value with its own notice
        return pks

    @staticmethod
    def _links(field):
        """Where the relation is stored and the column that points at the choice: the
        through table of a many-to-many field, the model's own table for a foreign key."""
        if field.many_to_many:
            return field.remote_field.through._default_manager.all(), field.m2m_reverse_field_name()
        return field.model._default_manager.all(), field.name

    def field_choices(self, field, request, model_admin):
        related = field.remote_field.model
        links, column = self._links(field)
        # Counted on the narrow link column (an index), never by joining the wide rows.
        per_choice = links.order_by().values(column).annotate(n=Count("*"))
        uses = Coalesce(Subquery(per_choice.filter(**{column: OuterRef("pk")}).values("n")), 0)
        if self.find:
            queryset = related._default_manager.all()
            related_admin = model_admin.admin_site._registry.get(related)
            if related_admin is not None and related_admin.get_search_fields(request):
                queryset, duplicates = related_admin.get_search_results(request, queryset, self.find)
                if duplicates:
                    queryset = queryset.distinct()
            else:
                queryset = queryset.none()
            selected = []
        else:
            top = per_choice.exclude(**{f"{column}__isnull": True}).order_by("-n", column)
            candidates = list(top.values_list(column, flat=True)[: self.limit + 1])
            # The selected choice sorts first, so it stays visible.
            selected = self._selected_pks(related)
            queryset = related._default_manager.filter(pk__in=[*candidates, *selected])
        order = [F("_uses").desc(), *self.field_admin_ordering(field, request, model_admin), "pk"]
        if selected:  # (an empty ``pk__in`` would empty the whole query)
            order.insert(0, ExpressionWrapper(Q(pk__in=selected), output_field=BooleanField()).desc())
        rows = list(queryset.annotate(_uses=uses).order_by(*order)[: self.limit + 1])
        self.has_more = len(rows) > self.limit
        return [(obj.pk, str(obj)) for obj in rows[: self.limit]]

    def choices(self, changelist):
        self.hidden_params = [
            (name, value)
            for name, values in changelist.filter_params.items()
            if name not in (self.find_kwarg, self.lookup_kwarg, self.lookup_kwarg_isnull)
            for value in values
        ]
        for choice in super().choices(changelist):
            choice["query_string"] = self._without_find(choice["query_string"])
            yield choice

    def _without_find(self, query_string: str) -> str:
        parts = [
            p for p in query_string.lstrip("?").split("&") if p and not p.startswith(f"{self.find_kwarg}=")
        ]
        return "?" + "&".join(parts)
