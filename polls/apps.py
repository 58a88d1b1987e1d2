from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PollsConfig(AppConfig):
    name = "polls"
    verbose_name = _("Polls")

    def ready(self):
        from blog.shortcodes import registry
        from polls import signals  # noqa: F401 - cache invalidation only
        from polls.conf import polls_settings
        from polls.shortcodes import render_poll_shortcodes, render_polldaddy_shortcodes

        registry.register("poll", render_poll_shortcodes)
        from blog.editor import tools
        from polls.editor import poll_tool, polls_hold_for_post

        tools.register("poll", poll_tool)
        tools.on_post_saved(polls_hold_for_post)
        registry.register("polldaddy", render_polldaddy_shortcodes)
        try:  # cached post pages vary on the polls a reader voted in
            from core.pagecache import vary_on_cookie
        except ImportError:  # pragma: no cover
            return
        vary_on_cookie(polls_settings.VOTED_COOKIE)
