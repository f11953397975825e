"""Apple declarative-management declarations table. GENERATED FILE: do not edit by hand.

Source: https://github.com/apple/device-management at commit 61449b07e22d7d659aaa9ae65a29688cff3902a2
(declarative/declarations). Regenerate with `manage.py generate_declaration_table`.
"""

from typing import Any

SCHEMA_COMMIT = "61449b07e22d7d659aaa9ae65a29688cff3902a2"

# declaration Type -> class, title, source file, apply, per-OS support with the allowed
# enrollment kinds and scopes (absent: no limit stated), the scopes allowed on a Shared
# iPad (sharedipad_scopes; empty: not on a Shared iPad), and the payload keys' shape
DECLARATIONS: dict[str, Any] = {
    "com.apple.activation.simple": {
        "apply": "",
        "class": "activation",
        "file": "declarative/declarations/activations/simple.yaml",
        "keys": {
            "Predicate": {"type": "string"},
            "StandardConfigurations": {
                "item": {"type": "string"},
                "required": True,
                "type": "array",
            },
        },
        "os": {
            "iOS": {"introduced": "15.0"},
            "macOS": {"introduced": "13.0"},
            "tvOS": {"introduced": "16.0"},
            "visionOS": {"introduced": "1.1"},
            "watchOS": {"introduced": "10.0"},
        },
        "title": "Activation:Simple",
    },
    "com.apple.asset.credential.acme": {
        "apply": "",
        "class": "asset",
        "file": "declarative/declarations/assets/credential.acme.yaml",
        "keys": {
            "Accessible": {"range": ["Default", "AfterFirstUnlock"], "type": "string"},
            "Authentication": {
                "keys": {"Type": {"range": ["MDM", "None"], "required": True, "type": "string"}},
                "type": "dictionary",
            },
            "Reference": {
                "keys": {
                    "ContentType": {"type": "string"},
                    "DataURL": {"required": True, "type": "string"},
                    "Hash-SHA-256": {"type": "string"},
                    "Size": {"type": "integer"},
                },
                "required": True,
                "type": "dictionary",
            },
        },
        "os": {
            "iOS": {"introduced": "17.0"},
            "macOS": {"introduced": "14.0"},
            "tvOS": {"introduced": "17.0"},
            "visionOS": {"introduced": "1.1"},
            "watchOS": {"introduced": "10.0"},
        },
        "title": "Asset:Credential ACME",
    },
    "com.apple.asset.credential.certificate": {
        "apply": "",
        "class": "asset",
        "file": "declarative/declarations/assets/credential.certificate.yaml",
        "keys": {
            "Authentication": {
                "keys": {"Type": {"range": ["MDM", "None"], "required": True, "type": "string"}},
                "type": "dictionary",
            },
            "Reference": {
                "keys": {
                    "ContentType": {"type": "string"},
                    "DataURL": {"required": True, "type": "string"},
                    "Hash-SHA-256": {"type": "string"},
                    "Size": {"type": "integer"},
                },
                "required": True,
                "type": "dictionary",
            },
        },
        "os": {
            "iOS": {"introduced": "17.0"},
            "macOS": {"introduced": "14.0"},
            "tvOS": {"introduced": "17.0"},
            "visionOS": {"introduced": "1.1"},
            "watchOS": {"introduced": "10.0"},
        },
        "title": "Asset:Credential Certificate",
    },
    "com.apple.asset.credential.identity": {
        "apply": "",
        "class": "asset",
        "file": "declarative/declarations/assets/credential.identity.yaml",
        "keys": {
            "Accessible": {"range": ["Default", "AfterFirstUnlock"], "type": "string"},
            "Authentication": {
                "keys": {"Type": {"range": ["MDM", "None"], "required": True, "type": "string"}},
                "type": "dictionary",
            },
            "Reference": {
                "keys": {
                    "ContentType": {"type": "string"},
                    "DataURL": {"required": True, "type": "string"},
                    "Hash-SHA-256": {"type": "string"},
                    "Size": {"type": "integer"},
                },
                "required": True,
                "type": "dictionary",
            },
        },
        "os": {
            "iOS": {"introduced": "17.0"},
            "macOS": {"introduced": "14.0"},
            "tvOS": {"introduced": "17.0"},
            "visionOS": {"introduced": "1.1"},
            "watchOS": {"introduced": "10.0"},
        },
        "title": "Asset:Credential Identity",
    },
    "com.apple.asset.credential.scep": {
        "apply": "",
        "class": "asset",
        "file": "declarative/declarations/assets/credential.scep.yaml",
        "keys": {
            "Accessible": {"range": ["Default", "AfterFirstUnlock"], "type": "string"},
            "Authentication": {
                "keys": {"Type": {"range": ["MDM", "None"], "required": True, "type": "string"}},
                "type": "dictionary",
            },
            "Reference": {
                "keys": {
                    "ContentType": {"type": "string"},
                    "DataURL": {"required": True, "type": "string"},
                    "Hash-SHA-256": {"type": "string"},
                    "Size": {"type": "integer"},
                },
                "required": True,
                "type": "dictionary",
            },
        },
        "os": {
            "iOS": {"introduced": "17.0"},
            "macOS": {"introduced": "14.0"},
            "tvOS": {"introduced": "17.0"},
            "visionOS": {"introduced": "1.1"},
            "watchOS": {"introduced": "10.0"},
        },
        "title": "Asset:Credential SCEP",
    },
    "com.apple.asset.credential.userpassword": {
        "apply": "",
        "class": "asset",
        "file": "declarative/declarations/assets/credential.userpassword.yaml",
        "keys": {
            "Authentication": {
                "keys": {"Type": {"range": ["MDM", "None"], "required": True, "type": "string"}},
                "type": "dictionary",
            },
            "Reference": {
                "keys": {
                    "ContentType": {"type": "string"},
                    "DataURL": {"required": True, "type": "string"},
                    "Hash-SHA-256": {"type": "string"},
                    "Size": {"type": "integer"},
                },
                "required": True,
                "type": "dictionary",
            },
        },
        "os": {
            "iOS": {"introduced": "15.0"},
            "macOS": {"introduced": "13.0"},
            "tvOS": {"introduced": "16.0"},
            "visionOS": {"introduced": "1.1"},
            "watchOS": {"introduced": "10.0"},
        },
        "title": "Asset:Credential User Name and Password",
    },
    "com.apple.asset.data": {
        "apply": "",
        "class": "asset",
        "file": "declarative/declarations/assets/data.yaml",
        "keys": {
            "Authentication": {
                "keys": {"Type": {"range": ["MDM", "None"], "required": True, "type": "string"}},
                "type": "dictionary",
            },
            "Reference": {
                "keys": {
                    "ContentType": {"type": "string"},
                    "DataURL": {"required": True, "type": "string"},
                    "Hash-SHA-256": {"type": "string"},
                    "Size": {"type": "integer"},
                },
                "required": True,
                "type": "dictionary",
            },
        },
        "os": {
            "iOS": {"introduced": "17.0"},
            "macOS": {"introduced": "14.0"},
            "tvOS": {"introduced": "17.0"},
            "visionOS": {"introduced": "1.1"},
            "watchOS": {"introduced": "10.0"},
        },
        "title": "Asset:Data",
    },
    "com.apple.asset.useridentity": {
        "apply": "",
        "class": "asset",
        "file": "declarative/declarations/assets/useridentity.yaml",
        "keys": {"EmailAddress": {"type": "string"}, "FullName": {"type": "string"}},
        "os": {
            "iOS": {"introduced": "15.0"},
            "macOS": {"introduced": "13.0"},
            "tvOS": {"introduced": "16.0"},
            "visionOS": {"introduced": "1.1"},
            "watchOS": {"introduced": "10.0"},
        },
        "title": "Asset:User Identity",
    },
    "com.apple.configuration.accessibility.settings": {
        "apply": "combined",
        "class": "configuration",
        "file": "declarative/declarations/configurations/accessibility.settings.yaml",
        "keys": {
            "Vision": {"keys": {"AllowLiveRecognition": {"type": "boolean"}}, "type": "dictionary"},
        },
        "os": {
            "iOS": {
                "enrollments": ["supervised"],
                "introduced": "27.0",
                "scopes": ["system"],
                "sharedipad_scopes": [],
            },
            "macOS": {
                "enrollments": ["supervised"],
                "introduced": "27.0",
                "scopes": ["system", "user"],
            },
            "tvOS": {"supported": False},
            "visionOS": {"enrollments": ["supervised"], "introduced": "27.0", "scopes": ["system"]},
            "watchOS": {"supported": False},
        },
        "title": "Accessibility Settings",
    },
    "com.apple.configuration.account.caldav": {
        "apply": "multiple",
        "class": "configuration",
        "file": "declarative/declarations/configurations/account.caldav.yaml",
        "keys": {
            "AuthenticationCredentialsAssetReference": {"type": "string"},
            "HostName": {"required": True, "type": "string"},
            "Path": {"type": "string"},
            "Port": {"type": "integer"},
            "VisibleName": {"type": "string"},
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "15.0",
                "scopes": ["system"],
                "sharedipad_scopes": ["user"],
            },
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "13.0",
                "scopes": ["user"],
            },
            "tvOS": {"supported": False},
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {"supported": False},
        },
        "title": "Account:CalDAV",
    },
    "com.apple.configuration.account.carddav": {
        "apply": "multiple",
        "class": "configuration",
        "file": "declarative/declarations/configurations/account.carddav.yaml",
        "keys": {
            "AuthenticationCredentialsAssetReference": {"type": "string"},
            "HostName": {"required": True, "type": "string"},
            "Path": {"type": "string"},
            "Port": {"type": "integer"},
            "VisibleName": {"type": "string"},
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "15.0",
                "scopes": ["system"],
                "sharedipad_scopes": ["user"],
            },
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "13.0",
                "scopes": ["user"],
            },
            "tvOS": {"supported": False},
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {"supported": False},
        },
        "title": "Account:CardDAV",
    },
    "com.apple.configuration.account.exchange": {
        "apply": "multiple",
        "class": "configuration",
        "file": "declarative/declarations/configurations/account.exchange.yaml",
        "keys": {
            "AuthenticationCredentialsAssetReference": {"type": "string"},
            "AuthenticationIdentityAssetReference": {"type": "string"},
            "CalendarServiceActive": {"type": "boolean"},
            "ContactsServiceActive": {"type": "boolean"},
            "EnabledProtocolTypes": {
                "item": {"range": ["EAS", "EWS"], "required": True, "type": "string"},
                "required": True,
                "type": "array",
            },
            "External Path": {"type": "string"},
            "ExternalHostName": {"type": "string"},
            "ExternalPort": {"type": "integer"},
            "HostName": {"type": "string"},
            "LockCalendarService": {"type": "boolean"},
            "LockContactsService": {"type": "boolean"},
            "LockMailService": {"type": "boolean"},
            "LockNotesService": {"type": "boolean"},
            "LockRemindersService": {"type": "boolean"},
            "MailServiceActive": {"type": "boolean"},
            "NotesServiceActive": {"type": "boolean"},
            "OAuth": {
                "keys": {
                    "Enabled": {"required": True, "type": "boolean"},
                    "SignInURL": {"type": "string"},
                    "TokenRequestURL": {"type": "string"},
                },
                "type": "dictionary",
            },
            "Path": {"type": "string"},
            "Port": {"type": "integer"},
            "RemindersServiceActive": {"type": "boolean"},
            "SMIME": {
                "keys": {
                    "Encryption": {
                        "keys": {
                            "Enabled": {"required": True, "type": "boolean"},
                            "IdentityAssetReference": {"type": "string"},
                            "IdentityUserOverrideable": {"type": "boolean"},
                            "PerMessageSwitchEnabled": {"type": "boolean"},
                            "UserOverrideable": {"type": "boolean"},
                        },
                        "type": "dictionary",
                    },
                    "Signing": {
                        "keys": {
                            "Enabled": {"required": True, "type": "boolean"},
                            "IdentityAssetReference": {"type": "string"},
                            "IdentityUserOverrideable": {"type": "boolean"},
                            "UserOverrideable": {"type": "boolean"},
                        },
                        "type": "dictionary",
                    },
                },
                "type": "dictionary",
            },
            "UserIdentityAssetReference": {"type": "string"},
            "VisibleName": {"type": "string"},
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "15.0",
                "scopes": ["system"],
                "sharedipad_scopes": ["user"],
            },
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "13.0",
                "scopes": ["user"],
            },
            "tvOS": {"supported": False},
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {"supported": False},
        },
        "title": "Account:Exchange",
    },
    "com.apple.configuration.account.google": {
        "apply": "multiple",
        "class": "configuration",
        "file": "declarative/declarations/configurations/account.google.yaml",
        "keys": {
            "UserIdentityAssetReference": {"required": True, "type": "string"},
            "VisibleName": {"type": "string"},
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "15.0",
                "scopes": ["system"],
                "sharedipad_scopes": ["user"],
            },
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "13.0",
                "scopes": ["user"],
            },
            "tvOS": {"supported": False},
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {"supported": False},
        },
        "title": "Account:Google",
    },
    "com.apple.configuration.account.ldap": {
        "apply": "multiple",
        "class": "configuration",
        "file": "declarative/declarations/configurations/account.ldap.yaml",
        "keys": {
            "AuthenticationCredentialsAssetReference": {"type": "string"},
            "HostName": {"required": True, "type": "string"},
            "Port": {"type": "integer"},
            "SearchSettings": {
                "item": {
                    "keys": {
                        "Scope": {"range": ["Base", "OneLevel", "Subtree"], "type": "string"},
                        "SearchBase": {"required": True, "type": "string"},
                        "VisibleDescription": {"type": "string"},
                    },
                    "type": "dictionary",
                },
                "type": "array",
            },
            "VisibleName": {"type": "string"},
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "15.0",
                "scopes": ["system"],
                "sharedipad_scopes": ["user"],
            },
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "13.0",
                "scopes": ["user"],
            },
            "tvOS": {"supported": False},
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {"supported": False},
        },
        "title": "Account:LDAP",
    },
    "com.apple.configuration.account.mail": {
        "apply": "multiple",
        "class": "configuration",
        "file": "declarative/declarations/configurations/account.mail.yaml",
        "keys": {
            "IncomingServer": {
                "keys": {
                    "AuthenticationCredentialsAssetReference": {"type": "string"},
                    "AuthenticationMethod": {
                        "range": ["None", "Password", "CRAMMD5", "NTLM", "HTTPMD5"],
                        "required": True,
                        "type": "string",
                    },
                    "HostName": {"required": True, "type": "string"},
                    "IMAPPathPrefix": {"type": "string"},
                    "Port": {"type": "integer"},
                    "ServerType": {"range": ["IMAP", "POP"], "required": True, "type": "string"},
                },
                "required": True,
                "type": "dictionary",
            },
            "OutgoingServer": {
                "keys": {
                    "AuthenticationCredentialsAssetReference": {"type": "string"},
                    "AuthenticationMethod": {
                        "range": ["None", "Password", "CRAMMD5", "NTLM", "HTTPMD5"],
                        "required": True,
                        "type": "string",
                    },
                    "HostName": {"required": True, "type": "string"},
                    "Port": {"type": "integer"},
                },
                "required": True,
                "type": "dictionary",
            },
            "SMIME": {
                "keys": {
                    "Encryption": {
                        "keys": {
                            "Enabled": {"required": True, "type": "boolean"},
                            "IdentityAssetReference": {"type": "string"},
                            "IdentityUserOverrideable": {"type": "boolean"},
                            "PerMessageSwitchEnabled": {"type": "boolean"},
                            "UserOverrideable": {"type": "boolean"},
                        },
                        "type": "dictionary",
                    },
                    "Signing": {
                        "keys": {
                            "Enabled": {"required": True, "type": "boolean"},
                            "IdentityAssetReference": {"type": "string"},
                            "IdentityUserOverrideable": {"type": "boolean"},
                            "UserOverrideable": {"type": "boolean"},
                        },
                        "type": "dictionary",
                    },
                },
                "type": "dictionary",
            },
            "UserIdentityAssetReference": {"type": "string"},
            "VisibleName": {"type": "string"},
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "15.0",
                "scopes": ["system"],
                "sharedipad_scopes": ["user"],
            },
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "13.0",
                "scopes": ["user"],
            },
            "tvOS": {"supported": False},
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {"supported": False},
        },
        "title": "Account:Mail",
    },
    "com.apple.configuration.account.subscribed-calendar": {
        "apply": "multiple",
        "class": "configuration",
        "file": "declarative/declarations/configurations/account.subscribed-calendar.yaml",
        "keys": {
            "AuthenticationCredentialsAssetReference": {"type": "string"},
            "CalendarURL": {"required": True, "type": "string"},
            "VisibleName": {"type": "string"},
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "15.0",
                "scopes": ["system"],
                "sharedipad_scopes": ["user"],
            },
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "14.0",
                "scopes": ["user"],
            },
            "tvOS": {"supported": False},
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {"supported": False},
        },
        "title": "Account:Subscribed Calendar",
    },
    "com.apple.configuration.app.managed": {
        "apply": "multiple",
        "class": "configuration",
        "file": "declarative/declarations/configurations/app.managed.yaml",
        "keys": {
            "AppComposedIdentifier": {"type": "string"},
            "AppConfig": {
                "keys": {
                    "Certificates": {
                        "item": {
                            "keys": {
                                "AssetReference": {"required": True, "type": "string"},
                                "Identifier": {"required": True, "type": "string"},
                            },
                            "required": True,
                            "type": "dictionary",
                        },
                        "type": "array",
                    },
                    "DataAssetReference": {"type": "string"},
                    "Identities": {
                        "item": {
                            "keys": {
                                "AssetReference": {"required": True, "type": "string"},
                                "Identifier": {"required": True, "type": "string"},
                            },
                            "required": True,
                            "type": "dictionary",
                        },
                        "type": "array",
                    },
                    "Passwords": {
                        "item": {
                            "keys": {
                                "AssetReference": {"required": True, "type": "string"},
                                "Identifier": {"required": True, "type": "string"},
                            },
                            "required": True,
                            "type": "dictionary",
                        },
                        "type": "array",
                    },
                },
                "type": "dictionary",
            },
            "AppStoreID": {"type": "string"},
            "Attributes": {
                "keys": {
                    "AssociatedDomains": {
                        "item": {"required": True, "type": "string"},
                        "type": "array",
                    },
                    "AssociatedDomainsEnableDirectDownloads": {"type": "boolean"},
                    "CellularSliceUUID": {"type": "string"},
                    "ContentFilterUUID": {"type": "string"},
                    "DNSProxyUUID": {"type": "string"},
                    "Hideable": {"type": "boolean"},
                    "Lockable": {"type": "boolean"},
                    "RelayUUID": {"type": "string"},
                    "TapToPayScreenLock": {"type": "boolean"},
                    "VPNUUID": {"type": "string"},
                },
                "type": "dictionary",
            },
            "BundleID": {"type": "string"},
            "ExtensionConfigs": {"free": True, "type": "dictionary"},
            "IncludeInBackup": {"type": "boolean"},
            "InstallBehavior": {
                "keys": {
                    "AllowDownloadsOverCellular": {
                        "range": ["AlwaysOn", "AlwaysOff", "StoreSettings"],
                        "type": "string",
                    },
                    "Install": {"range": ["Optional", "Required"], "type": "string"},
                    "License": {
                        "keys": {
                            "Assignment": {"range": ["Device", "User"], "type": "string"},
                            "VPPType": {"range": ["Device", "User"], "type": "string"},
                        },
                        "type": "dictionary",
                    },
                    "Version": {"type": "integer"},
                },
                "type": "dictionary",
            },
            "LegacyAppConfigAssetReference": {"type": "string"},
            "ManifestURL": {"type": "string"},
            "UpdateBehavior": {
                "keys": {
                    "AutomaticAppUpdates": {
                        "range": ["AlwaysOn", "AlwaysOff", "StoreSettings"],
                        "required": True,
                        "type": "string",
                    },
                },
                "type": "dictionary",
            },
            "iOSApp": {"type": "boolean"},
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "supervised", "user"],
                "introduced": "17.2",
                "scopes": ["system"],
                "sharedipad_scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["supervised", "user"],
                "introduced": "26.0",
                "scopes": ["system", "user"],
            },
            "tvOS": {"supported": False},
            "visionOS": {
                "enrollments": ["device", "supervised", "user"],
                "introduced": "2.4",
                "scopes": ["system"],
            },
            "watchOS": {"supported": False},
        },
        "title": "App:Managed",
    },
    "com.apple.configuration.app.settings": {
        "apply": "combined",
        "class": "configuration",
        "file": "declarative/declarations/configurations/app.settings.yaml",
        "keys": {
            "Allowed": {
                "keys": {
                    "AllowedApps": {"item": {"required": True, "type": "string"}, "type": "array"},
                    "AllowedBinaries": {
                        "item": {
                            "keys": {
                                "CDHash": {"type": "string"},
                                "PathPrefix": {"type": "string"},
                                "SigningID": {"type": "string"},
                                "SigningState": {
                                    "range": [
                                        "All",
                                        "TestFlight",
                                        "DeveloperID",
                                        "Enterprise",
                                        "AppStore",
                                        "Apple",
                                    ],
                                    "type": "string",
                                },
                                "TeamID": {"type": "string"},
                            },
                            "required": True,
                            "type": "dictionary",
                        },
                        "type": "array",
                    },
                    "AlwaysAllowManagedApps": {"type": "boolean"},
                    "DeniedApps": {"item": {"required": True, "type": "string"}, "type": "array"},
                    "DeniedBinaries": {
                        "item": {
                            "keys": {
                                "CDHash": {"type": "string"},
                                "PathPrefix": {"type": "string"},
                                "SigningID": {"type": "string"},
                                "SigningState": {
                                    "range": [
                                        "All",
                                        "TestFlight",
                                        "DeveloperID",
                                        "Enterprise",
                                        "AppStore",
                                        "Apple",
                                    ],
                                    "type": "string",
                                },
                                "TeamID": {"type": "string"},
                            },
                            "required": True,
                            "type": "dictionary",
                        },
                        "type": "array",
                    },
                },
                "type": "dictionary",
            },
            "Privacy": {
                "keys": {"PermissionDefaults": {"free": True, "type": "dictionary"}},
                "type": "dictionary",
            },
        },
        "os": {
            "iOS": {
                "enrollments": ["supervised"],
                "introduced": "27.0",
                "scopes": ["system"],
                "sharedipad_scopes": ["user"],
            },
            "macOS": {
                "enrollments": ["supervised"],
                "introduced": "27.0",
                "scopes": ["system", "user"],
            },
            "tvOS": {"enrollments": ["supervised"], "introduced": "27.0", "scopes": ["system"]},
            "visionOS": {"enrollments": ["supervised"], "introduced": "27.0", "scopes": ["system"]},
            "watchOS": {"supported": False},
        },
        "title": "App:Settings",
    },
    "com.apple.configuration.audio-accessory.settings": {
        "apply": "combined",
        "class": "configuration",
        "file": "declarative/declarations/configurations/audio-accessory.settings.yaml",
        "keys": {
            "TemporaryPairing": {
                "keys": {
                    "Configuration": {
                        "keys": {
                            "UnpairingTime": {
                                "keys": {
                                    "Hour": {"type": "integer"},
                                    "Policy": {
                                        "range": ["None", "Hour"],
                                        "required": True,
                                        "type": "string",
                                    },
                                },
                                "required": True,
                                "type": "dictionary",
                            },
                        },
                        "type": "dictionary",
                    },
                    "Disabled": {"type": "boolean"},
                },
                "type": "dictionary",
            },
        },
        "os": {
            "iOS": {
                "enrollments": ["supervised"],
                "introduced": "26.0",
                "scopes": ["system"],
                "sharedipad_scopes": ["system"],
            },
            "macOS": {"supported": False},
            "tvOS": {"supported": False},
            "visionOS": {"supported": False},
            "watchOS": {"supported": False},
        },
        "title": "Audio Accessory:Settings",
    },
    "com.apple.configuration.diskmanagement.settings": {
        "apply": "combined",
        "class": "configuration",
        "file": "declarative/declarations/configurations/diskmanagement.settings.yaml",
        "keys": {
            "Restrictions": {
                "keys": {
                    "ExternalStorage": {
                        "range": ["Allowed", "ReadOnly", "Disallowed"],
                        "type": "string",
                    },
                    "NetworkStorage": {
                        "range": ["Allowed", "ReadOnly", "Disallowed"],
                        "type": "string",
                    },
                },
                "type": "dictionary",
            },
        },
        "os": {
            "iOS": {"supported": False},
            "macOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "15.0",
                "scopes": ["system"],
            },
            "tvOS": {"supported": False},
            "visionOS": {"supported": False},
            "watchOS": {"supported": False},
        },
        "title": "Disk Management:Settings",
    },
    "com.apple.configuration.extensible-sso": {
        "apply": "multiple",
        "class": "configuration",
        "file": "declarative/declarations/configurations/extensible-sso.yaml",
        "keys": {
            "DeniedBundleIdentifiers": {
                "item": {"required": True, "type": "string"},
                "type": "array",
            },
            "ExtensionComposedIdentifier": {"required": True, "type": "string"},
            "ExtensionData": {"free": True, "type": "dictionary"},
            "Hosts": {"item": {"required": True, "type": "string"}, "type": "array"},
            "PlatformSSO": {
                "keys": {
                    "AccessKey": {
                        "keys": {
                            "AllowExpressMode": {"type": "boolean"},
                            "ReaderGroupIdentifier": {"type": "data"},
                            "ReaderIssuerCertificateAssetReference": {"type": "string"},
                            "TerminalIdentityAssetReference": {"type": "string"},
                        },
                        "type": "dictionary",
                    },
                    "Account": {
                        "keys": {
                            "DisplayName": {"type": "string"},
                            "SynchronizeProfilePicture": {"type": "boolean"},
                        },
                        "type": "dictionary",
                    },
                    "AllowDeviceIdentifiersInAttestation": {"type": "boolean"},
                    "AuthenticationMethod": {
                        "range": ["Password", "UserSecureEnclaveKey", "SmartCard", "OpenID"],
                        "type": "string",
                    },
                    "Authorization": {
                        "keys": {
                            "AdditionalGroups": {"item": {"type": "string"}, "type": "array"},
                            "AdministratorGroups": {"item": {"type": "string"}, "type": "array"},
                            "AuthorizationGroups": {"free": True, "type": "dictionary"},
                            "EnableIdentityProviderAccounts": {"type": "boolean"},
                            "UserAuthorizationMode": {
                                "range": ["Standard", "Admin", "Groups"],
                                "type": "string",
                            },
                        },
                        "type": "dictionary",
                    },
                    "LoginFrequency": {"type": "integer"},
                    "Policies": {
                        "keys": {
                            "AuthenticationGracePeriod": {"type": "integer"},
                            "FileVault": {
                                "item": {
                                    "range": [
                                        "AttemptAuthentication",
                                        "RequireAuthentication",
                                        "AllowOfflineGracePeriod",
                                        "AllowAuthenticationGracePeriod",
                                        "RequireTouchID",
                                        "RequireTouchIDOrWatch",
                                        "AllowOpenIDForTouchIDFallback",
                                    ],
                                    "required": True,
                                    "type": "string",
                                },
                                "type": "array",
                            },
                            "Login": {
                                "item": {
                                    "range": [
                                        "AttemptAuthentication",
                                        "RequireAuthentication",
                                        "AllowOfflineGracePeriod",
                                        "AllowAuthenticationGracePeriod",
                                        "RequireTouchID",
                                        "RequireTouchIDOrWatch",
                                        "AllowOpenIDForTouchIDFallback",
                                    ],
                                    "required": True,
                                    "type": "string",
                                },
                                "type": "array",
                            },
                            "NonPlatformSSOAccounts": {
                                "item": {"required": True, "type": "string"},
                                "type": "array",
                            },
                            "OfflineGracePeriod": {"type": "integer"},
                            "Unlock": {
                                "item": {
                                    "range": [
                                        "AttemptAuthentication",
                                        "RequireAuthentication",
                                        "AllowOfflineGracePeriod",
                                        "AllowAuthenticationGracePeriod",
                                        "AllowTouchIDOrWatchForUnlock",
                                        "RequireTouchID",
                                        "RequireTouchIDOrWatch",
                                        "AllowOpenIDForTouchIDFallback",
                                    ],
                                    "required": True,
                                    "type": "string",
                                },
                                "type": "array",
                            },
                        },
                        "type": "dictionary",
                    },
                    "RegistrationToken": {"type": "string"},
                    "UseSharedDeviceKeys": {"type": "boolean"},
                    "UserCreation": {
                        "keys": {
                            "EnableAtLogin": {"type": "boolean"},
                            "EnableFirstUserDuringSetup": {"type": "boolean"},
                            "EnableRegistrationDuringSetup": {"type": "boolean"},
                            "NewUserAuthenticationMethods": {
                                "item": {
                                    "range": ["Password", "SmartCard", "AccessKey", "OpenID"],
                                    "type": "string",
                                },
                                "type": "array",
                            },
                            "NewUserAuthorizationMode": {
                                "range": ["Standard", "Admin", "Groups", "Temporary"],
                                "type": "string",
                            },
                            "TemporarySessionQuickLogin": {"type": "boolean"},
                            "TokenToUserMapping": {
                                "keys": {
                                    "AccountName": {"type": "string"},
                                    "FullName": {"type": "string"},
                                },
                                "type": "dictionary",
                            },
                        },
                        "type": "dictionary",
                    },
                    "WebAuthentication": {
                        "keys": {
                            "AllowPasswordSync": {"type": "boolean"},
                            "URLAllowList": {"item": {"type": "string"}, "type": "array"},
                        },
                        "type": "dictionary",
                    },
                },
                "type": "dictionary",
            },
            "Realm": {"type": "string"},
            "ScreenLockedBehavior": {"range": ["Cancel", "DoNotHandle"], "type": "string"},
            "Type": {"range": ["Credential", "Redirect"], "required": True, "type": "string"},
            "URLs": {"item": {"required": True, "type": "string"}, "type": "array"},
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "supervised", "user"],
                "introduced": "27.0",
                "scopes": ["system"],
                "sharedipad_scopes": ["user"],
            },
            "macOS": {
                "enrollments": ["supervised", "user"],
                "introduced": "27.0",
                "scopes": ["system", "user"],
            },
            "tvOS": {"supported": False},
            "visionOS": {
                "enrollments": ["device", "supervised", "user"],
                "introduced": "27.0",
                "scopes": ["system"],
            },
            "watchOS": {"supported": False},
        },
        "title": "Extensible SSO",
    },
    "com.apple.configuration.intelligence.settings": {
        "apply": "combined",
        "class": "configuration",
        "file": "declarative/declarations/configurations/intelligence.settings.yaml",
        "keys": {
            "AllowAppleIntelligenceReport": {"type": "boolean"},
            "AllowGenmoji": {"type": "boolean"},
            "AllowImagePlayground": {"type": "boolean"},
            "AllowImageWand": {"type": "boolean"},
            "AllowPersonalizedHandwritingResults": {"type": "boolean"},
            "AllowVisualIntelligenceSummary": {"type": "boolean"},
            "AllowWritingTools": {"type": "boolean"},
            "Apps": {
                "keys": {
                    "Calendar": {
                        "keys": {"AllowNaturalLanguageEditing": {"type": "boolean"}},
                        "type": "dictionary",
                    },
                    "Mail": {
                        "keys": {
                            "AllowSmartReplies": {"type": "boolean"},
                            "AllowSummary": {"type": "boolean"},
                        },
                        "type": "dictionary",
                    },
                    "Notes": {
                        "keys": {
                            "AllowTranscription": {"type": "boolean"},
                            "AllowTranscriptionSummary": {"type": "boolean"},
                        },
                        "type": "dictionary",
                    },
                    "Safari": {"keys": {"AllowSummary": {"type": "boolean"}}, "type": "dictionary"},
                },
                "type": "dictionary",
            },
            "ForceOnDeviceOnlyDictation": {"type": "boolean"},
            "ForceOnDeviceOnlyTranslation": {"type": "boolean"},
        },
        "os": {
            "iOS": {
                "enrollments": ["supervised"],
                "introduced": "26.4",
                "scopes": ["system"],
                "sharedipad_scopes": [],
            },
            "macOS": {
                "enrollments": ["supervised"],
                "introduced": "26.4",
                "scopes": ["system", "user"],
            },
            "tvOS": {"supported": False},
            "visionOS": {"enrollments": ["supervised"], "introduced": "26.4", "scopes": ["system"]},
            "watchOS": {"supported": False},
        },
        "title": "Intelligence Settings",
    },
    "com.apple.configuration.legacy": {
        "apply": "multiple",
        "class": "configuration",
        "file": "declarative/declarations/configurations/legacy.yaml",
        "keys": {"ProfileURL": {"required": True, "type": "string"}},
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "15.0",
                "scopes": ["system"],
                "sharedipad_scopes": ["system", "user"],
            },
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "13.0",
                "scopes": ["system", "user"],
            },
            "tvOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "16.0",
                "scopes": ["system"],
            },
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "10.0",
                "scopes": ["system"],
            },
        },
        "title": "Legacy Profile",
    },
    "com.apple.configuration.legacy.interactive": {
        "apply": "multiple",
        "class": "configuration",
        "file": "declarative/declarations/configurations/legacy.interactive.yaml",
        "keys": {
            "ProfileURL": {"required": True, "type": "string"},
            "VisibleName": {"required": True, "type": "string"},
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "supervised", "user"],
                "introduced": "15.0",
                "scopes": ["system"],
                "sharedipad_scopes": [],
            },
            "macOS": {
                "enrollments": ["supervised", "user"],
                "introduced": "13.0",
                "scopes": ["system", "user"],
            },
            "tvOS": {
                "enrollments": ["device", "supervised"],
                "introduced": "16.0",
                "scopes": ["system"],
            },
            "visionOS": {
                "enrollments": ["device", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {"supported": False},
        },
        "title": "Legacy Interactive Profile",
    },
    "com.apple.configuration.management.status-subscriptions": {
        "apply": "combined",
        "class": "configuration",
        "file": "declarative/declarations/configurations/management.status-subscriptions.yaml",
        "keys": {
            "StatusItems": {
                "item": {
                    "keys": {"Name": {"required": True, "type": "string"}},
                    "type": "dictionary",
                },
                "required": True,
                "type": "array",
            },
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "supervised", "user"],
                "introduced": "15.0",
                "scopes": ["system"],
                "sharedipad_scopes": ["system", "user"],
            },
            "macOS": {
                "enrollments": ["supervised", "user"],
                "introduced": "13.0",
                "scopes": ["system", "user"],
            },
            "tvOS": {
                "enrollments": ["device", "supervised"],
                "introduced": "16.0",
                "scopes": ["system"],
            },
            "visionOS": {
                "enrollments": ["device", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {"enrollments": ["supervised"], "introduced": "10.0", "scopes": ["system"]},
        },
        "title": "Management:Status Subscriptions",
    },
    "com.apple.configuration.management.test": {
        "apply": "multiple",
        "class": "configuration",
        "file": "declarative/declarations/configurations/management.test.yaml",
        "keys": {
            "Echo": {"required": True, "type": "string"},
            "EchoDataAssetReference": {"type": "string"},
            "ReturnStatus": {"range": ["Installed", "Failed", "Unlocked"], "type": "string"},
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "15.0",
                "scopes": ["system"],
                "sharedipad_scopes": ["system", "user"],
            },
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "13.0",
                "scopes": ["system", "user"],
            },
            "tvOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "16.0",
                "scopes": ["system"],
            },
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "10.0",
                "scopes": ["system"],
            },
        },
        "title": "Management:Test",
    },
    "com.apple.configuration.math.settings": {
        "apply": "combined",
        "class": "configuration",
        "file": "declarative/declarations/configurations/math.settings.yaml",
        "keys": {
            "Calculator": {
                "keys": {
                    "BasicMode": {
                        "keys": {"AddSquareRoot": {"required": True, "type": "boolean"}},
                        "type": "dictionary",
                    },
                    "InputModes": {
                        "keys": {
                            "RPN": {"required": True, "type": "boolean"},
                            "UnitConversion": {"required": True, "type": "boolean"},
                        },
                        "type": "dictionary",
                    },
                    "MathNotesMode": {
                        "keys": {"Enabled": {"required": True, "type": "boolean"}},
                        "type": "dictionary",
                    },
                    "ProgrammerMode": {
                        "keys": {"Enabled": {"required": True, "type": "boolean"}},
                        "type": "dictionary",
                    },
                    "ScientificMode": {
                        "keys": {"Enabled": {"required": True, "type": "boolean"}},
                        "type": "dictionary",
                    },
                },
                "type": "dictionary",
            },
            "SystemBehavior": {
                "keys": {
                    "KeyboardSuggestions": {"required": True, "type": "boolean"},
                    "MathNotes": {"required": True, "type": "boolean"},
                },
                "type": "dictionary",
            },
        },
        "os": {
            "iOS": {
                "enrollments": ["supervised"],
                "introduced": "18.0",
                "scopes": ["system"],
                "sharedipad_scopes": ["user"],
            },
            "macOS": {"enrollments": ["supervised"], "introduced": "15.0", "scopes": ["user"]},
            "tvOS": {"supported": False},
            "visionOS": {"supported": False},
            "watchOS": {"supported": False},
        },
        "title": "Math Settings",
    },
    "com.apple.configuration.network.dns-proxy": {
        "apply": "multiple",
        "class": "configuration",
        "file": "declarative/declarations/configurations/network.dns-proxy.yaml",
        "keys": {
            "AppBundleIdentifier": {"required": True, "type": "string"},
            "DNSProxyUUID": {"type": "string"},
            "ProviderComposedIdentifier": {"type": "string"},
            "ProviderConfiguration": {"free": True, "type": "dictionary"},
            "VisibleName": {"required": True, "type": "string"},
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "supervised", "user"],
                "introduced": "27.0",
                "scopes": ["system"],
                "sharedipad_scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "27.0",
                "scopes": ["system"],
            },
            "tvOS": {"supported": False},
            "visionOS": {
                "enrollments": ["device", "supervised", "user"],
                "introduced": "27.0",
                "scopes": ["system"],
            },
            "watchOS": {"supported": False},
        },
        "title": "Network:DNS Proxy",
    },
    "com.apple.configuration.network.dns-settings": {
        "apply": "multiple",
        "class": "configuration",
        "file": "declarative/declarations/configurations/network.dns-settings.yaml",
        "keys": {
            "DNSSettings": {
                "keys": {
                    "AllowFailover": {"type": "boolean"},
                    "DNSProtocol": {"range": ["HTTPS", "TLS"], "required": True, "type": "string"},
                    "IdentityAssetReference": {"type": "string"},
                    "ServerAddresses": {"item": {"type": "string"}, "type": "array"},
                    "ServerName": {"type": "string"},
                    "ServerURL": {"type": "string"},
                    "SupplementalMatchDomains": {"item": {"type": "string"}, "type": "array"},
                },
                "required": True,
                "type": "dictionary",
            },
            "OnDemandRules": {
                "item": {
                    "keys": {
                        "Action": {
                            "range": ["Connect", "Disconnect", "EvaluateConnection"],
                            "required": True,
                            "type": "string",
                        },
                        "ActionParameters": {
                            "item": {
                                "keys": {
                                    "DomainAction": {
                                        "range": ["NeverConnect", "ConnectIfNeeded"],
                                        "required": True,
                                        "type": "string",
                                    },
                                    "Domains": {
                                        "item": {"type": "string"},
                                        "required": True,
                                        "type": "array",
                                    },
                                },
                                "type": "dictionary",
                            },
                            "type": "array",
                        },
                        "DNSDomainMatch": {"item": {"type": "string"}, "type": "array"},
                        "DNSServerAddressMatch": {"item": {"type": "string"}, "type": "array"},
                        "InterfaceTypeMatch": {
                            "range": ["Ethernet", "WiFi", "Cellular"],
                            "type": "string",
                        },
                        "SSIDMatch": {"item": {"type": "string"}, "type": "array"},
                        "URLStringProbe": {"type": "string"},
                    },
                    "type": "dictionary",
                },
                "type": "array",
            },
            "ProhibitDisablement": {"type": "boolean"},
            "VisibleName": {"required": True, "type": "string"},
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "27.0",
                "scopes": ["system"],
                "sharedipad_scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "27.0",
                "scopes": ["system"],
            },
            "tvOS": {"supported": False},
            "visionOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "27.0",
                "scopes": ["system"],
            },
            "watchOS": {"supported": False},
        },
        "title": "Network:DNS Settings",
    },
    "com.apple.configuration.network.relay": {
        "apply": "multiple",
        "class": "configuration",
        "file": "declarative/declarations/configurations/network.relay.yaml",
        "keys": {
            "AllowDNSFailover": {"type": "boolean"},
            "ExcludedDomains": {"item": {"type": "string"}, "type": "array"},
            "ExcludedFQDNs": {"item": {"type": "string"}, "type": "array"},
            "MatchDomains": {"item": {"type": "string"}, "type": "array"},
            "MatchFQDNs": {"item": {"type": "string"}, "type": "array"},
            "RelayUUID": {"type": "string"},
            "Relays": {
                "item": {
                    "keys": {
                        "AdditionalHTTPHeaderFields": {"free": True, "type": "dictionary"},
                        "CredentialAssetReference": {"type": "string"},
                        "HTTP2RelayURL": {"type": "string"},
                        "HTTP3RelayURL": {"type": "string"},
                        "PublicKeyData": {"item": {"type": "string"}, "type": "array"},
                    },
                    "type": "dictionary",
                },
                "required": True,
                "type": "array",
            },
            "UIToggleEnabled": {"type": "boolean"},
            "VisibleName": {"required": True, "type": "string"},
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "supervised", "user"],
                "introduced": "27.0",
                "scopes": ["system"],
                "sharedipad_scopes": ["user"],
            },
            "macOS": {
                "enrollments": ["supervised", "user"],
                "introduced": "27.0",
                "scopes": ["system"],
            },
            "tvOS": {"supported": False},
            "visionOS": {
                "enrollments": ["device", "supervised", "user"],
                "introduced": "27.0",
                "scopes": ["system"],
            },
            "watchOS": {"supported": False},
        },
        "title": "Network:Relay",
    },
    "com.apple.configuration.network.vpn.always-on": {
        "apply": "single",
        "class": "configuration",
        "file": "declarative/declarations/configurations/network.vpn.always-on.yaml",
        "keys": {
            "AllowAllCaptiveNetworkPlugins": {"type": "boolean"},
            "AllowCaptiveWebSheet": {"type": "boolean"},
            "AllowedCaptiveNetworkPlugins": {
                "item": {
                    "keys": {"BundleIdentifier": {"required": True, "type": "string"}},
                    "type": "dictionary",
                },
                "type": "array",
            },
            "ApplicationExceptions": {
                "item": {
                    "keys": {
                        "BundleIdentifier": {"required": True, "type": "string"},
                        "LimitToProtocols": {
                            "item": {"range": ["UDP"], "type": "string"},
                            "type": "array",
                        },
                    },
                    "type": "dictionary",
                },
                "type": "array",
            },
            "DNS": {
                "keys": {
                    "DomainName": {"type": "string"},
                    "IdentityAssetReference": {"type": "string"},
                    "Protocol": {
                        "range": ["Cleartext", "HTTPS", "TLS"],
                        "required": True,
                        "type": "string",
                    },
                    "SearchDomains": {"item": {"type": "string"}, "type": "array"},
                    "ServerAddresses": {
                        "item": {"type": "string"},
                        "required": True,
                        "type": "array",
                    },
                    "ServerName": {"type": "string"},
                    "ServerURL": {"type": "string"},
                    "SupplementalMatchDomains": {"item": {"type": "string"}, "type": "array"},
                    "SupplementalMatchDomainsNoSearch": {"type": "boolean"},
                },
                "type": "dictionary",
            },
            "Proxies": {
                "keys": {
                    "AutoConfigEnable": {"type": "boolean"},
                    "AutoConfigURLString": {"type": "string"},
                    "AutoDiscoveryEnable": {"type": "boolean"},
                    "Protocol": {
                        "keys": {
                            "CredentialsAssetReference": {"type": "string"},
                            "HTTP": {
                                "keys": {
                                    "Enable": {"type": "boolean"},
                                    "HostName": {"type": "string"},
                                    "Port": {"type": "integer"},
                                },
                                "type": "dictionary",
                            },
                            "HTTPS": {
                                "keys": {
                                    "Enable": {"type": "boolean"},
                                    "HostName": {"type": "string"},
                                    "Port": {"type": "integer"},
                                },
                                "type": "dictionary",
                            },
                        },
                        "type": "dictionary",
                    },
                    "SupplementalMatchDomains": {"item": {"type": "string"}, "type": "array"},
                },
                "type": "dictionary",
            },
            "ServiceExceptions": {
                "item": {
                    "keys": {
                        "Action": {"range": ["Allow", "Drop"], "required": True, "type": "string"},
                        "ServiceName": {
                            "range": [
                                "VoiceMail",
                                "AirPrint",
                                "CellularServices",
                                "DeviceCommunication",
                            ],
                            "required": True,
                            "type": "string",
                        },
                    },
                    "type": "dictionary",
                },
                "type": "array",
            },
            "TunnelConfigurations": {
                "item": {
                    "keys": {
                        "IKEV2": {
                            "keys": {
                                "Authentication": {
                                    "keys": {
                                        "CredentialsAssetReference": {"type": "string"},
                                        "ExtendedAuth": {
                                            "keys": {
                                                "CredentialsAssetReference": {"type": "string"},
                                                "Enabled": {"type": "boolean"},
                                                "ServerCertificateCommonName": {"type": "string"},
                                                "ServerCertificateIssuerCommonName": {
                                                    "type": "string",
                                                },
                                                "TLSMaximumVersion": {
                                                    "range": ["1.0", "1.1", "1.2", "1.3"],
                                                    "type": "string",
                                                },
                                                "TLSMinimumVersion": {
                                                    "range": ["1.0", "1.1", "1.2", "1.3"],
                                                    "type": "string",
                                                },
                                            },
                                            "type": "dictionary",
                                        },
                                        "IdentityAssetReference": {"type": "string"},
                                        "IdentityCertificateType": {
                                            "range": [
                                                "RSA",
                                                "ECDSA256",
                                                "ECDSA384",
                                                "ECDSA521",
                                                "RSA-PSS",
                                            ],
                                            "type": "string",
                                        },
                                        "Method": {
                                            "range": ["None", "SharedSecret", "Certificate"],
                                            "required": True,
                                            "type": "string",
                                        },
                                    },
                                    "required": True,
                                    "type": "dictionary",
                                },
                                "ChildSecurityAssociationParameters": {
                                    "keys": {
                                        "DiffieHellmanGroup": {
                                            "range": [
                                                "14",
                                                "15",
                                                "16",
                                                "17",
                                                "18",
                                                "19",
                                                "20",
                                                "21",
                                                "31",
                                                "32",
                                            ],
                                            "type": "integer",
                                        },
                                        "EncryptionAlgorithm": {
                                            "range": [
                                                "AES-128",
                                                "AES-256",
                                                "AES-128-GCM",
                                                "AES-256-GCM",
                                                "ChaCha20Poly1305",
                                            ],
                                            "type": "string",
                                        },
                                        "IntegrityAlgorithm": {
                                            "range": ["SHA2-256", "SHA2-384", "SHA2-512"],
                                            "type": "string",
                                        },
                                        "LifeTimeInMinutes": {"type": "integer"},
                                        "PostQuantumKeyExchangeMethods": {
                                            "item": {"range": ["0", "36", "37"], "type": "integer"},
                                            "type": "array",
                                        },
                                    },
                                    "type": "dictionary",
                                },
                                "DisableMOBIKE": {"type": "boolean"},
                                "DisableRedirect": {"type": "boolean"},
                                "EnableCertificateRevocationCheck": {"type": "boolean"},
                                "EnableFallback": {"type": "boolean"},
                                "EnableNATKeepAliveOffload": {"type": "boolean"},
                                "EnablePFS": {"type": "boolean"},
                                "EnforceStrictAlgorithmSelection": {"type": "boolean"},
                                "HostName": {"required": True, "type": "string"},
                                "IKESecurityAssociationParameters": {
                                    "keys": {
                                        "DiffieHellmanGroup": {
                                            "range": [
                                                "14",
                                                "15",
                                                "16",
                                                "17",
                                                "18",
                                                "19",
                                                "20",
                                                "21",
                                                "31",
                                                "32",
                                            ],
                                            "type": "integer",
                                        },
                                        "EncryptionAlgorithm": {
                                            "range": [
                                                "AES-128",
                                                "AES-256",
                                                "AES-128-GCM",
                                                "AES-256-GCM",
                                                "ChaCha20Poly1305",
                                            ],
                                            "type": "string",
                                        },
                                        "IntegrityAlgorithm": {
                                            "range": ["SHA2-256", "SHA2-384", "SHA2-512"],
                                            "type": "string",
                                        },
                                        "LifeTimeInMinutes": {"type": "integer"},
                                        "PostQuantumKeyExchangeMethods": {
                                            "item": {"range": ["0", "36", "37"], "type": "integer"},
                                            "type": "array",
                                        },
                                    },
                                    "type": "dictionary",
                                },
                                "Idle": {
                                    "keys": {
                                        "DeadPeerDetectionRate": {
                                            "range": ["None", "Low", "Medium", "High"],
                                            "type": "string",
                                        },
                                        "Disconnect": {"type": "boolean"},
                                        "Timer": {"type": "integer"},
                                    },
                                    "type": "dictionary",
                                },
                                "LocalIdentifier": {"required": True, "type": "string"},
                                "MTU": {"type": "integer"},
                                "NATKeepAliveInterval": {"type": "integer"},
                                "OnDemand": {
                                    "keys": {
                                        "DisableUserOverride": {"type": "boolean"},
                                        "Enabled": {"type": "boolean"},
                                        "Rules": {
                                            "item": {
                                                "keys": {
                                                    "Action": {
                                                        "range": [
                                                            "Allow",
                                                            "Connect",
                                                            "Disconnect",
                                                            "EvaluateConnection",
                                                            "Ignore",
                                                        ],
                                                        "required": True,
                                                        "type": "string",
                                                    },
                                                    "ActionParameters": {
                                                        "item": {
                                                            "keys": {
                                                                "DomainAction": {
                                                                    "range": [
                                                                        "ConnectIfNeeded",
                                                                        "NeverConnect",
                                                                    ],
                                                                    "required": True,
                                                                    "type": "string",
                                                                },
                                                                "Domains": {
                                                                    "item": {"type": "string"},
                                                                    "required": True,
                                                                    "type": "array",
                                                                },
                                                                "RequiredDNSServers": {
                                                                    "item": {"type": "string"},
                                                                    "type": "array",
                                                                },
                                                                "RequiredURLStringProbe": {
                                                                    "type": "string",
                                                                },
                                                            },
                                                            "type": "dictionary",
                                                        },
                                                        "type": "array",
                                                    },
                                                    "DNSDomainMatch": {
                                                        "item": {"type": "string"},
                                                        "type": "array",
                                                    },
                                                    "DNSServerAddressMatch": {
                                                        "item": {"type": "string"},
                                                        "type": "array",
                                                    },
                                                    "InterfaceTypeMatch": {
                                                        "range": ["Ethernet", "WiFi", "Cellular"],
                                                        "type": "string",
                                                    },
                                                    "SSIDMatch": {
                                                        "item": {"type": "string"},
                                                        "type": "array",
                                                    },
                                                    "URLStringProbe": {"type": "string"},
                                                },
                                                "type": "dictionary",
                                            },
                                            "type": "array",
                                        },
                                    },
                                    "type": "dictionary",
                                },
                                "PostQuantumKeyExchange": {
                                    "keys": {
                                        "AllowFallback": {"type": "boolean"},
                                        "PPK": {"type": "data"},
                                        "PPKIdentifier": {"type": "string"},
                                        "PPKMandatory": {"type": "boolean"},
                                    },
                                    "type": "dictionary",
                                },
                                "Provider": {
                                    "keys": {
                                        "ComposedIdentifier": {"type": "string"},
                                        "Type": {
                                            "range": ["packet-tunnel", "app-proxy"],
                                            "type": "string",
                                        },
                                    },
                                    "type": "dictionary",
                                },
                                "RemoteIdentifier": {"required": True, "type": "string"},
                                "UseConfigurationAttributeInternalIPSubnet": {"type": "boolean"},
                            },
                            "type": "dictionary",
                        },
                        "Interfaces": {
                            "item": {"range": ["Cellular", "WiFi"], "type": "string"},
                            "type": "array",
                        },
                        "ProtocolType": {"range": ["IKEv2"], "required": True, "type": "string"},
                    },
                    "type": "dictionary",
                },
                "required": True,
                "type": "array",
            },
            "UIToggleEnabled": {"type": "boolean"},
            "VisibleName": {"required": True, "type": "string"},
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "27.0",
                "scopes": ["system"],
                "sharedipad_scopes": ["system"],
            },
            "macOS": {"supported": False},
            "tvOS": {"supported": False},
            "visionOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "27.0",
                "scopes": ["system"],
            },
            "watchOS": {"supported": False},
        },
        "title": "Network:VPN:AlwaysOn",
    },
    "com.apple.configuration.network.vpn.ikev2": {
        "apply": "multiple",
        "class": "configuration",
        "file": "declarative/declarations/configurations/network.vpn.ikev2.yaml",
        "keys": {
            "Authentication": {
                "keys": {
                    "CredentialsAssetReference": {"type": "string"},
                    "ExtendedAuth": {
                        "keys": {
                            "CredentialsAssetReference": {"type": "string"},
                            "Enabled": {"type": "boolean"},
                            "ServerCertificateCommonName": {"type": "string"},
                            "ServerCertificateIssuerCommonName": {"type": "string"},
                            "TLSMaximumVersion": {
                                "range": ["1.0", "1.1", "1.2", "1.3"],
                                "type": "string",
                            },
                            "TLSMinimumVersion": {
                                "range": ["1.0", "1.1", "1.2", "1.3"],
                                "type": "string",
                            },
                        },
                        "type": "dictionary",
                    },
                    "IdentityAssetReference": {"type": "string"},
                    "IdentityCertificateType": {
                        "range": ["RSA", "ECDSA256", "ECDSA384", "ECDSA521", "RSA-PSS"],
                        "type": "string",
                    },
                    "Method": {
                        "range": ["None", "SharedSecret", "Certificate"],
                        "required": True,
                        "type": "string",
                    },
                },
                "required": True,
                "type": "dictionary",
            },
            "ChildSecurityAssociationParameters": {
                "keys": {
                    "DiffieHellmanGroup": {
                        "range": ["14", "15", "16", "17", "18", "19", "20", "21", "31", "32"],
                        "type": "integer",
                    },
                    "EncryptionAlgorithm": {
                        "range": [
                            "AES-128",
                            "AES-256",
                            "AES-128-GCM",
                            "AES-256-GCM",
                            "ChaCha20Poly1305",
                        ],
                        "type": "string",
                    },
                    "IntegrityAlgorithm": {
                        "range": ["SHA2-256", "SHA2-384", "SHA2-512"],
                        "type": "string",
                    },
                    "LifeTimeInMinutes": {"type": "integer"},
                    "PostQuantumKeyExchangeMethods": {
                        "item": {"range": ["0", "36", "37"], "type": "integer"},
                        "type": "array",
                    },
                },
                "type": "dictionary",
            },
            "DNS": {
                "keys": {
                    "DomainName": {"type": "string"},
                    "IdentityAssetReference": {"type": "string"},
                    "Protocol": {
                        "range": ["Cleartext", "HTTPS", "TLS"],
                        "required": True,
                        "type": "string",
                    },
                    "SearchDomains": {"item": {"type": "string"}, "type": "array"},
                    "ServerAddresses": {
                        "item": {"type": "string"},
                        "required": True,
                        "type": "array",
                    },
                    "ServerName": {"type": "string"},
                    "ServerURL": {"type": "string"},
                    "SupplementalMatchDomains": {"item": {"type": "string"}, "type": "array"},
                    "SupplementalMatchDomainsNoSearch": {"type": "boolean"},
                },
                "type": "dictionary",
            },
            "DisableMOBIKE": {"type": "boolean"},
            "DisableRedirect": {"type": "boolean"},
            "EnableCertificateRevocationCheck": {"type": "boolean"},
            "EnableFallback": {"type": "boolean"},
            "EnableNATKeepAliveOffload": {"type": "boolean"},
            "EnablePFS": {"type": "boolean"},
            "EnforceStrictAlgorithmSelection": {"type": "boolean"},
            "HostName": {"required": True, "type": "string"},
            "IKESecurityAssociationParameters": {
                "keys": {
                    "DiffieHellmanGroup": {
                        "range": ["14", "15", "16", "17", "18", "19", "20", "21", "31", "32"],
                        "type": "integer",
                    },
                    "EncryptionAlgorithm": {
                        "range": [
                            "AES-128",
                            "AES-256",
                            "AES-128-GCM",
                            "AES-256-GCM",
                            "ChaCha20Poly1305",
                        ],
                        "type": "string",
                    },
                    "IntegrityAlgorithm": {
                        "range": ["SHA2-256", "SHA2-384", "SHA2-512"],
                        "type": "string",
                    },
                    "LifeTimeInMinutes": {"type": "integer"},
                    "PostQuantumKeyExchangeMethods": {
                        "item": {"range": ["0", "36", "37"], "type": "integer"},
                        "type": "array",
                    },
                },
                "type": "dictionary",
            },
            "Idle": {
                "keys": {
                    "DeadPeerDetectionRate": {
                        "range": ["None", "Low", "Medium", "High"],
                        "type": "string",
                    },
                    "Disconnect": {"type": "boolean"},
                    "Timer": {"type": "integer"},
                },
                "type": "dictionary",
            },
            "LocalIdentifier": {"required": True, "type": "string"},
            "MTU": {"type": "integer"},
            "NATKeepAliveInterval": {"type": "integer"},
            "NetworkRouting": {
                "keys": {
                    "EnforceRoutes": {"type": "boolean"},
                    "ExcludeAPNs": {"type": "boolean"},
                    "ExcludeCellularServices": {"type": "boolean"},
                    "ExcludeDeviceCommunication": {"type": "boolean"},
                    "ExcludeLocalNetworks": {"type": "boolean"},
                    "IncludeAllNetworks": {"type": "boolean"},
                },
                "type": "dictionary",
            },
            "OnDemand": {
                "keys": {
                    "DisableUserOverride": {"type": "boolean"},
                    "Enabled": {"type": "boolean"},
                    "Rules": {
                        "item": {
                            "keys": {
                                "Action": {
                                    "range": [
                                        "Allow",
                                        "Connect",
                                        "Disconnect",
                                        "EvaluateConnection",
                                        "Ignore",
                                    ],
                                    "required": True,
                                    "type": "string",
                                },
                                "ActionParameters": {
                                    "item": {
                                        "keys": {
                                            "DomainAction": {
                                                "range": ["ConnectIfNeeded", "NeverConnect"],
                                                "required": True,
                                                "type": "string",
                                            },
                                            "Domains": {
                                                "item": {"type": "string"},
                                                "required": True,
                                                "type": "array",
                                            },
                                            "RequiredDNSServers": {
                                                "item": {"type": "string"},
                                                "type": "array",
                                            },
                                            "RequiredURLStringProbe": {"type": "string"},
                                        },
                                        "type": "dictionary",
                                    },
                                    "type": "array",
                                },
                                "DNSDomainMatch": {"item": {"type": "string"}, "type": "array"},
                                "DNSServerAddressMatch": {
                                    "item": {"type": "string"},
                                    "type": "array",
                                },
                                "InterfaceTypeMatch": {
                                    "range": ["Ethernet", "WiFi", "Cellular"],
                                    "type": "string",
                                },
                                "SSIDMatch": {"item": {"type": "string"}, "type": "array"},
                                "URLStringProbe": {"type": "string"},
                            },
                            "type": "dictionary",
                        },
                        "type": "array",
                    },
                },
                "type": "dictionary",
            },
            "PostQuantumKeyExchange": {
                "keys": {
                    "AllowFallback": {"type": "boolean"},
                    "PPK": {"type": "data"},
                    "PPKIdentifier": {"type": "string"},
                    "PPKMandatory": {"type": "boolean"},
                },
                "type": "dictionary",
            },
            "Provider": {
                "keys": {
                    "ComposedIdentifier": {"type": "string"},
                    "Type": {"range": ["packet-tunnel", "app-proxy"], "type": "string"},
                },
                "type": "dictionary",
            },
            "Proxies": {
                "keys": {
                    "AutoConfigEnable": {"type": "boolean"},
                    "AutoConfigURLString": {"type": "string"},
                    "AutoDiscoveryEnable": {"type": "boolean"},
                    "Protocol": {
                        "keys": {
                            "CredentialsAssetReference": {"type": "string"},
                            "HTTP": {
                                "keys": {
                                    "Enable": {"type": "boolean"},
                                    "HostName": {"type": "string"},
                                    "Port": {"type": "integer"},
                                },
                                "type": "dictionary",
                            },
                            "HTTPS": {
                                "keys": {
                                    "Enable": {"type": "boolean"},
                                    "HostName": {"type": "string"},
                                    "Port": {"type": "integer"},
                                },
                                "type": "dictionary",
                            },
                        },
                        "type": "dictionary",
                    },
                    "SupplementalMatchDomains": {"item": {"type": "string"}, "type": "array"},
                },
                "type": "dictionary",
            },
            "RemoteIdentifier": {"required": True, "type": "string"},
            "UseConfigurationAttributeInternalIPSubnet": {"type": "boolean"},
            "VisibleName": {"required": True, "type": "string"},
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "27.0",
                "scopes": ["system"],
                "sharedipad_scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "27.0",
                "scopes": ["system", "user"],
            },
            "tvOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "27.0",
                "scopes": ["system"],
            },
            "visionOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "27.0",
                "scopes": ["system"],
            },
            "watchOS": {"supported": False},
        },
        "title": "Network:VPN:IKEV2",
    },
    "com.apple.configuration.network.vpn.ipsec": {
        "apply": "multiple",
        "class": "configuration",
        "file": "declarative/declarations/configurations/network.vpn.ipsec.yaml",
        "keys": {
            "Authentication": {
                "keys": {
                    "CredentialsAssetReference": {"type": "string"},
                    "IdentityAssetReference": {"type": "string"},
                    "LocalIdentifier": {"type": "string"},
                    "LocalIdentifierType": {"range": ["KeyID"], "type": "string"},
                    "Method": {
                        "range": ["SharedSecret", "Certificate"],
                        "required": True,
                        "type": "string",
                    },
                    "PromptForVPNPIN": {"type": "boolean"},
                    "XAuth": {
                        "keys": {
                            "CredentialsAssetReference": {"type": "string"},
                            "Enabled": {"required": True, "type": "boolean"},
                            "PasswordEncryption": {"range": ["Prompt"], "type": "string"},
                        },
                        "type": "dictionary",
                    },
                },
                "required": True,
                "type": "dictionary",
            },
            "DNS": {
                "keys": {
                    "DomainName": {"type": "string"},
                    "IdentityAssetReference": {"type": "string"},
                    "Protocol": {
                        "range": ["Cleartext", "HTTPS", "TLS"],
                        "required": True,
                        "type": "string",
                    },
                    "SearchDomains": {"item": {"type": "string"}, "type": "array"},
                    "ServerAddresses": {
                        "item": {"type": "string"},
                        "required": True,
                        "type": "array",
                    },
                    "ServerName": {"type": "string"},
                    "ServerURL": {"type": "string"},
                    "SupplementalMatchDomains": {"item": {"type": "string"}, "type": "array"},
                    "SupplementalMatchDomainsNoSearch": {"type": "boolean"},
                },
                "type": "dictionary",
            },
            "HostName": {"required": True, "type": "string"},
            "Idle": {
                "keys": {"Disconnect": {"type": "boolean"}, "Timer": {"type": "integer"}},
                "type": "dictionary",
            },
            "OnDemand": {
                "keys": {
                    "Enabled": {"type": "boolean"},
                    "Rules": {
                        "item": {
                            "keys": {
                                "Action": {
                                    "range": [
                                        "Allow",
                                        "Connect",
                                        "Disconnect",
                                        "EvaluateConnection",
                                        "Ignore",
                                    ],
                                    "required": True,
                                    "type": "string",
                                },
                                "ActionParameters": {
                                    "item": {
                                        "keys": {
                                            "DomainAction": {
                                                "range": ["ConnectIfNeeded", "NeverConnect"],
                                                "required": True,
                                                "type": "string",
                                            },
                                            "Domains": {
                                                "item": {"type": "string"},
                                                "required": True,
                                                "type": "array",
                                            },
                                            "RequiredDNSServers": {
                                                "item": {"type": "string"},
                                                "type": "array",
                                            },
                                            "RequiredURLStringProbe": {"type": "string"},
                                        },
                                        "type": "dictionary",
                                    },
                                    "type": "array",
                                },
                                "DNSDomainMatch": {"item": {"type": "string"}, "type": "array"},
                                "DNSServerAddressMatch": {
                                    "item": {"type": "string"},
                                    "type": "array",
                                },
                                "InterfaceTypeMatch": {
                                    "range": ["Ethernet", "WiFi", "Cellular"],
                                    "type": "string",
                                },
                                "SSIDMatch": {"item": {"type": "string"}, "type": "array"},
                                "URLStringProbe": {"type": "string"},
                            },
                            "type": "dictionary",
                        },
                        "type": "array",
                    },
                },
                "type": "dictionary",
            },
            "OverridePrimary": {"type": "boolean"},
            "Proxies": {
                "keys": {
                    "AutoConfigEnable": {"type": "boolean"},
                    "AutoConfigURLString": {"type": "string"},
                    "AutoDiscoveryEnable": {"type": "boolean"},
                    "Protocol": {
                        "keys": {
                            "CredentialsAssetReference": {"type": "string"},
                            "HTTP": {
                                "keys": {
                                    "Enable": {"type": "boolean"},
                                    "HostName": {"type": "string"},
                                    "Port": {"type": "integer"},
                                },
                                "type": "dictionary",
                            },
                            "HTTPS": {
                                "keys": {
                                    "Enable": {"type": "boolean"},
                                    "HostName": {"type": "string"},
                                    "Port": {"type": "integer"},
                                },
                                "type": "dictionary",
                            },
                        },
                        "type": "dictionary",
                    },
                    "SupplementalMatchDomains": {"item": {"type": "string"}, "type": "array"},
                },
                "type": "dictionary",
            },
            "VisibleName": {"required": True, "type": "string"},
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "27.0",
                "scopes": ["system"],
                "sharedipad_scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "27.0",
                "scopes": ["system"],
            },
            "tvOS": {"supported": False},
            "visionOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "27.0",
                "scopes": ["system"],
            },
            "watchOS": {"supported": False},
        },
        "title": "Network:VPN:IPSec",
    },
    "com.apple.configuration.network.vpn.vpn-plugin": {
        "apply": "multiple",
        "class": "configuration",
        "file": "declarative/declarations/configurations/network.vpn.vpn-plugin.yaml",
        "keys": {
            "Authentication": {
                "keys": {
                    "CredentialsAssetReference": {"type": "string"},
                    "IdentityAssetReference": {"type": "string"},
                    "Method": {
                        "range": ["Password", "Certificate", "Password+Certificate"],
                        "required": True,
                        "type": "string",
                    },
                },
                "required": True,
                "type": "dictionary",
            },
            "DNS": {
                "keys": {
                    "DomainName": {"type": "string"},
                    "IdentityAssetReference": {"type": "string"},
                    "Protocol": {
                        "range": ["Cleartext", "HTTPS", "TLS"],
                        "required": True,
                        "type": "string",
                    },
                    "SearchDomains": {"item": {"type": "string"}, "type": "array"},
                    "ServerAddresses": {
                        "item": {"type": "string"},
                        "required": True,
                        "type": "array",
                    },
                    "ServerName": {"type": "string"},
                    "ServerURL": {"type": "string"},
                    "SupplementalMatchDomains": {"item": {"type": "string"}, "type": "array"},
                    "SupplementalMatchDomainsNoSearch": {"type": "boolean"},
                },
                "type": "dictionary",
            },
            "HostName": {"required": True, "type": "string"},
            "Idle": {
                "keys": {"Disconnect": {"type": "boolean"}, "Timer": {"type": "integer"}},
                "type": "dictionary",
            },
            "NetworkRouting": {
                "keys": {
                    "EnforceRoutes": {"type": "boolean"},
                    "ExcludeAPNs": {"type": "boolean"},
                    "ExcludeCellularServices": {"type": "boolean"},
                    "ExcludeDeviceCommunication": {"type": "boolean"},
                    "ExcludeLocalNetworks": {"type": "boolean"},
                    "IncludeAllNetworks": {"type": "boolean"},
                },
                "type": "dictionary",
            },
            "OnDemand": {
                "keys": {
                    "DisableUserOverride": {"type": "boolean"},
                    "Enabled": {"type": "boolean"},
                    "Rules": {
                        "item": {
                            "keys": {
                                "Action": {
                                    "range": [
                                        "Allow",
                                        "Connect",
                                        "Disconnect",
                                        "EvaluateConnection",
                                        "Ignore",
                                    ],
                                    "required": True,
                                    "type": "string",
                                },
                                "ActionParameters": {
                                    "item": {
                                        "keys": {
                                            "DomainAction": {
                                                "range": ["ConnectIfNeeded", "NeverConnect"],
                                                "required": True,
                                                "type": "string",
                                            },
                                            "Domains": {
                                                "item": {"type": "string"},
                                                "required": True,
                                                "type": "array",
                                            },
                                            "RequiredDNSServers": {
                                                "item": {"type": "string"},
                                                "type": "array",
                                            },
                                            "RequiredURLStringProbe": {"type": "string"},
                                        },
                                        "type": "dictionary",
                                    },
                                    "type": "array",
                                },
                                "DNSDomainMatch": {"item": {"type": "string"}, "type": "array"},
                                "DNSServerAddressMatch": {
                                    "item": {"type": "string"},
                                    "type": "array",
                                },
                                "InterfaceTypeMatch": {
                                    "range": ["Ethernet", "WiFi", "Cellular"],
                                    "type": "string",
                                },
                                "SSIDMatch": {"item": {"type": "string"}, "type": "array"},
                                "URLStringProbe": {"type": "string"},
                            },
                            "type": "dictionary",
                        },
                        "type": "array",
                    },
                },
                "type": "dictionary",
            },
            "Provider": {
                "keys": {
                    "ComposedIdentifier": {"type": "string"},
                    "Type": {"range": ["packet-tunnel", "app-proxy"], "type": "string"},
                },
                "type": "dictionary",
            },
            "Proxies": {
                "keys": {
                    "AutoConfigEnable": {"type": "boolean"},
                    "AutoConfigURLString": {"type": "string"},
                    "AutoDiscoveryEnable": {"type": "boolean"},
                    "Protocol": {
                        "keys": {
                            "CredentialsAssetReference": {"type": "string"},
                            "HTTP": {
                                "keys": {
                                    "Enable": {"type": "boolean"},
                                    "HostName": {"type": "string"},
                                    "Port": {"type": "integer"},
                                },
                                "type": "dictionary",
                            },
                            "HTTPS": {
                                "keys": {
                                    "Enable": {"type": "boolean"},
                                    "HostName": {"type": "string"},
                                    "Port": {"type": "integer"},
                                },
                                "type": "dictionary",
                            },
                        },
                        "type": "dictionary",
                    },
                    "SupplementalMatchDomains": {"item": {"type": "string"}, "type": "array"},
                },
                "type": "dictionary",
            },
            "SubType": {"required": True, "type": "string"},
            "VendorConfig": {
                "keys": {
                    "Group": {"type": "string"},
                    "LoginGroupOrDomain": {"type": "string"},
                    "Realm": {"type": "string"},
                    "Role": {"type": "string"},
                },
                "type": "dictionary",
            },
            "VisibleName": {"required": True, "type": "string"},
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "27.0",
                "scopes": ["system"],
                "sharedipad_scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "27.0",
                "scopes": ["system"],
            },
            "tvOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "27.0",
                "scopes": ["system"],
            },
            "visionOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "27.0",
                "scopes": ["system"],
            },
            "watchOS": {"supported": False},
        },
        "title": "Network:VPN:VPN Plugin",
    },
    "com.apple.configuration.package": {
        "apply": "multiple",
        "class": "configuration",
        "file": "declarative/declarations/configurations/package.yaml",
        "keys": {
            "InstallBehavior": {
                "keys": {"Install": {"range": ["Optional", "Required"], "type": "string"}},
                "type": "dictionary",
            },
            "ManifestURL": {"required": True, "type": "string"},
        },
        "os": {
            "iOS": {"supported": False},
            "macOS": {"enrollments": ["supervised"], "introduced": "26.0", "scopes": ["system"]},
            "tvOS": {"supported": False},
            "visionOS": {"supported": False},
            "watchOS": {"supported": False},
        },
        "title": "Package",
    },
    "com.apple.configuration.passcode.settings": {
        "apply": "combined",
        "class": "configuration",
        "file": "declarative/declarations/configurations/passcode.settings.yaml",
        "keys": {
            "ChangeAtNextAuth": {"type": "boolean"},
            "CustomRegex": {
                "keys": {
                    "Description": {"free": True, "type": "dictionary"},
                    "Regex": {"required": True, "type": "string"},
                },
                "type": "dictionary",
            },
            "FailedAttemptsResetInMinutes": {"type": "integer"},
            "MaximumFailedAttempts": {"type": "integer"},
            "MaximumGracePeriodInMinutes": {"type": "integer"},
            "MaximumInactivityInMinutes": {"type": "integer"},
            "MaximumPasscodeAgeInDays": {"type": "integer"},
            "MinimumComplexCharacters": {"type": "integer"},
            "MinimumLength": {"type": "integer"},
            "PasscodeReuseLimit": {"type": "integer"},
            "RequireAlphanumericPasscode": {"type": "boolean"},
            "RequireComplexPasscode": {"type": "boolean"},
            "RequirePasscode": {"type": "boolean"},
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "15.0",
                "scopes": ["system"],
                "sharedipad_scopes": [],
            },
            "macOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "13.0",
                "scopes": ["system", "user"],
            },
            "tvOS": {"supported": False},
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "2.0",
                "scopes": ["system"],
            },
            "watchOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "10.0",
                "scopes": ["system"],
            },
        },
        "title": "Passcode:Settings",
    },
    "com.apple.configuration.safari.extensions.settings": {
        "apply": "combined",
        "class": "configuration",
        "file": "declarative/declarations/configurations/safari.extensions.settings.yaml",
        "keys": {"ManagedExtensions": {"free": True, "type": "dictionary"}},
        "os": {
            "iOS": {
                "enrollments": ["supervised"],
                "introduced": "18.0",
                "scopes": ["system"],
                "sharedipad_scopes": ["user"],
            },
            "macOS": {"enrollments": ["supervised"], "introduced": "15.0", "scopes": ["user"]},
            "tvOS": {"supported": False},
            "visionOS": {"enrollments": ["supervised"], "introduced": "26.0", "scopes": ["system"]},
            "watchOS": {"supported": False},
        },
        "title": "Safari:Extension Settings",
    },
    "com.apple.configuration.safari.settings": {
        "apply": "combined",
        "class": "configuration",
        "file": "declarative/declarations/configurations/safari.settings.yaml",
        "keys": {
            "AcceptCookies": {
                "range": ["Never", "CurrentWebsite", "VisitedWebsites", "Always"],
                "type": "string",
            },
            "AllowDisablingFraudWarning": {"type": "boolean"},
            "AllowHistoryClearing": {"type": "boolean"},
            "AllowJavaScript": {"type": "boolean"},
            "AllowPopups": {"type": "boolean"},
            "AllowPrivateBrowsing": {"type": "boolean"},
            "AllowSummary": {"type": "boolean"},
            "NewTabStartPage": {
                "keys": {
                    "ExtensionIdentifier": {"type": "string"},
                    "HomepageURL": {"type": "string"},
                    "PageType": {
                        "range": ["Start", "Home", "Extension"],
                        "required": True,
                        "type": "string",
                    },
                },
                "type": "dictionary",
            },
            "Privacy": {
                "keys": {"PermissionDefaults": {"free": True, "type": "dictionary"}},
                "type": "dictionary",
            },
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "supervised"],
                "introduced": "26.0",
                "scopes": ["system"],
                "sharedipad_scopes": ["user"],
            },
            "macOS": {"enrollments": ["supervised"], "introduced": "26.0", "scopes": ["user"]},
            "tvOS": {"supported": False},
            "visionOS": {
                "enrollments": ["device", "supervised"],
                "introduced": "26.0",
                "scopes": ["system"],
            },
            "watchOS": {"supported": False},
        },
        "title": "Safari:Settings",
    },
    "com.apple.configuration.screensharing.connection": {
        "apply": "multiple",
        "class": "configuration",
        "file": "declarative/declarations/configurations/screensharing.connection.yaml",
        "keys": {
            "AuthenticationCredentialsAssetReference": {"type": "string"},
            "ConnectionUUID": {"required": True, "type": "string"},
            "DisplayConfiguration": {
                "keys": {
                    "DisplayType": {
                        "range": ["Virtual1", "Virtual2"],
                        "required": True,
                        "type": "string",
                    },
                },
                "required": True,
                "type": "dictionary",
            },
            "DisplayName": {"required": True, "type": "string"},
            "HostName": {"required": True, "type": "string"},
            "Port": {"type": "integer"},
        },
        "os": {
            "iOS": {"supported": False},
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "14.0",
                "scopes": ["system", "user"],
            },
            "tvOS": {"supported": False},
            "visionOS": {"supported": False},
            "watchOS": {"supported": False},
        },
        "title": "Screen Sharing:Connection",
    },
    "com.apple.configuration.screensharing.connection.group": {
        "apply": "multiple",
        "class": "configuration",
        "file": "declarative/declarations/configurations/screensharing.connection.group.yaml",
        "keys": {
            "ConnectionGroupUUID": {"required": True, "type": "string"},
            "GroupName": {"required": True, "type": "string"},
            "Members": {"item": {"type": "string"}, "required": True, "type": "array"},
        },
        "os": {
            "iOS": {"supported": False},
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "14.0",
                "scopes": ["system", "user"],
            },
            "tvOS": {"supported": False},
            "visionOS": {"supported": False},
            "watchOS": {"supported": False},
        },
        "title": "Screen Sharing:Connection Group",
    },
    "com.apple.configuration.screensharing.host.settings": {
        "apply": "single",
        "class": "configuration",
        "file": "declarative/declarations/configurations/screensharing.host.settings.yaml",
        "keys": {
            "MaximumVirtualDisplays": {"type": "integer"},
            "PortBase": {"type": "integer"},
            "PreventCopyFilesFromHost": {"type": "boolean"},
            "PreventCopyFilesToHost": {"type": "boolean"},
            "PreventHighPerformanceConnections": {"type": "boolean"},
        },
        "os": {
            "iOS": {"supported": False},
            "macOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "14.0",
                "scopes": ["system"],
            },
            "tvOS": {"supported": False},
            "visionOS": {"supported": False},
            "watchOS": {"supported": False},
        },
        "title": "Screen Sharing:Host Settings",
    },
    "com.apple.configuration.security.certificate": {
        "apply": "multiple",
        "class": "configuration",
        "file": "declarative/declarations/configurations/security.certificate.yaml",
        "keys": {"CredentialAssetReference": {"required": True, "type": "string"}},
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "17.0",
                "scopes": ["system"],
                "sharedipad_scopes": ["system", "user"],
            },
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "14.0",
                "scopes": ["system", "user"],
            },
            "tvOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "17.0",
                "scopes": ["system"],
            },
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "10.0",
                "scopes": ["system"],
            },
        },
        "title": "Security:Certificate",
    },
    "com.apple.configuration.security.identity": {
        "apply": "multiple",
        "class": "configuration",
        "file": "declarative/declarations/configurations/security.identity.yaml",
        "keys": {
            "AllowAllAppsAccess": {"type": "boolean"},
            "CredentialAssetReference": {"required": True, "type": "string"},
            "KeyIsExtractable": {"type": "boolean"},
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "17.0",
                "scopes": ["system"],
                "sharedipad_scopes": ["system", "user"],
            },
            "macOS": {
                "enrollments": ["local", "supervised", "user"],
                "introduced": "14.0",
                "scopes": ["system", "user"],
            },
            "tvOS": {
                "enrollments": ["device", "local", "supervised"],
                "introduced": "17.0",
                "scopes": ["system"],
            },
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "1.1",
                "scopes": ["system"],
            },
            "watchOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "10.0",
                "scopes": ["system"],
            },
        },
        "title": "Security:Identity",
    },
    "com.apple.configuration.security.passkey.attestation": {
        "apply": "multiple",
        "class": "configuration",
        "file": "declarative/declarations/configurations/security.passkey.attestation.yaml",
        "keys": {
            "AttestationIdentityAssetReference": {"required": True, "type": "string"},
            "AttestationIdentityKeyIsExtractable": {"type": "boolean"},
            "RelyingParties": {"item": {"type": "string"}, "required": True, "type": "array"},
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "supervised"],
                "introduced": "17.0",
                "scopes": ["system"],
                "sharedipad_scopes": [],
            },
            "macOS": {"enrollments": ["supervised"], "introduced": "14.0", "scopes": ["user"]},
            "tvOS": {"supported": False},
            "visionOS": {"supported": False},
            "watchOS": {"supported": False},
        },
        "title": "Security:Passkey:Attestation",
    },
    "com.apple.configuration.services.background-tasks": {
        "apply": "multiple",
        "class": "configuration",
        "file": "declarative/declarations/configurations/services.background-tasks.yaml",
        "keys": {
            "ExecutableAssetReference": {"type": "string"},
            "LaunchdConfigurations": {
                "item": {
                    "keys": {
                        "Context": {
                            "range": ["daemon", "agent"],
                            "required": True,
                            "type": "string",
                        },
                        "FileAssetReference": {"required": True, "type": "string"},
                    },
                    "required": True,
                    "type": "dictionary",
                },
                "type": "array",
            },
            "TaskDescription": {"type": "string"},
            "TaskType": {"required": True, "type": "string"},
        },
        "os": {
            "iOS": {"supported": False},
            "macOS": {"enrollments": ["supervised"], "introduced": "15.0", "scopes": ["system"]},
            "tvOS": {"supported": False},
            "visionOS": {"supported": False},
            "watchOS": {"supported": False},
        },
        "title": "Services Background Tasks",
    },
    "com.apple.configuration.services.configuration-files": {
        "apply": "multiple",
        "class": "configuration",
        "file": "declarative/declarations/configurations/services.configuration-files.yaml",
        "keys": {
            "DataAssetReference": {"required": True, "type": "string"},
            "ServiceType": {"required": True, "type": "string"},
        },
        "os": {
            "iOS": {"supported": False},
            "macOS": {"enrollments": ["supervised"], "introduced": "14.0", "scopes": ["system"]},
            "tvOS": {"supported": False},
            "visionOS": {"supported": False},
            "watchOS": {"supported": False},
        },
        "title": "Services Configuration Files",
    },
    "com.apple.configuration.siri.settings": {
        "apply": "combined",
        "class": "configuration",
        "file": "declarative/declarations/configurations/siri.settings.yaml",
        "keys": {
            "AllowSiriAI": {"type": "boolean"},
            "AllowUserGeneratedContent": {"type": "boolean"},
            "AllowWhileLocked": {"type": "boolean"},
            "Enabled": {"type": "boolean"},
            "ForceProfanityFilter": {"type": "boolean"},
            "ForceReduceSensitiveContent": {"type": "boolean"},
        },
        "os": {
            "iOS": {
                "enrollments": ["supervised"],
                "introduced": "26.4",
                "scopes": ["system"],
                "sharedipad_scopes": ["user"],
            },
            "macOS": {
                "enrollments": ["supervised"],
                "introduced": "26.4",
                "scopes": ["system", "user"],
            },
            "tvOS": {"enrollments": ["supervised"], "introduced": "27.0", "scopes": ["system"]},
            "visionOS": {"enrollments": ["supervised"], "introduced": "26.4", "scopes": ["system"]},
            "watchOS": {"enrollments": ["supervised"], "introduced": "26.4", "scopes": ["system"]},
        },
        "title": "Siri Settings",
    },
    "com.apple.configuration.softwareupdate.enforcement.specific": {
        "apply": "multiple",
        "class": "configuration",
        "file": "declarative/declarations/configurations/softwareupdate.enforcement.specific.yaml",
        "keys": {
            "DetailsURL": {"type": "string"},
            "TargetBuildVersion": {"type": "string"},
            "TargetLocalDateTime": {"required": True, "type": "string"},
            "TargetOSVersion": {"required": True, "type": "string"},
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "supervised"],
                "introduced": "17.0",
                "scopes": ["system"],
                "sharedipad_scopes": ["system"],
            },
            "macOS": {"enrollments": ["supervised"], "introduced": "14.0", "scopes": ["system"]},
            "tvOS": {
                "enrollments": ["device", "supervised"],
                "introduced": "18.4",
                "scopes": ["system"],
            },
            "visionOS": {
                "enrollments": ["device", "supervised"],
                "introduced": "26.0",
                "scopes": ["system"],
            },
            "watchOS": {"supported": False},
        },
        "title": "Software Update:Enforcement:Specific",
    },
    "com.apple.configuration.softwareupdate.settings": {
        "apply": "combined",
        "class": "configuration",
        "file": "declarative/declarations/configurations/softwareupdate.settings.yaml",
        "keys": {
            "AllowStandardUserOSUpdates": {"type": "boolean"},
            "AutomaticActions": {
                "keys": {
                    "Download": {"range": ["Allowed", "AlwaysOn", "AlwaysOff"], "type": "string"},
                    "InstallOSUpdates": {
                        "range": ["Allowed", "AlwaysOn", "AlwaysOff"],
                        "type": "string",
                    },
                    "InstallSecurityUpdate": {
                        "range": ["Allowed", "AlwaysOn", "AlwaysOff"],
                        "type": "string",
                    },
                },
                "type": "dictionary",
            },
            "Beta": {
                "keys": {
                    "OfferPrograms": {
                        "item": {
                            "keys": {
                                "Description": {"required": True, "type": "string"},
                                "Token": {"required": True, "type": "string"},
                            },
                            "required": True,
                            "type": "dictionary",
                        },
                        "type": "array",
                    },
                    "ProgramEnrollment": {
                        "range": ["Allowed", "AlwaysOn", "AlwaysOff"],
                        "type": "string",
                    },
                    "RequireProgram": {
                        "keys": {
                            "Description": {"required": True, "type": "string"},
                            "Token": {"required": True, "type": "string"},
                        },
                        "type": "dictionary",
                    },
                },
                "type": "dictionary",
            },
            "Deferrals": {
                "keys": {
                    "CombinedPeriodInDays": {"type": "integer"},
                    "MajorPeriodInDays": {"type": "integer"},
                    "MinorPeriodInDays": {"type": "integer"},
                    "SystemPeriodInDays": {"type": "integer"},
                },
                "type": "dictionary",
            },
            "Notifications": {"type": "boolean"},
            "RapidSecurityResponse": {
                "keys": {"Enable": {"type": "boolean"}, "EnableRollback": {"type": "boolean"}},
                "type": "dictionary",
            },
            "RecommendedCadence": {"range": ["All", "Oldest", "Newest"], "type": "string"},
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "supervised"],
                "introduced": "18.0",
                "scopes": ["system"],
                "sharedipad_scopes": ["system"],
            },
            "macOS": {"enrollments": ["supervised"], "introduced": "15.0", "scopes": ["system"]},
            "tvOS": {"supported": False},
            "visionOS": {"supported": False},
            "watchOS": {"supported": False},
        },
        "title": "Software Update:Settings",
    },
    "com.apple.configuration.watch.enrollment": {
        "apply": "single",
        "class": "configuration",
        "file": "declarative/declarations/configurations/watch.enrollment.yaml",
        "keys": {
            "AnchorCertificateAssetReferences": {"item": {"type": "string"}, "type": "array"},
            "EnrollmentProfileURL": {"required": True, "type": "string"},
        },
        "os": {
            "iOS": {
                "enrollments": ["supervised"],
                "introduced": "17.0",
                "scopes": ["system"],
                "sharedipad_scopes": [],
            },
            "macOS": {"supported": False},
            "tvOS": {"supported": False},
            "visionOS": {"supported": False},
            "watchOS": {"supported": False},
        },
        "title": "Watch:Enrollment",
    },
    "com.apple.configuration.webcontent-filter.plugin": {
        "apply": "multiple",
        "class": "configuration",
        "file": "declarative/declarations/configurations/webcontent-filter.plugin.yaml",
        "keys": {
            "Authentication": {
                "keys": {
                    "CredentialsAssetReference": {"type": "string"},
                    "IdentityAssetReference": {"type": "string"},
                },
                "type": "dictionary",
            },
            "ContentFilterUUID": {"type": "string"},
            "Filter": {
                "keys": {
                    "Browsers": {
                        "keys": {"Enabled": {"required": True, "type": "boolean"}},
                        "type": "dictionary",
                    },
                    "Grade": {"range": ["firewall", "inspector"], "type": "string"},
                    "Packets": {
                        "keys": {
                            "Enabled": {"required": True, "type": "boolean"},
                            "ProviderComposedIdentifier": {"type": "string"},
                        },
                        "type": "dictionary",
                    },
                    "Sockets": {
                        "keys": {
                            "Enabled": {"required": True, "type": "boolean"},
                            "ProviderComposedIdentifier": {"type": "string"},
                        },
                        "type": "dictionary",
                    },
                    "URLs": {
                        "keys": {
                            "Enabled": {"required": True, "type": "boolean"},
                            "Parameters": {
                                "keys": {
                                    "FailClosed": {"type": "boolean"},
                                    "PIR": {
                                        "keys": {
                                            "AuthenticationTokenAssetReference": {"type": "string"},
                                            "PrivacyPassIssuerURL": {
                                                "required": True,
                                                "type": "string",
                                            },
                                            "ServerURL": {"required": True, "type": "string"},
                                        },
                                        "required": True,
                                        "type": "dictionary",
                                    },
                                    "PrefilterFetchFrequency": {"type": "integer"},
                                    "ProviderComposedIdentifier": {
                                        "required": True,
                                        "type": "string",
                                    },
                                },
                                "type": "dictionary",
                            },
                        },
                        "type": "dictionary",
                    },
                },
                "type": "dictionary",
            },
            "Organization": {"type": "string"},
            "PluginBundleID": {"required": True, "type": "string"},
            "ServerAddress": {"type": "string"},
            "VendorConfig": {"free": True, "type": "dictionary"},
            "VisibleName": {"required": True, "type": "string"},
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "27.0",
                "scopes": ["system"],
                "sharedipad_scopes": ["system"],
            },
            "macOS": {
                "enrollments": ["local", "supervised"],
                "introduced": "27.0",
                "scopes": ["system"],
            },
            "tvOS": {"supported": False},
            "visionOS": {
                "enrollments": ["device", "local", "supervised", "user"],
                "introduced": "27.0",
                "scopes": ["system"],
            },
            "watchOS": {"supported": False},
        },
        "title": "WebContentFilter:Plugin",
    },
    "com.apple.management.organization-info": {
        "apply": "",
        "class": "management",
        "file": "declarative/declarations/management/organization-info.yaml",
        "keys": {
            "Email": {"type": "string"},
            "Name": {"required": True, "type": "string"},
            "Proof": {"keys": {"IdentityToken": {"type": "string"}}, "type": "dictionary"},
            "URL": {"type": "string"},
        },
        "os": {
            "iOS": {"introduced": "15.0"},
            "macOS": {"introduced": "13.0"},
            "tvOS": {"introduced": "16.0"},
            "visionOS": {"introduced": "1.1"},
            "watchOS": {"introduced": "10.0"},
        },
        "title": "Management:Organization Information",
    },
    "com.apple.management.properties": {
        "apply": "",
        "class": "management",
        "file": "declarative/declarations/management/properties.yaml",
        "keys": {"ANY": {"type": "any"}},
        "os": {
            "iOS": {"introduced": "16.0"},
            "macOS": {"introduced": "13.0"},
            "tvOS": {"introduced": "16.0"},
            "visionOS": {"introduced": "1.1"},
            "watchOS": {"introduced": "10.0"},
        },
        "title": "Management:Properties",
    },
    "com.apple.management.server-capabilities": {
        "apply": "",
        "class": "management",
        "file": "declarative/declarations/management/server-capabilities.yaml",
        "keys": {
            "SupportedFeatures": {"free": True, "required": True, "type": "dictionary"},
            "Version": {"required": True, "type": "string"},
        },
        "os": {
            "iOS": {"introduced": "15.0"},
            "macOS": {"introduced": "13.0"},
            "tvOS": {"introduced": "16.0"},
            "visionOS": {"introduced": "1.1"},
            "watchOS": {"introduced": "10.0"},
        },
        "title": "Management:Server Capabilities",
    },
}
