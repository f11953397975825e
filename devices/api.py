"""REST API of the devices app: devices (filters), their commands and logs, queueing commands."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from devices import commands, selectors, serializers, services
from devices.filters import (
    CommandFilterSet,
    DeliveryFilterSet,
    DeviceEventFilterSet,
    DeviceFilterSet,
)
from devices.models import Command, DeviceEvent, Enrollment, QueuedCommand
from mdm_server import audit
from mdm_server.api_errors import envelope, error_response
from mdm_server.api_filters import IdCursorPagination
from mdm_server.api_schema import ERROR


def _device(public_id: Any) -> Enrollment:
    return get_object_or_404(selectors.devices(), public_id=public_id)


class DeviceListApi(generics.ListAPIView):
    serializer_class = serializers.DeviceOutput
    filterset_class = DeviceFilterSet
    pagination_class = IdCursorPagination

    def get_queryset(self) -> Any:
        return selectors.devices().select_related("device__directory_user")


class DeviceDetailApi(generics.RetrieveAPIView):
    serializer_class = serializers.DeviceDetailOutput
    lookup_field = "public_id"

    def get_queryset(self) -> Any:
        return selectors.devices().select_related("device__directory_user")


class DeviceCommandListApi(generics.ListAPIView):
    serializer_class = serializers.DeviceCommandOutput
    filterset_class = DeliveryFilterSet
    pagination_class = IdCursorPagination

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no device
            return QueuedCommand.objects.none()
        return selectors.deliveries_for(_device(self.kwargs["public_id"]))


class DeviceLogListApi(generics.ListAPIView):
    serializer_class = serializers.EventOutput
    filterset_class = DeviceEventFilterSet
    pagination_class = IdCursorPagination

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no device
            return DeviceEvent.objects.none()
        return selectors.events_for(_device(self.kwargs["public_id"]))


class DeviceCommandCancelApi(APIView):
    """Cancel one pending command of a device (administrators)."""

    @extend_schema(request=None, responses={200: serializers.DeviceCommandOutput, 409: ERROR})
    def post(self, request: Request, public_id: Any, delivery_id: int) -> Response:
        device = _device(public_id)
        delivery = get_object_or_404(selectors.deliveries_for(device), pk=delivery_id)
        if not services.cancel_queued_command(
            delivery=delivery, reason=f"canceled by {request.user.get_username()}"
        ):
            return error_response(
                f"the command is already {delivery.get_status_display().lower()}",
                code="conflict",
                http_status=status.HTTP_409_CONFLICT,
            )
        audit.record(
            actor=request.user,
            action="devices.command_canceled",
            target=device,
            details={"command": delivery.command.uuid, "origin": "api"},
        )
        delivery.refresh_from_db()
        return Response(serializers.DeviceCommandOutput(delivery).data)


class CommandListApi(generics.ListAPIView):
    """Commands queued so far (GET); queue a command for devices (POST, administrators)."""

    serializer_class = serializers.CommandOutput
    filterset_class = CommandFilterSet
    pagination_class = IdCursorPagination

    def get_queryset(self) -> Any:
        return Command.objects.select_related("created_by")

    @extend_schema(
        request=serializers.CommandInput,
        responses={201: serializers.EnqueueOutput, 404: ERROR},
        description=(
            "Queue a registry command. The capability filter decides per device; when it refuses "
            "every device the answer is 400 with the reason. Bad parameters are 400 with the "
            "field; an unknown device is a 404 naming it."
        ),
    )
    def post(self, request: Request) -> Response:
        data = serializers.CommandInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        spec = commands.REGISTRY[values["command"]]
        ids = [str(v) for v in values["devices"]]
        targets = list(selectors.devices().filter(public_id__in=ids))
        missing = set(ids) - {str(t.public_id) for t in targets}
        if missing:
            unknown = sorted(missing)
            return Response(
                envelope(
                    f"unknown device(s): {', '.join(unknown[:10])}",
                    code="not_found",
                    fields={"devices": [f"unknown device {m}" for m in unknown[:100]]},
                ),
                status=status.HTTP_404_NOT_FOUND,
            )
        try:
            result = services.enqueue_command(
                enrollments=targets,
                request_type=spec.name,
                payload=values["params"],
                actor=request.user,
                origin="api",
                strip_forbidden=values["strip_forbidden"],
            )
        except commands.CommandInputError as exc:
            return Response(
                {
                    "error": {
                        "code": "invalid",
                        "message": f"{exc.field}: {exc.message}",
                        "fields": {f"params.{exc.field}": [exc.message]},
                    }
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        by_pk = {t.pk: str(t.public_id) for t in targets}
        if not result.commands:
            reasons = sorted(set(result.refused.values()))
            response = error_response(
                f"{spec.title} is not allowed: {'; '.join(reasons)}", code="refused"
            )
            response.data["error"]["refused"] = {by_pk[k]: v for k, v in result.refused.items()}
            return response
        audit.record(
            actor=request.user,
            action="devices.command_queued",
            target=targets[0] if len(targets) == 1 else result.command,
            details=selectors.enqueue_details(
                spec=spec, result=result, origin="api", targets=targets
            ),
        )
        out = serializers.EnqueueOutput(
            {
                "commands": result.commands,
                "queued": [by_pk[k] for k in result.queued],
                "refused": {by_pk[k]: v for k, v in result.refused.items()},
                "notes": {by_pk[k]: v for k, v in result.notes.items()},
            }
        )
        return Response(out.data, status=status.HTTP_201_CREATED)


class CommandDetailApi(generics.RetrieveAPIView):
    serializer_class = serializers.CommandDetailOutput
    lookup_field = "uuid"

    def get_queryset(self) -> Any:
        return Command.objects.select_related("created_by")

    def get_object(self) -> Command:
        # Command UUIDs are stored as sent to devices (ours in upper case); either case finds one.
        value = str(self.kwargs["uuid"])
        return get_object_or_404(
            self.filter_queryset(self.get_queryset()), uuid__in={value, value.upper()}
        )


class CommandTypeListApi(APIView):
    """The command registry: what can be queued, with parameters (from each command's
    serializer)."""

    @extend_schema(responses=serializers.CommandTypeOutput(many=True))
    def get(self, request: Request) -> Response:
        rows = [
            {
                "name": s.name,
                "request_type": s.request_type,
                "title": s.title,
                "destructive": s.destructive,
                "params": [
                    {
                        "name": p.name,
                        "kind": p.kind,
                        "required": p.required,
                        "help": p.help,
                        **({"choices": list(p.choices)} if p.choices else {}),
                    }
                    for p in s.params
                ],
            }
            for s in commands.REGISTRY.values()
        ]
        return Response(serializers.CommandTypeOutput(rows, many=True).data)


class DeviceCapabilityApi(APIView):
    """Which registry commands this device may get, and why not (the console's actions menu)."""

    @extend_schema(
        parameters=[OpenApiParameter("public_id", str, OpenApiParameter.PATH)],
        responses={200: {"type": "object"}},
    )
    def get(self, request: Request, public_id: Any) -> Response:
        device = _device(public_id)
        return Response(
            {
                a.spec.name: {"allowed": a.allowed, "reason": a.reason}
                for a in selectors.actions_for(device)
            }
        )
