"""The per-profile User-Enrollment report: what won't apply on UE devices, for iOS and macOS.

Pure: no Django imports. Every decision comes from `devices.capabilities` (the single source of
the UE rules); this module only arranges them for the editor and the API.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from devices import capabilities

# The two platforms where User Enrollment exists for configuration profiles.
UE_PLATFORMS = (capabilities.Platform.IOS, capabilities.Platform.MACOS)


@dataclass(frozen=True)
class PayloadVerdict:
    """One payload on one platform: applies or not, and the keys left out or ignored, why."""

    payload_type: str
    identifier: str
    display_name: str
    allowed: bool
    reason: str
    rule: str
    forbidden_keys: dict[str, str]
    ignored_keys: dict[str, str]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class PlatformReport:
    """How a profile fares on User-Enrollment devices of one platform."""

    platform: str
    installs_unchanged: bool
    installs_subset: bool
    summary: str
    payloads: list[PayloadVerdict] = field(default_factory=list)
    top_level: PayloadVerdict | None = None  # the profile's own keys (TopLevel.yaml)

    @property
    def outcome(self) -> str:
        if self.installs_unchanged:
            return "installs"
        return "subset" if self.installs_subset else "refused"


def ue_target(platform: str, scope: str) -> capabilities.Target:
    """The User-Enrollment target a profile of this scope ("device"/"user") goes to."""
    # macOS User Enrollment has a user channel; on iOS there is only one channel.
    channel = (
        capabilities.Channel.USER
        if scope == "user" and platform == capabilities.Platform.MACOS
        else capabilities.Channel.DEVICE
    )
    return capabilities.Target(
        platform=capabilities.Platform(platform),
        os_version="",
        enrollment_type=capabilities.EnrollmentType.USER,
        channel=channel,
    )


def _verdict(payload: Mapping[str, Any], decision: capabilities.PayloadDecision) -> PayloadVerdict:
    return PayloadVerdict(
        payload_type=decision.payload_type,
        identifier=str(payload.get("PayloadIdentifier", "")),
        display_name=str(payload.get("PayloadDisplayName", "")),
        allowed=decision.allowed,
        reason=decision.reason,
        rule=decision.rule,
        forbidden_keys=dict(decision.forbidden_keys),
        ignored_keys=dict(decision.ignored_keys),
        notes=tuple(decision.notes),
    )


def build_report(
    payloads: Sequence[Mapping[str, Any]],
    *,
    scope: str,
    top_level: Mapping[str, Any] | None = None,
) -> list[PlatformReport]:
    """Which payloads and keys won't apply on UE devices, per platform, with the schema's reason.

    `top_level`: the profile's own keys (everything but PayloadContent), judged too.
    """
    document = {**(top_level or {}), "PayloadContent": list(payloads)}
    out: list[PlatformReport] = []
    for platform in UE_PLATFORMS:
        target = ue_target(platform, scope)
        whole, _ = capabilities.check_profile_document(document, target, strip=False)
        subset, _ = capabilities.check_profile_document(document, target, strip=True)
        verdicts = [
            _verdict(payload, decision)
            for payload, decision in zip(payloads, subset.payloads, strict=False)
        ]
        top = _verdict(document, subset.top_level) if subset.top_level else None
        out.append(
            PlatformReport(
                platform=str(platform),
                installs_unchanged=whole.allowed,
                installs_subset=subset.allowed,
                summary=whole.reason if whole.allowed else subset.reason,
                payloads=verdicts,
                top_level=top,
            )
        )
    return out


def _verdict_json(v: PayloadVerdict) -> dict[str, Any]:
    return {
        "payload_type": v.payload_type,
        "identifier": v.identifier,
        "allowed": v.allowed,
        "reason": v.reason,
        "rule": v.rule,
        "forbidden_keys": v.forbidden_keys,
        "ignored_keys": v.ignored_keys,
        "notes": list(v.notes),
    }


def report_json(reports: Sequence[PlatformReport]) -> list[dict[str, Any]]:
    """The report as JSON for the API."""
    return [
        {
            "platform": r.platform,
            "outcome": r.outcome,
            "installs_unchanged": r.installs_unchanged,
            "installs_subset": r.installs_subset,
            "summary": r.summary,
            "top_level": _verdict_json(r.top_level) if r.top_level else None,
            "payloads": [_verdict_json(v) for v in r.payloads],
        }
        for r in reports
    ]
