"""The forms that set a password (reset by email, change one's own, an admin setting another's).

Django's versions put the password rules' errors (「このパスワードは短すぎます」) under the
confirmation field, next to a field the user typed correctly. Here they stand under the first
field, where the password is chosen; a mismatch stays under the confirmation.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import forms as auth_forms

FIRST = "new_password1"


class SetPasswordForm(auth_forms.SetPasswordForm):
    def validate_password_for_user(self, user: Any, password_field_name: str = FIRST) -> None:
        super().validate_password_for_user(user, FIRST)


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    def validate_password_for_user(self, user: Any, password_field_name: str = FIRST) -> None:
        super().validate_password_for_user(user, FIRST)
