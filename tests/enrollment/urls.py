"""The project's URLs plus the PKI's /scep route, in case the root URLconf does not mount it yet."""

from django.urls import include, path

from mdm_server.urls import urlpatterns as project_urlpatterns

urlpatterns = list(project_urlpatterns)
if not any(getattr(p, "urlconf_name", None) == "mdm_server.pki.urls" for p in urlpatterns):
    urlpatterns.append(path("", include("mdm_server.pki.urls")))
