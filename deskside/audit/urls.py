from django.urls import path

from deskside.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.event_list, name="event_list"),
]
