"""Sign-in and sign-out: Django's own views with our templates."""

from django.contrib.auth import views as auth_views


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    """POST only (Django 5); the header's sign-out button is a form."""
