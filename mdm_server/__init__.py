"""The project package.

Importing it, or one of its pure modules (`mdm_server.apple`, `mdm_server.env`, the PKI helpers),
loads neither Django nor Celery. The Celery app (`mdm_server.celery`) is created when Django starts
(`CoreConfig.ready`), and `celery -A mdm_server` finds it by that module name.
"""
