"""The example app's API: issues from PostgreSQL, a report cached in Redis, a JSON login."""

import json
import logging

from django.contrib.auth import authenticate
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from civicpulse_monitoring import audit

from .issues.models import Issue

log = logging.getLogger("civicpulse.app")


@require_http_methods(["GET", "POST"])
def issues(request):
    # POST is CSRF-protected (no csrf_exempt): a POST without a token reaches CSRF_FAILURE_VIEW.
    if request.method == "POST":
        issue = Issue.objects.create(title=request.POST.get("title", "untitled")[:200])
        audit.record("record_created", issue_id=issue.id)
        return JsonResponse({"id": issue.id}, status=201)
    return JsonResponse({"issues": list(Issue.objects.values("id", "title", "status")[:50])})


@require_http_methods(["GET"])
def issue(request, pk):
    i = get_object_or_404(Issue, pk=pk)
    return JsonResponse({"id": i.id, "title": i.title, "status": i.status})


@require_http_methods(["GET"])
def reports(request):
    from django.core.cache import cache

    # The cache is an accelerator: when Redis is down the report comes from the database.
    try:
        report = cache.get("report:open")
    except Exception:
        report = None
    if report is None:
        report = {"open": Issue.objects.filter(status="open").count()}
        try:
            cache.set("report:open", report, timeout=5)
        except Exception:
            log.warning("cache unavailable; report served from the database")
    return JsonResponse(report)


@csrf_exempt
@require_http_methods(["POST"])
def login(request):
    """JSON login for API clients. A failure sends Django's user_login_failed signal."""
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse({"error": "body is not JSON"}, status=400)
    user = authenticate(request, username=body.get("username", ""), password=body.get("password", ""))
    if user is None:
        return JsonResponse({"ok": False}, status=401)
    from django.contrib.auth.signals import user_logged_in

    # Session-less API: the signal is what a session login would send.
    user_logged_in.send(sender=user.__class__, request=request, user=user)
    return JsonResponse({"ok": True})
