"""Apple declarative-management declarations table. GENERATED FILE: do not edit by hand.

Source: https://github.com/apple/device-management at commit b6202ca2fbd31286a52eb160b67a4db7b4fe1f1f
(declarative/declarations). Regenerate with `manage.py generate_declaration_table`.
"""

from typing import Any

SCHEMA_COMMIT = "b6202ca2fbd31286a52eb160b67a4db7b4fe1f1f"

# declaration Type -> class, title, source file, apply, per-OS support with the allowed
# enrollment kinds and scopes (absent: no limit stated), and the payload keys' shape
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
                    "RelayUUID": {"type": "string"},
                    "TapToPayScreenLock": {"type": "boolean"},
                    "VPNUUID": {"type": "string"},
                },
                "type": "dictionary",
            },
            "BundleID": {"type": "string"},
            "IncludeInBackup": {"type": "boolean"},
            "InstallBehavior": {
                "keys": {
                    "Install": {"range": ["Optional", "Required"], "type": "string"},
                    "License": {
                        "keys": {
                            "Assignment": {"range": ["Device", "User"], "type": "string"},
                            "VPPType": {"range": ["Device", "User"], "type": "string"},
                        },
                        "type": "dictionary",
                    },
                },
                "type": "dictionary",
            },
            "ManifestURL": {"type": "string"},
        },
        "os": {
            "iOS": {
                "enrollments": ["device", "supervised", "user"],
                "introduced": "17.2",
                "scopes": ["system"],
            },
            "macOS": {"supported": False},
            "tvOS": {"supported": False},
            "visionOS": {"supported": False},
            "watchOS": {"supported": False},
        },
        "title": "App:Managed",
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
            "iOS": {"enrollments": ["supervised"], "introduced": "18.0", "scopes": ["system"]},
            "macOS": {"enrollments": ["supervised"], "introduced": "15.0", "scopes": ["user"]},
            "tvOS": {"supported": False},
            "visionOS": {"supported": False},
            "watchOS": {"supported": False},
        },
        "title": "Math Settings",
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
            "iOS": {"enrollments": ["supervised"], "introduced": "18.0", "scopes": ["system"]},
            "macOS": {"enrollments": ["supervised"], "introduced": "15.0", "scopes": ["user"]},
            "tvOS": {"supported": False},
            "visionOS": {"supported": False},
            "watchOS": {"supported": False},
        },
        "title": "Safari:Extension Settings",
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
            },
            "macOS": {"enrollments": ["supervised"], "introduced": "14.0", "scopes": ["system"]},
            "tvOS": {"supported": False},
            "visionOS": {"supported": False},
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
            "iOS": {"enrollments": ["supervised"], "introduced": "17.0", "scopes": ["system"]},
            "macOS": {"supported": False},
            "tvOS": {"supported": False},
            "visionOS": {"supported": False},
            "watchOS": {"supported": False},
        },
        "title": "Watch:Enrollment",
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
