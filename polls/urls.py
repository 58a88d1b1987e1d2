from django.urls import path

from polls import views

app_name = "polls"
urlpatterns = [
    path("", views.PollListView.as_view(), name="list"),
    path("<slug:slug>/", views.PollDetailView.as_view(), name="detail"),
    path("<slug:slug>/vote/", views.vote, name="vote"),
    path("<slug:slug>/results/", views.PollResultsView.as_view(), name="results"),
    path("<slug:slug>/results.json", views.results_json, name="results_json"),
]
