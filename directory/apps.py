from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = "Directory"

    def ready(self) -> None:
        # The selectors keep the domains and identity sources per process; importing them
        # connects the signals that tell every process when an administrator changes one
        # (mdm_server.config_cache), whichever code path saves it (the admin site included).
        from directory import selectors  # noqa: F401
