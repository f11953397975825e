"""ScheduleOSUpdate: download or install an OS update (Apple "Schedule OS Update Command",
mdm/commands/system.update.schedule.yaml)."""

from typing import Any

from devices.commands.base import Choice, CommandSpec, Params, Text

INSTALL_ACTIONS = ("Default", "DownloadOnly", "InstallASAP", "NotifyOnly", "InstallLater")


class ScheduleOSUpdateParams(Params):
    ProductKey = Text(required=False)
    InstallAction = Choice(choices=INSTALL_ACTIONS, required=False)


def build(values: dict[str, Any]) -> dict[str, Any]:
    update: dict[str, Any] = {"InstallAction": values.get("InstallAction", "Default")}
    if values.get("ProductKey"):
        update["ProductKey"] = values["ProductKey"]
    return {"Updates": [update]}


COMMAND = CommandSpec(
    name="ScheduleOSUpdate",
    title="Schedule OS update",
    menu_order=220,
    params_class=ScheduleOSUpdateParams,
    build=build,
)
