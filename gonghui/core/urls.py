from django.urls import path

from gonghui.core import views

urlpatterns = [path("", views.home, name="home")]
