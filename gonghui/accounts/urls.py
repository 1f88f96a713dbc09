from django.urls import path

from gonghui.accounts import account_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", views.SignOutView.as_view(), name="logout"),
    path("second-factor/", views.second_factor, name="second_factor"),
    path("second-factor/enrol/", views.second_factor_enrol, name="second_factor_enrol"),
    path("activate/", account_views.activate, name="activate"),
    path("manage/", account_views.account_list, name="account_list"),
    path("manage/new/", account_views.account_new, name="account_new"),
    path("manage/<int:user_id>/", account_views.account_detail, name="account_detail"),
    path("manage/<int:user_id>/disable/", account_views.account_disable, name="account_disable"),
    path("manage/<int:user_id>/enable/", account_views.account_enable, name="account_enable"),
    path(
        "manage/<int:user_id>/reset-second-factor/",
        account_views.account_reset_second_factor,
        name="account_reset_second_factor",
    ),
    path("manage/<int:user_id>/activation-code/", account_views.account_code, name="account_code"),
]
