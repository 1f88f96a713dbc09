from django.urls import path

from gonghui.privacy import views

# Mounted at /members/me/, beside the member's own page.
app_name = "privacy"
urlpatterns = [
    path("data", views.my_data, name="my_data"),
    path("consents/<str:category>/give", views.consent_give, name="consent_give"),
    path("consents/<str:category>/withdraw", views.consent_withdraw, name="consent_withdraw"),
]
