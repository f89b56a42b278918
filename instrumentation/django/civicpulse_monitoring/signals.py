"""Authentication events from Django's login signals; security violations from Django's
`django.security.*` loggers (DisallowedHost and every other SuspiciousOperation are reported
there, never through a middleware hook)."""

import logging

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from .metrics import authentication_events, security_violations


def _on_login(sender, **kwargs):
    authentication_events.labels(event="login", result="success").inc()


def _on_login_failed(sender, **kwargs):
    authentication_events.labels(event="login", result="failure").inc()


def _on_logout(sender, **kwargs):
    authentication_events.labels(event="logout", result="success").inc()


def connect():
    user_logged_in.connect(_on_login, dispatch_uid="civicpulse_monitoring.login")
    user_login_failed.connect(_on_login_failed, dispatch_uid="civicpulse_monitoring.login_failed")
    user_logged_out.connect(_on_logout, dispatch_uid="civicpulse_monitoring.logout")


# django.security.<ExceptionClass> -> violation label
_VIOLATIONS = {"django.security.DisallowedHost": "forbidden_host", "django.security.csrf": None}


class SecurityViolationHandler(logging.Handler):
    """Counts records of django.security.*: DisallowedHost as forbidden_host, other
    SuspiciousOperations as suspicious_operation. CSRF failures are counted by the CSRF failure
    view (which also logs to django.security.csrf), so that logger is skipped here."""

    def emit(self, record):
        violation = _VIOLATIONS.get(record.name, "suspicious_operation")
        if violation is not None:
            security_violations.labels(violation=violation).inc()


def install_security_handler():
    logger = logging.getLogger("django.security")
    if not any(isinstance(h, SecurityViolationHandler) for h in logger.handlers):
        logger.addHandler(SecurityViolationHandler(level=logging.DEBUG))
