from django.urls import path

from comments import feeds, views

app_name = "comments"

urlpatterns = [
    path("feed/", feeds.LatestCommentsFeed(), name="feed"),
    path("feed/post/<int:post_id>/", feeds.PostCommentsFeed(), name="post_feed"),
    path("feed/page/<int:page_id>/", feeds.PageCommentsFeed(), name="page_feed"),
    path("post/<int:post_id>/", views.post_comment, name="post"),
    path("page/<int:page_id>/", views.page_comment, name="page"),
    path("c/<int:pk>/", views.permalink, name="permalink"),
    path("c/<int:pk>/edit/", views.edit, name="edit"),
    path("c/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("c/<int:pk>/report/", views.report, name="report"),
    path("moderate/<str:token>/", views.moderate, name="moderate"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("confirm/<str:token>/", views.subscription_confirm, name="subscription_confirm"),
]
