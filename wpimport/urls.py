app_name = "wpimport"
urlpatterns = []
