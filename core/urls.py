from django.urls import path

from core import views

app_name = "core"

urlpatterns = [
    path("new/", views.captcha_new, name="captcha_new"),
    path("image/<str:key>/", views.captcha_image, name="captcha_image"),
    path("text/<str:key>/", views.captcha_text, name="captcha_text"),
]
