"""Fault-injection views, routed only when CIVICPULSE_E2E=1 (the live verification's project)."""

import time

from django.db.models import F
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from civicpulse_monitoring import audit

from .issues.models import Issue

MAX_DELAY_SECONDS = 5.0


class InjectedFault(RuntimeError):
    pass


@require_http_methods(["GET"])
def boom(request):
    raise InjectedFault("injected failure (e2e)")


@require_http_methods(["GET"])
def slow(request):
    seconds = min(MAX_DELAY_SECONDS, max(0.0, float(request.GET.get("seconds", "1"))))
    time.sleep(seconds)
    return JsonResponse({"slept": seconds})


@csrf_exempt
@require_http_methods(["POST"])
def touch(request, pk):
    Issue.objects.filter(pk=pk).update(updated=F("updated") + 1)
    audit.record("record_updated", issue_id=pk)
    return JsonResponse({"id": pk})


@csrf_exempt
@require_http_methods(["POST"])
def bulk_create(request):
    count = min(100, max(1, int(request.GET.get("count", "10"))))
    Issue.objects.bulk_create([Issue(title="bulk") for _ in range(count)])
    audit.record("record_created", count=count)
    return JsonResponse({"created": count}, status=201)


@csrf_exempt
@require_http_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
def bench(request, name):
    """The benchmark's label set: any method, the status asked for (200, 201 or 404)."""
    status = int(request.GET.get("status", "200"))
    return JsonResponse({"name": name}, status=status if status in (200, 201, 404) else 400)
