"""CertificateList: the installed certificates (Apple "Certificate List Command",
mdm/commands/certificate.list.yaml). The answer updates the inventory."""

from devices import inventory
from devices.commands.base import Boolean, CommandSpec, Params


class CertificateListParams(Params):
    ManagedOnly = Boolean(required=False)


COMMAND = CommandSpec(
    name="CertificateList",
    title="List certificates",
    menu_order=100,
    params_class=CertificateListParams,
    on_result=inventory.certificate_list,
    result_key="CertificateList",
)
