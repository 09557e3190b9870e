"""Joining an organization (招待): admins invite by email; the invitee accepts with their account.

An organization's admin cannot attach an account that already exists by typing its username:
that would let them pull any account of another organization into theirs (and probe which
usernames exist). Instead they send an invitation; the person who receives it logs in with the
account they have, or creates a new one, and accepting creates the membership. Attaching an
existing account directly stays possible for the deployment's operators (Django superusers);
``somu createadmin --org`` creates new administrator accounts.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from typing import Final

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from somu.audit.services import audit_record
from somu.core import tenancy
from somu.core.permissions import Role
from somu.org.models import Invitation, Membership, Organization, Person, User
from somu.org.selectors import api_token_hash
from somu.org.services import Actor, membership_set, user_create

logger = logging.getLogger(__name__)

INVITATION_VALID: Final = dt.timedelta(days=7)


def _refused_by_username() -> str:
    # One message whatever the username is (another organization's, unknown, or one's own), so
    # the form cannot be used to find out which accounts exist.
    return _("Existing accounts cannot be added by username. Invite the person by email "
             "instead: they accept the invitation with their own account.")


def closed_message() -> str:
    return _("This invitation has expired or has already been used. Ask your administrator "
             "for a new one.")


# ---- reads ---------------------------------------------------------------------------------------


def invitation_url(raw_token: str) -> str:
    path = reverse("org:invitation_accept", args=[raw_token])
    return f"{settings.SOMU_BASE_URL.rstrip('/')}{path}"


def invitation_for_token(raw_token: str) -> Invitation | None:
    """The invitation a link names, in whichever organization (the link is the credential)."""
    return (Invitation.all_objects.select_related("organization", "invited_by")
            .filter(token_hash=api_token_hash(raw_token)).first())


def invitation_list_open(*, now: dt.datetime) -> QuerySet[Invitation]:
    """The active organization's invitations still waiting to be accepted."""
    return Invitation.objects.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).select_related("person", "invited_by")


# ---- writes --------------------------------------------------------------------------------------


def _email(invitation: Invitation, organization: Organization, inviter: str, url: str) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[somu] Invitation to %(organization)s") % {"organization": organization.name}
        body = "\n".join([
            _("%(inviter)s invites you to use somu for %(organization)s as %(role)s.") % {
                "inviter": inviter, "organization": organization.name,
                "role": invitation.role_label},
            "",
            _("Open this link to accept (valid until %(date)s):") % {
                "date": formats.date_format(timezone.localtime(invitation.expires_at),
                                            "SHORT_DATETIME_FORMAT")},
            url,
            "",
            _("If you already have a somu account, log in with it; otherwise you can create one "
              "on that page."),
            _("If you did not expect this email, you can ignore it."),
        ])
    EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL,
                 to=[invitation.email]).send()


def invitation_create(
    *, actor: Actor, email: str, role: Role, person: Person | None = None, now: dt.datetime
) -> tuple[Invitation, str, bool]:
    """Invite ``email`` into the active organization; email the link.

    Returns the invitation, its link (shown once to the admin, who may hand it over in person)
    and whether the email went out.
    """
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": [_("Enter a valid email address.")]}) from None
    if person is not None and not Person.objects.filter(pk=person.pk).exists():
        raise ValidationError({"person": [_("Select a person of this organization.")]})
    raw = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = Invitation(
            organization_id=tenancy.active_organization_id(), email=email, role=role.value,
            person=person, token_hash=api_token_hash(raw),
            invited_by=actor if isinstance(actor, User) else None,
            created_at=now, expires_at=now + INVITATION_VALID,
        )
        invitation.full_clean()
        invitation.save()
        audit_record(actor=actor, action="invitation.create", obj=invitation,
                     changes={"email": [None, email], "role": [None, role.value],
                              "person": [None, person.pk if person else None]})
    organization = Organization.objects.get(pk=invitation.organization_id)
    inviter = actor.get_username() if isinstance(actor, User) else organization.name
    url = invitation_url(raw)
    try:
        _email(invitation, organization, inviter, url)
    except Exception:  # SMTP down or refused: the admin still has the link to pass on.
        logger.exception("invitation email to invitation %s failed", invitation.pk)
        return invitation, url, False
    return invitation, url, True


@transaction.atomic
def invitation_revoke(*, actor: Actor, invitation: Invitation, now: dt.datetime) -> Invitation:
    """Make an invitation's link useless (before it is accepted)."""
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation has already been accepted."))
    if invitation.revoked_at is None:
        invitation.revoked_at = now
        invitation.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="invitation.revoke", obj=invitation,
                     changes={"revoked_at": [None, now.isoformat()]})
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User, now: dt.datetime) -> Membership:
    """``user`` joins the invitation's organization with its role; the link is then used up."""
    # The row lock makes a link usable once, even when it is clicked twice at the same moment.
    invitation = Invitation.all_objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open(now):
        raise ValidationError(closed_message())
    with tenancy.activate(invitation.organization_id):
        if Membership.objects.filter(user=user, is_active=True).exists():
            raise ValidationError(_("You already belong to this organization."))
        membership = membership_set(actor=user, user=user, role=Role(invitation.role),
                                    person=invitation.person)
        invitation.accepted_at = now
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        audit_record(actor=user, action="invitation.accept", obj=invitation,
                     changes={"accepted_by": [None, user.get_username()]})
    return membership


@transaction.atomic
def invitation_accept_new_account(
    *, invitation: Invitation, username: str, password: str, password_confirmation: str,
    now: dt.datetime,
) -> User:
    """Create the invitee's own account (username and password of their choice, typed twice)
    and join. The password rules' errors go to ``password``, a mismatch to
    ``password_confirmation``."""
    if not invitation.is_open(now):
        raise ValidationError(closed_message())
    username = username.strip()
    errors: dict[str, list[str]] = {}
    if User.objects.filter(username__iexact=username).exists():
        errors["username"] = [_("This username is taken. Choose another one.")]
    try:
        validate_password(password, User(username=username, email=invitation.email))
    except ValidationError as exc:
        errors["password"] = exc.messages
    if password != password_confirmation:
        errors["password_confirmation"] = [
            _("The two passwords do not match. Type the same password in both fields.")]
    if errors:
        raise ValidationError(errors)
    user = user_create(actor=None, username=username, password=password, email=invitation.email)
    invitation_accept(invitation=invitation, user=user, now=now)
    return user


def membership_add_existing(
    *, actor: Actor, username: str, role: Role, person: Person | None = None
) -> Membership:
    """Attach an existing account to the active organization: for the deployment's operators.

    Everyone else is refused before the username is even looked up, with the same message
    whether it exists or not.
    """
    if not (isinstance(actor, User) and actor.is_superuser):
        raise ValidationError({"username": [_refused_by_username()]})
    user = User.objects.filter(username=username.strip()).first()
    if user is None:
        raise ValidationError({"username": [_("No account has this username.")]})
    return membership_set(actor=actor, user=user, role=role, person=person)
