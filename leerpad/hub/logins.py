"""The hub's logins: the school account (OpenID Connect) and launches from a learning
platform (LTI 1.3: Smartschool, Moodle) side by side in one JupyterHub.

JupyterHub has one authenticator. ``SchoolLogins`` is that one: it offers the routes of
each login it holds, each route handled by its own login, and shows the first login on the
hub's login page (an LTI launch starts in the platform, never on that page). The roles a
login brings become the hub groups ``trainers`` and ``learners``; a login whose roles map
to no group gets no server.

This module imports JupyterHub and the authenticator packages only: the hub image of the
Kubernetes deployment (deploy/) installs leerpad without its dependencies for it.
"""

from jupyterhub.auth import Authenticator
from ltiauthenticator.lti13.auth import LTI13Authenticator
from oauthenticator.generic import GenericOAuthenticator
from traitlets import Dict, List, Type, Unicode

TRAINERS, LEARNERS = "trainers", "learners"
LTI_ROLES_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/roles"
LTI_DEPLOYMENT_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/deployment_id"
# Roles in a course (context). Institution roles (".../institution/person#Instructor": a
# teacher of the school) keep their full URI, so they never map to a course's trainer.
LTI_CONTEXT_ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership#"


def groups_from_roles(found, roles: dict) -> list[str]:
    """The hub groups of the roles a login brings: each role that `roles` maps (e.g.
    {"trainer": "trainers", "leerkracht": "learners"}); other roles give none."""
    if isinstance(found, str):
        found = [found]
    return sorted({roles[role] for role in found or [] if role in roles})


class SchoolAccount(GenericOAuthenticator):
    """The school account (OpenID Connect, oauthenticator), with the roles in a claim of
    the login as hub groups."""

    login_service = Unicode("schoolaccount", config=True)
    role_claim = Unicode("roles", help="The claim of the login with its roles.").tag(config=True)
    roles = Dict(
        {"trainer": TRAINERS, "leerkracht": LEARNERS}, help="Role at the provider -> hub group."
    ).tag(config=True)

    async def get_user_groups(self, auth_state: dict):
        claims = auth_state.get("oauth_user") or {}
        return set(groups_from_roles(claims.get(self.role_claim), self.roles))


class LTILogin(LTI13Authenticator):
    """An LTI 1.3 launch (jupyterhub-ltiauthenticator), with the course roles of the
    launch as hub groups."""

    roles = Dict(
        {"Instructor": TRAINERS, "Learner": LEARNERS},
        help="Course role of the launch (membership#Instructor or its short name Instructor) "
        "-> hub group.",
    ).tag(config=True, allow_config=True)
    deployment_ids = List(
        Unicode(),
        help="The platform's deployments of this tool (claim deployment_id); empty: any.",
    ).tag(config=True)

    async def authenticate(self, handler, data=None):
        deployment = (data or {}).get(LTI_DEPLOYMENT_CLAIM)
        if self.deployment_ids and deployment not in self.deployment_ids:
            # the same platform, but a placement the school did not register
            self.log.warning("LTI-launch van een onbekende deployment %r geweigerd", deployment)
            return None
        user = await super().authenticate(handler, data)
        given = (data or {}).get(LTI_ROLES_CLAIM) or []
        user["groups"] = groups_from_roles(
            [r.removeprefix(LTI_CONTEXT_ROLE) for r in given], self.roles
        )
        return user

    def check_allowed(self, username, authentication=None):
        return bool((authentication or {}).get("groups"))


class SchoolLogins(Authenticator):
    """Several logins in one hub: the routes of each, handled by it."""

    login_classes = List(
        Type(klass=Authenticator),
        help="The logins, each configured in its own section (c.SchoolAccount, "
        "c.LTILogin); the first is the one on the login page.",
    ).tag(config=True)

    launch_only_html = Unicode(
        "<p>Meld aan vanuit Smartschool of Moodle: open de module daar.</p>",
        help="The login page when every login starts in a learning platform.",
    ).tag(config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.logins = [cls(parent=self) for cls in self.login_classes]
        # The login page's login: one that can start here, not a platform's launch.
        self.home = next((a for a in self.logins if not isinstance(a, LTI13Authenticator)), None)
        if self.home is not None:
            self.login_service = self.home.login_service

    def check_allow_config(self):
        for login in self.logins:
            login.check_allow_config()

    async def authenticate(self, handler, data):
        return None  # each login authenticates through its own routes

    def login_url(self, base_url):
        return self.home.login_url(base_url) if self.home else super().login_url(base_url)

    def logout_url(self, base_url):
        return self.home.logout_url(base_url) if self.home else super().logout_url(base_url)

    def get_custom_html(self, base_url):
        return self.home.get_custom_html(base_url) if self.home else self.launch_only_html

    def get_handlers(self, app):
        routes = []
        for login in self.logins:
            for path, handler in login.get_handlers(app):
                # The handler reads `self.authenticator`: its own login, not this one.
                bound = type(handler.__name__, (handler,), {"authenticator": login})
                routes.append((path, bound))
        return routes
