from django.urls import path

from attendance import views

urlpatterns = [
    path("school", views.CurrentSchoolView.as_view(), name="current-school"),
]
