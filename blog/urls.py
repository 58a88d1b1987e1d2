from django.urls import path, register_converter

from blog import feeds, views
from core.pagecache import cache_for_anonymous


class FourDigitYear:
    regex = "[0-9]{4}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{int(value):04d}"


class TwoDigitMonth:
    regex = "[0-9]{2}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return f"{int(value):02d}"


register_converter(FourDigitYear, "yyyy")
register_converter(TwoDigitMonth, "mm")

app_name = "blog"

urlpatterns = [
    path("", cache_for_anonymous(views.HomeView.as_view()), name="home"),
    path("feed/", feeds.LatestPostsFeed(), name="feed"),
    path("feed/atom/", feeds.LatestPostsAtomFeed(), name="feed_atom"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("category/<slug:slug>/", cache_for_anonymous(views.CategoryView.as_view()), name="category"),
    path("category/<slug:slug>/feed/", feeds.CategoryFeed(), name="category_feed"),
    path("tag/<slug:slug>/", cache_for_anonymous(views.TagView.as_view()), name="tag"),
    path("author/<str:username>/", cache_for_anonymous(views.AuthorView.as_view()), name="author"),
    path("preview/<int:pk>/", views.PostPreviewView.as_view(), name="post_preview"),
    path("share/<int:pk>/<slug:network>/", views.share, name="share"),
    path("<yyyy:year>/", cache_for_anonymous(views.YearArchiveView.as_view()), name="archive_year"),
    path(
        "<yyyy:year>/<mm:month>/", cache_for_anonymous(views.MonthArchiveView.as_view()), name="archive_month"
    ),
    path(
        "<yyyy:year>/<mm:month>/<slug:slug>/",
        cache_for_anonymous(views.PostDetailView.as_view()),
        name="post_detail",
    ),
    path("<slug:slug>/", cache_for_anonymous(views.PageView.as_view()), name="page"),
]
