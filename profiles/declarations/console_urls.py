from django.urls import path

from profiles.declarations import console

urlpatterns = [
    path("", console.declaration_list, name="declarations-list"),
    path("new/", console.declaration_create, name="declarations-create"),
    path("<int:pk>/", console.declaration_detail, name="declarations-detail"),
    path("<int:pk>/delete/", console.declaration_delete, name="declarations-delete"),
    path("<int:pk>/data/", console.declaration_asset_data, name="declarations-asset-upload"),
    path("sets/new/", console.set_create, name="declarations-set-create"),
    path("sets/<int:pk>/", console.set_detail, name="declarations-set-detail"),
    path("sets/<int:pk>/assign/", console.set_assign, name="declarations-set-assign"),
    path(
        "sets/<int:pk>/assignments/<int:assignment_pk>/delete/",
        console.set_unassign,
        name="declarations-set-unassign",
    ),
    path("sets/<int:pk>/delete/", console.set_delete, name="declarations-set-delete"),
    path("devices/<uuid:public_id>/", console.device_status, name="declarations-device"),
]
