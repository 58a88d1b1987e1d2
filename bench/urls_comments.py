"""The project's URLs plus what django-comments-xtd needs, and a post page showing xtd's thread."""

from django.urls import include, path

from blog.views import PostDetailView
from config.urls import handler404, handler500  # noqa: F401
from config.urls import urlpatterns as project_urlpatterns


class XtdPostView(PostDetailView):
    """The post page exactly as readers get it, with xtd's thread in the comments block."""

    template_name = "bench/post_detail_xtd.html"

    def get(self, request, *args, **kwargs):
        # Not at the canonical address, so no redirect there.
        self.object = self.get_object()
        return self.render_to_response(self.get_context_data(object=self.object))


urlpatterns = [
    path("xtd/", include("django_comments_xtd.urls")),
    path("xtd-post/<slug:slug>/", XtdPostView.as_view(), name="bench_xtd_post"),
    *project_urlpatterns,
]
